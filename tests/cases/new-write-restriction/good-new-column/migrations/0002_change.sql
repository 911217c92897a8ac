ALTER TABLE orders ADD COLUMN discount numeric(10,2);
ALTER TABLE orders ADD CONSTRAINT discount_positive CHECK (discount >= 0) NOT VALID;
