ALTER TABLE users ADD CONSTRAINT users_name_key UNIQUE USING INDEX users_name_key;
