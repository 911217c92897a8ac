ALTER TABLE users ALTER COLUMN price TYPE numeric(14,4);
