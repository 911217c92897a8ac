ALTER TABLE users RENAME COLUMN email TO email_address;
-- A column computed from the new one serves the old name to N-1 readers.
ALTER TABLE users ADD COLUMN email text GENERATED ALWAYS AS (email_address) STORED;
