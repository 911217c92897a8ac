ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,4);
ALTER TABLE users ADD COLUMN legacy_flags integer;
