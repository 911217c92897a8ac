/*
 * refresh_not_concurrent.c - REFRESH MATERIALIZED VIEW without CONCURRENTLY: reads of the view
 * wait for the whole refresh.
 */
#include "scan.h"

static bool has_unique_index(const struct rs_model *m, const struct rs_qname *view)
{
    const struct rs_index *ix[64];
    size_t n = rs_model_table_indexes(m, view, ix, 64);
    for (size_t i = 0; i < n && i < 64; i++)
        if (ix[i]->unique && !ix[i]->where_text)
            return true;
    return false;
}

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_stmt *st = ctx->st;
    if (st->kind != RS_STMT_REFRESH_MATVIEW || st->concurrently || st->with_no_data)
        return;
    const struct rs_relation *r = rs_ctx_rel(ctx);
    if (!rs_ctx_existing(ctx, r))
        return;
    bool unique = r && has_unique_index(ctx->model, &r->name);
    rs_emit(ctx, -1,
            unique ? "use REFRESH MATERIALIZED VIEW CONCURRENTLY: the view has the unique index "
                     "it needs"
                   : "create a unique index on the view (CONCURRENTLY), then use REFRESH "
                     "MATERIALIZED VIEW CONCURRENTLY",
            "refreshes materialized view %s without CONCURRENTLY: %s while the query runs",
            rs_ctx_name(ctx, &st->rel),
            arena_printf(rs_ctx_arena(ctx), "it holds %s", rs_lock_phrase(ctx, NULL)));
}

const struct rs_rule rs_rule_refresh_not_concurrent = {
    .name = "refresh-not-concurrent",
    .cls = RS_CLASS_LOCK,
    .severity = RS_SEV_WARNING,
    .summary = "REFRESH MATERIALIZED VIEW without CONCURRENTLY",
    .catches = "REFRESH MATERIALIZED VIEW without CONCURRENTLY of a materialized view that "
               "existed before the migration. A view created in the same migration (WITH NO "
               "DATA, then refreshed) is not flagged.",
    .n1_failure = "None by itself: every read of the view waits for the refresh.",
    .alternative = "REFRESH MATERIALIZED VIEW CONCURRENTLY, which needs a unique index on the "
                   "view (without a WHERE clause) and a view that has been populated once; it "
                   "takes EXCLUSIVE, which lets reads through.",
    .versions = "Same in every version: ACCESS EXCLUSIVE without CONCURRENTLY, EXCLUSIVE with "
                "it. CONCURRENTLY may run inside a transaction block.",
    .bad = "REFRESH MATERIALIZED VIEW daily_totals;",
    .good =
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS daily_totals_day ON daily_totals (day);\n"
        "REFRESH MATERIALIZED VIEW CONCURRENTLY daily_totals;",
    .check = check,
};
