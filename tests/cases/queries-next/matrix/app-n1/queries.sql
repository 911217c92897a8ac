SELECT id, username, email FROM users WHERE id = $1;
SELECT id FROM orders WHERE status = 'paid';
UPDATE users SET legacy_note = $2 WHERE id = $1;
