/*
 * exclusive_lock_held.c - long work in a transaction that already holds ACCESS EXCLUSIVE on an
 * existing table: the lock is held for the work's whole duration, so every query of that table
 * waits for it too.
 *
 * "Work" is what rs_ctx_work says: a scan, rewrite, index build or data change on rows that
 * existed before the migration. Catalog-only statements after the lock are not flagged: they
 * are brief. An UPDATE or DELETE of the locked table itself is backfill-in-transaction's.
 */
#include "scan.h"

/* Whether statement e takes ACCESS EXCLUSIVE on a relation it names (not one it creates or
   drops), whether or not that relation existed before the migration. */
static bool exclusive(const struct rs_rule_ctx *ctx, const struct rs_stmt *e)
{
    if (e->syntax_error || e->kind == RS_STMT_DROP || e->kind == RS_STMT_CREATE_TABLE ||
        e->kind == RS_STMT_CREATE_TABLE_AS || e->kind == RS_STMT_CREATE_VIEW ||
        e->kind == RS_STMT_CREATE_MATVIEW)
        return false;
    return e->rel.name && rs_stmt_lock(ctx, e, NULL)->mode == RS_LM_ACCESS_EXCLUSIVE;
}

/* The existing table statement e takes ACCESS EXCLUSIVE on, or NULL. */
static const struct rs_qname *exclusive_table(const struct rs_rule_ctx *ctx,
                                              const struct rs_stmt *e)
{
    return exclusive(ctx, e) && rs_existed_at_start(ctx, &e->rel) ? &e->rel : NULL;
}

static void check(struct rs_rule_ctx *ctx)
{
    if (!ctx->in_tx || (ctx->cmd && ctx->cmd != &ctx->st->cmds[0]))
        return;
    /* Most statements follow none that takes ACCESS EXCLUSIVE: then what work this one does
       need not be worked out (it is described in words, for the message). */
    const struct rs_stmt_list *l = ctx->mig->stmts;
    size_t pos = rs_stmt_pos(ctx), from = rs_tx_start(ctx), first = from;
    while (first < pos && !exclusive(ctx, &l->v[first]))
        first++;
    if (first == pos)
        return;
    const char *work = rs_ctx_work(ctx);
    const struct rs_stmt *st = ctx->st;
    if (!work && st->kind == RS_STMT_ALTER_TABLE) {
        /* An ALTER TABLE works once for all its commands: look at each. */
        struct rs_rule_ctx c = *ctx;
        for (size_t k = 0; k < st->ncmds && !work; k++) {
            c.cmd = &st->cmds[k];
            c.lock = rs_lock_fact_for(st, c.cmd, ctx->pg_version);
            work = rs_ctx_work(&c);
        }
    }
    if (!work)
        return;
    const struct rs_lock_fact *own = rs_stmt_lock(ctx, st, NULL);
    for (size_t i = first; i < pos; i++) {
        const struct rs_stmt *e = &l->v[i];
        const struct rs_qname *x = exclusive_table(ctx, e);
        if (!x)
            continue;
        bool same = rs_same_rel(ctx, x, &st->rel);
        if (same && (own->mode == RS_LM_ACCESS_EXCLUSIVE || st->kind == RS_STMT_UPDATE ||
                     st->kind == RS_STMT_DELETE))
            continue; /* the work needs that lock anyway, or backfill-in-transaction's case */
        rs_emit(ctx, -1, NULL,
                "%s while the ACCESS EXCLUSIVE lock on %s taken at line %d (%s) is still held: "
                "every read and write of %s waits for this statement too",
                work, rs_ctx_name(ctx, x), e->line, e->tag, rs_ctx_name(ctx, x));
        return;
    }
}

const struct rs_rule rs_rule_exclusive_lock_held = {
    .name = "exclusive-lock-held",
    .cls = RS_CLASS_LOCK,
    .severity = RS_SEV_WARNING,
    .summary = "long work runs while an earlier statement's ACCESS EXCLUSIVE lock is held",
    .catches = "A statement that scans, rewrites, builds an index on or changes rows of an "
               "existing table, in a transaction where an earlier statement took ACCESS "
               "EXCLUSIVE on an existing table (ADD COLUMN, RENAME, SET DEFAULT, ...): the brief "
               "lock becomes as long as the work.",
    .n1_failure = "None by itself: every query of the locked table waits for the work as well.",
    .alternative = "Order the migration so that the slow statement comes first (it takes a "
                   "weaker lock), or split it: commit the ACCESS EXCLUSIVE change on its own, "
                   "then do the slow work in a separate transaction or migration.",
    .versions = "Same in every version: locks are held until the transaction ends.",
    .bad = "ALTER TABLE orders ADD COLUMN note text;\n"
           "CREATE INDEX orders_created_idx ON orders (created_at);",
    .good = "CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_created_idx ON orders (created_at);\n"
            "-- separate migration:\nALTER TABLE orders ADD COLUMN note text;",
    .check = check,
};
