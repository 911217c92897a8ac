/*
 * load.c - reading the application's queries: a directory of .sql files (recursively, in
 * natural order), one .sql file (statements separated by semicolons, or one statement per line
 * as a query log has them), or a pg_stat_statements export (.csv with a header line, or .json),
 * where the query is in a column named `query`.
 *
 * Every query keeps its exact position in its file, also inside a CSV or JSON field, so that a
 * finding points at the query's own line. Parsing is lib/sql's (PostgreSQL's grammar); this file
 * only finds the query texts. It does not decide what a query fails on (problems.c).
 */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"
#include "layout/layout.h"
#include "source.h"
#include "util/strbuf.h"

/* Where a parsed text sits in its file. */
struct origin {
    const struct rs_source *src;
    const char *text;
    size_t len;
    const size_t *map; /* text offset -> file offset, or NULL: base + offset */
    size_t base;
    bool exported; /* a pg_stat_statements export (texts may be cut off) */
};

static size_t origin_offset(const struct origin *o, size_t off)
{
    if (off > o->len)
        off = o->len;
    return o->map ? o->map[off] : o->base + off;
}

size_t rs_app_query_file_offset(const struct rs_app_query *q, size_t off)
{
    struct origin o = {q->src, q->text, q->text_len, q->map, q->base, false};
    return origin_offset(&o, off);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* ---------------------------------------------------------------- statements */

/* The statement on one line: white space collapsed, cut after 80 characters. */
static const char *one_line(struct arena *a, const char *s, size_t n)
{
    struct strbuf sb;
    sb_init(&sb, a);
    size_t chars = 0;
    bool space = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = sb.len > 0;
            continue;
        }
        if ((c & 0xC0) != 0x80) {
            if (chars >= 80) {
                /* Cut at the last word boundary. */
                size_t cut = sb.len;
                while (cut > 40 && sb.s[cut - 1] != ' ')
                    cut--;
                sb.s[cut > 40 ? cut - 1 : sb.len] = '\0';
                sb.len = strlen(sb.s);
                sb_add(&sb, " ...");
                return sb.s;
            }
            if (space) {
                sb_addc(&sb, ' ');
                chars++;
            }
            chars++;
        }
        space = false;
        sb_addc(&sb, (char)c);
    }
    return sb.s;
}

struct names {
    struct arena *a;
    VEC(const char *) v;
};

static void add_name(struct names *nm, const char *name)
{
    if (!name)
        return;
    for (size_t i = 0; i < nm->v.n; i++)
        if (!strcmp(nm->v.v[i], name))
            return;
    *VEC_PUSH(nm->a, &nm->v) = name;
}

static void query_names(struct names *nm, const struct rs_query *q, int depth)
{
    if (!q || depth > 64)
        return;
    for (size_t i = 0; i < q->nfrom; i++) {
        add_name(nm, q->from[i].rel.name);
        query_names(nm, q->from[i].subquery, depth + 1);
    }
    for (size_t i = 0; i < q->nchildren; i++)
        query_names(nm, q->children[i], depth + 1);
    for (size_t i = 0; i < q->nctes; i++)
        query_names(nm, q->ctes[i].query, depth + 1);
    query_names(nm, q->set_left, depth + 1);
    query_names(nm, q->set_right, depth + 1);
}

static bool is_query(const struct rs_stmt *st)
{
    return st->kind == RS_STMT_SELECT || st->kind == RS_STMT_INSERT || st->kind == RS_STMT_UPDATE ||
           st->kind == RS_STMT_DELETE;
}

static void add_unparsed(struct arena *a, struct rs_queries *qs, const struct origin *o,
                         const struct rs_stmt *st)
{
    struct rs_finding *f = VEC_PUSH(a, &qs->unparsed);
    f->rule = rs_rule_query_syntax.name;
    f->cls = rs_rule_query_syntax.cls;
    f->severity = rs_rule_query_syntax.severity;
    f->src = o->src;
    f->path = o->src->path;
    size_t at = st->error_offset < o->len ? st->error_offset : st->offset;
    if (strstr(st->error, "at end of input") && st->len)
        at = st->offset + st->len - 1; /* the parser reports the statement's start */
    f->offset = origin_offset(o, at);
    f->length = 1;
    rs_source_position(o->src, f->offset, &f->line, &f->column);
    /* pg_stat_statements cuts texts at track_activity_query_size - 1 bytes (1023 by default). */
    bool cut = o->exported && strstr(st->error, "at end of input") && o->len >= 1000;
    f->message =
        arena_printf(a, "query does not parse: %s; it is left out of the query checks", st->error);
    f->help = cut ? "pg_stat_statements keeps the first track_activity_query_size bytes of a "
                    "query (1024 by default): raise the setting, or add the full text of this "
                    "query as a .sql file"
                  : "Fix the query, or give rollsafe the SQL the application really sends (with "
                    "$1-style parameters).";
    *VEC_PUSH(a, &qs->unparsed_text) = arena_strndup(a, o->text + st->offset, st->len);
}

/* Adds the statements of one parsed text; returns how many did not parse. */
static size_t add_statements(struct arena *a, struct rs_queries *qs, const struct origin *o,
                             const struct rs_stmt_list *stmts, bool dry_run)
{
    size_t bad = 0;
    for (size_t i = 0; i < stmts->n; i++) {
        const struct rs_stmt *st = &stmts->v[i];
        if (st->syntax_error) {
            bad++;
            if (!dry_run)
                add_unparsed(a, qs, o, st);
            continue;
        }
        if (dry_run || !is_query(st))
            continue;
        struct rs_app_query *q = VEC_PUSH(a, &qs->v);
        q->st = st;
        q->src = o->src;
        q->text = o->text;
        q->text_len = o->len;
        q->map = o->map;
        q->base = o->base;
        q->oneline = one_line(a, o->text + st->offset, st->len);
        struct names nm = {a, {0}};
        add_name(&nm, st->rel.name);
        query_names(&nm, st->query, 0);
        query_names(&nm, st->returning, 0);
        q->names = nm.v.v;
        q->nnames = nm.v.n;
    }
    return bad;
}

/* Skips white space, comments and semicolons from p. */
static size_t skip_noise(const char *t, size_t p, size_t len)
{
    for (p = rs_sql_skip_blank(t, p, len); p < len && t[p] == ';';)
        p = rs_sql_skip_blank(t, p + 1, len);
    return p;
}

/*
 * Parses a text. PostgreSQL's scanner does not split off a last statement that leaves a
 * parenthesis open (a query cut off by pg_stat_statements does), so what follows the last
 * statement is checked here: text there is a statement that does not parse.
 */
static void parse(struct arena *a, const char *text, size_t len, struct rs_stmt_list *out)
{
    rs_sql_parse_text(a, text, len, NULL, out);
    size_t end = 0;
    for (size_t i = 0; i < out->n; i++)
        if (out->v[i].offset + out->v[i].len > end)
            end = out->v[i].offset + out->v[i].len;
    size_t rest = skip_noise(text, end, len);
    if (rest >= len)
        return;
    struct rs_stmt *st = VEC_PUSH(a, out);
    st->syntax_error = true;
    st->tag = "syntax error";
    st->offset = rest;
    st->len = len - rest;
    st->error_offset = len;
    st->error = "syntax error at end of input";
    st->index = (int)out->n;
}

static void parse_origin(struct arena *a, struct rs_queries *qs, const struct origin *o)
{
    struct rs_stmt_list stmts = {0};
    parse(a, o->text, o->len, &stmts);
    add_statements(a, qs, o, &stmts, false);
}

/* ---------------------------------------------------------------- .sql files */

static bool blank_or_comment(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
        i++;
    return i == n || (i + 1 < n && s[i] == '-' && s[i + 1] == '-');
}

/*
 * A .sql file is statements separated by semicolons. A query log has one statement per line and
 * no semicolons: when the file does not parse as a whole, each line is tried on its own, and
 * kept when that leaves fewer statements that do not parse.
 */
static void load_sql(struct arena *a, struct rs_queries *qs, const struct rs_source *src)
{
    struct origin whole = {src, src->text, src->len, NULL, 0, false};
    struct rs_stmt_list stmts = {0};
    parse(a, src->text, src->len, &stmts);
    size_t bad = add_statements(a, qs, &whole, &stmts, true);
    if (bad && src->nlines > 1) {
        size_t bad_lines = 0, nonblank = 0;
        struct arena tmp = ARENA_INIT;
        for (size_t l = 1; l <= src->nlines && bad_lines < bad; l++) {
            size_t n;
            const char *line = rs_source_line(src, (int)l, &n);
            if (blank_or_comment(line, n))
                continue;
            nonblank++;
            struct rs_stmt_list ls = {0};
            parse(&tmp, arena_strndup(&tmp, line, n), n, &ls);
            for (size_t i = 0; i < ls.n; i++)
                bad_lines += ls.v[i].syntax_error;
        }
        arena_free(&tmp);
        if (nonblank > 1 && bad_lines < bad) {
            for (size_t l = 1; l <= src->nlines; l++) {
                size_t n;
                const char *line = rs_source_line(src, (int)l, &n);
                if (blank_or_comment(line, n))
                    continue;
                struct origin o = {src,  arena_strndup(a, line, n),          n,
                                   NULL, rs_source_line_offset(src, (int)l), false};
                parse_origin(a, qs, &o);
            }
            return;
        }
    }
    add_statements(a, qs, &whole, &stmts, false);
}

/* ---------------------------------------------------------------- pg_stat_statements CSV */

#define CSV_MAX_FIELDS 256

static int load_csv(struct arena *a, struct rs_queries *qs, const struct rs_source *src,
                    struct rs_diag *diag)
{
    struct rs_csv_field fields[CSV_MAX_FIELDS];
    size_t pos = 0;
    int n = rs_csv_record(src->text, src->len, &pos, fields, CSV_MAX_FIELDS);
    int col = -1;
    for (int i = 0; i < n && i < CSV_MAX_FIELDS; i++) {
        size_t len;
        const char *name = rs_csv_value(a, src->text, &fields[i], &len, NULL);
        if (!strcasecmp(name, "query"))
            col = i;
    }
    if (col < 0) {
        rs_diag_add(diag, src->path, 1, 1,
                    "export with a header line: psql -c \"\\copy (select query from "
                    "pg_stat_statements) to 'queries.csv' csv header\"",
                    "no \"query\" column in the header line");
        return -1;
    }
    for (;;) {
        size_t start = pos;
        n = rs_csv_record(src->text, src->len, &pos, fields, CSV_MAX_FIELDS);
        if (n == 0)
            break;
        if (n < 0) {
            int line, column;
            rs_source_position(src, pos, &line, &column);
            rs_diag_add(diag, src->path, line, column,
                        "a quoted field must end with a quote; export with psql's \\copy ... "
                        "csv header",
                        "quoted field is never closed");
            return -1;
        }
        if (n <= col || (n == 1 && fields[0].begin == fields[0].end))
            continue; /* a short record or an empty line */
        (void)start;
        size_t len, *map;
        char *text = rs_csv_value(a, src->text, &fields[col], &len, &map);
        struct origin o = {src, text, len, map, 0, true};
        parse_origin(a, qs, &o);
    }
    return 0;
}

/* ---------------------------------------------------------------- pg_stat_statements JSON */

static long hex4(const char *s, size_t n)
{
    if (n < 4)
        return -1;
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hex_value(s[i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/*
 * The positions of a JSON string's bytes in the file. jansson parses the document and gives the
 * value; this walks the string token at t[p] (its opening quote) once more to learn where each
 * byte of the value came from, and checks that it decodes to the same value. Returns the map
 * (want_len + 1 entries) or NULL when the token is not that string.
 */
static size_t *json_string_map(struct arena *a, const char *t, size_t len, size_t p,
                               const char *want, size_t want_len)
{
    if (p >= len || t[p] != '"')
        return NULL;
    size_t *map = arena_alloc(a, (want_len + 1) * sizeof(*map));
    size_t n = 0, i = p + 1;
    while (i < len && t[i] != '"') {
        size_t at = i;
        unsigned char buf[4];
        size_t nb = 0;
        if (t[i] != '\\') {
            buf[nb++] = (unsigned char)t[i++];
        } else {
            if (i + 1 >= len)
                return NULL;
            char e = t[i + 1];
            i += 2;
            switch (e) {
            case 'b':
                buf[nb++] = '\b';
                break;
            case 'f':
                buf[nb++] = '\f';
                break;
            case 'n':
                buf[nb++] = '\n';
                break;
            case 'r':
                buf[nb++] = '\r';
                break;
            case 't':
                buf[nb++] = '\t';
                break;
            case 'u': {
                long cp = hex4(t + i, len - i);
                if (cp < 0)
                    return NULL;
                i += 4;
                if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 <= len && t[i] == '\\' &&
                    t[i + 1] == 'u') {
                    long lo = hex4(t + i + 2, len - i - 2);
                    if (lo >= 0xDC00 && lo <= 0xDFFF) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        i += 6;
                    }
                }
                if (cp < 0x80) {
                    buf[nb++] = (unsigned char)cp;
                } else if (cp < 0x800) {
                    buf[nb++] = (unsigned char)(0xC0 | (cp >> 6));
                    buf[nb++] = (unsigned char)(0x80 | (cp & 0x3F));
                } else if (cp < 0x10000) {
                    buf[nb++] = (unsigned char)(0xE0 | (cp >> 12));
                    buf[nb++] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
                    buf[nb++] = (unsigned char)(0x80 | (cp & 0x3F));
                } else {
                    buf[nb++] = (unsigned char)(0xF0 | (cp >> 18));
                    buf[nb++] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
                    buf[nb++] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
                    buf[nb++] = (unsigned char)(0x80 | (cp & 0x3F));
                }
                break;
            }
            default:
                buf[nb++] = (unsigned char)e;
                break; /* \" \\ \/ */
            }
        }
        for (size_t k = 0; k < nb; k++) {
            if (n >= want_len || (unsigned char)want[n] != buf[k])
                return NULL;
            map[n++] = at;
        }
    }
    if (i >= len || n != want_len)
        return NULL;
    map[n] = i;
    return map;
}

/* The next `"query"` key from *cursor whose string value decodes to want: its byte map. */
static size_t *find_json_query(struct arena *a, const struct rs_source *src, size_t *cursor,
                               bool keyed, const char *want, size_t want_len)
{
    const char *t = src->text;
    size_t len = src->len;
    for (size_t p = *cursor; p < len;) {
        const char *hit;
        size_t at;
        if (keyed) {
            hit = strstr(t + p, "\"query\"");
            if (!hit)
                return NULL;
            at = (size_t)(hit - t) + 7;
            while (at < len && (t[at] == ' ' || t[at] == '\t' || t[at] == '\n' || t[at] == '\r'))
                at++;
            if (at >= len || t[at] != ':') {
                p = (size_t)(hit - t) + 1;
                continue;
            }
            at++;
            while (at < len && (t[at] == ' ' || t[at] == '\t' || t[at] == '\n' || t[at] == '\r'))
                at++;
        } else {
            hit = memchr(t + p, '"', len - p);
            if (!hit)
                return NULL;
            at = (size_t)(hit - t);
        }
        size_t *map = json_string_map(a, t, len, at, want, want_len);
        if (map) {
            *cursor = map[want_len] + 1;
            return map;
        }
        p = (size_t)(hit - t) + 1;
    }
    return NULL;
}

static void json_query(struct arena *a, struct rs_queries *qs, const struct rs_source *src,
                       size_t *cursor, bool keyed, json_t *s)
{
    size_t len = json_string_length(s);
    const char *v = json_string_value(s);
    if (memchr(v, '\0', len))
        return; /* a NUL inside a query: nothing PostgreSQL would have run */
    char *text = arena_strndup(a, v, len);
    size_t *map = find_json_query(a, src, cursor, keyed, text, len);
    struct origin o = {src, text, len, map, 0, true};
    if (!map) {
        /* Not found in the file (unusual escaping): every position is the record's. */
        map = arena_alloc(a, (len + 1) * sizeof(*map));
        for (size_t i = 0; i <= len; i++)
            map[i] = *cursor < src->len ? *cursor : 0;
        o.map = map;
    }
    parse_origin(a, qs, &o);
}

/* An array of objects with a "query" string (json_agg), or an array of strings. */
static size_t json_document(struct arena *a, struct rs_queries *qs, const struct rs_source *src,
                            size_t *cursor, json_t *doc)
{
    size_t found = 0;
    json_t *items = doc;
    if (json_is_object(doc)) {
        json_t *q = json_object_get(doc, "query");
        if (json_is_string(q)) {
            json_query(a, qs, src, cursor, true, q);
            return 1;
        }
        return 0;
    }
    if (!json_is_array(items))
        return 0;
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        if (json_is_string(it)) {
            json_query(a, qs, src, cursor, false, it);
            found++;
        } else if (json_is_object(it)) {
            json_t *q = json_object_get(it, "query");
            if (json_is_string(q)) {
                json_query(a, qs, src, cursor, true, q);
                found++;
            }
        }
    }
    return found;
}

static int load_json(struct arena *a, struct rs_queries *qs, const struct rs_source *src,
                     struct rs_diag *diag)
{
    json_error_t err;
    size_t cursor = 0, found = 0;
    json_t *doc = json_loadb(src->text, src->len, JSON_ALLOW_NUL, &err);
    if (doc) {
        found = json_document(a, qs, src, &cursor, doc);
        json_decref(doc);
    } else {
        /* JSON lines: one document per line. */
        json_error_t first = err;
        size_t pos = 0;
        bool ok = true;
        while (ok && pos < src->len) {
            size_t used;
            json_error_t e;
            json_t *d = json_loadb(src->text + pos, src->len - pos,
                                   JSON_DISABLE_EOF_CHECK | JSON_ALLOW_NUL, &e);
            if (!d) {
                size_t rest = pos;
                while (rest < src->len && (src->text[rest] == ' ' || src->text[rest] == '\n' ||
                                           src->text[rest] == '\r' || src->text[rest] == '\t'))
                    rest++;
                if (rest < src->len)
                    ok = false;
                break;
            }
            used = e.position;
            found += json_document(a, qs, src, &cursor, d);
            json_decref(d);
            if (used == 0)
                break;
            pos += used;
        }
        if (!ok || !found) {
            rs_diag_add(diag, src->path, first.line, first.column,
                        "give a JSON array of objects with a \"query\" field, for example from "
                        "psql -At -c \"select json_agg(json_build_object('query', query)) from "
                        "pg_stat_statements\"",
                        "not JSON: %s", first.text);
            return -1;
        }
    }
    if (!found) {
        rs_diag_add(diag, src->path, 0, 0,
                    "give a JSON array of objects with a \"query\" field (or of strings)",
                    "no \"query\" field found");
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- files and directories */

static int load_file(struct arena *a, struct rs_queries *qs, const char *path, struct rs_diag *diag)
{
    struct rs_source *src = rs_source_load(a, path, diag);
    if (!src)
        return -1;
    if (ends_with(path, ".csv"))
        return load_csv(a, qs, src, diag);
    if (ends_with(path, ".json") || ends_with(path, ".jsonl"))
        return load_json(a, qs, src, diag);
    load_sql(a, qs, src);
    return 0;
}

typedef VEC(const char *) path_vec;

static int path_cmp(const void *x, const void *y)
{
    return rs_natural_cmp(*(const char *const *)x, *(const char *const *)y);
}

static int walk(struct arena *a, const char *dir, int depth, path_vec *out, struct rs_diag *diag)
{
    DIR *d = opendir(dir);
    if (!d) {
        rs_diag_add(diag, dir, 0, 0, "check the path and its permissions",
                    "cannot read the directory: %s", strerror(errno));
        return -1;
    }
    path_vec dirs = {0};
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue; /* ., .., and hidden directories such as .git */
        const char *p = arena_printf(a, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            *VEC_PUSH(a, &dirs) = p;
        else if (S_ISREG(st.st_mode) && ends_with(e->d_name, ".sql"))
            *VEC_PUSH(a, out) = p;
    }
    closedir(d);
    if (depth >= 32)
        return 0; /* a symbolic link loop: deep enough */
    if (dirs.n)
        qsort(dirs.v, dirs.n, sizeof(*dirs.v), path_cmp);
    for (size_t i = 0; i < dirs.n; i++)
        if (walk(a, dirs.v[i], depth + 1, out, diag) < 0)
            return -1;
    return 0;
}

struct rs_queries *rs_queries_load(struct arena *a, const char *path, struct rs_diag *diag)
{
    struct rs_queries *qs = arena_alloc(a, sizeof(*qs));
    qs->path = arena_strdup(a, path);
    struct stat st;
    if (stat(path, &st) != 0) {
        rs_diag_add(diag, path, 0, 0,
                    "give a directory of .sql files, a .sql file, or a pg_stat_statements export "
                    "(.csv or .json)",
                    "cannot read the queries: %s", strerror(errno));
        return NULL;
    }
    if (!S_ISDIR(st.st_mode))
        return load_file(a, qs, path, diag) < 0 ? NULL : qs;

    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        len--;
    path_vec files = {0};
    if (walk(a, arena_strndup(a, path, len), 0, &files, diag) < 0)
        return NULL;
    if (!files.n) {
        rs_diag_add(diag, path, 0, 0,
                    "put the application's queries in .sql files (subdirectories are searched)",
                    "no .sql file in the directory");
        return NULL;
    }
    /* Natural order of the whole relative path, so a/2.sql comes before a/10.sql and b/. */
    qsort(files.v, files.n, sizeof(*files.v), path_cmp);
    for (size_t i = 0; i < files.n; i++)
        if (load_file(a, qs, files.v[i], diag) < 0)
            return NULL;
    return qs;
}
