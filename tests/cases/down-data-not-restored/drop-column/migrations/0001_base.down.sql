DROP TABLE old_feature;
DROP TABLE users;
