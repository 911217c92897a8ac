ALTER TABLE users ADD COLUMN username text;
UPDATE users SET username = handle;
ALTER TABLE users ALTER COLUMN username SET NOT NULL;
ALTER TABLE users DROP COLUMN handle;
