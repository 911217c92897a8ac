-- Rename the table and keep the old name working through a view (simple views are updatable).
ALTER TABLE users RENAME TO accounts;
CREATE VIEW users AS SELECT * FROM accounts;
