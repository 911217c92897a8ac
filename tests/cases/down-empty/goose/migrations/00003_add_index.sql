-- +goose Up
-- +goose NO TRANSACTION
CREATE INDEX CONCURRENTLY person_name_idx ON person (name);

-- +goose Down
-- a comment, and the statement
DROP INDEX CONCURRENTLY person_name_idx;
