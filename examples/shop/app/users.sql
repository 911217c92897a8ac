-- Queries of the application version that runs before these migrations (N-1).
SELECT id, username, email FROM users WHERE id = $1;

INSERT INTO users (username, email) VALUES ($1, $2) RETURNING id;

UPDATE users SET display_name = $2 WHERE id = $1;
