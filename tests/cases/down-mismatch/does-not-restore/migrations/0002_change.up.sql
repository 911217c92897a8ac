ALTER TABLE users ALTER COLUMN name TYPE text;
DROP INDEX users_email_idx;
CREATE TABLE tmp (id int);
