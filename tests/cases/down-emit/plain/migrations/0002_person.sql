ALTER TABLE person ADD COLUMN email varchar(100) NOT NULL DEFAULT '';
ALTER TABLE person ALTER COLUMN name TYPE varchar(200), ALTER COLUMN name SET DEFAULT 'anonymous';
ALTER TABLE person RENAME COLUMN nick TO handle;
CREATE INDEX CONCURRENTLY person_email_idx ON person (email);
CREATE TABLE tag (id int PRIMARY KEY, label text);
ALTER TABLE tag ADD COLUMN color text;
ALTER TABLE person DROP CONSTRAINT person_age_check;
CREATE TABLE scratch (id int);
DROP TABLE scratch;
