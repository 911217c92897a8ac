CREATE TYPE shipping AS ENUM ('post', 'courier');
