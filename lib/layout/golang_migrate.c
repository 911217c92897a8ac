/*
 * golang_migrate.c - golang-migrate: {version}_{title}.up.sql and {version}_{title}.down.sql.
 *
 * Also reads the V0001.Title.up.sql spelling (authelia and other home-grown runners) and any
 * other *.up.sql / *.down.sql pairs (version = leading digits, else the whole stem). Ups and downs
 * pair by version, as golang-migrate does; versions compare by value ("001" and "1" are the same
 * version, which golang-migrate refuses). Each file is sent as one simple-query Exec, so PostgreSQL
 * runs it as one implicit transaction (RS_TX_IMPLICIT). The x-multi-statement driver option, which
 * splits files, lives in a connection URL that rollsafe never sees. Other files are ignored, as
 * golang-migrate ignores them.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "layout_int.h"
#include "util/arena.h"

struct gm_file {
    const struct layout_entry *e;
    const char *stem, *id, *name;
    bool numeric, up;
};

/* Fills f from a file name; false when the name is not an up or a down. */
static bool parse_name(struct rs_layout_ctx *ctx, const struct layout_entry *e, struct gm_file *f)
{
    size_t cut;
    if (layout_ends_with(e->name, ".up.sql")) {
        f->up = true;
        cut = 7;
    } else if (layout_ends_with(e->name, ".down.sql")) {
        f->up = false;
        cut = 9;
    } else {
        return false;
    }
    if (strlen(e->name) == cut)
        return false;
    f->e = e;
    f->stem = layout_cut(ctx, e->name, cut);
    const char *s = f->stem;
    /* V0001.Name: the V is a prefix, not part of the version. */
    if ((s[0] == 'V' || s[0] == 'v') && isdigit((unsigned char)s[1]))
        s++;
    f->numeric = layout_split_id(ctx, s, &f->id, &f->name);
    if (!f->numeric)
        f->id = f->stem;
    return true;
}

static int version_cmp(const struct gm_file *a, const struct gm_file *b)
{
    if (a->numeric != b->numeric)
        return a->numeric ? -1 : 1;
    if (a->numeric)
        return layout_number_cmp(a->id, strlen(a->id), b->id, strlen(b->id));
    return strcmp(a->id, b->id);
}

static int file_cmp(const void *pa, const void *pb)
{
    const struct gm_file *a = pa, *b = pb;
    int c = version_cmp(a, b);
    if (c)
        return c;
    if (a->up != b->up)
        return a->up ? -1 : 1;
    c = rs_natural_cmp(a->stem, b->stem);
    return c ? c : strcmp(a->e->name, b->e->name);
}

static int gm_detect(struct rs_layout_ctx *ctx, int wins_at)
{
    struct layout_entries e = {0};
    if (wins_at > 90 || layout_list(ctx, "", true, &e) < 0)
        return 0;
    int ups = 0, numbered = 0;
    for (size_t i = 0; i < e.n; i++) {
        struct gm_file f;
        if (e.v[i].kind == LAYOUT_DIR || !parse_name(ctx, &e.v[i], &f))
            continue;
        ups += f.up;
        numbered += f.numeric;
    }
    if (!ups)
        return 0;
    return numbered ? 90 : 70;
}

static int gm_load(struct rs_layout_ctx *ctx, struct rs_migration_list *out)
{
    struct layout_entries e = {0};
    if (layout_list(ctx, "", false, &e) < 0)
        return -1;
    struct gm_file *files = arena_alloc(ctx->arena, (e.n + 1) * sizeof(*files));
    size_t n = 0;
    for (size_t i = 0; i < e.n; i++)
        if (e.v[i].kind != LAYOUT_DIR && parse_name(ctx, &e.v[i], &files[n]))
            n++;
    layout_sort(files, n, sizeof(*files), file_cmp);

    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && version_cmp(&files[i], &files[j]) == 0)
            j++;
        /* files[i..j) share a version: ups first. */
        const struct gm_file *up = NULL, *down = NULL;
        for (size_t k = i; k < j; k++) {
            const struct gm_file *f = &files[k];
            const struct gm_file **slot = f->up ? &up : &down;
            if (*slot) {
                rs_diag_add(ctx->diag, f->e->path, 0, 0,
                            "golang-migrate refuses two files of one version and direction; "
                            "renumber or remove one of them",
                            "two %s migrations with version %s (the other is %s)",
                            f->up ? "up" : "down", f->id, (*slot)->e->name);
                continue;
            }
            *slot = f;
        }
        i = j;
        if (!up) {
            rs_diag_add(ctx->diag, down->e->path, 0, 0,
                        "add the matching .up.sql file, or remove this down",
                        "down migration without an up migration of version %s", down->id);
            continue;
        }
        const struct rs_source *usrc = layout_read_whole(ctx, up->e->path);
        if (!usrc)
            continue;
        struct rs_migration *m = layout_push(ctx, out, &rs_layout_golang_migrate);
        m->id = up->id;
        m->name = up->name;
        rs_script_whole(&m->up, usrc);
        m->up_tx = m->down_tx = RS_TX_IMPLICIT;
        m->down_expected = true;
        if (down) {
            const struct rs_source *dsrc = layout_read_whole(ctx, down->e->path);
            if (dsrc)
                rs_script_whole(&m->down, dsrc);
        }
    }
    return 0;
}

const struct rs_layout rs_layout_golang_migrate = {
    .name = "golang-migrate",
    .description = "{version}_{title}.up.sql / .down.sql pairs; each file one implicit transaction",
    .detect = gm_detect,
    .detect_cost = 1,
    .load = gm_load,
};
