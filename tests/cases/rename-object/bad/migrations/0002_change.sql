ALTER FUNCTION order_total(bigint) RENAME TO order_sum;
ALTER SEQUENCE invoice_number_seq RENAME TO invoice_seq;
ALTER TABLE orders RENAME CONSTRAINT orders_kind_check TO orders_kind_ck;
ALTER SCHEMA reporting RENAME TO analytics;
ALTER TYPE order_status SET SCHEMA reporting;
