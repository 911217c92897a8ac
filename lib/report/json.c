/*
 * json.c - the machine contract of PRODUCT.md §3, built with jansson. Fields may be added,
 * never renamed.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "util/arena.h"

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *rs_json_finding(const struct rs_finding *f);

json_t *rs_json_finding(const struct rs_finding *f)
{
    json_t *j = json_object();
    json_object_set_new(j, "rule", json_string(f->rule));
    json_object_set_new(j, "class", json_string(rs_class_name(f->cls)));
    json_object_set_new(j, "failure_mode",
                        f->failure_mode ? json_integer(f->failure_mode) : json_null());
    json_object_set_new(j, "severity", json_string(rs_severity_name(f->severity)));
    json_object_set_new(j, "path", str_or_null(f->path));
    json_object_set_new(j, "line", json_integer(f->line));
    json_object_set_new(j, "column", json_integer(f->column));
    json_object_set_new(j, "message", json_string(f->message));
    json_object_set_new(j, "help", str_or_null(f->help));
    json_object_set_new(j, "approved", json_boolean(f->approved));
    json_object_set_new(j, "approval_reason", str_or_null(f->approval_reason));
    json_object_set_new(j, "breaks_previous_version", json_boolean(f->breaks_previous));
    json_object_set_new(j, "fatal", json_boolean(f->fatal));
    json_object_set_new(j, "statement", f->stmt ? json_integer(f->stmt) : json_null());
    json_object_set_new(j, "in_down", json_boolean(f->in_down));
    return j;
}

json_t *rs_json_strings(const char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static json_t *schema_cell(size_t failing)
{
    json_t *j = json_object();
    json_object_set_new(j, "compatible", json_boolean(failing == 0));
    json_object_set_new(j, "failing", json_integer((json_int_t)failing));
    return j;
}

/* One application version of the mixed-version matrix: its queries on the schema before the
   migration (old) and after it (new). */
static json_t *version_compat(bool given, size_t queries, size_t old, size_t new_)
{
    if (!given)
        return json_null();
    json_t *j = json_object();
    json_object_set_new(j, "queries", json_integer((json_int_t)queries));
    json_object_set_new(j, "old_schema", schema_cell(old));
    json_object_set_new(j, "new_schema", schema_cell(new_));
    return j;
}

static json_t *compatibility(const struct rs_compatibility *c)
{
    json_t *j = json_object();
    json_object_set_new(j, "previous",
                        version_compat(c->previous, c->nprevious, c->previous_old,
                                       c->previous_new));
    json_object_set_new(j, "next", version_compat(c->next, c->nnext, c->next_old, c->next_new));
    return j;
}

static json_t *migration(const struct rs_migration_result *m, enum rs_fail_on fail_on)
{
    (void)fail_on;
    json_t *j = json_object();
    json_object_set_new(j, "id", json_string(m->id));
    json_object_set_new(j, "name", json_string(m->name ? m->name : ""));
    json_object_set_new(j, "path", str_or_null(m->path));
    json_object_set_new(j, "down_path", str_or_null(m->down_path));
    json_object_set_new(j, "verdict", json_string(rs_verdict_name(m->verdict)));
    json_object_set_new(j, "previous_version_compatible",
                        json_boolean(m->previous_version_compatible));
    json_object_set_new(j, "reversible", json_boolean(m->reversible));
    json_object_set_new(j, "lock_risk", json_string(rs_lock_risk_name(m->lock_risk)));
    if (m->ponr_path) {
        json_t *p = json_object();
        json_object_set_new(p, "path", json_string(m->ponr_path));
        json_object_set_new(p, "line", json_integer(m->ponr_line));
        json_object_set_new(p, "statement", json_integer(m->ponr_stmt));
        json_object_set_new(j, "point_of_no_return", p);
    } else {
        json_object_set_new(j, "point_of_no_return", json_null());
    }
    json_object_set_new(j, "transaction", str_or_null(m->tx));
    if (m->down_check.present && m->down_check.checked) {
        json_t *d = json_object();
        json_object_set_new(d, "restores_schema", json_boolean(m->down_check.restores_schema));
        json_object_set_new(d, "differences",
                            rs_json_strings(m->down_check.differences, m->down_check.ndifferences));
        json_object_set_new(d, "data_loss",
                            rs_json_strings(m->down_check.data_loss, m->down_check.ndata_loss));
        json_object_set_new(j, "down_check", d);
    } else {
        json_object_set_new(j, "down_check", json_null());
    }
    /* Only with --previous-queries / --next-queries: without them there is no matrix. */
    if (m->compat.previous || m->compat.next)
        json_object_set_new(j, "compatibility", compatibility(&m->compat));
    json_t *fs = json_array();
    for (size_t i = 0; i < m->nfindings; i++)
        json_array_append_new(fs, rs_json_finding(&m->findings[i]));
    json_object_set_new(j, "findings", fs);
    return j;
}

/*
 * The report is written one migration at a time: a jansson tree of the whole report (three
 * thousand findings on a long history) costs megabytes that are touched once. Each value is
 * dumped by jansson with JSON_INDENT(2) and indented to its depth in the document, so the text
 * is the same as a dump of the whole tree.
 */
struct out {
    char *s;
    size_t len, cap;
    int depth; /* indentation added after each newline of a dumped value */
};

static void out_add(struct out *o, const char *s, size_t n)
{
    if (o->cap - o->len <= n) {
        size_t cap = o->cap ? o->cap : 64 * 1024;
        while (cap - o->len <= n)
            cap *= 2;
        char *p = realloc(o->s, cap);
        if (!p)
            rs_oom();
        o->s = p;
        o->cap = cap;
    }
    memcpy(o->s + o->len, s, n);
    o->len += n;
    o->s[o->len] = '\0';
}

static void out_newline(struct out *o, int depth)
{
    static const char spaces[] = "                                ";
    out_add(o, "\n", 1);
    for (int n = 2 * depth; n > 0; n -= (int)sizeof(spaces) - 1)
        out_add(o, spaces, n < (int)sizeof(spaces) - 1 ? (size_t)n : sizeof(spaces) - 1);
}

static int dump_cb(const char *buf, size_t size, void *data)
{
    struct out *o = data;
    /* jansson writes each line break of JSON_INDENT as a chunk of its own, and never a raw
       one inside a string. */
    if (size == 1 && *buf == '\n')
        out_newline(o, o->depth);
    else
        out_add(o, buf, size);
    return 0;
}

/* Writes v (a reference that is released) as the value at depth. */
static void out_value(struct out *o, int depth, json_t *v)
{
    o->depth = depth;
    if (!v) {
        out_add(o, "null", 4); /* a string jansson refused (not UTF-8): never expected */
        return;
    }
    if (json_dump_callback(v, dump_cb, o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY))
        rs_oom();
    json_decref(v);
}

/* Starts member key of an object at depth (keys are plain words: written as they are). */
static void out_key(struct out *o, int depth, const char *key, bool first)
{
    if (!first)
        out_add(o, ",", 1);
    out_newline(o, depth + 1);
    out_add(o, "\"", 1);
    out_add(o, key, strlen(key));
    out_add(o, "\": ", 3);
}

char *rs_report_json(const struct rs_check_result *r, const struct rs_report_opts *o)
{
    struct out out = {0};
    out_add(&out, "{", 1);
    out_key(&out, 0, "tool", true);
    out_value(&out, 1, json_string("rollsafe"));
    out_key(&out, 0, "version", false);
    out_value(&out, 1, json_string(r->tool_version));
    out_key(&out, 0, "pg_version", false);
    out_value(&out, 1, json_integer(r->pg_version));
    out_key(&out, 0, "layout", false);
    out_value(&out, 1, str_or_null(r->layout));
    out_key(&out, 0, "migrations", false);
    out_add(&out, "[", 1);
    for (size_t i = 0; i < r->nmigrations; i++) {
        if (i)
            out_add(&out, ",", 1);
        out_newline(&out, 2);
        out_value(&out, 2, migration(&r->migrations[i], o->fail_on));
    }
    if (r->nmigrations)
        out_newline(&out, 1);
    out_add(&out, "]", 1);
    json_t *other = json_array();
    for (size_t i = 0; i < r->nother; i++)
        json_array_append_new(other, rs_json_finding(&r->other[i]));
    out_key(&out, 0, "other_findings", false);
    out_value(&out, 1, other);
    json_t *s = json_object();
    json_object_set_new(s, "migrations", json_integer((json_int_t)r->summary.migrations));
    json_object_set_new(s, "safe", json_integer((json_int_t)r->summary.safe));
    json_object_set_new(s, "breaks_previous_version", json_integer((json_int_t)r->summary.breaks));
    json_object_set_new(s, "irreversible", json_integer((json_int_t)r->summary.irreversible));
    json_object_set_new(s, "findings", json_integer((json_int_t)r->summary.findings));
    json_object_set_new(s, "failed", json_boolean(r->failed));
    out_key(&out, 0, "summary", false);
    out_value(&out, 1, s);
    out_add(&out, "\n}\n", 3);
    return out.s;
}

char *rs_json_dump(json_t *root)
{
    struct out out = {0};
    out_value(&out, 0, root);
    out_add(&out, "\n", 1);
    return out.s;
}
