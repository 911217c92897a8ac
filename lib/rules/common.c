/*
 * common.c - helpers shared by rules (see common.h). No rule logic lives here.
 */
#include "common.h"

#include <string.h>

const struct rs_column *rs_cmd_column(const struct rs_rule_ctx *ctx)
{
    const struct rs_relation *r = rs_ctx_rel(ctx);
    return r && ctx->cmd && ctx->cmd->column ? rs_rel_column(r, ctx->cmd->column) : NULL;
}

bool rs_column_is_new(const struct rs_rule_ctx *ctx, const struct rs_column *col)
{
    return col && col->created_mig == ctx->mig->index;
}

const char *rs_ctx_type(struct rs_rule_ctx *ctx, const struct rs_type *t)
{
    return rs_type_format(rs_ctx_arena(ctx), t);
}

static bool is_enum(const struct rs_model *m, const struct rs_type *t)
{
    if (rs_type_is_builtin(t))
        return false;
    struct rs_qname q = {t->schema, t->name};
    const struct rs_typeobj *o = rs_model_type(m, &q);
    return o && o->kind == RS_TYPEOBJ_ENUM;
}

bool rs_cmd_type_change(struct rs_rule_ctx *ctx, const struct rs_column *col,
                        struct rs_type_change *tc)
{
    if (!col || !ctx->cmd || !ctx->cmd->has_type)
        return false;
    *tc = rs_type_classify(rs_ctx_arena(ctx), &col->type, &ctx->cmd->type,
                           is_enum(ctx->model, &col->type), is_enum(ctx->model, &ctx->cmd->type),
                           ctx->pg_version);
    return true;
}

const char *rs_no_transaction_hint(const struct rs_rule_ctx *ctx)
{
    const char *layout = ctx->mig->migration ? ctx->mig->migration->layout : NULL;
    if (!layout)
        return "run it in a migration that is not wrapped in a transaction";
    if (!strcmp(layout, "goose"))
        return "put it in its own migration with `-- +goose NO TRANSACTION`";
    if (!strcmp(layout, "dbmate"))
        return "put it in its own migration with `-- migrate:up transaction:false`";
    if (!strcmp(layout, "diesel"))
        return "put it in its own migration with `run_in_transaction = false` in metadata.toml";
    if (!strcmp(layout, "flyway"))
        return "put it in its own migration with `executeInTransaction=false` in its .sql.conf";
    if (!strcmp(layout, "atlas"))
        return "put it in its own file with `-- atlas:txmode none`";
    if (!strcmp(layout, "golang-migrate") || !strcmp(layout, "prisma"))
        return "put it alone in a migration file of its own (a single statement is not run in a "
               "transaction block)";
    if (!strcmp(layout, "liquibase"))
        return "put it in its own changeset with `runInTransaction:false`";
    if (!strcmp(layout, "drizzle"))
        return "run it outside drizzle's migrator: drizzle runs every pending migration in one "
               "transaction";
    return "run it outside any BEGIN ... COMMIT";
}

bool rs_columns_all_new(const struct rs_rule_ctx *ctx, const struct rs_relation *r,
                        const char *const *cols, size_t n)
{
    if (!r || n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!rs_column_is_new(ctx, rs_rel_column(r, cols[i])))
            return false;
    return true;
}

struct rs_qname rs_start_name(const struct rs_rule_ctx *ctx, const struct rs_relation *r)
{
    const struct rs_relation *s = rs_model_rel_by_oid(ctx->mig->start, r->oid);
    return s ? s->name : r->name;
}
