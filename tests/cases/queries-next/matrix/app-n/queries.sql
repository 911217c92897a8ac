SELECT id, handle, email FROM users WHERE id = $1;
SELECT id, refunded_at FROM orders WHERE status = 'refunded';
SELECT id FROM orders WHERE status IN ('paid', 'shipped');
UPDATE users SET legacy_note = NULL WHERE id = $1;
