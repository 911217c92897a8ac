/*
 * not_rerunnable.c - a migration that runs outside a transaction and cannot be run again after
 * a failure half-way.
 *
 * Outside a transaction every statement commits on its own. When statement 5 fails, 1 to 4
 * stay applied, and running the migration again fails at once on statement 1 if it is a CREATE
 * without IF NOT EXISTS (or a DROP without IF EXISTS, ...). Reported once per migration, at the
 * first such statement that has another statement after it. CREATE INDEX CONCURRENTLY is
 * concurrent-index-invalid's business.
 */
#include <string.h>

#include "scan.h"

static bool preceded_by_drop(const struct rs_rule_ctx *ctx, size_t pos, enum rs_obj_kind k,
                             const char *name)
{
    const struct rs_stmt_list *l = ctx->mig->stmts;
    for (size_t i = 0; i < pos && name; i++) {
        const struct rs_stmt *st = &l->v[i];
        if (st->kind == RS_STMT_DROP && st->if_exists && st->obj_kind == k)
            for (size_t o = 0; o < st->nobjects; o++)
                if (st->objects[o].name && !strcmp(st->objects[o].name, name))
                    return true;
        for (size_t c = 0; st->kind == RS_STMT_ALTER_TABLE && c < st->ncmds; c++)
            if (st->cmds[c].kind == RS_AT_DROP_CONSTRAINT && st->cmds[c].if_exists &&
                st->cmds[c].name && !strcmp(st->cmds[c].name, name))
                return true;
    }
    return false;
}

/* What makes statement i fail when run a second time, or NULL. */
static const char *fragile(struct rs_rule_ctx *ctx, size_t i)
{
    const struct rs_stmt *st = &ctx->mig->stmts->v[i];
    struct arena *a = rs_ctx_arena(ctx);
    switch (st->kind) {
    case RS_STMT_CREATE_TABLE:
    case RS_STMT_CREATE_TABLE_AS:
    case RS_STMT_CREATE_MATVIEW:
    case RS_STMT_CREATE_SEQUENCE:
    case RS_STMT_CREATE_SCHEMA:
    case RS_STMT_CREATE_EXTENSION:
        return st->if_not_exists ? NULL : arena_printf(a, "%s without IF NOT EXISTS", st->tag);
    case RS_STMT_CREATE_INDEX:
        return st->if_not_exists || st->concurrently ||
                       preceded_by_drop(ctx, i, RS_OBJ_INDEX, st->index_name)
                   ? NULL
                   : arena_printf(a, "%s without IF NOT EXISTS", st->tag);
    case RS_STMT_CREATE_VIEW:
        return st->or_replace ? NULL : arena_printf(a, "%s without OR REPLACE", st->tag);
    case RS_STMT_CREATE_FUNCTION:
        return st->or_replace || preceded_by_drop(ctx, i, st->obj_kind, st->rel.name)
                   ? NULL
                   : arena_printf(a, "%s without OR REPLACE", st->tag);
    case RS_STMT_CREATE_TRIGGER:
        return st->or_replace || preceded_by_drop(ctx, i, RS_OBJ_TRIGGER, st->trigger_name)
                   ? NULL
                   : "CREATE TRIGGER without OR REPLACE (PostgreSQL 14+) or a DROP TRIGGER IF "
                     "EXISTS before it";
    case RS_STMT_DROP:
        return st->if_exists ? NULL : arena_printf(a, "%s without IF EXISTS", st->tag);
    case RS_STMT_ALTER_TABLE:
        for (size_t c = 0; c < st->ncmds; c++) {
            const struct rs_alter_cmd *cmd = &st->cmds[c];
            if (cmd->kind == RS_AT_ADD_COLUMN && !cmd->if_not_exists)
                return "ADD COLUMN without IF NOT EXISTS";
            if ((cmd->kind == RS_AT_DROP_COLUMN || cmd->kind == RS_AT_DROP_CONSTRAINT) &&
                !cmd->if_exists)
                return cmd->kind == RS_AT_DROP_COLUMN ? "DROP COLUMN without IF EXISTS"
                                                      : "DROP CONSTRAINT without IF EXISTS";
            if (cmd->kind == RS_AT_ADD_CONSTRAINT && cmd->name &&
                !preceded_by_drop(ctx, i, RS_OBJ_CONSTRAINT, cmd->name))
                return "ADD CONSTRAINT without a DROP CONSTRAINT IF EXISTS before it";
        }
        return NULL;
    default:
        return NULL;
    }
}

static bool has_later_statement(const struct rs_rule_ctx *ctx, size_t i)
{
    const struct rs_stmt_list *l = ctx->mig->stmts;
    for (size_t k = i + 1; k < l->n; k++)
        if (l->v[k].kind != RS_STMT_TRANSACTION && !l->v[k].syntax_error)
            return true;
    return false;
}

/* Does the layout say that the migration runs statement by statement? Plain files are left out:
   their runner is unknown (--assume-in-transaction says it wraps them). */
static bool runs_without_transaction(const struct rs_rule_ctx *ctx)
{
    const struct rs_migration *m = ctx->mig->migration;
    if (!m)
        return false;
    return m->up_tx == RS_TX_NONE ||
           (m->up_tx == RS_TX_SCRIPT && m->layout && strcmp(m->layout, "plain"));
}

static void check(struct rs_rule_ctx *ctx)
{
    if (ctx->in_tx || !ctx->mig->stmts || (ctx->cmd && ctx->cmd != &ctx->st->cmds[0]) ||
        !runs_without_transaction(ctx))
        return;
    size_t pos = rs_stmt_pos(ctx);
    const char *why = fragile(ctx, pos);
    if (!why || !has_later_statement(ctx, pos))
        return;
    size_t more = 0;
    for (size_t i = 0; i < ctx->mig->stmts->n; i++) {
        if (i == pos || !fragile(ctx, i) || !has_later_statement(ctx, i) || rs_stmt_in_tx(ctx, i))
            continue;
        if (i < pos)
            return; /* reported at the first one */
        more++;
    }
    rs_emit(ctx, -1, NULL,
            "this migration runs outside a transaction and this statement is not idempotent "
            "(%s): if a later statement fails, this one stays applied and running the migration "
            "again fails here%s",
            why,
            more ? arena_printf(rs_ctx_arena(ctx), " (%zu more statement%s after it %s the same)",
                                more, more > 1 ? "s" : "", more > 1 ? "are" : "is")
                 : "");
}

const struct rs_rule rs_rule_not_rerunnable = {
    .name = "not-rerunnable",
    .cls = RS_CLASS_HYGIENE,
    .severity = RS_SEV_WARNING,
    .summary = "a non-transactional migration cannot be run again after a partial failure",
    .catches = "In a migration whose layout runs it statement by statement, outside a "
               "transaction (goose NO TRANSACTION, dbmate transaction:false, diesel "
               "run_in_transaction = false, Flyway executeInTransaction=false, Liquibase "
               "runInTransaction:false, Atlas txmode none, sqitch scripts without BEGIN): CREATE "
               "without IF NOT EXISTS (or OR REPLACE), DROP "
               "without IF EXISTS, ADD COLUMN without IF NOT EXISTS, DROP COLUMN / CONSTRAINT "
               "without IF EXISTS, ADD CONSTRAINT without a DROP CONSTRAINT IF EXISTS before it, "
               "when another statement follows. Reported once per migration. Plain files are not "
               "checked: rollsafe does not know their runner.",
    .n1_failure = "None directly: after a failure half-way, the migration cannot be retried and "
                  "the database is stuck between versions until someone repairs it by hand.",
    .alternative = "Make every statement idempotent: IF NOT EXISTS / IF EXISTS / OR REPLACE, and "
                   "DROP CONSTRAINT IF EXISTS before ADD CONSTRAINT; or let the runner wrap the "
                   "migration in a transaction (for plain files run that way, say so with "
                   "--assume-in-transaction).",
    .versions = "CREATE OR REPLACE TRIGGER exists from PostgreSQL 14; ADD COLUMN IF NOT EXISTS "
                "from 9.6.",
    .bad = "-- +goose NO TRANSACTION\n"
           "CREATE TABLE audit (id bigint);\n"
           "CREATE INDEX CONCURRENTLY audit_id_idx ON audit (id);",
    .good = "-- +goose NO TRANSACTION\n"
            "CREATE TABLE IF NOT EXISTS audit (id bigint);\n"
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS audit_id_idx ON audit (id);",
    .check = check,
};
