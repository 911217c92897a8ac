-- +goose Up
BEGIN;
ALTER TABLE users ADD COLUMN locale text;
COMMIT;

-- +goose Down
ALTER TABLE users DROP COLUMN locale;
