SELECT o.id, o.status, o.total, u.email
FROM orders o
JOIN users u ON u.id = o.user_id
WHERE o.status = 'paid';

INSERT INTO orders (user_id, total) VALUES ($1, $2);
