-- PostgreSQL 18 grammar: a NOT VALID named NOT NULL constraint and virtual generated columns.
ALTER TABLE t ADD CONSTRAINT t_a_nn NOT NULL a NOT VALID;
ALTER TABLE t ADD COLUMN c int GENERATED ALWAYS AS (a * 2) VIRTUAL;
-- Still analysed after the two statements above.
ALTER TABLE t DROP COLUMN b;
