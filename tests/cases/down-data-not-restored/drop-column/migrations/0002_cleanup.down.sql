ALTER TABLE users ALTER COLUMN total TYPE numeric(12,4);
CREATE TABLE old_feature (id int PRIMARY KEY);
ALTER TABLE users ADD COLUMN phone varchar(20);
