ALTER TABLE users RENAME COLUMN username TO handle;
