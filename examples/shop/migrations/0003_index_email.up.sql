-- A single statement: golang-migrate does not wrap it in a transaction block.
CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);
