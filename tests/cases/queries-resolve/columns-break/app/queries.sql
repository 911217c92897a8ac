-- an alias
SELECT u.id, u.bio FROM users AS u WHERE u.id = $1;

-- a join; the column is not qualified
SELECT o.id, email, note
FROM orders o
JOIN users u ON u.id = o.user_id;

-- a subquery in FROM
SELECT s.b FROM (SELECT bio AS b FROM users) s;

-- a CTE
WITH recent AS (SELECT id, note FROM orders)
SELECT id FROM recent WHERE note IS NOT NULL;

-- a correlated subquery
SELECT id FROM users u
WHERE EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id AND u.bio IS NULL);

-- columns the migration does not touch
SELECT u.id, u.email, o.total FROM users u JOIN orders o ON o.user_id = u.id;
SELECT count(*) FROM users;
SELECT r.id FROM (SELECT id, email FROM users) r ORDER BY r.email;
