CREATE TABLE posts (id bigserial PRIMARY KEY, title text NOT NULL, body text, views integer NOT NULL DEFAULT 0, legacy_slug text);
CREATE TABLE tags (post_id bigint NOT NULL, tag text NOT NULL);
