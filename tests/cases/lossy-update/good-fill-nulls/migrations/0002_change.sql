UPDATE users SET phone = '' WHERE phone IS NULL;
