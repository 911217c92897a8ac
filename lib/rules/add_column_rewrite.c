/*
 * add_column_rewrite.c - ADD COLUMN that PostgreSQL must compute for every existing row: a
 * stored generated column, an identity column, or a column of a domain with constraints. The
 * table is rewritten under ACCESS EXCLUSIVE. (Volatile defaults and serial: volatile-default.)
 */
#include "scan.h"

static const char *why(const struct rs_rule_ctx *ctx, const struct rs_column_def *d)
{
    if (d->generated)
        return "a stored generated column";
    if (d->identity && !d->type.serial)
        return "an identity column";
    if (!rs_type_is_builtin(&d->type) && d->type.name) {
        struct rs_qname q = {d->type.schema, d->type.name};
        const struct rs_typeobj *t = rs_model_type(ctx->model, &q);
        if (t && t->kind == RS_TYPEOBJ_DOMAIN && t->has_constraint)
            return "a column of a domain with constraints";
    }
    return NULL;
}

static void check(struct rs_rule_ctx *ctx)
{
    if (!ctx->cmd || ctx->cmd->kind != RS_AT_ADD_COLUMN || !ctx->cmd->coldef)
        return;
    const struct rs_column_def *d = ctx->cmd->coldef;
    const struct rs_relation *r = rs_ctx_rel(ctx);
    if (!rs_ctx_existing(ctx, r) || (r && rs_rel_column(r, d->name)))
        return;
    const char *w = why(ctx, d);
    if (!w)
        return;
    rs_emit(ctx, ctx->cmd->location,
            d->generated && ctx->pg_version >= 18
                ? "on PostgreSQL 18, a VIRTUAL generated column is computed on read and adds no "
                  "rewrite; or add a plain column, fill it in batches and keep it current with a "
                  "trigger"
                : NULL,
            "adds %s.%s as %s: PostgreSQL computes it for every existing row, rewriting the "
            "table under %s until it is done",
            rs_ctx_name(ctx, &ctx->st->rel), d->name, w, rs_lock_phrase(ctx, NULL));
}

const struct rs_rule rs_rule_add_column_rewrite = {
    .name = "add-column-rewrite",
    .cls = RS_CLASS_LOCK,
    .severity = RS_SEV_WARNING,
    .summary = "ADD COLUMN of a generated, identity or constrained-domain column rewrites the "
               "table",
    .catches = "ALTER TABLE ... ADD COLUMN on an existing table of a GENERATED ALWAYS AS (...) "
               "STORED column, a GENERATED ... AS IDENTITY column, or a column whose type is a "
               "domain with CHECK or NOT NULL constraints (checked on PostgreSQL 15: each of "
               "these rewrites the table, even without a default).",
    .n1_failure = "None by itself: every read and write of the table waits for the rewrite.",
    .alternative = "Add a plain nullable column, keep it current for new rows with a trigger (or "
                   "a default), fill existing rows in batches, then add the constraint NOT VALID "
                   "and VALIDATE it. For ids, create the sequence and SET DEFAULT nextval() "
                   "instead of an identity column on a large table.",
    .versions = "Stored generated columns exist from PostgreSQL 12, identity columns from 10. "
                "PostgreSQL 18 adds VIRTUAL generated columns (the default kind there), which "
                "are computed on read and add no rewrite.",
    .bad = "ALTER TABLE orders ADD COLUMN total_cents bigint\n"
           "    GENERATED ALWAYS AS (total * 100) STORED;",
    .good = "ALTER TABLE orders ADD COLUMN total_cents bigint;\n"
            "-- trigger keeps total_cents current; backfill existing rows in batches",
    .check = check,
};
