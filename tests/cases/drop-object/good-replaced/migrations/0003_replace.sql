DROP POLICY users_own ON users;
CREATE POLICY users_own ON users USING (score > 0);
