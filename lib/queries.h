/*
 * queries.h - the previous application version's queries (and the next version's), checked
 * against the schema before and after each migration.
 */
#ifndef RS_QUERIES_H
#define RS_QUERIES_H

#include "catalog/model.h"
#include "engine.h"

struct rs_queries;

/* Loads and parses the queries at path (a directory of .sql files, a .sql file, or a
   pg_stat_statements export). Returns NULL with errors in diag when nothing can be read. */
struct rs_queries *rs_queries_load(struct arena *a, const char *path, struct rs_diag *diag);

struct rs_queries_ctx {
    struct arena *arena;
    const struct rs_migration *m;
    const struct rs_model *before, *after;
    int mig;
    struct rs_emitter *emitter;
    bool next;  /* the queries are version N's (checked against `before`) */
};

/* Emits findings for queries that break on the migration's schema. */
void rs_queries_check(struct rs_queries *q, const struct rs_queries_ctx *ctx);
/* Findings that belong to no migration (queries that do not parse), once per run. */
void rs_queries_report_other(struct rs_queries *q, struct arena *a, struct rs_finding **v,
                             size_t *n);

#endif
