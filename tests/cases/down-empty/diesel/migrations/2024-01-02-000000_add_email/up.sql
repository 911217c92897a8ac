ALTER TABLE person ADD COLUMN email text;
ALTER TABLE person RENAME COLUMN name TO full_name;
