CREATE TABLE measurements_2022 (id bigint, taken date);
ALTER TABLE measurements ATTACH PARTITION measurements_2022 FOR VALUES FROM ('2022-01-01') TO ('2023-01-01');
