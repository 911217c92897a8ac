CREATE POLICY users_own ON users USING (true);
