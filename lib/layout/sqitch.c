/*
 * sqitch.c - Sqitch projects: sqitch.plan gives the order; deploy/<change>.sql is the up,
 * revert/<change>.sql the down, verify/<change>.sql is not a migration and is not read.
 *
 * Plan lines are pragmas (%project=...), tags (@v1.0 ...), comments (#) and changes
 * ("name [dependencies] timestamp planner <email> # note"). A change planned again after a tag is
 * a rework: the earlier instance's scripts are <change>@<tag>.sql, for the first tag after it
 * whose file exists, as Sqitch resolves them. Dependencies must name changes planned earlier
 * (conflicts "!x" and other projects' "proj:x" are not checked). Sqitch adds no transaction:
 * scripts run through psql as written (RS_TX_SCRIPT), and its templates hold their own
 * BEGIN/COMMIT. sqitch.conf (top_dir, plan_file) is not read: the defaults are assumed.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "layout_int.h"
#include "util/arena.h"

#define PLAN "sqitch.plan"

static int sqitch_detect(struct rs_layout_ctx *ctx, int wins_at)
{
    return wins_at <= 100 && layout_exists(ctx, PLAN, LAYOUT_FILE) ? 100 : 0;
}

enum item_kind { ITEM_CHANGE, ITEM_TAG };

struct item {
    enum item_kind kind;
    const char *name;         /* change name, or tag name without '@' */
    size_t line_at;           /* offset of the plan line, for messages */
    size_t deps_at, deps_end; /* the text between the brackets */
};

struct items {
    struct item *v;
    size_t n, cap;
};

static bool name_char(char c)
{
    return c && !isspace((unsigned char)c) && c != '[' && c != '#' && c != '@' && c != ':' &&
           c != '\\';
}

/* Parses the plan into items; returns -1 when the plan cannot be read. */
static int read_plan(struct rs_layout_ctx *ctx, const struct rs_source **psrc, struct items *items)
{
    const struct rs_source *src = layout_read(ctx, layout_join(ctx, PLAN));
    *psrc = src;
    if (!src)
        return -1;
    const char *t = src->text;
    struct layout_line l;
    for (size_t pos = 0; layout_next_line(src, &pos, &l);) {
        size_t p = layout_skip_space(t, l.begin, l.end);
        if (p == l.end || t[p] == '#' || t[p] == '%')
            continue;
        struct item it = {ITEM_CHANGE, NULL, l.begin, 0, 0};
        if (t[p] == '@') {
            it.kind = ITEM_TAG;
            p++;
        } else if (t[p] == '+') {
            p++;
        } else if (t[p] == '-') {
            layout_error_at(ctx, src, p,
                            "remove the change from the plan instead (sqitch rework / revert)",
                            "reverting a change in the plan (\"-name\") is not supported");
            continue;
        }
        size_t b = p;
        while (p < l.end && name_char(t[p]))
            p++;
        if (p == b) {
            layout_error_at(ctx, src, p,
                            "a plan line is: name [dependencies] timestamp planner <email> # note",
                            "malformed sqitch.plan line");
            continue;
        }
        it.name = arena_strndup(ctx->arena, t + b, p - b);
        p = layout_skip_space(t, p, l.end);
        if (it.kind == ITEM_CHANGE && p < l.end && t[p] == '[') {
            size_t q = p + 1;
            while (q < l.end && t[q] != ']')
                q++;
            if (q == l.end) {
                layout_error_at(ctx, src, p, "close the dependency list with ]",
                                "unterminated dependency list");
                continue;
            }
            it.deps_at = p + 1;
            it.deps_end = q;
            p = layout_skip_space(t, q + 1, l.end);
        }
        if (p == l.end || !isdigit((unsigned char)t[p])) {
            layout_error_at(ctx, src, p,
                            "a plan line is: name [dependencies] timestamp planner <email> # note",
                            "sqitch.plan line without a timestamp");
            continue;
        }
        *VEC_PUSH(ctx->arena, items) = it;
    }
    return 0;
}

/* Checks each required dependency against the changes and tags planned before item i. */
static void check_deps(struct rs_layout_ctx *ctx, const struct rs_source *src,
                       const struct item *items, size_t i)
{
    const char *t = src->text;
    size_t p = items[i].deps_at;
    while (p < items[i].deps_end) {
        while (p < items[i].deps_end && isspace((unsigned char)t[p]))
            p++;
        size_t b = p;
        while (p < items[i].deps_end && !isspace((unsigned char)t[p]))
            p++;
        if (p == b || t[b] == '!' || memchr(t + b, ':', p - b))
            continue;
        const char *at = memchr(t + b, '@', p - b);
        size_t nlen = at ? (size_t)(at - (t + b)) : p - b;
        bool found_name = nlen == 0, found_tag = !at;
        /* @HEAD and @ROOT are Sqitch's symbolic tags. */
        if (at && ((t + p - at == 5 && strncmp(at, "@HEAD", 5) == 0) ||
                   (t + p - at == 5 && strncmp(at, "@ROOT", 5) == 0)))
            found_tag = true;
        for (size_t k = 0; k < i; k++) {
            const char *n = items[k].name;
            if (items[k].kind == ITEM_CHANGE && strlen(n) == nlen && strncmp(n, t + b, nlen) == 0)
                found_name = true;
            if (at && items[k].kind == ITEM_TAG && strlen(n) == (size_t)(t + p - at - 1) &&
                strncmp(n, at + 1, strlen(n)) == 0)
                found_tag = true;
        }
        if (!found_name || !found_tag)
            layout_error_at(ctx, src, b,
                            "a change can only require changes planned before it; fix the name "
                            "or move the change",
                            "unknown dependency \"%.*s\"", (int)(p - b), t + b);
    }
}

/* Path of a script of change instance i: <dir>/<name>.sql, or <name>@<tag>.sql when reworked. */
static const char *script_rel(struct rs_layout_ctx *ctx, const struct item *items, size_t n,
                              size_t i, const char *dir, const char **tag_out)
{
    *tag_out = NULL;
    size_t next = i + 1;
    while (next < n &&
           !(items[next].kind == ITEM_CHANGE && strcmp(items[next].name, items[i].name) == 0))
        next++;
    if (next == n)
        return arena_printf(ctx->arena, "%s/%s.sql", dir, items[i].name);
    const char *first = NULL;
    for (size_t k = i + 1; k < next; k++) {
        if (items[k].kind != ITEM_TAG)
            continue;
        const char *rel =
            arena_printf(ctx->arena, "%s/%s@%s.sql", dir, items[i].name, items[k].name);
        if (!first) {
            first = rel;
            *tag_out = items[k].name;
        }
        if (layout_exists(ctx, rel, LAYOUT_FILE)) {
            *tag_out = items[k].name;
            return rel;
        }
    }
    return first;
}

static int sqitch_load(struct rs_layout_ctx *ctx, struct rs_migration_list *out)
{
    if (!layout_exists(ctx, PLAN, LAYOUT_FILE) && !layout_exists(ctx, PLAN, LAYOUT_OTHER)) {
        rs_diag_add(ctx->diag, ctx->dir, 0, 0,
                    "point rollsafe at the directory that holds sqitch.plan (the project's "
                    "top_dir)",
                    "no sqitch.plan in this directory");
        return -1;
    }
    const struct rs_source *plan;
    struct items items = {0};
    if (read_plan(ctx, &plan, &items) < 0)
        return -1;
    for (size_t i = 0; i < items.n; i++) {
        const struct item *it = &items.v[i];
        if (it->kind != ITEM_CHANGE)
            continue;
        check_deps(ctx, plan, items.v, i);
        const char *tag;
        const char *deploy = script_rel(ctx, items.v, items.n, i, "deploy", &tag);
        if (!deploy) {
            layout_error_at(ctx, plan, it->line_at,
                            "Sqitch needs a tag between a change and its rework; add one "
                            "(sqitch tag) before the second instance",
                            "change \"%s\" is planned twice with no tag in between", it->name);
            continue;
        }
        if (!layout_exists(ctx, deploy, LAYOUT_FILE) && !layout_exists(ctx, deploy, LAYOUT_OTHER)) {
            layout_error_at(ctx, plan, it->line_at,
                            "add the deploy script, or remove the change from sqitch.plan",
                            "deploy script %s is missing", deploy);
            continue;
        }
        const struct rs_source *up = layout_read(ctx, layout_join(ctx, deploy));
        if (!up)
            continue;
        struct rs_migration *m = layout_push(ctx, out, &rs_layout_sqitch);
        m->id = tag ? arena_printf(ctx->arena, "%s@%s", it->name, tag) : it->name;
        m->name = it->name;
        rs_script_whole(&m->up, up);
        m->up_tx = m->down_tx = RS_TX_SCRIPT;
        m->down_expected = true;
        if (tag)
            m->note =
                arena_printf(ctx->arena, "reworked later; this is the version as of @%s", tag);
        const char *revert_tag;
        const char *revert = script_rel(ctx, items.v, items.n, i, "revert", &revert_tag);
        if (revert &&
            (layout_exists(ctx, revert, LAYOUT_FILE) || layout_exists(ctx, revert, LAYOUT_OTHER))) {
            const struct rs_source *down = layout_read(ctx, layout_join(ctx, revert));
            if (down)
                rs_script_whole(&m->down, down);
        }
    }
    return 0;
}

const struct rs_layout rs_layout_sqitch = {
    .name = "sqitch",
    .description = "sqitch.plan order, deploy/ and revert/ scripts; transactions as written",
    .detect = sqitch_detect,
    .detect_cost = 0,
    .load = sqitch_load,
};
