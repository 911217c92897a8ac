/*
 * drop_sequence.c - a sequence the previous version may use is dropped.
 */
#include "scan.h"

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_stmt *st = ctx->st;
    if (st->kind != RS_STMT_DROP || st->obj_kind != RS_OBJ_SEQUENCE)
        return;
    for (size_t i = 0; i < st->nobjects; i++) {
        const struct rs_sequence *s = rs_model_sequence(ctx->model, &st->objects[i]);
        if (!s && (st->if_exists || !ctx->model->uncertain))
            continue;
        if ((s && s->created_mig == ctx->mig->index) ||
            rs_created_later(ctx, RS_OBJ_SEQUENCE, st->objects[i].name, NULL))
            continue;
        rs_emit(ctx, -1, NULL,
                "drops sequence %s: the previous application version's nextval('%s') and "
                "defaults that use it fail, and its position is lost (a down migration that "
                "creates it again starts at 1 and hands out ids that already exist)",
                rs_ctx_name(ctx, s ? &s->name : &st->objects[i]), st->objects[i].name);
    }
}

const struct rs_rule rs_rule_drop_sequence = {
    .name = "drop-sequence",
    .cls = RS_CLASS_BREAKS,
    .severity = RS_SEV_WARNING,
    .breaks_previous = true,
    .summary = "a sequence the previous version may use is dropped",
    .catches = "DROP SEQUENCE of a sequence that existed before the migration and is not "
               "created again later in the same migration.",
    .n1_failure = "Version N-1 calls nextval() on it, or inserts into a table whose default "
                  "used it: `relation ... does not exist`. A down migration must also restore the "
                  "position (setval to the largest id in use), or it hands out duplicates.",
    .alternative = "Stop using the sequence in version N and deploy it; drop it in a later "
                   "release. Record its last value for the down migration (SELECT last_value).",
    .versions = "Same in every version. A serial or identity column's sequence is dropped with "
                "its column, not by DROP SEQUENCE.",
    .bad = "DROP SEQUENCE invoice_number_seq;",
    .good = "-- release N no longer calls nextval('invoice_number_seq'); release N+1:\n"
            "DROP SEQUENCE IF EXISTS invoice_number_seq;",
    .check = check,
};
