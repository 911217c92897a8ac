ALTER FUNCTION order_total(bigint) RENAME TO order_sum;
CREATE FUNCTION order_total(bigint) RETURNS numeric LANGUAGE sql AS $$ SELECT order_sum($1) $$;
