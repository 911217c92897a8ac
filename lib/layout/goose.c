/*
 * goose.c - pressly/goose SQL migrations: NNNNN_name.sql files with "-- +goose Up" and an
 * optional "-- +goose Down" section.
 *
 * The Up script is the text between the Up and Down annotations, the Down script the text after
 * Down; everything else is blanked so positions stay file positions. Annotations are matched as
 * goose does: at the start of a line, case-insensitive. goose runs each file in a transaction
 * unless "-- +goose NO TRANSACTION" appears anywhere in it, which covers both directions.
 * Statement splitting (StatementBegin/End) is only checked for balance: statements are the
 * parser's business. Go migrations (*.go) cannot be read and are skipped.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "layout_int.h"
#include "util/arena.h"

enum annot {
    A_NONE,
    A_UP,
    A_DOWN,
    A_BEGIN,
    A_END,
    A_NO_TX,
    A_ENVSUB,
    A_ENVSUB_OFF,
    A_UNKNOWN,
};

/* Classifies one line; *arg is set to the offset of the annotation word for messages. */
static enum annot annotation(const char *t, size_t b, size_t e, size_t *arg)
{
    if (e - b < 2 || t[b] != '-' || t[b + 1] != '-')
        return A_NONE;
    size_t p = layout_skip_space(t, b + 2, e);
    if (!layout_starts_with_ci(t, p, e, "+goose"))
        return A_NONE;
    p += 6;
    if (p < e && t[p] != ' ' && t[p] != '\t')
        return A_NONE;
    p = layout_skip_space(t, p, e);
    size_t q = e;
    while (q > p && isspace((unsigned char)t[q - 1]))
        q--;
    *arg = p;
    size_t n = q - p;
    static const struct {
        const char *word;
        enum annot a;
    } words[] = {
        {"up", A_UP},
        {"down", A_DOWN},
        {"statementbegin", A_BEGIN},
        {"statementend", A_END},
        {"no transaction", A_NO_TX},
        {"envsub on", A_ENVSUB},
        {"envsub off", A_ENVSUB_OFF},
        {"envsubst on", A_ENVSUB},
        {"envsubst off", A_ENVSUB_OFF},
    };
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strlen(words[i].word) == n && strncasecmp(t + p, words[i].word, n) == 0)
            return words[i].a;
    return A_UNKNOWN;
}

bool rs_goose_text_is_goose(const char *text)
{
    for (const char *l = text; l && *l;) {
        const char *nl = strchr(l, '\n');
        size_t e = nl ? (size_t)(nl - l) : strlen(l), arg;
        if (annotation(l, 0, e, &arg) == A_UP)
            return true;
        l = nl ? nl + 1 : NULL;
    }
    return false;
}

static const char *const ANNOTATIONS_HINT =
    "goose knows -- +goose Up, Down, StatementBegin, StatementEnd, NO TRANSACTION, ENVSUB ON/OFF";

/* Reads one goose file into a migration; -1 when the file cannot be used at all. */
static int goose_file(struct rs_layout_ctx *ctx, const struct rs_source *src, const char *id,
                      const char *name, struct rs_migration_list *out)
{
    enum { START, UP, DOWN } state = START;
    size_t up_b = 0, up_e = src->len, down_b = 0;
    bool has_down = false, no_tx = false, envsub = false, in_block = false, stray = false;
    size_t block_at = 0;
    struct layout_line l;
    for (size_t pos = 0; layout_next_line(src, &pos, &l);) {
        size_t arg = l.begin;
        enum annot a = annotation(src->text, l.begin, l.end, &arg);
        switch (a) {
        case A_NONE:
            if (state == START && !stray && !layout_line_is_comment_or_blank(src, &l)) {
                layout_error_at(ctx, src, l.begin,
                                "put -- +goose Up on a line of its own before the first statement",
                                "SQL before the -- +goose Up annotation");
                stray = true;
            }
            break;
        case A_UP:
            if (state != START) {
                layout_error_at(
                    ctx, src, l.begin,
                    "a goose file has one Up section; merge the two or remove this line",
                    "second -- +goose Up annotation");
                break;
            }
            state = UP;
            up_b = l.next;
            break;
        case A_DOWN:
            if (state == START) {
                layout_error_at(ctx, src, l.begin,
                                "move -- +goose Down after the Up section (goose refuses the file)",
                                "-- +goose Down before -- +goose Up");
                return -1;
            }
            if (state == DOWN) {
                layout_error_at(ctx, src, l.begin,
                                "a goose file has one Down section; remove this line",
                                "second -- +goose Down annotation");
                break;
            }
            if (in_block) {
                layout_error_at(ctx, src, block_at, "add -- +goose StatementEnd before Down",
                                "-- +goose StatementBegin is not closed before -- +goose Down");
                in_block = false;
            }
            state = DOWN;
            up_e = l.begin;
            down_b = l.next;
            has_down = true;
            break;
        case A_BEGIN:
            if (state == START)
                layout_error_at(ctx, src, l.begin, "move it after -- +goose Up",
                                "-- +goose StatementBegin before -- +goose Up");
            else if (in_block)
                layout_error_at(ctx, src, l.begin,
                                "close the previous block with -- +goose StatementEnd first",
                                "-- +goose StatementBegin inside another StatementBegin block");
            in_block = true;
            block_at = l.begin;
            break;
        case A_END:
            if (!in_block)
                layout_error_at(ctx, src, l.begin,
                                "add -- +goose StatementBegin before the statement, or remove "
                                "this line",
                                "-- +goose StatementEnd without StatementBegin");
            in_block = false;
            break;
        case A_NO_TX:
            no_tx = true;
            break;
        case A_ENVSUB:
            envsub = true;
            break;
        case A_ENVSUB_OFF:
            break;
        case A_UNKNOWN: {
            int line, col;
            rs_source_position(src, arg, &line, &col);
            size_t n;
            const char *text = rs_source_line(src, line, &n);
            layout_error_at(ctx, src, arg, ANNOTATIONS_HINT, "unknown goose annotation: %.*s",
                            (int)n, text);
            break;
        }
        }
    }
    if (in_block)
        layout_error_at(ctx, src, block_at, "add -- +goose StatementEnd after the statement",
                        "-- +goose StatementBegin without StatementEnd");
    if (state == START) {
        rs_diag_add(ctx->diag, src->path, 1, 1,
                    "start the up statements with a line -- +goose Up (and the down statements "
                    "with -- +goose Down)",
                    "not a goose migration: no -- +goose Up annotation");
        return -1;
    }
    struct rs_migration *m = layout_push(ctx, out, &rs_layout_goose);
    m->id = id;
    m->name = name;
    rs_script_ranges(&m->up, ctx->arena, src, &up_b, &up_e, 1);
    if (has_down) {
        size_t down_e = src->len;
        rs_script_ranges(&m->down, ctx->arena, src, &down_b, &down_e, 1);
    }
    m->up_tx = m->down_tx = no_tx ? RS_TX_NONE : RS_TX_WRAPPED;
    if (envsub)
        m->note = "ENVSUB ON: goose substitutes ${VAR} placeholders before running the script";
    return 0;
}

int rs_goose_load_file(struct rs_layout_ctx *ctx, const struct rs_source *src,
                       struct rs_migration_list *out)
{
    const char *id, *name;
    layout_split_id(ctx, layout_sql_stem(ctx, src->path), &id, &name);
    return goose_file(ctx, src, id, name, out);
}

static int goose_detect(struct rs_layout_ctx *ctx, int wins_at)
{
    return layout_detect_text(ctx, layout_is_sql, 16384, rs_goose_text_is_goose, 95, wins_at);
}

struct goose_file {
    const struct layout_entry *e;
    const char *id, *name;
};

static int version_cmp(const char *a, const char *b)
{
    return layout_number_cmp(a, strlen(a), b, strlen(b));
}

static int goose_cmp(const void *pa, const void *pb)
{
    const struct goose_file *a = pa, *b = pb;
    int c = version_cmp(a->id, b->id);
    return c ? c : strcmp(a->e->name, b->e->name);
}

static int goose_load(struct rs_layout_ctx *ctx, struct rs_migration_list *out)
{
    struct layout_entries e = {0};
    if (layout_list(ctx, "", false, &e) < 0)
        return -1;
    struct goose_file *files = arena_alloc(ctx->arena, (e.n + 1) * sizeof(*files));
    size_t n = 0;
    for (size_t i = 0; i < e.n; i++) {
        if (e.v[i].kind == LAYOUT_DIR || !layout_is_sql(e.v[i].name))
            continue;
        struct goose_file *f = &files[n];
        f->e = &e.v[i];
        if (!layout_split_id(ctx, layout_cut(ctx, e.v[i].name, 4), &f->id, &f->name)) {
            rs_diag_add(ctx->diag, e.v[i].path, 0, 0,
                        "goose reads NNNNN_name.sql files; rename it or exclude it",
                        "file name does not start with a version number");
            continue;
        }
        n++;
    }
    layout_sort(files, n, sizeof(*files), goose_cmp);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && version_cmp(files[i].id, files[i - 1].id) == 0) {
            rs_diag_add(ctx->diag, files[i].e->path, 0, 0,
                        "goose refuses two files with one version; renumber one of them",
                        "version %s is also used by %s", files[i].id, files[i - 1].e->name);
            continue;
        }
        const struct rs_source *src = layout_read(ctx, files[i].e->path);
        if (src)
            goose_file(ctx, src, files[i].id, files[i].name, out);
    }
    return 0;
}

const struct rs_layout rs_layout_goose = {
    .name = "goose",
    .description = "-- +goose Up / Down sections in NNNNN_name.sql; a transaction per file unless "
                   "NO TRANSACTION",
    .detect = goose_detect,
    .detect_cost = 2,
    .load = goose_load,
};
