INSERT INTO users (email) VALUES ($1) ON CONFLICT (email) DO NOTHING;
INSERT INTO counters (name, value) VALUES ($1, 1)
ON CONFLICT ON CONSTRAINT counters_name_key DO UPDATE SET value = counters.value + 1;
INSERT INTO counters (name) VALUES ($1) ON CONFLICT (name) DO NOTHING;
INSERT INTO sessions (token, user_id) VALUES ($1, $2) ON CONFLICT (token) DO UPDATE SET user_id = EXCLUDED.user_id;
INSERT INTO users (email) VALUES ($1) ON CONFLICT DO NOTHING;
