CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL, tenant_id bigint NOT NULL DEFAULT 1);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE TABLE counters (name text NOT NULL, value bigint NOT NULL DEFAULT 0, CONSTRAINT counters_name_key UNIQUE (name));
CREATE TABLE sessions (token text NOT NULL, user_id bigint NOT NULL);
CREATE UNIQUE INDEX sessions_token_key ON sessions (token);
