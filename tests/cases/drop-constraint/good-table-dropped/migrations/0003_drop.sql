ALTER TABLE scratch DROP CONSTRAINT scratch_n_check;
DROP TABLE scratch;
