-- migrate:up
ALTER TABLE person ADD COLUMN email text;
CREATE TABLE audit (id int);

-- migrate:down
ALTER TABLE person DROP COLUMN email;
