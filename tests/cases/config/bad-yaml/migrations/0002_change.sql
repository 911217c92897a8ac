ALTER TABLE users ADD COLUMN locale text;
CREATE INDEX users_locale_idx ON users (locale);
ALTER TABLE users DROP COLUMN nickname;
