-- The down restores both, in PostgreSQL 18's words: unnamed, then named.
ALTER TABLE account ADD NOT NULL "Display Name";
ALTER TABLE account ADD CONSTRAINT account_email_not_null NOT NULL email;
