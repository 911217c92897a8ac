/*
 * query_syntax.c - a query given with --previous-queries or --next-queries does not parse.
 * Reported once per run; the query is left out of the checks.
 */
#include "rule.h"

const struct rs_rule rs_rule_query_syntax = {
    .name = "query-syntax",
    .cls = RS_CLASS_HYGIENE,
    .severity = RS_SEV_WARNING,
    .summary = "an application query does not parse",
    .catches = "A statement of the --previous-queries or --next-queries input that PostgreSQL's "
               "grammar (libpg_query) rejects: ORM placeholders other than $1 (`?`, `:name`), a "
               "query that pg_stat_statements cut off at track_activity_query_size, a template "
               "that is not SQL yet. It is reported once and left out of every check; rollsafe "
               "then does not call a drop harmless when the query mentions the dropped name.",
    .n1_failure = "None directly; a query rollsafe cannot read is a query whose failure it "
                  "cannot predict.",
    .alternative = "Give the SQL as the database receives it, with $1-style parameters (see "
                   "docs/previous-queries.md), or leave the query out.",
    .versions = "The grammar is the one rollsafe was built with (PostgreSQL 15 on Debian 12).",
    .bad = "SELECT id FROM users WHERE id = ?",
    .good = "SELECT id FROM users WHERE id = $1",
};
