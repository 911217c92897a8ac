/*
 * down_enum_value.c - the up added a value to an enum and the down leaves it there: PostgreSQL
 * has no ALTER TYPE ... DROP VALUE.
 *
 * Emitted by the down check (lib/down.c) instead of a down-mismatch for the values: the down
 * cannot do better, short of re-creating the type (which down-narrows reports).
 */
#include "rule.h"

const struct rs_rule rs_rule_down_enum_value = {
    .name = "down-enum-value",
    .cls = RS_CLASS_HYGIENE,
    .severity = RS_SEV_WARNING,
    .summary = "an enum value the up added stays after the down",
    .catches = "An enum value added by the up (ALTER TYPE ... ADD VALUE) that is still there after "
               "the down. PostgreSQL cannot drop an enum value; the only way out is a new type "
               "without it and an ALTER COLUMN ... TYPE of every column that uses it, which fails "
               "if a row holds the value.",
    .n1_failure = "After the rollback, rows written by version N still hold the value and "
                  "version N-1 cannot read them; the next `migrate up` fails with `enum label "
                  "already exists` unless the up says ADD VALUE IF NOT EXISTS.",
    .alternative = "Write the up with ADD VALUE IF NOT EXISTS so that it can run again, and treat "
                   "the value as permanent: roll the application back to a version that tolerates "
                   "it.",
    .versions = "ADD VALUE IF NOT EXISTS exists since PostgreSQL 9.3; no version has DROP VALUE.",
    .bad = "-- up\nALTER TYPE order_status ADD VALUE 'refunded';\n-- down\nSELECT 1;",
    .good =
        "-- up\nALTER TYPE order_status ADD VALUE IF NOT EXISTS 'refunded';\n"
        "-- down\n-- rollsafe:approve-file down-enum-value reason=\"N-1 maps unknown statuses to "
        "other\"\nSELECT 1;",
};
