-- +goose Up
CREATE TABLE person (id int PRIMARY KEY, name text);

-- +goose Down
DROP TABLE person;
