-- Required before the application sets them.
ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL;
ALTER TABLE users ALTER COLUMN phone SET NOT NULL;
-- Required, but with a default: inserts that leave it out still work.
ALTER TABLE events ADD COLUMN source text NOT NULL DEFAULT 'app';
