/*
 * narrow_column_type.c - failure mode 2: a column type change that some old values, or some of
 * the previous version's writes, no longer fit.
 *
 * Judged from the real old type in the schema model: varchar(255) -> varchar(100), int8 ->
 * int4, numeric(12,2) -> numeric(10,2), text -> an enum, an enum -> a new enum without some of
 * its labels (how Prisma removes one). A widening (varchar(50) -> varchar(255), int4 -> int8,
 * an enum -> one with every label and more) is not flagged here.
 */
#include "common.h"

static void check(struct rs_rule_ctx *ctx)
{
    if (!ctx->cmd || ctx->cmd->kind != RS_AT_ALTER_TYPE || !ctx->cmd->has_type)
        return;
    const struct rs_relation *r = rs_ctx_rel(ctx);
    if (!rs_ctx_existing(ctx, r))
        return;
    const struct rs_column *col = rs_cmd_column(ctx);
    if (col && rs_column_is_new(ctx, col))
        return;
    const char *table = rs_ctx_name(ctx, &ctx->st->rel);
    const char *to = rs_ctx_type(ctx, &ctx->cmd->type);
    if (!col) {
        if (r && r->complete)
            return; /* no such column: statement-fails */
        rs_emit(ctx, ctx->cmd->location, NULL,
                "changes %s.%s to %s, but its old type is unknown to rollsafe (the column was "
                "not created by these migrations), so it cannot prove the change is a widening",
                table, ctx->cmd->column, to);
        return;
    }
    struct rs_type_change tc;
    if (!rs_cmd_type_change(ctx, col, &tc) || tc.same || !(tc.narrows || !tc.known))
        return;
    rs_emit(ctx, ctx->cmd->location, NULL,
            "narrows %s.%s: %s; the previous application version's writes of such values are "
            "rejected, and existing rows that do not fit make the migration fail",
            table, ctx->cmd->column, tc.reason);
}

const struct rs_rule rs_rule_narrow_column_type = {
    .name = "narrow-column-type",
    .cls = RS_CLASS_BREAKS,
    .failure_mode = 2,
    .severity = RS_SEV_ERROR,
    .breaks_previous = true,
    .summary = "a column type is narrowed",
    .catches = "ALTER COLUMN ... TYPE to a type that does not hold every value of the old one: a "
               "shorter varchar, a smaller integer, a numeric with less precision, text to a "
               "number, date, uuid or enum, an enum to a new enum that lacks some of its labels "
               "(the way Prisma removes a label; the message names the labels lost). The old "
               "type comes from the schema model, so a real widening (varchar(50) to "
               "varchar(255), integer to bigint, varchar to text, an enum to one with every "
               "label and more) is not flagged. A change rollsafe has no rule for is flagged "
               "too: it cannot prove it is a widening.",
    .n1_failure = "Version N-1 keeps writing values that were valid before: `value too long for "
                  "type character varying(50)`, `smallint out of range`, `invalid input syntax`. "
                  "The errors appear only after a rollback, or on the old instances of a rolling "
                  "deploy.",
    .alternative = "Make version N write only values that fit and deploy it; add a CHECK "
                   "constraint that expresses the limit (NOT VALID, then VALIDATE CONSTRAINT) so "
                   "that violations show up without a rewrite; change the type in a later "
                   "release. For a real change of representation use a new column: add it, "
                   "dual-write with a trigger, backfill in batches, switch reads, drop the old "
                   "column later.",
    .versions = "An ALTER TYPE uses the assignment cast, so a too-long varchar makes the ALTER "
                "fail (an explicit ::varchar(n) cast in USING truncates silently instead). A "
                "narrowing rewrites the table under ACCESS EXCLUSIVE in every version, since every "
                "value must be checked (column-type-rewrite).",
    .bad = "ALTER TABLE users ALTER COLUMN username TYPE varchar(50);  -- was varchar(255)",
    .good = "ALTER TABLE users ADD CONSTRAINT username_len CHECK (length(username) <= 50) NOT VALID;\n"
            "ALTER TABLE users VALIDATE CONSTRAINT username_len;  -- in a later migration",
    .check = check,
};
