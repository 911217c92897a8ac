-- breaks: leaves out tenant_id and phone
INSERT INTO users (email) VALUES ($1);
-- breaks: DEFAULT VALUES sets nothing
INSERT INTO users DEFAULT VALUES;
-- breaks: writes NULL into phone
UPDATE users SET phone = NULL WHERE id = $1;
-- works: source has a default
INSERT INTO events (kind, payload) VALUES ($1, $2);
-- breaks: sets phone, but leaves out tenant_id
INSERT INTO users (email, phone) VALUES ($1, $2);
-- works: reads only
SELECT id, email, phone FROM users;
