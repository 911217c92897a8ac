/*
 * validate_same_transaction.c - VALIDATE CONSTRAINT in the same transaction as the ADD
 * CONSTRAINT ... NOT VALID: the ADD's lock is still held during the validation scan, so NOT
 * VALID gains nothing.
 */
#include <string.h>

#include "scan.h"

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_alter_cmd *c = ctx->cmd;
    if (!c || c->kind != RS_AT_VALIDATE_CONSTRAINT || !c->name || !ctx->in_tx)
        return;
    const struct rs_stmt_list *l = ctx->mig->stmts;
    for (size_t i = rs_tx_start(ctx); i <= rs_stmt_pos(ctx); i++) {
        const struct rs_stmt *e = &l->v[i];
        if (e->kind != RS_STMT_ALTER_TABLE || !rs_same_rel(ctx, &e->rel, &ctx->st->rel))
            continue;
        for (size_t k = 0; k < e->ncmds && (e != ctx->st || &e->cmds[k] < c); k++) {
            const struct rs_constraint_def *d = e->cmds[k].constraint;
            if (e->cmds[k].kind != RS_AT_ADD_CONSTRAINT || !d || !d->not_valid || !d->name ||
                strcmp(d->name, c->name))
                continue;
            const struct rs_lock_fact *f = rs_lock_fact_for(e, &e->cmds[k], ctx->pg_version);
            if (!rs_existed_at_start(ctx, &ctx->st->rel))
                return;
            rs_emit(ctx, c->location, NULL,
                    "validates %s in the same transaction that added it NOT VALID (line %d): "
                    "the validation scan runs while the transaction still holds %s, so NOT VALID "
                    "gains nothing",
                    c->name, e->line, rs_lock_words(ctx, f, &ctx->st->rel));
            return;
        }
    }
}

const struct rs_rule rs_rule_validate_same_transaction = {
    .name = "validate-same-transaction",
    .cls = RS_CLASS_LOCK,
    .severity = RS_SEV_WARNING,
    .summary = "VALIDATE CONSTRAINT in the same transaction as its ADD ... NOT VALID",
    .catches = "ALTER TABLE ... VALIDATE CONSTRAINT of a constraint added NOT VALID earlier in "
               "the same transaction, on a table that existed before the migration.",
    .n1_failure = "None by itself: the table stays locked (ACCESS EXCLUSIVE for a CHECK, SHARE "
                  "ROW EXCLUSIVE on both tables for a foreign key) for the whole validation "
                  "scan.",
    .alternative = "Commit the ADD CONSTRAINT ... NOT VALID first; VALIDATE CONSTRAINT in a "
                   "separate transaction (a later migration), where it only takes SHARE UPDATE "
                   "EXCLUSIVE.",
    .versions = "Same in every version.",
    .bad = "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id)\n"
           "    REFERENCES users NOT VALID;\n"
           "ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;",
    .good = "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id)\n"
            "    REFERENCES users NOT VALID;\n"
            "-- next migration:\nALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;",
    .check = check,
};
