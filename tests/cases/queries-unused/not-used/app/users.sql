SELECT id, email FROM users WHERE id = $1;
INSERT INTO users (email) VALUES ($1) RETURNING id;
SELECT count(*) FROM users;
