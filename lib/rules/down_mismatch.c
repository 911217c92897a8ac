/*
 * down_mismatch.c - the down migration does not give back the schema the up started from.
 *
 * Emitted by the down check (lib/down.c), one finding per difference between the schema model
 * before the up and the model after up then down. It does not judge data: what the down cannot
 * give back even when the schema matches is down-data-not-restored's and down-drops-data's.
 */
#include "rule.h"

const struct rs_rule rs_rule_down_mismatch = {
    .name = "down-mismatch",
    .cls = RS_CLASS_BREAKS,
    .severity = RS_SEV_ERROR,
    .summary = "the down migration does not restore the schema the up started from",
    .catches = "Up then down, replayed on the schema model, compared by name with the schema "
               "before the up: tables, columns (type, typmod, nullability, default, identity, "
               "generated expression), constraints, indexes, enum values, views, sequences, "
               "functions, triggers, schemas and extensions. Each difference is one finding: "
               "`column users.name: type text, was character varying(50)`, `index "
               "users_email_idx is missing`, `table tmp still exists`. A down statement the model "
               "proves PostgreSQL refuses is a difference too (and a statement-fails finding).",
    .n1_failure = "After `migrate down`, version N-1 runs against a schema it was not built for: "
                  "a column it reads is missing or has another type, an index it relies on is "
                  "gone (slow queries, or a missing unique constraint lets duplicates in), an "
                  "object the up created blocks the next `migrate up` (`relation already "
                  "exists`).",
    .alternative = "Make the down the exact inverse of the up, in reverse order: drop what the up "
                   "created, re-create what it dropped, rename back, restore the old type, "
                   "default and nullability. `rollsafe check --emit-down` prints that inverse "
                   "when every statement of the up has one.",
    .versions = "Not version dependent. PostgreSQL has no DROP VALUE for enums: values the up "
                "added are reported by down-enum-value instead.",
    .bad = "-- up\nALTER TABLE users ALTER COLUMN name TYPE text;\nCREATE INDEX users_name_idx ON "
           "users (name);\n-- down\nDROP INDEX users_name_idx;",
    .good = "-- down\nDROP INDEX users_name_idx;\nALTER TABLE users ALTER COLUMN name TYPE "
            "varchar(50);",
};
