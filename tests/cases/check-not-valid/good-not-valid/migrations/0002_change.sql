ALTER TABLE orders ADD CONSTRAINT positive_total CHECK (total > 0) NOT VALID;
