DROP FUNCTION order_total(bigint);
CREATE FUNCTION order_total(bigint) RETURNS numeric LANGUAGE sql AS $$ SELECT coalesce(total, 0) FROM orders WHERE id = $1 $$;
