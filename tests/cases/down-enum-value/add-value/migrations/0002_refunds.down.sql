-- PostgreSQL has no ALTER TYPE ... DROP VALUE.
SELECT 1;
