CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL, bio text, legacy_flags integer);
CREATE TABLE audit (id bigserial PRIMARY KEY, note text);
CREATE TABLE old_feature (id bigserial PRIMARY KEY);
