/*
 * avoid_char.c - char(n) columns (opt-in style rule): blank-padded, compared ignoring the
 * padding, and no faster than text.
 */
#include <string.h>

#include "scan.h"

static void column(struct rs_rule_ctx *ctx, const char *name, const struct rs_type *t,
                   const struct rs_column_def *def, int location)
{
    (void)def;
    if (!t->name || strcmp(t->name, "bpchar") || !rs_type_is_builtin(t))
        return;
    rs_emit(ctx, location, NULL,
            "%s.%s is %s: values are padded with blanks to the full length, trailing blanks are "
            "ignored in comparisons and dropped on the way to text",
            rs_ctx_name(ctx, &ctx->st->rel), name, rs_ctx_type(ctx, t));
}

static void check(struct rs_rule_ctx *ctx)
{
    rs_each_new_column(ctx, column);
}

const struct rs_rule rs_rule_avoid_char = {
    .name = "avoid-char",
    .cls = RS_CLASS_HYGIENE,
    .severity = RS_SEV_INFO,
    .opt_in = true,
    .summary = "a char(n) column (opt-in style rule)",
    .catches = "character(n) / char(n) columns in CREATE TABLE, ADD COLUMN or ALTER COLUMN ... "
               "TYPE.",
    .n1_failure = "None.",
    .alternative = "text (with a CHECK on the length if it matters); char(n) is not faster in "
                   "PostgreSQL.",
    .versions = "Same in every version.",
    .bad = "CREATE TABLE countries (code char(2) PRIMARY KEY);",
    .good = "CREATE TABLE countries (code text PRIMARY KEY CHECK (length(code) = 2));",
    .check = check,
};
