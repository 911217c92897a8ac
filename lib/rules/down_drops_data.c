/*
 * down_drops_data.c - the down migration destroys data that existed before the up.
 *
 * Emitted by the down check (lib/down.c) for a down statement that drops or empties a table, or
 * drops a column, that existed before the up (identity is kept across renames: the column the
 * up renamed is the same column). Dropping what the up itself created is
 * down-drops-new-data's business.
 */
#include "rule.h"

const struct rs_rule rs_rule_down_drops_data = {
    .name = "down-drops-data",
    .cls = RS_CLASS_IRREVERSIBLE,
    .severity = RS_SEV_ERROR,
    .summary = "the down migration drops data that existed before the up",
    .catches = "A down statement that drops a table or a column, or truncates a table, that "
               "existed before the up ran, typically a rename undone as drop-and-add: the "
               "schema comes back, the data does not.",
    .n1_failure = "The rollback itself destroys production data: version N-1 finds its column "
                  "or table again, empty.",
    .alternative = "Undo a rename with a rename, a type change with a type change: never with "
                   "DROP and ADD. If the down must drop the object, copy its data first (CREATE "
                   "TABLE ... AS, or an export) and say where in an approval.",
    .versions = "Not version dependent.",
    .bad = "-- up\nALTER TABLE users RENAME COLUMN username TO handle;\n-- down\n"
           "ALTER TABLE users DROP COLUMN handle;\nALTER TABLE users ADD COLUMN username text;",
    .good = "-- down\nALTER TABLE users RENAME COLUMN handle TO username;",
};
