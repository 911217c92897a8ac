/*
 * json_column.c - a column of type json rather than jsonb.
 *
 * json has no equality operator: once a table has a json column, SELECT DISTINCT, UNION and
 * GROUP BY over its whole rows fail, including those of the previous version when the column is
 * added to a table it reads. jsonb compares, indexes and deduplicates keys.
 */
#include <string.h>

#include "scan.h"

static void column(struct rs_rule_ctx *ctx, const char *name, const struct rs_type *t,
                   const struct rs_column_def *def, int location)
{
    (void)def;
    if (!t->name || strcmp(t->name, "json") || !rs_type_is_builtin(t))
        return;
    rs_emit(ctx, location, NULL,
            "%s.%s is json, not jsonb: json has no equality operator, so SELECT DISTINCT, UNION "
            "and GROUP BY over the table's rows fail (`could not identify an equality operator "
            "for type json`), and it cannot be indexed with GIN",
            rs_ctx_name(ctx, &ctx->st->rel), name);
}

static void check(struct rs_rule_ctx *ctx)
{
    rs_each_new_column(ctx, column);
}

const struct rs_rule rs_rule_json_column = {
    .name = "json-column",
    .cls = RS_CLASS_HYGIENE,
    .severity = RS_SEV_WARNING,
    .summary = "a json column instead of jsonb",
    .catches = "A column of type json in CREATE TABLE, ADD COLUMN or ALTER COLUMN ... TYPE.",
    .n1_failure = "When the column is added to a table the previous version reads with SELECT "
                  "DISTINCT or UNION over whole rows, those queries fail: `could not identify an "
                  "equality operator for type json`.",
    .alternative = "Use jsonb (it compares, can be indexed with GIN, and drops duplicate keys); "
                   "keep json only when the exact text, key order and duplicates must be kept.",
    .versions = "Same in every version.",
    .bad = "ALTER TABLE events ADD COLUMN payload json;",
    .good = "ALTER TABLE events ADD COLUMN payload jsonb;",
    .check = check,
};
