CREATE OR REPLACE VIEW active_users AS SELECT id, email FROM users WHERE score > 10;
CREATE OR REPLACE FUNCTION order_total(bigint) RETURNS numeric LANGUAGE sql AS $$ SELECT total * 1.2 FROM orders WHERE id = $1 $$;
