-- migrate:up
ALTER TABLE person ADD COLUMN email text;
