-- +goose Up
ALTER TABLE person ADD COLUMN email text;
ALTER TABLE person RENAME COLUMN name TO full_name;

-- +goose Down
-- +goose StatementBegin
ALTER TABLE person DROP COLUMN email;
-- +goose StatementEnd
