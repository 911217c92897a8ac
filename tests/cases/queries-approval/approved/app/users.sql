SELECT id, username FROM users WHERE id = $1;
