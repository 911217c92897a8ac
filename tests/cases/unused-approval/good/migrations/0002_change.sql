-- rollsafe:approve drop-column reason="unused since v42"
ALTER TABLE users DROP COLUMN legacy_flags;
