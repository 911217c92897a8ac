-- A bridge that joins (PostgreSQL cannot write through it) and leaves out username.
ALTER TABLE users RENAME TO accounts;
CREATE TABLE profiles (account_id bigint PRIMARY KEY REFERENCES accounts (id), bio text);
CREATE VIEW users AS
    SELECT a.id, a.email, a.created_at, p.bio
    FROM accounts a
    LEFT JOIN profiles p ON p.account_id = a.id;
