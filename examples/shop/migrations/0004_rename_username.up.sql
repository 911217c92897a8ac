-- Breaks the previous version: it still selects users.username.
ALTER TABLE users RENAME COLUMN username TO handle;
