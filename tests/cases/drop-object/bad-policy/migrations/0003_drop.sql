DROP POLICY users_own ON users;
