-- +goose Up
-- +goose NO TRANSACTION
CREATE TABLE audit (id bigint);
ALTER TABLE users ADD COLUMN locale text;
CREATE INDEX CONCURRENTLY IF NOT EXISTS audit_id_idx ON audit (id);

-- +goose Down
DROP TABLE audit;
