DO $$
BEGIN
    IF (SELECT count(*) FROM users) > 1000000 THEN
        RAISE NOTICE 'large table';
    END IF;
END $$;
