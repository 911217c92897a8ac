-- Breaks the previous version: it cannot read orders in the new status.
ALTER TYPE order_status ADD VALUE 'refunded';
