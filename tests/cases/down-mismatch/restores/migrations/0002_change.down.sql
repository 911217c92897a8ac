ALTER TABLE users DROP CONSTRAINT users_flags_check;
DROP INDEX users_name_key;
ALTER TABLE users RENAME COLUMN email_address TO email;
ALTER TABLE users ALTER COLUMN name DROP DEFAULT;
