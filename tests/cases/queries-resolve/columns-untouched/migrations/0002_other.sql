-- Touches users and orders, but nothing the previous version reads or writes.
ALTER TABLE users ADD COLUMN phone varchar(20);
ALTER TABLE users DROP COLUMN bio;
ALTER TABLE orders ADD COLUMN shipped_at timestamptz;
