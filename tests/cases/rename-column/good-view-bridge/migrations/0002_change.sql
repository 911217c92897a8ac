ALTER TABLE users RENAME TO users_v2;
ALTER TABLE users_v2 RENAME COLUMN email TO email_address;
CREATE VIEW users AS SELECT id, username, email_address AS email, phone, bio, score, price, created_at, legacy_flags FROM users_v2;
