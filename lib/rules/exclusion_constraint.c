/*
 * exclusion_constraint.c - ADD CONSTRAINT ... EXCLUDE on a table that holds rows: the index is
 * built under ACCESS EXCLUSIVE, and PostgreSQL has no NOT VALID or USING INDEX form for it.
 */
#include "scan.h"

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_alter_cmd *c = ctx->cmd;
    if (!c || c->kind != RS_AT_ADD_CONSTRAINT || !c->constraint ||
        c->constraint->kind != RS_CON_EXCLUSION)
        return;
    const struct rs_relation *r = rs_ctx_rel(ctx);
    if (!rs_ctx_existing(ctx, r))
        return;
    rs_emit(ctx, c->constraint->location, NULL,
            "adds exclusion constraint %s to %s: its index is built and every row checked under "
            "%s, and there is no NOT VALID or USING INDEX way around it",
            c->constraint->name ? c->constraint->name : "(unnamed)",
            rs_ctx_name(ctx, &ctx->st->rel), rs_lock_phrase(ctx, NULL));
}

const struct rs_rule rs_rule_exclusion_constraint = {
    .name = "exclusion-constraint",
    .cls = RS_CLASS_LOCK,
    .severity = RS_SEV_WARNING,
    .summary = "an exclusion constraint is added to an existing table",
    .catches = "ALTER TABLE ... ADD CONSTRAINT ... EXCLUDE on a table that existed before the "
               "migration.",
    .n1_failure = "None by itself: every read and write of the table waits for the build; the "
                  "previous version's writes that conflict are rejected afterwards "
                  "(new-write-restriction).",
    .alternative = "Set a short lock_timeout and run it when the table is quiet, accepting the "
                   "lock for the duration of the build; or create a new table with the "
                   "constraint, copy the rows in batches, and swap the tables.",
    .versions = "Same in every version: exclusion constraints cannot be added NOT VALID or USING "
                "INDEX.",
    .bad = "ALTER TABLE bookings ADD CONSTRAINT no_overlap\n"
           "    EXCLUDE USING gist (room_id WITH =, during WITH &&);",
    .good = "SET lock_timeout = '2s';\n"
            "-- rollsafe:approve exclusion-constraint reason=\"table is small; quiet hours\"\n"
            "ALTER TABLE bookings ADD CONSTRAINT no_overlap\n"
            "    EXCLUDE USING gist (room_id WITH =, during WITH &&);",
    .check = check,
};
