--liquibase formatted sql

--changeset alice:1
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE person (id int PRIMARY KEY, name varchar(50), nick text, age int CHECK (age >= 0), m mood);
--rollback DROP TABLE person;
--rollback DROP TYPE mood;

--changeset alice:2
ALTER TABLE person ADD COLUMN email varchar(100) NOT NULL DEFAULT '';
ALTER TABLE person RENAME COLUMN nick TO handle;

--changeset alice:3
ALTER TABLE person DROP COLUMN age;
