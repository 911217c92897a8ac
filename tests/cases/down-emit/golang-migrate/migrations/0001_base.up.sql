CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE person (id int PRIMARY KEY, name varchar(50), nick text, age int CHECK (age >= 0), m mood);
