ALTER TABLE orders DROP CONSTRAINT orders_kind_check;
ALTER TABLE users DROP CONSTRAINT users_name_key;
ALTER TABLE orders DROP CONSTRAINT orders_user_fk;
