ALTER TABLE users ALTER COLUMN bio TYPE varchar(10) USING left(bio, 10);
