ALTER TABLE posts DROP COLUMN legacy_slug;
