CREATE TABLE users (id bigint PRIMARY KEY, username text NOT NULL, email text NOT NULL, bio text);
CREATE TABLE orders (
    id bigint PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id),
    total numeric(12,2) NOT NULL,
    note text
);
