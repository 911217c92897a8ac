CREATE TYPE visibility AS ENUM ('public', 'private');
CREATE TABLE community (
    id bigserial PRIMARY KEY,
    visibility visibility NOT NULL
);
