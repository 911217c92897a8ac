--liquibase formatted sql

--changeset alice:1
CREATE TABLE person (id int PRIMARY KEY, name text);
--rollback DROP TABLE person;

--changeset alice:2
ALTER TABLE person ADD COLUMN email text;

--changeset alice:3
INSERT INTO person (id, name) VALUES (1, 'admin');
--rollback not required

--changeset alice:4
CREATE TABLE tag (id int PRIMARY KEY);
--rollback DROP TABLE tag;
