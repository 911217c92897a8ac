/*
 * multiple_alter_table.c - the same existing table altered by several ALTER TABLE statements
 * of one migration (opt-in): each takes its lock (and does its scan or rewrite) again, where
 * one statement with several actions would take it once.
 */
#include "scan.h"

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_stmt *st = ctx->st;
    if (!ctx->cmd || ctx->cmd != &st->cmds[0] || st->obj_kind != RS_OBJ_TABLE || !st->rel.name ||
        !rs_existed_at_start(ctx, &st->rel) ||
        rs_stmt_lock(ctx, st, NULL)->mode != RS_LM_ACCESS_EXCLUSIVE)
        return;
    const struct rs_stmt_list *l = ctx->mig->stmts;
    for (size_t i = 0; i < rs_stmt_pos(ctx); i++) {
        const struct rs_stmt *e = &l->v[i];
        if (e->kind != RS_STMT_ALTER_TABLE || !rs_same_rel(ctx, &e->rel, &st->rel) ||
            rs_stmt_lock(ctx, e, NULL)->mode != RS_LM_ACCESS_EXCLUSIVE)
            continue;
        rs_emit(ctx, -1, NULL,
                "alters %s again (first at line %d): each ALTER TABLE waits for and takes ACCESS "
                "EXCLUSIVE on its own, and does its own scan or rewrite; one ALTER TABLE with "
                "several actions does it once",
                rs_ctx_name(ctx, &st->rel), e->line);
        return;
    }
}

const struct rs_rule rs_rule_multiple_alter_table = {
    .name = "multiple-alter-table",
    .cls = RS_CLASS_LOCK,
    .severity = RS_SEV_INFO,
    .opt_in = true,
    .summary = "one existing table altered by several ALTER TABLE statements (opt-in)",
    .catches = "A second (third, ...) ALTER TABLE taking ACCESS EXCLUSIVE on the same existing "
               "table in one migration. Opt-in: when the actions are catalog-only, the extra "
               "lock acquisitions are brief.",
    .n1_failure = "None by itself: queries of the table queue once per statement instead of "
                  "once.",
    .alternative = "Combine the actions: ALTER TABLE t ADD COLUMN a ..., ADD COLUMN b ..., ALTER "
                   "COLUMN c TYPE ...; PostgreSQL then rewrites or scans the table at most once.",
    .versions = "Same in every version.",
    .bad = "ALTER TABLE users ADD COLUMN a int;\nALTER TABLE users ADD COLUMN b int;",
    .good = "ALTER TABLE users ADD COLUMN a int, ADD COLUMN b int;",
    .check = check,
};
