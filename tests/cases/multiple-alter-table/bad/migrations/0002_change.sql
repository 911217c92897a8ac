ALTER TABLE users ADD COLUMN locale text;
ALTER TABLE users ADD COLUMN timezone text;
