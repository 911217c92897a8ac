CREATE FUNCTION migrate_plans() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE users SET plan = 'trial' WHERE plan = 'free';
END $$;
SELECT migrate_plans();
DROP FUNCTION migrate_plans();
