-- Irreversible: the column's data is gone. Reviewed and approved.
-- rollsafe:approve drop-column reason="unused since v1.4; exported to s3://shop-archive/legacy_flags.csv (OPS-311)"
ALTER TABLE users DROP COLUMN legacy_flags;

-- Irreversible and not approved: rounds every total to cents.
ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2);
