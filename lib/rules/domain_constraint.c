/*
 * domain_constraint.c - ALTER DOMAIN ... ADD CONSTRAINT (or SET NOT NULL) checks every column
 * of the domain in every table, holding SHARE on each: their writes wait for the scans.
 *
 * NOT VALID skips the check. A domain no existing table uses is not flagged.
 */
#include <string.h>

#include "scan.h"

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_stmt *st = ctx->st;
    if (st->kind != RS_STMT_ALTER_DOMAIN || !st->domain_has_constraint ||
        (st->nconstraints && st->constraints[0].not_valid))
        return;
    const char *tables = NULL;
    size_t n = 0;
    for (size_t r = 0; r < ctx->model->rels.n; r++) {
        const struct rs_relation *rel = ctx->model->rels.v[r];
        if (rel->kind != RS_REL_TABLE || !rs_ctx_existing(ctx, rel))
            continue;
        for (size_t k = 0; k < rel->columns.n; k++) {
            const char *t = rel->columns.v[k].type.name;
            if (!t || !st->rel.name || strcmp(t, st->rel.name))
                continue;
            const char *name = rs_ctx_name(ctx, &rel->name);
            tables = tables ? arena_printf(rs_ctx_arena(ctx), "%s, %s", tables, name) : name;
            n++;
            break;
        }
    }
    if (!n)
        return;
    rs_emit(ctx, -1, NULL,
            "adds a constraint to domain %s: every row of %s is checked while a SHARE lock on "
            "%s blocks %s INSERT, UPDATE and DELETE",
            rs_ctx_name(ctx, &st->rel), tables, n > 1 ? "each table" : "the table",
            n > 1 ? "their" : "its");
}

const struct rs_rule rs_rule_domain_constraint = {
    .name = "domain-constraint",
    .cls = RS_CLASS_LOCK,
    .severity = RS_SEV_WARNING,
    .summary = "a domain constraint is checked against every table that uses the domain",
    .catches = "ALTER DOMAIN ... ADD CONSTRAINT without NOT VALID, and ALTER DOMAIN ... SET NOT "
               "NULL, on a domain that columns of existing tables use. (A domain with "
               "constraints also makes ADD COLUMN of that type rewrite the table: "
               "add-column-rewrite.)",
    .n1_failure = "None by itself: writes to every table using the domain wait for the scans; "
                  "the previous version's writes that violate the constraint are rejected "
                  "afterwards (new-write-restriction).",
    .alternative = "ALTER DOMAIN ... ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT in a "
                   "later migration at a quiet time; or put a CHECK on each table instead, which "
                   "can be validated under SHARE UPDATE EXCLUSIVE.",
    .versions = "Checked on PostgreSQL 15: ADD CONSTRAINT and also VALIDATE CONSTRAINT take "
                "SHARE on each table with a column of the domain (a table's VALIDATE takes only "
                "SHARE UPDATE EXCLUSIVE). NOT VALID domain constraints exist since 9.2.",
    .bad = "ALTER DOMAIN email ADD CONSTRAINT email_has_at CHECK (VALUE LIKE '%@%');",
    .good = "ALTER DOMAIN email ADD CONSTRAINT email_has_at CHECK (VALUE LIKE '%@%') NOT VALID;",
    .check = check,
};
