/*
 * query.c - SELECT statements into rollsafe's query summary (struct rs_query).
 *
 * A query level keeps what name resolution needs and nothing more: the relations in FROM (joins
 * flattened), the column references made at that level, the output targets, CTEs, set-operation
 * operands, and subqueries in expressions as children. Resolving the names against a schema is
 * the schema model's job (lib/catalog/resolve.c); this file only reads the tree.
 */
#include <string.h>

#include "internal.h"

struct qbuild {
    struct sqlx *x;
    struct rs_query *q;
    VEC(struct rs_from_item) from;
    VEC(struct rs_colref) refs;
    VEC(struct rs_target) targets;
    VEC(struct rs_query *) children;
    VEC(struct rs_cte) ctes;
    VEC(struct rs_colref) cmp_refs;
    VEC(const char *) cmp_values;
};

static void colref_from(struct sqlx *x, const PgQuery__ColumnRef *c, struct rs_colref *out)
{
    memset(out, 0, sizeof(*out));
    out->location = sqlx_loc(x, c->location);
    size_t n = c->n_fields;
    if (n == 0)
        return;
    const Node *last = c->fields[n - 1];
    if (last->node_case == PG_QUERY__NODE__NODE_A_STAR)
        out->column = NULL;
    else
        out->column = arena_strdup(x->a, sqlx_string(last));
    if (n >= 2)
        out->qualifier = arena_strdup(x->a, sqlx_string(c->fields[n - 2]));
    if (n >= 3)
        out->schema = arena_strdup(x->a, sqlx_string(c->fields[n - 3]));
}

static const char *string_literal(const Node *n)
{
    while (n && n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST && n->type_cast)
        n = n->type_cast->arg;
    if (n && n->node_case == PG_QUERY__NODE__NODE_A_CONST && n->a_const &&
        n->a_const->val_case == PG_QUERY__A__CONST__VAL_SVAL && n->a_const->sval)
        return n->a_const->sval->sval;
    return NULL;
}

static const PgQuery__ColumnRef *as_colref(const Node *n)
{
    while (n && n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST && n->type_cast)
        n = n->type_cast->arg;
    if (n && n->node_case == PG_QUERY__NODE__NODE_COLUMN_REF)
        return n->column_ref;
    return NULL;
}

static void add_cmp(struct qbuild *b, const PgQuery__ColumnRef *c, const char *lit)
{
    colref_from(b->x, c, VEC_PUSH(b->x->a, &b->cmp_refs));
    *VEC_PUSH(b->x->a, &b->cmp_values) = arena_strdup(b->x->a, lit);
}

/* col = 'x', 'x' = col, col <> 'x', col IN ('x', 'y') */
static void note_comparison(struct qbuild *b, const PgQuery__AExpr *e)
{
    if (e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_OP) {
        const PgQuery__ColumnRef *c = as_colref(e->lexpr);
        const char *lit = string_literal(e->rexpr);
        if (!c) {
            c = as_colref(e->rexpr);
            lit = string_literal(e->lexpr);
        }
        if (c && lit)
            add_cmp(b, c, lit);
    } else if (e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_IN) {
        const PgQuery__ColumnRef *c = as_colref(e->lexpr);
        if (c && e->rexpr && e->rexpr->node_case == PG_QUERY__NODE__NODE_LIST && e->rexpr->list) {
            for (size_t i = 0; i < e->rexpr->list->n_items; i++) {
                const char *lit = string_literal(e->rexpr->list->items[i]);
                if (lit)
                    add_cmp(b, c, lit);
            }
        }
    }
}

static bool refs_visit(const ProtobufCMessage *m, void *ctx)
{
    struct qbuild *b = ctx;
    const ProtobufCMessageDescriptor *d = m->descriptor;
    if (d == &pg_query__column_ref__descriptor) {
        colref_from(b->x, (const PgQuery__ColumnRef *)m, VEC_PUSH(b->x->a, &b->refs));
        return false;
    }
    if (d == &pg_query__sub_link__descriptor) {
        const PgQuery__SubLink *s = (const PgQuery__SubLink *)m;
        if (s->testexpr)
            sqlx_walk(&s->testexpr->base, refs_visit, b);
        if (s->subselect)
            *VEC_PUSH(b->x->a, &b->children) = sqlx_query(b->x, s->subselect);
        return false;
    }
    if (d == &pg_query__select_stmt__descriptor) {
        /* A nested SELECT reached without a SubLink (e.g. inside a function argument list). */
        Node n = PG_QUERY__NODE__INIT;
        n.node_case = PG_QUERY__NODE__NODE_SELECT_STMT;
        n.select_stmt = (PgQuery__SelectStmt *)m;
        *VEC_PUSH(b->x->a, &b->children) = sqlx_query(b->x, &n);
        return false;
    }
    if (d == &pg_query__a__expr__descriptor)
        note_comparison(b, (const PgQuery__AExpr *)m);
    return true;
}

static void add_refs(struct qbuild *b, const Node *n)
{
    if (n)
        sqlx_walk(&n->base, refs_visit, b);
}

static void add_alias(struct sqlx *x, const PgQuery__Alias *al, struct rs_from_item *it)
{
    if (!al)
        return;
    it->alias = arena_strdup(x->a, al->aliasname);
    if (al->n_colnames) {
        it->alias_columns = arena_alloc(x->a, al->n_colnames * sizeof(char *));
        for (size_t i = 0; i < al->n_colnames; i++)
            it->alias_columns[i] = arena_strdup(x->a, sqlx_string(al->colnames[i]));
        it->nalias_columns = al->n_colnames;
    }
}

static void add_from(struct qbuild *b, const Node *n)
{
    struct sqlx *x = b->x;
    if (!n)
        return;
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_RANGE_VAR: {
        const PgQuery__RangeVar *rv = n->range_var;
        struct rs_from_item *it = VEC_PUSH(x->a, &b->from);
        it->rel.schema = rv->schemaname && *rv->schemaname ? arena_strdup(x->a, rv->schemaname)
                                                          : NULL;
        it->rel.name = arena_strdup(x->a, rv->relname);
        it->location = sqlx_loc(x, rv->location);
        add_alias(x, rv->alias, it);
        break;
    }
    case PG_QUERY__NODE__NODE_RANGE_SUBSELECT: {
        const PgQuery__RangeSubselect *rs = n->range_subselect;
        struct rs_from_item *it = VEC_PUSH(x->a, &b->from);
        it->subquery = sqlx_query(x, rs->subquery);
        it->lateral = rs->lateral;
        it->location = -1;
        add_alias(x, rs->alias, it);
        break;
    }
    case PG_QUERY__NODE__NODE_RANGE_FUNCTION: {
        const PgQuery__RangeFunction *rf = n->range_function;
        struct rs_from_item *it = VEC_PUSH(x->a, &b->from);
        it->is_function = true;
        it->lateral = rf->lateral;
        it->location = -1;
        add_alias(x, rf->alias, it);
        for (size_t i = 0; i < rf->n_functions; i++)
            add_refs(b, rf->functions[i]);
        break;
    }
    case PG_QUERY__NODE__NODE_JOIN_EXPR: {
        const PgQuery__JoinExpr *j = n->join_expr;
        add_from(b, j->larg);
        add_from(b, j->rarg);
        add_refs(b, j->quals);
        for (size_t i = 0; i < j->n_using_clause; i++) {
            struct rs_colref *r = VEC_PUSH(x->a, &b->refs);
            r->column = arena_strdup(x->a, sqlx_string(j->using_clause[i]));
            r->location = -1;
        }
        break;
    }
    default:
        add_refs(b, n);
        break;
    }
}

static const char *target_name(struct sqlx *x, const PgQuery__ResTarget *rt)
{
    if (rt->name && *rt->name)
        return arena_strdup(x->a, rt->name);
    const Node *v = rt->val;
    while (v && v->node_case == PG_QUERY__NODE__NODE_TYPE_CAST && v->type_cast) {
        const PgQuery__TypeName *tn = v->type_cast->type_name;
        /* PostgreSQL names `x::int` after x when x is a column, else after the type. */
        if (v->type_cast->arg && v->type_cast->arg->node_case == PG_QUERY__NODE__NODE_COLUMN_REF)
            v = v->type_cast->arg;
        else
            return tn ? arena_strdup(x->a, sqlx_last_name(tn->names, tn->n_names)) : "?column?";
    }
    if (v && v->node_case == PG_QUERY__NODE__NODE_COLUMN_REF)
        return arena_strdup(x->a, sqlx_last_name(v->column_ref->fields, v->column_ref->n_fields));
    if (v && v->node_case == PG_QUERY__NODE__NODE_FUNC_CALL)
        return arena_strdup(x->a, sqlx_last_name(v->func_call->funcname, v->func_call->n_funcname));
    return "?column?";
}

static void add_target(struct qbuild *b, const PgQuery__ResTarget *rt)
{
    struct sqlx *x = b->x;
    struct rs_target *t = VEC_PUSH(x->a, &b->targets);
    t->location = sqlx_loc(x, rt->location);
    const Node *v = rt->val;
    if (v && v->node_case == PG_QUERY__NODE__NODE_COLUMN_REF) {
        colref_from(x, v->column_ref, &t->ref);
        t->is_plain_ref = true;
        t->star = t->ref.column == NULL;
    }
    t->name = t->star ? NULL : target_name(x, rt);
    add_refs(b, v);
}

static void add_ctes(struct qbuild *b, const PgQuery__WithClause *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n_ctes; i++) {
        const Node *n = w->ctes[i];
        if (n->node_case != PG_QUERY__NODE__NODE_COMMON_TABLE_EXPR)
            continue;
        const PgQuery__CommonTableExpr *c = n->common_table_expr;
        struct rs_cte *cte = VEC_PUSH(b->x->a, &b->ctes);
        cte->name = arena_strdup(b->x->a, c->ctename);
        if (c->ctequery && c->ctequery->node_case == PG_QUERY__NODE__NODE_SELECT_STMT)
            cte->query = sqlx_query(b->x, c->ctequery);
        else if (c->ctequery)
            add_refs(b, c->ctequery);
        if (c->n_aliascolnames) {
            cte->columns = arena_alloc(b->x->a, c->n_aliascolnames * sizeof(char *));
            for (size_t k = 0; k < c->n_aliascolnames; k++)
                cte->columns[k] = arena_strdup(b->x->a, sqlx_string(c->aliascolnames[k]));
            cte->ncolumns = c->n_aliascolnames;
        }
    }
}

static void finish(struct qbuild *b)
{
    struct rs_query *q = b->q;
    q->from = b->from.v;
    q->nfrom = b->from.n;
    q->refs = b->refs.v;
    q->nrefs = b->refs.n;
    q->targets = b->targets.v;
    q->ntargets = b->targets.n;
    q->children = b->children.v;
    q->nchildren = b->children.n;
    q->ctes = b->ctes.v;
    q->nctes = b->ctes.n;
    q->cmp_refs = b->cmp_refs.v;
    q->cmp_values = b->cmp_values.v;
    q->ncmp = b->cmp_refs.n;
}

struct rs_query *sqlx_query(struct sqlx *x, const Node *node)
{
    struct rs_query *q = arena_alloc(x->a, sizeof(*q));
    q->location = -1;
    if (!node)
        return q;
    struct qbuild b = {.x = x, .q = q};
    if (node->node_case != PG_QUERY__NODE__NODE_SELECT_STMT || !node->select_stmt) {
        add_refs(&b, node);
        finish(&b);
        return q;
    }
    const PgQuery__SelectStmt *s = node->select_stmt;
    add_ctes(&b, s->with_clause);
    if (s->op != PG_QUERY__SET_OPERATION__SETOP_NONE &&
        s->op != PG_QUERY__SET_OPERATION__SET_OPERATION_UNDEFINED) {
        Node l = PG_QUERY__NODE__INIT, r = PG_QUERY__NODE__INIT;
        l.node_case = r.node_case = PG_QUERY__NODE__NODE_SELECT_STMT;
        l.select_stmt = s->larg;
        r.select_stmt = s->rarg;
        q->set_left = s->larg ? sqlx_query(x, &l) : NULL;
        q->set_right = s->rarg ? sqlx_query(x, &r) : NULL;
        for (size_t i = 0; i < s->n_sort_clause; i++)
            add_refs(&b, s->sort_clause[i]);
        finish(&b);
        return q;
    }
    if (s->n_values_lists) {
        q->is_values = true;
        for (size_t i = 0; i < s->n_values_lists; i++)
            add_refs(&b, s->values_lists[i]);
    }
    for (size_t i = 0; i < s->n_from_clause; i++)
        add_from(&b, s->from_clause[i]);
    for (size_t i = 0; i < s->n_target_list; i++) {
        const Node *t = s->target_list[i];
        if (t->node_case == PG_QUERY__NODE__NODE_RES_TARGET)
            add_target(&b, t->res_target);
    }
    add_refs(&b, s->where_clause);
    for (size_t i = 0; i < s->n_group_clause; i++)
        add_refs(&b, s->group_clause[i]);
    add_refs(&b, s->having_clause);
    for (size_t i = 0; i < s->n_sort_clause; i++)
        add_refs(&b, s->sort_clause[i]);
    for (size_t i = 0; i < s->n_distinct_clause; i++)
        add_refs(&b, s->distinct_clause[i]);
    for (size_t i = 0; i < s->n_window_clause; i++)
        add_refs(&b, s->window_clause[i]);
    finish(&b);
    return q;
}

void sqlx_query_add_refs_from_expr(struct sqlx *x, struct rs_query *q, const Node *node)
{
    struct qbuild b = {.x = x, .q = q};
    /* Continue the vectors of q. */
    b.refs.v = q->refs;
    b.refs.n = b.refs.cap = q->nrefs;
    b.children.v = q->children;
    b.children.n = b.children.cap = q->nchildren;
    b.cmp_refs.v = q->cmp_refs;
    b.cmp_values.v = q->cmp_values;
    b.cmp_refs.n = b.cmp_refs.cap = q->ncmp;
    b.cmp_values.n = b.cmp_values.cap = q->ncmp;
    add_refs(&b, node);
    q->refs = b.refs.v;
    q->nrefs = b.refs.n;
    q->children = b.children.v;
    q->nchildren = b.children.n;
    q->cmp_refs = b.cmp_refs.v;
    q->cmp_values = b.cmp_values.v;
    q->ncmp = b.cmp_refs.n;
}
