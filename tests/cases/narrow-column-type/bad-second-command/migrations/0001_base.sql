CREATE TABLE users (
    id bigserial PRIMARY KEY,
    username varchar(255) NOT NULL,
    email text,
    phone varchar(20),
    bio varchar(50),
    score integer,
    price numeric(12,4),
    created_at timestamp(6),
    legacy_flags integer
);
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE orders (
    id bigserial PRIMARY KEY,
    user_id bigint,
    total numeric(10,2),
    state mood
);
