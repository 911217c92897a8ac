/*
 * diesel.c - Diesel migrations: one directory per migration, <timestamp>_<name>/ with up.sql,
 * down.sql and an optional metadata.toml.
 *
 * The version is the part of the directory name before the first '_' with '-' removed
 * ("2019-02-26-002946_create_user" -> "20190226002946"), and migrations run in byte order of the
 * version, as Diesel sorts them. Each runs in a transaction unless metadata.toml says
 * run_in_transaction = false. Only that one key is read, line by line: a full TOML reader is not
 * needed for it. Downs are expected (diesel migration generate writes one).
 */
#include <stdlib.h>
#include <string.h>

#include "layout_int.h"
#include "util/arena.h"

struct dz_dir {
    const struct layout_entry *e;
    const char *version, *name;
};

static int dir_cmp(const void *pa, const void *pb)
{
    const struct dz_dir *a = pa, *b = pb;
    int c = strcmp(a->version, b->version);
    return c ? c : strcmp(a->e->name, b->e->name);
}

/* Whether metadata.toml asks for no transaction. Reads `run_in_transaction = false` at the top
   level (before any [table]), with comments and spacing as TOML allows. */
static bool run_in_transaction(struct rs_layout_ctx *ctx, const char *rel)
{
    if (!layout_exists(ctx, rel, LAYOUT_FILE))
        return true;
    const struct rs_source *src = layout_read(ctx, layout_join(ctx, rel));
    if (!src)
        return true;
    const char *t = src->text;
    struct layout_line l;
    for (size_t pos = 0; layout_next_line(src, &pos, &l);) {
        size_t p = layout_skip_space(t, l.begin, l.end);
        if (p < l.end && t[p] == '[')
            break;
        static const char key[] = "run_in_transaction";
        if (l.end - p < sizeof(key) - 1 || strncmp(t + p, key, sizeof(key) - 1) != 0)
            continue;
        p = layout_skip_space(t, p + sizeof(key) - 1, l.end);
        if (p == l.end || t[p] != '=')
            continue;
        p = layout_skip_space(t, p + 1, l.end);
        size_t e = p;
        while (e < l.end && t[e] != ' ' && t[e] != '\t' && t[e] != '#')
            e++;
        if (e - p == 5 && strncmp(t + p, "false", 5) == 0)
            return false;
        if (!(e - p == 4 && strncmp(t + p, "true", 4) == 0))
            layout_error_at(ctx, src, p, "write run_in_transaction = false (or true)",
                            "run_in_transaction must be true or false");
        return true;
    }
    return true;
}

static int diesel_detect(struct rs_layout_ctx *ctx, int wins_at)
{
    struct layout_entries e = {0};
    if (wins_at > 100 || layout_list(ctx, "", true, &e) < 0)
        return 0;
    for (size_t i = 0; i < e.n; i++)
        if (e.v[i].kind == LAYOUT_DIR &&
            strcmp(e.v[i].name, "00000000000000_diesel_initial_setup") == 0)
            return 100;
    if (wins_at > 90)
        return 0;
    for (size_t i = 0; i < e.n; i++)
        if (e.v[i].kind == LAYOUT_DIR &&
            layout_exists(ctx, arena_join(ctx->arena, e.v[i].rel, "/", "up.sql"), LAYOUT_FILE))
            return 90;
    return 0;
}

static int diesel_load(struct rs_layout_ctx *ctx, struct rs_migration_list *out)
{
    struct layout_entries e = {0};
    if (layout_list(ctx, "", false, &e) < 0)
        return -1;
    struct dz_dir *dirs = arena_alloc(ctx->arena, (e.n + 1) * sizeof(*dirs));
    size_t n = 0;
    for (size_t i = 0; i < e.n; i++) {
        if (e.v[i].kind != LAYOUT_DIR)
            continue;
        const char *us = strchr(e.v[i].name, '_');
        size_t vlen = us ? (size_t)(us - e.v[i].name) : strlen(e.v[i].name);
        char *v = arena_alloc(ctx->arena, vlen + 1);
        size_t k = 0;
        for (size_t j = 0; j < vlen; j++)
            if (e.v[i].name[j] != '-')
                v[k++] = e.v[i].name[j];
        dirs[n].e = &e.v[i];
        dirs[n].version = v;
        dirs[n].name = us ? arena_strdup(ctx->arena, us + 1) : "";
        n++;
    }
    layout_sort(dirs, n, sizeof(*dirs), dir_cmp);
    /* The metadata.toml of each directory is looked up ahead (in two threads when checking a
       long history). up.sql and down.sql are not: the open that reads each one tells whether it
       is there, in whichever thread parses it when the reads are deferred. */
    const char **meta = arena_alloc(ctx->arena, (n + 1) * sizeof(*meta));
    for (size_t i = 0; i < n; i++)
        meta[i] = arena_join(ctx->arena, dirs[i].e->rel, "/", "metadata.toml");
    layout_look_ahead(ctx, meta, n);
    static const struct rs_missing no_down = {.optional = true};
    for (size_t i = 0; i < n; i++) {
        const struct dz_dir *d = &dirs[i];
        if (i > 0 && strcmp(dirs[i - 1].version, d->version) == 0) {
            rs_diag_add(ctx->diag, d->e->path, 0, 0,
                        "Diesel records each version once; rename one of the directories",
                        "version %s is also used by %s", d->version, dirs[i - 1].e->name);
            continue;
        }
        /* Read before up.sql: its errors are then the same whether up.sql is read now or
           later, as it is parsed. */
        bool tx = run_in_transaction(ctx, meta[i]);
        struct rs_missing *no_up = arena_alloc(ctx->arena, sizeof(*no_up));
        *no_up = (struct rs_missing){
            .path = d->e->path,
            .message = "migration directory without up.sql",
            .hint = "a Diesel migration directory holds up.sql and down.sql; add them, or "
                    "exclude the directory"};
        const struct rs_source *up =
            layout_read_whole_at(ctx, arena_join(ctx->arena, d->e->rel, "/", "up.sql"), no_up);
        if (!up)
            continue;
        struct rs_migration *m = layout_push(ctx, out, &rs_layout_diesel);
        m->id = d->version;
        m->name = d->name;
        rs_script_whole(&m->up, up);
        m->down_expected = true;
        const struct rs_source *down = layout_read_whole_at(
            ctx, arena_join(ctx->arena, d->e->rel, "/", "down.sql"), &no_down);
        if (down)
            rs_script_whole(&m->down, down);
        m->up_tx = m->down_tx = tx ? RS_TX_WRAPPED : RS_TX_NONE;
    }
    return 0;
}

const struct rs_layout rs_layout_diesel = {
    .name = "diesel",
    .description = "<timestamp>_<name>/up.sql and down.sql; a transaction per migration unless "
                   "metadata.toml says run_in_transaction = false",
    .detect = diesel_detect,
    .detect_cost = 2,
    .load = diesel_load,
};
