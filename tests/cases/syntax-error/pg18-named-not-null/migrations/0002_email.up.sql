/* a comment that says ADD NOT NULL x, which stays a comment */
ALTER TABLE account ADD CONSTRAINT account_email_not_null NOT NULL email;
