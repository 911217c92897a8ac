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

bool rs_cmd_type_change(struct rs_rule_ctx *ctx, const struct rs_column *col,
                        struct rs_type_change *tc)
{
    /* A view's column has no type when rollsafe cannot tell what its query returns. */
    if (!col || !col->type.name || !ctx->cmd || !ctx->cmd->has_type ||
        rs_rel_is_view(rs_ctx_rel(ctx)))
        return false;
    /* Several rules ask about the same command; the answer is worked out (and worded) once. */
    if (ctx->tc_cmd != ctx->cmd || ctx->tc_col != col) {
        const struct rs_typeobj *from = rs_model_enum(ctx->model, &col->type),
                                *to = rs_model_enum(ctx->model, &ctx->cmd->type);
        ctx->tc_memo =
            from && to ? rs_type_classify_enums(rs_ctx_arena(ctx), &col->type, &ctx->cmd->type,
                                                from->labels.v, from->labels.n, to->labels.v,
                                                to->labels.n, ctx->pg_version)
                       : rs_type_classify(rs_ctx_arena(ctx), &col->type, &ctx->cmd->type,
                                          from != NULL, to != NULL, ctx->pg_version);
        ctx->tc_cmd = ctx->cmd;
        ctx->tc_col = col;
    }
    *tc = ctx->tc_memo;
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

/* Does a select list of q (at any level) name column col as a plain reference? */
static bool selects_column(const struct rs_query *q, const char *col, int depth)
{
    if (!q || depth > 32)
        return false;
    for (size_t i = 0; i < q->ntargets; i++) {
        const struct rs_target *t = &q->targets[i];
        if (t->star || (t->is_plain_ref && t->ref.column && !strcmp(t->ref.column, col)))
            return true;
    }
    if (selects_column(q->set_left, col, depth + 1) || selects_column(q->set_right, col, depth + 1))
        return true;
    for (size_t i = 0; i < q->nfrom; i++)
        if (selects_column(q->from[i].subquery, col, depth + 1))
            return true;
    for (size_t i = 0; i < q->nctes; i++)
        if (selects_column(q->ctes[i].query, col, depth + 1))
            return true;
    return false;
}

static bool reads(const struct rs_resolved *res, const struct rs_relation *r, const char *col)
{
    for (size_t i = 0; i < res->deps.n; i++) {
        const struct rs_dep *d = &res->deps.v[i];
        if (rs_qname_eq(&d->rel, &r->name) && (!col || (d->column && !strcmp(d->column, col))))
            return true;
    }
    return false;
}

const char *rs_copied_to(struct rs_rule_ctx *ctx, const struct rs_relation *r, const char *col)
{
    if (!r)
        return NULL;
    const struct rs_stmt_list *l = ctx->mig->stmts;
    for (size_t i = 0; i + 1 < (size_t)ctx->st->index && i < l->n; i++) {
        const struct rs_stmt *st = &l->v[i];
        bool insert = st->kind == RS_STMT_INSERT || st->kind == RS_STMT_CREATE_TABLE_AS;
        if ((!insert && st->kind != RS_STMT_UPDATE) || !st->query)
            continue;
        if (insert && col && !selects_column(st->query, col, 0))
            continue;
        const char *target_col = NULL;
        if (st->kind == RS_STMT_UPDATE) {
            for (size_t k = 0; k < st->nassignments && !target_col; k++) {
                const struct rs_expr *v = st->assignments[k].value;
                if (v && v->column && (v->kind == RS_EXPR_COLUMN || v->cast_of_column) &&
                    (!col || !strcmp(v->column, col)))
                    target_col = st->assignments[k].column;
            }
            if (!target_col)
                continue;
        }
        struct rs_resolved res;
        rs_resolve_query(rs_ctx_arena(ctx), ctx->model, st->query, &res);
        if (reads(&res, r, col))
            return target_col ? arena_printf(rs_ctx_arena(ctx), "%s.%s",
                                             rs_ctx_name(ctx, &st->rel), target_col)
                              : rs_ctx_name(ctx, &st->rel);
    }
    return NULL;
}

bool rs_is_system_relation(const struct rs_rule_ctx *ctx, const struct rs_qname *q)
{
    if (q->schema)
        return !strcmp(q->schema, "pg_catalog") || !strcmp(q->schema, "information_schema");
    return q->name && !strncmp(q->name, "pg_", 3) && !rs_model_rel(ctx->model, q);
}
