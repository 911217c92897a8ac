-- break: the value is gone
SELECT id FROM orders WHERE status = 'paid';
SELECT id FROM orders o WHERE o.status IN ('pending', 'paid');
UPDATE orders SET status = 'paid' WHERE id = $1;
INSERT INTO orders (status) VALUES ('paid');
SELECT id FROM orders WHERE 'paid' = status;
-- work: values that stay, parameters, and text columns
SELECT id FROM orders WHERE status = 'shipped';
SELECT id FROM orders WHERE status = $1;
SELECT id FROM orders WHERE note = 'paid';
