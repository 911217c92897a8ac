/*
 * new_write_restriction.c - failure mode 2: a new constraint that the previous version's writes
 * may violate.
 *
 * CHECK, UNIQUE, PRIMARY KEY, FOREIGN KEY and EXCLUDE constraints and unique indexes added to a
 * table that existed before the migration. NOT VALID does not help N-1: it only skips the check
 * of existing rows; new writes are checked at once. Constraints that only involve columns added
 * in this migration are not flagged (N-1 leaves them NULL, which passes).
 */
#include <string.h>

#include "scan.h"

static const char *kind_words(enum rs_con_kind k)
{
    switch (k) {
    case RS_CON_CHECK:
        return "CHECK constraint";
    case RS_CON_UNIQUE:
        return "UNIQUE constraint";
    case RS_CON_PRIMARY:
        return "PRIMARY KEY";
    case RS_CON_FOREIGN:
        return "FOREIGN KEY";
    case RS_CON_EXCLUSION:
        return "exclusion constraint";
    default:
        return "constraint";
    }
}

/* A UNIQUE or PRIMARY KEY on columns that an older unique index (or constraint) already keeps
   unique restricts nothing new, provided a PRIMARY KEY's columns are already NOT NULL. */
static bool already_enforced(const struct rs_rule_ctx *ctx, const struct rs_relation *r,
                             const struct rs_constraint_def *d)
{
    if (!r || (d->kind != RS_CON_UNIQUE && d->kind != RS_CON_PRIMARY))
        return false;
    if (d->kind == RS_CON_PRIMARY) {
        for (size_t i = 0; i < d->ncolumns; i++) {
            const struct rs_column *c = rs_rel_column(r, d->columns[i]);
            if (!c || !c->not_null)
                return false;
        }
    }
    const struct rs_index *idx[64];
    size_t n = rs_model_table_indexes(ctx->model, &r->name, idx, 64);
    for (size_t i = 0; i < n && i < 64; i++) {
        const struct rs_index *x = idx[i];
        if (x->unique && !x->where_text && x->created_mig != ctx->mig->index &&
            rs_same_columns(d->columns, d->ncolumns, x->columns, x->ncolumns))
            return true;
    }
    return false;
}

/* The same rule existed when the migration started (a constraint dropped and added again, for
   example to change ON DELETE or to rename it): N-1 already lived with it. */
static bool existed_at_start(const struct rs_rule_ctx *ctx, const struct rs_relation *r,
                             const struct rs_constraint_def *d)
{
    const struct rs_relation *s = r ? rs_model_rel_by_oid(ctx->mig->start, r->oid) : NULL;
    if (!s)
        return false;
    for (size_t i = 0; i < s->constraints.n; i++) {
        const struct rs_constraint *k = &s->constraints.v[i];
        if (k->kind != d->kind)
            continue;
        switch (d->kind) {
        case RS_CON_CHECK:
            if (d->expr && k->check_text && !strcmp(k->check_text, d->expr->text))
                return true;
            break;
        case RS_CON_FOREIGN:
            if (k->ref_table.name && d->ref_table.name &&
                !strcmp(k->ref_table.name, d->ref_table.name) &&
                rs_same_columns(d->columns, d->ncolumns, k->columns, k->ncolumns))
                return true;
            break;
        case RS_CON_UNIQUE:
        case RS_CON_PRIMARY:
            if (rs_same_columns(d->columns, d->ncolumns, k->columns, k->ncolumns))
                return true;
            break;
        default:
            break;
        }
    }
    return false;
}

static void check_constraint(struct rs_rule_ctx *ctx)
{
    const struct rs_constraint_def *d = ctx->cmd->constraint;
    if (!d || d->kind == RS_CON_NOT_NULL || d->kind == RS_CON_DEFAULT || d->kind == RS_CON_OTHER)
        return;
    const struct rs_relation *r = rs_ctx_rel(ctx);
    if (!rs_ctx_existing(ctx, r))
        return;
    const char *const *cols = d->columns;
    size_t n = d->ncolumns;
    if (d->kind == RS_CON_CHECK && d->expr) {
        cols = d->expr->columns;
        n = d->expr->ncolumns;
    }
    if (rs_columns_all_new(ctx, r, cols, n) || already_enforced(ctx, r, d) ||
        existed_at_start(ctx, r, d))
        return;
    if (d->using_index) {
        /* The restriction exists since the unique index was built; new only if that index was
           built in this migration. */
        struct rs_qname q = {r ? r->name.schema : NULL, d->using_index};
        const struct rs_index *x = rs_model_index(ctx->model, &q);
        if (x && x->unique && x->created_mig != ctx->mig->index && d->kind != RS_CON_PRIMARY)
            return;
    }
    const char *table = rs_ctx_name(ctx, &ctx->st->rel);
    const char *what = d->kind == RS_CON_CHECK && d->expr
                           ? arena_printf(rs_ctx_arena(ctx), "CHECK (%s)", d->expr->text)
                           : kind_words(d->kind);
    rs_emit(ctx, d->location, NULL,
            "adds %s to %s%s%s%s: writes of the previous application version that violate it "
            "are rejected from now on%s",
            what, table, d->name ? " (constraint " : "", d->name ? d->name : "",
            d->name ? ")" : "", d->not_valid ? " (NOT VALID only skips the existing rows)" : "");
}

/* ALTER CONSTRAINT ... NOT DEFERRABLE of a constraint that was deferrable: writes the previous
   version orders freely inside a transaction (child before parent) are checked at once. */
static void check_timing(struct rs_rule_ctx *ctx)
{
    const struct rs_alter_cmd *c = ctx->cmd;
    const struct rs_relation *r = rs_ctx_rel(ctx);
    const struct rs_constraint *k = r && c->name ? rs_rel_constraint(r, c->name) : NULL;
    if (!k || !k->deferrable || !c->constraint || c->constraint->deferrable ||
        k->created_mig == ctx->mig->index)
        return;
    rs_emit(ctx, -1, NULL,
            "makes constraint %s of %s NOT DEFERRABLE: the previous application version's "
            "transactions that write rows in an order the check only accepts at commit are "
            "rejected from now on",
            c->name, rs_ctx_name(ctx, &ctx->st->rel));
}

static void check(struct rs_rule_ctx *ctx)
{
    if (ctx->cmd && ctx->cmd->kind == RS_AT_ADD_CONSTRAINT) {
        check_constraint(ctx);
        return;
    }
    if (ctx->cmd && ctx->cmd->kind == RS_AT_ALTER_CONSTRAINT) {
        check_timing(ctx);
        return;
    }
    const struct rs_stmt *st = ctx->st;
    if (st->kind == RS_STMT_CREATE_INDEX && st->unique) {
        const struct rs_relation *r = rs_ctx_rel(ctx);
        if (!rs_ctx_existing(ctx, r) || (r && r->kind == RS_REL_MATVIEW) ||
            (!st->index_has_expressions &&
             rs_columns_all_new(ctx, r, st->index_columns, st->nindex_columns)))
            return;
        rs_emit(ctx, -1, NULL,
                "adds a unique index on %s (%s): writes of the previous application version "
                "that duplicate a value are rejected from now on, and existing duplicates make "
                "the build fail",
                rs_ctx_name(ctx, &st->rel),
                st->nindex_columns ? st->index_columns[0] : "expression");
        return;
    }
    if (st->kind == RS_STMT_ALTER_DOMAIN && st->domain_has_constraint) {
        const struct rs_typeobj *t = rs_model_type(ctx->model, &st->rel);
        if (t && t->created_mig == ctx->mig->index)
            return;
        rs_emit(ctx, -1, NULL,
                "adds a constraint to domain %s: every column of that type rejects the previous "
                "version's writes that violate it, and every table using it is scanned",
                rs_ctx_name(ctx, &st->rel));
    }
}

const struct rs_rule rs_rule_new_write_restriction = {
    .name = "new-write-restriction",
    .cls = RS_CLASS_BREAKS,
    .failure_mode = 2,
    .severity = RS_SEV_WARNING,
    .breaks_previous = true,
    .summary = "a new constraint may reject the previous version's writes",
    .catches = "A CHECK, UNIQUE, PRIMARY KEY, FOREIGN KEY or EXCLUDE constraint, a unique index, "
               "or a domain constraint added to something that existed before the migration, and "
               "ALTER CONSTRAINT ... NOT DEFERRABLE of a constraint that was deferrable. "
               "Constraints on columns added in the same migration are not flagged, and neither "
               "is ADD CONSTRAINT ... UNIQUE USING INDEX of a unique index built in an earlier "
               "migration (the restriction already existed).",
    .n1_failure = "Version N-1 does not know the new rule and keeps writing what was allowed "
                  "before: its INSERTs and UPDATEs fail with `violates check constraint` or "
                  "`duplicate key value` after a rollback.",
    .alternative = "Ship version N so that it always satisfies the constraint and deploy it "
                   "first; then add the constraint NOT VALID and VALIDATE it in a later "
                   "migration. Check existing rows for violations before (for a unique index: "
                   "look for duplicates).",
    .versions = "NOT VALID (CHECK and FOREIGN KEY) skips existing rows in every version; new "
                "and updated rows are checked immediately. UNIQUE and PRIMARY KEY have no NOT "
                "VALID form.",
    .bad = "ALTER TABLE orders ADD CONSTRAINT positive_total CHECK (total > 0);",
    .good = "-- after release N always writes total > 0:\n"
            "ALTER TABLE orders ADD CONSTRAINT positive_total CHECK (total > 0) NOT VALID;\n"
            "-- later migration:\nALTER TABLE orders VALIDATE CONSTRAINT positive_total;",
    .check = check,
};
