-- Safe: the rename is bridged by a view under the old name (simple views are updatable).
ALTER TABLE orders RENAME TO purchases;
CREATE VIEW orders AS SELECT * FROM purchases;
