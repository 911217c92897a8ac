CREATE TABLE users (id int PRIMARY KEY, username text NOT NULL);
