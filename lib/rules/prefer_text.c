/*
 * prefer_text.c - varchar(n) columns (opt-in style rule): a length limit in the type can only be
 * lowered by a type change (a scan or rewrite under ACCESS EXCLUSIVE); a CHECK on length can be
 * changed NOT VALID and validated without blocking.
 */
#include <string.h>

#include "scan.h"

static void column(struct rs_rule_ctx *ctx, const char *name, const struct rs_type *t,
                   const struct rs_column_def *def, int location)
{
    (void)def;
    if (!t->name || strcmp(t->name, "varchar") || t->mod1 == RS_TYPMOD_NONE ||
        !rs_type_is_builtin(t))
        return;
    rs_emit(ctx, location, NULL,
            "%s.%s is %s: the limit lives in the type, so lowering it later means a type change "
            "under ACCESS EXCLUSIVE; text with a CHECK on length can change without blocking",
            rs_ctx_name(ctx, &ctx->st->rel), name, rs_ctx_type(ctx, t));
}

static void check(struct rs_rule_ctx *ctx)
{
    rs_each_new_column(ctx, column);
}

const struct rs_rule rs_rule_prefer_text = {
    .name = "prefer-text",
    .cls = RS_CLASS_HYGIENE,
    .severity = RS_SEV_INFO,
    .opt_in = true,
    .summary = "a varchar(n) column instead of text (opt-in style rule)",
    .catches = "character varying(n) columns in CREATE TABLE, ADD COLUMN or ALTER COLUMN ... "
               "TYPE.",
    .n1_failure = "None now; narrowing the limit later breaks the previous version's longer "
                  "writes (narrow-column-type) and needs ACCESS EXCLUSIVE.",
    .alternative = "text, with CHECK (length(c) <= n) when a limit matters: the CHECK can be "
                   "replaced NOT VALID and validated under SHARE UPDATE EXCLUSIVE.",
    .versions = "Raising a varchar limit or removing it is free in every version; lowering it "
                "is not.",
    .bad = "CREATE TABLE users (name varchar(100));",
    .good = "CREATE TABLE users (name text CHECK (length(name) <= 100));",
    .check = check,
};
