-- migrate:up
ALTER TYPE mood ADD VALUE 'angry';
ALTER TABLE person DROP COLUMN age;

-- migrate:down
