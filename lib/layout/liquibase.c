/*
 * liquibase.c - Liquibase formatted SQL: files whose first line is "--liquibase formatted sql",
 * each "--changeset author:id [attributes]" starting one migration.
 *
 * The up script of a changeset is its body; the down is made of its "--rollback <sql>" lines
 * (and "/" "* liquibase rollback ... *" "/" blocks) with the "--rollback " prefix blanked, so a
 * position in the down is still a file position. "--rollback not required", or rollback lines
 * with nothing in them, leave the changeset without a down. A changeset runs in a transaction
 * unless runInTransaction:false; runOnChange/runAlways make it repeatable; a changeset whose
 * dbms attribute excludes postgresql is left out. Files run in natural order of their names.
 * XML, YAML and JSON changelogs (and their include/includeAll) are not read.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "layout_int.h"
#include "util/arena.h"

bool rs_liquibase_text_is_formatted(const char *text)
{
    const char *p = text;
    while (*p == ' ' || *p == '\t')
        p++;
    if (p[0] != '-' || p[1] != '-')
        return false;
    p += 2;
    while (*p == ' ' || *p == '\t')
        p++;
    return strncasecmp(p, "liquibase formatted", 19) == 0;
}

/* Whether text[p..end) is the directive word followed by white space or the end of the line. */
static bool word_at(const char *t, size_t p, size_t end, const char *word)
{
    size_t k = strlen(word);
    return layout_starts_with_ci(t, p, end, word) &&
           (p + k == end || t[p + k] == ' ' || t[p + k] == '\t');
}

struct changeset {
    const char *id;
    size_t at; /* offset of the --changeset line */
    bool no_tx, repeatable, skip, not_required;
    struct layout_ranges up, down;
};

/* Whether a dbms attribute value lets the changeset run on PostgreSQL. */
static bool dbms_allows_pg(const char *v, size_t n)
{
    bool positive = false, pg = false;
    size_t p = 0;
    while (p < n) {
        size_t e = p;
        while (e < n && v[e] != ',')
            e++;
        bool neg = v[p] == '!';
        const char *w = v + p + neg;
        size_t wn = e - p - neg;
        bool is_pg = (wn == 10 && strncasecmp(w, "postgresql", 10) == 0) ||
                     (wn == 3 && strncasecmp(w, "all", 3) == 0);
        if (neg && is_pg)
            return false;
        if (!neg) {
            positive = true;
            pg = pg || is_pg;
        }
        p = e + 1;
    }
    return !positive || pg;
}

/* Where a token of a --changeset line that starts at p ends: after the closing quote of a
   "quoted" one, else at the first white space (or ':' too, with stop_colon). */
static size_t token_end(const char *t, size_t p, size_t end, bool stop_colon)
{
    if (p < end && t[p] == '"') {
        p++;
        while (p < end && t[p] != '"')
            p++;
        return p < end ? p + 1 : p;
    }
    while (p < end && !(stop_colon && t[p] == ':') && !isspace((unsigned char)t[p]))
        p++;
    return p;
}

/* Parses "--changeset author:id attrs..." starting at p (after "changeset"). */
static bool parse_changeset(struct rs_layout_ctx *ctx, const struct rs_source *src, size_t p,
                            size_t end, struct changeset *cs)
{
    const char *t = src->text;
    p = layout_skip_space(t, p, end);
    size_t b = p;
    p = token_end(t, p, end, true);
    if (p == end || t[p] != ':' || p == b) {
        layout_error_at(ctx, src, b,
                        "write --changeset author:id (Liquibase refuses the changelog)",
                        "--changeset without author:id");
        return false;
    }
    size_t ib = ++p;
    p = token_end(t, p, end, false);
    if (p == ib) {
        layout_error_at(ctx, src, ib,
                        "write --changeset author:id (Liquibase refuses the changelog)",
                        "--changeset without an id after the author");
        return false;
    }
    cs->id = arena_strndup(ctx->arena, t + b, p - b);
    while (p < end) {
        /* Any white space, not only spaces and tabs: a lone \r or \f between attributes would
           otherwise stop both loops and this one would never end. */
        while (p < end && isspace((unsigned char)t[p]))
            p++;
        size_t ab = p;
        while (p < end && !isspace((unsigned char)t[p]))
            p++;
        const char *colon = memchr(t + ab, ':', p - ab);
        if (!colon)
            continue;
        size_t kn = (size_t)(colon - (t + ab));
        const char *v = colon + 1;
        size_t vn = (size_t)(t + p - v);
        if (kn == 16 && strncasecmp(t + ab, "runInTransaction", 16) == 0) {
            if (vn == 5 && strncasecmp(v, "false", 5) == 0)
                cs->no_tx = true;
            else if (!(vn == 4 && strncasecmp(v, "true", 4) == 0))
                layout_error_at(ctx, src, (size_t)(v - t), "write runInTransaction:false",
                                "runInTransaction must be true or false");
        } else if ((kn == 11 && strncasecmp(t + ab, "runOnChange", 11) == 0) ||
                   (kn == 9 && strncasecmp(t + ab, "runAlways", 9) == 0)) {
            if (vn == 4 && strncasecmp(v, "true", 4) == 0)
                cs->repeatable = true;
        } else if (kn == 4 && strncasecmp(t + ab, "dbms", 4) == 0) {
            cs->skip = !dbms_allows_pg(v, vn);
        }
    }
    return true;
}

/* Whether every byte in the ranges is white space. */
static bool ranges_blank(const struct rs_source *src, const struct layout_ranges *r)
{
    for (size_t i = 0; i < r->n; i++)
        for (size_t k = r->begin[i]; k < r->end[i]; k++)
            if (!isspace((unsigned char)src->text[k]))
                return false;
    return true;
}

static void finish(struct rs_layout_ctx *ctx, const struct rs_source *src, struct changeset *cs,
                   const char *file, struct rs_migration_list *out, size_t first)
{
    if (!cs->id || cs->skip)
        return;
    for (size_t i = first; i < out->n; i++) {
        if (strcmp(out->v[i].id, cs->id) == 0) {
            layout_error_at(ctx, src, cs->at,
                            "Liquibase identifies a changeset by author:id and file; change the id",
                            "changeset %s appears twice in this file", cs->id);
            return;
        }
    }
    struct rs_migration *m = layout_push(ctx, out, &rs_layout_liquibase);
    m->id = cs->id;
    m->name = file;
    layout_script(ctx, &m->up, src, &cs->up, cs->at);
    if (!cs->not_required && !ranges_blank(src, &cs->down))
        layout_script(ctx, &m->down, src, &cs->down, cs->at);
    else if (cs->not_required)
        m->note = "--rollback not required";
    /* "--rollback not required" says on purpose that the changeset has no down. */
    m->down_expected = !cs->not_required;
    m->up_tx = m->down_tx = cs->no_tx ? RS_TX_NONE : RS_TX_WRAPPED;
    m->repeatable = cs->repeatable;
}

int rs_liquibase_load_file(struct rs_layout_ctx *ctx, const struct rs_source *src,
                           struct rs_migration_list *out)
{
    if (!rs_liquibase_text_is_formatted(src->text)) {
        rs_diag_add(ctx->diag, src->path, 1, 1,
                    "make the first line --liquibase formatted sql, or exclude the file",
                    "not a Liquibase formatted SQL changelog");
        return -1;
    }
    const char *slash = strrchr(src->path, '/');
    const char *file = arena_strdup(ctx->arena, slash ? slash + 1 : src->path);
    const char *t = src->text;
    size_t first = out->n;
    struct changeset cs = {0};
    bool stray = false, in_block = false;
    size_t block_at = 0;
    struct layout_line l;
    size_t pos = 0;
    layout_next_line(src, &pos, &l); /* the header */
    while (layout_next_line(src, &pos, &l)) {
        size_t p = layout_skip_space(t, l.begin, l.end);
        if (in_block) {
            const char *close = NULL;
            for (size_t k = l.begin; k + 1 < l.end && !close; k++)
                if (t[k] == '*' && t[k + 1] == '/')
                    close = t + k;
            layout_range_add(ctx, &cs.down, l.begin, close ? (size_t)(close - t) : l.next);
            if (close)
                in_block = false;
            continue;
        }
        if (p + 1 < l.end && t[p] == '-' && t[p + 1] == '-') {
            size_t q = layout_skip_space(t, p + 2, l.end);
            if (word_at(t, q, l.end, "changeset")) {
                finish(ctx, src, &cs, file, out, first);
                cs = (struct changeset){0};
                cs.at = l.begin;
                if (!parse_changeset(ctx, src, q + 9, l.end, &cs) || cs.skip)
                    cs.id = NULL;
                continue;
            }
            if (word_at(t, q, l.end, "rollback")) {
                if (!cs.at) {
                    layout_error_at(ctx, src, l.begin, "move it below its --changeset line",
                                    "--rollback outside a changeset");
                    continue;
                }
                size_t r = q + 8 < l.end ? q + 9 : l.end;
                size_t re = l.end;
                size_t rt = layout_skip_space(t, r, re);
                while (re > rt && isspace((unsigned char)t[re - 1]))
                    re--;
                if (re - rt == 12 && strncasecmp(t + rt, "not required", 12) == 0)
                    cs.not_required = true;
                else
                    layout_range_add(ctx, &cs.down, r, l.next);
                continue;
            }
        } else if (p + 1 < l.end && t[p] == '/' && t[p + 1] == '*') {
            size_t q = layout_skip_space(t, p + 2, l.end);
            if (layout_starts_with_ci(t, q, l.end, "liquibase rollback")) {
                size_t body = q + 18;
                const char *close = NULL;
                for (size_t k = body; k + 1 < l.end && !close; k++)
                    if (t[k] == '*' && t[k + 1] == '/')
                        close = t + k;
                if (!cs.at) {
                    layout_error_at(ctx, src, l.begin, "move it below its --changeset line",
                                    "rollback block outside a changeset");
                    in_block = !close; /* skip it all the same */
                } else if (close) {
                    layout_range_add(ctx, &cs.down, body, (size_t)(close - t));
                } else {
                    layout_range_add(ctx, &cs.down, body, l.next);
                    in_block = true;
                    block_at = l.begin;
                }
                continue;
            }
        }
        if (!cs.at) {
            if (!stray && !layout_line_is_comment_or_blank(src, &l)) {
                layout_error_at(ctx, src, l.begin,
                                "put the statement in a changeset (--changeset author:id above "
                                "it)",
                                "SQL before the first --changeset");
                stray = true;
            }
            continue;
        }
        layout_range_add(ctx, &cs.up, l.begin, l.next);
    }
    if (in_block)
        layout_error_at(ctx, src, block_at, "close the rollback block with */",
                        "unterminated liquibase rollback block");
    finish(ctx, src, &cs, file, out, first);
    return 0;
}

/* The first bytes of a file, for detection: a UTF-8 byte-order mark may come first. */
static bool peek_is_formatted(const char *text)
{
    return rs_liquibase_text_is_formatted(strncmp(text, "\xEF\xBB\xBF", 3) == 0 ? text + 3 : text);
}

static int liquibase_detect(struct rs_layout_ctx *ctx, int wins_at)
{
    return layout_detect_text(ctx, layout_is_sql, 512, peek_is_formatted, 100, wins_at);
}

static int liquibase_load(struct rs_layout_ctx *ctx, struct rs_migration_list *out)
{
    return layout_load_each(ctx, layout_is_sql, rs_liquibase_load_file, false, out);
}

const struct rs_layout rs_layout_liquibase = {
    .name = "liquibase",
    .description = "formatted SQL changelogs: --changeset author:id with --rollback lines; a "
                   "transaction per changeset unless runInTransaction:false",
    .detect = liquibase_detect,
    .detect_cost = 2,
    .load = liquibase_load,
};
