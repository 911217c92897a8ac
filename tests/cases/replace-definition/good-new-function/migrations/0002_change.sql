CREATE OR REPLACE FUNCTION order_total_v2(bigint) RETURNS numeric LANGUAGE sql AS $$ SELECT total * 1.2 FROM orders WHERE id = $1 $$;
