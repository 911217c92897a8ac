DROP TRIGGER users_touch ON users;
ALTER TABLE users DISABLE TRIGGER users_touch;
