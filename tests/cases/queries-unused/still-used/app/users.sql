-- SELECT * reads every column: nothing fails, but the rows change shape.
SELECT * FROM users WHERE id = $1;
-- A query that does not parse may use the table: rollsafe does not call its drop harmless.
SELECT id FROM old_feature WHERE id = ?;
-- The renamed table is used.
INSERT INTO audit (note) VALUES ($1);
