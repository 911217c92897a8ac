-- PostgreSQL refuses both: a view's column types come from its query.
ALTER TABLE users ALTER COLUMN bio TYPE varchar(255);
ALTER TABLE account_emails ALTER COLUMN email TYPE varchar(100) USING left(email, 100);
