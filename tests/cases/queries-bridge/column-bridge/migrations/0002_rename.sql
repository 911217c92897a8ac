-- Rename a column behind a view that serves the old names: N-1 reads and writes through it.
ALTER TABLE users RENAME TO accounts;
ALTER TABLE accounts RENAME COLUMN username TO handle;
CREATE VIEW users AS SELECT id, handle AS username, email, created_at FROM accounts;
