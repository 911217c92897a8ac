CREATE TABLE users (
    id bigint PRIMARY KEY,
    email text,
    name text NOT NULL,
    plan text NOT NULL DEFAULT 'free',
    nickname text,
    score integer
);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_score_idx ON users (score);
CREATE TYPE order_status AS ENUM ('new', 'paid');
CREATE TABLE orders (
    id bigint PRIMARY KEY,
    user_id bigint,
    status order_status NOT NULL DEFAULT 'new',
    kind text,
    total numeric(10,2),
    CONSTRAINT orders_kind_check CHECK (kind IN ('web', 'shop')),
    CONSTRAINT orders_total_key UNIQUE (id, total)
);
CREATE INDEX orders_user_id_idx ON orders (user_id);
CREATE VIEW active_users AS SELECT id, email FROM users WHERE score > 0;
CREATE MATERIALIZED VIEW order_totals AS SELECT user_id, sum(total) AS total FROM orders GROUP BY user_id;
CREATE SEQUENCE invoice_number_seq;
CREATE SCHEMA reporting;
CREATE FUNCTION order_total(bigint) RETURNS numeric LANGUAGE sql AS $$ SELECT total FROM orders WHERE id = $1 $$;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();
CREATE DOMAIN email_address AS text;
CREATE TABLE contacts (id bigint PRIMARY KEY, address email_address);
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE TABLE measurements (id bigint, taken date) PARTITION BY RANGE (taken);
CREATE TABLE measurements_2020 PARTITION OF measurements FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
CREATE TABLE measurements_2021 (id bigint, taken date);
