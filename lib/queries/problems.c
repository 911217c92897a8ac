/*
 * problems.c - what one application query fails on against one schema.
 *
 * Names are resolved the way PostgreSQL's parser does (lib/catalog/resolve.c: FROM items,
 * aliases, joins, subqueries, CTEs, SELECT * through views, correlated references). On top of
 * names, writes are checked the way the executor would reject them: an INSERT that leaves out a
 * NOT NULL column without a default, NULL written into a NOT NULL column, an ON CONFLICT target
 * no unique index or constraint matches, a write into a view PostgreSQL cannot write through,
 * and literals: a value an enum type does not have, a string longer than varchar(n), a number
 * out of the column's range.
 *
 * It only looks at what the query text fixes: parameters ($1) can hold anything and are never
 * a problem. It does not know which schema is "before" or "after" (check.c compares).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/apply.h"
#include "internal.h"
#include "util/strbuf.h"

struct pctx {
    struct arena *a;
    const struct rs_model *m;
    const struct rs_stmt *st;
    rs_qproblem_vec *out;
};

static bool streq(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

bool rs_qproblem_same(const struct rs_qproblem *x, const struct rs_qproblem *y)
{
    if (x->kind != y->kind || x->location != y->location || !streq(x->column, y->column) ||
        !streq(x->value, y->value) || !streq(x->detail, y->detail))
        return false;
    /* A column reference is the same reference whatever relation it was looked up in. */
    if (x->kind == RS_QP_NO_COLUMN && x->location >= 0)
        return true;
    return streq(x->rel.name, y->rel.name);
}

static struct rs_qproblem *add(struct pctx *c, enum rs_qp_kind kind, int location,
                               const struct rs_qname *rel, const char *column)
{
    struct rs_qproblem p = {.kind = kind, .location = location, .column = column};
    if (rel)
        p.rel = *rel;
    for (size_t i = 0; i < c->out->n; i++)
        if (rs_qproblem_same(&c->out->v[i], &p))
            return &c->out->v[i];
    struct rs_qproblem *n = VEC_PUSH(c->a, c->out);
    *n = p;
    return n;
}

/* ---------------------------------------------------------------- names */

static void from_resolved(struct pctx *c, const struct rs_resolved *res)
{
    for (size_t i = 0; i < res->issues.n; i++) {
        const struct rs_resolve_issue *is = &res->issues.v[i];
        enum rs_qp_kind k = is->kind == RS_RESOLVE_NO_RELATION ? RS_QP_NO_RELATION
                            : is->kind == RS_RESOLVE_NO_COLUMN ? RS_QP_NO_COLUMN
                                                               : RS_QP_AMBIGUOUS;
        add(c, k, is->location, &is->rel, is->column);
    }
}

/* ---------------------------------------------------------------- values */

static const struct rs_typeobj *user_type(const struct rs_model *m, const struct rs_type *t)
{
    if (!t->name || rs_type_is_builtin(t))
        return NULL;
    struct rs_qname q = {t->schema, t->name};
    return rs_model_type(m, &q);
}

static bool is_label(const struct rs_typeobj *t, const char *v)
{
    for (size_t i = 0; i < t->labels.n; i++)
        if (!strcmp(t->labels.v[i], v))
            return true;
    return false;
}

static size_t utf8_chars(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            k++;
    return k;
}

/* A decimal literal as PostgreSQL reads it into a number; false when it is not one. */
static bool number_value(const char *s, long double *out)
{
    while (isspace((unsigned char)*s))
        s++;
    if (!*s)
        return false;
    errno = 0;
    char *end;
    long double v = strtold(s, &end);
    while (isspace((unsigned char)*end))
        end++;
    if (*end || end == s || !isfinite((double)v))
        return false;
    /* strtold also reads hexadecimal floats, infinities and NaN; SQL numbers are decimal. */
    for (const char *p = s; p < end; p++)
        if (!(isdigit((unsigned char)*p) || *p == '.' || *p == '-' || *p == '+' || *p == 'e' ||
              *p == 'E' || isspace((unsigned char)*p)))
            return false;
    *out = v;
    return true;
}

/*
 * Whether a plain integer literal is out of the range of int2, int4 or int8, compared exactly:
 * the bounds of int8 need 64 bits of mantissa, which a long double has only where it is the x87
 * 80-bit type (not under valgrind, nor on every platform). -1 when s is not a plain integer.
 */
static int integer_out_of_range(const char *s, const char *type)
{
    while (isspace((unsigned char)*s))
        s++;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s)
        return -1;
    while (isspace((unsigned char)*end))
        end++;
    if (*end)
        return -1;
    long long lo = LLONG_MIN, hi = LLONG_MAX;
    if (!strcmp(type, "int2")) {
        lo = -32768;
        hi = 32767;
    } else if (!strcmp(type, "int4")) {
        lo = -2147483648LL;
        hi = 2147483647LL;
    }
    return errno == ERANGE || v < lo || v > hi;
}

/* Is literal text `value` (a string literal when quoted) rejected by a column of type t? */
static void check_value(struct pctx *c, const struct rs_qname *rel, const struct rs_column *col,
                        const char *value, bool writes, int location)
{
    const struct rs_type *t = &col->type;
    if (!value || t->array_dims)
        return;
    const struct rs_typeobj *ut = user_type(c->m, t);
    if (ut && ut->kind == RS_TYPEOBJ_DOMAIN) {
        t = &ut->base;
        ut = user_type(c->m, t);
    }
    struct rs_qproblem *p = NULL;
    if (ut && ut->kind == RS_TYPEOBJ_ENUM) {
        if (!is_label(ut, value))
            p = add(c, RS_QP_ENUM, location, rel, col->name);
    } else if (!writes || !t->name) {
        return;
    } else if ((!strcmp(t->name, "varchar") || !strcmp(t->name, "bpchar")) && t->mod1 > 0) {
        size_t n = strlen(value);
        if (!strcmp(t->name, "bpchar"))
            while (n > 0 && value[n - 1] == ' ')
                n--; /* char(n) accepts trailing spaces beyond n */
        size_t chars = utf8_chars(value, n);
        if (chars > (size_t)t->mod1) {
            p = add(c, RS_QP_TOO_LONG, location, rel, col->name);
            p->value = arena_printf(c->a, "%zu", chars);
        }
    } else if (!strcmp(t->name, "int2") || !strcmp(t->name, "int4") || !strcmp(t->name, "int8") ||
               !strcmp(t->name, "numeric")) {
        long double v;
        if (!number_value(value, &v))
            return;
        int exact = strcmp(t->name, "numeric") ? integer_out_of_range(value, t->name) : -1;
        /* Assignment rounds a fraction to the nearest integer (numeric: to the scale). */
        long double lo, hi;
        if (exact >= 0) {
            lo = exact ? INFINITY : -INFINITY;
            hi = -lo;
        } else if (!strcmp(t->name, "int2")) {
            lo = -32768.5L;
            hi = 32767.5L;
        } else if (!strcmp(t->name, "int4")) {
            lo = -2147483648.5L;
            hi = 2147483647.5L;
        } else if (!strcmp(t->name, "int8")) {
            lo = -9223372036854775808.5L;
            hi = 9223372036854775807.5L;
        } else if (t->mod1 > 0) {
            /* numeric(p, s): after rounding to s digits, at most p - s integer digits. */
            int scale = t->mod2 > 0 ? t->mod2 : 0;
            hi = powl(10.0L, (long double)(t->mod1 - scale)) -
                 0.5L * powl(10.0L, (long double)-scale);
            lo = -hi;
        } else {
            return;
        }
        if (v >= hi || v <= lo)
            p = add(c, RS_QP_RANGE, location, rel, col->name);
    }
    if (!p)
        return;
    p->writes = writes;
    if (!p->value)
        p->value = value;
    else
        p->detail = value; /* TOO_LONG: value holds the length, detail the literal */
    p->type =
        ut && ut->kind == RS_TYPEOBJ_ENUM ? rs_qname_str(c->a, &ut->name) : rs_type_format(c->a, t);
}

/* The literal an assigned expression writes, when the query fixes it. */
static const char *assigned_literal(const struct rs_expr *e)
{
    if (!e || e->kind != RS_EXPR_CONST || !e->const_text)
        return NULL;
    /* An explicit cast decides the value itself (`'x'::varchar(2)` truncates silently). */
    if (e->text && strstr(e->text, "::") && !strchr(e->text, '\''))
        return NULL;
    if (e->text && e->text[0] == '\'' && strstr(e->text, "'::"))
        return NULL;
    return e->const_text;
}

/* ---------------------------------------------------------------- writes */

static bool has_trigger(const struct rs_model *m, const struct rs_relation *r)
{
    for (size_t i = 0; i < m->triggers.n; i++)
        if (rs_qname_eq(&m->triggers.v[i]->table, &r->name))
            return true;
    return false;
}

/* The one relation a simple view reads, or NULL (several, none, or not known). */
static const struct rs_relation *view_base(const struct rs_model *m, const struct rs_relation *v,
                                           size_t *nrels)
{
    const struct rs_qname *base = NULL;
    *nrels = 0;
    for (size_t i = 0; i < v->deps.n; i++) {
        const struct rs_qname *q = &v->deps.v[i].rel;
        if (rs_qname_eq(q, &v->name))
            continue;
        if (!base || !rs_qname_eq(base, q)) {
            bool seen = false;
            for (size_t k = 0; k < i; k++)
                if (rs_qname_eq(&v->deps.v[k].rel, q))
                    seen = true;
            if (!seen)
                (*nrels)++;
            if (!base)
                base = q;
        }
    }
    return *nrels == 1 ? rs_model_rel(m, base) : NULL;
}

/*
 * The table a write into r lands in: r itself, or the table under a simple view. NULL when
 * PostgreSQL cannot write through r (a problem is added) or rollsafe cannot follow it (a view
 * with an INSTEAD OF trigger, a relation whose columns are not all known).
 */
static const struct rs_relation *write_target(struct pctx *c, const struct rs_relation *r,
                                              const char *verb)
{
    for (int depth = 0; r && depth < 8; depth++) {
        if (r->kind == RS_REL_TABLE || r->kind == RS_REL_FOREIGN)
            return r->complete ? r : NULL;
        if (r->kind == RS_REL_MATVIEW) {
            struct rs_qproblem *p = add(c, RS_QP_NOT_UPDATABLE, -1, &r->name, NULL);
            p->detail = arena_printf(c->a, "PostgreSQL cannot %s a materialized view", verb);
            p->writes = true;
            return NULL;
        }
        if (has_trigger(c->m, r) || !r->complete)
            return NULL; /* INSTEAD OF triggers decide */
        size_t nrels;
        const struct rs_relation *base = view_base(c->m, r, &nrels);
        if (!base) {
            if (nrels == 1)
                return NULL; /* reads a relation the model does not know */
            struct rs_qproblem *p = add(c, RS_QP_NOT_UPDATABLE, -1, &r->name, NULL);
            p->detail =
                arena_printf(c->a,
                             "view %s reads %zu relations, so PostgreSQL cannot %s it without an "
                             "INSTEAD OF trigger",
                             rs_qname_str(c->a, &r->name), nrels, verb);
            p->writes = true;
            return NULL;
        }
        r = base;
    }
    return NULL;
}

static bool required(const struct rs_column *col)
{
    return col->not_null && !col->default_text && !col->identity && !col->generated_text &&
           !col->type.serial;
}

static const struct rs_assignment *assignment(const struct rs_stmt *st, const char *col)
{
    for (size_t i = 0; i < st->nassignments; i++)
        if (streq(st->assignments[i].column, col))
            return &st->assignments[i];
    return NULL;
}

/* Is column col of base table t (reached through relation r) given a value by the INSERT? */
static void check_required(struct pctx *c, const struct rs_relation *r, const struct rs_relation *t)
{
    const struct rs_stmt *st = c->st;
    if (!st->insert_has_column_list && !st->insert_default_values)
        return; /* positional VALUES: how many columns they fill is not in the summary */
    for (size_t i = 0; i < t->columns.n; i++) {
        const struct rs_column *col = &t->columns.v[i];
        if (!required(col))
            continue;
        const char *name = col->name;
        if (r != t && !rs_rel_column(r, name)) {
            /* The view does not show the column under its name: aliased (then unknown), or not
               shown at all, and then nothing written through the view can fill it. */
            bool read = false;
            for (size_t k = 0; k < r->deps.n; k++)
                if (rs_qname_eq(&r->deps.v[k].rel, &t->name) && streq(r->deps.v[k].column, name))
                    read = true;
            if (read)
                continue;
        } else if (st->insert_has_column_list && assignment(st, name)) {
            continue;
        }
        struct rs_qproblem *p = add(c, RS_QP_REQUIRED, -1, &t->name, name);
        p->writes = true;
    }
}

static void check_conflict(struct pctx *c, const struct rs_relation *t)
{
    const struct rs_stmt *st = c->st;
    if (!st->on_conflict || (!st->on_conflict_constraint && !st->non_conflict_columns))
        return;
    if (st->on_conflict_constraint) {
        const struct rs_constraint *k = rs_rel_constraint(t, st->on_conflict_constraint);
        if (k &&
            (k->kind == RS_CON_PRIMARY || k->kind == RS_CON_UNIQUE || k->kind == RS_CON_EXCLUSION))
            return;
        struct rs_qproblem *p = add(c, RS_QP_CONFLICT, -1, &t->name, NULL);
        p->detail = arena_printf(c->a, "ON CONSTRAINT %s", st->on_conflict_constraint);
        return;
    }
    const char *const *want = st->on_conflict_columns;
    size_t nwant = st->non_conflict_columns;
    /* A unique index or a PRIMARY KEY / UNIQUE constraint on exactly these columns. */
    const struct rs_index *idx[64];
    size_t nidx = rs_model_table_indexes(c->m, &t->name, idx, 64);
    for (size_t i = 0; i < nidx && i < 64; i++) {
        if (!idx[i]->unique || idx[i]->ncolumns != nwant)
            continue;
        size_t hit = 0;
        for (size_t k = 0; k < nwant; k++)
            for (size_t j = 0; j < idx[i]->ncolumns; j++)
                if (streq(idx[i]->columns[j], want[k])) {
                    hit++;
                    break;
                }
        if (hit == nwant)
            return;
    }
    for (size_t i = 0; i < t->constraints.n; i++) {
        const struct rs_constraint *k = &t->constraints.v[i];
        if ((k->kind != RS_CON_PRIMARY && k->kind != RS_CON_UNIQUE) || k->ncolumns != nwant)
            continue;
        size_t hit = 0;
        for (size_t a = 0; a < nwant; a++)
            for (size_t j = 0; j < k->ncolumns; j++)
                if (streq(k->columns[j], want[a])) {
                    hit++;
                    break;
                }
        if (hit == nwant)
            return;
    }
    struct rs_qproblem *p = add(c, RS_QP_CONFLICT, -1, &t->name, NULL);
    struct strbuf sb;
    sb_init(&sb, c->a);
    sb_addc(&sb, '(');
    for (size_t i = 0; i < nwant; i++)
        sb_printf(&sb, "%s%s", i ? ", " : "", want[i]);
    sb_addc(&sb, ')');
    p->detail = sb.s;
}

/* The columns a write names (INSERT column list, UPDATE SET) and the literals it writes. */
static void check_assignments(struct pctx *c, const struct rs_relation *r,
                              const struct rs_relation *t)
{
    const struct rs_stmt *st = c->st;
    for (size_t i = 0; i < st->nassignments; i++) {
        const struct rs_assignment *as = &st->assignments[i];
        if (!as->column)
            continue;
        const struct rs_column *col = rs_rel_column(r, as->column);
        if (!col) {
            if (r->complete) {
                struct rs_qproblem *p = add(c, RS_QP_NO_COLUMN, as->location, &r->name, as->column);
                p->writes = true;
            }
            continue;
        }
        /* NOT NULL is the table's: through a view, look the column up by name. */
        const struct rs_column *tcol = t == r ? col : t ? rs_rel_column(t, as->column) : NULL;
        if (as->value && as->value->kind == RS_EXPR_NULL && tcol && tcol->not_null) {
            struct rs_qproblem *p = add(c, RS_QP_NULL, as->location, &t->name, tcol->name);
            p->writes = true;
        }
        const char *lit = assigned_literal(as->value);
        if (lit)
            check_value(c, &r->name, tcol ? tcol : col, lit, true, as->location);
    }
}

static void check_write(struct pctx *c, const char *verb)
{
    const struct rs_stmt *st = c->st;
    const struct rs_relation *r = rs_model_rel(c->m, &st->rel);
    if (!r) {
        if (st->kind == RS_STMT_INSERT) {
            struct rs_qproblem *p = add(c, RS_QP_NO_RELATION, -1, &st->rel, NULL);
            p->writes = true;
        }
        return; /* UPDATE / DELETE: their query names the relation and resolve reports it */
    }
    const struct rs_relation *t = write_target(c, r, verb);
    if (st->kind != RS_STMT_DELETE)
        check_assignments(c, r, t);
    if (st->kind == RS_STMT_INSERT && t) {
        check_required(c, r, t);
        check_conflict(c, t);
    }
}

/* ---------------------------------------------------------------- queries */

static void resolve(struct pctx *c, const struct rs_query *q)
{
    if (!q)
        return;
    struct rs_resolved res;
    rs_resolve_query(c->a, c->m, q, &res);
    from_resolved(c, &res);
    for (size_t i = 0; i < res.cmps.n; i++) {
        const struct rs_resolved_cmp *k = &res.cmps.v[i];
        check_value(c, &k->rel, k->column, k->value, false, k->location);
    }
}

void rs_query_problems(struct arena *a, const struct rs_model *m, const struct rs_app_query *q,
                       rs_qproblem_vec *out)
{
    struct pctx c = {a, m, q->st, out};
    const struct rs_stmt *st = q->st;
    switch (st->kind) {
    case RS_STMT_SELECT:
        resolve(&c, st->query);
        break;
    case RS_STMT_INSERT:
        check_write(&c, "insert into");
        resolve(&c, st->query);
        resolve(&c, st->returning);
        break;
    case RS_STMT_UPDATE:
        check_write(&c, "update");
        resolve(&c, st->query);
        resolve(&c, st->returning);
        break;
    case RS_STMT_DELETE:
        check_write(&c, "delete from");
        resolve(&c, st->query);
        resolve(&c, st->returning);
        break;
    default:
        break;
    }
}
