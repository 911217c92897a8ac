ALTER TABLE users ADD CONSTRAINT users_identity_key UNIQUE (email, name, plan, nickname, score);
