ALTER TABLE person ADD COLUMN email text;
ALTER TABLE person ALTER COLUMN name SET DEFAULT 'anonymous';
