ALTER TABLE users ALTER COLUMN name SET DEFAULT 'anonymous';
ALTER TABLE users RENAME COLUMN email TO email_address;
CREATE UNIQUE INDEX users_name_key ON users (name);
ALTER TABLE users ADD CONSTRAINT users_flags_check CHECK (legacy_flags >= 0);
