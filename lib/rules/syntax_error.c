/*
 * syntax_error.c - a statement PostgreSQL's grammar rejects. Emitted by the engine, which keeps
 * analysing the rest of the file; always fails the run.
 */
#include "rule.h"

const struct rs_rule rs_rule_syntax_error = {
    .name = "syntax-error",
    .cls = RS_CLASS_HYGIENE,
    .severity = RS_SEV_ERROR,
    .summary = "a statement does not parse",
    .catches = "A statement that PostgreSQL's own grammar (libpg_query) rejects. The file is split "
               "with PostgreSQL's scanner and every other statement is still analysed, but the "
               "schema model cannot follow what the broken statement meant to do.",
    .n1_failure = "None directly: the migration itself fails when it runs, and a migration runner "
                  "that does not wrap it in a transaction leaves it half applied.",
    .alternative = "Fix the statement. A common cause in down migrations is two statements "
                   "without a semicolon between them.",
    .versions = "rollsafe parses with the grammar of the libpg_query it was built with "
                "(PostgreSQL 15 on Debian 12). PostgreSQL 18's NOT NULL table constraints "
                "(`CONSTRAINT name NOT NULL column` in CREATE TABLE, `ALTER TABLE ... ADD "
                "[CONSTRAINT name] NOT NULL column`, as pg_dump 18 writes them) are read all the "
                "same, as the column's NOT NULL (see docs/down-check.md). Other syntax of newer "
                "versions (NOT NULL ... NOT VALID and virtual generated columns in 18, JSON_TABLE "
                "in 17, SQL/JSON constructors and subqueries in FROM without an alias in 16) is "
                "reported as such.",
    .bad = "ALTER TABLE users DROP COLUMN a\nALTER TABLE users DROP COLUMN b;",
    .good = "ALTER TABLE users DROP COLUMN a;\nALTER TABLE users DROP COLUMN b;",
};
