-- As pg_dump 18 writes a table: its NOT NULL constraints named, among the table's constraints.
CREATE TABLE account (
    id bigint,
    email text,
    "Display Name" text,
    note text DEFAULT 'CONSTRAINT x NOT NULL y',
    CONSTRAINT account_id_not_null NOT NULL id,
    CONSTRAINT "account display not null" NOT NULL "Display Name" NO INHERIT,
    PRIMARY KEY (id)
);
