-- Judged against the schema of a pg_dump --schema-only file.
ALTER TABLE users ALTER COLUMN email TYPE varchar(100);
ALTER TABLE users ALTER COLUMN name TYPE varchar(500);
ALTER TABLE orders ALTER COLUMN status TYPE text;
ALTER TYPE order_status ADD VALUE 'refunded';
