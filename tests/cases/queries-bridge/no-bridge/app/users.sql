-- Every query goes through the old name, which is now the view.
SELECT * FROM users WHERE id = $1;
SELECT u.username, u.email FROM users u ORDER BY u.created_at DESC LIMIT 10;
INSERT INTO users (username, email) VALUES ($1, $2) RETURNING id, created_at;
INSERT INTO users (username, email) VALUES ($1, $2) ON CONFLICT (email) DO NOTHING;
UPDATE users SET email = $2 WHERE id = $1 RETURNING username;
DELETE FROM users WHERE id = $1;
