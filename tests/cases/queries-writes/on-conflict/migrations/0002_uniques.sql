-- Email becomes unique per tenant: the index N-1's ON CONFLICT (email) needs is gone.
DROP INDEX users_email_key;
CREATE UNIQUE INDEX users_tenant_email_key ON users (tenant_id, email);
-- The constraint N-1 names is replaced by one with another name.
ALTER TABLE counters DROP CONSTRAINT counters_name_key;
ALTER TABLE counters ADD CONSTRAINT counters_name_uniq UNIQUE (name);
-- Replaced by an index on the same column: ON CONFLICT (token) still finds one.
DROP INDEX sessions_token_key;
CREATE UNIQUE INDEX sessions_token_idx ON sessions (token);
