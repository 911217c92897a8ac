CREATE TABLE person (id int PRIMARY KEY, a int, b int);
