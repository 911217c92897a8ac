CREATE TABLE events (
    id serial PRIMARY KEY,
    code char(2),
    title varchar(100),
    at timestamp,
    kind int
);
CREATE TYPE event_kind AS ENUM ('a', 'b');
