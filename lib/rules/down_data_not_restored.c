/*
 * down_data_not_restored.c - the down restores the schema but cannot restore the data the up
 * destroyed: a re-created column or table is empty, values the up rounded stay rounded.
 *
 * Emitted by the down check (lib/down.c) as information: the up's own finding (drop-column,
 * drop-table, lossy-type-change) already makes the migration irreversible and is the one to
 * approve; this one says that the down does not change that.
 */
#include "rule.h"

const struct rs_rule rs_rule_down_data_not_restored = {
    .name = "down-data-not-restored",
    .cls = RS_CLASS_HYGIENE,
    .severity = RS_SEV_INFO,
    .summary = "the down re-creates what the up dropped, without its data",
    .catches = "A down that re-creates a column or a table the up dropped (it comes back empty, "
               "or with its default in every row), or converts a column back to the type the "
               "up changed it from with loss (the values the up rounded or truncated stay so).",
    .n1_failure = "Version N-1 finds its column again, but empty: reads return NULL (or the "
                  "default) where data used to be.",
    .alternative = "Do not destroy data in the up: stop using the column in one release and drop "
                   "it in a later one, or keep a copy (a backup table the down copies back "
                   "from).",
    .versions = "Not version dependent.",
    .bad = "-- up\nALTER TABLE users DROP COLUMN phone;\n-- down\n"
           "ALTER TABLE users ADD COLUMN phone varchar(20);",
    .good = "-- up\nCREATE TABLE users_phone_backup AS SELECT id, phone FROM users;\n"
            "ALTER TABLE users DROP COLUMN phone;\n-- down\n"
            "ALTER TABLE users ADD COLUMN phone varchar(20);\n"
            "UPDATE users u SET phone = b.phone FROM users_phone_backup b WHERE b.id = u.id;",
};
