-- PostgreSQL refuses these: a view's columns come from its query.
ALTER TABLE users ALTER COLUMN bio TYPE varchar(255);
ALTER TABLE account_emails ALTER COLUMN email TYPE varchar(100) USING left(email, 100);
ALTER TABLE account_emails ADD COLUMN note text;
ALTER TABLE account_emails ALTER COLUMN email SET NOT NULL;
ALTER TABLE account_counts ALTER COLUMN n SET DEFAULT 0;
-- A default on a view's column is taken (for INSERTs through the view).
ALTER TABLE account_emails ALTER COLUMN email SET DEFAULT 'none';
