ALTER TABLE users ALTER COLUMN username TYPE varchar(50);
