DROP VIEW orders;
ALTER TABLE purchases RENAME TO orders;
