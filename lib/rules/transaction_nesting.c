/*
 * transaction_nesting.c - BEGIN / COMMIT that fight the runner's own transaction handling.
 *
 * - In a migration the runner wraps in a transaction, BEGIN is ignored with a warning and
 *   COMMIT / ROLLBACK end the runner's transaction early: what follows runs outside any
 *   transaction, so a failure leaves the migration half applied while the runner believes it
 *   is atomic.
 * - In a migration the runner does not wrap, a BEGIN without COMMIT leaves the transaction
 *   open: the changes are rolled back when the connection closes, or swallow what runs next.
 */
#include "scan.h"

static bool runner_wraps(const struct rs_rule_ctx *ctx)
{
    const struct rs_migration *m = ctx->mig->migration;
    return m && (m->up_tx == RS_TX_WRAPPED || m->up_tx == RS_TX_GROUP);
}

static bool is(const struct rs_stmt *st, enum rs_tx_kind k)
{
    return st->kind == RS_STMT_TRANSACTION && st->tx == k;
}

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_stmt *st = ctx->st;
    if (st->kind != RS_STMT_TRANSACTION)
        return;
    const struct rs_stmt_list *l = ctx->mig->stmts;
    size_t pos = rs_stmt_pos(ctx);
    if (runner_wraps(ctx)) {
        bool own_begin = false;
        for (size_t i = 0; i < pos; i++)
            if (is(&l->v[i], RS_TXK_BEGIN))
                own_begin = true;
        if (is(st, RS_TXK_BEGIN) && !own_begin)
            rs_emit(ctx, -1, NULL,
                    "BEGIN in a migration that already runs in a transaction (%s): PostgreSQL "
                    "ignores it (`there is already a transaction in progress`), and the COMMIT "
                    "that goes with it ends the runner's transaction early, so the statements "
                    "after it are not atomic",
                    rs_tx_reason(ctx));
        else if ((is(st, RS_TXK_COMMIT) || is(st, RS_TXK_ROLLBACK)) && !own_begin)
            rs_emit(ctx, -1, NULL,
                    "%s in a migration that already runs in a transaction (%s): it ends the "
                    "runner's transaction early, so the statements after it are not atomic and "
                    "a failure leaves the migration half applied",
                    st->tx == RS_TXK_COMMIT ? "COMMIT" : "ROLLBACK", rs_tx_reason(ctx));
        return;
    }
    if (!is(st, RS_TXK_BEGIN))
        return;
    for (size_t i = pos + 1; l && i < l->n; i++)
        if (is(&l->v[i], RS_TXK_COMMIT) || is(&l->v[i], RS_TXK_ROLLBACK))
            return;
    rs_emit(ctx, -1, NULL,
            "BEGIN without a COMMIT: the transaction stays open at the end of the migration, so "
            "its changes are rolled back when the connection closes, or take in whatever the "
            "runner does next");
}

const struct rs_rule rs_rule_transaction_nesting = {
    .name = "transaction-nesting",
    .cls = RS_CLASS_HYGIENE,
    .severity = RS_SEV_WARNING,
    .summary = "BEGIN / COMMIT inside a runner's transaction, or BEGIN without COMMIT",
    .catches = "BEGIN, COMMIT or ROLLBACK in a migration that the layout already runs in a "
               "transaction (goose, dbmate, diesel, Flyway, Liquibase, Atlas, Drizzle, plain "
               "files with --assume-in-transaction); and a BEGIN with no COMMIT or ROLLBACK "
               "after it in a migration that the layout does not wrap.",
    .n1_failure = "None directly: the migration is no longer atomic. A failure half-way leaves "
                  "part of it applied while the runner records it as not run (or run), and the "
                  "rollback plan no longer matches the database.",
    .alternative = "Let the runner manage the transaction: remove BEGIN and COMMIT from the "
                   "script, or turn the runner's transaction off for this migration when the "
                   "script must manage its own.",
    .versions = "Same in every version.",
    .bad = "-- goose wraps this migration in a transaction\n"
           "BEGIN;\nALTER TABLE users ADD COLUMN nickname text;\nCOMMIT;",
    .good = "ALTER TABLE users ADD COLUMN nickname text;",
    .check = check,
};
