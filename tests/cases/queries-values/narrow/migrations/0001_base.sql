CREATE TABLE users (
    id bigserial PRIMARY KEY,
    name varchar(500),
    code char(4),
    age integer,
    score numeric(10,2)
);
