/*
 * scan.c - look-ahead and look-behind over the statements of a migration (see scan.h).
 */
#include "scan.h"

#include <string.h>

size_t rs_stmt_pos(const struct rs_rule_ctx *ctx)
{
    return ctx->st->index > 0 ? (size_t)ctx->st->index - 1 : 0;
}

static bool wrapped(const struct rs_rule_ctx *ctx)
{
    if (!ctx->mig->migration)
        return false;
    switch (ctx->mig->migration->up_tx) {
    case RS_TX_WRAPPED:
    case RS_TX_GROUP:
        return true;
    case RS_TX_IMPLICIT:
        return ctx->mig->stmts && ctx->mig->stmts->n > 1;
    default:
        return false;
    }
}

static bool is_tx(const struct rs_stmt *st, enum rs_tx_kind k)
{
    return st->kind == RS_STMT_TRANSACTION && st->tx == k;
}

bool rs_stmt_in_tx(const struct rs_rule_ctx *ctx, size_t i)
{
    if (wrapped(ctx))
        return true;
    const struct rs_stmt_list *l = ctx->mig->stmts;
    bool open = false;
    for (size_t k = 0; l && k <= i && k < l->n; k++) {
        if (is_tx(&l->v[k], RS_TXK_BEGIN))
            open = true;
        else if (is_tx(&l->v[k], RS_TXK_COMMIT) || is_tx(&l->v[k], RS_TXK_ROLLBACK))
            open = false;
    }
    return open;
}

static bool boundary(const struct rs_stmt *st)
{
    return is_tx(st, RS_TXK_BEGIN) || is_tx(st, RS_TXK_COMMIT) || is_tx(st, RS_TXK_ROLLBACK);
}

const char *rs_tx_reason(struct rs_rule_ctx *ctx)
{
    const struct rs_stmt_list *l = ctx->mig->stmts;
    struct arena *a = rs_ctx_arena(ctx);
    for (size_t k = rs_stmt_pos(ctx); l && k-- > 0;) {
        if (is_tx(&l->v[k], RS_TXK_COMMIT) || is_tx(&l->v[k], RS_TXK_ROLLBACK))
            break;
        if (is_tx(&l->v[k], RS_TXK_BEGIN))
            return arena_printf(a, "after the BEGIN at line %d", l->v[k].line);
    }
    const struct rs_migration *m = ctx->mig->migration;
    const char *layout = m && m->layout ? m->layout : "plain";
    switch (m ? m->up_tx : RS_TX_SCRIPT) {
    case RS_TX_WRAPPED:
        return !strcmp(layout, "plain")
                   ? "the runner wraps each file in a transaction, per --assume-in-transaction"
                   : arena_printf(a, "%s runs each migration in a transaction", layout);
    case RS_TX_GROUP:
        return arena_printf(a, "%s runs all pending migrations in one transaction", layout);
    case RS_TX_IMPLICIT:
        return arena_printf(a,
                            "the file has several statements, which %s sends as one implicit "
                            "transaction",
                            layout);
    default:
        return "in a transaction block";
    }
}

size_t rs_tx_start(const struct rs_rule_ctx *ctx)
{
    size_t pos = rs_stmt_pos(ctx);
    if (!ctx->in_tx || !ctx->mig->stmts)
        return pos;
    size_t k = pos;
    while (k > 0 && !boundary(&ctx->mig->stmts->v[k - 1]))
        k--;
    return k;
}

size_t rs_tx_end(const struct rs_rule_ctx *ctx)
{
    size_t pos = rs_stmt_pos(ctx);
    const struct rs_stmt_list *l = ctx->mig->stmts;
    if (!ctx->in_tx || !l)
        return pos + 1;
    size_t k = pos + 1;
    while (k < l->n && !boundary(&l->v[k]))
        k++;
    return k;
}

static bool same(const char *a, const char *b)
{
    return a && b && !strcmp(a, b);
}

bool rs_created_later(const struct rs_rule_ctx *ctx, enum rs_obj_kind kind, const char *name,
                      const char *table)
{
    const struct rs_stmt_list *l = ctx->mig->stmts;
    for (size_t i = rs_stmt_pos(ctx) + 1; l && (name || kind == RS_OBJ_TRIGGER) && i < l->n; i++) {
        const struct rs_stmt *st = &l->v[i];
        bool on_table = !table || same(st->rel.name, table);
        switch (kind) {
        case RS_OBJ_VIEW:
        case RS_OBJ_MATVIEW:
            if ((st->kind == RS_STMT_CREATE_VIEW || st->kind == RS_STMT_CREATE_MATVIEW ||
                 st->kind == RS_STMT_CREATE_TABLE || st->kind == RS_STMT_CREATE_TABLE_AS) &&
                same(st->rel.name, name))
                return true;
            break;
        case RS_OBJ_FUNCTION:
        case RS_OBJ_PROCEDURE:
            if (st->kind == RS_STMT_CREATE_FUNCTION && same(st->rel.name, name))
                return true;
            break;
        case RS_OBJ_TRIGGER:
            if (st->kind == RS_STMT_CREATE_TRIGGER && same(st->trigger_name, name) && on_table)
                return true;
            for (size_t k = 0; st->kind == RS_STMT_ALTER_TABLE && on_table && k < st->ncmds; k++)
                if (st->cmds[k].kind == RS_AT_ENABLE_TRIGGER &&
                    (!st->cmds[k].name || same(st->cmds[k].name, name)))
                    return true;
            break;
        case RS_OBJ_INDEX:
            if (st->kind == RS_STMT_CREATE_INDEX && same(st->index_name, name))
                return true;
            break;
        case RS_OBJ_SEQUENCE:
            if (st->kind == RS_STMT_CREATE_SEQUENCE && same(st->rel.name, name))
                return true;
            break;
        case RS_OBJ_SCHEMA:
            if (st->kind == RS_STMT_CREATE_SCHEMA && same(st->rel.name, name))
                return true;
            break;
        case RS_OBJ_TYPE:
        case RS_OBJ_DOMAIN:
            if ((st->kind == RS_STMT_CREATE_ENUM || st->kind == RS_STMT_CREATE_TYPE ||
                 st->kind == RS_STMT_CREATE_DOMAIN) &&
                same(st->rel.name, name))
                return true;
            break;
        case RS_OBJ_CONSTRAINT:
            for (size_t k = 0; st->kind == RS_STMT_ALTER_TABLE && on_table && k < st->ncmds; k++)
                if (st->cmds[k].kind == RS_AT_ADD_CONSTRAINT && same(st->cmds[k].name, name))
                    return true;
            break;
        case RS_OBJ_POLICY:
            if (st->kind == RS_STMT_CREATE_POLICY && on_table)
                return true;
            break;
        default:
            if (st->kind != RS_STMT_DROP && st->kind != RS_STMT_ALTER_TABLE &&
                st->kind != RS_STMT_RENAME && same(st->rel.name, name))
                return true;
            break;
        }
    }
    return false;
}

bool rs_existed_at_start(const struct rs_rule_ctx *ctx, const struct rs_qname *q)
{
    if (rs_is_system_relation(ctx, q))
        return false; /* system catalogs hold no application data */
    const struct rs_relation *now = rs_model_rel(ctx->model, q);
    if (now)
        return rs_model_rel_by_oid(ctx->mig->start, now->oid) != NULL;
    /* Gone already (dropped earlier in the migration), or never seen: the model did not follow
       its creation: assumed to hold rows unless an earlier statement of this migration could
       not be followed (then it may well be new), as rs_ctx_existing does. */
    return !ctx->mig->unfollowed;
}

const struct rs_relation *rs_index_table(const struct rs_rule_ctx *ctx, const struct rs_qname *ix)
{
    const struct rs_index *x = rs_model_index(ctx->model, ix);
    return x ? rs_model_rel(ctx->model, &x->table) : NULL;
}

/* ---------------------------------------------------------------- work */

static bool volatile_default(const struct rs_column_def *d)
{
    if (d->type.serial || d->identity || d->generated)
        return true;
    for (size_t i = 0; d->default_expr && i < d->default_expr->nfuncs; i++)
        if (rs_function_is_volatile(d->default_expr->funcs[i]))
            return true;
    return false;
}

static bool constrained_domain(const struct rs_rule_ctx *ctx, const struct rs_type *t)
{
    if (rs_type_is_builtin(t) || !t->name)
        return false;
    struct rs_qname q = {t->schema, t->name};
    const struct rs_typeobj *o = rs_model_type(ctx->model, &q);
    return o && o->kind == RS_TYPEOBJ_DOMAIN && o->has_constraint;
}

static bool valid_not_null_check(const struct rs_relation *r, const char *col)
{
    for (size_t i = 0; r && col && i < r->constraints.n; i++) {
        const struct rs_constraint *k = &r->constraints.v[i];
        if (k->kind == RS_CON_CHECK && k->validated && same(k->not_null_column, col))
            return true;
    }
    return false;
}

static const char *cmd_work(struct rs_rule_ctx *ctx, const struct rs_relation *r, const char *t)
{
    const struct rs_alter_cmd *c = ctx->cmd;
    struct arena *a = rs_ctx_arena(ctx);
    switch (c->kind) {
    case RS_AT_ADD_COLUMN:
        if (c->coldef && (volatile_default(c->coldef) || constrained_domain(ctx, &c->coldef->type)))
            return arena_printf(a, "rewrites %s", t);
        return NULL;
    case RS_AT_ALTER_TYPE: {
        const struct rs_column *col = rs_cmd_column(ctx);
        struct rs_type_change tc;
        if (!col || rs_column_is_new(ctx, col) || !rs_cmd_type_change(ctx, col, &tc) || tc.same)
            return NULL;
        bool using = c->using_expr && c->using_expr->kind != RS_EXPR_COLUMN;
        return tc.rewrite || using ? arena_printf(a, "rewrites %s", t) : NULL;
    }
    case RS_AT_SET_NOT_NULL: {
        const struct rs_column *col = rs_cmd_column(ctx);
        if ((col && (col->not_null || rs_column_is_new(ctx, col))) ||
            (ctx->pg_version >= 12 && valid_not_null_check(r, c->column)))
            return NULL;
        return arena_printf(a, "scans %s", t);
    }
    case RS_AT_ADD_CONSTRAINT: {
        const struct rs_constraint_def *d = c->constraint;
        if (!d)
            return NULL;
        if ((d->kind == RS_CON_CHECK || d->kind == RS_CON_FOREIGN) && !d->not_valid)
            return arena_printf(a, "scans %s", t);
        if ((d->kind == RS_CON_PRIMARY || d->kind == RS_CON_UNIQUE) && !d->using_index)
            return arena_printf(a, "builds an index on %s", t);
        if (d->kind == RS_CON_EXCLUSION)
            return arena_printf(a, "builds an index on %s", t);
        return NULL;
    }
    case RS_AT_VALIDATE_CONSTRAINT:
        return arena_printf(a, "scans %s", t);
    case RS_AT_SET_UNLOGGED:
    case RS_AT_SET_TABLESPACE:
    case RS_AT_SET_ACCESS_METHOD:
    case RS_AT_SET_EXPRESSION:
        return arena_printf(a, "rewrites %s", t);
    case RS_AT_SET_LOGGED:
        return r && r->unlogged ? arena_printf(a, "rewrites %s", t) : NULL;
    case RS_AT_ATTACH_PARTITION:
        return rs_existed_at_start(ctx, &c->partition)
                   ? arena_printf(a, "scans %s", rs_ctx_name(ctx, &c->partition))
                   : NULL;
    default:
        return NULL;
    }
}

const char *rs_ctx_work(struct rs_rule_ctx *ctx)
{
    const struct rs_stmt *st = ctx->st;
    struct arena *a = rs_ctx_arena(ctx);
    const struct rs_relation *r = rs_ctx_rel(ctx);
    const char *t = rs_ctx_name(ctx, &st->rel);
    bool existing = st->rel.name && rs_existed_at_start(ctx, &st->rel);
    if (ctx->cmd)
        return existing ? cmd_work(ctx, r, t) : NULL;
    switch (st->kind) {
    case RS_STMT_CREATE_INDEX:
        return existing && !st->concurrently ? arena_printf(a, "builds an index on %s", t) : NULL;
    case RS_STMT_UPDATE:
        return existing ? arena_printf(a, "updates rows of %s", t) : NULL;
    case RS_STMT_DELETE:
        return existing ? arena_printf(a, "deletes rows of %s", t) : NULL;
    case RS_STMT_INSERT:
        return existing && st->query && !st->query->is_values && st->query->nfrom
                   ? arena_printf(a, "copies rows into %s", t)
                   : NULL;
    case RS_STMT_VACUUM:
        return existing && st->vacuum_full ? arena_printf(a, "rewrites %s", t) : NULL;
    case RS_STMT_CLUSTER:
    case RS_STMT_REFRESH_MATVIEW:
        return existing ? arena_printf(a, "rewrites %s", t) : NULL;
    case RS_STMT_REINDEX:
        return st->rel.name ? arena_printf(a, "rebuilds indexes of %s", t) : NULL;
    case RS_STMT_ALTER_DOMAIN:
        return ctx->lock->work == RS_WORK_SCAN && ctx->lock->mode != RS_LM_NONE
                   ? arena_printf(a, "scans every table with a column of domain %s", t)
                   : NULL;
    default:
        return NULL;
    }
}

const char *rs_lock_words(struct rs_rule_ctx *ctx, const struct rs_lock_fact *l,
                          const struct rs_qname *table)
{
    const char *mode = rs_lockmode_name(l->mode);
    return arena_printf(rs_ctx_arena(ctx), "%s %s lock on %s, which %s",
                        mode[0] == 'A' || mode[0] == 'E' ? "an" : "a", mode,
                        rs_ctx_name(ctx, table ? table : &ctx->st->rel),
                        rs_lockmode_blocks(l->mode));
}

const char *rs_lock_phrase(struct rs_rule_ctx *ctx, const struct rs_qname *table)
{
    return rs_lock_words(ctx, ctx->lock, table);
}

const struct rs_lock_fact *rs_stmt_lock(const struct rs_rule_ctx *ctx, const struct rs_stmt *st,
                                        const struct rs_alter_cmd **which)
{
    const struct rs_lock_fact *best = rs_lock_fact_for(st, NULL, ctx->pg_version);
    if (which)
        *which = NULL;
    for (size_t k = 0; st->kind == RS_STMT_ALTER_TABLE && k < st->ncmds; k++) {
        const struct rs_lock_fact *f = rs_lock_fact_for(st, &st->cmds[k], ctx->pg_version);
        if (k == 0 || f->mode > best->mode) {
            best = f;
            if (which)
                *which = &st->cmds[k];
        }
    }
    return best;
}

bool rs_same_rel(const struct rs_rule_ctx *ctx, const struct rs_qname *a, const struct rs_qname *b)
{
    if (!a->name || !b->name)
        return false;
    const struct rs_relation *ra = rs_model_rel(ctx->model, a), *rb = rs_model_rel(ctx->model, b);
    if (ra && rb)
        return ra == rb;
    return !strcmp(a->name, b->name) && (!a->schema || !b->schema || !strcmp(a->schema, b->schema));
}

void rs_each_new_column(struct rs_rule_ctx *ctx, rs_column_fn fn)
{
    const struct rs_stmt *st = ctx->st;
    if (ctx->cmd) {
        const struct rs_alter_cmd *c = ctx->cmd;
        if (c->kind == RS_AT_ADD_COLUMN && c->coldef)
            fn(ctx, c->coldef->name, &c->coldef->type, c->coldef, c->location);
        else if (c->kind == RS_AT_ALTER_TYPE && c->has_type)
            fn(ctx, c->column, &c->type, NULL, c->location);
        return;
    }
    if (st->kind != RS_STMT_CREATE_TABLE || st->temporary)
        return;
    for (size_t i = 0; i < st->ncolumns; i++)
        fn(ctx, st->columns[i].name, &st->columns[i].type, &st->columns[i],
           st->columns[i].location);
}

bool rs_tx_holds(struct rs_rule_ctx *ctx, const struct rs_qname *table, enum rs_lockmode mode)
{
    const struct rs_stmt_list *l = ctx->mig->stmts;
    if (!ctx->in_tx || !l)
        return false;
    for (size_t i = rs_tx_start(ctx); i < rs_stmt_pos(ctx); i++) {
        const struct rs_stmt *e = &l->v[i];
        if (e->syntax_error || rs_stmt_lock(ctx, e, NULL)->mode < mode)
            continue;
        if (rs_same_rel(ctx, &e->rel, table))
            return true;
        /* ALTER TABLE a RENAME TO b: the lock is on what is now called b. */
        struct rs_qname renamed = {e->rel.schema, e->newname};
        if (e->kind == RS_STMT_RENAME && e->obj_kind == RS_OBJ_TABLE && e->newname &&
            rs_same_rel(ctx, &renamed, table))
            return true;
    }
    return false;
}

void rs_follow_init(struct rs_rule_ctx *ctx, struct rs_follow *f, const char *table,
                    const char *const *cols, size_t n)
{
    f->table = table;
    f->ncols = n < RS_FOLLOW_MAX ? n : RS_FOLLOW_MAX;
    for (size_t i = 0; i < f->ncols; i++)
        f->cols[i] = cols[i];
    (void)ctx;
}

void rs_follow_step(struct rs_follow *f, const struct rs_stmt *st)
{
    if (st->kind != RS_STMT_RENAME || !f->table || !st->rel.name || !st->newname ||
        strcmp(st->rel.name, f->table))
        return;
    if (st->obj_kind == RS_OBJ_TABLE) {
        f->table = st->newname;
    } else if (st->obj_kind == RS_OBJ_COLUMN && st->subname) {
        for (size_t i = 0; i < f->ncols; i++)
            if (f->cols[i] && !strcmp(f->cols[i], st->subname))
                f->cols[i] = st->newname;
    }
}

bool rs_columns_among(const char *const *sub, size_t nsub, const char *const *cols, size_t n)
{
    for (size_t i = 0; i < nsub; i++) {
        bool found = false;
        for (size_t k = 0; k < n && !found; k++)
            found = sub[i] && cols[k] && !strcmp(sub[i], cols[k]);
        if (!found)
            return false;
    }
    return true;
}

bool rs_same_columns(const char *const *a, size_t na, const char *const *b, size_t nb)
{
    return na == nb && na > 0 && rs_columns_among(a, na, b, nb);
}

bool rs_unique_later(struct rs_rule_ctx *ctx, const char *table, const char *const *cols, size_t n)
{
    struct rs_follow f;
    rs_follow_init(ctx, &f, table, cols, n);
    const struct rs_stmt_list *l = ctx->mig->stmts;
    for (size_t i = rs_stmt_pos(ctx); l && i < l->n; i++) {
        const struct rs_stmt *st = &l->v[i];
        if (i > rs_stmt_pos(ctx))
            rs_follow_step(&f, st);
        if (!st->rel.name || !f.table || strcmp(st->rel.name, f.table))
            continue;
        if (i > rs_stmt_pos(ctx) && st->kind == RS_STMT_CREATE_INDEX && st->unique && !st->where &&
            rs_same_columns(st->index_columns, st->nindex_columns, f.cols, f.ncols))
            return true;
        for (size_t c = 0; st->kind == RS_STMT_ALTER_TABLE && c < st->ncmds; c++) {
            const struct rs_constraint_def *d = st->cmds[c].constraint;
            if ((st == ctx->st && (!ctx->cmd || &st->cmds[c] <= ctx->cmd)) ||
                st->cmds[c].kind != RS_AT_ADD_CONSTRAINT || !d ||
                (d->kind != RS_CON_PRIMARY && d->kind != RS_CON_UNIQUE))
                continue;
            if (rs_same_columns(d->columns, d->ncolumns, f.cols, f.ncols))
                return true;
        }
    }
    return false;
}

bool rs_dropped_later(struct rs_rule_ctx *ctx, const char *table, const char *const *cols, size_t n)
{
    struct rs_follow f;
    rs_follow_init(ctx, &f, table, cols, n);
    const struct rs_stmt_list *l = ctx->mig->stmts;
    for (size_t i = rs_stmt_pos(ctx); l && f.table && i < l->n; i++) {
        const struct rs_stmt *st = &l->v[i];
        if (i > rs_stmt_pos(ctx))
            rs_follow_step(&f, st);
        if (st->kind == RS_STMT_DROP && st->obj_kind == RS_OBJ_TABLE)
            for (size_t o = 0; o < st->nobjects; o++)
                if (st->objects[o].name && !strcmp(st->objects[o].name, f.table))
                    return true;
        if (st->kind != RS_STMT_ALTER_TABLE || !st->rel.name || strcmp(st->rel.name, f.table))
            continue;
        for (size_t c = 0; c < st->ncmds; c++) {
            if ((st == ctx->st && (!ctx->cmd || &st->cmds[c] <= ctx->cmd)) ||
                st->cmds[c].kind != RS_AT_DROP_COLUMN || !st->cmds[c].column)
                continue;
            for (size_t k = 0; k < f.ncols; k++)
                if (f.cols[k] && !strcmp(f.cols[k], st->cmds[c].column))
                    return true;
        }
    }
    return false;
}
