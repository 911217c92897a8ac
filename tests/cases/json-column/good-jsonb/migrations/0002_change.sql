ALTER TABLE orders ADD COLUMN payload jsonb;
