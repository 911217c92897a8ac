CREATE SCHEMA staging;
DROP SCHEMA staging;
