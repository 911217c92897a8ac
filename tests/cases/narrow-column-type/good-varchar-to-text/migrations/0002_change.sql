ALTER TABLE users ALTER COLUMN username TYPE text;
