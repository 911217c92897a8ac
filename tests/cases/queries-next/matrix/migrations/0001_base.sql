CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped');
CREATE TABLE users (id bigserial PRIMARY KEY, username text NOT NULL, email text NOT NULL, legacy_note text);
CREATE TABLE orders (id bigserial PRIMARY KEY, user_id bigint NOT NULL, status order_status NOT NULL DEFAULT 'pending');
