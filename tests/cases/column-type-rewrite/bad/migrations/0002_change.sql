ALTER TABLE users ALTER COLUMN score TYPE bigint;
