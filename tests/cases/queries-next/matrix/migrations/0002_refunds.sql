-- Version N reads the new value and the new column: it cannot run on the schema before.
ALTER TYPE order_status ADD VALUE 'refunded';
ALTER TABLE orders ADD COLUMN refunded_at timestamptz;
