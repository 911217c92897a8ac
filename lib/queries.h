/*
 * queries.h - the previous application version's queries (and the next version's), checked
 * against the schema before and after each migration.
 *
 * The queries are read once (lib/queries/load.c) and parsed with PostgreSQL's grammar. For every
 * reported migration, each query that names a relation the migration changes is resolved
 * against the schema before and after it (lib/queries/problems.c); what fails on one schema and
 * not on the other is the migration's doing, and becomes a finding at the query's own file and
 * line that names the statement responsible (lib/queries/check.c).
 */
#ifndef RS_QUERIES_H
#define RS_QUERIES_H

#include "catalog/model.h"
#include "engine.h"

struct rs_queries;

/* Loads and parses the queries at path (a directory of .sql files searched recursively, a .sql
   file, or a pg_stat_statements export: .csv with a header, or .json, with a `query` column).
   Everything lives in arena a. Returns NULL with errors in diag when the path cannot be read,
   holds no query file, or an export has no query column; queries that do not parse are not
   errors (rs_queries_report_other). */
struct rs_queries *rs_queries_load(struct arena *a, const char *path, struct rs_diag *diag);

struct rs_queries_ctx {
    struct arena *arena;
    const struct rs_migration *m;
    struct rs_model *before, *after; /* read only; copies are taken (rs_model_copy) */
    int mig;
    struct rs_emitter *emitter;
    bool next;  /* the queries are version N's (checked against `before`) */
    struct rs_compatibility *compat; /* the migration's matrix, filled in for this version */
};

/* Emits findings for queries that break on the migration's schema (N-1 after it, N before it)
   into ctx->emitter, fills ctx->compat, and for N-1 takes back "breaks the previous version"
   from drop and rename findings whose object no N-1 query uses. Never fails. */
void rs_queries_check(struct rs_queries *q, const struct rs_queries_ctx *ctx);
/* Appends the findings that belong to no migration (queries that do not parse), once per run;
   *v grows in arena a. */
void rs_queries_report_other(struct rs_queries *q, struct arena *a, struct rs_finding **v,
                             size_t *n);

#endif
