DROP INDEX users_email_key;
ALTER TABLE users RENAME COLUMN email TO email_address;
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_email_address_key ON users (email_address);
