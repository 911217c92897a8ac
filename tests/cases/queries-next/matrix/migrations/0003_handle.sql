-- Version N still writes legacy_note, which this migration drops: N breaks on the new schema too.
ALTER TABLE users RENAME COLUMN username TO handle;
ALTER TABLE users DROP COLUMN legacy_note;
