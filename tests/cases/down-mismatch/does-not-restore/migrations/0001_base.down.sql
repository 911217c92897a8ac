DROP TYPE mood;
DROP TABLE users;
