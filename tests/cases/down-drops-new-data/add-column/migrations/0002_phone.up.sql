-- seed 001: a true rollback, while no production data has been written
ALTER TABLE users ADD COLUMN phone varchar(20);
CREATE TABLE new_feature (id int PRIMARY KEY);
