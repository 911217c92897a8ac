/*
 * queries.c - previous-version queries (see queries.h).
 *
 * Transitional: loading and checking land with the previous-queries work.
 */
#include "queries.h"

struct rs_queries {
    const char *path;
};

struct rs_queries *rs_queries_load(struct arena *a, const char *path, struct rs_diag *diag)
{
    (void)diag;
    struct rs_queries *q = arena_alloc(a, sizeof(*q));
    q->path = path;
    return q;
}

void rs_queries_check(struct rs_queries *q, const struct rs_queries_ctx *ctx)
{
    (void)q;
    (void)ctx;
}

void rs_queries_report_other(struct rs_queries *q, struct arena *a, struct rs_finding **v,
                             size_t *n)
{
    (void)q;
    (void)a;
    (void)v;
    (void)n;
}
