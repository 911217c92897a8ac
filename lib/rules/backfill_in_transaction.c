/*
 * backfill_in_transaction.c - an UPDATE or DELETE on an existing table in the same transaction
 * as DDL on that table: the DDL's lock and a lock on every row changed are held until the whole
 * transaction commits, so the previous version's writes wait for the backfill.
 */
#include "scan.h"

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_stmt *st = ctx->st;
    if ((st->kind != RS_STMT_UPDATE && st->kind != RS_STMT_DELETE) || !ctx->in_tx ||
        !st->rel.name || !rs_existed_at_start(ctx, &st->rel))
        return;
    size_t pos = rs_stmt_pos(ctx), end = rs_tx_end(ctx);
    const struct rs_stmt_list *l = ctx->mig->stmts;
    for (size_t i = rs_tx_start(ctx); i < end; i++) {
        const struct rs_stmt *e = &l->v[i];
        if (i == pos || e->syntax_error ||
            (e->kind != RS_STMT_ALTER_TABLE && e->kind != RS_STMT_CREATE_INDEX &&
             e->kind != RS_STMT_CREATE_TRIGGER))
            continue;
        const struct rs_lock_fact *f = rs_stmt_lock(ctx, e, NULL);
        if (f->mode < RS_LM_SHARE || !rs_same_rel(ctx, &e->rel, &st->rel))
            continue;
        const char *table = rs_ctx_name(ctx, &st->rel);
        rs_emit(ctx, -1, NULL,
                "%s %s in the same transaction as the %s of it at line %d: the transaction "
                "holds %s, and a lock on every row it changes, until it commits, so the "
                "previous application version's writes to %s wait for the whole backfill",
                st->kind == RS_STMT_UPDATE ? "updates rows of" : "deletes rows of", table, e->tag,
                e->line, rs_lock_words(ctx, f, &st->rel), table);
        return;
    }
}

const struct rs_rule rs_rule_backfill_in_transaction = {
    .name = "backfill-in-transaction",
    .cls = RS_CLASS_LOCK,
    .severity = RS_SEV_WARNING,
    .summary = "a backfill runs in the same transaction as DDL on its table",
    .catches = "UPDATE or DELETE of an existing table in the same transaction as an ALTER TABLE, "
               "CREATE INDEX or CREATE TRIGGER on that table (before or after it), as the "
               "migration's layout runs it.",
    .n1_failure = "None by itself: the previous version's writes to the table (and, for an ALTER "
                  "TABLE, its reads) wait until the whole backfill has committed.",
    .alternative = "Run the DDL in its own short transaction, then backfill in batches (UPDATE "
                   "... WHERE id BETWEEN ... in a loop, each batch committed) outside the DDL "
                   "transaction: a migration the runner does not wrap, or a script run after "
                   "the deploy.",
    .versions = "Same in every version.",
    .bad = "ALTER TABLE users ADD COLUMN email_lower text;\n"
           "UPDATE users SET email_lower = lower(email);",
    .good = "ALTER TABLE users ADD COLUMN email_lower text;\n"
            "-- separate, non-transactional migration or job, in batches:\n"
            "-- UPDATE users SET email_lower = lower(email) WHERE id BETWEEN $1 AND $2;",
    .check = check,
};
