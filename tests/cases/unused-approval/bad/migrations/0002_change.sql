-- rollsafe:approve drop-column reason="leftover"
CREATE INDEX CONCURRENTLY users_bio_idx ON users (bio);
