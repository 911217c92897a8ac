/*
 * down_drops_new_data.c - the down drops a table or column that the up created: whatever was
 * written to it since the up is lost.
 *
 * Emitted by the down check (lib/down.c) as information: it is the correct inverse of an
 * additive change, and safe exactly as long as no production data has been written since the
 * up (seed 001).
 */
#include "rule.h"

const struct rs_rule rs_rule_down_drops_new_data = {
    .name = "down-drops-new-data",
    .cls = RS_CLASS_HYGIENE,
    .severity = RS_SEV_INFO,
    .summary = "the down drops what the up created, and with it the data written since",
    .catches = "A down statement that drops (or truncates) a table, or drops a column, that the "
               "up created. This is the right inverse of the up, and it restores the schema, but "
               "rows and values written between the up and the rollback go with it.",
    .n1_failure = "None: version N-1 does not know the column or table. Version N's data in it "
                  "is gone after the rollback, and a later roll-forward starts empty.",
    .alternative = "Roll back with the down only while no production data has been written to "
                   "the new column or table. Afterwards, roll the application back and keep the "
                   "schema (N-1 ignores the new column), or copy the data out before the down.",
    .versions = "Not version dependent.",
    .bad = "-- up\nALTER TABLE users ADD COLUMN phone varchar(20);\n-- down\n"
           "ALTER TABLE users DROP COLUMN phone;",
    .good = "-- the same down: the finding is information. Run it only before version N has "
            "written phone numbers.",
};
