-- Two type changes in one statement: each command is judged on its own.
ALTER TABLE users ALTER COLUMN score TYPE bigint, ALTER COLUMN bio TYPE varchar(10);
