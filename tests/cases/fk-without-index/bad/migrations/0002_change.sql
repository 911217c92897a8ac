CREATE TABLE payments (id bigint PRIMARY KEY, order_id bigint REFERENCES orders);
