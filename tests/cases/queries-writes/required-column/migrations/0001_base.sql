CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL, phone text);
CREATE TABLE events (id bigserial PRIMARY KEY, kind text NOT NULL, payload jsonb);
