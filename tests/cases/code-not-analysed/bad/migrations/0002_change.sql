DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attname = 'legacy') THEN
        ALTER TABLE users DROP COLUMN nickname;
        UPDATE users SET plan = 'free';
    END IF;
    EXECUTE 'DROP TABLE IF EXISTS ' || 'old_stuff';
END $$;
