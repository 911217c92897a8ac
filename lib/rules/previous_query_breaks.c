/*
 * previous_query_breaks.c - a query of the previous application version (--previous-queries)
 * fails on the schema after the migration. Emitted by lib/queries/, at the query's own file and
 * line, naming the statement of the migration that breaks it.
 */
#include "rule.h"

const struct rs_rule rs_rule_previous_query_breaks = {
    .name = "previous-query-breaks",
    .cls = RS_CLASS_BREAKS,
    .severity = RS_SEV_ERROR,
    .breaks_previous = true,
    .summary = "a query of the previous application version fails on the new schema",
    .catches = "With --previous-queries, every query the previous version (N-1) runs is resolved "
               "against the schema after the migration: relations, views and their columns "
               "through aliases, joins, subqueries, CTEs and SELECT *; INSERT column lists and "
               "the NOT NULL columns without a default an INSERT leaves out; UPDATE ... SET; "
               "RETURNING; ON CONFLICT targets (the unique index or constraint must still "
               "exist); writes through views; enum literals; literals written into narrowed "
               "types (a 300-character string into varchar(255), 70000 into smallint). What "
               "fails after the migration and worked before it is a finding at the query, with "
               "the statement of the migration that causes it. The failure mode named is the "
               "cause's: 1 for a drop, 2 for a narrowed type, 3 for an enum value, 4 for NOT "
               "NULL, 5 for a rename.",
    .n1_failure = "The query fails with the error shown (`column ... does not exist`, `relation "
                  "... does not exist`, `null value in column ... violates not-null constraint`, "
                  "`value too long for type ...`, `invalid input value for enum ...`, `there is no "
                  "unique or exclusion constraint matching the ON CONFLICT specification`) as "
                  "soon as the schema is migrated while N-1 still runs: during a rolling deploy, "
                  "or after the application alone is rolled back.",
    .alternative = "Keep what N-1 uses until no N-1 instance runs: ship a version that stops "
                   "using it first, or bridge it (a view under the old name, the old column kept "
                   "in sync by a trigger, a default for a new required column), and remove it in "
                   "a later release.",
    .versions = "Not version dependent. The queries are read with the grammar rollsafe was built "
                "with; a query that does not parse is reported once (query-syntax) and left "
                "out.",
    .bad = "-- app/queries/users.sql (version N-1):\n"
           "SELECT id, username FROM users WHERE id = $1;\n"
           "-- migration:\n"
           "ALTER TABLE users RENAME COLUMN username TO handle;",
    .good = "-- migration: the old name stays readable and writable through a view\n"
            "ALTER TABLE users RENAME TO accounts;\n"
            "ALTER TABLE accounts RENAME COLUMN username TO handle;\n"
            "CREATE VIEW users AS SELECT id, handle AS username FROM accounts;",
};
