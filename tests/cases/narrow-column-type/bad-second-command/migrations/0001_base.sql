CREATE TABLE users (
    id bigserial PRIMARY KEY,
    bio varchar(50),
    score integer
);
