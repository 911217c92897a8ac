-- profiles is not created by these migrations: the view's columns have no known type.
CREATE VIEW users AS SELECT p.id, p.bio FROM profiles p;
CREATE TABLE accounts (id bigint PRIMARY KEY, email text);
CREATE VIEW account_emails AS SELECT a.id, a.email FROM accounts a;
CREATE MATERIALIZED VIEW account_counts AS SELECT count(*) AS n FROM accounts;
