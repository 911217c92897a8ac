CREATE TABLE events (id bigint, at timestamptz);
CREATE INDEX events_at_idx ON events (at);
