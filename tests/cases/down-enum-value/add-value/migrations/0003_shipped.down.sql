ALTER TYPE status RENAME TO status_old;
CREATE TYPE status AS ENUM ('pending', 'paid', 'refunded');
ALTER TABLE orders ALTER COLUMN status TYPE status USING status::text::status;
DROP TYPE status_old;
