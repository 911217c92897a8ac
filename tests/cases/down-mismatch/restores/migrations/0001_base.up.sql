CREATE TABLE users (
    id bigserial PRIMARY KEY,
    name varchar(50) NOT NULL,
    email text,
    legacy_flags integer
);
CREATE INDEX users_email_idx ON users (email);
CREATE TYPE mood AS ENUM ('happy', 'sad');
