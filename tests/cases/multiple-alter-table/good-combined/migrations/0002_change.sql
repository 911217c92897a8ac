ALTER TABLE users ADD COLUMN locale text, ADD COLUMN timezone text;
