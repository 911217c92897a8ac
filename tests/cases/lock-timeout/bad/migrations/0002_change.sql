ALTER TABLE users ADD COLUMN locale text;
ALTER TABLE orders ADD COLUMN note text;
