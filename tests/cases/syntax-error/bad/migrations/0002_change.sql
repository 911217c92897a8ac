ALTER TABLE users DROP COLUMN bio
ALTER TABLE users DROP COLUMN phone;
CREATE INDEX CONCURRENTLY users_score_idx ON users (score);
