ALTER TABLE orders DROP CONSTRAINT orders_kind_check;
ALTER TABLE orders DROP CONSTRAINT orders_total_key;
