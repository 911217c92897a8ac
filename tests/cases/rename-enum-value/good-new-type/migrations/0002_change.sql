CREATE TYPE shipping AS ENUM ('post', 'courier');
ALTER TYPE shipping RENAME VALUE 'post' TO 'mail';
