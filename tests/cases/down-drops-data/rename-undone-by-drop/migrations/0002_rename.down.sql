ALTER TABLE users DROP COLUMN handle;
ALTER TABLE users ADD COLUMN username text;
