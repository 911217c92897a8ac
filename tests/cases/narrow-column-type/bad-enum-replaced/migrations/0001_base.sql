CREATE TYPE subscription_interval AS ENUM ('day', 'week', 'month', 'year');
CREATE TABLE subscriptions (
    id bigserial PRIMARY KEY,
    "interval" subscription_interval NOT NULL
);
