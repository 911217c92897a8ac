/*
 * down.c - down-migration verification: up then down on a copy of the schema model, compared
 * with the model before the up (see down.h).
 *
 * What it does: parses the down and applies it, statement by statement, to a copy of the model
 * after the up, judging on the way what each statement does to data (drops data that existed
 * before the up, drops what the up created, narrows back what the up widened). Then it compares
 * the result with the model before the up, object by object and by name, and says what the down
 * cannot give back even where the schema matches (a re-created column is empty; values the up
 * rounded stay rounded). Finally it has emit_down.c compute the up's own inverse
 * (--emit-down). Findings about the down carry in_down and point into the down script;
 * approvals written in the down script apply to them.
 *
 * What it does not do: look at rows (data written since the up is a possibility, said as
 * such), judge the up (the rules do), or compare what the model does not track (privileges,
 * comments, storage settings, column order).
 */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "catalog/apply.h"
#include "down.h"
#include "emit_down.h"
#include "util/namemap.h"
#include "util/strbuf.h"

/* created_mig of objects the down itself creates: neither history nor the up. */
#define DOWN_MIG INT_MAX

/* At most this many down-mismatch findings per migration; the JSON lists every difference. */
#define MAX_MISMATCH_FINDINGS 10

struct diff {
    const char *text;
    const char *object; /* the relation or object it is about, to find the down statement */
    const char *column; /* the column it is about, or NULL */
    bool enum_value;    /* an enum value the up added and the down leaves */
};

typedef VEC(struct diff) diff_vec;

/* A model's relations and indexes by name, each map made on its first use by a comparison, and
   the slot after the last one found (a map's values point into the model's array, to know it). */
struct model_names {
    const struct rs_model *m;
    struct namemap rels, indexes;
    size_t rels_next, indexes_next;
    unsigned rels_scans, indexes_scans; /* lookups that scanned the array, before a map */
};

struct cmp {
    struct arena *a;
    const struct rs_model *want, *got;
    const struct rs_model *after; /* to tell "still exists" from "created by the down" */
    diff_vec *out;
    const char *column; /* column the next differences are about, or NULL */
    struct model_names names[3];
};

struct dk {
    const struct rs_down_ctx *c;
    struct arena *a; /* run arena: everything that outlives the migration */
    struct rs_stmt_list stmts;
    diff_vec diffs;
    VEC(const char *) loss;
    VEC(const char *) fails; /* "the down fails at line 3: ..." */
    const char *unfollowed;  /* what the model could not follow, for messages; NULL when all */
    bool syntax_error;
    bool newer_grammar; /* a statement of a newer PostgreSQL's grammar: not comparable */
};

static bool streq(const char *a, const char *b)
{
    return rs_name_eq(a, b);
}

static bool streq_null(const char *a, const char *b)
{
    return a == b || streq(a, b); /* copies of the model share their strings */
}

static const char *qn(struct arena *a, const struct rs_qname *q)
{
    return rs_qname_str(a, q);
}

/* ---------------------------------------------------------------- emitting */

static bool comment_line(const struct rs_source *src, int line)
{
    size_t len;
    const char *t = rs_source_line(src, line, &len);
    while (len && (*t == ' ' || *t == '\t')) {
        t++;
        len--;
    }
    return len >= 2 && t[0] == '-' && t[1] == '-';
}

/* Points a finding about a script as a whole at the line that starts it, when the script is a
   section of a file (goose, dbmate, Liquibase) rather than the whole file. */
static void at_section(struct rs_finding *f, const struct rs_script *s)
{
    if (!s->src || s->first_line < 1 || (s->begin == 0 && s->end >= s->src->len))
        return;
    int line = s->first_line, begin_line, col;
    rs_source_position(s->src, s->begin, &begin_line, &col);
    if (begin_line == line && line > 1 && comment_line(s->src, line - 1))
        line--; /* goose, dbmate: the section starts on the line after its directive */
    size_t len;
    rs_source_line(s->src, line, &len);
    f->line = line;
    f->column = 1;
    f->offset = rs_source_line_offset(s->src, line);
    f->length = len;
}

/* A finding about the down script: in_down, in the down's file. st NULL: about the down as a
   whole (no line). */
static struct rs_finding *emit(struct dk *d, const struct rs_rule *rule, const struct rs_stmt *st,
                               int location, const char *help, const char *msg)
{
    struct rs_emitter *e = d->c->emitter;
    const struct rs_source *src = e->src;
    bool in_down = e->in_down;
    const struct rs_script *down = &d->c->m->down;
    e->src = down->src;
    e->in_down = true;
    struct rs_finding *f = rs_emitter_add(e, rule, st, location, help, msg);
    e->src = src;
    e->in_down = in_down;
    if (!st && down->src == d->c->m->up.src)
        at_section(f, down);
    return f;
}

static void add_loss(struct dk *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add_loss(struct dk *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    *VEC_PUSH(d->a, &d->loss) = arena_vprintf(d->a, fmt, ap);
    va_end(ap);
}

/* ---------------------------------------------------------------- comparing two models */

static void add_diff(struct cmp *c, const char *object, bool enum_value, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void add_diff(struct cmp *c, const char *object, bool enum_value, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    struct diff *df = VEC_PUSH(c->a, c->out);
    df->text = arena_vprintf(c->a, fmt, ap);
    df->object = object;
    df->column = c->column;
    df->enum_value = enum_value;
    va_end(ap);
}

static const char *rel_kind_word(enum rs_rel_kind k)
{
    switch (k) {
    case RS_REL_VIEW:
        return "view";
    case RS_REL_MATVIEW:
        return "materialized view";
    case RS_REL_FOREIGN:
        return "foreign table";
    default:
        return "table";
    }
}

static const char *or_none(const char *s)
{
    return s ? s : "none";
}

static const char *identity_word(const char *id)
{
    return !id ? "none" : streq(id, "a") ? "generated always" : "generated by default";
}

static const char *join(struct arena *a, const char *const *v, size_t n, const char *sep)
{
    struct strbuf sb;
    sb_init(&sb, a);
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_add(&sb, sep);
        sb_add(&sb, v[i] ? v[i] : "?");
    }
    return sb.s;
}

/* An expression's text for comparison: without casts (`'a'::varchar` is `'a'`) and without the
   public schema on names. Defaults and index keys written in another form by the down (with or
   without a cast PostgreSQL adds anyway) then compare equal; a different column or function
   still differs. */
static const char *norm_expr(struct arena *a, const char *s)
{
    if (!s)
        return NULL;
    struct strbuf sb;
    sb_init(&sb, a);
    bool quoted = false;
    for (const char *p = s; *p;) {
        if (*p == '\'') {
            quoted = !quoted;
            sb_addc(&sb, *p++);
            continue;
        }
        if (!quoted && p[0] == ':' && p[1] == ':') {
            p += 2;
            while (*p == '"' || *p == '_' || *p == '.' || (*p >= 'a' && *p <= 'z') ||
                   (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))
                p++;
            /* the rest of a name of more than one word (`::double precision`) */
            static const char *const rest[] = {" precision", " varying", " with time zone",
                                               " without time zone"};
            for (size_t k = 0; k < sizeof(rest) / sizeof(rest[0]); k++)
                if (!strncmp(p, rest[k], strlen(rest[k])))
                    p += strlen(rest[k]);
            if (*p == '(') {
                while (*p && *p != ')')
                    p++;
                if (*p)
                    p++;
            }
            while (p[0] == '[' && p[1] == ']')
                p += 2;
            continue;
        }
        if (!quoted && !strncmp(p, "public.", 7) &&
            (p == s ||
             !(p[-1] == '_' || (p[-1] >= 'a' && p[-1] <= 'z') || (p[-1] >= '0' && p[-1] <= '9')))) {
            p += 7;
            continue;
        }
        sb_addc(&sb, *p++);
    }
    return sb.s;
}

/* Types compare without the public schema (`public.mood` is `mood`), as expressions do: a down
   written by pg_dump names every type of the schema in full. */
static bool same_type(const struct rs_type *a, const struct rs_type *b)
{
    struct rs_type x = *a, y = *b;
    if (x.schema && !strcmp(x.schema, "public"))
        x.schema = NULL;
    if (y.schema && !strcmp(y.schema, "public"))
        y.schema = NULL;
    return rs_type_equal(&x, &y);
}

/* Defaults compare without casts; nextval() of a serial column compares equal whatever the
   sequence is called (PostgreSQL stores the sequence, not its name, so it follows renames). */
static bool same_default(struct arena *a, const char *x, const char *y)
{
    if (x == y)
        return true; /* the same string: a model copy shares them (and most are unchanged) */
    if (!x || !y)
        return !x && !y;
    if (!strncmp(x, "nextval(", 8) && !strncmp(y, "nextval(", 8))
        return true;
    return !strcmp(norm_expr(a, x), norm_expr(a, y));
}

static bool same_texts(const char *const *a, size_t na, const char *const *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (!streq_null(a[i], b[i]))
            return false;
    return true;
}

/* Two constraints whose descriptions (con_desc) are the same because everything described is
   the same text: the usual case of one dropped by an up and made again by its down. False says
   nothing: the descriptions decide. */
static bool con_surely_same(const struct rs_constraint *w, const struct rs_constraint *g,
                            bool ref_columns)
{
    return w->kind == g->kind && w->deferrable == g->deferrable &&
           same_texts(w->columns, w->ncolumns, g->columns, g->ncolumns) &&
           streq_null(w->check_text, g->check_text) &&
           streq_null(w->ref_table.name, g->ref_table.name) &&
           (!ref_columns ||
            same_texts(w->ref_columns, w->nref_columns, g->ref_columns, g->nref_columns)) &&
           rs_fk_action_sql(w->on_delete) == rs_fk_action_sql(g->on_delete) &&
           rs_fk_action_sql(w->on_update) == rs_fk_action_sql(g->on_update);
}

/* The same for indexes (index_desc). */
static bool index_surely_same(const struct rs_index *w, const struct rs_index *g)
{
    return w->unique == g->unique && streq_null(w->table.name, g->table.name) &&
           same_texts(w->columns, w->ncolumns, g->columns, g->ncolumns) &&
           streq_null(w->where_text, g->where_text);
}

/* A constraint's definition as one comparable string. */
static const char *con_desc(struct arena *a, const struct rs_constraint *k, bool ref_columns)
{
    const char *cols = join(a, k->columns, k->ncolumns, ", ");
    const char *s;
    switch (k->kind) {
    case RS_CON_CHECK:
        s = arena_printf(a, "CHECK (%s)", k->check_text ? norm_expr(a, k->check_text) : "?");
        break;
    case RS_CON_PRIMARY:
        s = arena_printf(a, "PRIMARY KEY (%s)", cols);
        break;
    case RS_CON_UNIQUE:
        s = arena_printf(a, "UNIQUE (%s)", cols);
        break;
    case RS_CON_FOREIGN: {
        const char *del = rs_fk_action_sql(k->on_delete), *upd = rs_fk_action_sql(k->on_update);
        s = arena_printf(a, "FOREIGN KEY (%s) REFERENCES %s%s%s%s%s%s%s%s", cols,
                         k->ref_table.name ? k->ref_table.name : "?", ref_columns ? " (" : "",
                         ref_columns ? join(a, k->ref_columns, k->nref_columns, ", ") : "",
                         ref_columns ? ")" : "", del ? " ON DELETE " : "", del ? del : "",
                         upd ? " ON UPDATE " : "", upd ? upd : "");
        break;
    }
    case RS_CON_EXCLUSION:
        s = "EXCLUDE";
        break;
    default:
        s = "?";
        break;
    }
    return k->deferrable ? arena_printf(a, "%s DEFERRABLE", s) : s;
}

static const char *index_desc(struct arena *a, const struct rs_index *x)
{
    return arena_printf(
        a, "%sINDEX ON %s (%s)%s%s", x->unique ? "UNIQUE " : "",
        x->table.name ? x->table.name : "?", norm_expr(a, join(a, x->columns, x->ncolumns, ", ")),
        x->where_text ? " WHERE " : "", x->where_text ? norm_expr(a, x->where_text) : "");
}

/* Text with every run of white space made one space, trimmed: function bodies re-created by a
   down rarely keep the exact layout. */
static const char *squeeze(struct arena *a, const char *s)
{
    if (!s)
        return NULL;
    struct strbuf sb;
    sb_init(&sb, a);
    bool space = false;
    for (const char *p = s; *p; p++) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
            space = sb.len > 0;
            continue;
        }
        if (space)
            sb_addc(&sb, ' ');
        space = false;
        sb_addc(&sb, *p);
    }
    while (sb.len && sb.s[sb.len - 1] == ';')
        sb.s[--sb.len] = '\0';
    return sb.s;
}

/* "still exists" when the up left the object there, else "exists ..., not before the up". */
static const char *extra_word(bool in_after)
{
    return in_after ? "still exists" : "exists after the down but not before the up";
}

/*
 * Lookups that try first the slot after the last hit. The models compared share their history,
 * so their arrays are mostly in the same order and a comparison walks them in step; a miss falls
 * back to a scan. Model names always carry their schema, so equality is exact.
 */
static bool same_name(const struct rs_qname *a, const struct rs_qname *b)
{
    return (a->name == b->name || streq(a->name, b->name)) &&
           (a->schema == b->schema || streq(a->schema, b->schema));
}

#define DEFINE_FIND(fn, T, field)                                                                  \
    static const T *fn(const struct rs_model *m, const struct rs_qname *q, size_t *hint)           \
    {                                                                                              \
        size_t n = m->field.n;                                                                     \
        if (*hint < n && same_name(&m->field.v[*hint]->name, q))                                   \
            return m->field.v[(*hint)++];                                                          \
        for (size_t k = 0; k < n; k++) {                                                           \
            if (same_name(&m->field.v[k]->name, q)) {                                              \
                *hint = k + 1;                                                                     \
                return m->field.v[k];                                                              \
            }                                                                                      \
        }                                                                                          \
        return NULL;                                                                               \
    }

/* Relations and indexes are many and looked up across each other (an index's table): the
   slot of the same number first (a comparison walks two models in step), then the last hit and
   the slot after it (an object the up or the down dropped or added shifts the rest of the array
   by one; the indexes of one table come one after another), then a scan from the end (what the
   down made again stands there), and only when scans turn out many, a map: building one costs
   as much as a few dozen scans. Names are unique in a model, so any of these finds the same. */
#define FEW_SCANS 16

static struct model_names *names_of(struct cmp *c, const struct rs_model *m)
{
    struct model_names *mn = c->names;
    while (mn->m && mn->m != m)
        mn++; /* c->names has room for want, got and after */
    mn->m = m;
    return mn;
}

/* The slot of q in m's array, or the array's length when q is not there. */
#define DEFINE_FIND_MAPPED(fn, T, field)                                                           \
    static size_t fn##_at(struct cmp *c, const struct rs_model *m, const struct rs_qname *q,       \
                          size_t slot)                                                             \
    {                                                                                              \
        const T *const *v = m->field.v;                                                            \
        size_t n = m->field.n;                                                                     \
        if (slot < n && same_name(&v[slot]->name, q))                                              \
            return slot;                                                                           \
        struct model_names *mn = names_of(c, m);                                                   \
        size_t *next = &mn->field##_next;                                                          \
        for (size_t k = *next ? *next - 1 : 0; k <= *next && k < n; k++) {                         \
            if (same_name(&v[k]->name, q)) {                                                       \
                *next = k + 1;                                                                     \
                return k;                                                                          \
            }                                                                                      \
        }                                                                                          \
        struct namemap *map = &mn->field;                                                          \
        if (!map->slots && mn->field##_scans < FEW_SCANS) {                                        \
            mn->field##_scans++;                                                                   \
            for (size_t k = n; k-- > 0;) {                                                         \
                if (same_name(&v[k]->name, q)) {                                                   \
                    *next = k + 1;                                                                 \
                    return k;                                                                      \
                }                                                                                  \
            }                                                                                      \
            return n;                                                                              \
        }                                                                                          \
        if (!map->slots) {                                                                         \
            namemap_init(map, c->a, n);                                                            \
            for (size_t i = 0; i < n; i++)                                                         \
                namemap_put(map, v[i]->name.schema, v[i]->name.name, (void *)&v[i]);               \
        }                                                                                          \
        const T *const *hit = namemap_get(map, q->schema, q->name);                                \
        if (!hit)                                                                                  \
            return n;                                                                              \
        *next = (size_t)(hit - v) + 1;                                                             \
        return *next - 1;                                                                          \
    }                                                                                              \
    static const T *fn(struct cmp *c, const struct rs_model *m, const struct rs_qname *q,          \
                       size_t slot)                                                                \
    {                                                                                              \
        size_t k = fn##_at(c, m, q, slot);                                                         \
        return k < m->field.n ? m->field.v[k] : NULL;                                              \
    }

DEFINE_FIND_MAPPED(find_rel, struct rs_relation, rels)
DEFINE_FIND_MAPPED(find_index, struct rs_index, indexes)

DEFINE_FIND(find_type, struct rs_typeobj, types)
DEFINE_FIND(find_seq, struct rs_sequence, sequences)

static const struct rs_function *find_func(const struct rs_model *m, const struct rs_function *f,
                                           size_t *hint)
{
    size_t n = m->functions.n;
    for (size_t k = 0; k < n; k++) {
        const struct rs_function *g = m->functions.v[(*hint + k) % n];
        if (same_name(&g->name, &f->name) &&
            (!f->signature || !g->signature || streq(f->signature, g->signature))) {
            *hint = (*hint + k) % n + 1;
            return g;
        }
    }
    return NULL;
}

static const struct rs_trigger *find_trigger(const struct rs_model *m, const struct rs_trigger *t,
                                             size_t *hint)
{
    size_t n = m->triggers.n;
    for (size_t k = 0; k < n; k++) {
        const struct rs_trigger *g = m->triggers.v[(*hint + k) % n];
        if (streq(g->name, t->name) && same_name(&g->table, &t->table)) {
            *hint = (*hint + k) % n + 1;
            return g;
        }
    }
    return NULL;
}

static const struct rs_column *find_col(const struct rs_relation *r, const char *name, size_t *hint)
{
    size_t n = r ? r->columns.n : 0;
    if (*hint < n && streq(r->columns.v[*hint].name, name))
        return &r->columns.v[(*hint)++];
    for (size_t k = 0; k < n; k++) {
        if (streq(r->columns.v[k].name, name)) {
            *hint = k + 1;
            return &r->columns.v[k];
        }
    }
    return NULL;
}

/* Arrays copied from one model to the other and left alone are byte for byte the same (a copy
   shares every string): nothing in them can differ. */
static bool same_bytes(const void *a, size_t na, const void *b, size_t nb, size_t size)
{
    return na == nb && (!na || a == b || !memcmp(a, b, na * size));
}

/* rollsafe names a view column it cannot name "?column?"; PostgreSQL often can (a scalar
   subquery takes its target's name), so such a view's column names are not compared. */
static bool unnamed_columns(const struct rs_relation *r)
{
    for (size_t i = 0; i < r->columns.n; i++)
        if (streq(r->columns.v[i].name, "?column?"))
            return true;
    return false;
}

static void compare_columns(struct cmp *c, const struct rs_relation *w, const struct rs_relation *g)
{
    if (same_bytes(w->columns.v, w->columns.n, g->columns.v, g->columns.n, sizeof(w->columns.v[0])))
        return;
    const char *rn = qn(c->a, &w->name);
    bool table = w->kind == RS_REL_TABLE || w->kind == RS_REL_FOREIGN;
    if (!table && (unnamed_columns(w) || unnamed_columns(g)))
        return;
    size_t hint = 0;
    for (size_t i = 0; i < w->columns.n; i++) {
        const struct rs_column *wc = &w->columns.v[i];
        const struct rs_column *gc = find_col(g, wc->name, &hint);
        c->column = wc->name;
        if (!gc) {
            if (g->complete)
                add_diff(c, w->name.name, false, "column %s.%s is missing", rn, wc->name);
            continue;
        }
        if (!table)
            continue; /* view columns: names only (their types come from what they read) */
        if (wc->type.name && gc->type.name && !same_type(&wc->type, &gc->type))
            add_diff(c, w->name.name, false, "column %s.%s: type %s, was %s", rn, wc->name,
                     rs_type_format(c->a, &gc->type), rs_type_format(c->a, &wc->type));
        if (wc->not_null != gc->not_null)
            add_diff(c, w->name.name, false, "column %s.%s: %s, was %s", rn, wc->name,
                     gc->not_null ? "NOT NULL" : "nullable",
                     wc->not_null ? "NOT NULL" : "nullable");
        if (!same_default(c->a, wc->default_text, gc->default_text))
            add_diff(c, w->name.name, false, "column %s.%s: default %s, was %s", rn, wc->name,
                     or_none(gc->default_text), or_none(wc->default_text));
        if (!streq_null(wc->identity, gc->identity))
            add_diff(c, w->name.name, false, "column %s.%s: identity %s, was %s", rn, wc->name,
                     identity_word(gc->identity), identity_word(wc->identity));
        if (!streq_null(wc->generated_text, gc->generated_text))
            add_diff(c, w->name.name, false, "column %s.%s: generated as %s, was %s", rn, wc->name,
                     or_none(gc->generated_text), or_none(wc->generated_text));
        if (!streq_null(wc->collation, gc->collation))
            add_diff(c, w->name.name, false, "column %s.%s: collation %s, was %s", rn, wc->name,
                     or_none(gc->collation), or_none(wc->collation));
    }
    c->column = NULL;
    if (!w->complete)
        return; /* columns the model never knew may well have been there */
    hint = 0;
    for (size_t i = 0; i < g->columns.n; i++) {
        const struct rs_column *gc = &g->columns.v[i];
        if (find_col(w, gc->name, &hint))
            continue;
        const struct rs_relation *ar = rs_model_rel(c->after, &g->name);
        c->column = gc->name;
        add_diff(c, w->name.name, false, "column %s.%s %s", rn, gc->name,
                 extra_word(ar && rs_rel_column(ar, gc->name)));
        c->column = NULL;
    }
}

static void compare_constraints(struct cmp *c, const struct rs_relation *w,
                                const struct rs_relation *g)
{
    if (same_bytes(w->constraints.v, w->constraints.n, g->constraints.v, g->constraints.n,
                   sizeof(w->constraints.v[0])))
        return;
    const char *rn = qn(c->a, &w->name);
    for (size_t i = 0; i < w->constraints.n; i++) {
        const struct rs_constraint *wk = &w->constraints.v[i];
        const struct rs_constraint *gk = rs_rel_constraint(g, wk->name);
        c->column = wk->name;
        if (!gk) {
            add_diff(c, w->name.name, false, "constraint %s on %s is missing", wk->name, rn);
            continue;
        }
        /* Copies of an untouched constraint are bit-for-bit the same (they share every string
           and array): no need to describe them. */
        if (!memcmp(wk, gk, sizeof(*wk)))
            continue;
        /* REFERENCES t without columns means t's primary key: compare the columns only when
           both name them. */
        bool refcols = wk->nref_columns && gk->nref_columns;
        if (con_surely_same(wk, gk, refcols))
            continue;
        const char *wd = con_desc(c->a, wk, refcols), *gd = con_desc(c->a, gk, refcols);
        if (strcmp(wd, gd))
            add_diff(c, w->name.name, false, "constraint %s on %s: %s, was %s", wk->name, rn, gd,
                     wd);
    }
    for (size_t i = 0; i < g->constraints.n; i++) {
        const struct rs_constraint *gk = &g->constraints.v[i];
        if (rs_rel_constraint(w, gk->name))
            continue;
        const struct rs_relation *ar = rs_model_rel(c->after, &g->name);
        c->column = gk->name;
        add_diff(c, w->name.name, false, "constraint %s on %s %s", gk->name, rn,
                 extra_word(ar && rs_rel_constraint(ar, gk->name)));
    }
    c->column = NULL;
}

static void compare_deps(struct cmp *c, const struct rs_relation *w, const struct rs_relation *g)
{
    const char *rn = qn(c->a, &w->name);
    for (int pass = 0; pass < 2; pass++) {
        const struct rs_relation *x = pass ? g : w, *y = pass ? w : g;
        for (size_t i = 0; i < x->deps.n; i++) {
            const struct rs_dep *dx = &x->deps.v[i];
            /* A view made again from the same query lists the same dependencies in the same
               order: the one at the same place first. */
            bool found = false;
            for (size_t k = 0; k < y->deps.n && !found; k++) {
                const struct rs_dep *dy = &y->deps.v[(i + k) % y->deps.n];
                found = rs_qname_eq(&dx->rel, &dy->rel) && streq_null(dx->column, dy->column);
            }
            if (found)
                continue;
            const char *what = dx->column
                                   ? arena_printf(c->a, "%s.%s", qn(c->a, &dx->rel), dx->column)
                                   : qn(c->a, &dx->rel);
            add_diff(c, w->name.name, false,
                     pass ? "%s %s reads %s, which it did not before the up"
                          : "%s %s no longer reads %s",
                     rel_kind_word(w->kind), rn, what);
        }
    }
}

/* A lookup from want into got that finds a name marks its slot in got: the reverse lookup of
   that name would find it too (names are unique), so the pass over got skips it. */
static bool *found_marks(struct cmp *c, size_t n)
{
    return arena_alloc(c->a, n ? n : 1);
}

/* Models compared share the objects neither changed (copy-on-write, model.h): the same object
   in both is equal by construction. It is looked for first at the slot of the same number,
   where the lookups of relations and indexes look first too, and where a lookup whose answer
   only says whether the name is there would find it. */
#define SHARED_AT(vec, i, w) ((i) < (vec).n && (vec).v[i] == (w))

static void compare_rels(struct cmp *c)
{
    bool *found = found_marks(c, c->got->rels.n);
    for (size_t i = 0; i < c->want->rels.n; i++) {
        const struct rs_relation *w = c->want->rels.v[i];
        if (SHARED_AT(c->got->rels, i, w)) {
            found[i] = true;
            continue;
        }
        size_t k = find_rel_at(c, c->got, &w->name, i);
        if (k == c->got->rels.n) {
            add_diff(c, w->name.name, false, "%s %s is missing", rel_kind_word(w->kind),
                     qn(c->a, &w->name));
            continue;
        }
        found[k] = true;
        const struct rs_relation *g = c->got->rels.v[k];
        if (g == w)
            continue;
        if (g->kind != w->kind) {
            add_diff(c, w->name.name, false, "%s is a %s, was a %s", qn(c->a, &w->name),
                     rel_kind_word(g->kind), rel_kind_word(w->kind));
            continue;
        }
        if (g->unlogged != w->unlogged)
            add_diff(c, w->name.name, false, "table %s is %s, was %s", qn(c->a, &w->name),
                     g->unlogged ? "unlogged" : "logged", w->unlogged ? "unlogged" : "logged");
        compare_columns(c, w, g);
        compare_constraints(c, w, g);
        if (rs_rel_is_view(w) && w->complete && g->complete &&
            !same_bytes(w->deps.v, w->deps.n, g->deps.v, g->deps.n, sizeof(w->deps.v[0])))
            compare_deps(c, w, g);
    }
    for (size_t i = 0; i < c->got->rels.n; i++) {
        const struct rs_relation *g = c->got->rels.v[i];
        if (found[i] || find_rel(c, c->want, &g->name, i))
            continue;
        if (!g->complete && g->created_mig == RS_MIG_PREEXISTING)
            continue; /* a table the migrations use but never created: not the up's doing */
        add_diff(c, g->name.name, false, "%s %s %s", rel_kind_word(g->kind), qn(c->a, &g->name),
                 extra_word(find_rel(c, c->after, &g->name, i) != NULL));
    }
}

static void compare_indexes(struct cmp *c)
{
    bool *found = found_marks(c, c->got->indexes.n);
    for (size_t i = 0; i < c->want->indexes.n; i++) {
        const struct rs_index *w = c->want->indexes.v[i];
        if (w->constraint)
            continue; /* reported with the constraint */
        if (SHARED_AT(c->got->indexes, i, w)) {
            found[i] = true;
            continue;
        }
        size_t k = find_index_at(c, c->got, &w->name, i);
        const struct rs_index *g = k < c->got->indexes.n ? c->got->indexes.v[k] : NULL;
        if (g)
            found[k] = true;
        if (g && (g == w || !memcmp(w, g, offsetof(struct rs_index, epoch))))
            continue; /* an untouched index, or one changed back */
        if (!find_rel(c, c->got, &w->table, SIZE_MAX))
            continue; /* reported with the table */
        if (!g) {
            add_diff(c, w->name.name, false, "index %s is missing", qn(c->a, &w->name));
            continue;
        }
        /* On a table whose columns the model does not all know, renames of the unknown
           columns are not followed into index keys: compare only that the index is there. */
        const struct rs_relation *wt = find_rel(c, c->want, &w->table, SIZE_MAX);
        const struct rs_relation *gt = find_rel(c, c->got, &g->table, SIZE_MAX);
        if (!wt || !gt || !wt->complete || !gt->complete)
            continue;
        if (index_surely_same(w, g))
            continue;
        const char *wd = index_desc(c->a, w), *gd = index_desc(c->a, g);
        if (strcmp(wd, gd))
            add_diff(c, w->name.name, false, "index %s: %s, was %s", qn(c->a, &w->name), gd, wd);
    }
    for (size_t i = 0; i < c->got->indexes.n; i++) {
        const struct rs_index *g = c->got->indexes.v[i];
        if (g->constraint || found[i] || find_index(c, c->want, &g->name, i) ||
            !find_rel(c, c->want, &g->table, SIZE_MAX))
            continue;
        add_diff(c, g->name.name, false, "index %s %s", qn(c->a, &g->name),
                 extra_word(rs_model_index(c->after, &g->name) != NULL));
    }
}

static bool has_label(const struct rs_typeobj *t, const char *label)
{
    for (size_t i = 0; t && i < t->labels.n; i++)
        if (streq(t->labels.v[i], label))
            return true;
    return false;
}

static const char *type_kind_word(enum rs_typeobj_kind k)
{
    return k == RS_TYPEOBJ_ENUM ? "enum" : k == RS_TYPEOBJ_DOMAIN ? "domain" : "type";
}

static void compare_enum(struct cmp *c, const struct rs_typeobj *w, const struct rs_typeobj *g)
{
    const char *tn = qn(c->a, &w->name);
    const struct rs_typeobj *at = rs_model_type(c->after, &w->name);
    bool same_set = w->labels.n == g->labels.n;
    for (size_t i = 0; i < w->labels.n; i++) {
        if (!has_label(g, w->labels.v[i])) {
            add_diff(c, w->name.name, false, "enum %s: value '%s' is missing", tn, w->labels.v[i]);
            same_set = false;
        }
    }
    for (size_t i = 0; i < g->labels.n; i++) {
        const char *l = g->labels.v[i];
        if (has_label(w, l))
            continue;
        same_set = false;
        if (has_label(at, l))
            add_diff(c, w->name.name, true,
                     "enum %s: value '%s' added by the up is still there (PostgreSQL has no DROP "
                     "VALUE)",
                     tn, l);
        else
            add_diff(c, w->name.name, false, "enum %s: value '%s' %s", tn, l, extra_word(false));
    }
    if (!same_set)
        return;
    for (size_t i = 0; i < w->labels.n; i++) {
        if (!streq(w->labels.v[i], g->labels.v[i])) {
            add_diff(c, w->name.name, false, "enum %s: values in the order %s, was %s", tn,
                     join(c->a, g->labels.v, g->labels.n, ", "),
                     join(c->a, w->labels.v, w->labels.n, ", "));
            return;
        }
    }
}

static void compare_types(struct cmp *c)
{
    size_t hint = 0;
    for (size_t i = 0; i < c->want->types.n; i++) {
        const struct rs_typeobj *w = c->want->types.v[i];
        /* Looked up even when shared: a name twice in a model (after a rename the model lets
           through) finds the one the hint leads to. */
        const struct rs_typeobj *g = find_type(c->got, &w->name, &hint);
        if (g == w)
            continue;
        const char *tn = qn(c->a, &w->name);
        if (!g) {
            add_diff(c, w->name.name, false, "%s %s is missing", type_kind_word(w->kind), tn);
        } else if (g->kind != w->kind) {
            add_diff(c, w->name.name, false, "type %s is a %s, was a %s", tn,
                     type_kind_word(g->kind), type_kind_word(w->kind));
        } else if (w->kind == RS_TYPEOBJ_ENUM) {
            compare_enum(c, w, g);
        } else if (w->kind == RS_TYPEOBJ_DOMAIN && w->base.name && g->base.name &&
                   !same_type(&w->base, &g->base)) {
            add_diff(c, w->name.name, false, "domain %s: over %s, was %s", tn,
                     rs_type_format(c->a, &g->base), rs_type_format(c->a, &w->base));
        }
    }
    hint = 0;
    for (size_t i = 0; i < c->got->types.n; i++) {
        const struct rs_typeobj *g = c->got->types.v[i];
        if (!SHARED_AT(c->want->types, i, g) && !find_type(c->want, &g->name, &hint))
            add_diff(c, g->name.name, false, "%s %s %s", type_kind_word(g->kind),
                     qn(c->a, &g->name), extra_word(rs_model_type(c->after, &g->name) != NULL));
    }
}

/* Sequences owned by a column come and go with their table, which is reported itself. */
static bool owner_gone(const struct rs_sequence *s, const struct rs_model *other)
{
    return s->owned_table.name && !rs_model_rel(other, &s->owned_table);
}

static void compare_sequences(struct cmp *c)
{
    size_t hint = 0;
    for (size_t i = 0; i < c->want->sequences.n; i++) {
        const struct rs_sequence *w = c->want->sequences.v[i];
        if (SHARED_AT(c->got->sequences, i, w))
            continue;
        if (!find_seq(c->got, &w->name, &hint) && !owner_gone(w, c->got))
            add_diff(c, w->name.name, false, "sequence %s is missing", qn(c->a, &w->name));
    }
    hint = 0;
    for (size_t i = 0; i < c->got->sequences.n; i++) {
        const struct rs_sequence *g = c->got->sequences.v[i];
        if (!SHARED_AT(c->want->sequences, i, g) && !find_seq(c->want, &g->name, &hint) &&
            !owner_gone(g, c->want))
            add_diff(c, g->name.name, false, "sequence %s %s", qn(c->a, &g->name),
                     extra_word(rs_model_sequence(c->after, &g->name) != NULL));
    }
}

static const char *func_name(struct arena *a, const struct rs_function *f)
{
    return arena_printf(a, "%s(%s)", qn(a, &f->name), f->signature ? f->signature : "...");
}

static void compare_functions(struct cmp *c)
{
    size_t hint = 0, hint_after = 0;
    for (size_t i = 0; i < c->want->functions.n; i++) {
        const struct rs_function *w = c->want->functions.v[i];
        /* Not skipped when shared: which of several overloads a name without signature finds
           depends on the hint, which each lookup moves on. */
        const struct rs_function *g = find_func(c->got, w, &hint);
        if (!g) {
            add_diff(c, w->name.name, false, "function %s is missing", func_name(c->a, w));
            continue;
        }
        /* The same text is the same once squeezed: most bodies written again are. */
        if ((w->body != g->body && !streq_null(w->body, g->body) &&
             !streq_null(squeeze(c->a, w->body), squeeze(c->a, g->body))) ||
            (w->language && g->language && strcmp(w->language, g->language)))
            add_diff(c, w->name.name, false, "function %s: definition differs from before the up",
                     func_name(c->a, w));
    }
    hint = 0;
    for (size_t i = 0; i < c->got->functions.n; i++) {
        const struct rs_function *g = c->got->functions.v[i];
        if (!find_func(c->want, g, &hint))
            add_diff(c, g->name.name, false, "function %s %s", func_name(c->a, g),
                     extra_word(find_func(c->after, g, &hint_after) != NULL));
    }
}

static void compare_triggers(struct cmp *c)
{
    size_t hint = 0, hint_after = 0;
    for (size_t i = 0; i < c->want->triggers.n; i++) {
        const struct rs_trigger *w = c->want->triggers.v[i];
        const struct rs_trigger *g = find_trigger(c->got, w, &hint); /* as for types */
        if (g && (g == w || !memcmp(w, g, offsetof(struct rs_trigger, epoch))))
            continue; /* an untouched trigger, or one changed back */
        if (!find_rel(c, c->got, &w->table, SIZE_MAX))
            continue; /* reported with the table */
        const char *tn = qn(c->a, &w->table);
        c->column = w->name;
        if (!g) {
            add_diff(c, w->table.name, false, "trigger %s on %s is missing", w->name, tn);
            continue;
        }
        if (!streq(w->function.name, g->function.name))
            add_diff(c, w->table.name, false, "trigger %s on %s: calls %s, was %s", w->name, tn,
                     qn(c->a, &g->function), qn(c->a, &w->function));
        if (w->enabled != g->enabled)
            add_diff(c, w->table.name, false, "trigger %s on %s: %s, was %s", w->name, tn,
                     g->enabled ? "enabled" : "disabled", w->enabled ? "enabled" : "disabled");
    }
    hint = 0;
    for (size_t i = 0; i < c->got->triggers.n; i++) {
        const struct rs_trigger *g = c->got->triggers.v[i];
        if (SHARED_AT(c->want->triggers, i, g) || find_trigger(c->want, g, &hint) ||
            !find_rel(c, c->want, &g->table, SIZE_MAX))
            continue;
        c->column = g->name;
        add_diff(c, g->table.name, false, "trigger %s on %s %s", g->name, qn(c->a, &g->table),
                 extra_word(find_trigger(c->after, g, &hint_after) != NULL));
    }
    c->column = NULL;
}

static bool in_list(const char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (streq(v[i], s))
            return true;
    return false;
}

/* Schemas and extensions: names only; a list may hold a name twice. */
static void compare_names(struct cmp *c, const char *word, const char *const *w, size_t nw,
                          const char *const *g, size_t ng, const char *const *after, size_t na)
{
    for (size_t i = 0; i < nw; i++)
        if (!in_list(g, ng, w[i]) && !in_list(w, i, w[i]))
            add_diff(c, w[i], false, "%s %s is missing", word, w[i]);
    for (size_t i = 0; i < ng && after; i++)
        if (!in_list(w, nw, g[i]) && !in_list(g, i, g[i]))
            add_diff(c, g[i], false, "%s %s %s", word, g[i], extra_word(in_list(after, na, g[i])));
}

/* Every difference of got from want, in a fixed order. */
static void compare(struct arena *a, const struct rs_model *want, const struct rs_model *got,
                    const struct rs_model *after, diff_vec *out)
{
    struct cmp c = {a, want, got, after, out, NULL, {{0}}};
    compare_rels(&c);
    compare_indexes(&c);
    compare_types(&c);
    compare_sequences(&c);
    compare_functions(&c);
    compare_triggers(&c);
    compare_names(&c, "schema", want->schemas.v, want->schemas.n, got->schemas.v, got->schemas.n,
                  after->schemas.v, after->schemas.n);
    /* An extension the up created and the down leaves is not a difference: downs leave them on
       purpose (other objects may use them), and N-1 does not mind. */
    compare_names(&c, "extension", want->extensions.v, want->extensions.n, got->extensions.v,
                  got->extensions.n, NULL, 0);
}

/* ---------------------------------------------------------------- where data comes from */

enum origin {
    FROM_BEFORE, /* existed before the up: holds production data */
    FROM_UP,     /* created by the up: holds what was written since */
    FROM_DOWN,   /* created by the down itself, or unknown to the model */
};

static const struct rs_column *col_by_attnum(const struct rs_relation *r, int attnum)
{
    for (size_t i = 0; r && i < r->columns.n; i++)
        if (r->columns.v[i].attnum == attnum)
            return &r->columns.v[i];
    return NULL;
}

static enum origin rel_origin(const struct dk *d, const struct rs_relation *r)
{
    if (rs_model_rel_by_oid(d->c->before, r->oid))
        return FROM_BEFORE;
    return r->created_mig == d->c->mig ? FROM_UP : FROM_DOWN;
}

static enum origin col_origin(const struct dk *d, const struct rs_relation *r,
                              const struct rs_column *col)
{
    if (col_by_attnum(rs_model_rel_by_oid(d->c->before, r->oid), col->attnum))
        return FROM_BEFORE;
    return col->created_mig == d->c->mig || r->created_mig == d->c->mig ? FROM_UP : FROM_DOWN;
}

/* " (users.username before the up)" when the column had another name then, else "". */
static const char *was_named(struct dk *d, const struct rs_relation *r, const struct rs_column *col)
{
    const struct rs_relation *b = rs_model_rel_by_oid(d->c->before, r->oid);
    const struct rs_column *bc = col_by_attnum(b, col->attnum);
    if (!b || !bc || (rs_qname_eq(&b->name, &r->name) && streq(bc->name, col->name)))
        return "";
    return arena_printf(d->a, " (%s.%s before the up)", qn(d->a, &b->name), bc->name);
}

/* ---------------------------------------------------------------- judging down statements */

/* Does query q read relation a (or b) anywhere in its FROM lists? */
static bool query_reads(const struct rs_query *q, const char *a, const char *b, int depth)
{
    if (!q || depth > 16)
        return false;
    for (size_t i = 0; i < q->nfrom; i++) {
        const struct rs_from_item *fi = &q->from[i];
        if (streq(fi->rel.name, a) || streq(fi->rel.name, b) ||
            query_reads(fi->subquery, a, b, depth + 1))
            return true;
    }
    for (size_t i = 0; i < q->nchildren; i++)
        if (query_reads(q->children[i], a, b, depth + 1))
            return true;
    return query_reads(q->set_left, a, b, depth + 1) || query_reads(q->set_right, a, b, depth + 1);
}

/* Does statement st copy the data of table a (b before the up), or of its column col (NULL: any
   row), somewhere else: INSERT ... SELECT or CREATE TABLE ... AS reading it, UPDATE ... SET x =
   col on it? */
static bool copies(const struct rs_stmt *st, const char *a, const char *b, const char *col)
{
    if (st->syntax_error)
        return false;
    if ((st->kind == RS_STMT_INSERT || st->kind == RS_STMT_CREATE_TABLE_AS) &&
        query_reads(st->query, a, b, 0))
        return true;
    if (st->kind != RS_STMT_UPDATE || !col || !(streq(st->rel.name, a) || streq(st->rel.name, b)))
        return false;
    for (size_t i = 0; i < st->nassignments; i++) {
        const struct rs_expr *v = st->assignments[i].value;
        if (!v || streq(st->assignments[i].column, col))
            continue;
        if ((v->kind == RS_EXPR_COLUMN || v->cast_of_column) && streq(v->column, col))
            return true;
        for (size_t k = 0; k < v->ncolumns; k++)
            if (streq(v->columns[k], col))
                return true; /* SET (a, b) = (c, d), or a value computed from col */
    }
    return false;
}

/* Was the data of table a (b before the up) or its column col copied elsewhere by the up, or by
   the down before statement st? Then dropping it does not destroy the only copy. */
static bool copied_before(const struct dk *d, const struct rs_stmt *st, const char *a,
                          const char *b, const char *col, const char *col_before)
{
    for (size_t i = 0; i < d->c->up->n; i++)
        if (copies(&d->c->up->v[i], a, b, col) || copies(&d->c->up->v[i], a, b, col_before))
            return true;
    for (size_t i = 0; i < d->stmts.n && &d->stmts.v[i] != st; i++)
        if (copies(&d->stmts.v[i], a, b, col) || copies(&d->stmts.v[i], a, b, col_before))
            return true;
    return false;
}

/* Names dropped by one statement, gathered so that DROP TABLE a, b, c is one finding. */
struct dropped {
    VEC(const char *) old, fresh; /* existed before the up / created by the up */
    int location;
};

static void drop_rel(struct dk *d, const struct rs_model *m, const struct rs_stmt *st,
                     const struct rs_qname *q, struct dropped *dr, const char *verb)
{
    const struct rs_relation *r = rs_model_rel(m, q);
    if (!r || r->kind != RS_REL_TABLE)
        return;
    const char *name = qn(d->a, &r->name);
    switch (rel_origin(d, r)) {
    case FROM_BEFORE: {
        const struct rs_relation *b = rs_model_rel_by_oid(d->c->before, r->oid);
        if (copied_before(d, st, r->name.name, b->name.name, NULL, NULL)) {
            add_loss(d, "table %s: %s by the down; its rows were copied elsewhere first", name,
                     verb);
            break;
        }
        const char *was = rs_qname_eq(&b->name, &r->name)
                              ? ""
                              : arena_printf(d->a, " (%s before the up)", qn(d->a, &b->name));
        *VEC_PUSH(d->a, &dr->old) = arena_printf(d->a, "%s%s", name, was);
        add_loss(d, "table %s: %s by the down; its rows from before the up are destroyed", name,
                 verb);
        break;
    }
    case FROM_UP:
        if (copied_before(d, st, r->name.name, NULL, NULL, NULL)) {
            add_loss(d, "table %s: %s by the down; its rows were copied elsewhere first", name,
                     verb);
            break;
        }
        *VEC_PUSH(d->a, &dr->fresh) = name;
        add_loss(d,
                 "table %s: created by the up, %s by the down; rows written since the up are "
                 "lost",
                 name, verb);
        break;
    default:
        break;
    }
}

static void drop_col(struct dk *d, const struct rs_model *m, const struct rs_stmt *st,
                     const struct rs_alter_cmd *cmd, struct dropped *dr)
{
    const struct rs_relation *r = rs_model_rel(m, &st->rel);
    const struct rs_column *col = rs_rel_column(r, cmd->column);
    if (!col || r->kind != RS_REL_TABLE)
        return;
    const char *name = arena_printf(d->a, "%s.%s", qn(d->a, &r->name), col->name);
    if (dr->location < 0)
        dr->location = cmd->location;
    switch (col_origin(d, r, col)) {
    case FROM_BEFORE: {
        const struct rs_relation *b = rs_model_rel_by_oid(d->c->before, r->oid);
        const struct rs_column *bc = col_by_attnum(b, col->attnum);
        if (copied_before(d, st, r->name.name, b->name.name, col->name, bc ? bc->name : NULL)) {
            add_loss(d, "column %s: dropped by the down; its values were copied elsewhere first",
                     name);
            break;
        }
        *VEC_PUSH(d->a, &dr->old) = arena_printf(d->a, "%s%s", name, was_named(d, r, col));
        add_loss(d, "column %s: dropped by the down; its data from before the up is destroyed",
                 name);
        break;
    }
    case FROM_UP:
        if (copied_before(d, st, r->name.name, NULL, col->name, NULL)) {
            add_loss(d, "column %s: dropped by the down; its values were copied elsewhere first",
                     name);
            break;
        }
        *VEC_PUSH(d->a, &dr->fresh) = name;
        add_loss(d,
                 "column %s: added by the up, dropped by the down; values written since the up "
                 "are lost",
                 name);
        break;
    default:
        break;
    }
}

static void report_dropped(struct dk *d, const struct rs_stmt *st, struct dropped *dr,
                           const char *what, const char *verb)
{
    const char *s = dr->old.n == 1 ? "" : "s";
    if (dr->old.n)
        emit(d, &rs_rule_down_drops_data, st, dr->location, NULL,
             arena_printf(d->a,
                          "%s %s%s %s, which existed before the up: the rollback destroys %s "
                          "data, not only what was written since",
                          verb, what, s, join(d->a, dr->old.v, dr->old.n, ", "),
                          dr->old.n == 1 ? "its" : "their"));
    s = dr->fresh.n == 1 ? "" : "s";
    if (dr->fresh.n)
        emit(d, &rs_rule_down_drops_new_data, st, dr->location, NULL,
             arena_printf(d->a, "%s %s%s %s, which the up %s: %s written since the up are lost",
                          verb, what, s, join(d->a, dr->fresh.v, dr->fresh.n, ", "),
                          !strcmp(what, "column") ? "added" : "created",
                          !strcmp(what, "column") ? "values" : "rows"));
}

static void narrows(struct dk *d, const struct rs_stmt *st, int location, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void narrows(struct dk *d, const struct rs_stmt *st, int location, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *msg = arena_vprintf(d->a, fmt, ap);
    va_end(ap);
    emit(d, &rs_rule_down_narrows, st, location, NULL, msg);
    *VEC_PUSH(d->a, &d->loss) = msg;
}

/* Does the down, before statement st, rewrite column col of table (UPDATE ... SET col = ...)?
   Then it takes care of the values that would not fit (authelia sets NULLs to a placeholder
   before SET NOT NULL; lemmy maps enum values away before re-creating the type). */
static bool rewritten_before(const struct dk *d, const struct rs_stmt *st, const char *table,
                             const char *col)
{
    for (size_t i = 0; i < d->stmts.n && &d->stmts.v[i] != st; i++) {
        const struct rs_stmt *u = &d->stmts.v[i];
        if (u->syntax_error || u->kind != RS_STMT_UPDATE || !streq(u->rel.name, table))
            continue;
        for (size_t k = 0; k < u->nassignments; k++)
            if (streq(u->assignments[k].column, col))
                return true;
    }
    return false;
}

/* ALTER COLUMN ... TYPE in the down: narrowing back fails on values written since the up. */
static void judge_type(struct dk *d, const struct rs_model *m, const struct rs_stmt *st,
                       const struct rs_alter_cmd *cmd)
{
    const struct rs_relation *r = rs_model_rel(m, &st->rel);
    const struct rs_column *col = rs_rel_column(r, cmd->column);
    if (!col || !cmd->has_type || !col->type.name || !cmd->type.name ||
        col_origin(d, r, col) == FROM_DOWN || rewritten_before(d, st, r->name.name, col->name))
        return;
    const char *name = arena_printf(d->a, "%s.%s", qn(d->a, &r->name), col->name);
    const struct rs_typeobj *from = rs_model_enum(m, &col->type), *to = rs_model_enum(m, &cmd->type);
    if (from && to && from != to) {
        VEC(const char *) lost = {0};
        for (size_t i = 0; i < from->labels.n; i++)
            if (!has_label(to, from->labels.v[i]))
                *VEC_PUSH(d->a, &lost) = arena_printf(d->a, "'%s'", from->labels.v[i]);
        if (lost.n)
            narrows(d, st, cmd->location,
                    "changes %s to enum %s, which has no %s: the down fails if a row holds %s "
                    "(written since the up)",
                    name, qn(d->a, &to->name), join(d->a, lost.v, lost.n, ", "),
                    lost.n == 1 ? "it" : "one of them");
        return;
    }
    struct rs_type_change tc =
        rs_type_classify(d->a, &col->type, &cmd->type, from != NULL, to != NULL, d->c->pg_version);
    if (!tc.known || tc.same || !(tc.narrows || tc.lossy))
        return;
    if (tc.narrows)
        narrows(d, st, cmd->location,
                "narrows %s back to %s (%s): the down fails if a row written since the up does "
                "not fit",
                name, rs_type_format(d->a, &cmd->type), tc.reason);
    else
        narrows(d, st, cmd->location,
                "converts %s back to %s (%s): values written since the up are changed on the way",
                name, rs_type_format(d->a, &cmd->type), tc.reason);
}

static const char *con_kind_word(enum rs_con_kind k)
{
    switch (k) {
    case RS_CON_CHECK:
        return "CHECK";
    case RS_CON_PRIMARY:
        return "PRIMARY KEY";
    case RS_CON_UNIQUE:
        return "UNIQUE";
    case RS_CON_FOREIGN:
        return "FOREIGN KEY";
    default:
        return "EXCLUDE";
    }
}

static void judge_cmd(struct dk *d, const struct rs_model *m, const struct rs_stmt *st,
                      const struct rs_alter_cmd *cmd, struct dropped *dr)
{
    const struct rs_relation *r = rs_model_rel(m, &st->rel);
    if (!r || r->kind != RS_REL_TABLE)
        return;
    const struct rs_column *col = rs_rel_column(r, cmd->column);
    switch (cmd->kind) {
    case RS_AT_DROP_COLUMN:
        drop_col(d, m, st, cmd, dr);
        break;
    case RS_AT_ALTER_TYPE:
        judge_type(d, m, st, cmd);
        break;
    case RS_AT_SET_NOT_NULL:
        if (col && !col->not_null && col_origin(d, r, col) != FROM_DOWN &&
            !rewritten_before(d, st, r->name.name, col->name))
            narrows(d, st, cmd->location,
                    "sets %s.%s NOT NULL again: the down fails if a row written since the up "
                    "holds NULL",
                    qn(d->a, &r->name), col->name);
        break;
    case RS_AT_ADD_COLUMN: {
        const struct rs_column_def *cd = cmd->coldef;
        if (cd && cd->not_null && !cd->default_expr && !cd->identity && !cd->generated &&
            !cd->type.serial && rel_origin(d, r) != FROM_DOWN && !rs_rel_column(r, cd->name))
            narrows(d, st, cmd->location,
                    "adds column %s.%s NOT NULL without a default: the down fails if the table "
                    "has rows",
                    qn(d->a, &r->name), cd->name);
        break;
    }
    case RS_AT_ADD_CONSTRAINT: {
        const struct rs_constraint_def *k = cmd->constraint;
        if (!k || k->not_valid || rel_origin(d, r) == FROM_DOWN || k->using_index ||
            (k->kind != RS_CON_CHECK && k->kind != RS_CON_PRIMARY && k->kind != RS_CON_UNIQUE &&
             k->kind != RS_CON_FOREIGN && k->kind != RS_CON_EXCLUSION))
            break;
        narrows(d, st, cmd->location,
                "adds %s%s%s constraint on %s again: the down fails if rows written since the up "
                "violate it",
                k->name ? k->name : "", k->name ? ", a " : "a ", con_kind_word(k->kind),
                qn(d->a, &r->name));
        break;
    }
    default:
        break;
    }
}

static void judge_stmt(struct dk *d, const struct rs_model *m, const struct rs_stmt *st)
{
    struct dropped dr = {.location = -1};
    switch (st->kind) {
    case RS_STMT_DROP:
        if (st->obj_kind != RS_OBJ_TABLE)
            return;
        for (size_t i = 0; i < st->nobjects; i++)
            drop_rel(d, m, st, &st->objects[i], &dr, "dropped");
        report_dropped(d, st, &dr, "table", "drops");
        break;
    case RS_STMT_TRUNCATE:
        for (size_t i = 0; i < st->ntruncate_rels; i++)
            drop_rel(d, m, st, &st->truncate_rels[i], &dr, "emptied");
        report_dropped(d, st, &dr, "table", "empties");
        break;
    case RS_STMT_CREATE_INDEX: {
        const struct rs_relation *r = rs_model_rel(m, &st->rel);
        if (st->unique && r && r->kind == RS_REL_TABLE && rel_origin(d, r) != FROM_DOWN)
            narrows(d, st, -1,
                    "creates unique index %s on %s again: the down fails if rows written since "
                    "the up hold duplicates",
                    st->index_name ? st->index_name : "(unnamed)", qn(d->a, &r->name));
        break;
    }
    default:
        break;
    }
}

/* ---------------------------------------------------------------- applying the down */

static void syntax_error(struct dk *d, const struct rs_stmt *st)
{
    struct rs_finding *f = emit(
        d, &rs_rule_syntax_error, st, (int)st->error_offset,
        st->newer_grammar ? "run rollsafe built with a newer libpg_query, or approve the statement "
                            "knowingly"
                          : "fix the statement (two statements without a semicolon between "
                            "them are a common cause); the rest of the down was still checked",
        arena_strdup(d->a, st->error));
    f->fatal = true;
    d->syntax_error = true;
    d->newer_grammar = d->newer_grammar || st->newer_grammar;
    if (!d->unfollowed)
        d->unfollowed = arena_printf(d->a, "statement %d of the down does not parse", st->index);
    *VEC_PUSH(d->a, &d->fails) =
        arena_printf(d->a, "statement %d (line %d) of the down does not parse: %s", st->index,
                     st->line, st->error);
}

static void statement_fails(struct dk *d, const struct rs_stmt *st,
                            const struct rs_apply_result *ar)
{
    if (d->unfollowed)
        return; /* after a statement the model could not follow, it cannot prove a failure */
    const char *msg = arena_strdup(d->a, ar->message);
    struct rs_finding *f = emit(d, &rs_rule_statement_fails, st, ar->location,
                                ar->hint ? arena_strdup(d->a, ar->hint) : NULL, msg);
    f->fatal = true;
    *VEC_PUSH(d->a, &d->fails) = arena_printf(d->a, "the down fails at statement %d (line %d): %s",
                                              st->index, st->line, msg);
}

static void apply_down(struct dk *d, struct rs_model *m)
{
    for (size_t i = 0; i < d->stmts.n; i++) {
        const struct rs_stmt *st = &d->stmts.v[i];
        if (st->syntax_error) {
            syntax_error(d, st);
            m->uncertain = true;
            continue;
        }
        if ((st->kind == RS_STMT_DO || st->kind == RS_STMT_CALL) && !d->unfollowed)
            d->unfollowed = arena_printf(d->a, "the %s at line %d of the down",
                                         st->kind == RS_STMT_DO ? "DO block" : "CALL", st->line);
        struct rs_apply_result ar = {.location = -1};
        if (st->kind == RS_STMT_ALTER_TABLE) {
            struct dropped dr = {.location = -1};
            bool failed = false;
            for (size_t k = 0; k < st->ncmds; k++) {
                judge_cmd(d, m, st, &st->cmds[k], &dr);
                memset(&ar, 0, sizeof(ar));
                ar.location = -1;
                rs_apply_alter_cmd(m, st, &st->cmds[k], DOWN_MIG, &ar);
                if (ar.fails && !failed) {
                    statement_fails(d, st, &ar);
                    failed = true;
                }
            }
            report_dropped(d, st, &dr, "column", "drops");
        } else {
            judge_stmt(d, m, st);
            rs_apply_stmt(m, st, DOWN_MIG, &ar);
            if (ar.fails)
                statement_fails(d, st, &ar);
        }
    }
}

/* ---------------------------------------------------------------- what is not given back */

/* Does statement st change column (or constraint, or trigger) col of the table it is on? */
static bool touches_column(const struct rs_stmt *st, const char *col)
{
    if (st->kind == RS_STMT_RENAME)
        return streq(st->subname, col) || streq(st->newname, col);
    if (streq(st->trigger_name, col))
        return true;
    for (size_t k = 0; k < st->nobjects; k++)
        if (streq(st->objects[k].name, col))
            return true;
    for (size_t k = 0; k < st->ncmds; k++) {
        const struct rs_alter_cmd *c = &st->cmds[k];
        if (streq(c->column, col) || streq(c->name, col) ||
            (c->coldef && streq(c->coldef->name, col)) ||
            (c->constraint && streq(c->constraint->name, col)))
            return true;
    }
    return false;
}

static const struct rs_stmt *stmt_naming(const struct dk *d, const char *object);

/* The last statement of the down that changes column col of object, else the last that names
   object, or NULL. */
static const struct rs_stmt *stmt_for(const struct dk *d, const char *object, const char *col)
{
    if (!col)
        return stmt_naming(d, object);
    for (size_t i = d->stmts.n; object && i-- > 0;) {
        const struct rs_stmt *st = &d->stmts.v[i];
        if (!st->syntax_error && streq(st->rel.name, object) && touches_column(st, col))
            return st;
    }
    return NULL; /* no statement of the down is about it: the down as a whole */
}

/* The last statement of the down that names object (as the relation it is on, one of the
   objects it drops, or the index it creates), or NULL. */
static const struct rs_stmt *stmt_naming(const struct dk *d, const char *object)
{
    for (size_t i = d->stmts.n; object && i-- > 0;) {
        const struct rs_stmt *st = &d->stmts.v[i];
        if (st->syntax_error || st->kind == RS_STMT_INSERT || st->kind == RS_STMT_UPDATE ||
            st->kind == RS_STMT_DELETE || st->kind == RS_STMT_SELECT)
            continue; /* data statements do not make or miss schema differences */
        if (streq(st->rel.name, object) || streq(st->index_name, object) ||
            streq(st->newname, object))
            return st;
        for (size_t k = 0; k < st->nobjects; k++)
            if (streq(st->objects[k].name, object))
                return st;
    }
    return NULL;
}

/* Does the down copy data into this table (INSERT ... SELECT, CREATE TABLE ... AS) or set this
   column from something (UPDATE ... SET col = ...)? Then a re-created object is not empty. */
static bool down_fills(const struct dk *d, const char *table, const char *column)
{
    for (size_t i = 0; i < d->stmts.n; i++) {
        const struct rs_stmt *st = &d->stmts.v[i];
        if (!streq(st->rel.name, table))
            continue;
        if (st->kind == RS_STMT_CREATE_TABLE_AS)
            return true;
        if (st->kind == RS_STMT_INSERT && st->query && (!column || !st->insert_has_column_list))
            return true;
        for (size_t k = 0; k < st->nassignments; k++)
            if (st->kind != RS_STMT_DELETE &&
                (!column || streq(st->assignments[k].column, column)) &&
                (st->kind == RS_STMT_UPDATE || st->query))
                return true;
    }
    return false;
}

static void not_restored(struct dk *d, const struct rs_stmt *st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void not_restored(struct dk *d, const struct rs_stmt *st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *msg = arena_vprintf(d->a, fmt, ap);
    va_end(ap);
    emit(d, &rs_rule_down_data_not_restored, st, -1, NULL, msg);
    *VEC_PUSH(d->a, &d->loss) = msg;
}

/* The relation with this identity in m, looked for first at position i: copies of a model
   keep its relations in the same order. */
static const struct rs_relation *rel_by_oid_near(const struct rs_model *m, unsigned oid, size_t i)
{
    if (i < m->rels.n && m->rels.v[i]->oid == oid)
        return m->rels.v[i];
    return rs_model_rel_by_oid(m, oid);
}

/* What the up destroyed and the down re-creates without its data. */
static void check_not_restored(struct dk *d, const struct rs_model *down)
{
    const struct rs_model *before = d->c->before, *after = d->c->after;
    for (size_t i = 0; i < before->rels.n; i++) {
        const struct rs_relation *br = before->rels.v[i];
        if (br->kind != RS_REL_TABLE)
            continue;
        const struct rs_relation *ar = rel_by_oid_near(after, br->oid, i);
        if (ar && same_bytes(br->columns.v, br->columns.n, ar->columns.v, ar->columns.n,
                             sizeof(br->columns.v[0])))
            continue; /* the up left its columns as they were: nothing to restore */
        const char *name = qn(d->a, &br->name);
        if (!ar) {
            const struct rs_relation *dr = rs_model_rel(down, &br->name);
            if (dr && dr->kind == RS_REL_TABLE && rel_origin(d, dr) == FROM_DOWN &&
                !rs_model_rel_by_oid(after, dr->oid) && !down_fills(d, dr->name.name, NULL))
                not_restored(d, stmt_naming(d, dr->name.name),
                             "re-creates table %s empty: the rows the up dropped are gone", name);
            continue;
        }
        const struct rs_relation *dr = rel_by_oid_near(down, br->oid, i);
        if (!dr)
            continue; /* the down dropped it: down-drops-data */
        const char *dname = qn(d->a, &dr->name);
        for (size_t k = 0; k < br->columns.n; k++) {
            const struct rs_column *bc = &br->columns.v[k];
            const struct rs_column *ac = col_by_attnum(ar, bc->attnum);
            if (!ac) {
                const struct rs_column *dc = rs_rel_column(dr, bc->name);
                if (dc && !col_by_attnum(br, dc->attnum) && !down_fills(d, dr->name.name, dc->name))
                    not_restored(d, stmt_for(d, dr->name.name, dc->name),
                                 "re-creates column %s.%s %s: the data the up dropped is gone",
                                 dname, dc->name,
                                 dc->default_text ? "with its default in every row" : "empty");
                continue;
            }
            const struct rs_column *dc = col_by_attnum(dr, bc->attnum);
            if (!dc || !bc->type.name || !ac->type.name || !dc->type.name ||
                rs_type_equal(&bc->type, &ac->type) || !rs_type_equal(&bc->type, &dc->type))
                continue;
            struct rs_type_change tc =
                rs_type_classify(d->a, &bc->type, &ac->type, rs_model_enum(before, &bc->type) != NULL,
                                 rs_model_enum(after, &ac->type) != NULL, d->c->pg_version);
            if (tc.known && tc.lossy)
                not_restored(d, stmt_for(d, dr->name.name, dc->name),
                             "restores the type of %s.%s, but not the values the up changed "
                             "(%s)",
                             dname, dc->name, tc.reason);
        }
    }
}

/* ---------------------------------------------------------------- the findings */

static bool up_unfollowed(const struct rs_stmt_list *up, int *line)
{
    for (size_t i = 0; i < up->n; i++) {
        const struct rs_stmt *st = &up->v[i];
        if (st->syntax_error || st->kind == RS_STMT_DO || st->kind == RS_STMT_CALL) {
            *line = st->line;
            return true;
        }
    }
    return false;
}

static void report_diffs(struct dk *d)
{
    size_t nmismatch = 0, shown = 0;
    for (size_t i = 0; i < d->diffs.n; i++)
        nmismatch += !d->diffs.v[i].enum_value;
    int up_line = 0;
    const char *unsure = d->unfollowed;
    if (!unsure && up_unfollowed(d->c->up, &up_line))
        unsure = arena_printf(d->a, "the statement at line %d of the up", up_line);
    for (size_t i = 0; i < d->diffs.n; i++) {
        const struct diff *df = &d->diffs.v[i];
        const struct rs_stmt *st = stmt_for(d, df->object, df->column);
        if (df->enum_value) {
            emit(d, &rs_rule_down_enum_value, st, -1, NULL,
                 arena_printf(d->a, "after the down, %s; rows written since the up may hold it",
                              df->text));
            continue;
        }
        if (shown == MAX_MISMATCH_FINDINGS)
            continue;
        const char *msg;
        if (++shown == MAX_MISMATCH_FINDINGS && nmismatch > MAX_MISMATCH_FINDINGS)
            msg = arena_printf(d->a,
                               "the down does not restore the schema: %s, and %zu more "
                               "differences (--format json lists them all)",
                               df->text, nmismatch - MAX_MISMATCH_FINDINGS);
        else
            msg = arena_printf(d->a, "the down does not restore the schema: %s", df->text);
        if (unsure)
            msg = arena_printf(d->a, "%s (rollsafe cannot follow %s: check by hand)", msg, unsure);
        struct rs_finding *f = emit(d, &rs_rule_down_mismatch, st, -1, NULL, msg);
        if (unsure && f->severity > RS_SEV_WARNING)
            f->severity = RS_SEV_WARNING;
    }
}

static const char **strings(struct dk *d, const char *const *v, size_t n)
{
    const char **out = arena_alloc(d->a, (n ? n : 1) * sizeof(*out));
    if (n)
        memcpy(out, v, n * sizeof(*out));
    return out;
}

static void down_approvals(struct dk *d, size_t first)
{
    const struct rs_down_ctx *c = d->c;
    struct rs_emitter *e = c->emitter;
    struct rs_approvals ap = {.in_down = true};
    rs_approvals_scan(c->arena, &c->m->down, &d->stmts, &ap, c->diag);
    rs_approvals_apply(&ap, &c->m->down, &d->stmts, e->findings.v + first, e->findings.n - first);
    const struct rs_source *src = e->src;
    bool in_down = e->in_down;
    e->src = c->m->down.src;
    e->in_down = true;
    rs_approvals_report_unused(&ap, e);
    e->src = src;
    e->in_down = in_down;
}

void rs_down_check(const struct rs_down_ctx *ctx, struct rs_down_check *out)
{
    const struct rs_migration *m = ctx->m;
    memset(out, 0, sizeof(*out));
    /* Parsed first: a down read as it is parsed (rs_layout_ctx.defer_reads) may turn out not
       to be there. */
    struct dk d = {.c = ctx, .a = ctx->arena};
    if (m->down.src)
        rs_sql_parse_script(ctx->scratch, &m->down, &d.stmts);
    out->present = rs_script_present(&m->down);
    if (ctx->emit)
        rs_emit_down_compute(ctx, out);
    if (!out->present) {
        if (!m->down_expected)
            return;
        diff_vec changes = {0};
        compare(ctx->scratch, ctx->before, ctx->after, ctx->after, &changes);
        if (!changes.n)
            return; /* nothing to undo */
        struct rs_finding *f = rs_emitter_add(
            ctx->emitter, &rs_rule_down_missing, NULL, -1, NULL,
            arena_printf(ctx->arena,
                         "migration %s has no down migration, but its layout pairs one with "
                         "every up and the up changes the schema: after a rollback, %s%s",
                         m->id, changes.v[0].text,
                         changes.n > 1 ? arena_printf(ctx->arena, ", and %zu more difference%s",
                                                      changes.n - 1, changes.n > 2 ? "s" : "")
                                       : ""));
        at_section(f, &m->up);
        return;
    }

    size_t first = ctx->emitter->findings.n;
    struct rs_model *down = rs_model_copy(ctx->scratch, ctx->after);
    apply_down(&d, down);
    compare(ctx->arena, ctx->before, down, ctx->after, &d.diffs);
    check_not_restored(&d, down);

    /* A down in a newer PostgreSQL's grammar may well run: it cannot be compared here. */
    out->checked = !d.newer_grammar;
    size_t nd = d.diffs.n + d.fails.n;
    out->differences = arena_alloc(ctx->arena, (nd ? nd : 1) * sizeof(char *));
    for (size_t i = 0; i < d.fails.n; i++)
        out->differences[out->ndifferences++] = d.fails.v[i];
    for (size_t i = 0; i < d.diffs.n; i++)
        out->differences[out->ndifferences++] = d.diffs.v[i].text;
    out->restores_schema = out->ndifferences == 0;
    out->data_loss = strings(&d, d.loss.v, d.loss.n);
    out->ndata_loss = d.loss.n;

    if (d.stmts.n == 0 && d.diffs.n) {
        emit(&d, &rs_rule_down_empty, NULL, -1, NULL,
             arena_printf(ctx->arena,
                          "the down has no statement, but the up changes the schema: after the "
                          "down, %s%s",
                          d.diffs.v[0].text,
                          d.diffs.n > 1 ? arena_printf(ctx->arena, ", and %zu more difference%s",
                                                       d.diffs.n - 1, d.diffs.n > 2 ? "s" : "")
                                        : ""));
    } else if (!d.syntax_error) {
        report_diffs(&d);
    }
    down_approvals(&d, first);
}
