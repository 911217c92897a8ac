ALTER TABLE orders DROP CONSTRAINT orders_kind_check,
    ADD CONSTRAINT orders_kind_check CHECK (kind IN ('web', 'shop', 'app')) NOT VALID;
