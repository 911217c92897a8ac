UPDATE users SET legacy_flags = 0 WHERE legacy_flags IS NULL;
