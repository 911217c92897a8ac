/*
 * reindex_not_concurrent.c - REINDEX without CONCURRENTLY: writes to the table wait for the
 * rebuild, and reads that would use the index wait too.
 */
#include <string.h>

#include "scan.h"

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_stmt *st = ctx->st;
    if (st->kind != RS_STMT_REINDEX || (st->concurrently && ctx->pg_version >= 12))
        return;
    const struct rs_qname *table = &st->rel;
    if (st->reindex_kind && st->reindex_kind[0] == 'i') {
        const struct rs_relation *r = rs_index_table(ctx, &st->rel);
        if (r)
            table = &r->name;
    }
    if (st->rel.name && !rs_existed_at_start(ctx, table))
        return;
    struct arena *a = rs_ctx_arena(ctx);
    const char *help =
        ctx->pg_version >= 12
            ? arena_printf(a,
                           "use REINDEX (CONCURRENTLY) ...; it cannot run in a transaction "
                           "block, so %s",
                           rs_no_transaction_hint(ctx))
            : "PostgreSQL 11 has no REINDEX CONCURRENTLY: build a replacement with CREATE INDEX "
              "CONCURRENTLY, drop the old index with DROP INDEX CONCURRENTLY, and rename the new "
              "one";
    rs_emit(ctx, -1, help,
            "REINDEX %s %s without CONCURRENTLY takes %s, and ACCESS EXCLUSIVE on each index "
            "while it is rebuilt (queries that would use it wait)",
            !st->reindex_kind                    ? ""
            : !strcmp(st->reindex_kind, "index") ? "INDEX"
            : !strcmp(st->reindex_kind, "table") ? "TABLE"
                                                 : "SCHEMA / DATABASE",
            st->rel.name ? rs_ctx_name(ctx, &st->rel) : "", rs_lock_phrase(ctx, table));
}

const struct rs_rule rs_rule_reindex_not_concurrent = {
    .name = "reindex-not-concurrent",
    .cls = RS_CLASS_LOCK,
    .severity = RS_SEV_WARNING,
    .summary = "REINDEX without CONCURRENTLY",
    .catches = "REINDEX INDEX / TABLE / SCHEMA / DATABASE without CONCURRENTLY on objects that "
               "existed before the migration (with --pg-version 11, every REINDEX: there is no "
               "concurrent form).",
    .n1_failure = "None by itself: writes to the table wait for the rebuild, and so do reads "
                  "that would use the index being rebuilt.",
    .alternative = "REINDEX (CONCURRENTLY) in a migration of its own that the runner does not "
                   "wrap in a transaction (PostgreSQL 12+). Before 12: CREATE INDEX CONCURRENTLY "
                   "a copy, DROP INDEX CONCURRENTLY the old one, and rename.",
    .versions = "REINDEX CONCURRENTLY exists from PostgreSQL 12 (SHARE UPDATE EXCLUSIVE, no "
                "transaction block). Plain REINDEX takes SHARE on the table and ACCESS EXCLUSIVE "
                "on the index in every version.",
    .bad = "REINDEX INDEX users_email_idx;",
    .good = "REINDEX INDEX CONCURRENTLY users_email_idx;",
    .check = check,
};
