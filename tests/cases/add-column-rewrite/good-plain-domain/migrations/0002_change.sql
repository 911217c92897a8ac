ALTER TABLE contacts ADD COLUMN backup email_address;
ALTER TABLE orders ADD COLUMN total_cents bigint;
