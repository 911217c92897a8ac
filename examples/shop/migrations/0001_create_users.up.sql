-- The shop's first schema.
CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped');

CREATE TABLE users (
    id bigserial PRIMARY KEY,
    username varchar(100) NOT NULL,
    email text NOT NULL,
    display_name varchar(100),
    legacy_flags integer,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE orders (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id),
    status order_status NOT NULL DEFAULT 'pending',
    total numeric(12,4) NOT NULL,
    note text
);
CREATE INDEX orders_user_id_idx ON orders (user_id);
