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
 * The common shapes of expression, written here exactly as libpg_query's deparser writes them:
 * a trip through it costs tens of microseconds each (it unpacks the expression with protobuf-c,
 * which visits every one of a Node's 250 fields), and defaults, checks and index keys are
 * mostly constants, column references, calls, casts, comparisons and IS NULL tests. Anything
 * else anywhere in the expression, and any name that may be a key word, sends the whole
 * expression to libpg_query. The unit tests compare the two on every expression of the test
 * cases and corpora, the unpack fuzz target on every expression it sees.
 */
struct native {
    struct strbuf sb;
    int depth;
};

/* Deepest expression written here; deeper ones go to libpg_query (which has its own limit). */
#define NATIVE_MAX_DEPTH 64

static bool native_expr(struct native *d, const Node *n);

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

/* A name as PostgreSQL's quote_ident() writes it. A key word of some version is left to
   libpg_query, which knows those of its own. */
static bool native_ident(struct strbuf *sb, const char *s)
{
    if (!s || !*s)
        return false;
    if (sql_ident_is_plain(s)) {
        sb_add(sb, s);
        return true;
    }
    if (sql_is_quoted_word(s))
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
    {"int4", "int", false},       {"int8", "bigint", false},
    {"int2", "smallint", false},  {"bool", "boolean", false},
    {"float4", "real", false},    {"float8", "double precision", false},
    {"varchar", "varchar", true}, {"numeric", "numeric", true},
    {"timestamp", "timestamp", false},
    {"timestamptz", "timestamp with time zone", false},
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

/* "(a, b)": the arguments of a call or of COALESCE. */
static bool native_args(struct native *d, Node *const *args, size_t n)
{
    sb_addc(&d->sb, '(');
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_add(&d->sb, ", ");
        if (!native_expr(d, args[i]))
            return false;
    }
    sb_addc(&d->sb, ')');
    return true;
}

/* f(a, b): a plain call of a function that has no SQL syntax of its own (those are in
   pg_catalog: extract, trim, overlay, ...). */
static bool native_call(struct native *d, const PgQuery__FuncCall *f)
{
    const char *first = f->n_funcname ? sqlx_string(f->funcname[0]) : NULL;
    if (!first || !strcmp(first, "pg_catalog") || f->n_agg_order || f->agg_filter || f->over ||
        f->agg_within_group || f->agg_star || f->agg_distinct || f->func_variadic ||
        f->funcformat != PG_QUERY__COERCION_FORM__COERCE_EXPLICIT_CALL)
        return false;
    return native_names(&d->sb, f->funcname, f->n_funcname) && native_args(d, f->args, f->n_args);
}

/* x::type. The deparser puts a negative or fractional constant in parentheses, and writes
   other kinds of operand in ways of its own (CAST(a + b AS t)), left to it. */
static bool native_cast(struct native *d, const PgQuery__TypeCast *c)
{
    const Node *arg = c->arg;
    if (!arg)
        return false;
    switch (arg->node_case) {
    case PG_QUERY__NODE__NODE_A_CONST: {
        const PgQuery__AConst *k = arg->a_const;
        bool parens = !k->isnull && ((k->val_case == PG_QUERY__A__CONST__VAL_IVAL && k->ival &&
                                      k->ival->ival < 0) ||
                                     k->val_case == PG_QUERY__A__CONST__VAL_FVAL);
        if (parens)
            sb_addc(&d->sb, '(');
        if (!native_const(&d->sb, k))
            return false;
        if (parens)
            sb_addc(&d->sb, ')');
        break;
    }
    case PG_QUERY__NODE__NODE_COLUMN_REF:
    case PG_QUERY__NODE__NODE_FUNC_CALL:
    case PG_QUERY__NODE__NODE_TYPE_CAST:
    case PG_QUERY__NODE__NODE_SQLVALUE_FUNCTION:
    case PG_QUERY__NODE__NODE_CASE_EXPR:
        if (!native_expr(d, arg))
            return false;
        break;
    default:
        return false;
    }
    sb_add(&d->sb, "::");
    return native_type(&d->sb, c->type_name);
}

/* An operand of LIKE or IN, or an element of an IN list, that needs no parentheses whatever
   surrounds it; anything else is left to libpg_query. */
static bool native_simple(struct native *d, const Node *n)
{
    switch (n ? n->node_case : PG_QUERY__NODE__NODE__NOT_SET) {
    case PG_QUERY__NODE__NODE_COLUMN_REF:
    case PG_QUERY__NODE__NODE_A_CONST:
    case PG_QUERY__NODE__NODE_FUNC_CALL:
    case PG_QUERY__NODE__NODE_TYPE_CAST:
    case PG_QUERY__NODE__NODE_SQLVALUE_FUNCTION:
    case PG_QUERY__NODE__NODE_COALESCE_EXPR:
        return native_expr(d, n);
    default:
        return false;
    }
}

/* One side of a binary operator: an operator, test or boolean expression in parentheses. */
static bool native_operand(struct native *d, const Node *n)
{
    switch (n ? n->node_case : PG_QUERY__NODE__NODE__NOT_SET) {
    case PG_QUERY__NODE__NODE_A_EXPR:
    case PG_QUERY__NODE__NODE_BOOL_EXPR:
    case PG_QUERY__NODE__NODE_NULL_TEST:
        sb_addc(&d->sb, '(');
        if (!native_expr(d, n))
            return false;
        sb_addc(&d->sb, ')');
        return true;
    case PG_QUERY__NODE__NODE_CASE_EXPR:
        return native_expr(d, n);
    default:
        return native_simple(d, n);
    }
}

/* a [NOT] LIKE b, a [NOT] ILIKE b, a [NOT] IN (x, y): CHECK constraints of allowed values.
   LIKE ... ESCAPE is a call of pg_catalog.like_escape, left to libpg_query. */
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
    if (!word || !native_simple(d, e->lexpr))
        return false;
    sb_add(&d->sb, word);
    if (e->kind != PG_QUERY__A__EXPR__KIND__AEXPR_IN)
        return native_simple(d, e->rexpr);
    if (e->rexpr->node_case != PG_QUERY__NODE__NODE_LIST || !e->rexpr->list->n_items)
        return false; /* IN (SELECT ...) */
    for (size_t i = 0; i < e->rexpr->list->n_items; i++) {
        if (i)
            sb_add(&d->sb, ", ");
        if (!native_simple(d, e->rexpr->list->items[i]))
            return false;
    }
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

/* a op b, with an operator named without a schema */
static bool native_op(struct native *d, const PgQuery__AExpr *e)
{
    const char *op = e->n_name == 1 ? sqlx_string(e->name[0]) : NULL;
    if (op && e->lexpr && e->rexpr && e->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP)
        return native_like_in(d, e, op);
    if (e->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP || !op || !e->lexpr || !e->rexpr)
        return false;
    if (!native_operand(d, e->lexpr))
        return false;
    sb_addc(&d->sb, ' ');
    sb_add(&d->sb, op);
    sb_addc(&d->sb, ' ');
    return native_operand(d, e->rexpr);
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
        if (parens)
            sb_addc(&d->sb, '(');
        if (!native_expr(d, a))
            return false;
        if (parens)
            sb_addc(&d->sb, ')');
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
    case PG_QUERY__NODE__NODE_SQLVALUE_FUNCTION:
        ok = native_value_function(&d->sb, n->sqlvalue_function);
        break;
    case PG_QUERY__NODE__NODE_COALESCE_EXPR:
        ok = native_coalesce(d, n->coalesce_expr);
        break;
    case PG_QUERY__NODE__NODE_CASE_EXPR:
        ok = native_case(d, n->case_expr);
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
