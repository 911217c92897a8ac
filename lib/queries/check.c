/*
 * check.c - one application version's queries against one migration.
 *
 * A query concerns a migration when it names a relation the migration changes. Such a query is
 * resolved against the schema before and after the migration (problems.c); a problem on one
 * schema that the other does not have is the migration's doing. For the previous version (N-1)
 * the problems after the migration are findings (previous-query-breaks); for the next version
 * (N) the problems before it (next-query-breaks). The statement responsible is found by
 * replaying the migration one statement (one ALTER TABLE command) at a time on a copy of the
 * schema until the problem appears (N-1) or disappears (N).
 *
 * For N-1 it also takes back what the drop and rename rules can only assume: a dropped or
 * renamed object that no N-1 query uses does not break N-1.
 *
 * Memory: models, replays and problems live in a scratch arena freed before returning; findings
 * and their messages go to the emitter's arena (the run's). The models given are never changed.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "catalog/apply.h"
#include "internal.h"

typedef VEC(const char *) name_vec;

/* A problem of one query that the migration makes the difference for. */
struct hit {
    size_t query;
    struct rs_qproblem p;
    bool appears;                   /* the migration brings the problem (else removes it) */
    bool own;                       /* version N fails on its own schema (after the migration) */
    const struct rs_stmt *st;       /* the statement responsible, NULL when not found */
    const struct rs_alter_cmd *cmd; /* its ALTER TABLE command */
};

struct qcheck {
    struct arena *tmp;
    const struct rs_queries_ctx *ctx;
    struct rs_queries *qs;
    struct rs_stmt_list stmts;
    bool parsed;
    VEC(struct hit) hits;
};

static bool streq(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* ---------------------------------------------------------------- what the migration changes */

static bool has_name(const name_vec *v, const char *name)
{
    for (size_t i = 0; i < v->n; i++)
        if (streq(v->v[i], name))
            return true;
    return false;
}

static void add_name(struct arena *a, name_vec *v, const char *name)
{
    if (name && !has_name(v, name))
        *VEC_PUSH(a, v) = name;
}

/* Same type; a view column whose type rollsafe does not know has no name. */
static bool type_same(const struct rs_type *x, const struct rs_type *y)
{
    if (!x->name || !y->name)
        return x->name == y->name;
    return rs_type_equal(x, y);
}

static bool typeobj_same(const struct rs_typeobj *x, const struct rs_typeobj *y)
{
    if (!x || !y)
        return x == y;
    if (x->kind != y->kind || x->labels.n != y->labels.n || x->has_constraint != y->has_constraint)
        return false;
    if (x->kind == RS_TYPEOBJ_DOMAIN && !type_same(&x->base, &y->base))
        return false;
    for (size_t i = 0; i < x->labels.n; i++)
        if (!streq(x->labels.v[i], y->labels.v[i]))
            return false;
    return true;
}

static const struct rs_typeobj *type_of(const struct rs_model *m, const struct rs_type *t)
{
    if (!t->name || rs_type_is_builtin(t))
        return NULL;
    struct rs_qname q = {t->schema, t->name};
    return rs_model_type(m, &q);
}

static bool indexes_same(const struct rs_model *ma, const struct rs_model *mb,
                         const struct rs_qname *table)
{
    const struct rs_index *xa[64], *xb[64];
    size_t na = rs_model_table_indexes(ma, table, xa, 64);
    size_t nb = rs_model_table_indexes(mb, table, xb, 64);
    if (na != nb || na > 64)
        return false;
    for (size_t i = 0; i < na; i++) {
        if (!streq(xa[i]->name.name, xb[i]->name.name) || xa[i]->unique != xb[i]->unique ||
            xa[i]->ncolumns != xb[i]->ncolumns)
            return false;
        for (size_t k = 0; k < xa[i]->ncolumns; k++)
            if (!streq(xa[i]->columns[k], xb[i]->columns[k]))
                return false;
    }
    return true;
}

static size_t ntriggers(const struct rs_model *m, const struct rs_qname *table)
{
    size_t n = 0;
    for (size_t i = 0; i < m->triggers.n; i++)
        n += rs_qname_eq(&m->triggers.v[i]->table, table);
    return n;
}

/* Could a query on relation a (in schema ma) behave differently on b (in mb)? */
static bool rel_same(const struct rs_model *ma, const struct rs_relation *a,
                     const struct rs_model *mb, const struct rs_relation *b)
{
    if (a->oid != b->oid || a->kind != b->kind || a->complete != b->complete ||
        a->columns.n != b->columns.n || a->constraints.n != b->constraints.n ||
        a->deps.n != b->deps.n)
        return false;
    for (size_t i = 0; i < a->columns.n; i++) {
        const struct rs_column *x = &a->columns.v[i], *y = &b->columns.v[i];
        if (!streq(x->name, y->name) || !type_same(&x->type, &y->type) ||
            x->not_null != y->not_null || !streq(x->default_text, y->default_text) ||
            !streq(x->identity, y->identity) || !streq(x->generated_text, y->generated_text) ||
            !typeobj_same(type_of(ma, &x->type), type_of(mb, &y->type)))
            return false;
    }
    for (size_t i = 0; i < a->constraints.n; i++) {
        const struct rs_constraint *x = &a->constraints.v[i], *y = &b->constraints.v[i];
        if (!streq(x->name, y->name) || x->kind != y->kind || x->ncolumns != y->ncolumns)
            return false;
        for (size_t k = 0; k < x->ncolumns; k++)
            if (!streq(x->columns[k], y->columns[k]))
                return false;
    }
    for (size_t i = 0; i < a->deps.n; i++)
        if (!rs_qname_eq(&a->deps.v[i].rel, &b->deps.v[i].rel))
            return false;
    return indexes_same(ma, mb, &a->name) && ntriggers(ma, &a->name) == ntriggers(mb, &b->name);
}

/* Names (without schema) of the relations that differ between the two schemas, and of the
   views that read them. */
static void changed_names(struct arena *a, const struct rs_model *x, const struct rs_model *y,
                          name_vec *out)
{
    const struct rs_model *side[2] = {x, y};
    for (int s = 0; s < 2; s++) {
        const struct rs_model *m = side[s], *o = side[1 - s];
        for (size_t i = 0; i < m->rels.n; i++) {
            const struct rs_relation *r = m->rels.v[i];
            const struct rs_relation *other = rs_model_rel(o, &r->name);
            if (!other || !rel_same(m, r, o, other))
                add_name(a, out, r->name.name);
        }
    }
    /* A write into a view lands in the tables it reads: a change there concerns the view. */
    for (bool grew = true; grew;) {
        grew = false;
        for (int s = 0; s < 2; s++) {
            const struct rs_model *m = side[s];
            for (size_t i = 0; i < m->rels.n; i++) {
                const struct rs_relation *v = m->rels.v[i];
                if (has_name(out, v->name.name))
                    continue;
                for (size_t k = 0; k < v->deps.n; k++)
                    if (has_name(out, v->deps.v[k].rel.name)) {
                        add_name(a, out, v->name.name);
                        grew = true;
                        break;
                    }
            }
        }
    }
}

static bool concerns(const struct rs_app_query *q, const name_vec *changed)
{
    for (size_t i = 0; i < q->nnames; i++)
        if (has_name(changed, q->names[i]))
            return true;
    return false;
}

/* ---------------------------------------------------------------- the difference */

static bool has_problem(const rs_qproblem_vec *v, const struct rs_qproblem *p)
{
    for (size_t i = 0; i < v->n; i++)
        if (rs_qproblem_same(&v->v[i], p))
            return true;
    return false;
}

/* Same object, wherever in the query: one finding per query and object. */
static bool same_object(const struct rs_qproblem *x, const struct rs_qproblem *y)
{
    return x->kind == y->kind && streq(x->rel.name, y->rel.name) && streq(x->column, y->column) &&
           streq(x->detail, y->detail) && streq(x->value, y->value);
}

/* Problems of `on` that `off` does not have; returns how many. Hits are recorded when asked,
   with what the migration does to them (appears: on is the schema after it). */
static size_t difference(struct qcheck *c, size_t qi, const rs_qproblem_vec *on,
                         const rs_qproblem_vec *off, bool record, bool appears, bool own)
{
    size_t n = 0;
    for (size_t i = 0; i < on->n; i++) {
        if (has_problem(off, &on->v[i]))
            continue;
        n++;
        if (!record)
            continue;
        bool dup = false;
        for (size_t k = 0; k < c->hits.n; k++)
            if (c->hits.v[k].query == qi && same_object(&c->hits.v[k].p, &on->v[i]))
                dup = true;
        if (dup)
            continue;
        struct hit *h = VEC_PUSH(c->tmp, &c->hits);
        h->query = qi;
        h->p = on->v[i];
        h->appears = appears;
        h->own = own;
    }
    return n;
}

/*
 * PostgreSQL stops at the first error: an INSERT that names a column that is gone never gets to
 * the NOT NULL column it now leaves out (after a rename, the same column under its new name).
 * One cause, one finding.
 */
static void drop_consequences(struct qcheck *c, size_t first)
{
    bool named = false;
    for (size_t i = first; i < c->hits.n; i++)
        named = named || (c->hits.v[i].p.writes && (c->hits.v[i].p.kind == RS_QP_NO_COLUMN ||
                                                    c->hits.v[i].p.kind == RS_QP_NO_RELATION));
    if (!named)
        return;
    size_t k = first;
    for (size_t i = first; i < c->hits.n; i++)
        if (c->hits.v[i].p.kind != RS_QP_REQUIRED)
            c->hits.v[k++] = c->hits.v[i];
    c->hits.n = k;
}

/* ---------------------------------------------------------------- replay */

static void parse_up(struct qcheck *c)
{
    if (c->parsed)
        return;
    c->parsed = true;
    if (c->ctx->m->up.src)
        rs_sql_parse_script(c->tmp, &c->ctx->m->up, &c->stmts);
}

/* Does query qi have problem p on model m? */
static bool problem_on(struct qcheck *c, const struct rs_model *m, size_t qi,
                       const struct rs_qproblem *p)
{
    rs_qproblem_vec v = {0};
    rs_query_problems(c->tmp, m, &c->qs->v.v[qi], &v);
    return has_problem(&v, p);
}

/* Finds, for every hit, the first statement (ALTER TABLE command) after which the problem is
   there (it appears) or gone. */
static void find_culprits(struct qcheck *c)
{
    parse_up(c);
    struct rs_model *m = rs_model_copy(c->tmp, c->ctx->before);
    size_t open = c->hits.n;
    for (size_t i = 0; i < c->stmts.n && open; i++) {
        const struct rs_stmt *st = &c->stmts.v[i];
        if (st->syntax_error)
            continue;
        size_t ncmds = st->kind == RS_STMT_ALTER_TABLE ? st->ncmds : 1;
        for (size_t k = 0; k < ncmds && open; k++) {
            const struct rs_alter_cmd *cmd = st->kind == RS_STMT_ALTER_TABLE ? &st->cmds[k] : NULL;
            struct rs_apply_result ar = {0};
            ar.location = -1;
            if (cmd)
                rs_apply_alter_cmd(m, st, cmd, c->ctx->mig, &ar);
            else
                rs_apply_stmt(m, st, c->ctx->mig, &ar);
            for (size_t h = 0; h < c->hits.n; h++) {
                struct hit *hit = &c->hits.v[h];
                if (hit->st)
                    continue;
                if (problem_on(c, m, hit->query, &hit->p) == hit->appears) {
                    hit->st = st;
                    hit->cmd = cmd;
                    open--;
                }
            }
        }
    }
}

/* ---------------------------------------------------------------- messages */

static const char *rel_str(struct arena *a, const struct rs_qname *q)
{
    return q->name ? rs_qname_str(a, q) : NULL;
}

static const char *col_str(struct arena *a, const struct rs_qproblem *p)
{
    const char *rel = rel_str(a, &p->rel);
    return rel ? arena_printf(a, "%s.%s", rel, p->column) : arena_printf(a, "column %s", p->column);
}

/* What the query does that fails: "reads users.username". */
static const char *what(struct arena *a, const struct rs_app_query *q, const struct rs_qproblem *p)
{
    const struct rs_stmt *st = q->st;
    const char *rel = rel_str(a, &p->rel);
    const char *verb = st->kind == RS_STMT_INSERT   ? "inserts into"
                       : st->kind == RS_STMT_UPDATE ? "updates"
                       : st->kind == RS_STMT_DELETE ? "deletes from"
                                                    : "reads";
    switch (p->kind) {
    case RS_QP_NO_RELATION:
        if (p->column)
            return arena_printf(a, "reads %s.%s, but names no such table in FROM", p->rel.name,
                                p->column);
        if (st->kind != RS_STMT_SELECT && streq(p->rel.name, st->rel.name))
            return arena_printf(a, "%s %s", verb, rel);
        return arena_printf(a, "reads %s", rel);
    case RS_QP_NO_COLUMN:
        return arena_printf(a, "%s %s", p->writes ? "writes" : "reads", col_str(a, p));
    case RS_QP_AMBIGUOUS:
        return arena_printf(a, "reads %s, which is ambiguous", col_str(a, p));
    case RS_QP_REQUIRED:
        return arena_printf(a, "does not set %s", col_str(a, p));
    case RS_QP_NULL:
        return arena_printf(a, "writes NULL into %s", col_str(a, p));
    case RS_QP_CONFLICT:
        if (!strncmp(p->detail, "ON CONSTRAINT ", 14))
            return arena_printf(a, "needs constraint %s on %s for ON CONFLICT", p->detail + 14,
                                rel);
        return arena_printf(a, "needs a unique index or constraint on %s %s for ON CONFLICT", rel,
                            p->detail);
    case RS_QP_ENUM:
        return p->writes ? arena_printf(a, "writes '%s' into %s", p->value, col_str(a, p))
                         : arena_printf(a, "compares %s with '%s'", col_str(a, p), p->value);
    case RS_QP_TOO_LONG:
        return arena_printf(a, "writes a %s-character value into %s", p->value, col_str(a, p));
    case RS_QP_RANGE:
        return arena_printf(a, "writes %s into %s", p->value, col_str(a, p));
    case RS_QP_NOT_UPDATABLE:
        return arena_printf(a, "%s %s", verb, rel);
    }
    return "fails";
}

/* What the statement responsible does to it, for N-1 (the object goes away or changes). */
static const char *verb_previous(struct arena *a, const struct hit *h)
{
    const struct rs_stmt *st = h->st;
    const struct rs_alter_cmd *cmd = h->cmd;
    switch (st->kind) {
    case RS_STMT_RENAME:
        return arena_printf(a, "renames to %s", st->newname);
    case RS_STMT_SET_SCHEMA:
        return arena_printf(a, "moves to schema %s", st->newname);
    case RS_STMT_DROP:
        return "drops";
    case RS_STMT_ALTER_ENUM:
        if (st->old_label && st->new_label)
            return arena_printf(a, "renames to '%s'", st->new_label);
        return "changes";
    case RS_STMT_CREATE_VIEW:
        if (h->p.kind == RS_QP_NO_COLUMN)
            return arena_printf(a, "leaves out of view %s", rs_qname_str(a, &st->rel));
        return "turns into a view";
    case RS_STMT_CREATE_TABLE:
    case RS_STMT_CREATE_TABLE_AS:
        /* Dropped earlier in the migration and created again, differently. */
        if (h->p.kind == RS_QP_NO_COLUMN)
            return arena_printf(a, "leaves out of the re-created table %s",
                                rs_qname_str(a, &st->rel));
        return arena_printf(a, "re-creates (table %s)", rs_qname_str(a, &st->rel));
    case RS_STMT_ALTER_TABLE:
        switch (cmd->kind) {
        case RS_AT_DROP_COLUMN:
        case RS_AT_DROP_CONSTRAINT:
            return "drops";
        case RS_AT_ALTER_TYPE:
            return arena_printf(a, "changes to %s", rs_type_format(a, &cmd->type));
        case RS_AT_SET_NOT_NULL:
            return "makes NOT NULL";
        case RS_AT_ADD_COLUMN:
            return h->p.kind == RS_QP_REQUIRED ? "adds as NOT NULL without a default" : "adds";
        case RS_AT_DROP_DEFAULT:
            return "leaves without a default";
        case RS_AT_ADD_CONSTRAINT:
            return "constrains";
        default:
            return arena_printf(a, "changes (%s)", cmd->what ? cmd->what : "ALTER TABLE");
        }
    default:
        return arena_printf(a, "changes (%s)", st->tag);
    }
}

/* What the statement responsible does, for N (the object N needs comes into being). */
static const char *verb_next(struct arena *a, const struct hit *h)
{
    const struct rs_stmt *st = h->st;
    const struct rs_alter_cmd *cmd = h->cmd;
    switch (st->kind) {
    case RS_STMT_RENAME:
        return arena_printf(a, "creates by renaming %s",
                            st->subname ? st->subname : rs_qname_str(a, &st->rel));
    case RS_STMT_SET_SCHEMA:
        return arena_printf(a, "moves into schema %s", st->newname);
    case RS_STMT_ALTER_ENUM:
        if (st->old_label && st->new_label)
            return arena_printf(a, "creates by renaming '%s'", st->old_label);
        return "adds";
    case RS_STMT_CREATE_TABLE:
    case RS_STMT_CREATE_TABLE_AS:
    case RS_STMT_CREATE_VIEW:
    case RS_STMT_CREATE_MATVIEW:
    case RS_STMT_CREATE_INDEX:
    case RS_STMT_CREATE_ENUM:
    case RS_STMT_CREATE_TYPE:
        return "creates";
    case RS_STMT_DROP:
        return "drops";
    case RS_STMT_ALTER_TABLE:
        switch (cmd->kind) {
        case RS_AT_ADD_COLUMN:
        case RS_AT_ADD_CONSTRAINT:
            return "adds";
        case RS_AT_ALTER_TYPE:
            return arena_printf(a, "changes to %s", rs_type_format(a, &cmd->type));
        case RS_AT_DROP_NOT_NULL:
            return "makes nullable";
        case RS_AT_SET_DEFAULT:
            return "gives a default";
        case RS_AT_DROP_COLUMN:
        case RS_AT_DROP_CONSTRAINT:
            return "drops";
        default:
            return arena_printf(a, "changes (%s)", cmd->what ? cmd->what : "ALTER TABLE");
        }
    default:
        return arena_printf(a, "changes (%s)", st->tag);
    }
}

static int failure_mode(const struct hit *h)
{
    switch (h->p.kind) {
    case RS_QP_ENUM:
        return 3;
    case RS_QP_TOO_LONG:
    case RS_QP_RANGE:
        return 2;
    case RS_QP_REQUIRED:
    case RS_QP_NULL:
        return 4;
    case RS_QP_CONFLICT:
        return 0; /* a unique index is not a column */
    default:
        break;
    }
    if (!h->st)
        return 0;
    if (h->st->kind == RS_STMT_RENAME || h->st->kind == RS_STMT_SET_SCHEMA ||
        h->st->kind == RS_STMT_CREATE_VIEW)
        return 5; /* a view created by the migration is a rename's bridge */
    if (h->st->kind == RS_STMT_DROP || (h->cmd && h->cmd->kind == RS_AT_DROP_COLUMN))
        return 1;
    return 0;
}

static const char *help_previous(const struct hit *h, int mode)
{
    switch (h->p.kind) {
    case RS_QP_REQUIRED:
    case RS_QP_NULL:
        return "Give the column a default (or keep it nullable) until no running version leaves "
               "it out; make it required in a later release, after the backfill.";
    case RS_QP_TOO_LONG:
    case RS_QP_RANGE:
        return "Narrow the type only once every running version writes values that fit; until "
               "then keep the wider type and validate in the application.";
    case RS_QP_ENUM:
        return "Keep the value until no running version uses it: add the new value alongside, "
               "move the rows, and remove the old one in a later release.";
    case RS_QP_CONFLICT:
        return "Create the replacement unique index before dropping the old one, and keep one "
               "that matches N-1's ON CONFLICT target until N-1 is gone.";
    case RS_QP_NOT_UPDATABLE:
        return "Make the bridge a simple view over one table (PostgreSQL writes through it), or "
               "give the view INSTEAD OF triggers.";
    default:
        break;
    }
    if (h->st && h->st->kind == RS_STMT_CREATE_VIEW)
        return "Show every column N-1 uses in the view, under the name N-1 uses "
               "(new_name AS old_name).";
    if (mode == 5)
        return "Bridge the rename until N-1 is gone: a view under the old name (a simple view is "
               "writable too), or the old column kept in sync by a trigger.";
    if (mode == 1)
        return "Ship a version that no longer uses it first, and drop it in a later release.";
    return NULL;
}

/* Length of the name at text offset off: identifier characters, dots and quotes. */
static size_t token_len(const char *t, size_t len, size_t off)
{
    size_t e = off;
    bool quoted = false;
    while (e < len) {
        unsigned char ch = (unsigned char)t[e];
        if (ch == '"')
            quoted = !quoted;
        else if (!quoted && !(isalnum(ch) || ch == '_' || ch == '$' || ch == '.' || ch >= 0x80))
            break;
        else if (ch == '\n')
            break;
        e++;
    }
    return e > off ? e - off : 1;
}

/* Puts the finding at the problem's place in the query file. */
static void place(struct rs_finding *f, const struct rs_app_query *q, const struct rs_qproblem *p)
{
    const struct rs_stmt *st = q->st;
    size_t begin, end;
    if (p->location >= 0 && (size_t)p->location >= st->offset &&
        (size_t)p->location < st->offset + st->len) {
        begin = (size_t)p->location;
        end = begin + token_len(q->text, st->offset + st->len, begin);
    } else {
        begin = st->offset;
        end = begin;
        while (end < st->offset + st->len && q->text[end] != '\n')
            end++;
    }
    f->src = q->src;
    f->path = q->src->path;
    f->offset = rs_app_query_file_offset(q, begin);
    size_t fend = rs_app_query_file_offset(q, end);
    f->length = fend > f->offset ? fend - f->offset : 1;
    rs_source_position(q->src, f->offset, &f->line, &f->column);
}

static const char *const mode_names[] = {NULL,
                                         "column removal breaks rollback",
                                         "type narrowing breaks older writes",
                                         "enum value expansion",
                                         "NOT NULL before backfill",
                                         "rename without a compatibility bridge"};

static void emit(struct qcheck *c, const struct hit *h)
{
    const struct rs_queries_ctx *ctx = c->ctx;
    struct arena *a = ctx->arena;
    const struct rs_app_query *q = &c->qs->v.v[h->query];
    const bool next = ctx->next;
    int qline, qcol;
    rs_source_position(q->src, rs_app_query_file_offset(q, q->st->offset), &qline, &qcol);
    const char *where = arena_printf(a, "`%s` (%s:%d)", q->oneline, q->src->path, qline);
    struct rs_qproblem p = h->p;
    if (!p.rel.name && p.column && h->st &&
        (h->st->kind == RS_STMT_ALTER_TABLE || h->st->kind == RS_STMT_RENAME))
        p.rel = h->st->rel; /* an unqualified column among several tables: the culprit's */
    const char *did = what(a, q, &p);
    const char *mig = ctx->m->id;
    const char *because;
    if (h->st) {
        int line = h->st->line;
        if (h->cmd && h->cmd->location >= 0 && ctx->m->up.src) {
            int col;
            rs_source_position(ctx->m->up.src, (size_t)h->cmd->location, &line, &col);
        }
        because = arena_printf(a, ", which migration %s %s at line %d", mig,
                               h->appears ? verb_previous(a, h) : verb_next(a, h), line);
    } else {
        because = arena_printf(a, ", which fails on the schema %s migration %s",
                               h->appears ? "after" : "before", mig);
    }
    const char *why = "";
    if (h->p.kind == RS_QP_NOT_UPDATABLE)
        why = arena_printf(a, ": %s", h->p.detail);
    else if (h->p.kind == RS_QP_ENUM && !(h->st && h->st->kind == RS_STMT_ALTER_ENUM))
        why = arena_printf(a, " ('%s' is not a value of %s%s)", h->p.value, h->p.type,
                           next ? " before it" : " after it");
    const char *tail = !next    ? ""
                       : h->own ? ": version N fails on the schema after this migration too"
                                : ": version N fails on the schema before this migration (N "
                                  "deployed first, or the migration rolled back while N runs)";
    const char *msg = arena_printf(a, "%s %s%s%s%s", where, did, because, why, tail);
    int mode = next ? 0 : failure_mode(h);
    const char *help = !next    ? help_previous(h, mode)
                       : h->own ? "Keep what version N uses until a later release, or stop using "
                                  "it in N."
                                : NULL;
    struct rs_finding *f = rs_emitter_add(
        ctx->emitter, next ? &rs_rule_next_query_breaks : &rs_rule_previous_query_breaks, NULL, -1,
        help, msg);
    place(f, q, &h->p);
    f->stmt = h->st ? h->st->index : 0; /* approvals above that statement cover the finding */
    if (mode) {
        f->failure_mode = mode;
        f->failure_mode_name = mode_names[mode];
    }
}

/* ---------------------------------------------------------------- N-1 does not use it */

struct use {
    unsigned oid;       /* relation in the schema before the migration */
    const char *column; /* NULL: the relation itself */
    size_t query;
};

struct usage {
    bool built;
    VEC(struct use) v;
    VEC(size_t) uncertain; /* queries rollsafe could not fully resolve (searched by name) */
    size_t current;        /* the query being added */
};

static void add_use(struct arena *a, struct usage *u, const struct rs_relation *r, const char *col,
                    const struct rs_model *m, int depth)
{
    if (!r)
        return;
    struct use *x = VEC_PUSH(a, &u->v);
    x->oid = r->oid;
    x->column = col;
    x->query = u->current;
    /* Reading a view reads what the view reads. */
    if (rs_rel_is_view(r) && depth < 16)
        for (size_t i = 0; i < r->deps.n; i++)
            add_use(a, u, rs_model_rel(m, &r->deps.v[i].rel), r->deps.v[i].column, m, depth + 1);
}

static bool has_function_item(const struct rs_query *q, int depth)
{
    if (!q || depth > 64)
        return false;
    for (size_t i = 0; i < q->nfrom; i++)
        if (q->from[i].is_function || has_function_item(q->from[i].subquery, depth + 1))
            return true;
    for (size_t i = 0; i < q->nchildren; i++)
        if (has_function_item(q->children[i], depth + 1))
            return true;
    for (size_t i = 0; i < q->nctes; i++)
        if (has_function_item(q->ctes[i].query, depth + 1))
            return true;
    return has_function_item(q->set_left, depth + 1) || has_function_item(q->set_right, depth + 1);
}

static bool use_query(struct qcheck *c, struct usage *u, const struct rs_query *q)
{
    if (!q)
        return true;
    const struct rs_model *m = c->ctx->before;
    struct rs_resolved res;
    rs_resolve_query(c->tmp, m, q, &res);
    for (size_t i = 0; i < res.deps.n; i++)
        add_use(c->tmp, u, rs_model_rel(m, &res.deps.v[i].rel), res.deps.v[i].column, m, 0);
    return !res.opaque && !has_function_item(q, 0);
}

static void build_usage(struct qcheck *c, struct usage *u)
{
    if (u->built)
        return;
    u->built = true;
    const struct rs_model *m = c->ctx->before;
    for (size_t qi = 0; qi < c->qs->v.n; qi++) {
        const struct rs_app_query *q = &c->qs->v.v[qi];
        const struct rs_stmt *st = q->st;
        bool sure = true;
        u->current = qi;
        for (size_t i = 0; i < q->nnames; i++) {
            struct rs_qname n = {NULL, q->names[i]};
            const struct rs_relation *r = rs_model_rel(m, &n);
            add_use(c->tmp, u, r, NULL, m, 0);
            sure = sure && r; /* a schema-qualified name, or a relation the model lacks */
        }
        const struct rs_relation *target =
            st->kind != RS_STMT_SELECT ? rs_model_rel(m, &st->rel) : NULL;
        for (size_t i = 0; target && i < st->nassignments; i++)
            add_use(c->tmp, u, target, st->assignments[i].column, m, 0);
        for (size_t i = 0; target && i < st->non_conflict_columns; i++)
            add_use(c->tmp, u, target, st->on_conflict_columns[i], m, 0);
        sure = use_query(c, u, st->query) && sure;
        sure = use_query(c, u, st->returning) && sure;
        if (!sure)
            *VEC_PUSH(c->tmp, &u->uncertain) = qi;
    }
}

/* Does text mention name as a whole word (case-insensitive)? */
static bool mentions(const char *text, size_t len, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; n && i + n <= len; i++) {
        if (strncasecmp(text + i, name, n))
            continue;
        bool before = i > 0 && (isalnum((unsigned char)text[i - 1]) || text[i - 1] == '_');
        bool after = i + n < len && (isalnum((unsigned char)text[i + n]) || text[i + n] == '_');
        if (!before && !after)
            return true;
    }
    return false;
}

/* Does an N-1 query use column col of r (r itself when col is NULL)? *by is the first query
   that surely does, SIZE_MAX when only a query rollsafe could not resolve may. */
static bool used(struct qcheck *c, struct usage *u, const struct rs_relation *r, const char *col,
                 size_t *by)
{
    build_usage(c, u);
    *by = SIZE_MAX;
    for (size_t i = 0; i < u->v.n; i++)
        if (u->v.v[i].oid == r->oid && (!col || streq(u->v.v[i].column, col))) {
            *by = u->v.v[i].query;
            return true;
        }
    /* What rollsafe could not resolve may use it: any mention of the name counts. */
    const char *word = col ? col : r->name.name;
    for (size_t i = 0; i < u->uncertain.n; i++) {
        const struct rs_app_query *q = &c->qs->v.v[u->uncertain.v[i]];
        if (mentions(q->text + q->st->offset, q->st->len, word))
            return true;
    }
    for (size_t i = 0; i < c->qs->unparsed_text.n; i++)
        if (mentions(c->qs->unparsed_text.v[i], strlen(c->qs->unparsed_text.v[i]), word))
            return true;
    return false;
}

/* The schema just before statement number idx (1-based) of the migration. */
static struct rs_model *model_before_stmt(struct qcheck *c, int idx)
{
    parse_up(c);
    struct rs_model *m = rs_model_copy(c->tmp, c->ctx->before);
    for (size_t i = 0; i + 1 < (size_t)idx && i < c->stmts.n; i++) {
        struct rs_apply_result ar = {0};
        if (!c->stmts.v[i].syntax_error)
            rs_apply_stmt(m, &c->stmts.v[i], c->ctx->mig, &ar);
    }
    return m;
}

/* The column (or the relation, *col NULL) a drop or rename finding is about, as it was named
   before the migration. NULL when it cannot be told. */
static const struct rs_relation *finding_object(struct qcheck *c, const struct rs_finding *f,
                                                size_t fi, const char **col)
{
    const struct rs_model *before = c->ctx->before;
    *col = NULL;
    if (!strcmp(f->rule, "rename-column")) {
        struct rs_qname q = {f->bridge.schema, f->bridge.name};
        *col = f->bridge.column;
        return f->bridge.name && f->bridge.column ? rs_model_rel(before, &q) : NULL;
    }
    if (!strcmp(f->rule, "rename-table")) {
        if (f->bridge.oid)
            return rs_model_rel_by_oid(before, f->bridge.oid);
        struct rs_qname q = {f->bridge.schema, f->bridge.name};
        return f->bridge.name ? rs_model_rel(before, &q) : NULL;
    }
    if (f->stmt < 1)
        return NULL;
    parse_up(c);
    if ((size_t)f->stmt > c->stmts.n)
        return NULL;
    const struct rs_stmt *st = &c->stmts.v[f->stmt - 1];
    struct rs_model *m = model_before_stmt(c, f->stmt);
    if (!strcmp(f->rule, "drop-column") && st->kind == RS_STMT_ALTER_TABLE) {
        const struct rs_alter_cmd *cmd = NULL;
        size_t ndrops = 0;
        for (size_t k = 0; k < st->ncmds; k++) {
            if (st->cmds[k].kind != RS_AT_DROP_COLUMN)
                continue;
            ndrops++;
            if (st->cmds[k].location >= 0 && (size_t)st->cmds[k].location == f->offset)
                cmd = &st->cmds[k];
            else if (!cmd && ndrops == 1)
                cmd = &st->cmds[k];
        }
        const struct rs_relation *r = cmd ? rs_model_rel(m, &st->rel) : NULL;
        const struct rs_column *cc = r ? rs_rel_column(r, cmd->column) : NULL;
        const struct rs_relation *br = cc ? rs_model_rel_by_oid(before, r->oid) : NULL;
        for (size_t k = 0; br && k < br->columns.n; k++)
            if (br->columns.v[k].attnum == cc->attnum) {
                *col = br->columns.v[k].name;
                return br;
            }
        return NULL;
    }
    if (!strcmp(f->rule, "drop-table") && st->kind == RS_STMT_DROP) {
        /* One finding per dropped table that existed before the migration, in order. */
        const struct rs_finding *all = c->ctx->emitter->findings.v;
        size_t nth = 0, nfind = 0;
        for (size_t i = 0; i < c->ctx->emitter->findings.n; i++)
            if (!strcmp(all[i].rule, f->rule) && all[i].stmt == f->stmt && !all[i].in_down) {
                if (i < fi)
                    nth++;
                nfind++;
            }
        const struct rs_relation *objs[64];
        size_t nobj = 0;
        for (size_t i = 0; i < st->nobjects && nobj < 64; i++) {
            const struct rs_relation *r = rs_model_rel(m, &st->objects[i]);
            if (r && r->created_mig != c->ctx->mig)
                objs[nobj++] = r;
        }
        if (nobj != nfind || nth >= nobj)
            return NULL;
        return rs_model_rel_by_oid(before, objs[nth]->oid);
    }
    return NULL;
}

static bool has_hit(const struct qcheck *c, size_t qi)
{
    for (size_t i = 0; i < c->hits.n; i++)
        if (c->hits.v[i].query == qi)
            return true;
    return false;
}

/* A drop or rename of something no N-1 query uses does not break N-1. */
static void take_back(struct qcheck *c, size_t nfindings)
{
    static const char *const rules[] = {"drop-column", "drop-table", "rename-column",
                                        "rename-table"};
    struct usage u = {0};
    struct arena *a = c->ctx->arena;
    for (size_t i = 0; i < nfindings; i++) {
        struct rs_finding *f = &c->ctx->emitter->findings.v[i];
        bool ours = false;
        for (size_t k = 0; k < sizeof(rules) / sizeof(rules[0]); k++)
            ours = ours || !strcmp(f->rule, rules[k]);
        if (!ours || f->in_down || (!f->breaks_previous && f->cls != RS_CLASS_BREAKS))
            continue;
        const char *col;
        size_t by;
        const struct rs_relation *r = finding_object(c, f, i, &col);
        if (!r)
            continue;
        const char *obj = col ? arena_printf(a, "%s.%s", rs_qname_str(a, &r->name), col)
                              : rs_qname_str(a, &r->name);
        if (used(c, &u, r, col, &by)) {
            if (col && by != SIZE_MAX && !has_hit(c, by)) {
                /* It uses it without failing (SELECT *): say who, since no finding does. */
                const struct rs_app_query *q = &c->qs->v.v[by];
                int line, column;
                rs_source_position(q->src, rs_app_query_file_offset(q, q->st->offset), &line,
                                   &column);
                f->message = arena_printf(a, "%s; `%s` (%s:%d) of the previous version reads %s",
                                          f->message, q->oneline, q->src->path, line, obj);
            }
            continue;
        }
        f->breaks_previous = false;
        if (f->cls == RS_CLASS_BREAKS) {
            /* Nothing is lost and nothing of N-1 breaks: keep the finding as a note. */
            const char *cut = strstr(f->message, ": ");
            size_t n = cut ? (size_t)(cut - f->message) : strlen(f->message);
            f->message = arena_printf(a,
                                      "%.*s: no query of the previous version uses %s, so it "
                                      "keeps working",
                                      (int)n, f->message, obj);
            f->cls = RS_CLASS_HYGIENE;
            f->severity = RS_SEV_INFO;
        } else {
            f->message =
                arena_printf(a, "%s; no query of the previous version uses %s", f->message, obj);
        }
    }
}

/* ---------------------------------------------------------------- entry points */

void rs_queries_check(struct rs_queries *qs, const struct rs_queries_ctx *ctx)
{
    struct arena tmp = ARENA_INIT;
    struct qcheck c = {.tmp = &tmp, .ctx = ctx, .qs = qs};
    size_t nfindings = ctx->emitter->findings.n;
    const bool next = ctx->next;
    /* N-1 runs on the schema before the migration (home) and must survive the one after;
       N the other way round. */
    const struct rs_model *home = next ? ctx->after : ctx->before;
    const struct rs_model *away = next ? ctx->before : ctx->after;

    name_vec changed = {0};
    changed_names(&tmp, ctx->before, ctx->after, &changed);
    size_t fail_home = 0, fail_away = 0;
    for (size_t qi = 0; qi < qs->v.n; qi++) {
        const struct rs_app_query *q = &qs->v.v[qi];
        if (!concerns(q, &changed))
            continue;
        rs_qproblem_vec ph = {0}, pa = {0};
        rs_query_problems(&tmp, home, q, &ph);
        rs_query_problems(&tmp, away, q, &pa);
        size_t first = c.hits.n;
        /* N-1 on the new schema, N on the old one: the findings. N on the new schema too: the
           version shipped with the migration fails with it. */
        fail_away += difference(&c, qi, &pa, &ph, true, !next, false) > 0;
        fail_home += difference(&c, qi, &ph, &pa, next, true, true) > 0;
        drop_consequences(&c, first);
    }
    if (ctx->compat) {
        if (next) {
            ctx->compat->next = true;
            ctx->compat->nnext = qs->v.n;
            ctx->compat->next_old = fail_away;
            ctx->compat->next_new = fail_home;
        } else {
            ctx->compat->previous = true;
            ctx->compat->nprevious = qs->v.n;
            ctx->compat->previous_old = fail_home;
            ctx->compat->previous_new = fail_away;
        }
    }
    if (c.hits.n)
        find_culprits(&c);
    for (size_t i = 0; i < c.hits.n; i++)
        emit(&c, &c.hits.v[i]);
    if (!next)
        take_back(&c, nfindings);
    arena_free(&tmp);
}

void rs_queries_report_other(struct rs_queries *qs, struct arena *a, struct rs_finding **v,
                             size_t *n)
{
    if (!qs->unparsed.n)
        return;
    struct rs_finding *out = arena_grow(a, *v, *n, *n + qs->unparsed.n, sizeof(*out));
    memcpy(out + *n, qs->unparsed.v, qs->unparsed.n * sizeof(*out));
    *v = out;
    *n += qs->unparsed.n;
}
