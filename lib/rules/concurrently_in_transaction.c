/*
 * concurrently_in_transaction.c - a statement that cannot run inside a transaction block, in a
 * migration that runs it in one: CREATE / DROP INDEX CONCURRENTLY, REINDEX ... CONCURRENTLY,
 * DETACH PARTITION ... CONCURRENTLY, VACUUM. PostgreSQL refuses it, so the migration fails:
 * the finding is fatal, like statement-fails.
 *
 * Whether the statement is in a transaction block comes from the layout's transaction mode
 * (and --assume-in-transaction for plain files) and the script's own BEGIN / COMMIT.
 */
#include "scan.h"

static const char *form(const struct rs_rule_ctx *ctx)
{
    const struct rs_stmt *st = ctx->st;
    if (ctx->cmd)
        return ctx->cmd->kind == RS_AT_DETACH_PARTITION && ctx->cmd->concurrently &&
                       ctx->pg_version >= 14
                   ? "DETACH PARTITION ... CONCURRENTLY"
                   : NULL;
    switch (st->kind) {
    case RS_STMT_CREATE_INDEX:
        return st->concurrently ? "CREATE INDEX CONCURRENTLY" : NULL;
    case RS_STMT_DROP:
        return st->concurrently && st->obj_kind == RS_OBJ_INDEX ? "DROP INDEX CONCURRENTLY" : NULL;
    case RS_STMT_REINDEX:
        return st->concurrently && ctx->pg_version >= 12 ? "REINDEX ... CONCURRENTLY" : NULL;
    case RS_STMT_VACUUM:
        return "VACUUM";
    default:
        return NULL;
    }
}

static void check(struct rs_rule_ctx *ctx)
{
    const char *what = form(ctx);
    if (!what || !ctx->in_tx)
        return;
    struct rs_finding *f =
        rs_emit(ctx, ctx->cmd ? ctx->cmd->location : -1,
                arena_printf(rs_ctx_arena(ctx), "%s", rs_no_transaction_hint(ctx)),
                "%s cannot run inside a transaction block, and this migration runs it in one "
                "(%s): PostgreSQL refuses it and the migration fails",
                what, rs_tx_reason(ctx));
    f->fatal = true;
}

const struct rs_rule rs_rule_concurrently_in_transaction = {
    .name = "concurrently-in-transaction",
    .cls = RS_CLASS_HYGIENE,
    .severity = RS_SEV_ERROR,
    .summary = "CONCURRENTLY (or VACUUM) inside a transaction block: the migration fails",
    .catches = "CREATE INDEX CONCURRENTLY, DROP INDEX CONCURRENTLY, REINDEX ... CONCURRENTLY, "
               "DETACH PARTITION ... CONCURRENTLY and VACUUM in a migration that runs them "
               "inside a transaction block: the layout wraps the migration (goose, dbmate, "
               "diesel, Flyway, Liquibase, Atlas, Drizzle, plain files with "
               "--assume-in-transaction), golang-migrate or Prisma send a multi-statement file "
               "as one implicit transaction, or the script has its own BEGIN. Like "
               "statement-fails, it always fails the run.",
    .n1_failure = "None: the migration itself fails (`... cannot run inside a transaction "
                  "block`), and the deploy stops.",
    .alternative = "Put the statement alone in a migration that the runner does not wrap in a "
                   "transaction (goose NO TRANSACTION, dbmate transaction:false, diesel "
                   "run_in_transaction = false, a single-statement golang-migrate file, ...).",
    .versions = "REINDEX CONCURRENTLY exists from PostgreSQL 12 and DETACH PARTITION "
                "CONCURRENTLY from 14; REFRESH MATERIALIZED VIEW CONCURRENTLY may run in a "
                "transaction block in every version.",
    .bad = "BEGIN;\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);\nCOMMIT;",
    .good = "-- +goose NO TRANSACTION\n"
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);",
    .check = check,
};
