/*
 * drop_trigger.c - a trigger stops running: DROP TRIGGER, or ALTER TABLE ... DISABLE TRIGGER.
 *
 * A trigger does work for every write of every application version: an audit row, a derived
 * column, the other half of a dual-write bridge. Triggers created again (or enabled again)
 * later in the same migration are not flagged.
 */
#include "scan.h"

static void flag(struct rs_rule_ctx *ctx, const char *name, const char *verb)
{
    const struct rs_qname *table = &ctx->st->rel;
    if (!rs_existed_at_start(ctx, table))
        return;
    if (name && !rs_model_trigger(ctx->mig->start, table, name) &&
        (ctx->st->if_exists || !ctx->mig->start->uncertain))
        return; /* new in this migration, or not there at all */
    if (rs_created_later(ctx, RS_OBJ_TRIGGER, name, table->name) ||
        rs_dropped_later(ctx, table->name, NULL, 0))
        return;
    rs_emit(ctx, ctx->cmd ? ctx->cmd->location : -1, NULL,
            "%s %s on %s: whatever it does on each write (an audit row, a derived column, "
            "keeping a renamed column in sync) stops for the previous application version too",
            verb, name ? arena_printf(rs_ctx_arena(ctx), "trigger %s", name) : "every trigger",
            rs_ctx_name(ctx, table));
}

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_stmt *st = ctx->st;
    if (ctx->cmd) {
        if (ctx->cmd->kind == RS_AT_DISABLE_TRIGGER)
            flag(ctx, ctx->cmd->name, "disables");
        return;
    }
    if (st->kind != RS_STMT_DROP || st->obj_kind != RS_OBJ_TRIGGER)
        return;
    for (size_t i = 0; i < st->nobjects; i++)
        flag(ctx, st->objects[i].name, "drops");
}

const struct rs_rule rs_rule_drop_trigger = {
    .name = "drop-trigger",
    .cls = RS_CLASS_BREAKS,
    .severity = RS_SEV_WARNING,
    .breaks_previous = true,
    .summary = "a trigger the previous version relies on stops running",
    .catches = "DROP TRIGGER, and ALTER TABLE ... DISABLE TRIGGER, of a trigger that existed "
               "before the migration, unless the same migration creates or enables it again.",
    .n1_failure = "Version N-1 counts on the database to do something on each write: the audit "
                  "rows, derived columns or the synchronisation of a renamed column stop; its "
                  "reads then see stale or missing data.",
    .alternative = "Move the trigger's work into version N first (or keep the trigger until no "
                   "running version needs it); drop it in a later release. To change a trigger, "
                   "drop and create it in the same migration (or CREATE OR REPLACE TRIGGER, "
                   "PostgreSQL 14+).",
    .versions = "DROP TRIGGER takes ACCESS EXCLUSIVE; ENABLE/DISABLE TRIGGER takes SHARE ROW "
                "EXCLUSIVE. CREATE OR REPLACE TRIGGER exists from PostgreSQL 14.",
    .bad = "DROP TRIGGER users_sync_name ON users;",
    .good = "-- release N writes both columns itself; release N+1:\n"
            "DROP TRIGGER IF EXISTS users_sync_name ON users;",
    .check = check,
};
