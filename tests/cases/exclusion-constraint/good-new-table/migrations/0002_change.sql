CREATE TABLE bookings (room int, slot int);
ALTER TABLE bookings ADD CONSTRAINT no_double EXCLUDE USING btree (room WITH =, slot WITH =);
