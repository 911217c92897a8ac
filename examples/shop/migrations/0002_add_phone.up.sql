-- Safe: a nullable column, and a wider display name.
ALTER TABLE users ADD COLUMN phone varchar(20);
ALTER TABLE users ALTER COLUMN display_name TYPE varchar(255);
