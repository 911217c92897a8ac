ALTER TABLE users ADD COLUMN locale text;
CREATE INDEX orders_total_idx ON orders (total);
