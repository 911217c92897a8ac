/*
 * drop_constraint.c - a constraint the previous version relies on is dropped.
 *
 * N-1 keeps working on the looser schema, except where it relies on the constraint: INSERT ...
 * ON CONFLICT needs the unique index, ON DELETE actions of a foreign key stop, and values the
 * constraint used to reject can be written. Those values are also what makes the rollback fail:
 * a down migration that adds the constraint back fails once they exist.
 *
 * Not flagged: constraints new in the migration, and constraints replaced later in the same
 * migration (added again under the same name, or one of the same kind on the same columns).
 */
#include <string.h>

#include "scan.h"

/* Does a later CREATE TABLE of a table under this name define an equivalent constraint? (The
   table renamed away and created again, copying its rows.) */
static bool in_new_table(const struct rs_stmt *st, const struct rs_constraint *k)
{
    for (size_t i = 0; i < st->nconstraints; i++) {
        const struct rs_constraint_def *d = &st->constraints[i];
        if ((k->name && d->name && !strcmp(k->name, d->name)) ||
            (d->kind == k->kind &&
             rs_same_columns(d->columns, d->ncolumns, k->columns, k->ncolumns)))
            return true;
    }
    for (size_t c = 0; c < st->ncolumns; c++) {
        const struct rs_column_def *col = &st->columns[c];
        for (size_t i = 0; i < col->nconstraints; i++) {
            const struct rs_constraint_def *d = &col->constraints[i];
            if ((k->name && d->name && !strcmp(k->name, d->name)) ||
                (d->kind == k->kind &&
                 rs_same_columns(d->columns, d->ncolumns, k->columns, k->ncolumns)))
                return true;
        }
    }
    return false;
}

static bool unique_kind(enum rs_con_kind k)
{
    return k == RS_CON_PRIMARY || k == RS_CON_UNIQUE;
}

/* Does another constraint (or a unique index) of the table already do k's job? A primary key
   and a unique constraint on the same columns are interchangeable here. */
static bool still_enforced(const struct rs_rule_ctx *ctx, const struct rs_relation *r,
                           const struct rs_constraint *k)
{
    for (size_t i = 0; i < r->constraints.n; i++) {
        const struct rs_constraint *o = &r->constraints.v[i];
        if (o == k || (o->kind != k->kind && !(unique_kind(o->kind) && unique_kind(k->kind))))
            continue;
        if (k->kind == RS_CON_CHECK
                ? k->not_null_column && o->not_null_column &&
                      !strcmp(k->not_null_column, o->not_null_column)
                : rs_same_columns(o->columns, o->ncolumns, k->columns, k->ncolumns))
            return true;
        /* A unique key on some of the columns keeps them unique together. */
        if (unique_kind(k->kind) && unique_kind(o->kind) && o->ncolumns &&
            o->ncolumns < k->ncolumns && rs_columns_among(o->columns, o->ncolumns, k->columns, k->ncolumns))
            return true;
    }
    if (!unique_kind(k->kind))
        return false;
    const struct rs_index *ix[64];
    size_t n = rs_model_table_indexes(ctx->model, &r->name, ix, 64);
    for (size_t i = 0; i < n && i < 64; i++)
        if (ix[i]->unique && !ix[i]->where_text &&
            (!k->index_name || !ix[i]->name.name || strcmp(ix[i]->name.name, k->index_name)) &&
            rs_same_columns(ix[i]->columns, ix[i]->ncolumns, k->columns, k->ncolumns))
            return true;
    return false;
}

static bool replaced_later(struct rs_rule_ctx *ctx, const struct rs_constraint *k)
{
    const struct rs_stmt_list *l = ctx->mig->stmts;
    if (rs_created_later(ctx, RS_OBJ_CONSTRAINT, k->name, ctx->st->rel.name))
        return true;
    if (unique_kind(k->kind) && rs_unique_later(ctx, ctx->st->rel.name, k->columns, k->ncolumns))
        return true;
    /* A foreign key added again, maybe after the table or its columns were renamed. */
    struct rs_follow f;
    rs_follow_init(ctx, &f, ctx->st->rel.name, k->columns, k->ncolumns);
    for (size_t i = rs_stmt_pos(ctx) + 1; k->kind == RS_CON_FOREIGN && l && i < l->n; i++) {
        const struct rs_stmt *st = &l->v[i];
        rs_follow_step(&f, st);
        for (size_t c = 0; st->kind == RS_STMT_ALTER_TABLE && st->rel.name && f.table &&
                           !strcmp(st->rel.name, f.table) && c < st->ncmds;
             c++) {
            const struct rs_constraint_def *d = st->cmds[c].constraint;
            if (st->cmds[c].kind == RS_AT_ADD_CONSTRAINT && d && d->kind == RS_CON_FOREIGN &&
                rs_same_columns(d->columns, d->ncolumns, f.cols, f.ncols))
                return true;
        }
    }
    for (size_t i = rs_stmt_pos(ctx) + 1; l && i < l->n; i++)
        if (l->v[i].kind == RS_STMT_CREATE_TABLE && l->v[i].rel.name && ctx->st->rel.name &&
            !strcmp(l->v[i].rel.name, ctx->st->rel.name) && in_new_table(&l->v[i], k))
            return true;
    /* A later command of this same statement, or a later statement on the table. */
    for (size_t i = rs_stmt_pos(ctx); l && i < l->n; i++) {
        const struct rs_stmt *st = &l->v[i];
        if (st->kind != RS_STMT_ALTER_TABLE || !st->rel.name || !ctx->st->rel.name ||
            strcmp(st->rel.name, ctx->st->rel.name))
            continue;
        for (size_t c = 0; c < st->ncmds; c++) {
            const struct rs_alter_cmd *cmd = &st->cmds[c];
            if (st == ctx->st && cmd <= ctx->cmd)
                continue;
            const struct rs_constraint_def *d = cmd->constraint;
            if (cmd->kind != RS_AT_ADD_CONSTRAINT || !d)
                continue;
            if (k->name && d->name && !strcmp(k->name, d->name))
                return true;
            if ((d->kind == k->kind || (unique_kind(d->kind) && unique_kind(k->kind))) &&
                d->kind != RS_CON_CHECK &&
                rs_same_columns(d->columns, d->ncolumns, k->columns, k->ncolumns))
                return true;
            if (d->kind == RS_CON_CHECK && k->kind == RS_CON_CHECK && d->expr &&
                k->not_null_column && d->expr->not_null_column &&
                !strcmp(k->not_null_column, d->expr->not_null_column))
                return true;
        }
    }
    return false;
}

static void check(struct rs_rule_ctx *ctx)
{
    if (!ctx->cmd || ctx->cmd->kind != RS_AT_DROP_CONSTRAINT || !ctx->cmd->name)
        return;
    const struct rs_relation *r = rs_ctx_rel(ctx);
    if (!rs_ctx_existing(ctx, r))
        return;
    const struct rs_constraint *k = r ? rs_rel_constraint(r, ctx->cmd->name) : NULL;
    if (!k || k->created_mig == ctx->mig->index || still_enforced(ctx, r, k) ||
        replaced_later(ctx, k) ||
        rs_dropped_later(ctx, ctx->st->rel.name, k->columns,
                         k->kind == RS_CON_CHECK ? 0 : k->ncolumns))
        return; /* unknown: IF EXISTS no-op or statement-fails; new; or replaced */
    const char *table = rs_ctx_name(ctx, &ctx->st->rel);
    const char *cols = k->ncolumns ? k->columns[0] : "...";
    for (size_t i = 1; i < k->ncolumns; i++)
        cols = arena_printf(rs_ctx_arena(ctx), "%s, %s", cols, k->columns[i]);
    switch (k->kind) {
    case RS_CON_PRIMARY:
    case RS_CON_UNIQUE:
    case RS_CON_EXCLUSION:
        rs_emit(ctx, -1, NULL,
                "drops %s %s of %s: duplicates can be written from now on, the previous "
                "application version's INSERT ... ON CONFLICT (%s) fails without it, and a down "
                "migration that adds it back fails once duplicates exist",
                k->kind == RS_CON_PRIMARY ? "primary key" : "unique constraint", k->name, table,
                cols);
        break;
    case RS_CON_FOREIGN:
        rs_emit(ctx, -1, NULL,
                "drops foreign key %s of %s: rows that point nowhere can be written from now on "
                "and its ON DELETE action stops, which the previous application version may "
                "count on; a down migration that adds it back fails once such rows exist",
                k->name, table);
        break;
    default:
        rs_emit(ctx, -1, NULL,
                "drops CHECK constraint %s of %s: values it rejected can be written from now on "
                "and reach the previous application version, and a down migration that adds it "
                "back fails once they exist",
                k->name, table);
        break;
    }
}

const struct rs_rule rs_rule_drop_constraint = {
    .name = "drop-constraint",
    .cls = RS_CLASS_BREAKS,
    .severity = RS_SEV_WARNING,
    .breaks_previous = true,
    .summary = "a constraint the previous version relies on is dropped",
    .catches = "ALTER TABLE ... DROP CONSTRAINT of a PRIMARY KEY, UNIQUE, EXCLUDE, FOREIGN KEY or "
               "CHECK constraint that existed before the migration, unless another constraint "
               "(or unique index) on the same columns still does its job, or the same migration "
               "adds it back (same name, or the same kind of constraint on the same columns; a "
               "primary key and a unique constraint count as the same), also when it creates the "
               "table again under its name.",
    .n1_failure = "Version N-1 relies on the database: INSERT ... ON CONFLICT on the key fails "
                  "(`there is no unique or exclusion constraint matching the ON CONFLICT "
                  "specification`), ON DELETE CASCADE no longer cleans up, and values it never "
                  "expected appear. Once such rows exist, the down migration cannot add the "
                  "constraint back.",
    .alternative = "Keep the constraint until no running version relies on it; if version N must "
                   "write what it forbids, relax it in two steps (add the looser constraint, "
                   "deploy, then drop the strict one in a later release) and plan the down "
                   "migration's clean-up of rows that violate it.",
    .versions = "Same in every version. DROP CONSTRAINT takes ACCESS EXCLUSIVE on the table, "
                "and for a foreign key on the referenced table too.",
    .bad = "ALTER TABLE users DROP CONSTRAINT users_email_key;",
    .good = "-- keep users_email_key while any running version upserts on email",
    .check = check,
};
