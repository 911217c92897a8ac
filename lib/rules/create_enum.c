/*
 * create_enum.c - a new enum type (opt-in style rule).
 *
 * Values can be added to an enum but never removed or reordered without a new type and a
 * rewrite of every table using it, and each addition is an add-enum-value hazard.
 */
#include "scan.h"

static void check(struct rs_rule_ctx *ctx)
{
    if (ctx->st->kind != RS_STMT_CREATE_ENUM)
        return;
    rs_emit(ctx, -1, NULL,
            "creates enum %s: values can be added later but never removed, and each addition "
            "reaches a previous application version that does not know it; a lookup table "
            "with a foreign key (or a CHECK) changes more easily in both directions",
            rs_ctx_name(ctx, &ctx->st->rel));
}

const struct rs_rule rs_rule_create_enum = {
    .name = "create-enum",
    .cls = RS_CLASS_HYGIENE,
    .severity = RS_SEV_INFO,
    .opt_in = true,
    .summary = "a new enum type (opt-in style rule)",
    .catches = "CREATE TYPE ... AS ENUM. Opt-in: enums are a legitimate choice for value sets "
               "that do not change.",
    .n1_failure = "None now; later, each ADD VALUE is an add-enum-value hazard and no value can "
                  "be taken out again.",
    .alternative = "A lookup table (status text PRIMARY KEY) referenced by a foreign key, or a "
                   "text column with a CHECK constraint: both can gain and lose values with "
                   "ordinary migrations.",
    .versions = "Same in every version: PostgreSQL has no ALTER TYPE ... DROP VALUE.",
    .bad = "CREATE TYPE order_status AS ENUM ('new', 'paid');",
    .good = "CREATE TABLE order_statuses (status text PRIMARY KEY);\n"
            "INSERT INTO order_statuses VALUES ('new'), ('paid');",
    .check = check,
};
