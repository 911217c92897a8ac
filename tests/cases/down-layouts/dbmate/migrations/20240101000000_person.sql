-- migrate:up
CREATE TABLE person (id int PRIMARY KEY, name text);

-- migrate:down
DROP TABLE person;
