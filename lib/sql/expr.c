/*
 * expr.c - expressions, names and types from libpg_query nodes into rollsafe's summaries.
 *
 * An expression is not kept as a tree: the schema model and the rules need its canonical text
 * (deparsed by libpg_query, so `now()` and `NOW( )` compare equal), the functions it calls (for
 * volatility), the columns it reads, and a few shapes (`c IS NOT NULL`, a bare column, a cast
 * of a column, a literal).
 */
#include <assert.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util/strbuf.h"

/* ---------------------------------------------------------------- generic walk */

void sqlx_walk(const ProtobufCMessage *m, sqlx_visit_fn fn, void *ctx)
{
    if (!m || !fn(m, ctx))
        return;
    const ProtobufCMessageDescriptor *d = m->descriptor;
    if (d == &pg_query__node__descriptor) {
        /* A Node is a oneof of some 250 message fields: go straight to the one that is set. */
        const Node *n = (const Node *)m;
        const ProtobufCFieldDescriptor *f = sqlx_field(d, n->node_case);
        if (f && f->type == PROTOBUF_C_TYPE_MESSAGE)
            sqlx_walk(*(const ProtobufCMessage *const *)((const char *)m + f->offset), fn, ctx);
        return;
    }
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (f->type != PROTOBUF_C_TYPE_MESSAGE)
            continue;
        const char *base = (const char *)m;
        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            uint32_t which = *(const uint32_t *)(base + f->quantifier_offset);
            if (which != f->id)
                continue;
        }
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)(base + f->quantifier_offset);
            ProtobufCMessage *const *arr = *(ProtobufCMessage *const *const *)(base + f->offset);
            for (size_t k = 0; k < n; k++)
                sqlx_walk(arr[k], fn, ctx);
        } else {
            const ProtobufCMessage *sub = *(const ProtobufCMessage *const *)(base + f->offset);
            sqlx_walk(sub, fn, ctx);
        }
    }
}

/* ---------------------------------------------------------------- names */

const char *sqlx_string(const Node *n)
{
    if (n && n->node_case == PG_QUERY__NODE__NODE_STRING && n->string)
        return n->string->sval;
    return NULL;
}

const char *sqlx_last_name(Node *const *items, size_t n)
{
    return n ? sqlx_string(items[n - 1]) : NULL;
}

void sqlx_qname_from_list(struct sqlx *x, Node *const *items, size_t n, struct rs_qname *out)
{
    out->schema = NULL;
    out->name = NULL;
    if (n == 0)
        return;
    out->name = arena_strdup(x->a, sqlx_string(items[n - 1]));
    if (n >= 2)
        out->schema = arena_strdup(x->a, sqlx_string(items[n - 2]));
}

int sqlx_loc(const struct sqlx *x, int location)
{
    return location >= 0 ? (int)(x->base + (size_t)location) : -1;
}

/* ---------------------------------------------------------------- types */

static int const_int(const Node *n)
{
    if (n && n->node_case == PG_QUERY__NODE__NODE_A_CONST && n->a_const &&
        n->a_const->val_case == PG_QUERY__A__CONST__VAL_IVAL && n->a_const->ival)
        return n->a_const->ival->ival;
    return RS_TYPMOD_NONE;
}

void sqlx_type(struct sqlx *x, const PgQuery__TypeName *tn, struct rs_type *out)
{
    memset(out, 0, sizeof(*out));
    if (!tn) {
        rs_type_init(out, x->a, NULL, 0, NULL, 0, 0);
        return;
    }
    const char *names[4];
    size_t nn = 0;
    for (size_t i = 0; i < tn->n_names && nn < 4; i++) {
        const char *s = sqlx_string(tn->names[i]);
        if (s)
            names[nn++] = s;
    }
    int mods[2];
    size_t nm = 0;
    for (size_t i = 0; i < tn->n_typmods && nm < 2; i++)
        mods[nm++] = const_int(tn->typmods[i]);
    rs_type_init(out, x->a, names, nn, mods, nm, (int)tn->n_array_bounds);
}

/* ---------------------------------------------------------------- deparse */

/* Protocol buffer framing, enough to wrap an expression's bytes in a statement. */
static size_t len_field_size(unsigned id, size_t n)
{
    return sqlx_varint_size((uint64_t)id << 3 | 2) + sqlx_varint_size(n) + n;
}

static uint8_t *put_len_key(uint8_t *p, unsigned id, size_t n)
{
    return sqlx_put_varint(sqlx_put_varint(p, (uint64_t)id << 3 | 2), n);
}

static uint8_t *put_varint_field(uint8_t *p, unsigned id, uint64_t v)
{
    return sqlx_put_varint(sqlx_put_varint(p, (uint64_t)id << 3), v);
}

/* Deepest expression handed to libpg_query's deparser, in protobuf messages (two per level of
   nesting). */
#define DEPARSE_MAX_HEIGHT 2000

/*
 * Expressions written here exactly as libpg_query's deparser writes them: a trip through it
 * costs 100,000 to 250,000 instructions (it unpacks `SELECT expr` with protobuf-c, which visits
 * every one of a Node's 250 fields, and starts a memory context). Constants, names, calls (the
 * ones with a syntax of their own too: EXTRACT, POSITION, AT TIME ZONE, ...), casts, operators,
 * tests, CASE, GREATEST and LEAST, subscripts, and subqueries of the common simple shapes (a
 * target list, tables, functions and joins, WHERE, GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET)
 * are written here. Any other node or field anywhere in the expression, and any name that is a
 * key word only from PostgreSQL 16 on, sends the whole expression to libpg_query.
 *
 * The deparser writes some operands without the parentheses they would need to read back the
 * same (`a + b IN (SELECT ...)`, `a IS NULL::int`); so does this writer: the text is the
 * expression's canonical form, compared, never run. The unit tests compare the two on every
 * expression of the test cases and corpora, the unpack fuzz target on every expression it sees.
 */
struct native {
    struct strbuf sb;
    int depth;
};

/* Deepest expression written here; deeper ones go to libpg_query (which has its own limit). */
#define NATIVE_MAX_DEPTH 64

/* The characters an operator's name is made of (PostgreSQL's scan.l). */
#define NATIVE_OP_CHARS "~!@#^&|`?+-*/%<>="

static bool native_expr(struct native *d, const Node *n);
static bool native_select(struct native *d, const Node *n);
static bool native_clause(struct native *d, const char *keyword, Node *const *items, size_t n,
                          bool sort);

/* The deparser ends each clause of a statement with a space and takes the last one off. */
static void native_untrail(struct strbuf *sb)
{
    if (sb->len && sb->s[sb->len - 1] == ' ')
        sb->s[--sb->len] = '\0';
}

static bool native_const(struct strbuf *sb, const PgQuery__AConst *c)
{
    if (c->isnull) {
        sb_add(sb, "NULL");
        return true;
    }
    switch (c->val_case) {
    case PG_QUERY__A__CONST__VAL_IVAL:
        sb_printf(sb, "%d", c->ival ? c->ival->ival : 0);
        return true;
    case PG_QUERY__A__CONST__VAL_FVAL:
        if (!c->fval || !c->fval->fval || !*c->fval->fval)
            return false;
        sb_add(sb, c->fval->fval);
        return true;
    case PG_QUERY__A__CONST__VAL_BOOLVAL:
        sb_add(sb, c->boolval && c->boolval->boolval ? "true" : "false");
        return true;
    case PG_QUERY__A__CONST__VAL_SVAL: {
        /* 'it''s'; with a backslash, E'a\\b' (every quote and backslash doubled) */
        const char *s = c->sval && c->sval->sval ? c->sval->sval : "";
        if (strchr(s, '\\'))
            sb_addc(sb, 'E');
        sb_addc(sb, '\'');
        for (const char *p = s; *p; p++) {
            size_t run = strcspn(p, "'\\");
            sb_addn(sb, p, run);
            p += run;
            if (!*p)
                break;
            sb_addc(sb, *p);
            sb_addc(sb, *p);
        }
        sb_addc(sb, '\'');
        return true;
    }
    default:
        return false;
    }
}

/* The key words of sql_is_quoted_word() that PostgreSQL 16 and 17 added: libpg_query 15
   writes them bare where later versions quote them, so a name that is one is left to it.
   Sorted for bsearch. */
static const char *const later_key_words[] = {
    "json",           "json_array",   "json_arrayagg", "json_exists",    "json_object",
    "json_objectagg", "json_query",   "json_scalar",   "json_serialize", "json_table",
    "json_value",     "merge_action", "system_user",
};

static int word_cmp(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

/* A name as PostgreSQL's quote_ident() writes it: in double quotes unless it is plain, and so
   also a key word other than an unreserved one ("case", "left"). */
static bool native_ident(struct strbuf *sb, const char *s)
{
    if (!s || !*s)
        return false;
    if (sql_ident_is_plain(s)) {
        sb_add(sb, s);
        return true;
    }
    if (bsearch(s, later_key_words, sizeof(later_key_words) / sizeof(later_key_words[0]),
                sizeof(later_key_words[0]), word_cmp))
        return false;
    sb_add_quoted_ident(sb, s);
    return true;
}

/* a.b.c, from a list of String nodes */
static bool native_names(struct strbuf *sb, Node *const *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_addc(sb, '.');
        if (!native_ident(sb, sqlx_string(items[i])))
            return false;
    }
    return n > 0;
}

/* Built-in types the deparser writes by their SQL name; their typmods, when they may have
   some, as (a, b). */
static const struct {
    const char *internal, *sql;
    bool typmods;
} native_builtin_types[] = {
    {"int4", "int", false},           {"int8", "bigint", false},
    {"int2", "smallint", false},      {"bool", "boolean", false},
    {"float4", "real", false},        {"float8", "double precision", false},
    {"varchar", "varchar", true},     {"bpchar", "char", true},
    {"numeric", "numeric", true},     {"interval", "interval", false},
    {"time", "time", true},           {"timetz", "time with time zone", false},
    {"timestamp", "timestamp", true}, {"timestamptz", "timestamp with time zone", false},
};

static bool native_type(struct strbuf *sb, const PgQuery__TypeName *tn)
{
    if (!tn || tn->setof || tn->pct_type || tn->n_names == 0)
        return false;
    bool typmods_ok = false;
    const char *first = sqlx_string(tn->names[0]);
    if (tn->n_names == 2 && first && !strcmp(first, "pg_catalog")) {
        const char *name = sqlx_string(tn->names[1]);
        size_t i = 0, n = sizeof(native_builtin_types) / sizeof(native_builtin_types[0]);
        while (i < n && (!name || strcmp(name, native_builtin_types[i].internal)))
            i++;
        if (i == n)
            return false;
        sb_add(sb, native_builtin_types[i].sql);
        typmods_ok = native_builtin_types[i].typmods;
    } else if (!native_names(sb, tn->names, tn->n_names)) {
        return false;
    }
    if (tn->n_typmods && !typmods_ok)
        return false;
    for (size_t i = 0; i < tn->n_typmods; i++) {
        const Node *m = tn->typmods[i];
        if (m->node_case != PG_QUERY__NODE__NODE_A_CONST || m->a_const->isnull ||
            m->a_const->val_case != PG_QUERY__A__CONST__VAL_IVAL)
            return false;
        sb_printf(sb, "%s%d", i ? ", " : "(", m->a_const->ival ? m->a_const->ival->ival : 0);
    }
    if (tn->n_typmods)
        sb_addc(sb, ')');
    for (size_t i = 0; i < tn->n_array_bounds; i++) {
        const Node *b = tn->array_bounds[i];
        if (b->node_case != PG_QUERY__NODE__NODE_INTEGER)
            return false;
        int v = b->integer ? b->integer->ival : 0;
        if (v == -1)
            sb_add(sb, "[]");
        else
            sb_printf(sb, "[%d]", v);
    }
    return true;
}

static bool native_column_ref(struct strbuf *sb, const PgQuery__ColumnRef *c)
{
    for (size_t i = 0; i < c->n_fields; i++) {
        if (i)
            sb_addc(sb, '.');
        const Node *f = c->fields[i];
        if (f->node_case == PG_QUERY__NODE__NODE_A_STAR && i == c->n_fields - 1)
            sb_addc(sb, '*');
        else if (!native_ident(sb, sqlx_string(f)))
            return false;
    }
    return c->n_fields > 0;
}

/* a, b: the elements of a list of expressions */
static bool native_list(struct native *d, Node *const *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_add(&d->sb, ", ");
        if (!native_expr(d, items[i]))
            return false;
    }
    return true;
}

/* x, or (x) when parens: how the deparser writes an operand whose node calls for them. */
static bool native_wrapped(struct native *d, const Node *n, bool parens)
{
    if (parens)
        sb_addc(&d->sb, '(');
    if (!native_expr(d, n))
        return false;
    if (parens)
        sb_addc(&d->sb, ')');
    return true;
}

/* "(a, b)": the arguments of COALESCE, GREATEST, LEAST and ROW. */
static bool native_args(struct native *d, Node *const *args, size_t n)
{
    sb_addc(&d->sb, '(');
    if (!native_list(d, args, n))
        return false;
    sb_addc(&d->sb, ')');
    return true;
}

/* The calls the grammar makes of a syntax of its own, as the deparser writes each: its own
   spelling, spacing and order of the arguments (%0 is the first). The others of that kind
   (OVERLAPS, NORMALIZE, XMLEXISTS, ...) are left to libpg_query. */
static const struct {
    const char *name;
    size_t nargs;
    const char *form;
} native_sql_calls[] = {
    {"extract", 2, "extract (%0 FROM %1)"},
    {"position", 2, "POSITION(%1 IN %0)"},
    {"substring", 2, "SUBSTRING(%0 FROM %1)"},
    {"substring", 3, "SUBSTRING(%0 FROM %1 FOR %2)"},
    {"overlay", 3, "overlay(%0 placing %1 from %2)"},
    {"overlay", 4, "OVERLAY(%0 PLACING %1 FROM %2 FOR %3)"},
    {"pg_collation_for", 1, "collation for (%0)"},
    {"btrim", 1, "TRIM (BOTH  FROM %0)"},
    {"btrim", 2, "TRIM (BOTH %1 FROM %0)"},
    {"ltrim", 1, "TRIM (LEADING  FROM %0)"},
    {"ltrim", 2, "TRIM (LEADING %1 FROM %0)"},
    {"rtrim", 1, "TRIM (TRAILING  FROM %0)"},
    {"rtrim", 2, "TRIM (TRAILING %1 FROM %0)"},
    {"timezone", 2, "%1 AT TIME ZONE %0"},
};

/* EXTRACT(field FROM x), x AT TIME ZONE z, ...: a call of pg_catalog.extract, timezone, ...
   the parser marks as written in SQL syntax. */
static bool native_sql_call(struct native *d, const PgQuery__FuncCall *f)
{
    const char *schema = f->n_funcname == 2 ? sqlx_string(f->funcname[0]) : NULL;
    const char *name = f->n_funcname == 2 ? sqlx_string(f->funcname[1]) : NULL;
    if (!schema || !name || strcmp(schema, "pg_catalog") || f->agg_star || f->agg_distinct ||
        f->func_variadic)
        return false;
    size_t i = 0, n = sizeof(native_sql_calls) / sizeof(native_sql_calls[0]);
    while (i < n &&
           (strcmp(name, native_sql_calls[i].name) || f->n_args != native_sql_calls[i].nargs))
        i++;
    if (i == n)
        return false;
    for (const char *p = native_sql_calls[i].form; *p; p++) {
        if (*p != '%') {
            sb_addc(&d->sb, *p);
            continue;
        }
        p++;
        if (!native_expr(d, f->args[*p - '0']))
            return false;
    }
    return true;
}

/* OVER w, OVER ([w] [PARTITION BY a] [ORDER BY b]): a window by its name as it is, or its
   definition; a frame (ROWS BETWEEN ...) is left to libpg_query. */
static bool native_over(struct native *d, const PgQuery__WindowDef *w)
{
    enum { FRAMEOPTION_NONDEFAULT = 1 }; /* PostgreSQL's nodes/parsenodes.h */
    sb_add(&d->sb, " OVER ");
    if (w->name && *w->name) {
        sb_add(&d->sb, w->name);
        return true;
    }
    if (w->frame_options & FRAMEOPTION_NONDEFAULT)
        return false;
    sb_addc(&d->sb, '(');
    if (w->refname && *w->refname) {
        if (!native_ident(&d->sb, w->refname))
            return false;
        sb_addc(&d->sb, ' ');
    }
    if ((w->n_partition_clause &&
         !native_clause(d, "PARTITION BY ", w->partition_clause, w->n_partition_clause, false)) ||
        (w->n_order_clause &&
         !native_clause(d, "ORDER BY ", w->order_clause, w->n_order_clause, true)))
        return false;
    native_untrail(&d->sb);
    sb_addc(&d->sb, ')');
    return true;
}

/* f(a, b), count(*), count(DISTINCT a), f(VARIADIC a), f(x := 1), string_agg(a, ',' ORDER BY
   a), count(*) FILTER (WHERE x), row_number() OVER (...). The deparser writes a named
   argument's name as it is, and spells out the calls in pg_catalog with a syntax of their own
   (pg_catalog.overlay(a, b, c, d) as OVERLAY(...)): calls named with pg_catalog are left to
   it, as is WITHIN GROUP. */
static bool native_call(struct native *d, const PgQuery__FuncCall *f)
{
    if (f->agg_within_group)
        return false;
    if (f->funcformat == PG_QUERY__COERCION_FORM__COERCE_SQL_SYNTAX)
        return !f->n_agg_order && !f->agg_filter && !f->over && native_sql_call(d, f);
    const char *first = f->n_funcname ? sqlx_string(f->funcname[0]) : NULL;
    if (!first || !strcmp(first, "pg_catalog") || (f->agg_star && f->n_args) ||
        f->funcformat != PG_QUERY__COERCION_FORM__COERCE_EXPLICIT_CALL ||
        !native_names(&d->sb, f->funcname, f->n_funcname))
        return false;
    sb_addc(&d->sb, '(');
    if (f->agg_distinct)
        sb_add(&d->sb, "DISTINCT ");
    if (f->agg_star)
        sb_addc(&d->sb, '*');
    for (size_t i = 0; i < f->n_args; i++) {
        const Node *a = f->args[i];
        if (i)
            sb_add(&d->sb, ", ");
        if (f->func_variadic && i == f->n_args - 1)
            sb_add(&d->sb, "VARIADIC ");
        if (a && a->node_case == PG_QUERY__NODE__NODE_NAMED_ARG_EXPR) {
            const char *name = a->named_arg_expr->name;
            if (!name || !*name)
                return false;
            sb_add(&d->sb, name);
            sb_add(&d->sb, " := ");
            a = a->named_arg_expr->arg;
        }
        if (!native_expr(d, a))
            return false;
    }
    /* a space, and the ORDER BY clause's own, both taken off */
    sb_addc(&d->sb, ' ');
    if (f->n_agg_order && !native_clause(d, "ORDER BY ", f->agg_order, f->n_agg_order, true))
        return false;
    native_untrail(&d->sb);
    sb_addc(&d->sb, ')');
    if (f->agg_filter) {
        sb_add(&d->sb, " FILTER (WHERE ");
        if (!native_expr(d, f->agg_filter))
            return false;
        sb_addc(&d->sb, ')');
    }
    return !f->over || native_over(d, f->over);
}

/* x::type, and CAST(x AS type) when x is an operator. The deparser puts a negative or
   fractional constant in parentheses, writes 't'::boolean and 'f'::boolean as true and false,
   and any other operand bare (`a IS NULL::int`). It writes `char 'x'` and `point '(1,2)'` in
   an order of their own: those are left to it. */
static bool native_cast(struct native *d, const PgQuery__TypeCast *c)
{
    const Node *arg = c->arg;
    const PgQuery__TypeName *tn = c->type_name;
    if (!arg || !tn || !tn->n_names)
        return false;
    if (arg->node_case == PG_QUERY__NODE__NODE_A_EXPR) {
        sb_add(&d->sb, "CAST(");
        if (!native_expr(d, arg))
            return false;
        sb_add(&d->sb, " AS ");
        if (!native_type(&d->sb, tn))
            return false;
        sb_addc(&d->sb, ')');
        return true;
    }
    bool parens = false;
    if (arg->node_case == PG_QUERY__NODE__NODE_A_CONST) {
        const PgQuery__AConst *k = arg->a_const;
        const char *first = sqlx_string(tn->names[0]);
        const char *builtin = tn->n_names == 2 && first && !strcmp(first, "pg_catalog")
                                  ? sqlx_string(tn->names[1])
                                  : NULL;
        const char *s = !k->isnull && k->val_case == PG_QUERY__A__CONST__VAL_SVAL && k->sval
                            ? k->sval->sval
                            : NULL;
        if (builtin && !strcmp(builtin, "bool") && s && (!strcmp(s, "t") || !strcmp(s, "f"))) {
            sb_add(&d->sb, *s == 't' ? "true" : "false");
            return true;
        }
        if ((builtin && !strcmp(builtin, "bpchar") && !tn->n_typmods) ||
            (tn->n_names == 1 && first && !strcmp(first, "point")))
            return false;
        parens = !k->isnull &&
                 ((k->val_case == PG_QUERY__A__CONST__VAL_IVAL && k->ival && k->ival->ival < 0) ||
                  k->val_case == PG_QUERY__A__CONST__VAL_FVAL);
    }
    if (!native_wrapped(d, arg, parens))
        return false;
    sb_add(&d->sb, "::");
    return native_type(&d->sb, tn);
}

/* One side of a binary operator: an operator, IS [NOT] NULL or boolean expression in
   parentheses, anything else bare. */
static bool native_operand(struct native *d, const Node *n)
{
    bool parens = n && (n->node_case == PG_QUERY__NODE__NODE_A_EXPR ||
                        n->node_case == PG_QUERY__NODE__NODE_BOOL_EXPR ||
                        n->node_case == PG_QUERY__NODE__NODE_NULL_TEST);
    return native_wrapped(d, n, parens);
}

/* The operator of `x op ANY (...)` and `x op ALL (...)`: the LIKE family by its words,
   another one named without a schema by its characters; NULL for OPERATOR(s.op). */
static const char *native_subquery_op(Node *const *name, size_t n)
{
    const char *op = n == 1 ? sqlx_string(name[0]) : NULL;
    if (!op || !*op)
        return NULL;
    if (!strcmp(op, "~~"))
        return "LIKE";
    if (!strcmp(op, "!~~"))
        return "NOT LIKE";
    if (!strcmp(op, "~~*"))
        return "ILIKE";
    if (!strcmp(op, "!~~*"))
        return "NOT ILIKE";
    return op[strspn(op, NATIVE_OP_CHARS)] ? NULL : op;
}

/* a [NOT] LIKE b, a [NOT] ILIKE b, a [NOT] IN (x, y): both sides bare. LIKE ... ESCAPE is a
   call of pg_catalog.like_escape, left to libpg_query. */
static bool native_like_in(struct native *d, const PgQuery__AExpr *e, const char *op)
{
    const char *word = NULL;
    switch (e->kind) {
    case PG_QUERY__A__EXPR__KIND__AEXPR_LIKE:
        word = !strcmp(op, "~~") ? " LIKE " : !strcmp(op, "!~~") ? " NOT LIKE " : NULL;
        break;
    case PG_QUERY__A__EXPR__KIND__AEXPR_ILIKE:
        word = !strcmp(op, "~~*") ? " ILIKE " : !strcmp(op, "!~~*") ? " NOT ILIKE " : NULL;
        break;
    case PG_QUERY__A__EXPR__KIND__AEXPR_IN:
        word = !strcmp(op, "=") ? " IN (" : !strcmp(op, "<>") ? " NOT IN (" : NULL;
        break;
    default:
        break;
    }
    if (!word || !native_expr(d, e->lexpr))
        return false;
    sb_add(&d->sb, word);
    if (e->kind != PG_QUERY__A__EXPR__KIND__AEXPR_IN)
        return native_expr(d, e->rexpr);
    if (e->rexpr->node_case != PG_QUERY__NODE__NODE_LIST || !e->rexpr->list->n_items ||
        !native_list(d, e->rexpr->list->items, e->rexpr->list->n_items))
        return false;
    sb_addc(&d->sb, ')');
    return true;
}

/* COALESCE(a, b, ...) */
static bool native_coalesce(struct native *d, const PgQuery__CoalesceExpr *c)
{
    if (!c->n_args)
        return false;
    sb_add(&d->sb, "COALESCE");
    return native_args(d, c->args, c->n_args);
}

/* a op b and op b with an operator named without a schema, a op ANY(b), a op ALL(b),
   a IS [NOT] DISTINCT FROM b, NULLIF(a, b), a [NOT] BETWEEN [SYMMETRIC] b AND c, and the LIKE
   and IN above. Only an operator and IS DISTINCT FROM put parentheses around their sides. */
static bool native_op(struct native *d, const PgQuery__AExpr *e)
{
    const char *name = e->n_name == 1 ? sqlx_string(e->name[0]) : NULL;
    if (!name || !*name || !e->rexpr)
        return false;
    switch (e->kind) {
    case PG_QUERY__A__EXPR__KIND__AEXPR_OP:
        if (name[strspn(name, NATIVE_OP_CHARS)])
            return false;
        if (e->lexpr) {
            if (!native_operand(d, e->lexpr))
                return false;
            sb_addc(&d->sb, ' ');
        }
        sb_add(&d->sb, name);
        sb_addc(&d->sb, ' ');
        return native_operand(d, e->rexpr);
    case PG_QUERY__A__EXPR__KIND__AEXPR_OP_ANY:
    case PG_QUERY__A__EXPR__KIND__AEXPR_OP_ALL: {
        const char *op = native_subquery_op(e->name, e->n_name);
        if (!op || !native_expr(d, e->lexpr))
            return false;
        sb_addc(&d->sb, ' ');
        sb_add(&d->sb, op);
        sb_add(&d->sb, e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_OP_ANY ? " ANY(" : " ALL(");
        if (!native_expr(d, e->rexpr))
            return false;
        sb_addc(&d->sb, ')');
        return true;
    }
    case PG_QUERY__A__EXPR__KIND__AEXPR_DISTINCT:
        if (strcmp(name, "=") || !native_operand(d, e->lexpr))
            return false;
        sb_add(&d->sb, " IS DISTINCT FROM ");
        return native_operand(d, e->rexpr);
    case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_DISTINCT:
        if (strcmp(name, "=") || !native_expr(d, e->lexpr))
            return false;
        sb_add(&d->sb, " IS NOT DISTINCT FROM ");
        return native_expr(d, e->rexpr);
    case PG_QUERY__A__EXPR__KIND__AEXPR_NULLIF:
        if (strcmp(name, "="))
            return false;
        sb_add(&d->sb, "NULLIF(");
        if (!native_expr(d, e->lexpr))
            return false;
        sb_add(&d->sb, ", ");
        if (!native_expr(d, e->rexpr))
            return false;
        sb_addc(&d->sb, ')');
        return true;
    case PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN:
    case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN:
    case PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN_SYM:
    case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN_SYM:
        /* the name is the words: "NOT BETWEEN SYMMETRIC" */
        if (e->rexpr->node_case != PG_QUERY__NODE__NODE_LIST || e->rexpr->list->n_items != 2 ||
            !native_expr(d, e->lexpr))
            return false;
        sb_addc(&d->sb, ' ');
        sb_add(&d->sb, name);
        sb_addc(&d->sb, ' ');
        if (!native_expr(d, e->rexpr->list->items[0]))
            return false;
        sb_add(&d->sb, " AND ");
        return native_expr(d, e->rexpr->list->items[1]);
    case PG_QUERY__A__EXPR__KIND__AEXPR_LIKE:
    case PG_QUERY__A__EXPR__KIND__AEXPR_ILIKE:
    case PG_QUERY__A__EXPR__KIND__AEXPR_IN:
        return native_like_in(d, e, name);
    default:
        return false;
    }
}

/* AND and OR put an AND or OR below them in parentheses, NOT below them not; NOT does too. */
static bool native_bool(struct native *d, const PgQuery__BoolExpr *b)
{
    const char *word = b->boolop == PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR  ? " AND "
                       : b->boolop == PG_QUERY__BOOL_EXPR_TYPE__OR_EXPR ? " OR "
                       : b->boolop == PG_QUERY__BOOL_EXPR_TYPE__NOT_EXPR ? "NOT "
                                                                         : NULL;
    if (!word || b->n_args == 0 ||
        (b->boolop == PG_QUERY__BOOL_EXPR_TYPE__NOT_EXPR && b->n_args != 1))
        return false;
    if (b->boolop == PG_QUERY__BOOL_EXPR_TYPE__NOT_EXPR)
        sb_add(&d->sb, word);
    for (size_t i = 0; i < b->n_args; i++) {
        const Node *a = b->args[i];
        if (i)
            sb_add(&d->sb, word);
        bool parens = a->node_case == PG_QUERY__NODE__NODE_BOOL_EXPR &&
                      a->bool_expr->boolop != PG_QUERY__BOOL_EXPR_TYPE__NOT_EXPR;
        if (!native_wrapped(d, a, parens))
            return false;
    }
    return true;
}

/* current_timestamp, current_time(3), ...: the ones that are SQLValueFunctions in every
   version (PostgreSQL 16 made current_user and its kin function calls). */
static bool native_value_function(struct strbuf *sb, const PgQuery__SQLValueFunction *f)
{
    const char *name;
    bool typmod = false;
    switch (f->op) {
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_DATE:
        name = "current_date";
        break;
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIME_N:
        typmod = true;
        /* fall through */
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIME:
        name = "current_time";
        break;
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIMESTAMP_N:
        typmod = true;
        /* fall through */
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIMESTAMP:
        name = "current_timestamp";
        break;
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIME_N:
        typmod = true;
        /* fall through */
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIME:
        name = "localtime";
        break;
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIMESTAMP_N:
        typmod = true;
        /* fall through */
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIMESTAMP:
        name = "localtimestamp";
        break;
    default:
        return false;
    }
    sb_add(sb, name);
    if (typmod)
        sb_printf(sb, "(%d)", f->typmod);
    return true;
}

/* x IS [NOT] NULL: the deparser puts no parentheses around x, whatever it is. */
static bool native_null_test(struct native *d, const PgQuery__NullTest *t)
{
    bool not_null = t->nulltesttype == PG_QUERY__NULL_TEST_TYPE__IS_NOT_NULL;
    if (!not_null && t->nulltesttype != PG_QUERY__NULL_TEST_TYPE__IS_NULL)
        return false;
    if (!native_expr(d, t->arg))
        return false;
    sb_add(&d->sb, not_null ? " IS NOT NULL" : " IS NULL");
    return true;
}

/* x IS [NOT] TRUE, FALSE, UNKNOWN: x bare, whatever it is (`a AND b IS TRUE` for
   (a AND b) IS TRUE), and no parentheses around the test as an operand either. */
static bool native_boolean_test(struct native *d, const PgQuery__BooleanTest *t)
{
    const char *word;
    switch (t->booltesttype) {
    case PG_QUERY__BOOL_TEST_TYPE__IS_TRUE:
        word = " IS TRUE";
        break;
    case PG_QUERY__BOOL_TEST_TYPE__IS_NOT_TRUE:
        word = " IS NOT TRUE";
        break;
    case PG_QUERY__BOOL_TEST_TYPE__IS_FALSE:
        word = " IS FALSE";
        break;
    case PG_QUERY__BOOL_TEST_TYPE__IS_NOT_FALSE:
        word = " IS NOT FALSE";
        break;
    case PG_QUERY__BOOL_TEST_TYPE__IS_UNKNOWN:
        word = " IS UNKNOWN";
        break;
    case PG_QUERY__BOOL_TEST_TYPE__IS_NOT_UNKNOWN:
        word = " IS NOT UNKNOWN";
        break;
    default:
        return false;
    }
    if (!native_expr(d, t->arg))
        return false;
    sb_add(&d->sb, word);
    return true;
}

/* CASE [x] WHEN a THEN b ... [ELSE c] END: the deparser writes every part as it would a whole
   expression, without parentheses, and the CASE itself needs none around it either. */
static bool native_case(struct native *d, const PgQuery__CaseExpr *c)
{
    if (!c->n_args)
        return false;
    sb_add(&d->sb, "CASE ");
    if (c->arg) {
        if (!native_expr(d, c->arg))
            return false;
        sb_addc(&d->sb, ' ');
    }
    for (size_t i = 0; i < c->n_args; i++) {
        const Node *a = c->args[i];
        if (a->node_case != PG_QUERY__NODE__NODE_CASE_WHEN)
            return false;
        sb_add(&d->sb, "WHEN ");
        if (!native_expr(d, a->case_when->expr))
            return false;
        sb_add(&d->sb, " THEN ");
        if (!native_expr(d, a->case_when->result))
            return false;
        sb_addc(&d->sb, ' ');
    }
    if (c->defresult) {
        sb_add(&d->sb, "ELSE ");
        if (!native_expr(d, c->defresult))
            return false;
        sb_addc(&d->sb, ' ');
    }
    sb_add(&d->sb, "END");
    return true;
}

/* GREATEST(a, b), LEAST(a, b) */
static bool native_min_max(struct native *d, const PgQuery__MinMaxExpr *m)
{
    const char *name = m->op == PG_QUERY__MIN_MAX_OP__IS_GREATEST ? "GREATEST"
                       : m->op == PG_QUERY__MIN_MAX_OP__IS_LEAST  ? "LEAST"
                                                                  : NULL;
    if (!name || !m->n_args)
        return false;
    sb_add(&d->sb, name);
    return native_args(d, m->args, m->n_args);
}

/* ROW(a, b), or (a, b) when the word was left out */
static bool native_row(struct native *d, const PgQuery__RowExpr *r)
{
    if (r->row_format == PG_QUERY__COERCION_FORM__COERCE_EXPLICIT_CALL)
        sb_add(&d->sb, "ROW");
    else if (r->row_format != PG_QUERY__COERCION_FORM__COERCE_IMPLICIT_CAST)
        return false;
    return native_args(d, r->args, r->n_args);
}

/* ARRAY[a, b] */
static bool native_array(struct native *d, const PgQuery__AArrayExpr *a)
{
    sb_add(&d->sb, "ARRAY[");
    if (!native_list(d, a->elements, a->n_elements))
        return false;
    sb_addc(&d->sb, ']');
    return true;
}

/* a[1], a[1:2], (f(x))[1], (a).b, (t).*: the value goes in parentheses when it is a call, an
   operator, a cast, a row or another subscript, or a column followed by a field. */
static bool native_indirection(struct native *d, const PgQuery__AIndirection *ind)
{
    const Node *arg = ind->arg;
    const Node *first = ind->n_indirection ? ind->indirection[0] : NULL;
    if (!arg || !first)
        return false;
    bool parens;
    switch (arg->node_case) {
    case PG_QUERY__NODE__NODE_A_INDIRECTION:
    case PG_QUERY__NODE__NODE_FUNC_CALL:
    case PG_QUERY__NODE__NODE_A_EXPR:
    case PG_QUERY__NODE__NODE_TYPE_CAST:
    case PG_QUERY__NODE__NODE_ROW_EXPR:
        parens = true;
        break;
    case PG_QUERY__NODE__NODE_COLUMN_REF:
        parens = first->node_case != PG_QUERY__NODE__NODE_A_INDICES;
        break;
    default:
        parens = false;
    }
    if (!native_wrapped(d, arg, parens))
        return false;
    for (size_t i = 0; i < ind->n_indirection; i++) {
        const Node *x = ind->indirection[i];
        switch (x ? x->node_case : PG_QUERY__NODE__NODE__NOT_SET) {
        case PG_QUERY__NODE__NODE_STRING:
            sb_addc(&d->sb, '.');
            if (!native_ident(&d->sb, sqlx_string(x)))
                return false;
            break;
        case PG_QUERY__NODE__NODE_A_STAR:
            sb_add(&d->sb, ".*");
            break;
        case PG_QUERY__NODE__NODE_A_INDICES: {
            const PgQuery__AIndices *k = x->a_indices;
            sb_addc(&d->sb, '[');
            if (k->lidx && !native_expr(d, k->lidx))
                return false;
            if (k->is_slice)
                sb_addc(&d->sb, ':');
            if (k->uidx && !native_expr(d, k->uidx))
                return false;
            sb_addc(&d->sb, ']');
            break;
        }
        default:
            return false;
        }
    }
    return true;
}

/* x COLLATE "C": an operator below in parentheses */
static bool native_collate(struct native *d, const PgQuery__CollateClause *c)
{
    if (!c->arg || !c->n_collname)
        return false;
    bool parens = c->arg->node_case == PG_QUERY__NODE__NODE_A_EXPR;
    if (!native_wrapped(d, c->arg, parens))
        return false;
    sb_add(&d->sb, " COLLATE ");
    return native_names(&d->sb, c->collname, c->n_collname);
}

/* EXISTS (SELECT ...), (SELECT ...), ARRAY(SELECT ...), x IN (SELECT ...), x op ANY (SELECT
   ...), x op ALL (SELECT ...): the tested value bare, whatever it is. */
static bool native_sublink(struct native *d, const PgQuery__SubLink *s)
{
    switch (s->sub_link_type) {
    case PG_QUERY__SUB_LINK_TYPE__EXISTS_SUBLINK:
        sb_add(&d->sb, "EXISTS (");
        break;
    case PG_QUERY__SUB_LINK_TYPE__EXPR_SUBLINK:
        sb_addc(&d->sb, '(');
        break;
    case PG_QUERY__SUB_LINK_TYPE__ARRAY_SUBLINK:
        sb_add(&d->sb, "ARRAY(");
        break;
    case PG_QUERY__SUB_LINK_TYPE__ANY_SUBLINK:
    case PG_QUERY__SUB_LINK_TYPE__ALL_SUBLINK: {
        bool any = s->sub_link_type == PG_QUERY__SUB_LINK_TYPE__ANY_SUBLINK;
        if (!native_expr(d, s->testexpr))
            return false;
        if (any && !s->n_oper_name) {
            sb_add(&d->sb, " IN (");
            break;
        }
        const char *op = native_subquery_op(s->oper_name, s->n_oper_name);
        if (!op)
            return false;
        sb_addc(&d->sb, ' ');
        sb_add(&d->sb, op);
        sb_add(&d->sb, any ? " ANY (" : " ALL (");
        break;
    }
    default:
        return false;
    }
    if (!native_select(d, s->subselect))
        return false;
    sb_addc(&d->sb, ')');
    return true;
}

/* ---------------------------------------------------------------- subqueries */

/* x [(a, b)]: the name a table or function is given in FROM */
static bool native_alias(struct strbuf *sb, const PgQuery__Alias *a)
{
    if (!native_ident(sb, a->aliasname))
        return false;
    if (!a->n_colnames)
        return true;
    sb_addc(sb, '(');
    for (size_t i = 0; i < a->n_colnames; i++) {
        if (i)
            sb_add(sb, ", ");
        if (!native_ident(sb, sqlx_string(a->colnames[i])))
            return false;
    }
    sb_addc(sb, ')');
    return true;
}

/* [ONLY] [catalog.][schema.]table [alias]: the deparser leaves out AS. */
static bool native_range_var(struct strbuf *sb, const PgQuery__RangeVar *r)
{
    if (!r->inh)
        sb_add(sb, "ONLY ");
    const char *qualifiers[] = {r->catalogname, r->schemaname};
    for (size_t i = 0; i < 2; i++) {
        if (!qualifiers[i] || !*qualifiers[i])
            continue;
        if (!native_ident(sb, qualifiers[i]))
            return false;
        sb_addc(sb, '.');
    }
    if (!native_ident(sb, r->relname))
        return false;
    if (!r->alias)
        return true;
    sb_addc(sb, ' ');
    return native_alias(sb, r->alias);
}

/* [LATERAL] f(x) [WITH ORDINALITY] [alias]; ROWS FROM (...) and column definitions are left
   to libpg_query. The parser gives the call with an empty list of column definitions. */
static bool native_range_function(struct native *d, const PgQuery__RangeFunction *r)
{
    if (r->is_rowsfrom || r->n_functions != 1 || r->n_coldeflist)
        return false;
    const Node *pair = r->functions[0];
    if (!pair || pair->node_case != PG_QUERY__NODE__NODE_LIST || pair->list->n_items != 2)
        return false;
    const Node *call = pair->list->items[0], *coldefs = pair->list->items[1];
    if (!call || call->node_case != PG_QUERY__NODE__NODE_FUNC_CALL ||
        (coldefs && coldefs->node_case != PG_QUERY__NODE__NODE__NOT_SET &&
         (coldefs->node_case != PG_QUERY__NODE__NODE_LIST || coldefs->list->n_items)))
        return false;
    if (r->lateral)
        sb_add(&d->sb, "LATERAL ");
    if (!native_expr(d, call))
        return false;
    if (r->ordinality)
        sb_add(&d->sb, " WITH ORDINALITY");
    if (!r->alias)
        return true;
    sb_addc(&d->sb, ' ');
    return native_alias(&d->sb, r->alias);
}

/* [LATERAL] (SELECT ...) [alias] */
static bool native_range_subselect(struct native *d, const PgQuery__RangeSubselect *r)
{
    if (r->lateral)
        sb_add(&d->sb, "LATERAL ");
    sb_addc(&d->sb, '(');
    if (!native_select(d, r->subquery))
        return false;
    sb_addc(&d->sb, ')');
    if (!r->alias)
        return true;
    sb_addc(&d->sb, ' ');
    return native_alias(&d->sb, r->alias);
}

static bool native_from(struct native *d, const Node *n);

/* a [NATURAL] [CROSS | LEFT | FULL | RIGHT] JOIN b [ON x | USING (c)]: a join on the right in
   parentheses. A join with an alias (of its own or of its USING) is left to libpg_query. */
static bool native_join(struct native *d, const PgQuery__JoinExpr *j)
{
    const char *kind;
    switch (j->jointype) {
    case PG_QUERY__JOIN_TYPE__JOIN_INNER:
        kind = j->is_natural || j->quals || j->n_using_clause ? "JOIN " : "CROSS JOIN ";
        break;
    case PG_QUERY__JOIN_TYPE__JOIN_LEFT:
        kind = "LEFT JOIN ";
        break;
    case PG_QUERY__JOIN_TYPE__JOIN_FULL:
        kind = "FULL JOIN ";
        break;
    case PG_QUERY__JOIN_TYPE__JOIN_RIGHT:
        kind = "RIGHT JOIN ";
        break;
    default:
        return false;
    }
    if (j->alias || j->join_using_alias || !j->rarg || !native_from(d, j->larg))
        return false;
    sb_addc(&d->sb, ' ');
    if (j->is_natural)
        sb_add(&d->sb, "NATURAL ");
    sb_add(&d->sb, kind);
    bool parens = j->rarg->node_case == PG_QUERY__NODE__NODE_JOIN_EXPR;
    if (parens)
        sb_addc(&d->sb, '(');
    if (!native_from(d, j->rarg))
        return false;
    if (parens)
        sb_addc(&d->sb, ')');
    if (j->quals) {
        sb_add(&d->sb, " ON ");
        if (!native_expr(d, j->quals))
            return false;
    }
    if (j->n_using_clause) {
        sb_add(&d->sb, " USING (");
        for (size_t i = 0; i < j->n_using_clause; i++) {
            if (i)
                sb_add(&d->sb, ", ");
            if (!native_ident(&d->sb, sqlx_string(j->using_clause[i])))
                return false;
        }
        sb_addc(&d->sb, ')');
    }
    return true;
}

/* One item of FROM: a table, a subquery, a function or a join. */
static bool native_from(struct native *d, const Node *n)
{
    /* counted as a level of nesting: joins and subqueries in FROM nest without expressions */
    if (!n || ++d->depth > NATIVE_MAX_DEPTH)
        return false;
    bool ok;
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_RANGE_VAR:
        ok = native_range_var(&d->sb, n->range_var);
        break;
    case PG_QUERY__NODE__NODE_RANGE_SUBSELECT:
        ok = native_range_subselect(d, n->range_subselect);
        break;
    case PG_QUERY__NODE__NODE_RANGE_FUNCTION:
        ok = native_range_function(d, n->range_function);
        break;
    case PG_QUERY__NODE__NODE_JOIN_EXPR:
        ok = native_join(d, n->join_expr);
        break;
    default:
        ok = false;
    }
    d->depth--;
    return ok;
}

/* x [ASC | DESC] [NULLS FIRST | NULLS LAST]; USING op is left to libpg_query. */
static bool native_sort(struct native *d, const Node *n)
{
    if (!n || n->node_case != PG_QUERY__NODE__NODE_SORT_BY || !native_expr(d, n->sort_by->node))
        return false;
    switch (n->sort_by->sortby_dir) {
    case PG_QUERY__SORT_BY_DIR__SORTBY_DEFAULT:
        break;
    case PG_QUERY__SORT_BY_DIR__SORTBY_ASC:
        sb_add(&d->sb, " ASC");
        break;
    case PG_QUERY__SORT_BY_DIR__SORTBY_DESC:
        sb_add(&d->sb, " DESC");
        break;
    default:
        return false;
    }
    switch (n->sort_by->sortby_nulls) {
    case PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_DEFAULT:
        return true;
    case PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_FIRST:
        sb_add(&d->sb, " NULLS FIRST");
        return true;
    case PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_LAST:
        sb_add(&d->sb, " NULLS LAST");
        return true;
    default:
        return false;
    }
}

/* Writes "KEYWORD a, b " for a clause that is a list of expressions (or of ORDER BY items). */
static bool native_clause(struct native *d, const char *keyword, Node *const *items, size_t n,
                          bool sort)
{
    sb_add(&d->sb, keyword);
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_add(&d->sb, ", ");
        if (!(sort ? native_sort(d, items[i]) : native_expr(d, items[i])))
            return false;
    }
    sb_addc(&d->sb, ' ');
    return true;
}

/*
 * SELECT [DISTINCT] targets [FROM ...] [WHERE ...] [GROUP BY ...] [HAVING ...] [ORDER BY ...]
 * [LIMIT n | ALL] [OFFSET n], the subquery of a SubLink or of FROM. The deparser ends each
 * clause with a space and takes the last one off; a target keeps its name with AS. WITH,
 * UNION and its kin, VALUES, INTO, WINDOW, DISTINCT ON, FETCH ... WITH TIES and FOR UPDATE
 * are left to libpg_query.
 */
static bool native_select(struct native *d, const Node *n)
{
    if (!n || n->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
        return false;
    const PgQuery__SelectStmt *s = n->select_stmt;
    if (s->op != PG_QUERY__SET_OPERATION__SETOP_NONE || s->larg || s->rarg || s->with_clause ||
        s->into_clause || s->n_values_lists || s->n_window_clause || s->n_locking_clause ||
        s->limit_option == PG_QUERY__LIMIT_OPTION__LIMIT_OPTION_WITH_TIES)
        return false;
    struct strbuf *sb = &d->sb;
    sb_add(sb, "SELECT ");
    if (s->n_distinct_clause) {
        /* plain DISTINCT is a list of one empty node; DISTINCT ON (a) lists expressions */
        const Node *on = s->distinct_clause[0];
        if (s->n_distinct_clause != 1 || !s->n_target_list ||
            (on && on->node_case != PG_QUERY__NODE__NODE__NOT_SET))
            return false;
        sb_add(sb, "DISTINCT ");
    }
    for (size_t i = 0; i < s->n_target_list; i++) {
        const Node *t = s->target_list[i];
        if (!t || t->node_case != PG_QUERY__NODE__NODE_RES_TARGET || t->res_target->n_indirection)
            return false;
        if (i)
            sb_add(sb, ", ");
        if (!native_expr(d, t->res_target->val))
            return false;
        const char *name = t->res_target->name;
        if (name && *name) {
            sb_add(sb, " AS ");
            if (!native_ident(sb, name))
                return false;
        }
    }
    if (s->n_target_list)
        sb_addc(sb, ' ');
    if (s->n_from_clause) {
        sb_add(sb, "FROM ");
        for (size_t i = 0; i < s->n_from_clause; i++) {
            if (i)
                sb_add(sb, ", ");
            if (!native_from(d, s->from_clause[i]))
                return false;
        }
        sb_addc(sb, ' ');
    }
    if (s->where_clause && !native_clause(d, "WHERE ", &s->where_clause, 1, false))
        return false;
    if (s->n_group_clause &&
        !native_clause(d, s->group_distinct ? "GROUP BY DISTINCT " : "GROUP BY ", s->group_clause,
                       s->n_group_clause, false))
        return false;
    if (s->having_clause && !native_clause(d, "HAVING ", &s->having_clause, 1, false))
        return false;
    if (s->n_sort_clause && !native_clause(d, "ORDER BY ", s->sort_clause, s->n_sort_clause, true))
        return false;
    if (s->limit_count) {
        const Node *c = s->limit_count;
        if (s->limit_option != PG_QUERY__LIMIT_OPTION__LIMIT_OPTION_COUNT)
            return false;
        if (c->node_case == PG_QUERY__NODE__NODE_A_CONST && c->a_const->isnull)
            sb_add(sb, "LIMIT ALL ");
        else if (!native_clause(d, "LIMIT ", &s->limit_count, 1, false))
            return false;
    }
    if (s->limit_offset && !native_clause(d, "OFFSET ", &s->limit_offset, 1, false))
        return false;
    native_untrail(sb);
    return true;
}

/* ---------------------------------------------------------------- any expression */

static bool native_expr(struct native *d, const Node *n)
{
    if (!n || ++d->depth > NATIVE_MAX_DEPTH)
        return false;
    bool ok;
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_A_CONST:
        ok = native_const(&d->sb, n->a_const);
        break;
    case PG_QUERY__NODE__NODE_COLUMN_REF:
        ok = native_column_ref(&d->sb, n->column_ref);
        break;
    case PG_QUERY__NODE__NODE_PARAM_REF:
        if (n->param_ref->number)
            sb_printf(&d->sb, "$%d", n->param_ref->number);
        else
            sb_addc(&d->sb, '?');
        ok = true;
        break;
    case PG_QUERY__NODE__NODE_FUNC_CALL:
        ok = native_call(d, n->func_call);
        break;
    case PG_QUERY__NODE__NODE_TYPE_CAST:
        ok = native_cast(d, n->type_cast);
        break;
    case PG_QUERY__NODE__NODE_A_EXPR:
        ok = native_op(d, n->a_expr);
        break;
    case PG_QUERY__NODE__NODE_BOOL_EXPR:
        ok = native_bool(d, n->bool_expr);
        break;
    case PG_QUERY__NODE__NODE_NULL_TEST:
        ok = native_null_test(d, n->null_test);
        break;
    case PG_QUERY__NODE__NODE_BOOLEAN_TEST:
        ok = native_boolean_test(d, n->boolean_test);
        break;
    case PG_QUERY__NODE__NODE_SQLVALUE_FUNCTION:
        ok = native_value_function(&d->sb, n->sqlvalue_function);
        break;
    case PG_QUERY__NODE__NODE_COALESCE_EXPR:
        ok = native_coalesce(d, n->coalesce_expr);
        break;
    case PG_QUERY__NODE__NODE_MIN_MAX_EXPR:
        ok = native_min_max(d, n->min_max_expr);
        break;
    case PG_QUERY__NODE__NODE_CASE_EXPR:
        ok = native_case(d, n->case_expr);
        break;
    case PG_QUERY__NODE__NODE_ROW_EXPR:
        ok = native_row(d, n->row_expr);
        break;
    case PG_QUERY__NODE__NODE_A_ARRAY_EXPR:
        ok = native_array(d, n->a_array_expr);
        break;
    case PG_QUERY__NODE__NODE_A_INDIRECTION:
        ok = native_indirection(d, n->a_indirection);
        break;
    case PG_QUERY__NODE__NODE_COLLATE_CLAUSE:
        ok = native_collate(d, n->collate_clause);
        break;
    case PG_QUERY__NODE__NODE_SUB_LINK:
        ok = native_sublink(d, n->sub_link);
        break;
    default:
        ok = false;
    }
    d->depth--;
    return ok;
}

const char *sqlx_deparse_native(struct sqlx *x, const Node *node)
{
    struct native d = {.depth = 0};
    sb_init(&d.sb, x->scratch);
    return native_expr(&d, node) ? arena_strndup(x->a, d.sb.s, d.sb.len) : NULL;
}

const char *sqlx_deparse_expr(struct sqlx *x, const Node *node)
{
    if (!node)
        return NULL;
    /* One column of UPDATE ... SET (a, b) = (SELECT ...): no expression of its own, which
       libpg_query's deparser refuses. */
    if (node->node_case == PG_QUERY__NODE__NODE_MULTI_ASSIGN_REF)
        return "?";
    const char *c = sqlx_deparse_native(x, node);
    return c ? c : sqlx_deparse_expr_pg(x, node);
}

/*
 * The deparser takes whole statements, so the expression goes in as `SELECT expr`. The node's
 * own packed bytes (kept by the decoder) are framed by hand rather than packed again with
 * protobuf-c, whose packer walks every field of every Node: it cost more than the deparse.
 * Field numbers are those of pg_query.proto (a oneof's case value is its field number).
 */
const char *sqlx_deparse_expr_pg(struct sqlx *x, const Node *node)
{
    enum {
        RT_VAL = 3,
        SEL_TARGET_LIST = 3,
        SEL_LIMIT_OPTION = 14,
        SEL_OP = 17,
        RAW_STMT = 1,
        PR_VERSION = 1,
        PR_STMTS = 2
    };
    size_t elen;
    unsigned height;
    const uint8_t *expr = sqlx_node_bytes(node, &elen, &height);
    if (!expr && height <= DEPARSE_MAX_HEIGHT) {
        /* Decoded from the JSON form: packed here, the expression alone. */
        expr = sqlx_pack(x->scratch, &node->base, &elen);
    }
    /* libpg_query unpacks and deparses recursively, with a large stack frame per level; an
       expression nested thousands of levels deep (which its own parser accepts) would overflow
       the stack. No migration nests this deep: such an expression just has no canonical text. */
    if (height > DEPARSE_MAX_HEIGHT)
        return "?";
    size_t rt = len_field_size(RT_VAL, elen);
    size_t rt_node = len_field_size(PG_QUERY__NODE__NODE_RES_TARGET, rt);
    size_t sel =
        len_field_size(SEL_TARGET_LIST, rt_node) + sqlx_varint_size(SEL_LIMIT_OPTION << 3) +
        sqlx_varint_size(PG_QUERY__LIMIT_OPTION__LIMIT_OPTION_DEFAULT) +
        sqlx_varint_size(SEL_OP << 3) + sqlx_varint_size(PG_QUERY__SET_OPERATION__SETOP_NONE);
    size_t sel_node = len_field_size(PG_QUERY__NODE__NODE_SELECT_STMT, sel);
    size_t raw = len_field_size(RAW_STMT, sel_node);
    size_t total = sqlx_varint_size(PR_VERSION << 3) + sqlx_varint_size(PG_VERSION_NUM) +
                   len_field_size(PR_STMTS, raw);

    uint8_t *buf = arena_alloc(x->scratch, total);
    uint8_t *p = put_varint_field(buf, PR_VERSION, PG_VERSION_NUM);
    p = put_len_key(p, PR_STMTS, raw);
    p = put_len_key(p, RAW_STMT, sel_node);
    p = put_len_key(p, PG_QUERY__NODE__NODE_SELECT_STMT, sel);
    p = put_len_key(p, SEL_TARGET_LIST, rt_node);
    p = put_len_key(p, PG_QUERY__NODE__NODE_RES_TARGET, rt);
    p = put_len_key(p, RT_VAL, elen);
    memcpy(p, expr, elen);
    p += elen;
    p = put_varint_field(p, SEL_LIMIT_OPTION, PG_QUERY__LIMIT_OPTION__LIMIT_OPTION_DEFAULT);
    p = put_varint_field(p, SEL_OP, PG_QUERY__SET_OPERATION__SETOP_NONE);
    assert((size_t)(p - buf) == total);

    PgQueryProtobuf pb = {total, (char *)buf};
    PgQueryDeparseResult d = pg_query_deparse_protobuf(pb);
    const char *out = NULL;
    if (!d.error && d.query) {
        const char *q = d.query;
        if (!strncmp(q, "SELECT ", 7))
            q += 7;
        out = arena_strdup(x->a, q);
    }
    pg_query_free_deparse_result(d);
    return out ? out : "?";
}

/* ---------------------------------------------------------------- summaries */

struct expr_walk {
    struct sqlx *x;
    VEC(const char *) funcs;
    VEC(const char *) cols;
    bool sublink, sqlvalue;
};

static void add_unique(struct arena *a, void *vec, const char *s)
{
    VEC(const char *) *v = vec;
    for (size_t i = 0; i < v->n; i++)
        if (!strcmp(v->v[i], s))
            return;
    *VEC_PUSH(a, v) = s;
}

static bool expr_visit(const ProtobufCMessage *m, void *ctx)
{
    struct expr_walk *w = ctx;
    if (m->descriptor == &pg_query__func_call__descriptor) {
        const PgQuery__FuncCall *f = (const PgQuery__FuncCall *)m;
        const char *name = sqlx_last_name(f->funcname, f->n_funcname);
        if (name)
            add_unique(w->x->a, &w->funcs, arena_strdup(w->x->a, name));
    } else if (m->descriptor == &pg_query__column_ref__descriptor) {
        const PgQuery__ColumnRef *c = (const PgQuery__ColumnRef *)m;
        const char *name = sqlx_last_name(c->fields, c->n_fields);
        if (name)
            add_unique(w->x->a, &w->cols, arena_strdup(w->x->a, name));
    } else if (m->descriptor == &pg_query__sub_link__descriptor) {
        w->sublink = true;
    } else if (m->descriptor == &pg_query__sqlvalue_function__descriptor) {
        w->sqlvalue = true;
    }
    return true;
}

static const char *column_of(const Node *n)
{
    if (n && n->node_case == PG_QUERY__NODE__NODE_COLUMN_REF && n->column_ref &&
        n->column_ref->n_fields >= 1)
        return sqlx_last_name(n->column_ref->fields, n->column_ref->n_fields);
    return NULL;
}

/* Finds `col IS [NOT] NULL` at the top level or inside AND. */
static const char *null_test(const Node *n, bool want_not)
{
    if (!n)
        return NULL;
    if (n->node_case == PG_QUERY__NODE__NODE_NULL_TEST && n->null_test) {
        bool is_not = n->null_test->nulltesttype == PG_QUERY__NULL_TEST_TYPE__IS_NOT_NULL;
        if (is_not == want_not)
            return column_of(n->null_test->arg);
        return NULL;
    }
    if (n->node_case == PG_QUERY__NODE__NODE_BOOL_EXPR && n->bool_expr &&
        n->bool_expr->boolop == PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR) {
        for (size_t i = 0; i < n->bool_expr->n_args; i++) {
            const char *c = null_test(n->bool_expr->args[i], want_not);
            if (c)
                return c;
        }
    }
    return NULL;
}

static const char *const_text(struct sqlx *x, const PgQuery__AConst *c)
{
    switch (c->val_case) {
    case PG_QUERY__A__CONST__VAL_SVAL:
        return c->sval ? arena_strdup(x->a, c->sval->sval) : "";
    case PG_QUERY__A__CONST__VAL_IVAL:
        return arena_printf(x->a, "%d", c->ival ? c->ival->ival : 0);
    case PG_QUERY__A__CONST__VAL_FVAL:
        return c->fval ? arena_strdup(x->a, c->fval->fval) : "0";
    case PG_QUERY__A__CONST__VAL_BOOLVAL:
        return c->boolval && c->boolval->boolval ? "true" : "false";
    case PG_QUERY__A__CONST__VAL_BSVAL:
        return c->bsval ? arena_strdup(x->a, c->bsval->bsval) : "";
    default:
        return NULL;
    }
}

struct rs_expr *sqlx_expr(struct sqlx *x, const Node *node)
{
    if (!node)
        return NULL;
    struct rs_expr *e = arena_alloc(x->a, sizeof(*e));
    e->kind = RS_EXPR_OTHER;
    e->location = -1;
    struct expr_walk w = {.x = x};
    sqlx_walk(&node->base, expr_visit, &w);
    e->funcs = w.funcs.v;
    e->nfuncs = w.funcs.n;
    e->columns = w.cols.v;
    e->ncolumns = w.cols.n;
    e->has_sublink = w.sublink;
    e->has_sql_value_fn = w.sqlvalue;

    const Node *inner = node;
    bool cast = false;
    while (inner && inner->node_case == PG_QUERY__NODE__NODE_TYPE_CAST && inner->type_cast) {
        if (e->location < 0)
            e->location = sqlx_loc(x, inner->type_cast->location);
        inner = inner->type_cast->arg;
        cast = true;
    }
    if (inner && inner->node_case == PG_QUERY__NODE__NODE_A_CONST && inner->a_const) {
        if (inner->a_const->isnull) {
            e->kind = RS_EXPR_NULL;
        } else {
            e->kind = RS_EXPR_CONST;
            e->const_text = const_text(x, inner->a_const);
        }
        if (e->location < 0)
            e->location = sqlx_loc(x, inner->a_const->location);
    } else if (column_of(inner)) {
        e->column = arena_strdup(x->a, column_of(inner));
        if (cast)
            e->cast_of_column = true;
        else
            e->kind = RS_EXPR_COLUMN;
        if (e->location < 0)
            e->location = sqlx_loc(x, inner->column_ref->location);
    }
    const char *nn = null_test(node, true);
    if (nn)
        e->not_null_column = arena_strdup(x->a, nn);
    const char *in = null_test(node, false);
    if (in)
        e->is_null_column = arena_strdup(x->a, in);
    e->text = sqlx_deparse_expr(x, node);
    return e;
}
