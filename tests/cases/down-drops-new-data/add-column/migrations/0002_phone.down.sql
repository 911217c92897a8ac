DROP TABLE new_feature;
ALTER TABLE users DROP COLUMN phone;
