/*
 * json.c - the machine contract of PRODUCT.md §3. Fields may be added, never renamed.
 *
 * The check report is written as it is walked, by a small writer that lays it out exactly as
 * jansson's JSON_INDENT(2) does (two spaces per level, "key": value, keys in the order written).
 * Building a jansson tree of a long history (thousands of findings) and dumping it was a fifth
 * of a whole check: every string copied and checked, every member hashed, then walked again.
 * tests/unit/report_test.c reads the writer's output back with jansson. Documents that are not
 * on a hot path (the drill report) are built with jansson and dumped by rs_json_dump.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "util/arena.h"
#include "util/strbuf.h"

struct jw {
    char *s;
    size_t len, cap;
    int depth;
    bool first;  /* nothing written yet in the innermost open object or array */
    struct rs_report_sink sink; /* streamed: written there a piece at a time (out NULL: whole) */
};

/* Room for n more bytes and a NUL. The text is NUL-terminated only where it is handed out
   whole (rs_report_json): the writes in between are many and small. */
static inline void reserve(struct jw *w, size_t n)
{
    if (w->cap - w->len > n)
        return;
    w->s = heap_grow(w->s, &w->cap, w->len + n + 1, 1, 64 * 1024);
}

static inline void raw(struct jw *w, const char *s, size_t n)
{
    reserve(w, n);
    memcpy(w->s + w->len, s, n);
    w->len += n;
}

static void newline(struct jw *w)
{
    size_t n = 1 + 2 * (size_t)w->depth;
    reserve(w, n);
    w->s[w->len] = '\n';
    memset(w->s + w->len + 1, ' ', n - 1);
    w->len += n;
}

static void open_(struct jw *w, char c)
{
    raw(w, &c, 1);
    w->depth++;
    w->first = true;
}

static void close_(struct jw *w, char c)
{
    w->depth--;
    if (!w->first)
        newline(w);
    raw(w, &c, 1);
    w->first = false;
}

/* Before each member or element: the comma after the previous one and the line break. */
static void item(struct jw *w)
{
    if (!w->first)
        raw(w, ",", 1);
    newline(w);
    w->first = false;
}

/* Length of the valid UTF-8 sequence at s (1 to 4), or 0. */
static size_t utf8_seq(const unsigned char *s, const unsigned char *end)
{
    unsigned c = s[0];
    size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
    if (!n || (size_t)(end - s) < n)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F) || (c == 0xF0 && s[1] < 0x90) ||
        (c == 0xF4 && s[1] > 0x8F))
        return 0; /* overlong, a surrogate, or past U+10FFFF */
    return n;
}

/* The first byte from p on that a JSON string cannot hold as it is: '"', '\\', a control
   character or any byte of a multi-byte sequence. Eight bytes at a time: reports are mostly
   long plain messages. */
static const unsigned char *plain_run(const unsigned char *p, const unsigned char *end)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    while (end - p >= 8) {
        uint64_t x;
        memcpy(&x, p, 8);
        uint64_t quote = x ^ (ones * '"'), backslash = x ^ (ones * '\\');
        /* A byte with its high bit set here is one below 0x20, a '"' or a '\\' (each test
           of the form (v - 1s) & ~v flags a zero byte), or one of 0x80 and above (x). */
        uint64_t flags = ((x - ones * 0x20) | (quote - ones) | (backslash - ones)) &
                             ~x & ~quote & ~backslash & highs;
        if (flags | (x & highs))
            break;
        p += 8;
    }
    while (p < end && *p >= 0x20 && *p != '"' && *p != '\\' && *p < 0x80)
        p++;
    return p;
}

/* A JSON string as jansson writes it: '"', '\\' and control characters escaped, the rest as it
   is. A byte that is not UTF-8 (never expected: sources are checked when read) becomes
   U+FFFD. */
static void str(struct jw *w, const char *s)
{
    if (!s) {
        raw(w, "null", 4);
        return;
    }
    const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
    raw(w, "\"", 1);
    while (p < end) {
        const unsigned char *run = p;
        p = plain_run(p, end);
        if (p > run)
            raw(w, (const char *)run, (size_t)(p - run));
        if (p == end)
            break;
        char esc[8];
        switch (*p) {
        case '"': raw(w, "\\\"", 2); break;
        case '\\': raw(w, "\\\\", 2); break;
        case '\b': raw(w, "\\b", 2); break;
        case '\f': raw(w, "\\f", 2); break;
        case '\n': raw(w, "\\n", 2); break;
        case '\r': raw(w, "\\r", 2); break;
        case '\t': raw(w, "\\t", 2); break;
        default:
            if (*p < 0x20) {
                snprintf(esc, sizeof(esc), "\\u%04X", *p);
                raw(w, esc, 6);
            } else {
                size_t n = utf8_seq(p, end);
                if (n) {
                    raw(w, (const char *)p, n);
                    p += n;
                    continue;
                }
                raw(w, "\xEF\xBF\xBD", 3);
            }
        }
        p++;
    }
    raw(w, "\"", 1);
}

static void integer(struct jw *w, long long v)
{
    char buf[24];
    size_t n;
    const char *p = decimal(buf, v, &n);
    raw(w, p, n);
}

static void boolean(struct jw *w, bool v)
{
    raw(w, v ? "true" : "false", v ? 4 : 5);
}

/* Starts member key (a plain word, written as it is) of the open object. */
static void key(struct jw *w, const char *k)
{
    item(w);
    size_t n = strlen(k);
    reserve(w, n + 4);
    char *o = w->s + w->len;
    o[0] = '"';
    memcpy(o + 1, k, n);
    memcpy(o + 1 + n, "\": ", 3);
    w->len += n + 4;
}

static void kv_str(struct jw *w, const char *k, const char *v)
{
    key(w, k);
    str(w, v);
}

static void kv_int(struct jw *w, const char *k, long long v)
{
    key(w, k);
    integer(w, v);
}

static void kv_bool(struct jw *w, const char *k, bool v)
{
    key(w, k);
    boolean(w, v);
}

static void kv_null(struct jw *w, const char *k)
{
    key(w, k);
    raw(w, "null", 4);
}

static void kv_strings(struct jw *w, const char *k, const char *const *v, size_t n)
{
    key(w, k);
    open_(w, '[');
    for (size_t i = 0; i < n; i++) {
        item(w);
        str(w, v[i]);
    }
    close_(w, ']');
}

static void finding(struct jw *w, const struct rs_finding *f)
{
    open_(w, '{');
    kv_str(w, "rule", f->rule);
    kv_str(w, "class", rs_class_name(f->cls));
    if (f->failure_mode)
        kv_int(w, "failure_mode", f->failure_mode);
    else
        kv_null(w, "failure_mode");
    kv_str(w, "severity", rs_severity_name(f->severity));
    kv_str(w, "path", f->path);
    kv_int(w, "line", f->line);
    kv_int(w, "column", f->column);
    kv_str(w, "message", f->message);
    kv_str(w, "help", f->help);
    kv_bool(w, "approved", f->approved);
    kv_str(w, "approval_reason", f->approval_reason);
    kv_bool(w, "breaks_previous_version", f->breaks_previous);
    kv_bool(w, "fatal", f->fatal);
    if (f->stmt)
        kv_int(w, "statement", f->stmt);
    else
        kv_null(w, "statement");
    kv_bool(w, "in_down", f->in_down);
    close_(w, '}');
}

static void findings(struct jw *w, const char *k, const struct rs_finding *v, size_t n)
{
    key(w, k);
    open_(w, '[');
    for (size_t i = 0; i < n; i++) {
        item(w);
        finding(w, &v[i]);
    }
    close_(w, ']');
}

static void schema_cell(struct jw *w, const char *k, size_t failing)
{
    key(w, k);
    open_(w, '{');
    kv_bool(w, "compatible", failing == 0);
    kv_int(w, "failing", (long long)failing);
    close_(w, '}');
}

/* One application version of the mixed-version matrix: its queries on the schema before the
   migration (old) and after it (new). */
static void version_compat(struct jw *w, const char *k, bool given, size_t queries, size_t old,
                           size_t new_)
{
    if (!given) {
        kv_null(w, k);
        return;
    }
    key(w, k);
    open_(w, '{');
    kv_int(w, "queries", (long long)queries);
    schema_cell(w, "old_schema", old);
    schema_cell(w, "new_schema", new_);
    close_(w, '}');
}

static void migration(struct jw *w, const struct rs_migration_result *m)
{
    open_(w, '{');
    kv_str(w, "id", m->id);
    kv_str(w, "name", m->name ? m->name : "");
    kv_str(w, "path", m->path);
    kv_str(w, "down_path", m->down_path);
    kv_str(w, "verdict", rs_verdict_name(m->verdict));
    kv_bool(w, "previous_version_compatible", m->previous_version_compatible);
    kv_bool(w, "reversible", m->reversible);
    kv_str(w, "lock_risk", rs_lock_risk_name(m->lock_risk));
    if (m->ponr_path) {
        key(w, "point_of_no_return");
        open_(w, '{');
        kv_str(w, "path", m->ponr_path);
        kv_int(w, "line", m->ponr_line);
        kv_int(w, "statement", m->ponr_stmt);
        close_(w, '}');
    } else {
        kv_null(w, "point_of_no_return");
    }
    kv_str(w, "transaction", m->tx);
    if (m->down_check.present && m->down_check.checked) {
        key(w, "down_check");
        open_(w, '{');
        kv_bool(w, "restores_schema", m->down_check.restores_schema);
        kv_strings(w, "differences", m->down_check.differences, m->down_check.ndifferences);
        kv_strings(w, "data_loss", m->down_check.data_loss, m->down_check.ndata_loss);
        close_(w, '}');
    } else {
        kv_null(w, "down_check");
    }
    /* Only with --previous-queries / --next-queries: without them there is no matrix. */
    if (m->compat.previous || m->compat.next) {
        const struct rs_compatibility *c = &m->compat;
        key(w, "compatibility");
        open_(w, '{');
        version_compat(w, "previous", c->previous, c->nprevious, c->previous_old,
                       c->previous_new);
        version_compat(w, "next", c->next, c->nnext, c->next_old, c->next_new);
        close_(w, '}');
    }
    findings(w, "findings", m->findings, m->nfindings);
    close_(w, '}');
}

const char *rs_report_json_part(struct arena *a, const struct rs_migration_result *m, size_t *len)
{
    struct jw w = {.depth = 2}; /* in the document's "migrations" array */
    migration(&w, m);
    char *s = arena_strndup(a, w.s, w.len);
    *len = w.len;
    free(w.s);
    return s;
}

/* Streamed: the buffer goes out once it holds at least keep bytes. */
static void spill(struct jw *w, size_t keep)
{
    if (!w->sink.out || w->len < keep || w->len == 0)
        return;
    rs_report_sink_write(&w->sink, w->s, w->len);
    w->len = 0;
}

/* Appends s (n bytes) as it is; streamed, it is written from where it is. */
static void put_part(struct jw *w, const char *s, size_t n)
{
    if (!w->sink.out) {
        raw(w, s, n);
        return;
    }
    spill(w, 0);
    rs_report_sink_write(&w->sink, s, n);
}

/* The whole document into w: kept whole, or streamed to w->sink. */
static void document(struct jw *w, const struct rs_check_result *r)
{
    open_(w, '{');
    kv_str(w, "tool", "rollsafe");
    kv_str(w, "version", r->tool_version);
    kv_int(w, "pg_version", r->pg_version);
    kv_str(w, "layout", r->layout);
    key(w, "migrations");
    open_(w, '[');
    for (size_t i = 0; i < r->nmigrations; i++) {
        item(w);
        const struct rs_migration_result *m = &r->migrations[i];
        if (m->part) {
            put_part(w, m->part, m->part_len);
            w->first = false;
        } else {
            migration(w, m);
        }
        spill(w, RS_REPORT_PIECE);
    }
    close_(w, ']');
    findings(w, "other_findings", r->other, r->nother);
    key(w, "summary");
    open_(w, '{');
    kv_int(w, "migrations", (long long)r->summary.migrations);
    kv_int(w, "safe", (long long)r->summary.safe);
    kv_int(w, "breaks_previous_version", (long long)r->summary.breaks);
    kv_int(w, "irreversible", (long long)r->summary.irreversible);
    kv_int(w, "findings", (long long)r->summary.findings);
    kv_bool(w, "failed", r->failed);
    close_(w, '}');
    close_(w, '}');
    raw(w, "\n", 1);
    spill(w, 0);
}

char *rs_report_json(const struct rs_check_result *r, const struct rs_report_opts *o)
{
    (void)o;
    struct jw w = {0};
    document(&w, r);
    reserve(&w, 0);
    w.s[w.len] = '\0';
    return w.s;
}

int rs_report_json_write(const struct rs_check_result *r, const struct rs_report_opts *o,
                         FILE *out)
{
    (void)o;
    struct jw w = {.sink = {out, 0}};
    document(&w, r);
    free(w.s);
    return rs_report_sink_status(&w.sink);
}

json_t *rs_json_strings(const char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

char *rs_json_dump(json_t *root)
{
    char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    json_decref(root);
    if (!s)
        rs_oom();
    size_t n = strlen(s);
    char *out = realloc(s, n + 2);
    if (!out)
        rs_oom();
    out[n] = '\n';
    out[n + 1] = '\0';
    return out;
}
