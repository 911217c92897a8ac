/*
 * next_query_breaks.c - a query of the new application version (--next-queries) fails on the
 * schema before the migration (the order of deploys and rollbacks matters), or on the schema
 * after it (N still uses what the migration removes). Emitted by lib/queries/, at the query's
 * own file and line.
 */
#include "rule.h"

const struct rs_rule rs_rule_next_query_breaks = {
    .name = "next-query-breaks",
    .cls = RS_CLASS_HYGIENE,
    .severity = RS_SEV_WARNING,
    .summary = "a query of the new application version fails on the schema before the migration",
    .catches = "With --next-queries, every query of version N is resolved against the schema "
               "before the migration, the same way previous-version queries are resolved against "
               "the schema after it. What fails before the migration and works after it is a "
               "finding at the query, with the statement of the migration that N depends on. "
               "So is a query of N that works before the migration and fails after it: N still "
               "uses what its own migration removes. It does not change the verdict (N-1 is not "
               "affected); it says that N must not run on the old schema.",
    .n1_failure = "None for N-1. Version N fails if it is deployed before the migration has run, "
                  "or if the database is rolled back (down migration, restore) while N still "
                  "runs.",
    .alternative = "Migrate before deploying N, and roll back N before rolling back the "
                   "migration; or make N work on both schemas (read the new column only when it "
                   "exists, write through a view) so that either side can be rolled back first.",
    .versions = "Not version dependent.",
    .bad = "-- app/queries/orders.sql (version N):\n"
           "SELECT id FROM orders WHERE status = 'refunded';\n"
           "-- migration:\n"
           "ALTER TYPE order_status ADD VALUE 'refunded';",
    .good = "-- deploy the migration first; roll back N before the migration",
};
