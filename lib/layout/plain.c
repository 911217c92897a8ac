/*
 * plain.c - the fallback layout: every *.sql file of the directory is one forward migration, in
 * natural order ("2_x.sql" before "10_x.sql", "0009-x.sql" before "00010-y.sql").
 *
 * No downs, no directives. Whether a runner wraps each file in a transaction is not written in
 * the files, so it comes from the configuration (ctx->plain_in_transaction); otherwise the file
 * runs as written (psql -f). Subdirectories are not entered: their order relative to the files
 * would be a guess.
 */
#include <string.h>
#include <strings.h>

#include "layout_int.h"
#include "util/arena.h"

static bool is_sql(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && strcasecmp(name + n - 4, ".sql") == 0;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

int rs_plain_load_file(struct rs_layout_ctx *ctx, const struct rs_source *src,
                       struct rs_migration_list *out)
{
    const char *name = base_name(src->path);
    size_t n = strlen(name);
    const char *stem = is_sql(name) ? layout_cut(ctx, name, 4) : arena_strndup(ctx->arena, name, n);
    struct rs_migration *m = layout_push(ctx, out, &rs_layout_plain);
    layout_split_id(ctx, stem, &m->id, &m->name);
    rs_script_whole(&m->up, src);
    m->up_tx = m->down_tx = ctx->plain_in_transaction ? RS_TX_WRAPPED : RS_TX_SCRIPT;
    return 0;
}

static int plain_detect(struct rs_layout_ctx *ctx)
{
    struct layout_entries e = {0};
    if (layout_list(ctx, "", true, &e) < 0)
        return 0;
    for (size_t i = 0; i < e.n; i++)
        if (e.v[i].kind != LAYOUT_DIR && is_sql(e.v[i].name))
            return 1;
    return 0;
}

static int plain_load(struct rs_layout_ctx *ctx, struct rs_migration_list *out)
{
    struct layout_entries e = {0};
    if (layout_list(ctx, "", false, &e) < 0)
        return -1;
    for (size_t i = 0; i < e.n; i++) {
        if (e.v[i].kind == LAYOUT_DIR || !is_sql(e.v[i].name))
            continue;
        const struct rs_source *src = layout_read(ctx, e.v[i].path);
        if (src)
            rs_plain_load_file(ctx, src, out);
    }
    return 0;
}

const struct rs_layout rs_layout_plain = {
    .name = "plain",
    .description = "*.sql files in natural order, no downs; transaction as configured",
    .detect = plain_detect,
    .load = plain_load,
};
