-- Irreversible (the data is gone), but the previous version never reads the column.
ALTER TABLE users DROP COLUMN legacy_flags;
