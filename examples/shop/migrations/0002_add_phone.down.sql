ALTER TABLE users ALTER COLUMN display_name TYPE varchar(100);
ALTER TABLE users DROP COLUMN phone;
