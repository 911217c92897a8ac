/*
 * translate.c - one libpg_query statement node into a struct rs_stmt.
 *
 * Each statement kind that the schema model or a rule cares about has a translator here; the
 * rest become RS_STMT_OTHER with their tag, which the model treats as "changes nothing it
 * tracks". Translators copy what they need into the arena and never look at the schema: that
 * is lib/catalog/'s job.
 */
#include <string.h>

#include "internal.h"

/* protobuf-c gives "" for absent strings: rollsafe uses NULL. */
static const char *nz(struct sqlx *x, const char *s)
{
    return s && *s ? arena_strdup(x->a, s) : NULL;
}

static void rangevar(struct sqlx *x, const PgQuery__RangeVar *rv, struct rs_qname *out)
{
    out->schema = NULL;
    out->name = NULL;
    if (!rv)
        return;
    out->schema = nz(x, rv->schemaname);
    out->name = nz(x, rv->relname);
}

static const char **string_list(struct sqlx *x, Node *const *items, size_t n, size_t *count)
{
    const char **v = n ? arena_alloc(x->a, n * sizeof(char *)) : NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = sqlx_string(items[i]);
        if (s)
            v[k++] = arena_strdup(x->a, s);
    }
    *count = k;
    return v;
}

/* Lists of names: a List node of String nodes (DROP TABLE a.b), or a TypeName (DROP TYPE). */
static void object_name(struct sqlx *x, const Node *n, struct rs_qname *out)
{
    out->schema = out->name = NULL;
    if (!n)
        return;
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_LIST:
        sqlx_qname_from_list(x, n->list->items, n->list->n_items, out);
        break;
    case PG_QUERY__NODE__NODE_STRING:
        out->name = arena_strdup(x->a, n->string->sval);
        break;
    case PG_QUERY__NODE__NODE_TYPE_NAME:
        sqlx_qname_from_list(x, n->type_name->names, n->type_name->n_names, out);
        break;
    case PG_QUERY__NODE__NODE_OBJECT_WITH_ARGS:
        sqlx_qname_from_list(x, n->object_with_args->objname, n->object_with_args->n_objname, out);
        break;
    default:
        break;
    }
}

static enum rs_obj_kind obj_kind(PgQuery__ObjectType t)
{
    switch (t) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
        return RS_OBJ_TABLE;
    case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
        return RS_OBJ_VIEW;
    case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
        return RS_OBJ_MATVIEW;
    case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX:
        return RS_OBJ_INDEX;
    case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
        return RS_OBJ_SEQUENCE;
    case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
        return RS_OBJ_TYPE;
    case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN:
        return RS_OBJ_DOMAIN;
    case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
    case PG_QUERY__OBJECT_TYPE__OBJECT_AGGREGATE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE:
        return RS_OBJ_FUNCTION;
    case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE:
        return RS_OBJ_PROCEDURE;
    case PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER:
        return RS_OBJ_TRIGGER;
    case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA:
        return RS_OBJ_SCHEMA;
    case PG_QUERY__OBJECT_TYPE__OBJECT_EXTENSION:
        return RS_OBJ_EXTENSION;
    case PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN:
    case PG_QUERY__OBJECT_TYPE__OBJECT_ATTRIBUTE:
        return RS_OBJ_COLUMN;
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABCONSTRAINT:
    case PG_QUERY__OBJECT_TYPE__OBJECT_DOMCONSTRAINT:
        return RS_OBJ_CONSTRAINT;
    case PG_QUERY__OBJECT_TYPE__OBJECT_POLICY:
        return RS_OBJ_POLICY;
    case PG_QUERY__OBJECT_TYPE__OBJECT_RULE:
        return RS_OBJ_RULE;
    case PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE:
        return RS_OBJ_FOREIGN_TABLE;
    case PG_QUERY__OBJECT_TYPE__OBJECT_DATABASE:
        return RS_OBJ_DATABASE;
    default:
        return RS_OBJ_OTHER;
    }
}

/* "materialized view" -> "MATERIALIZED VIEW", for statement tags. */
static const char *kind_upper(struct sqlx *x, enum rs_obj_kind k)
{
    char *s = arena_strdup(x->a, rs_obj_kind_name(k));
    for (char *p = s; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    return s;
}

const char *rs_obj_kind_name(enum rs_obj_kind k)
{
    static const char *const names[] = {
        [RS_OBJ_OTHER] = "object",       [RS_OBJ_TABLE] = "table",
        [RS_OBJ_VIEW] = "view",          [RS_OBJ_MATVIEW] = "materialized view",
        [RS_OBJ_INDEX] = "index",        [RS_OBJ_SEQUENCE] = "sequence",
        [RS_OBJ_TYPE] = "type",          [RS_OBJ_DOMAIN] = "domain",
        [RS_OBJ_FUNCTION] = "function",  [RS_OBJ_PROCEDURE] = "procedure",
        [RS_OBJ_TRIGGER] = "trigger",    [RS_OBJ_SCHEMA] = "schema",
        [RS_OBJ_EXTENSION] = "extension", [RS_OBJ_COLUMN] = "column",
        [RS_OBJ_CONSTRAINT] = "constraint", [RS_OBJ_POLICY] = "policy",
        [RS_OBJ_RULE] = "rule",          [RS_OBJ_FOREIGN_TABLE] = "foreign table",
        [RS_OBJ_DATABASE] = "database",
    };
    return (size_t)k < sizeof(names) / sizeof(names[0]) && names[k] ? names[k] : "object";
}

/* ---------------------------------------------------------------- constraints and columns */

static const char **index_key_names(struct sqlx *x, Node *const *items, size_t n, size_t *count)
{
    /* Constraint keys are String nodes; index params are IndexElem. */
    const char **v = n ? arena_alloc(x->a, n * sizeof(char *)) : NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const Node *it = items[i];
        if (it->node_case == PG_QUERY__NODE__NODE_STRING)
            v[k++] = arena_strdup(x->a, it->string->sval);
        else if (it->node_case == PG_QUERY__NODE__NODE_INDEX_ELEM && it->index_elem->name &&
                 *it->index_elem->name)
            v[k++] = arena_strdup(x->a, it->index_elem->name);
        else if (it->node_case == PG_QUERY__NODE__NODE_INDEX_ELEM && it->index_elem->expr)
            v[k++] = sqlx_deparse_expr(x, it->index_elem->expr);
    }
    *count = k;
    return v;
}

/* The column of a CHECK that parse.c wrote for a PostgreSQL 18 NOT NULL constraint (see
   bridge_not_null there), or NULL when e is any other expression. */
static const char *bridged_not_null(const struct sqlx *x, const Node *e)
{
    if (!x->n_not_null_at || !e || e->node_case != PG_QUERY__NODE__NODE_COLUMN_REF ||
        e->column_ref->n_fields != 1)
        return NULL;
    int at = sqlx_loc(x, e->column_ref->location);
    for (size_t i = 0; at >= 0 && i < x->n_not_null_at; i++)
        if (x->not_null_at[i] == (size_t)at)
            return sqlx_string(e->column_ref->fields[0]);
    return NULL;
}

static void constraint(struct sqlx *x, const PgQuery__Constraint *c, struct rs_constraint_def *d)
{
    memset(d, 0, sizeof(*d));
    d->name = nz(x, c->conname);
    d->location = sqlx_loc(x, c->location);
    d->deferrable = c->deferrable;
    d->initially_deferred = c->initdeferred;
    d->not_valid = c->skip_validation;
    d->nulls_not_distinct = c->nulls_not_distinct;
    switch (c->contype) {
    case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK: {
        const char *col = bridged_not_null(x, c->raw_expr);
        if (col) {
            d->kind = RS_CON_NOT_NULL;
            d->columns = arena_alloc(x->a, sizeof(*d->columns));
            d->columns[0] = arena_strdup(x->a, col);
            d->ncolumns = 1;
            break;
        }
        d->kind = RS_CON_CHECK;
        d->expr = sqlx_expr(x, c->raw_expr);
        break;
    }
    case PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL:
        d->kind = RS_CON_NOT_NULL;
        break;
    case PG_QUERY__CONSTR_TYPE__CONSTR_NULL:
        d->kind = RS_CON_NULL;
        break;
    case PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT:
        d->kind = RS_CON_DEFAULT;
        d->expr = sqlx_expr(x, c->raw_expr);
        break;
    case PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY:
        d->kind = RS_CON_IDENTITY;
        d->identity = nz(x, c->generated_when);
        if (!d->identity)
            d->identity = "a";
        break;
    case PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED:
        d->kind = RS_CON_GENERATED;
        d->expr = sqlx_expr(x, c->raw_expr);
        break;
    case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
        d->kind = RS_CON_PRIMARY;
        d->columns = index_key_names(x, c->keys, c->n_keys, &d->ncolumns);
        d->using_index = nz(x, c->indexname);
        break;
    case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
        d->kind = RS_CON_UNIQUE;
        d->columns = index_key_names(x, c->keys, c->n_keys, &d->ncolumns);
        d->using_index = nz(x, c->indexname);
        break;
    case PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION:
        d->kind = RS_CON_EXCLUSION;
        break;
    case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
        d->kind = RS_CON_FOREIGN;
        d->columns = string_list(x, c->fk_attrs, c->n_fk_attrs, &d->ncolumns);
        rangevar(x, c->pktable, &d->ref_table);
        d->ref_columns = string_list(x, c->pk_attrs, c->n_pk_attrs, &d->nref_columns);
        d->on_delete = nz(x, c->fk_del_action);
        d->on_update = nz(x, c->fk_upd_action);
        break;
    default:
        d->kind = RS_CON_OTHER;
        break;
    }
}

static struct rs_column_def *column_def(struct sqlx *x, const PgQuery__ColumnDef *cd)
{
    struct rs_column_def *c = arena_alloc(x->a, sizeof(*c));
    c->name = nz(x, cd->colname);
    c->location = sqlx_loc(x, cd->location);
    sqlx_type(x, cd->type_name, &c->type);
    c->not_null = cd->is_not_null;
    if (cd->raw_default)
        c->default_expr = sqlx_expr(x, cd->raw_default);
    if (cd->coll_clause)
        c->collation = sqlx_last_name(cd->coll_clause->collname, cd->coll_clause->n_collname);
    c->identity = nz(x, cd->identity);
    VEC(struct rs_constraint_def) cons = {0};
    for (size_t i = 0; i < cd->n_constraints; i++) {
        const Node *n = cd->constraints[i];
        if (n->node_case != PG_QUERY__NODE__NODE_CONSTRAINT)
            continue;
        struct rs_constraint_def d;
        constraint(x, n->constraint, &d);
        switch (d.kind) {
        case RS_CON_NOT_NULL:
            c->not_null = true;
            break;
        case RS_CON_NULL:
            break;
        case RS_CON_DEFAULT:
            c->default_expr = d.expr;
            break;
        case RS_CON_IDENTITY:
            c->identity = d.identity;
            c->not_null = true;
            break;
        case RS_CON_GENERATED:
            c->generated = d.expr;
            break;
        case RS_CON_PRIMARY:
            c->primary_key = true;
            c->not_null = true;
            *VEC_PUSH(x->a, &cons) = d;
            break;
        case RS_CON_UNIQUE:
            c->unique = true;
            *VEC_PUSH(x->a, &cons) = d;
            break;
        default:
            *VEC_PUSH(x->a, &cons) = d;
            break;
        }
    }
    if (c->type.serial)
        c->not_null = true;
    /* Key columns of a constraint written on the column are the column itself. */
    for (size_t i = 0; i < cons.n; i++) {
        if (cons.v[i].ncolumns == 0 &&
            (cons.v[i].kind == RS_CON_PRIMARY || cons.v[i].kind == RS_CON_UNIQUE ||
             cons.v[i].kind == RS_CON_FOREIGN)) {
            cons.v[i].columns = arena_alloc(x->a, sizeof(char *));
            cons.v[i].columns[0] = c->name;
            cons.v[i].ncolumns = 1;
        }
    }
    c->constraints = cons.v;
    c->nconstraints = cons.n;
    return c;
}

/* ---------------------------------------------------------------- statements */

static void t_create_table(struct sqlx *x, const PgQuery__CreateStmt *s, struct rs_stmt *st)
{
    st->kind = RS_STMT_CREATE_TABLE;
    st->tag = "CREATE TABLE";
    st->obj_kind = RS_OBJ_TABLE;
    rangevar(x, s->relation, &st->rel);
    st->if_not_exists = s->if_not_exists;
    if (s->relation && s->relation->relpersistence) {
        st->temporary = s->relation->relpersistence[0] == 't';
        st->unlogged = s->relation->relpersistence[0] == 'u';
    }
    VEC(struct rs_column_def) cols = {0};
    VEC(struct rs_constraint_def) cons = {0};
    for (size_t i = 0; i < s->n_table_elts; i++) {
        const Node *n = s->table_elts[i];
        if (n->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF) {
            *VEC_PUSH(x->a, &cols) = *column_def(x, n->column_def);
        } else if (n->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) {
            constraint(x, n->constraint, VEC_PUSH(x->a, &cons));
            /* A NOT NULL among the table's constraints (PostgreSQL 18) is its column's. */
            const struct rs_constraint_def *d = &cons.v[cons.n - 1];
            if (d->kind == RS_CON_NOT_NULL) {
                for (size_t k = 0; k < cols.n; k++)
                    if (!strcmp(cols.v[k].name, d->columns[0]))
                        cols.v[k].not_null = true;
                cons.n--;
            }
        } else if (n->node_case == PG_QUERY__NODE__NODE_TABLE_LIKE_CLAUSE) {
            rangevar(x, n->table_like_clause->relation, &st->like);
        }
    }
    st->columns = cols.v;
    st->ncolumns = cols.n;
    st->constraints = cons.v;
    st->nconstraints = cons.n;
    st->partitioned = s->partspec != NULL;
    if (s->partbound && s->n_inh_relations == 1 &&
        s->inh_relations[0]->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) {
        rangevar(x, s->inh_relations[0]->range_var, &st->partition_of);
    } else if (s->n_inh_relations) {
        st->inherits = arena_alloc(x->a, s->n_inh_relations * sizeof(*st->inherits));
        for (size_t i = 0; i < s->n_inh_relations; i++)
            if (s->inh_relations[i]->node_case == PG_QUERY__NODE__NODE_RANGE_VAR)
                rangevar(x, s->inh_relations[i]->range_var, &st->inherits[st->ninherits++]);
    }
}

static const char *alter_what(enum rs_alter_kind k)
{
    switch (k) {
    case RS_AT_ADD_COLUMN:
        return "ADD COLUMN";
    case RS_AT_DROP_COLUMN:
        return "DROP COLUMN";
    case RS_AT_ALTER_TYPE:
        return "ALTER COLUMN ... TYPE";
    case RS_AT_SET_DEFAULT:
        return "ALTER COLUMN ... SET DEFAULT";
    case RS_AT_DROP_DEFAULT:
        return "ALTER COLUMN ... DROP DEFAULT";
    case RS_AT_SET_NOT_NULL:
        return "ALTER COLUMN ... SET NOT NULL";
    case RS_AT_DROP_NOT_NULL:
        return "ALTER COLUMN ... DROP NOT NULL";
    case RS_AT_ADD_CONSTRAINT:
        return "ADD CONSTRAINT";
    case RS_AT_DROP_CONSTRAINT:
        return "DROP CONSTRAINT";
    case RS_AT_VALIDATE_CONSTRAINT:
        return "VALIDATE CONSTRAINT";
    case RS_AT_ALTER_CONSTRAINT:
        return "ALTER CONSTRAINT";
    case RS_AT_ADD_IDENTITY:
        return "ALTER COLUMN ... ADD GENERATED AS IDENTITY";
    case RS_AT_SET_IDENTITY:
        return "ALTER COLUMN ... SET identity option";
    case RS_AT_DROP_IDENTITY:
        return "ALTER COLUMN ... DROP IDENTITY";
    case RS_AT_DROP_EXPRESSION:
        return "ALTER COLUMN ... DROP EXPRESSION";
    case RS_AT_SET_EXPRESSION:
        return "ALTER COLUMN ... SET EXPRESSION";
    case RS_AT_SET_LOGGED:
        return "SET LOGGED";
    case RS_AT_SET_UNLOGGED:
        return "SET UNLOGGED";
    case RS_AT_ATTACH_PARTITION:
        return "ATTACH PARTITION";
    case RS_AT_DETACH_PARTITION:
        return "DETACH PARTITION";
    case RS_AT_ENABLE_TRIGGER:
        return "ENABLE TRIGGER";
    case RS_AT_DISABLE_TRIGGER:
        return "DISABLE TRIGGER";
    case RS_AT_ENABLE_RLS:
        return "ENABLE ROW LEVEL SECURITY";
    case RS_AT_DISABLE_RLS:
        return "DISABLE ROW LEVEL SECURITY";
    case RS_AT_REPLICA_IDENTITY:
        return "REPLICA IDENTITY";
    case RS_AT_SET_TABLESPACE:
        return "SET TABLESPACE";
    case RS_AT_SET_ACCESS_METHOD:
        return "SET ACCESS METHOD";
    case RS_AT_CLUSTER_ON:
        return "CLUSTER ON";
    case RS_AT_OWNER:
        return "OWNER TO";
    case RS_AT_SET_OPTIONS:
        return "SET (options)";
    case RS_AT_SET_STORAGE:
        return "ALTER COLUMN ... SET STORAGE";
    case RS_AT_INHERIT:
        return "INHERIT";
    case RS_AT_NO_INHERIT:
        return "NO INHERIT";
    default:
        return "ALTER TABLE action";
    }
}

static enum rs_alter_kind alter_kind(const PgQuery__AlterTableCmd *c)
{
    switch (c->subtype) {
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumnToView:
        return RS_AT_ADD_COLUMN;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn:
        return RS_AT_DROP_COLUMN;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType:
        return RS_AT_ALTER_TYPE;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ColumnDefault:
        return c->def ? RS_AT_SET_DEFAULT : RS_AT_DROP_DEFAULT;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull:
        return RS_AT_SET_NOT_NULL;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropNotNull:
        return RS_AT_DROP_NOT_NULL;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddIndexConstraint:
        return RS_AT_ADD_CONSTRAINT;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraint:
        return RS_AT_DROP_CONSTRAINT;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint:
        return RS_AT_VALIDATE_CONSTRAINT;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterConstraint:
        return RS_AT_ALTER_CONSTRAINT;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddIdentity:
        return RS_AT_ADD_IDENTITY;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetIdentity:
        return RS_AT_SET_IDENTITY;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropIdentity:
        return RS_AT_DROP_IDENTITY;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropExpression:
        return RS_AT_DROP_EXPRESSION;
#if PG_VERSION_NUM >= 170000
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetExpression:
        return RS_AT_SET_EXPRESSION;
#endif
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetLogged:
        return RS_AT_SET_LOGGED;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetUnLogged:
        return RS_AT_SET_UNLOGGED;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AttachPartition:
        return RS_AT_ATTACH_PARTITION;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartition:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartitionFinalize:
        return RS_AT_DETACH_PARTITION;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrig:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableAlwaysTrig:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableReplicaTrig:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrigAll:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrigUser:
        return RS_AT_ENABLE_TRIGGER;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrig:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrigAll:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrigUser:
        return RS_AT_DISABLE_TRIGGER;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableRowSecurity:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ForceRowSecurity:
        return RS_AT_ENABLE_RLS;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableRowSecurity:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_NoForceRowSecurity:
        return RS_AT_DISABLE_RLS;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ReplicaIdentity:
        return RS_AT_REPLICA_IDENTITY;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetTableSpace:
        return RS_AT_SET_TABLESPACE;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetAccessMethod:
        return RS_AT_SET_ACCESS_METHOD;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ClusterOn:
        return RS_AT_CLUSTER_ON;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ChangeOwner:
        return RS_AT_OWNER;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetStatistics:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetOptions:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ResetOptions:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetRelOptions:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ResetRelOptions:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ReplaceRelOptions:
        return RS_AT_SET_OPTIONS;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetStorage:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetCompression:
        return RS_AT_SET_STORAGE;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddInherit:
        return RS_AT_INHERIT;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropInherit:
        return RS_AT_NO_INHERIT;
    default:
        return RS_AT_OTHER;
    }
}

static void alter_cmd(struct sqlx *x, const PgQuery__AlterTableCmd *c, struct rs_alter_cmd *ac)
{
    memset(ac, 0, sizeof(*ac));
    ac->kind = alter_kind(c);
    ac->what = alter_what(ac->kind);
    ac->location = -1;
    ac->cascade = c->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE;
    switch (ac->kind) {
    case RS_AT_ADD_COLUMN:
        ac->if_not_exists = c->missing_ok;
        if (c->def && c->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF) {
            ac->coldef = column_def(x, c->def->column_def);
            ac->column = ac->coldef->name;
            ac->location = ac->coldef->location;
        }
        break;
    case RS_AT_ALTER_TYPE:
        ac->column = nz(x, c->name);
        if (c->def && c->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF) {
            const PgQuery__ColumnDef *cd = c->def->column_def;
            sqlx_type(x, cd->type_name, &ac->type);
            ac->has_type = true;
            if (cd->raw_default)
                ac->using_expr = sqlx_expr(x, cd->raw_default);
            if (cd->type_name)
                ac->location = sqlx_loc(x, cd->type_name->location);
        }
        break;
    case RS_AT_SET_DEFAULT:
    case RS_AT_SET_EXPRESSION:
        ac->column = nz(x, c->name);
        ac->expr = sqlx_expr(x, c->def);
        break;
    case RS_AT_ADD_CONSTRAINT:
        if (c->def && c->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) {
            ac->constraint = arena_alloc(x->a, sizeof(*ac->constraint));
            constraint(x, c->def->constraint, ac->constraint);
            ac->name = ac->constraint->name;
            ac->location = ac->constraint->location;
            if (ac->constraint->kind == RS_CON_NOT_NULL) {
                /* ADD [CONSTRAINT name] NOT NULL column (PostgreSQL 18) sets the column NOT
                   NULL, with the same scan of the table as SET NOT NULL. */
                ac->kind = RS_AT_SET_NOT_NULL;
                ac->what = alter_what(ac->kind);
                ac->column = ac->constraint->columns[0];
                ac->constraint = NULL;
                ac->name = NULL;
            }
        }
        break;
    case RS_AT_ADD_IDENTITY:
        ac->column = nz(x, c->name);
        if (c->def && c->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) {
            ac->constraint = arena_alloc(x->a, sizeof(*ac->constraint));
            constraint(x, c->def->constraint, ac->constraint);
        }
        break;
    case RS_AT_ATTACH_PARTITION:
    case RS_AT_DETACH_PARTITION:
        if (c->def && c->def->node_case == PG_QUERY__NODE__NODE_PARTITION_CMD) {
            rangevar(x, c->def->partition_cmd->name, &ac->partition);
            ac->concurrently = c->def->partition_cmd->concurrent;
        }
        break;
    case RS_AT_DROP_COLUMN:
    case RS_AT_DROP_CONSTRAINT:
        ac->if_exists = c->missing_ok;
        /* fall through */
    default:
        if (ac->kind == RS_AT_DROP_CONSTRAINT || ac->kind == RS_AT_VALIDATE_CONSTRAINT ||
            ac->kind == RS_AT_ALTER_CONSTRAINT || ac->kind == RS_AT_ENABLE_TRIGGER ||
            ac->kind == RS_AT_DISABLE_TRIGGER || ac->kind == RS_AT_CLUSTER_ON) {
            ac->name = nz(x, c->name);
            if (ac->kind == RS_AT_ALTER_CONSTRAINT && c->def &&
                c->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) {
                ac->name = nz(x, c->def->constraint->conname);
                ac->constraint = arena_alloc(x->a, sizeof(*ac->constraint));
                constraint(x, c->def->constraint, ac->constraint);
            }
        } else {
            ac->column = nz(x, c->name);
        }
        break;
    }
}

static void t_alter_table(struct sqlx *x, const PgQuery__AlterTableStmt *s, struct rs_stmt *st)
{
    st->kind = RS_STMT_ALTER_TABLE;
    st->obj_kind = obj_kind(s->objtype);
    switch (st->obj_kind) {
    case RS_OBJ_INDEX:
        st->tag = "ALTER INDEX";
        break;
    case RS_OBJ_VIEW:
        st->tag = "ALTER VIEW";
        break;
    case RS_OBJ_SEQUENCE:
        st->tag = "ALTER SEQUENCE";
        break;
    case RS_OBJ_MATVIEW:
        st->tag = "ALTER MATERIALIZED VIEW";
        break;
    case RS_OBJ_TYPE:
        st->tag = "ALTER TYPE";
        break;
    default:
        st->tag = "ALTER TABLE";
        break;
    }
    rangevar(x, s->relation, &st->rel);
    st->if_exists = s->missing_ok;
    st->only = s->relation && !s->relation->inh;
    st->cmds = s->n_cmds ? arena_alloc(x->a, s->n_cmds * sizeof(*st->cmds)) : NULL;
    for (size_t i = 0; i < s->n_cmds; i++) {
        if (s->cmds[i]->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_CMD)
            continue;
        alter_cmd(x, s->cmds[i]->alter_table_cmd, &st->cmds[st->ncmds++]);
    }
}

static void t_rename(struct sqlx *x, const PgQuery__RenameStmt *s, struct rs_stmt *st)
{
    st->kind = RS_STMT_RENAME;
    st->obj_kind = obj_kind(s->rename_type);
    st->if_exists = s->missing_ok;
    st->newname = nz(x, s->newname);
    st->subname = nz(x, s->subname);
    if (s->relation)
        rangevar(x, s->relation, &st->rel);
    else if (st->obj_kind == RS_OBJ_SCHEMA)
        st->rel.name = st->subname;
    else
        object_name(x, s->object, &st->rel);
    if (st->obj_kind == RS_OBJ_COLUMN && s->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_ATTRIBUTE)
        st->tag = "ALTER TYPE ... RENAME ATTRIBUTE";
    else
        st->tag = arena_printf(x->a, "ALTER %s ... RENAME", kind_upper(x, obj_kind(
                                                                 st->obj_kind == RS_OBJ_COLUMN ||
                                                                         st->obj_kind ==
                                                                             RS_OBJ_CONSTRAINT
                                                                     ? s->relation_type
                                                                     : s->rename_type)));
}

static void t_drop(struct sqlx *x, const PgQuery__DropStmt *s, struct rs_stmt *st)
{
    st->kind = RS_STMT_DROP;
    st->obj_kind = obj_kind(s->remove_type);
    st->tag = arena_printf(x->a, "DROP %s", kind_upper(x, st->obj_kind));
    st->if_exists = s->missing_ok;
    st->cascade = s->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE;
    st->concurrently = s->concurrent;
    st->objects = s->n_objects ? arena_alloc(x->a, s->n_objects * sizeof(*st->objects)) : NULL;
    st->object_args = s->n_objects ? arena_alloc(x->a, s->n_objects * sizeof(char *)) : NULL;
    for (size_t i = 0; i < s->n_objects; i++) {
        const Node *o = s->objects[i];
        struct rs_qname *q = &st->objects[st->nobjects];
        if ((st->obj_kind == RS_OBJ_TRIGGER || st->obj_kind == RS_OBJ_POLICY ||
             st->obj_kind == RS_OBJ_RULE) &&
            o->node_case == PG_QUERY__NODE__NODE_LIST && o->list->n_items >= 2) {
            /* [schema,] table, name */
            size_t n = o->list->n_items;
            q->name = arena_strdup(x->a, sqlx_string(o->list->items[n - 1]));
            sqlx_qname_from_list(x, o->list->items, n - 1, &st->rel);
        } else {
            object_name(x, o, q);
        }
        if (o->node_case == PG_QUERY__NODE__NODE_OBJECT_WITH_ARGS) {
            const PgQuery__ObjectWithArgs *ow = o->object_with_args;
            if (!ow->args_unspecified) {
                const char *sig = "";
                for (size_t k = 0; k < ow->n_objargs; k++) {
                    const Node *tn = ow->objargs[k];
                    struct rs_type t;
                    if (tn->node_case == PG_QUERY__NODE__NODE_TYPE_NAME) {
                        sqlx_type(x, tn->type_name, &t);
                        sig = arena_printf(x->a, "%s%s%s", sig, k ? ", " : "",
                                             rs_type_format(x->a, &t));
                    }
                }
                st->object_args[st->nobjects] = sig;
            }
        }
        st->nobjects++;
    }
    if (st->nobjects == 1 && st->obj_kind != RS_OBJ_TRIGGER && st->obj_kind != RS_OBJ_POLICY &&
        st->obj_kind != RS_OBJ_RULE)
        st->rel = st->objects[0];
}

static void t_index(struct sqlx *x, const PgQuery__IndexStmt *s, struct rs_stmt *st)
{
    st->kind = RS_STMT_CREATE_INDEX;
    st->tag = s->unique ? "CREATE UNIQUE INDEX" : "CREATE INDEX";
    st->obj_kind = RS_OBJ_INDEX;
    rangevar(x, s->relation, &st->rel);
    st->index_name = nz(x, s->idxname);
    st->unique = s->unique;
    st->concurrently = s->concurrent;
    st->if_not_exists = s->if_not_exists;
    st->only = s->relation && !s->relation->inh;
    st->access_method = nz(x, s->access_method);
    st->index_columns = index_key_names(x, s->index_params, s->n_index_params, &st->nindex_columns);
    for (size_t i = 0; i < s->n_index_params; i++)
        if (s->index_params[i]->node_case == PG_QUERY__NODE__NODE_INDEX_ELEM &&
            s->index_params[i]->index_elem->expr)
            st->index_has_expressions = true;
    if (s->where_clause)
        st->where = sqlx_expr(x, s->where_clause);
}

static void t_view(struct sqlx *x, const PgQuery__ViewStmt *s, struct rs_stmt *st)
{
    st->kind = RS_STMT_CREATE_VIEW;
    st->tag = s->replace ? "CREATE OR REPLACE VIEW" : "CREATE VIEW";
    st->obj_kind = RS_OBJ_VIEW;
    rangevar(x, s->view, &st->rel);
    st->or_replace = s->replace;
    st->view_columns = string_list(x, s->aliases, s->n_aliases, &st->nview_columns);
    st->query = sqlx_query(x, s->query);
}

static void t_table_as(struct sqlx *x, const PgQuery__CreateTableAsStmt *s, struct rs_stmt *st)
{
    bool mat = s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW;
    st->kind = mat ? RS_STMT_CREATE_MATVIEW : RS_STMT_CREATE_TABLE_AS;
    st->tag = mat ? "CREATE MATERIALIZED VIEW" : "CREATE TABLE AS";
    st->obj_kind = mat ? RS_OBJ_MATVIEW : RS_OBJ_TABLE;
    st->if_not_exists = s->if_not_exists;
    if (s->into) {
        rangevar(x, s->into->rel, &st->rel);
        st->view_columns = string_list(x, s->into->col_names, s->into->n_col_names,
                                       &st->nview_columns);
        st->with_no_data = s->into->skip_data;
    }
    st->query = sqlx_query(x, s->query);
}

static void t_enum(struct sqlx *x, const PgQuery__CreateEnumStmt *s, struct rs_stmt *st)
{
    st->kind = RS_STMT_CREATE_ENUM;
    st->tag = "CREATE TYPE ... AS ENUM";
    st->obj_kind = RS_OBJ_TYPE;
    sqlx_qname_from_list(x, s->type_name, s->n_type_name, &st->rel);
    st->labels = string_list(x, s->vals, s->n_vals, &st->nlabels);
}

static void t_alter_enum(struct sqlx *x, const PgQuery__AlterEnumStmt *s, struct rs_stmt *st)
{
    st->kind = RS_STMT_ALTER_ENUM;
    st->obj_kind = RS_OBJ_TYPE;
    sqlx_qname_from_list(x, s->type_name, s->n_type_name, &st->rel);
    st->old_label = nz(x, s->old_val);
    st->new_label = s->new_val ? arena_strdup(x->a, s->new_val) : NULL;
    st->neighbor_label = nz(x, s->new_val_neighbor);
    st->after_neighbor = s->new_val_is_after;
    st->if_not_exists = s->skip_if_new_val_exists;
    st->tag = st->old_label ? "ALTER TYPE ... RENAME VALUE" : "ALTER TYPE ... ADD VALUE";
}

static void t_composite(struct sqlx *x, const PgQuery__CompositeTypeStmt *s, struct rs_stmt *st)
{
    st->kind = RS_STMT_CREATE_TYPE;
    st->tag = "CREATE TYPE";
    st->obj_kind = RS_OBJ_TYPE;
    rangevar(x, s->typevar, &st->rel);
    VEC(struct rs_column_def) cols = {0};
    for (size_t i = 0; i < s->n_coldeflist; i++)
        if (s->coldeflist[i]->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF)
            *VEC_PUSH(x->a, &cols) = *column_def(x, s->coldeflist[i]->column_def);
    st->columns = cols.v;
    st->ncolumns = cols.n;
}

static void t_domain(struct sqlx *x, const PgQuery__CreateDomainStmt *s, struct rs_stmt *st)
{
    st->kind = RS_STMT_CREATE_DOMAIN;
    st->tag = "CREATE DOMAIN";
    st->obj_kind = RS_OBJ_DOMAIN;
    sqlx_qname_from_list(x, s->domainname, s->n_domainname, &st->rel);
    sqlx_type(x, s->type_name, &st->domain_type);
    for (size_t i = 0; i < s->n_constraints; i++) {
        const Node *n = s->constraints[i];
        if (n->node_case == PG_QUERY__NODE__NODE_CONSTRAINT &&
            (n->constraint->contype == PG_QUERY__CONSTR_TYPE__CONSTR_CHECK ||
             n->constraint->contype == PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL))
            st->domain_has_constraint = true;
    }
}

static void t_alter_domain(struct sqlx *x, const PgQuery__AlterDomainStmt *s, struct rs_stmt *st)
{
    st->kind = RS_STMT_ALTER_DOMAIN;
    st->obj_kind = RS_OBJ_DOMAIN;
    sqlx_qname_from_list(x, s->type_name, s->n_type_name, &st->rel);
    char sub = s->subtype && *s->subtype ? s->subtype[0] : '?';
    st->domain_has_constraint = sub == 'C' || sub == 'O';
    st->tag = sub == 'C'   ? "ALTER DOMAIN ... ADD CONSTRAINT"
              : sub == 'O' ? "ALTER DOMAIN ... SET NOT NULL"
              : sub == 'X' ? "ALTER DOMAIN ... DROP CONSTRAINT"
              : sub == 'V' ? "ALTER DOMAIN ... VALIDATE CONSTRAINT"
                           : "ALTER DOMAIN";
    if (sub == 'C' && s->def && s->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) {
        st->constraints = arena_alloc(x->a, sizeof(*st->constraints));
        constraint(x, s->def->constraint, st->constraints);
        st->nconstraints = 1;
    }
    st->subname = nz(x, s->name);
}

static const char *defelem_string(const PgQuery__DefElem *d)
{
    if (!d->arg)
        return NULL;
    if (d->arg->node_case == PG_QUERY__NODE__NODE_STRING)
        return d->arg->string->sval;
    if (d->arg->node_case == PG_QUERY__NODE__NODE_LIST && d->arg->list->n_items)
        return sqlx_string(d->arg->list->items[0]);
    return NULL;
}

/* Finds where a function body string literal starts in the text, to report positions in it. */
static int body_offset(struct sqlx *x, const struct rs_stmt *st, const char *body)
{
    if (!body || !*body)
        return -1;
    size_t rel = st->offset - x->base;
    const char *start = x->text + rel;
    const char *hit = strstr(start, body);
    if (!hit || (size_t)(hit - start) > st->len)
        return -1;
    return (int)(st->offset + (size_t)(hit - start));
}

/* The LANGUAGE and AS options of CREATE FUNCTION / PROCEDURE and DO (a list of DefElem nodes;
   others are skipped): sets st->language, st->body (NULL when absent) and st->body_offset. */
static void body_options(struct sqlx *x, Node *const *items, size_t n, struct rs_stmt *st)
{
    for (size_t i = 0; i < n; i++) {
        if (items[i]->node_case != PG_QUERY__NODE__NODE_DEF_ELEM)
            continue;
        const PgQuery__DefElem *d = items[i]->def_elem;
        if (!strcmp(d->defname, "language"))
            st->language = nz(x, defelem_string(d));
        else if (!strcmp(d->defname, "as"))
            st->body = nz(x, defelem_string(d));
    }
    st->body_offset = body_offset(x, st, st->body);
}

static void t_function(struct sqlx *x, const PgQuery__CreateFunctionStmt *s, struct rs_stmt *st)
{
    st->kind = RS_STMT_CREATE_FUNCTION;
    st->obj_kind = s->is_procedure ? RS_OBJ_PROCEDURE : RS_OBJ_FUNCTION;
    st->tag = s->replace ? (s->is_procedure ? "CREATE OR REPLACE PROCEDURE"
                                            : "CREATE OR REPLACE FUNCTION")
                         : (s->is_procedure ? "CREATE PROCEDURE" : "CREATE FUNCTION");
    st->or_replace = s->replace;
    sqlx_qname_from_list(x, s->funcname, s->n_funcname, &st->rel);
    body_options(x, s->options, s->n_options, st);
    const char *sig = "";
    for (size_t i = 0, k = 0; i < s->n_parameters; i++) {
        const Node *n = s->parameters[i];
        if (n->node_case != PG_QUERY__NODE__NODE_FUNCTION_PARAMETER)
            continue;
        const PgQuery__FunctionParameter *p = n->function_parameter;
        if (p->mode == PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_OUT ||
            p->mode == PG_QUERY__FUNCTION_PARAMETER_MODE__FUNC_PARAM_TABLE)
            continue;
        struct rs_type t;
        sqlx_type(x, p->arg_type, &t);
        sig = arena_printf(x->a, "%s%s%s", sig, k++ ? ", " : "", rs_type_format(x->a, &t));
    }
    st->arg_signature = sig;
}

static void t_trigger(struct sqlx *x, const PgQuery__CreateTrigStmt *s, struct rs_stmt *st)
{
    st->kind = RS_STMT_CREATE_TRIGGER;
    st->tag = "CREATE TRIGGER";
    st->obj_kind = RS_OBJ_TRIGGER;
    rangevar(x, s->relation, &st->rel);
    st->trigger_name = nz(x, s->trigname);
    st->or_replace = s->replace;
    sqlx_qname_from_list(x, s->funcname, s->n_funcname, &st->function);
}

static void t_set(struct sqlx *x, const PgQuery__VariableSetStmt *s, struct rs_stmt *st)
{
    st->kind = RS_STMT_SET;
    st->tag = s->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_RESET ||
                      s->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_RESET_ALL
                  ? "RESET"
                  : "SET";
    st->set_name = nz(x, s->name);
    st->set_local = s->is_local;
    if (s->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_SET_VALUE && s->n_args) {
        const char *v = "";
        for (size_t i = 0; i < s->n_args; i++) {
            const Node *a = s->args[i];
            const char *part = NULL;
            if (a->node_case == PG_QUERY__NODE__NODE_A_CONST) {
                const PgQuery__AConst *c = a->a_const;
                if (c->val_case == PG_QUERY__A__CONST__VAL_SVAL)
                    part = c->sval->sval;
                else if (c->val_case == PG_QUERY__A__CONST__VAL_IVAL)
                    part = arena_printf(x->a, "%d", c->ival->ival);
                else if (c->val_case == PG_QUERY__A__CONST__VAL_FVAL)
                    part = c->fval->fval;
            }
            if (part)
                v = arena_printf(x->a, "%s%s%s", v, i ? ", " : "", part);
        }
        st->set_value = v;
    }
}

static void t_tx(const PgQuery__TransactionStmt *s, struct rs_stmt *st)
{
    st->kind = RS_STMT_TRANSACTION;
    switch (s->kind) {
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_BEGIN:
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_START:
        st->tx = RS_TXK_BEGIN;
        st->tag = "BEGIN";
        break;
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT:
        st->tx = RS_TXK_COMMIT;
        st->tag = "COMMIT";
        break;
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK:
        st->tx = RS_TXK_ROLLBACK;
        st->tag = "ROLLBACK";
        break;
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_SAVEPOINT:
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_RELEASE:
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK_TO:
        st->tx = RS_TXK_SAVEPOINT;
        st->tag = "SAVEPOINT";
        break;
    default:
        st->tx = RS_TXK_OTHER;
        st->tag = "transaction statement";
        break;
    }
}

/* The query of a SELECT made up on the stack (SELECT targets FROM from, with the CTEs of with),
   through which DML statements borrow sqlx_query's resolution of relations and CTEs. Any of
   the lists may be empty; nothing of them is kept but what sqlx_query copies into x's arena. */
static struct rs_query *synthetic_select(struct sqlx *x, Node **from, size_t nfrom,
                                         Node *const *targets, size_t ntargets,
                                         PgQuery__WithClause *with)
{
    Node sel = PG_QUERY__NODE__INIT;
    PgQuery__SelectStmt s = PG_QUERY__SELECT_STMT__INIT;
    s.op = PG_QUERY__SET_OPERATION__SETOP_NONE;
    s.n_from_clause = nfrom;
    s.from_clause = from;
    s.n_target_list = ntargets;
    s.target_list = (Node **)targets;
    s.with_clause = with;
    sel.node_case = PG_QUERY__NODE__NODE_SELECT_STMT;
    sel.select_stmt = &s;
    return sqlx_query(x, &sel);
}

/* A RangeVar node around rv (which may be NULL), for a synthetic_select FROM list. */
static Node rangevar_node(const PgQuery__RangeVar *rv)
{
    Node n = PG_QUERY__NODE__INIT;
    n.node_case = PG_QUERY__NODE__NODE_RANGE_VAR;
    n.range_var = (PgQuery__RangeVar *)rv;
    return n;
}

/* The relation written to by INSERT / UPDATE / DELETE, as the first FROM item of st->query. */
static struct rs_query *dml_query(struct sqlx *x, const PgQuery__RangeVar *rv,
                                  Node *const *extra, size_t nextra)
{
    Node rvn = rangevar_node(rv);
    Node *from[64];
    size_t nf = 0;
    if (rv)
        from[nf++] = &rvn;
    for (size_t i = 0; i < nextra && nf < 64; i++)
        from[nf++] = extra[i];
    return synthetic_select(x, from, nf, NULL, 0, NULL);
}

static struct rs_query *returning_query(struct sqlx *x, const PgQuery__RangeVar *rv,
                                        Node *const *list, size_t n)
{
    if (!n)
        return NULL;
    Node rvn = rangevar_node(rv);
    Node *from[1] = {&rvn};
    return synthetic_select(x, from, rv ? 1 : 0, list, n, NULL);
}

static void t_insert(struct sqlx *x, const PgQuery__InsertStmt *s, struct rs_stmt *st)
{
    st->kind = RS_STMT_INSERT;
    st->tag = "INSERT";
    rangevar(x, s->relation, &st->rel);
    st->insert_has_column_list = s->n_cols > 0;
    st->assignments = s->n_cols ? arena_alloc(x->a, s->n_cols * sizeof(*st->assignments)) : NULL;
    for (size_t i = 0; i < s->n_cols; i++) {
        if (s->cols[i]->node_case != PG_QUERY__NODE__NODE_RES_TARGET)
            continue;
        struct rs_assignment *as = &st->assignments[st->nassignments++];
        as->column = nz(x, s->cols[i]->res_target->name);
        as->location = sqlx_loc(x, s->cols[i]->res_target->location);
    }
    if (s->select_stmt) {
        st->query = sqlx_query(x, s->select_stmt);
        /* Single-row VALUES: attach each value to its column. */
        const PgQuery__SelectStmt *sel = s->select_stmt->select_stmt;
        if (s->select_stmt->node_case == PG_QUERY__NODE__NODE_SELECT_STMT && sel &&
            sel->n_values_lists >= 1) {
            for (size_t r = 0; r < sel->n_values_lists; r++) {
                const Node *row = sel->values_lists[r];
                if (row->node_case != PG_QUERY__NODE__NODE_LIST)
                    continue;
                for (size_t i = 0; i < row->list->n_items && i < st->nassignments; i++) {
                    if (r == 0)
                        st->assignments[i].value = sqlx_expr(x, row->list->items[i]);
                }
            }
        }
    } else {
        st->insert_default_values = true;
    }
    if (s->with_clause && st->query) {
        /* CTEs of INSERT: resolve them like those of a SELECT. */
        struct rs_query *w = synthetic_select(x, NULL, 0, NULL, 0, s->with_clause);
        st->query->ctes = w->ctes;
        st->query->nctes = w->nctes;
    }
    if (s->on_conflict_clause) {
        st->on_conflict = true;
        const PgQuery__InferClause *inf = s->on_conflict_clause->infer;
        if (inf) {
            st->on_conflict_constraint = nz(x, inf->conname);
            st->on_conflict_columns = index_key_names(x, inf->index_elems, inf->n_index_elems,
                                                      &st->non_conflict_columns);
        }
    }
    st->returning = returning_query(x, s->relation, SQLX_RETURNING(s), SQLX_NRETURNING(s));
}

static void t_update(struct sqlx *x, const PgQuery__UpdateStmt *s, struct rs_stmt *st)
{
    st->kind = RS_STMT_UPDATE;
    st->tag = "UPDATE";
    rangevar(x, s->relation, &st->rel);
    st->only = s->relation && !s->relation->inh;
    st->has_where = s->where_clause != NULL;
    if (s->where_clause)
        st->where = sqlx_expr(x, s->where_clause);
    st->query = dml_query(x, s->relation, s->from_clause, s->n_from_clause);
    sqlx_query_add_refs_from_expr(x, st->query, s->where_clause);
    st->assignments =
        s->n_target_list ? arena_alloc(x->a, s->n_target_list * sizeof(*st->assignments)) : NULL;
    for (size_t i = 0; i < s->n_target_list; i++) {
        if (s->target_list[i]->node_case != PG_QUERY__NODE__NODE_RES_TARGET)
            continue;
        const PgQuery__ResTarget *rt = s->target_list[i]->res_target;
        struct rs_assignment *as = &st->assignments[st->nassignments++];
        as->column = nz(x, rt->name);
        as->location = sqlx_loc(x, rt->location);
        as->value = sqlx_expr(x, rt->val);
        sqlx_query_add_refs_from_expr(x, st->query, rt->val);
    }
    st->returning = returning_query(x, s->relation, SQLX_RETURNING(s), SQLX_NRETURNING(s));
}

static void t_delete(struct sqlx *x, const PgQuery__DeleteStmt *s, struct rs_stmt *st)
{
    st->kind = RS_STMT_DELETE;
    st->tag = "DELETE";
    rangevar(x, s->relation, &st->rel);
    st->has_where = s->where_clause != NULL;
    if (s->where_clause)
        st->where = sqlx_expr(x, s->where_clause);
    st->query = dml_query(x, s->relation, s->using_clause, s->n_using_clause);
    sqlx_query_add_refs_from_expr(x, st->query, s->where_clause);
    st->returning = returning_query(x, s->relation, SQLX_RETURNING(s), SQLX_NRETURNING(s));
}

static void t_truncate(struct sqlx *x, const PgQuery__TruncateStmt *s, struct rs_stmt *st)
{
    st->kind = RS_STMT_TRUNCATE;
    st->tag = "TRUNCATE";
    st->cascade = s->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE;
    st->truncate_rels =
        s->n_relations ? arena_alloc(x->a, s->n_relations * sizeof(*st->truncate_rels)) : NULL;
    for (size_t i = 0; i < s->n_relations; i++)
        if (s->relations[i]->node_case == PG_QUERY__NODE__NODE_RANGE_VAR)
            rangevar(x, s->relations[i]->range_var, &st->truncate_rels[st->ntruncate_rels++]);
    if (st->ntruncate_rels)
        st->rel = st->truncate_rels[0];
}

static void t_select(struct sqlx *x, const Node *n, struct rs_stmt *st)
{
    const PgQuery__SelectStmt *s = n->select_stmt;
    if (s->into_clause) {
        st->kind = RS_STMT_CREATE_TABLE_AS;
        st->tag = "SELECT INTO";
        st->obj_kind = RS_OBJ_TABLE;
        rangevar(x, s->into_clause->rel, &st->rel);
    } else {
        st->kind = RS_STMT_SELECT;
        st->tag = "SELECT";
    }
    st->query = sqlx_query(x, n);
}

static void t_do(struct sqlx *x, const PgQuery__DoStmt *s, struct rs_stmt *st)
{
    st->kind = RS_STMT_DO;
    st->tag = "DO";
    body_options(x, s->args, s->n_args, st);
    if (st->body) {
        struct rs_body_summary *b = arena_alloc(x->a, sizeof(*b));
        rs_sql_body_summary(x->a, st->language, st->body, b);
        st->do_summary = b;
    }
}

static void t_set_schema(struct sqlx *x, const PgQuery__AlterObjectSchemaStmt *s,
                         struct rs_stmt *st)
{
    st->kind = RS_STMT_SET_SCHEMA;
    st->obj_kind = obj_kind(s->object_type);
    st->tag = arena_printf(x->a, "ALTER %s ... SET SCHEMA", kind_upper(x, st->obj_kind));
    if (s->relation)
        rangevar(x, s->relation, &st->rel);
    else
        object_name(x, s->object, &st->rel);
    st->newname = nz(x, s->newschema);
    st->if_exists = s->missing_ok;
}

/* ---------------------------------------------------------------- dispatch */

void sqlx_translate(struct sqlx *x, const Node *n, struct rs_stmt *st)
{
    st->body_offset = -1;
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_CREATE_STMT:
        t_create_table(x, n->create_stmt, st);
        break;
    case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
        t_alter_table(x, n->alter_table_stmt, st);
        break;
    case PG_QUERY__NODE__NODE_RENAME_STMT:
        t_rename(x, n->rename_stmt, st);
        break;
    case PG_QUERY__NODE__NODE_DROP_STMT:
        t_drop(x, n->drop_stmt, st);
        break;
    case PG_QUERY__NODE__NODE_INDEX_STMT:
        t_index(x, n->index_stmt, st);
        break;
    case PG_QUERY__NODE__NODE_VIEW_STMT:
        t_view(x, n->view_stmt, st);
        break;
    case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT:
        t_table_as(x, n->create_table_as_stmt, st);
        break;
    case PG_QUERY__NODE__NODE_CREATE_ENUM_STMT:
        t_enum(x, n->create_enum_stmt, st);
        break;
    case PG_QUERY__NODE__NODE_ALTER_ENUM_STMT:
        t_alter_enum(x, n->alter_enum_stmt, st);
        break;
    case PG_QUERY__NODE__NODE_COMPOSITE_TYPE_STMT:
        t_composite(x, n->composite_type_stmt, st);
        break;
    case PG_QUERY__NODE__NODE_CREATE_RANGE_STMT:
    case PG_QUERY__NODE__NODE_DEFINE_STMT:
        st->kind = RS_STMT_CREATE_TYPE;
        st->tag = "CREATE TYPE";
        st->obj_kind = RS_OBJ_TYPE;
        if (n->node_case == PG_QUERY__NODE__NODE_CREATE_RANGE_STMT)
            sqlx_qname_from_list(x, n->create_range_stmt->type_name,
                                 n->create_range_stmt->n_type_name, &st->rel);
        else
            sqlx_qname_from_list(x, n->define_stmt->defnames, n->define_stmt->n_defnames,
                                 &st->rel);
        break;
    case PG_QUERY__NODE__NODE_CREATE_DOMAIN_STMT:
        t_domain(x, n->create_domain_stmt, st);
        break;
    case PG_QUERY__NODE__NODE_ALTER_DOMAIN_STMT:
        t_alter_domain(x, n->alter_domain_stmt, st);
        break;
    case PG_QUERY__NODE__NODE_CREATE_SEQ_STMT:
        st->kind = RS_STMT_CREATE_SEQUENCE;
        st->tag = "CREATE SEQUENCE";
        st->obj_kind = RS_OBJ_SEQUENCE;
        rangevar(x, n->create_seq_stmt->sequence, &st->rel);
        st->if_not_exists = n->create_seq_stmt->if_not_exists;
        break;
    case PG_QUERY__NODE__NODE_ALTER_SEQ_STMT:
        st->kind = RS_STMT_ALTER_SEQUENCE;
        st->tag = "ALTER SEQUENCE";
        st->obj_kind = RS_OBJ_SEQUENCE;
        rangevar(x, n->alter_seq_stmt->sequence, &st->rel);
        st->if_exists = n->alter_seq_stmt->missing_ok;
        break;
    case PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT:
        t_function(x, n->create_function_stmt, st);
        break;
    case PG_QUERY__NODE__NODE_CREATE_TRIG_STMT:
        t_trigger(x, n->create_trig_stmt, st);
        break;
    case PG_QUERY__NODE__NODE_CREATE_SCHEMA_STMT:
        st->kind = RS_STMT_CREATE_SCHEMA;
        st->tag = "CREATE SCHEMA";
        st->obj_kind = RS_OBJ_SCHEMA;
        st->rel.name = nz(x, n->create_schema_stmt->schemaname);
        st->if_not_exists = n->create_schema_stmt->if_not_exists;
        break;
    case PG_QUERY__NODE__NODE_CREATE_EXTENSION_STMT:
        st->kind = RS_STMT_CREATE_EXTENSION;
        st->tag = "CREATE EXTENSION";
        st->obj_kind = RS_OBJ_EXTENSION;
        st->rel.name = nz(x, n->create_extension_stmt->extname);
        st->if_not_exists = n->create_extension_stmt->if_not_exists;
        break;
    case PG_QUERY__NODE__NODE_VARIABLE_SET_STMT:
        t_set(x, n->variable_set_stmt, st);
        break;
    case PG_QUERY__NODE__NODE_TRANSACTION_STMT:
        t_tx(n->transaction_stmt, st);
        break;
    case PG_QUERY__NODE__NODE_INSERT_STMT:
        t_insert(x, n->insert_stmt, st);
        break;
    case PG_QUERY__NODE__NODE_UPDATE_STMT:
        t_update(x, n->update_stmt, st);
        break;
    case PG_QUERY__NODE__NODE_DELETE_STMT:
        t_delete(x, n->delete_stmt, st);
        break;
    case PG_QUERY__NODE__NODE_TRUNCATE_STMT:
        t_truncate(x, n->truncate_stmt, st);
        break;
    case PG_QUERY__NODE__NODE_SELECT_STMT:
        t_select(x, n, st);
        break;
    case PG_QUERY__NODE__NODE_DO_STMT:
        t_do(x, n->do_stmt, st);
        break;
    case PG_QUERY__NODE__NODE_ALTER_OBJECT_SCHEMA_STMT:
        t_set_schema(x, n->alter_object_schema_stmt, st);
        break;
    case PG_QUERY__NODE__NODE_COMMENT_STMT:
        st->kind = RS_STMT_COMMENT;
        st->tag = "COMMENT";
        break;
    case PG_QUERY__NODE__NODE_GRANT_STMT:
        st->kind = RS_STMT_GRANT;
        st->tag = n->grant_stmt->is_grant ? "GRANT" : "REVOKE";
        st->revoke = !n->grant_stmt->is_grant;
        break;
    case PG_QUERY__NODE__NODE_GRANT_ROLE_STMT:
    case PG_QUERY__NODE__NODE_ALTER_DEFAULT_PRIVILEGES_STMT:
        st->kind = RS_STMT_GRANT;
        st->tag = "GRANT";
        break;
    case PG_QUERY__NODE__NODE_REINDEX_STMT: {
        const PgQuery__ReindexStmt *r = n->reindex_stmt;
        st->kind = RS_STMT_REINDEX;
        st->tag = "REINDEX";
        rangevar(x, r->relation, &st->rel);
        st->reindex_kind = r->kind == PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_INDEX
                               ? "index"
                               : r->kind == PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_TABLE
                                     ? "table"
                                     : "schema or database";
        for (size_t i = 0; i < r->n_params; i++)
            if (r->params[i]->node_case == PG_QUERY__NODE__NODE_DEF_ELEM &&
                !strcmp(r->params[i]->def_elem->defname, "concurrently"))
                st->concurrently = true;
        break;
    }
    case PG_QUERY__NODE__NODE_VACUUM_STMT: {
        const PgQuery__VacuumStmt *v = n->vacuum_stmt;
        st->kind = v->is_vacuumcmd ? RS_STMT_VACUUM : RS_STMT_ANALYZE;
        st->tag = v->is_vacuumcmd ? "VACUUM" : "ANALYZE";
        for (size_t i = 0; i < v->n_options; i++)
            if (v->options[i]->node_case == PG_QUERY__NODE__NODE_DEF_ELEM &&
                !strcmp(v->options[i]->def_elem->defname, "full"))
                st->vacuum_full = true;
        if (v->n_rels && v->rels[0]->node_case == PG_QUERY__NODE__NODE_VACUUM_RELATION)
            rangevar(x, v->rels[0]->vacuum_relation->relation, &st->rel);
        break;
    }
    case PG_QUERY__NODE__NODE_CLUSTER_STMT:
        st->kind = RS_STMT_CLUSTER;
        st->tag = "CLUSTER";
        rangevar(x, n->cluster_stmt->relation, &st->rel);
        break;
    case PG_QUERY__NODE__NODE_REFRESH_MAT_VIEW_STMT:
        st->kind = RS_STMT_REFRESH_MATVIEW;
        st->tag = "REFRESH MATERIALIZED VIEW";
        st->concurrently = n->refresh_mat_view_stmt->concurrent;
        st->with_no_data = n->refresh_mat_view_stmt->skip_data;
        rangevar(x, n->refresh_mat_view_stmt->relation, &st->rel);
        break;
    case PG_QUERY__NODE__NODE_LOCK_STMT: {
        static const char *const modes[] = {
            "", "ACCESS SHARE", "ROW SHARE", "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE",
            "SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE"};
        const PgQuery__LockStmt *l = n->lock_stmt;
        st->kind = RS_STMT_LOCK;
        st->tag = "LOCK TABLE";
        st->lock_mode = l->mode >= 1 && l->mode <= 8 ? modes[l->mode] : "ACCESS EXCLUSIVE";
        if (l->n_relations && l->relations[0]->node_case == PG_QUERY__NODE__NODE_RANGE_VAR)
            rangevar(x, l->relations[0]->range_var, &st->rel);
        break;
    }
    case PG_QUERY__NODE__NODE_CREATE_POLICY_STMT:
        st->kind = RS_STMT_CREATE_POLICY;
        st->tag = "CREATE POLICY";
        rangevar(x, n->create_policy_stmt->table, &st->rel);
        break;
    case PG_QUERY__NODE__NODE_CALL_STMT:
        st->kind = RS_STMT_CALL;
        st->tag = "CALL";
        if (n->call_stmt->funccall)
            sqlx_qname_from_list(x, n->call_stmt->funccall->funcname,
                                 n->call_stmt->funccall->n_funcname, &st->function);
        break;
    default:
        st->kind = RS_STMT_OTHER;
        st->tag = arena_strdup(x->a, protobuf_c_message_descriptor_get_field(
                                         &pg_query__node__descriptor, n->node_case)
                                         ? protobuf_c_message_descriptor_get_field(
                                               &pg_query__node__descriptor, n->node_case)
                                               ->name
                                         : "statement");
        break;
    }
}
