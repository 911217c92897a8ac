-- +goose Up
ALTER TABLE person ADD COLUMN email text;

-- +goose Down
