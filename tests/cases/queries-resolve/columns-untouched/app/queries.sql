-- an alias
SELECT u.id, u.email FROM users AS u WHERE u.id = $1;

-- a join; the columns are not qualified
SELECT o.id, email, note
FROM orders o
JOIN users u ON u.id = o.user_id;

-- a subquery in FROM
SELECT s.e FROM (SELECT email AS e FROM users) s;

-- a CTE
WITH recent AS (SELECT id, note FROM orders)
SELECT id FROM recent WHERE note IS NOT NULL;

-- a correlated subquery
SELECT id FROM users u
WHERE EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id AND u.username = $1);

-- writes
INSERT INTO users (id, username, email) VALUES ($1, $2, $3);
UPDATE users SET email = $2 WHERE id = $1 RETURNING id, username;
