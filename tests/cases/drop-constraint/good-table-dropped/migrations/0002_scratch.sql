CREATE TABLE scratch (id int, n int CONSTRAINT scratch_n_check CHECK (n > 0));
