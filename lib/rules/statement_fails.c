/*
 * statement_fails.c - a statement the schema model proves PostgreSQL will refuse. Emitted by
 * the engine when replaying the statement; always fails the run.
 */
#include "rule.h"

const struct rs_rule rs_rule_statement_fails = {
    .name = "statement-fails",
    .cls = RS_CLASS_HYGIENE,
    .severity = RS_SEV_ERROR,
    .summary = "the schema model shows PostgreSQL will refuse the statement",
    .catches = "A statement that cannot succeed against the schema the earlier migrations build: "
               "altering the type of a column a view reads (or of a view's own column), dropping a "
               "column or table that other objects depend on without CASCADE, creating an object "
               "that already exists, naming a column, constraint or type that does not exist. "
               "rollsafe only says so when every earlier statement could be followed (no DO "
               "block, no unparsed statement).",
    .n1_failure = "None: the migration fails in production at deploy time, which is the cheapest "
                  "moment to learn it only if the runner wraps it in a transaction.",
    .alternative = "Change the statement so that it fits the schema: drop and re-create the "
                   "dependent view around a type change, drop dependants explicitly, or use IF "
                   "[NOT] EXISTS where the object may or may not be there.",
    .versions = "The dependency rules are PostgreSQL's own and the same in 11 to 18.",
    .bad = "CREATE VIEW active_users AS SELECT id, email FROM users;\n"
           "ALTER TABLE users ALTER COLUMN email TYPE citext;",
    .good = "DROP VIEW active_users;\nALTER TABLE users ALTER COLUMN email TYPE citext;\n"
            "CREATE VIEW active_users AS SELECT id, email FROM users;",
};
