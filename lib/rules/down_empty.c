/*
 * down_empty.c - a down migration with no statement in it (empty, or comments only) for an up
 * that changes the schema.
 *
 * Emitted by the down check (lib/down.c) instead of one down-mismatch per difference.
 */
#include "rule.h"

const struct rs_rule rs_rule_down_empty = {
    .name = "down-empty",
    .cls = RS_CLASS_HYGIENE,
    .severity = RS_SEV_WARNING,
    .summary = "the down migration is empty but the up changes the schema",
    .catches = "A down script that holds no statement (an empty file, the generator's "
               "placeholder comment, an empty `-- +goose Down` or `-- migrate:down` section) "
               "while the up changes the schema. The tool runs it happily and records the "
               "rollback as done.",
    .n1_failure = "After `migrate down` the schema is still version N's: version N-1 meets "
                  "renamed or new NOT NULL columns, and the next `migrate up` of this migration "
                  "fails because what it creates already exists.",
    .alternative = "Write the inverse of the up (`rollsafe check --emit-down` prints it when "
                   "there is one). When the migration cannot be undone, say why in a comment and "
                   "approve the finding, so that the choice is recorded.",
    .versions = "Not version dependent.",
    .bad = "-- up\nALTER TABLE users ADD COLUMN phone text;\n-- down\n"
           "-- This file should undo anything in `up.sql`",
    .good = "-- down\nALTER TABLE users DROP COLUMN phone;",
};
