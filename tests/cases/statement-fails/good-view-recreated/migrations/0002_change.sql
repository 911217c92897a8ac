CREATE VIEW user_emails AS SELECT id, email FROM users;
DROP VIEW user_emails;
ALTER TABLE users ALTER COLUMN email TYPE varchar(320);
CREATE VIEW user_emails AS SELECT id, email FROM users;
