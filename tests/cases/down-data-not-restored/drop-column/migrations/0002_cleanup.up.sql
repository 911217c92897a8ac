-- rollsafe:approve drop-column reason="phone numbers exported to the CRM (OPS-7)"
ALTER TABLE users DROP COLUMN phone;
DROP TABLE old_feature;
ALTER TABLE users ALTER COLUMN total TYPE numeric(12,2);
