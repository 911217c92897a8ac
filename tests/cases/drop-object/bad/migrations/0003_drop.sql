DROP EXTENSION pgcrypto;
DROP TYPE shipping;
DROP TYPE order_status CASCADE;
