--liquibase formatted sql

--changeset alice:1
CREATE TABLE person (id int PRIMARY KEY, name varchar(50));
--rollback DROP TABLE person;

--changeset alice:2
ALTER TABLE person ALTER COLUMN name TYPE varchar(200);
CREATE TABLE tag (id int PRIMARY KEY, label text);
--rollback ALTER TABLE person
--rollback     ALTER COLUMN name TYPE varchar(50);

--changeset alice:3
ALTER TABLE person ADD COLUMN email text;
--rollback ALTER TABLE person DROP COLUMN email
--rollback ALTER TABLE person DROP COLUMN name;
