SELECT username FROM users;
