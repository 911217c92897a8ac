ALTER TABLE users ALTER COLUMN price TYPE numeric(12,2);
