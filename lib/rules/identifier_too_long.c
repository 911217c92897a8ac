/*
 * identifier_too_long.c - a name longer than 63 bytes, which PostgreSQL truncates silently
 * (with a NOTICE) when it creates the object.
 *
 * Only names the statement creates are checked (tables, columns, constraints, indexes,
 * triggers, views, types, functions, sequences, schemas, and the new name of a rename), so a
 * long name is reported once, where it is introduced.
 */
#include <string.h>

#include "scan.h"

/* The length PostgreSQL keeps: RS_NAME_MAX bytes, without splitting a UTF-8 character. */
static size_t clip(const char *s)
{
    size_t n = strlen(s);
    if (n <= RS_NAME_MAX)
        return n;
    n = RS_NAME_MAX;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

static bool created(const struct rs_stmt *st, const struct rs_alter_cmd *cmd, const char *t,
                    size_t n)
{
#define IS(name) ((name) && strlen(name) == n && !strncmp((name), t, n))
    if (cmd)
        return IS(cmd->column) || IS(cmd->name) || (cmd->coldef && IS(cmd->coldef->name));
    switch (st->kind) {
    case RS_STMT_RENAME:
        return IS(st->newname);
    case RS_STMT_CREATE_INDEX:
        return IS(st->index_name);
    case RS_STMT_CREATE_TRIGGER:
        return IS(st->trigger_name);
    case RS_STMT_CREATE_TABLE:
        for (size_t i = 0; i < st->ncolumns; i++)
            if (IS(st->columns[i].name))
                return true;
        for (size_t i = 0; i < st->nconstraints; i++)
            if (IS(st->constraints[i].name))
                return true;
        return IS(st->rel.name);
    case RS_STMT_CREATE_TABLE_AS:
    case RS_STMT_CREATE_MATVIEW:
    case RS_STMT_CREATE_VIEW:
    case RS_STMT_CREATE_ENUM:
    case RS_STMT_CREATE_TYPE:
    case RS_STMT_CREATE_DOMAIN:
    case RS_STMT_CREATE_SEQUENCE:
    case RS_STMT_CREATE_FUNCTION:
    case RS_STMT_CREATE_SCHEMA:
    case RS_STMT_CREATE_POLICY:
        return IS(st->rel.name);
    default:
        return false;
    }
#undef IS
}

static void check(struct rs_rule_ctx *ctx)
{
    const struct rs_stmt *st = ctx->st;
    const struct rs_source *src = ctx->mig->migration ? ctx->mig->migration->up.src : NULL;
    if (!src || st->syntax_error || (ctx->cmd && ctx->cmd != &st->cmds[0]))
        return;
    const char **ids;
    size_t n = rs_sql_long_identifiers(rs_ctx_arena(ctx), src->text + st->offset, st->len, &ids);
    for (size_t i = 0; i < n; i++) {
        bool dup = false;
        for (size_t k = 0; k < i && !dup; k++)
            dup = !strcmp(ids[k], ids[i]);
        size_t keep = clip(ids[i]);
        bool made = created(st, NULL, ids[i], keep);
        for (size_t k = 0; k < st->ncmds && !made; k++)
            made = created(st, &st->cmds[k], ids[i], keep);
        if (dup || !made)
            continue;
        rs_emit(ctx, -1, NULL,
                "%s is %zu bytes long: PostgreSQL silently truncates it to %.*s, so two names "
                "that share their first %d bytes collide, and code that compares the full name "
                "with the catalog does not find it",
                ids[i], strlen(ids[i]), (int)keep, ids[i], RS_NAME_MAX);
    }
}

const struct rs_rule rs_rule_identifier_too_long = {
    .name = "identifier-too-long",
    .cls = RS_CLASS_HYGIENE,
    .severity = RS_SEV_WARNING,
    .summary = "a name longer than 63 bytes is truncated",
    .catches = "A table, column, constraint, index, trigger, view, type, function, sequence or "
               "schema created (or renamed) with a name longer than 63 bytes.",
    .n1_failure = "None directly; later migrations and tools that use the full name (a down "
                  "migration that drops the constraint by its full name in a catalog query, an "
                  "ORM that compares names) do not find the object.",
    .alternative = "Keep names at 63 bytes or less; name constraints and indexes explicitly "
                   "instead of letting long generated names be cut.",
    .versions = "Same in every version (NAMEDATALEN is 64 in standard builds).",
    .bad = "ALTER TABLE subscriptions ADD CONSTRAINT\n"
           "    subscriptions_customer_id_plan_id_started_at_ended_at_unique_key\n"
           "    UNIQUE (customer_id, plan_id, started_at, ended_at);",
    .good = "ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_period_key\n"
            "    UNIQUE (customer_id, plan_id, started_at, ended_at);",
    .check = check,
};
