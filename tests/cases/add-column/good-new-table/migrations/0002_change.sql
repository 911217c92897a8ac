CREATE TABLE audit (id bigint);
ALTER TABLE audit ADD COLUMN at timestamptz;
