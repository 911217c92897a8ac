UPDATE users SET email_lower = lower(email) WHERE email_lower IS NULL;
