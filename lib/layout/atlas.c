/*
 * atlas.c - Atlas versioned migrations: <version>_<name>.sql files next to an atlas.sum.
 *
 * Files run in name order; the version is the part before the first '_'. Atlas runs each file in
 * its own transaction (the default --tx-mode file) unless the file's header holds the directive
 * "-- atlas:txmode none". The command-line --tx-mode is not visible here. atlas.sum is read only
 * for the list of files it covers: a file missing from it, or listed but absent, makes Atlas
 * refuse the directory, and is reported; the hashes themselves are not checked. No downs.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "layout_int.h"
#include "util/arena.h"

static int atlas_detect(struct rs_layout_ctx *ctx, int wins_at)
{
    return wins_at <= 100 && layout_exists(ctx, "atlas.sum", LAYOUT_FILE) ? 100 : 0;
}

struct header {
    enum rs_txmode tx;
    bool sum_ignore;
};

/* Reads the directives of the file header: the comment lines before the first statement. */
static struct header read_header(struct rs_layout_ctx *ctx, const struct rs_source *src)
{
    struct header h = {RS_TX_WRAPPED, false};
    const char *t = src->text;
    struct layout_line l;
    for (size_t pos = 0; layout_next_line(src, &pos, &l);) {
        if (!layout_line_is_comment_or_blank(src, &l))
            break;
        size_t p = layout_skip_space(t, l.begin, l.end);
        if (p == l.end)
            continue;
        p = layout_skip_space(t, p + 2, l.end);
        if (!layout_starts_with_ci(t, p, l.end, "atlas:"))
            continue;
        p += 6;
        size_t w = p;
        while (w < l.end && !isspace((unsigned char)t[w]))
            w++;
        size_t a = layout_skip_space(t, w, l.end), ae = l.end;
        while (ae > a && isspace((unsigned char)t[ae - 1]))
            ae--;
        if (w - p == 6 && strncmp(t + p, "txmode", 6) == 0) {
            if (ae - a == 4 && strncmp(t + a, "none", 4) == 0)
                h.tx = RS_TX_NONE;
            else if (!(ae - a == 4 && strncmp(t + a, "file", 4) == 0))
                layout_error_at(ctx, src, a,
                                "the per-file directive takes none or file: -- atlas:txmode none",
                                "unknown atlas:txmode \"%.*s\"", (int)(ae - a), t + a);
        } else if (w - p == 3 && strncmp(t + p, "sum", 3) == 0) {
            h.sum_ignore = ae - a == 6 && strncmp(t + a, "ignore", 6) == 0;
        }
    }
    return h;
}

/* The file names atlas.sum lists (every line after the first: "<name> h1:<hash>"). */
static size_t read_sum(struct rs_layout_ctx *ctx, const char ***names)
{
    *names = NULL;
    const struct rs_source *src = layout_read(ctx, layout_join(ctx, "atlas.sum"));
    if (!src)
        return 0;
    size_t n = 0, cap = src->nlines + 1;
    const char **v = arena_alloc(ctx->arena, cap * sizeof(*v));
    struct layout_line l;
    bool first = true;
    for (size_t pos = 0; layout_next_line(src, &pos, &l);) {
        if (first) {
            first = false;
            continue;
        }
        size_t e = l.begin;
        while (e < l.end && src->text[e] != ' ')
            e++;
        if (e > l.begin)
            v[n++] = arena_strndup(ctx->arena, src->text + l.begin, e - l.begin);
    }
    *names = v;
    return n;
}

static int name_cmp(const void *pa, const void *pb)
{
    const struct layout_entry *a = pa, *b = pb;
    return strcmp(a->name, b->name);
}

static int atlas_load(struct rs_layout_ctx *ctx, struct rs_migration_list *out)
{
    struct layout_entries e = {0};
    if (layout_list(ctx, "", false, &e) < 0)
        return -1;
    layout_sort(e.v, e.n, sizeof(*e.v), name_cmp);
    const char **sum = NULL;
    size_t nsum = 0;
    bool has_sum = layout_exists(ctx, "atlas.sum", LAYOUT_FILE);
    if (has_sum)
        nsum = read_sum(ctx, &sum);
    bool *seen = arena_alloc(ctx->arena, (nsum + 1) * sizeof(*seen));
    for (size_t i = 0; i < e.n; i++) {
        if (e.v[i].kind == LAYOUT_DIR || !layout_ends_with(e.v[i].name, ".sql"))
            continue;
        bool listed = false;
        for (size_t k = 0; k < nsum; k++) {
            if (strcmp(sum[k], e.v[i].name) == 0) {
                listed = seen[k] = true;
                break;
            }
        }
        const struct rs_source *src = layout_read(ctx, e.v[i].path);
        if (!src)
            continue;
        struct header h = read_header(ctx, src);
        if (has_sum && !listed && !h.sum_ignore)
            rs_diag_add(ctx->diag, e.v[i].path, 0, 0,
                        "run atlas migrate hash after adding or editing migration files",
                        "not listed in atlas.sum: Atlas refuses the directory");
        struct rs_migration *m = layout_push(ctx, out, &rs_layout_atlas);
        const char *stem = layout_cut(ctx, e.v[i].name, 4);
        const char *us = strchr(stem, '_');
        m->id = us ? arena_strndup(ctx->arena, stem, (size_t)(us - stem)) : stem;
        m->name = us ? us + 1 : "";
        rs_script_whole(&m->up, src);
        m->up_tx = m->down_tx = h.tx;
    }
    for (size_t k = 0; k < nsum; k++)
        if (!seen[k] && !layout_excluded(ctx, sum[k]))
            rs_diag_add(ctx->diag, layout_join(ctx, sum[k]), 0, 0,
                        "restore the file, or run atlas migrate hash to update atlas.sum",
                        "listed in atlas.sum but missing");
    return 0;
}

const struct rs_layout rs_layout_atlas = {
    .name = "atlas",
    .description = "<version>_<name>.sql with atlas.sum; a transaction per file unless "
                   "-- atlas:txmode none",
    .detect = atlas_detect,
    .detect_cost = 0,
    .load = atlas_load,
};
