CREATE INDEX orders_total_idx ON orders (total);
ALTER TABLE users ADD COLUMN locale text;
