CREATE TYPE status AS ENUM ('pending', 'paid');
CREATE TABLE orders (id int PRIMARY KEY, status status NOT NULL);
