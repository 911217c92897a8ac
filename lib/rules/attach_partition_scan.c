/*
 * attach_partition_scan.c - ATTACH PARTITION of a table that holds rows scans it under ACCESS
 * EXCLUSIVE to check the partition bound, unless a valid CHECK constraint already implies it.
 * Before PostgreSQL 12 the partitioned table itself is locked ACCESS EXCLUSIVE as well.
 */
#include "scan.h"

static bool has_valid_check(const struct rs_relation *p)
{
    for (size_t i = 0; p && i < p->constraints.n; i++)
        if (p->constraints.v[i].kind == RS_CON_CHECK && p->constraints.v[i].validated)
            return true;
    return false;
}

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_alter_cmd *c = ctx->cmd;
    if (!c || c->kind != RS_AT_ATTACH_PARTITION)
        return;
    const struct rs_relation *parent = rs_ctx_rel(ctx);
    const struct rs_relation *part = rs_model_rel(ctx->model, &c->partition);
    bool parent_existing = rs_ctx_existing(ctx, parent);
    bool scan = rs_existed_at_start(ctx, &c->partition) && !has_valid_check(part);
    if (ctx->pg_version < 12 && parent_existing)
        rs_emit(ctx, c->location,
                scan ? NULL
                     : "before PostgreSQL 12 no form of ATTACH PARTITION avoids this lock: set a "
                       "short lock_timeout and attach at a quiet time",
                "attaches %s to %s: before PostgreSQL 12 this takes %s%s",
                rs_ctx_name(ctx, &c->partition), rs_ctx_name(ctx, &ctx->st->rel),
                rs_lock_phrase(ctx, NULL),
                scan ? ", for as long as the partition is scanned to check its bound" : "");
    else if (scan)
        rs_emit(ctx, c->location, NULL,
                "attaches %s to %s: the partition is scanned to check its bound under ACCESS "
                "EXCLUSIVE on %s (and %s), because no valid CHECK constraint on it implies the "
                "bound",
                rs_ctx_name(ctx, &c->partition), rs_ctx_name(ctx, &ctx->st->rel),
                rs_ctx_name(ctx, &c->partition), rs_lock_phrase(ctx, NULL));
}

const struct rs_rule rs_rule_attach_partition_scan = {
    .name = "attach-partition-scan",
    .cls = RS_CLASS_LOCK,
    .severity = RS_SEV_WARNING,
    .summary = "ATTACH PARTITION scans the partition under ACCESS EXCLUSIVE",
    .catches = "ALTER TABLE ... ATTACH PARTITION of a table that existed before the migration "
               "and has no valid CHECK constraint (one that implies the partition bound lets "
               "PostgreSQL skip the scan). With --pg-version 11, every ATTACH to an existing "
               "partitioned table: the parent is locked ACCESS EXCLUSIVE.",
    .n1_failure = "None by itself: queries of the partition (and, before PostgreSQL 12, of the "
                  "whole partitioned table) wait for the scan.",
    .alternative = "Before attaching, ADD CONSTRAINT ... CHECK (the bound) NOT VALID on the table "
                   "and VALIDATE it (SHARE UPDATE EXCLUSIVE); then ATTACH PARTITION skips the "
                   "scan; drop the CHECK afterwards. A DEFAULT partition is scanned too unless a "
                   "CHECK on it excludes the new bound.",
    .versions = "PostgreSQL 12+: SHARE UPDATE EXCLUSIVE on the partitioned table, ACCESS "
                "EXCLUSIVE on the partition (and on a DEFAULT partition). PostgreSQL 11: ACCESS "
                "EXCLUSIVE on the partitioned table too.",
    .bad = "ALTER TABLE measurements ATTACH PARTITION measurements_2021\n"
           "    FOR VALUES FROM ('2021-01-01') TO ('2022-01-01');",
    .good = "ALTER TABLE measurements_2021 ADD CONSTRAINT bound_2021\n"
            "    CHECK (d >= '2021-01-01' AND d < '2022-01-01') NOT VALID;\n"
            "ALTER TABLE measurements_2021 VALIDATE CONSTRAINT bound_2021;\n"
            "ALTER TABLE measurements ATTACH PARTITION measurements_2021\n"
            "    FOR VALUES FROM ('2021-01-01') TO ('2022-01-01');",
    .check = check,
};
