VACUUM FULL users;
CLUSTER orders USING orders_user_id_idx;
ALTER TABLE users SET UNLOGGED;
