CREATE VIEW user_emails AS SELECT id, email FROM users;
ALTER TABLE users ALTER COLUMN email TYPE varchar(320);
