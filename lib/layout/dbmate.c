/*
 * dbmate.c - dbmate migrations: <version>_<name>.sql with "-- migrate:up [options]" and
 * "-- migrate:down [options]" sections.
 *
 * The Up script is the text of the up sections, the Down script the text of the down sections,
 * each with the rest of the file blanked. Options are key:value words after the directive; dbmate
 * runs a section in a transaction unless it says transaction:false, so the transaction mode is per
 * direction. dbmate's template always writes a down section, so a down is expected; a down
 * section with nothing in it is a down that does nothing, and is kept as such. Files run in the
 * byte order of their names, as dbmate lists them; the version is the leading digits.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "layout_int.h"
#include "util/arena.h"

enum directive { D_NONE, D_UP, D_DOWN, D_BAD };

/* Classifies a line; for D_UP / D_DOWN, *opts is where the options start. */
static enum directive directive(const char *t, size_t b, size_t e, size_t *opts)
{
    if (e - b < 2 || t[b] != '-' || t[b + 1] != '-')
        return D_NONE;
    size_t p = b + 2;
    while (p < e && isspace((unsigned char)t[p]))
        p++;
    if (e - p < 8 || strncmp(t + p, "migrate:", 8) != 0)
        return D_NONE;
    p += 8;
    size_t w = p;
    while (w < e && !isspace((unsigned char)t[w]))
        w++;
    *opts = w;
    if (w - p == 2 && strncmp(t + p, "up", 2) == 0)
        return D_UP;
    if (w - p == 4 && strncmp(t + p, "down", 4) == 0)
        return D_DOWN;
    return D_BAD;
}

bool rs_dbmate_text_is_dbmate(const char *text)
{
    for (const char *l = text; l && *l;) {
        const char *nl = strchr(l, '\n');
        size_t e = nl ? (size_t)(nl - l) : strlen(l), o;
        if (directive(l, 0, e, &o) == D_UP)
            return true;
        l = nl ? nl + 1 : NULL;
    }
    return false;
}

/* Parses the options after a directive; returns false when transaction:false is among them. */
static bool section_tx(struct rs_layout_ctx *ctx, const struct rs_source *src, size_t p, size_t e)
{
    const char *t = src->text;
    bool tx = true;
    while (p < e) {
        while (p < e && isspace((unsigned char)t[p]))
            p++;
        if (p == e)
            break;
        size_t w = p, colon = 0, ncolon = 0;
        while (w < e && !isspace((unsigned char)t[w])) {
            if (t[w] == ':') {
                colon = w;
                ncolon++;
            }
            w++;
        }
        if (ncolon != 1 || colon == p || colon + 1 == w) {
            layout_error_at(ctx, src, p,
                            "dbmate options are key:value words, e.g. -- migrate:up "
                            "transaction:false",
                            "malformed dbmate option \"%.*s\"", (int)(w - p), t + p);
        } else if (colon - p == 11 && strncmp(t + p, "transaction", 11) == 0) {
            size_t vn = w - colon - 1;
            const char *v = t + colon + 1;
            if (vn == 5 && strncmp(v, "false", 5) == 0)
                tx = false;
            else if (!(vn == 4 && strncmp(v, "true", 4) == 0))
                layout_error_at(ctx, src, colon + 1, "write transaction:false or transaction:true",
                                "transaction option must be true or false, not \"%.*s\"", (int)vn,
                                v);
        }
        p = w;
    }
    return tx;
}

static int dbmate_file(struct rs_layout_ctx *ctx, const struct rs_source *src, const char *id,
                       const char *name, struct rs_migration_list *out)
{
    enum { START, UP, DOWN } state = START;
    struct layout_ranges up = {0}, down = {0};
    bool has_up = false, has_down = false, up_tx = true, down_tx = true, stray = false;
    size_t sect_b = 0, up_at = 0, down_at = 0;
    struct layout_line l;
    for (size_t pos = 0; layout_next_line(src, &pos, &l);) {
        size_t opts = 0;
        enum directive d = directive(src->text, l.begin, l.end, &opts);
        if (d == D_NONE) {
            if (state == START && !stray && !layout_line_is_comment_or_blank(src, &l)) {
                layout_error_at(ctx, src, l.begin,
                                "move the statement below -- migrate:up (dbmate refuses the file)",
                                "SQL before the -- migrate:up section");
                stray = true;
            }
            continue;
        }
        if (d == D_BAD) {
            layout_error_at(ctx, src, l.begin,
                            "dbmate knows -- migrate:up and -- migrate:down; fix the directive",
                            "unknown dbmate directive \"%.*s\"", (int)(opts - l.begin),
                            src->text + l.begin);
            continue;
        }
        /* Close the section that ends here. */
        if (state == UP)
            layout_range_add(ctx, &up, sect_b, l.begin);
        else if (state == DOWN)
            layout_range_add(ctx, &down, sect_b, l.begin);
        bool tx = section_tx(ctx, src, opts, l.end);
        if (d == D_UP) {
            if (!has_up)
                up_at = l.next;
            state = UP;
            has_up = true;
            up_tx = up_tx && tx;
        } else {
            if (!has_up) {
                layout_error_at(ctx, src, l.begin,
                                "put the -- migrate:up section first (dbmate refuses the file)",
                                "-- migrate:down before -- migrate:up");
                return -1;
            }
            if (!has_down)
                down_at = l.next;
            state = DOWN;
            has_down = true;
            down_tx = down_tx && tx;
        }
        sect_b = l.next;
    }
    if (state == UP)
        layout_range_add(ctx, &up, sect_b, src->len);
    else if (state == DOWN)
        layout_range_add(ctx, &down, sect_b, src->len);
    if (!has_up) {
        rs_diag_add(ctx->diag, src->path, 1, 1,
                    "start the up statements with a line -- migrate:up (and the down statements "
                    "with -- migrate:down)",
                    "not a dbmate migration: no -- migrate:up section");
        return -1;
    }
    struct rs_migration *m = layout_push(ctx, out, &rs_layout_dbmate);
    m->id = id;
    m->name = name;
    layout_script(ctx, &m->up, src, &up, up_at);
    if (has_down)
        layout_script(ctx, &m->down, src, &down, down_at);
    m->down_expected = true;
    m->up_tx = up_tx ? RS_TX_WRAPPED : RS_TX_NONE;
    m->down_tx = down_tx ? RS_TX_WRAPPED : RS_TX_NONE;
    return 0;
}

/* dbmate lists *.sql case-sensitively, unlike layout_is_sql. */
static bool is_sql(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && strcmp(name + n - 4, ".sql") == 0;
}

int rs_dbmate_load_file(struct rs_layout_ctx *ctx, const struct rs_source *src,
                        struct rs_migration_list *out)
{
    const char *base = strrchr(src->path, '/');
    base = base ? base + 1 : src->path;
    const char *stem = is_sql(base) ? layout_cut(ctx, base, 4) : base;
    const char *id, *name;
    layout_split_id(ctx, stem, &id, &name);
    return dbmate_file(ctx, src, id, name, out);
}

static int dbmate_detect(struct rs_layout_ctx *ctx, int wins_at)
{
    return layout_detect_text(ctx, is_sql, 16384, rs_dbmate_text_is_dbmate, 95, wins_at);
}

static int name_cmp(const void *pa, const void *pb)
{
    const struct layout_entry *a = pa, *b = pb;
    return strcmp(a->name, b->name);
}

static int dbmate_load(struct rs_layout_ctx *ctx, struct rs_migration_list *out)
{
    struct layout_entries e = {0};
    if (layout_list(ctx, "", false, &e) < 0)
        return -1;
    layout_sort(e.v, e.n, sizeof(*e.v), name_cmp);
    const char *prev_id = NULL, *prev_name = NULL;
    for (size_t i = 0; i < e.n; i++) {
        if (e.v[i].kind == LAYOUT_DIR || !is_sql(e.v[i].name))
            continue;
        const char *stem = layout_cut(ctx, e.v[i].name, 4);
        const char *id, *name;
        if (!layout_split_id(ctx, stem, &id, &name) || stem[strlen(id)] != '_') {
            rs_diag_add(ctx->diag, e.v[i].path, 0, 0,
                        "dbmate only runs files named <version>_<name>.sql; rename it or "
                        "exclude it",
                        "file name does not start with a version and an underscore");
            continue;
        }
        if (prev_id && strcmp(prev_id, id) == 0) {
            rs_diag_add(ctx->diag, e.v[i].path, 0, 0,
                        "dbmate records each version once; renumber one of the files",
                        "version %s is also used by %s", id, prev_name);
            continue;
        }
        prev_id = id;
        prev_name = e.v[i].name;
        const struct rs_source *src = layout_read(ctx, e.v[i].path);
        if (src)
            dbmate_file(ctx, src, id, name, out);
    }
    return 0;
}

const struct rs_layout rs_layout_dbmate = {
    .name = "dbmate",
    .description = "-- migrate:up / -- migrate:down sections; a transaction per section unless "
                   "transaction:false",
    .detect = dbmate_detect,
    .detect_cost = 2,
    .load = dbmate_load,
};
