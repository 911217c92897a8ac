-- Forgets the type, the index and the table.
SELECT 1;
