CREATE TABLE staging (id int);
INSERT INTO staging VALUES (1);
DELETE FROM staging;
