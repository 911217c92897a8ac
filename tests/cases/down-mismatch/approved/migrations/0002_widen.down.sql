-- rollsafe:approve-file down-mismatch reason="the default stays on purpose: N-1 always sets email (OPS-12)"

-- rollsafe:approve down-narrows reason="checked: no name is longer than 50 characters"
ALTER TABLE users ALTER COLUMN name TYPE varchar(50);
