-- Renamed without a bridge: every query of the previous version names the old table.
ALTER TABLE users RENAME TO accounts;
