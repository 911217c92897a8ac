CREATE TABLE users (id int PRIMARY KEY, name varchar(50) NOT NULL, nick text);
