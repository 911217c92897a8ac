DROP VIEW big_orders;
ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2);
CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100;
