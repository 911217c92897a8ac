/*
 * enum_value_in_transaction.c - ALTER TYPE ... ADD VALUE where PostgreSQL refuses the
 * transaction it runs in, so the migration fails (fatal, like statement-fails):
 *
 * - before PostgreSQL 12, ADD VALUE cannot run inside a transaction block at all;
 * - from 12 it can, but the new value cannot be used until the transaction commits ("unsafe use
 *   of new value"): flagged at the later statement of the same transaction that uses the value
 *   on a table with a column of that enum.
 *
 * An enum created in the same migration is exempt (PostgreSQL allows both for a type created
 * in the same transaction).
 */
#include <string.h>

#include "scan.h"

static bool enum_is_new(const struct rs_rule_ctx *ctx, const struct rs_qname *q)
{
    const struct rs_typeobj *t = rs_model_type(ctx->model, q);
    return t && t->created_mig == ctx->mig->index;
}

static bool table_uses_type(const struct rs_relation *r, const char *type)
{
    for (size_t i = 0; r && type && i < r->columns.n; i++)
        if (r->columns.v[i].type.name && !strcmp(r->columns.v[i].type.name, type))
            return true;
    return false;
}

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_stmt *st = ctx->st;
    if (!ctx->in_tx || (ctx->cmd && ctx->cmd != &st->cmds[0]))
        return;
    if (st->kind == RS_STMT_ALTER_ENUM && !st->old_label && st->new_label) {
        if (ctx->pg_version >= 12 || enum_is_new(ctx, &st->rel))
            return;
        struct rs_finding *f = rs_emit(
            ctx, -1,
            arena_printf(rs_ctx_arena(ctx), "%s, or target PostgreSQL 12 or later",
                         rs_no_transaction_hint(ctx)),
            "ALTER TYPE ... ADD VALUE cannot run inside a transaction block before PostgreSQL "
            "12, and this migration runs it in one (%s): the migration fails",
            rs_tx_reason(ctx));
        f->fatal = true;
        return;
    }
    if (ctx->pg_version < 12 || !st->rel.name)
        return;
    const struct rs_relation *r = rs_ctx_rel(ctx);
    const struct rs_source *src = ctx->mig->migration ? ctx->mig->migration->up.src : NULL;
    if (!r || !src)
        return;
    const struct rs_stmt_list *l = ctx->mig->stmts;
    for (size_t i = rs_tx_start(ctx); i < rs_stmt_pos(ctx); i++) {
        const struct rs_stmt *e = &l->v[i];
        if (e->kind != RS_STMT_ALTER_ENUM || e->old_label || !e->new_label ||
            enum_is_new(ctx, &e->rel) || !table_uses_type(r, e->rel.name) ||
            !rs_sql_has_string_literal(src->text + st->offset, st->len, e->new_label))
            continue;
        struct rs_finding *f = rs_emit(
            ctx, -1,
            "commit the ADD VALUE first: put it in its own migration (or transaction) before "
            "the one that uses the value",
            "uses enum value '%s', added to %s at line %d in the same transaction (%s): "
            "PostgreSQL refuses a new enum value until that transaction commits (`unsafe use of "
            "new value`), so the migration fails",
            e->new_label, rs_ctx_name(ctx, &e->rel), e->line, rs_tx_reason(ctx));
        f->fatal = true;
        return;
    }
}

const struct rs_rule rs_rule_enum_value_in_transaction = {
    .name = "enum-value-in-transaction",
    .cls = RS_CLASS_HYGIENE,
    .severity = RS_SEV_ERROR,
    .summary = "an enum value added where the transaction makes the migration fail",
    .catches = "PostgreSQL 12+: a statement that uses (as a string literal, on a table with a "
               "column of the enum) a value added by ALTER TYPE ... ADD VALUE earlier in the same "
               "transaction. Before 12 (--pg-version 11): ALTER TYPE ... ADD VALUE inside a "
               "transaction block at all. Enums created in the same migration are exempt. Like "
               "statement-fails, it always fails the run.",
    .n1_failure = "None: the migration itself fails with `unsafe use of new value` (12+) or "
                  "`ALTER TYPE ... ADD cannot run inside a transaction block` (before 12).",
    .alternative = "Add the value in a migration of its own (before 12: one the runner does not "
                   "wrap in a transaction), and use it in a later migration.",
    .versions = "Before PostgreSQL 12, ADD VALUE cannot run in a transaction block. From 12 it "
                "can, but the value is unusable until the transaction commits.",
    .bad = "ALTER TYPE order_status ADD VALUE 'refunded';\n"
           "UPDATE orders SET status = 'refunded' WHERE refunded_at IS NOT NULL;",
    .good = "ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'refunded';\n"
            "-- next migration:\n"
            "UPDATE orders SET status = 'refunded' WHERE refunded_at IS NOT NULL;",
    .check = check,
};
