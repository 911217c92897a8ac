/*
 * check_values_expanded.c - failure mode 3 without an enum: a CHECK (status IN ('a', 'b'))
 * replaced by one that accepts more values.
 *
 * Flagged when an ADD CONSTRAINT ... CHECK on an existing table accepts every string value of
 * a CHECK that this migration dropped from the table, and more. The previous version never
 * wrote the new values and may not read them; after a rollback the rows keep them, and a down
 * migration that restores the narrower CHECK fails on them.
 */
#include <string.h>

#include "scan.h"

static bool contains(const char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i], s))
            return true;
    return false;
}

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_alter_cmd *c = ctx->cmd;
    if (!c || c->kind != RS_AT_ADD_CONSTRAINT || !c->constraint ||
        c->constraint->kind != RS_CON_CHECK || !c->constraint->expr || !c->constraint->expr->text)
        return;
    const struct rs_relation *r = rs_ctx_rel(ctx);
    if (!r || !rs_ctx_existing(ctx, r))
        return;
    const struct rs_relation *before = rs_model_rel_by_oid(ctx->mig->start, r->oid);
    struct arena *a = rs_ctx_arena(ctx);
    const char **now;
    const char *text = c->constraint->expr->text;
    size_t nnow = rs_sql_string_literals(a, text, strlen(text), &now);
    for (size_t i = 0; before && nnow && i < before->constraints.n; i++) {
        const struct rs_constraint *old = &before->constraints.v[i];
        if (old->kind != RS_CON_CHECK || !old->check_text || !old->name ||
            rs_rel_constraint(r, old->name))
            continue; /* still there: not replaced */
        const char **was;
        size_t nwas = rs_sql_string_literals(a, old->check_text, strlen(old->check_text), &was);
        if (!nwas || nnow <= nwas)
            continue;
        bool superset = true;
        for (size_t k = 0; k < nwas && superset; k++)
            superset = contains(now, nnow, was[k]);
        if (!superset)
            continue;
        const char *added = NULL;
        for (size_t k = 0; k < nnow; k++)
            if (!contains(was, nwas, now[k]))
                added = added ? arena_printf(a, "%s, '%s'", added, now[k])
                              : arena_printf(a, "'%s'", now[k]);
        rs_emit(ctx, c->constraint->location, NULL,
                "replaces CHECK %s of %s with one that also accepts %s: once version N writes "
                "them, the previous application version reads values it does not know, and a "
                "down migration that restores the old CHECK fails on those rows",
                old->name, rs_ctx_name(ctx, &ctx->st->rel), added);
        return;
    }
}

const struct rs_rule rs_rule_check_values_expanded = {
    .name = "check-values-expanded",
    .cls = RS_CLASS_BREAKS,
    .failure_mode = 3,
    .severity = RS_SEV_WARNING,
    .breaks_previous = true,
    .summary = "a CHECK value list is widened (enum expansion without an enum)",
    .catches = "A CHECK constraint that this migration drops from an existing table, replaced by "
               "one whose string values are a strict superset: CHECK (status IN ('new', 'paid')) "
               "becoming CHECK (status IN ('new', 'paid', 'refunded')).",
    .n1_failure = "Once version N writes a new value, version N-1 reads a status it has no case "
                  "for. After a rollback the rows keep the value, and the down migration that "
                  "restores the old CHECK fails with `check constraint ... is violated by some "
                  "row`.",
    .alternative = "Two releases: first ship a version that tolerates unknown values, then widen "
                   "the CHECK, then start writing the new values. Add the new CHECK NOT VALID "
                   "and VALIDATE it separately to avoid the scan under ACCESS EXCLUSIVE.",
    .versions = "Same in every version.",
    .bad = "ALTER TABLE orders DROP CONSTRAINT orders_status_check,\n"
           "    ADD CONSTRAINT orders_status_check\n"
           "        CHECK (status IN ('new', 'paid', 'refunded'));",
    .good = "-- release N-1 already maps unknown statuses to 'other'; then the same change",
    .check = check,
};
