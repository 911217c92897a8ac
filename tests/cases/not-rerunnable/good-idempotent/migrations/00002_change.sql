-- +goose Up
-- +goose NO TRANSACTION
CREATE TABLE IF NOT EXISTS audit (id bigint);
ALTER TABLE users ADD COLUMN IF NOT EXISTS locale text;
CREATE INDEX CONCURRENTLY IF NOT EXISTS audit_id_idx ON audit (id);

-- +goose Down
DROP TABLE IF EXISTS audit;
