/*
 * down_narrows.c - the down puts back a restriction the up lifted (a narrower type, NOT NULL, a
 * constraint, an enum without the values the up added), and data written since the up may not
 * meet it.
 *
 * Emitted by the down check (lib/down.c). The down is the right inverse; it fails (or, for a
 * lossy conversion, silently changes values) only if version N wrote data the old schema does
 * not accept.
 */
#include "rule.h"

const struct rs_rule rs_rule_down_narrows = {
    .name = "down-narrows",
    .cls = RS_CLASS_HYGIENE,
    .severity = RS_SEV_WARNING,
    .summary = "the down narrows back what the up widened; data written since may not fit",
    .catches = "A down statement that narrows a column's type back (`varchar(255)` to "
               "`varchar(50)`, `bigint` to `integer`, an enum without the values the up added), "
               "sets NOT NULL again, or adds back a CHECK, UNIQUE, PRIMARY KEY or FOREIGN KEY "
               "constraint, on a column or table that holds data written since the up. A lossy "
               "conversion (numeric scale down) does not fail: it rounds those values.",
    .n1_failure = "The rollback fails part-way when version N has written a longer value, a "
                  "NULL, a duplicate or the new enum value, exactly when a rollback is needed.",
    .alternative = "Before the down, find and fix the rows that do not fit (the statement's "
                   "message says what to look for), or roll the application back and keep the "
                   "wider schema, which N-1 accepts.",
    .versions = "Not version dependent.",
    .bad = "-- up\nALTER TABLE users ALTER COLUMN name TYPE varchar(255);\n-- down\n"
           "ALTER TABLE users ALTER COLUMN name TYPE varchar(50);",
    .good = "-- down, after checking: SELECT count(*) FROM users WHERE length(name) > 50;\n"
            "ALTER TABLE users ALTER COLUMN name TYPE varchar(50);",
};
