CREATE TABLE users (id int PRIMARY KEY, phone varchar(20), total numeric(12,4));
CREATE TABLE old_feature (id int PRIMARY KEY);
