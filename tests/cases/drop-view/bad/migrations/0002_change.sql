DROP VIEW active_users;
DROP MATERIALIZED VIEW order_totals;
