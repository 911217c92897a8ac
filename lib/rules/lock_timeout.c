/*
 * lock_timeout.c - ACCESS EXCLUSIVE on an existing table without lock_timeout (opt-in).
 *
 * A statement that waits for ACCESS EXCLUSIVE (behind one long transaction) makes every later
 * query of the table queue behind it: a brief catalog change becomes an outage. lock_timeout
 * makes it give up instead. Reported once per migration, at the first such statement. Off by
 * default: many teams set lock_timeout on the migration role or in the runner, which rollsafe
 * cannot see.
 */
#include "scan.h"

static bool takes_exclusive(struct rs_rule_ctx *ctx, const struct rs_stmt *st)
{
    if (st->syntax_error || st->kind == RS_STMT_CREATE_TABLE || st->kind == RS_STMT_DROP ||
        rs_stmt_lock(ctx, st, NULL)->mode != RS_LM_ACCESS_EXCLUSIVE)
        return false;
    return st->rel.name && rs_existed_at_start(ctx, &st->rel);
}

static void check(struct rs_rule_ctx *ctx)
{
    if (ctx->mig->lock_timeout_set || (ctx->cmd && ctx->cmd != &ctx->st->cmds[0]) ||
        !takes_exclusive(ctx, ctx->st))
        return;
    const struct rs_stmt_list *l = ctx->mig->stmts;
    for (size_t i = 0; i < rs_stmt_pos(ctx); i++)
        if (takes_exclusive(ctx, &l->v[i]))
            return; /* reported there */
    const struct rs_alter_cmd *which;
    const struct rs_lock_fact *f = rs_stmt_lock(ctx, ctx->st, &which);
    rs_emit(ctx, -1, NULL,
            "%s takes %s, without a lock_timeout: if any transaction holds a lock on %s, this "
            "statement waits for it and every other query of the table queues behind it",
            ctx->st->tag, rs_lock_words(ctx, f, NULL), rs_ctx_name(ctx, &ctx->st->rel));
}

const struct rs_rule rs_rule_lock_timeout = {
    .name = "lock-timeout",
    .cls = RS_CLASS_LOCK,
    .severity = RS_SEV_WARNING,
    .opt_in = true,
    .summary = "ACCESS EXCLUSIVE on an existing table without lock_timeout (opt-in)",
    .catches = "The first statement of a migration that takes ACCESS EXCLUSIVE on a table that "
               "existed before it, when no SET lock_timeout precedes it in the script. Opt-in: "
               "the timeout is often set on the migration role or by the runner.",
    .n1_failure = "None by itself: while the statement waits for its lock, every query of the "
                  "table waits behind it, and requests of both versions time out.",
    .alternative = "SET lock_timeout = '2s' (SET LOCAL inside a transaction) at the top of the "
                   "migration, and retry the migration when it times out. Behind PgBouncer in "
                   "transaction mode, set it on the role instead (ALTER ROLE ... SET "
                   "lock_timeout).",
    .versions = "lock_timeout exists in every supported version; transaction_timeout is added in "
                "PostgreSQL 17.",
    .bad = "ALTER TABLE users ADD COLUMN nickname text;",
    .good = "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN nickname text;",
    .check = check,
};
