/*
 * plain.c - the fallback layout: every *.sql file of the directory is one forward migration, in
 * natural order ("2_x.sql" before "10_x.sql", "0009-x.sql" before "00010-y.sql").
 *
 * No downs, no directives. Whether a runner wraps each file in a transaction is not written in
 * the files, so it comes from the configuration (ctx->plain_in_transaction); otherwise the file
 * runs as written (psql -f). Subdirectories are not entered: their order relative to the files
 * would be a guess.
 */
#include "layout_int.h"

int rs_plain_load_file(struct rs_layout_ctx *ctx, const struct rs_source *src,
                       struct rs_migration_list *out)
{
    const char *stem = layout_sql_stem(ctx, src->path);
    struct rs_migration *m = layout_push(ctx, out, &rs_layout_plain);
    layout_split_id(ctx, stem, &m->id, &m->name);
    rs_script_whole(&m->up, src);
    m->up_tx = m->down_tx = ctx->plain_in_transaction ? RS_TX_WRAPPED : RS_TX_SCRIPT;
    return 0;
}

static int plain_detect(struct rs_layout_ctx *ctx, int wins_at)
{
    struct layout_entries e = {0};
    if (wins_at > 1 || layout_list(ctx, "", true, &e) < 0)
        return 0;
    for (size_t i = 0; i < e.n; i++)
        if (e.v[i].kind != LAYOUT_DIR && layout_is_sql(e.v[i].name))
            return 1;
    return 0;
}

static int plain_load(struct rs_layout_ctx *ctx, struct rs_migration_list *out)
{
    return layout_load_each(ctx, layout_is_sql, rs_plain_load_file, true, out);
}

const struct rs_layout rs_layout_plain = {
    .name = "plain",
    .description = "*.sql files in natural order, no downs; transaction as configured",
    .detect = plain_detect,
    .detect_cost = 1,
    .load = plain_load,
};
