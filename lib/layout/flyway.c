/*
 * flyway.c - Flyway SQL migrations: V<version>__<description>.sql (versioned), U<version>__...
 * (undo, the down of the V of the same version), R__<description>.sql (repeatable) and
 * B<version>__... (baseline), in the directory and its subdirectories as Flyway scans them.
 *
 * Versions order part by part as numbers ("1.1" < "1.10" < "2", "1" == "1.0"; '_' separates parts
 * like '.'). Repeatables run after every versioned migration, ordered by description. On a new
 * database Flyway starts from the newest baseline and skips the versioned migrations it covers;
 * rollsafe loads the same sequence. Each migration runs in a transaction unless its
 * <file>.conf says executeInTransaction=false. Other files, including callbacks
 * (beforeMigrate.sql ...) and Java migrations, are not migrations here. Custom prefixes set in
 * flyway.conf / flyway.toml are not read.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "layout_int.h"
#include "util/arena.h"

struct fw_file {
    const struct layout_entry *e;
    char kind;           /* 'V', 'U', 'R' or 'B' */
    const char *version; /* "1.2.3" ('_' turned into '.'), "" for R */
    const char *desc;
};

/* Parses a Flyway script name; false when it is not one (returns *bad for a V/U/B name that
   looks like a migration but is malformed). */
static bool parse_name(struct rs_layout_ctx *ctx, const struct layout_entry *e, struct fw_file *f,
                       bool *bad)
{
    const char *s = e->name;
    *bad = false;
    if (!s[0] || !strchr("VURB", s[0]) || !layout_ends_with(s, ".sql"))
        return false;
    size_t n = strlen(s) - 4;
    const char *sep = strstr(s + 1, "__");
    if (s[0] == 'R') {
        if (sep != s + 1)
            return false;
    } else {
        if (!isdigit((unsigned char)s[1]))
            return false;
        if (!sep || (size_t)(sep - s) > n) {
            *bad = true;
            return false;
        }
        for (const char *p = s + 1; p < sep; p++) {
            bool digit = isdigit((unsigned char)*p);
            bool dot = (*p == '.' || *p == '_') && p + 1 < sep && isdigit((unsigned char)p[1]);
            if (!digit && !dot) {
                *bad = true;
                return false;
            }
        }
    }
    f->e = e;
    f->kind = s[0];
    char *v = arena_strndup(ctx->arena, s + 1, (size_t)(sep - s - 1));
    for (char *p = v; *p; p++)
        if (*p == '_')
            *p = '.';
    f->version = v;
    size_t db = (size_t)(sep + 2 - s);
    f->desc = db <= n ? arena_strndup(ctx->arena, s + db, n - db) : "";
    return true;
}

/* Compares dotted versions part by part as numbers; missing parts count as 0. */
static int version_cmp(const char *a, const char *b)
{
    while (*a || *b) {
        size_t na = strcspn(a, "."), nb = strcspn(b, ".");
        int c = layout_number_cmp(na ? a : "0", na ? na : 1, nb ? b : "0", nb ? nb : 1);
        if (c)
            return c;
        a += na;
        b += nb;
        if (*a == '.')
            a++;
        if (*b == '.')
            b++;
    }
    return 0;
}

static int file_cmp(const void *pa, const void *pb)
{
    const struct fw_file *a = pa, *b = pb;
    bool ra = a->kind == 'R', rb = b->kind == 'R';
    if (ra != rb)
        return ra ? 1 : -1;
    int c = ra ? strcmp(a->desc, b->desc) : version_cmp(a->version, b->version);
    if (c)
        return c;
    return strcmp(a->e->rel, b->e->rel);
}

/* Reads <script>.conf next to a script: executeInTransaction=false means no transaction. */
static enum rs_txmode script_tx(struct rs_layout_ctx *ctx, const struct layout_entry *e)
{
    const char *rel = arena_join(ctx->arena, e->rel, ".conf", "");
    if (!layout_exists(ctx, rel, LAYOUT_FILE))
        return RS_TX_WRAPPED;
    const struct rs_source *conf = layout_read(ctx, layout_join(ctx, rel));
    if (!conf)
        return RS_TX_WRAPPED;
    enum rs_txmode tx = RS_TX_WRAPPED;
    struct layout_line l;
    for (size_t pos = 0; layout_next_line(conf, &pos, &l);) {
        const char *t = conf->text;
        size_t p = layout_skip_space(t, l.begin, l.end);
        if (p == l.end || t[p] == '#' || t[p] == '!')
            continue;
        size_t k = p;
        while (k < l.end && t[k] != '=' && t[k] != ' ' && t[k] != '\t')
            k++;
        size_t ke = k;
        k = layout_skip_space(t, k, l.end);
        if (k == l.end || t[k] != '=') {
            layout_error_at(ctx, conf, p, "script configuration lines are key=value",
                            "malformed line in a Flyway script configuration");
            continue;
        }
        size_t v = layout_skip_space(t, k + 1, l.end), ve = l.end;
        while (ve > v && (t[ve - 1] == ' ' || t[ve - 1] == '\t'))
            ve--;
        if (ke - p == 20 && strncmp(t + p, "executeInTransaction", 20) == 0) {
            if (ve - v == 5 && strncasecmp(t + v, "false", 5) == 0)
                tx = RS_TX_NONE;
            else if (!(ve - v == 4 && strncasecmp(t + v, "true", 4) == 0))
                layout_error_at(ctx, conf, v, "write executeInTransaction=false or =true",
                                "executeInTransaction must be true or false");
        }
    }
    return tx;
}

static int flyway_detect(struct rs_layout_ctx *ctx, int wins_at)
{
    struct layout_entries e = {0};
    if (wins_at > 90 || layout_list_tree(ctx, true, &e) < 0)
        return 0;
    int versioned = 0;
    for (size_t i = 0; i < e.n; i++) {
        struct fw_file f;
        bool bad;
        if (parse_name(ctx, &e.v[i], &f, &bad) && f.kind != 'R')
            versioned++;
    }
    return versioned ? 90 : 0;
}

static int flyway_load(struct rs_layout_ctx *ctx, struct rs_migration_list *out)
{
    struct layout_entries e = {0};
    if (layout_list_tree(ctx, false, &e) < 0)
        return -1;
    struct fw_file *files = arena_alloc(ctx->arena, (e.n + 1) * sizeof(*files));
    size_t n = 0;
    for (size_t i = 0; i < e.n; i++) {
        bool bad;
        if (parse_name(ctx, &e.v[i], &files[n], &bad)) {
            n++;
        } else if (bad) {
            rs_diag_add(ctx->diag, e.v[i].path, 0, 0,
                        "Flyway names migrations V<version>__<description>.sql (two underscores; "
                        "version parts separated by . or _)",
                        "malformed Flyway migration name");
        }
    }
    layout_sort(files, n, sizeof(*files), file_cmp);

    /* The newest baseline, if any, replaces the versioned migrations up to its version. */
    const struct fw_file *baseline = NULL;
    for (size_t i = 0; i < n; i++)
        if (files[i].kind == 'B')
            baseline = &files[i];

    for (size_t i = 0; i < n; i++) {
        const struct fw_file *f = &files[i];
        if (f->kind == 'U') {
            bool paired = false;
            for (size_t k = 0; k < n && !paired; k++)
                paired = files[k].kind == 'V' && version_cmp(files[k].version, f->version) == 0;
            if (!paired)
                rs_diag_add(ctx->diag, f->e->path, 0, 0,
                            "add the V file of this version, or remove the undo file",
                            "undo migration without a versioned migration of version %s",
                            f->version);
            continue;
        }
        if (f->kind == 'B' && f != baseline)
            continue;
        if (f->kind == 'V' && baseline && version_cmp(f->version, baseline->version) <= 0)
            continue;
        if (f->kind != 'R') {
            bool dup = false;
            for (size_t k = 0; k < i && !dup; k++)
                dup = files[k].kind == f->kind && version_cmp(files[k].version, f->version) == 0;
            if (dup) {
                rs_diag_add(ctx->diag, f->e->path, 0, 0,
                            "Flyway refuses two migrations with one version; renumber one",
                            "another %c migration has version %s", f->kind, f->version);
                continue;
            }
        } else if (i > 0 && files[i - 1].kind == 'R' && strcmp(files[i - 1].desc, f->desc) == 0) {
            rs_diag_add(ctx->diag, f->e->path, 0, 0,
                        "Flyway refuses two repeatable migrations with one description; rename one",
                        "another repeatable migration is named %s", files[i - 1].e->name);
            continue;
        }
        const struct rs_source *src = layout_read(ctx, f->e->path);
        if (!src)
            continue;
        struct rs_migration *m = layout_push(ctx, out, &rs_layout_flyway);
        m->id = f->kind == 'R' ? f->desc : f->version;
        m->name = f->desc;
        rs_script_whole(&m->up, src);
        m->up_tx = m->down_tx = script_tx(ctx, f->e);
        m->repeatable = f->kind == 'R';
        if (f->kind == 'B')
            m->note = "baseline migration: Flyway runs it on a new database instead of the "
                      "versioned migrations up to its version";
        if (f->kind != 'V')
            continue;
        for (size_t k = 0; k < n; k++) {
            if (files[k].kind != 'U' || version_cmp(files[k].version, f->version) != 0)
                continue;
            const struct rs_source *usrc = layout_read(ctx, files[k].e->path);
            if (usrc) {
                rs_script_whole(&m->down, usrc);
                m->down_tx = script_tx(ctx, files[k].e);
                m->note = "down is a U (undo) file";
            }
            break;
        }
    }
    return 0;
}

const struct rs_layout rs_layout_flyway = {
    .name = "flyway",
    .description = "V<version>__<desc>.sql, U undo files, R__ repeatables; a transaction per "
                   "migration unless executeInTransaction=false",
    .detect = flyway_detect,
    .detect_cost = 3,
    .load = flyway_load,
};
