/*
 * prisma.c - Prisma Migrate: migrations/<timestamp>_<name>/migration.sql, plus
 * migration_lock.toml naming the database provider.
 *
 * Directories run in byte order of their names, as Prisma sorts them. Prisma sends each
 * migration.sql as one simple-query message: PostgreSQL runs it as one implicit transaction
 * unless the script has its own BEGIN/COMMIT (RS_TX_IMPLICIT). Prisma has no down migrations.
 * migration_lock.toml is only read for its provider: a lock for another database is reported.
 */
#include <stdlib.h>
#include <string.h>

#include "layout_int.h"
#include "util/arena.h"

static int name_cmp(const void *pa, const void *pb)
{
    const struct layout_entry *a = pa, *b = pb;
    return strcmp(a->name, b->name);
}

static bool has_migration_sql(struct rs_layout_ctx *ctx, const struct layout_entry *e)
{
    return e->kind == LAYOUT_DIR &&
           layout_exists(ctx, arena_join(ctx->arena, e->rel, "/", "migration.sql"), LAYOUT_FILE);
}

static int prisma_detect(struct rs_layout_ctx *ctx, int wins_at)
{
    struct layout_entries e = {0};
    if (wins_at > 100 || layout_list(ctx, "", true, &e) < 0)
        return 0;
    for (size_t i = 0; i < e.n; i++)
        if (e.v[i].kind == LAYOUT_FILE && strcmp(e.v[i].name, "migration_lock.toml") == 0)
            return 100;
    if (wins_at > 90)
        return 0;
    for (size_t i = 0; i < e.n; i++) {
        if (has_migration_sql(ctx, &e.v[i])) {
            /* Drizzle's newer layout has the same shape, with a snapshot.json next to it. */
            bool snapshots = layout_exists(
                ctx, arena_join(ctx->arena, e.v[i].rel, "/", "snapshot.json"), LAYOUT_FILE);
            return snapshots ? 50 : 90;
        }
    }
    return 0;
}

/* Reports a migration_lock.toml whose provider is not PostgreSQL. */
static void check_lock(struct rs_layout_ctx *ctx)
{
    if (!layout_exists(ctx, "migration_lock.toml", LAYOUT_FILE))
        return;
    const struct rs_source *src = layout_read(ctx, layout_join(ctx, "migration_lock.toml"));
    if (!src)
        return;
    const char *t = src->text;
    struct layout_line l;
    for (size_t pos = 0; layout_next_line(src, &pos, &l);) {
        size_t p = layout_skip_space(t, l.begin, l.end);
        if (l.end - p < 8 || strncmp(t + p, "provider", 8) != 0)
            continue;
        p = layout_skip_space(t, p + 8, l.end);
        if (p == l.end || t[p] != '=')
            continue;
        p = layout_skip_space(t, p + 1, l.end);
        if (p == l.end || t[p] != '"')
            continue;
        size_t b = p + 1, e = b;
        while (e < l.end && t[e] != '"')
            e++;
        if ((e - b == 10 && strncmp(t + b, "postgresql", 10) == 0) ||
            (e - b == 11 && strncmp(t + b, "cockroachdb", 11) == 0))
            return;
        layout_error_at(
            ctx, src, b, "rollsafe checks PostgreSQL migrations; point it at a PostgreSQL project",
            "the migrations are for provider \"%.*s\", not PostgreSQL", (int)(e - b), t + b);
        return;
    }
}

static int prisma_load(struct rs_layout_ctx *ctx, struct rs_migration_list *out)
{
    struct layout_entries e = {0};
    if (layout_list(ctx, "", false, &e) < 0)
        return -1;
    check_lock(ctx);
    layout_sort(e.v, e.n, sizeof(*e.v), name_cmp);
    for (size_t i = 0; i < e.n; i++) {
        if (e.v[i].kind != LAYOUT_DIR)
            continue;
        /* Not looked up first: the open that reads it says whether it is there, in whichever
           thread parses it when the reads are deferred. */
        struct rs_missing *none = arena_alloc(ctx->arena, sizeof(*none));
        *none = (struct rs_missing){
            .path = e.v[i].path,
            .message = "migration directory without migration.sql",
            .hint = "a Prisma migration directory holds migration.sql; add it, or remove or "
                    "exclude the directory"};
        const struct rs_source *src = layout_read_whole_at(
            ctx, arena_join(ctx->arena, e.v[i].rel, "/", "migration.sql"), none);
        if (!src)
            continue;
        struct rs_migration *m = layout_push(ctx, out, &rs_layout_prisma);
        layout_split_id(ctx, e.v[i].name, &m->id, &m->name);
        rs_script_whole(&m->up, src);
        m->up_tx = m->down_tx = RS_TX_IMPLICIT;
    }
    return 0;
}

const struct rs_layout rs_layout_prisma = {
    .name = "prisma",
    .description = "<timestamp>_<name>/migration.sql; each one implicit transaction, no downs",
    .detect = prisma_detect,
    .detect_cost = 2,
    .load = prisma_load,
};
