DROP FUNCTION order_total(bigint);
