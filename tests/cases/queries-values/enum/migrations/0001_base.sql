CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped');
CREATE TABLE orders (id bigserial PRIMARY KEY, status order_status NOT NULL DEFAULT 'pending', note text);
