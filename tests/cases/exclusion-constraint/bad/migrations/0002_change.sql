ALTER TABLE orders ADD CONSTRAINT orders_no_overlap EXCLUDE USING btree (user_id WITH =);
