-- rollsafe:approve drop-column reason="unused since v42; backup in OPS-311"
ALTER TABLE users DROP COLUMN legacy_flags;
