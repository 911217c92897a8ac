CREATE TYPE shade AS ENUM ('dark');
DROP TYPE shade;
