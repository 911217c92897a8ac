-- The new type has every label of the old one: no row is rejected (the table is rewritten).
ALTER TYPE visibility RENAME TO visibility__;
CREATE TYPE visibility AS ENUM ('public', 'local_only', 'private', 'unlisted');
ALTER TABLE community ALTER COLUMN visibility TYPE visibility USING visibility::text::visibility;
