/*
 * emit_down.c - the down migration rollsafe writes for an up (see emit_down.h).
 *
 * The up is replayed on a copy of the model before it; just before each statement (each ALTER
 * TABLE command) its inverse is computed from what the model says then, and the down is the
 * inverses in reverse order. Objects created by the up and dropped again by it cancel out: the
 * inverses about them are taken back. What the up does to a table it created itself needs no
 * inverse: dropping the table undoes it all.
 *
 * It writes only exact inverses, as far as the model knows the objects: where the old state is
 * not in the model (a view's or index's full definition, a foreign key's actions, the old value
 * of a setting), or does not exist any more (the data of a dropped column, an enum value), the
 * statement has no inverse and the reason is recorded instead. SQL is built with strbuf, names
 * quoted by sb_add_ident. It does not judge the up or the user's own down (down.c does).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/apply.h"
#include "emit_down.h"
#include "util/strbuf.h"

struct inv {
    const char *sql;  /* the statement with its ';', comment lines above it */
    unsigned rel_oid; /* relation created by this migration it is about, 0 when none */
    const char *key;  /* other object created by this migration it is about, or NULL */
};

struct gen {
    const struct rs_down_ctx *c;
    struct arena *a;    /* run arena: results */
    struct rs_model *m; /* the model just before the statement being looked at */
    const struct rs_stmt *st;
    const char *what; /* the ALTER TABLE command being looked at, for messages, or NULL */
    VEC(struct inv) invs;
    VEC(const char *) blockers;
};

static bool streq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static bool is_new(const struct gen *g, int created_mig)
{
    return created_mig == g->c->mig;
}

/* ---------------------------------------------------------------- names */

/* A name of the model: the schema only when it is not public. */
static void add_qname(struct strbuf *sb, const struct rs_qname *q)
{
    if (q->schema && strcmp(q->schema, "public")) {
        sb_add_ident(sb, q->schema);
        sb_addc(sb, '.');
    }
    sb_add_ident(sb, q->name ? q->name : "?");
}

static const char *key_of(struct gen *g, const char *kind, const struct rs_qname *q)
{
    return arena_printf(g->a, "%s:%s.%s", kind, q->schema ? q->schema : "", q->name);
}

/* ---------------------------------------------------------------- results */

static void push(struct gen *g, const char *sql, unsigned rel_oid, const char *key)
{
    struct inv *v = VEC_PUSH(g->a, &g->invs);
    v->sql = sql;
    v->rel_oid = rel_oid;
    v->key = key;
}

static void block(struct gen *g, const char *why)
{
    const struct rs_stmt *st = g->st;
    *VEC_PUSH(g->a, &g->blockers) = arena_printf(g->a, "line %d: %s: %s", st->line,
                                                 g->what   ? g->what
                                                 : st->tag ? st->tag
                                                           : "statement",
                                                 why);
}

/* Takes back the inverses about an object the up created and drops again. */
static void cancel(struct gen *g, unsigned rel_oid, const char *key)
{
    size_t k = 0;
    for (size_t i = 0; i < g->invs.n; i++) {
        const struct inv *v = &g->invs.v[i];
        if ((rel_oid && v->rel_oid == rel_oid) || (key && streq(v->key, key)))
            continue;
        g->invs.v[k++] = *v;
    }
    g->invs.n = k;
}

/* ---------------------------------------------------------------- ALTER TABLE */

/* The inverse actions of one command, in the order they run. */
struct actions {
    VEC(const char *) v;
    VEC(const char *) notes;
    const char *added_constraint; /* ADD CONSTRAINT: the name the constraint got */
};

static void action(struct gen *g, struct actions *out, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void action(struct gen *g, struct actions *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    *VEC_PUSH(g->a, &out->v) = arena_vprintf(g->a, fmt, ap);
    va_end(ap);
}

static const char *ident(struct gen *g, const char *s)
{
    struct strbuf sb;
    sb_init(&sb, g->a);
    sb_add_ident(&sb, s ? s : "?");
    return sb.s;
}

static const char *ident_list(struct gen *g, const char *const *v, size_t n)
{
    struct strbuf sb;
    sb_init(&sb, g->a);
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_add(&sb, ", ");
        sb_add_ident(&sb, v[i] ? v[i] : "?");
    }
    return sb.s;
}

/* What a relation was just before a command: its columns and constraints. */
struct snap {
    struct rs_relation r;
};

static void take_snap(struct gen *g, const struct rs_relation *r, struct snap *s)
{
    s->r = *r;
    s->r.columns.v = r->columns.n ? arena_grow(g->c->scratch, r->columns.v, r->columns.n,
                                               r->columns.n, sizeof(r->columns.v[0]))
                                  : NULL;
    s->r.constraints.v = r->constraints.n
                             ? arena_grow(g->c->scratch, r->constraints.v, r->constraints.n,
                                          r->constraints.n, sizeof(r->constraints.v[0]))
                             : NULL;
}

static void inverse_type(struct gen *g, const struct rs_column *old, const struct rs_alter_cmd *cmd,
                         struct actions *out)
{
    if (!cmd->has_type || !cmd->type.name || !old->type.name) {
        block(g, "the old or the new type is not known to rollsafe");
        return;
    }
    if (rs_type_equal(&old->type, &cmd->type))
        return;
    bool from_enum = rs_model_enum(g->m, &old->type) != NULL,
         to_enum = rs_model_enum(g->m, &cmd->type) != NULL;
    struct rs_type_change tc =
        rs_type_classify(g->a, &old->type, &cmd->type, from_enum, to_enum, g->c->pg_version);
    const char *col = ident(g, old->name);
    if (!tc.known) {
        block(g, arena_printf(g->a,
                              "rollsafe does not know whether %s → %s keeps every value of "
                              "column %s, so converting back may not restore them",
                              rs_type_format(g->a, &old->type), rs_type_format(g->a, &cmd->type),
                              old->name));
        return;
    }
    if (tc.lossy) {
        block(g, arena_printf(g->a,
                              "the up changes the values of column %s (%s): converting back "
                              "does not restore them",
                              old->name, tc.reason));
        return;
    }
    struct rs_type_change back =
        rs_type_classify(g->a, &cmd->type, &old->type, to_enum, from_enum, g->c->pg_version);
    const char *type = rs_type_format(g->a, &old->type);
    if (back.needs_using || (!back.known && !rs_type_is_builtin(&old->type)))
        action(g, out, "ALTER COLUMN %s TYPE %s USING %s::%s", col, type, col, type);
    else
        action(g, out, "ALTER COLUMN %s TYPE %s", col, type);
    if (back.narrows)
        *VEC_PUSH(g->a, &out->notes) =
            arena_printf(g->a, "fails if a row written since the up does not fit: %s", back.reason);
}

static const char *constraint_sql(struct gen *g, const struct rs_constraint *k)
{
    if (k->deferrable) {
        block(g, arena_printf(g->a,
                              "constraint %s is deferrable, and the model does not keep "
                              "whether it is INITIALLY DEFERRED",
                              k->name));
        return NULL;
    }
    const char *name = ident(g, k->name);
    switch (k->kind) {
    case RS_CON_CHECK:
        if (!k->check_text)
            break;
        return arena_printf(g->a, "ADD CONSTRAINT %s CHECK (%s)%s", name, k->check_text,
                            k->validated ? "" : " NOT VALID");
    case RS_CON_PRIMARY:
        return arena_printf(g->a, "ADD CONSTRAINT %s PRIMARY KEY (%s)", name,
                            ident_list(g, k->columns, k->ncolumns));
    case RS_CON_UNIQUE:
        return arena_printf(g->a, "ADD CONSTRAINT %s UNIQUE (%s)", name,
                            ident_list(g, k->columns, k->ncolumns));
    case RS_CON_FOREIGN: {
        struct strbuf sb;
        sb_init(&sb, g->a);
        sb_printf(&sb, "ADD CONSTRAINT %s FOREIGN KEY (%s) REFERENCES ", name,
                  ident_list(g, k->columns, k->ncolumns));
        add_qname(&sb, &k->ref_table);
        if (k->nref_columns)
            sb_printf(&sb, " (%s)", ident_list(g, k->ref_columns, k->nref_columns));
        if (rs_fk_action_sql(k->on_delete))
            sb_printf(&sb, " ON DELETE %s", rs_fk_action_sql(k->on_delete));
        if (rs_fk_action_sql(k->on_update))
            sb_printf(&sb, " ON UPDATE %s", rs_fk_action_sql(k->on_update));
        if (!k->validated)
            sb_add(&sb, " NOT VALID");
        return sb.s;
    }
    default:
        break;
    }
    block(g,
          arena_printf(g->a, "the model does not keep the definition of constraint %s", k->name));
    return NULL;
}

static void inverse_cmd(struct gen *g, const struct rs_relation *r, const struct snap *was,
                        const struct rs_column *old, const struct rs_trigger *old_trigger,
                        bool old_trigger_enabled, const struct rs_alter_cmd *cmd,
                        struct actions *out)
{
    const char *col = cmd->column ? ident(g, cmd->column) : NULL;
    switch (cmd->kind) {
    case RS_AT_ADD_COLUMN: {
        if (!cmd->coldef || rs_rel_column(&was->r, cmd->coldef->name))
            return; /* IF NOT EXISTS on a column that was there */
        action(g, out, "DROP COLUMN %s", ident(g, cmd->coldef->name));
        break;
    }
    case RS_AT_DROP_COLUMN:
        if (!old)
            return;
        if (is_new(g, old->created_mig)) {
            cancel(g, 0, arena_printf(g->a, "col:%u:%d", r->oid, old->attnum));
            return;
        }
        block(g, arena_printf(g->a,
                              "the data of %s.%s cannot be restored: adding the column back "
                              "gives it back empty",
                              rs_qname_str(g->a, &r->name), old->name));
        return;
    case RS_AT_ALTER_TYPE:
        if (old)
            inverse_type(g, old, cmd, out);
        break;
    case RS_AT_SET_DEFAULT:
        if (!old || (cmd->expr && streq(old->default_text, cmd->expr->text)))
            return;
        if (old->default_text)
            action(g, out, "ALTER COLUMN %s SET DEFAULT %s", col, old->default_text);
        else
            action(g, out, "ALTER COLUMN %s DROP DEFAULT", col);
        break;
    case RS_AT_DROP_DEFAULT:
        if (old && old->default_text)
            action(g, out, "ALTER COLUMN %s SET DEFAULT %s", col, old->default_text);
        break;
    case RS_AT_SET_NOT_NULL:
        if (old && !old->not_null)
            action(g, out, "ALTER COLUMN %s DROP NOT NULL", col);
        break;
    case RS_AT_DROP_NOT_NULL:
        if (old && old->not_null) {
            action(g, out, "ALTER COLUMN %s SET NOT NULL", col);
            *VEC_PUSH(g->a, &out->notes) = "fails if a row written since the up holds NULL";
        }
        break;
    case RS_AT_ADD_CONSTRAINT:
        for (size_t i = 0; i < r->constraints.n; i++) {
            const struct rs_constraint *k = &r->constraints.v[i];
            if (rs_rel_constraint(&was->r, k->name))
                continue;
            if (cmd->constraint && cmd->constraint->using_index) {
                struct rs_qname iq = {r->name.schema, cmd->constraint->using_index};
                const struct rs_index *x = rs_model_index(g->c->before, &iq);
                if (x) {
                    block(g, arena_printf(g->a,
                                          "dropping constraint %s would also drop index "
                                          "%s, which existed before the up",
                                          k->name, cmd->constraint->using_index));
                    return;
                }
                cancel(g, 0, key_of(g, "index", &iq));
            }
            action(g, out, "DROP CONSTRAINT %s", ident(g, k->name));
            out->added_constraint = k->name;
            /* PRIMARY KEY made its columns NOT NULL; dropping it does not undo that. */
            for (size_t c = 0; k->kind == RS_CON_PRIMARY && c < k->ncolumns; c++) {
                const struct rs_column *oc = rs_rel_column(&was->r, k->columns[c]);
                if (oc && !oc->not_null)
                    action(g, out, "ALTER COLUMN %s DROP NOT NULL", ident(g, oc->name));
            }
        }
        break;
    case RS_AT_DROP_CONSTRAINT: {
        const struct rs_constraint *k = rs_rel_constraint(&was->r, cmd->name);
        if (!k)
            return;
        if (is_new(g, k->created_mig)) {
            cancel(g, 0, arena_printf(g->a, "con:%u:%s", r->oid, k->name));
            return;
        }
        if (cmd->cascade) {
            block(g, arena_printf(g->a,
                                  "CASCADE also drops what depends on constraint %s "
                                  "(foreign keys of other tables)",
                                  k->name));
            return;
        }
        const char *sql = constraint_sql(g, k);
        if (sql) {
            action(g, out, "%s", sql);
            if (k->validated)
                *VEC_PUSH(g->a, &out->notes) =
                    arena_printf(g->a, "fails if rows written since the up violate %s", k->name);
        }
        break;
    }
    case RS_AT_VALIDATE_CONSTRAINT:
        break; /* nothing to undo: the rows were checked */
    case RS_AT_ALTER_CONSTRAINT: {
        const struct rs_constraint *k = rs_rel_constraint(&was->r, cmd->name);
        const struct rs_constraint *now = rs_rel_constraint(r, cmd->name);
        if (k && now && k->deferrable != now->deferrable)
            action(g, out, "ALTER CONSTRAINT %s %s", ident(g, k->name),
                   k->deferrable ? "DEFERRABLE" : "NOT DEFERRABLE");
        else if (!k)
            block(g, "the constraint is not known to the model");
        break;
    }
    case RS_AT_ADD_IDENTITY:
        if (old && !old->identity)
            action(g, out, "ALTER COLUMN %s DROP IDENTITY", col);
        break;
    case RS_AT_DROP_IDENTITY:
        if (old && old->identity)
            block(g, "adding the identity back starts a new sequence at 1: the current value is "
                     "lost and new rows collide with old ids");
        break;
    case RS_AT_DROP_EXPRESSION:
        if (old && old->generated_text)
            block(g, "PostgreSQL cannot make an existing column generated again");
        break;
    case RS_AT_SET_LOGGED:
        if (was->r.unlogged)
            action(g, out, "SET UNLOGGED");
        break;
    case RS_AT_SET_UNLOGGED:
        if (!was->r.unlogged)
            action(g, out, "SET LOGGED");
        break;
    case RS_AT_ENABLE_TRIGGER:
    case RS_AT_DISABLE_TRIGGER: {
        bool enable = cmd->kind == RS_AT_ENABLE_TRIGGER;
        if (!cmd->name || !old_trigger) {
            block(g, "the triggers' previous state is not known to the model");
            break;
        }
        if (old_trigger_enabled != enable)
            action(g, out, "%s TRIGGER %s", enable ? "DISABLE" : "ENABLE", ident(g, cmd->name));
        break;
    }
    case RS_AT_ATTACH_PARTITION: {
        struct strbuf sb;
        sb_init(&sb, g->a);
        add_qname(&sb, &cmd->partition);
        action(g, out, "DETACH PARTITION %s", sb.s);
        break;
    }
    case RS_AT_DETACH_PARTITION:
        block(g, "the model does not keep the partition's bounds");
        break;
    default:
        block(g, "rollsafe does not track the previous setting");
        break;
    }
}

static void alter_table(struct gen *g, const struct rs_stmt *st)
{
    struct rs_apply_result ar;
    if (st->obj_kind != RS_OBJ_TABLE && st->obj_kind != RS_OBJ_FOREIGN_TABLE &&
        st->obj_kind != RS_OBJ_OTHER) {
        block(g, "rollsafe does not track what it changes");
        return;
    }
    const struct rs_relation *r = rs_model_rel(g->m, &st->rel);
    if (!r || is_new(g, r->created_mig)) {
        /* Unknown (IF EXISTS no-op, or statement-fails), or created by this migration: the
           DROP TABLE of its inverse undoes everything. */
        rs_apply_stmt(g->m, st, g->c->mig, &ar);
        if (!r && !st->if_exists)
            block(g, "the table is not known to the model");
        return;
    }
    struct actions *per = arena_alloc(g->c->scratch, (st->ncmds ? st->ncmds : 1) * sizeof(*per));
    for (size_t k = 0; k < st->ncmds; k++) {
        const struct rs_alter_cmd *cmd = &st->cmds[k];
        struct snap was;
        take_snap(g, r, &was);
        const struct rs_column *oc = cmd->column ? rs_rel_column(&was.r, cmd->column) : NULL;
        const struct rs_trigger *t = cmd->name ? rs_model_trigger(g->m, &r->name, cmd->name) : NULL;
        bool t_enabled = t && t->enabled;
        memset(&ar, 0, sizeof(ar));
        ar.location = -1;
        rs_apply_alter_cmd(g->m, st, cmd, g->c->mig, &ar);
        /* The command may have cloned the relation into g->m (copy-on-write, model.h): r is
           the one it changed from then on. */
        const struct rs_relation *now = rs_model_rel_by_oid(g->m, r->oid);
        if (now)
            r = now;
        g->what = cmd->what ? arena_printf(g->a, "ALTER TABLE ... %s", cmd->what) : NULL;
        inverse_cmd(g, r, &was, oc, t, t_enabled, cmd, &per[k]);
        g->what = NULL;
    }
    /* The inverses of the commands, last command first, each command's in its own order. */
    struct strbuf sb;
    sb_init(&sb, g->a);
    size_t n = 0;
    for (size_t k = st->ncmds; k-- > 0;)
        for (size_t i = 0; i < per[k].notes.n; i++)
            sb_printf(&sb, "-- %s\n", per[k].notes.v[i]);
    sb_add(&sb, "ALTER TABLE ");
    add_qname(&sb, &r->name);
    for (size_t k = st->ncmds; k-- > 0;) {
        for (size_t i = 0; i < per[k].v.n; i++) {
            sb_add(&sb, n++ ? ", " : " ");
            sb_add(&sb, per[k].v.v[i]);
        }
    }
    sb_add(&sb, ";");
    if (!n)
        return;
    /* Columns and constraints this statement adds can be taken back with their inverse. */
    const char *key = NULL;
    if (st->ncmds == 1 && st->cmds[0].kind == RS_AT_ADD_COLUMN && st->cmds[0].coldef) {
        const struct rs_column *c = rs_rel_column(r, st->cmds[0].coldef->name);
        if (c)
            key = arena_printf(g->a, "col:%u:%d", r->oid, c->attnum);
    } else if (st->ncmds == 1 && per[0].added_constraint) {
        key = arena_printf(g->a, "con:%u:%s", r->oid, per[0].added_constraint);
    }
    push(g, sb.s, 0, key);
}

/* ---------------------------------------------------------------- other statements */

static const char *rel_kind_sql(enum rs_rel_kind k)
{
    switch (k) {
    case RS_REL_VIEW:
        return "VIEW";
    case RS_REL_MATVIEW:
        return "MATERIALIZED VIEW";
    case RS_REL_FOREIGN:
        return "FOREIGN TABLE";
    default:
        return "TABLE";
    }
}

static void create_rel(struct gen *g, const struct rs_stmt *st)
{
    struct rs_qname q = st->rel;
    if (!q.schema)
        q.schema = rs_model_creation_schema(g->m);
    const struct rs_relation *old = rs_model_rel(g->m, &q);
    struct rs_apply_result ar;
    rs_apply_stmt(g->m, st, g->c->mig, &ar);
    if (st->temporary)
        return;
    if (old) {
        if (st->kind == RS_STMT_CREATE_VIEW && st->or_replace && old->kind == RS_REL_VIEW &&
            !is_new(g, old->created_mig))
            block(g, arena_printf(g->a,
                                  "it replaces view %s, and rollsafe does not keep the "
                                  "previous definition; copy it from the migration that "
                                  "created the view",
                                  rs_qname_str(g->a, &q)));
        return; /* IF NOT EXISTS no-op, or a view created earlier in this migration */
    }
    const struct rs_relation *r = rs_model_rel(g->m, &q);
    if (!r)
        return;
    struct strbuf sb;
    sb_init(&sb, g->a);
    sb_printf(&sb, "DROP %s ", rel_kind_sql(r->kind));
    add_qname(&sb, &r->name);
    sb_add(&sb, ";");
    push(g, sb.s, r->oid, NULL);
}

static void create_index(struct gen *g, const struct rs_stmt *st)
{
    const struct rs_relation *r = rs_model_rel(g->m, &st->rel);
    size_t n = g->m->indexes.n;
    struct rs_apply_result ar;
    rs_apply_stmt(g->m, st, g->c->mig, &ar);
    if (!r || is_new(g, r->created_mig) || g->m->indexes.n == n || ar.fails)
        return; /* dropped with its table, or IF NOT EXISTS no-op */
    const struct rs_index *x = g->m->indexes.v[g->m->indexes.n - 1];
    struct strbuf sb;
    sb_init(&sb, g->a);
    sb_add(&sb, st->concurrently ? "DROP INDEX CONCURRENTLY " : "DROP INDEX ");
    add_qname(&sb, &x->name);
    sb_add(&sb, ";");
    push(g, sb.s, 0, key_of(g, "index", &x->name));
}

/* CREATE TYPE / DOMAIN / SEQUENCE / FUNCTION / SCHEMA / EXTENSION: drop it. */
static void create_other(struct gen *g, const struct rs_stmt *st, const char *kind, bool existed,
                         const char *signature)
{
    struct rs_apply_result ar;
    rs_apply_stmt(g->m, st, g->c->mig, &ar);
    if (existed || ar.fails)
        return;
    struct rs_qname q = st->rel;
    struct strbuf sb;
    sb_init(&sb, g->a);
    sb_printf(&sb, "DROP %s ", kind);
    add_qname(&sb, &q);
    if (signature)
        sb_printf(&sb, "(%s)", signature);
    sb_add(&sb, ";");
    if (!q.schema && strcmp(kind, "SCHEMA") && strcmp(kind, "EXTENSION"))
        q.schema = rs_model_creation_schema(g->m);
    push(g, sb.s, 0, key_of(g, kind, &q));
}

static void create_trigger(struct gen *g, const struct rs_stmt *st)
{
    const struct rs_relation *r = rs_model_rel(g->m, &st->rel);
    const struct rs_trigger *t = r ? rs_model_trigger(g->m, &r->name, st->trigger_name) : NULL;
    bool existed = t != NULL;
    struct rs_apply_result ar;
    rs_apply_stmt(g->m, st, g->c->mig, &ar);
    if (!r) /* a table the migrations never created: the trigger is still this up's */
        r = rs_model_rel(g->m, &st->rel);
    if (!r || is_new(g, r->created_mig) || ar.fails)
        return;
    if (existed) {
        if (!is_new(g, t->created_mig))
            block(g, arena_printf(g->a,
                                  "it replaces trigger %s, and rollsafe does not keep its "
                                  "previous definition",
                                  st->trigger_name));
        return;
    }
    struct strbuf sb;
    sb_init(&sb, g->a);
    sb_add(&sb, "DROP TRIGGER ");
    sb_add_ident(&sb, st->trigger_name);
    sb_add(&sb, " ON ");
    add_qname(&sb, &r->name);
    sb_add(&sb, ";");
    push(g, sb.s, 0,
         arena_printf(g->a, "trigger:%s.%s:%s", r->name.schema, r->name.name, st->trigger_name));
}

static void alter_enum(struct gen *g, const struct rs_stmt *st)
{
    const struct rs_typeobj *t = rs_model_type(g->m, &st->rel);
    bool had = false;
    for (size_t i = 0; t && i < t->labels.n; i++)
        had = had || streq(t->labels.v[i], st->new_label);
    struct rs_apply_result ar;
    rs_apply_stmt(g->m, st, g->c->mig, &ar);
    if (!t || is_new(g, t->created_mig) || ar.fails)
        return;
    if (st->old_label) {
        struct strbuf sb;
        sb_init(&sb, g->a);
        sb_add(&sb, "ALTER TYPE ");
        add_qname(&sb, &t->name);
        sb_add(&sb, " RENAME VALUE ");
        sb_add_literal(&sb, st->new_label);
        sb_add(&sb, " TO ");
        sb_add_literal(&sb, st->old_label);
        sb_add(&sb, ";");
        push(g, sb.s, 0, NULL);
        return;
    }
    if (!had)
        block(g, arena_printf(g->a,
                              "PostgreSQL has no ALTER TYPE ... DROP VALUE: value '%s' "
                              "cannot be taken out of enum %s once rows may hold it",
                              st->new_label, rs_qname_str(g->a, &t->name)));
}

static const char *obj_sql(enum rs_obj_kind k)
{
    switch (k) {
    case RS_OBJ_VIEW:
        return "VIEW";
    case RS_OBJ_MATVIEW:
        return "MATERIALIZED VIEW";
    case RS_OBJ_FOREIGN_TABLE:
        return "FOREIGN TABLE";
    case RS_OBJ_INDEX:
        return "INDEX";
    case RS_OBJ_SEQUENCE:
        return "SEQUENCE";
    case RS_OBJ_TYPE:
        return "TYPE";
    case RS_OBJ_DOMAIN:
        return "DOMAIN";
    case RS_OBJ_FUNCTION:
        return "FUNCTION";
    case RS_OBJ_PROCEDURE:
        return "PROCEDURE";
    case RS_OBJ_SCHEMA:
        return "SCHEMA";
    default:
        return "TABLE";
    }
}

static void rename_stmt(struct gen *g, const struct rs_stmt *st)
{
    struct strbuf sb;
    sb_init(&sb, g->a);
    unsigned oid = 0;
    const char *key = NULL;
    bool known = true;
    switch (st->obj_kind) {
    case RS_OBJ_COLUMN:
    case RS_OBJ_CONSTRAINT: {
        const struct rs_relation *r = rs_model_rel(g->m, &st->rel);
        if (!r) {
            known = false;
            break;
        }
        oid = is_new(g, r->created_mig) ? r->oid : 0;
        sb_add(&sb, r->kind == RS_REL_TABLE ? "ALTER TABLE " : "ALTER TABLE ");
        add_qname(&sb, &r->name);
        sb_add(&sb, st->obj_kind == RS_OBJ_COLUMN ? " RENAME COLUMN " : " RENAME CONSTRAINT ");
        sb_add_ident(&sb, st->newname);
        sb_add(&sb, " TO ");
        sb_add_ident(&sb, st->subname);
        break;
    }
    case RS_OBJ_TABLE:
    case RS_OBJ_VIEW:
    case RS_OBJ_MATVIEW:
    case RS_OBJ_FOREIGN_TABLE:
    case RS_OBJ_INDEX:
    case RS_OBJ_SEQUENCE: {
        const struct rs_relation *r = rs_model_rel(g->m, &st->rel);
        const struct rs_index *x = rs_model_index(g->m, &st->rel);
        const struct rs_sequence *s = rs_model_sequence(g->m, &st->rel);
        struct rs_qname q;
        const char *kind;
        if (x && (st->obj_kind == RS_OBJ_INDEX || !r)) {
            q = x->name;
            kind = "INDEX";
        } else if (r) {
            q = r->name;
            kind = rel_kind_sql(r->kind);
            oid = is_new(g, r->created_mig) ? r->oid : 0;
        } else if (s) {
            q = s->name;
            kind = "SEQUENCE";
        } else {
            known = false;
            break;
        }
        q.name = st->newname;
        sb_printf(&sb, "ALTER %s ", kind);
        add_qname(&sb, &q);
        sb_add(&sb, " RENAME TO ");
        sb_add_ident(&sb, st->rel.name);
        break;
    }
    case RS_OBJ_TYPE:
    case RS_OBJ_DOMAIN:
    case RS_OBJ_SCHEMA: {
        if (st->obj_kind == RS_OBJ_SCHEMA ? !rs_model_has_schema(g->m, st->rel.name)
                                          : !rs_model_type(g->m, &st->rel)) {
            known = false;
            break;
        }
        struct rs_qname q = {st->rel.schema, st->newname};
        sb_printf(&sb, "ALTER %s ", obj_sql(st->obj_kind));
        add_qname(&sb, &q);
        sb_add(&sb, " RENAME TO ");
        sb_add_ident(&sb, st->rel.name);
        break;
    }
    case RS_OBJ_TRIGGER: {
        const struct rs_relation *r = rs_model_rel(g->m, &st->rel);
        if (!r || !rs_model_trigger(g->m, &r->name, st->subname)) {
            known = false;
            break;
        }
        oid = is_new(g, r->created_mig) ? r->oid : 0;
        sb_add(&sb, "ALTER TRIGGER ");
        sb_add_ident(&sb, st->newname);
        sb_add(&sb, " ON ");
        add_qname(&sb, &r->name);
        sb_add(&sb, " RENAME TO ");
        sb_add_ident(&sb, st->subname);
        break;
    }
    case RS_OBJ_FUNCTION:
    case RS_OBJ_PROCEDURE: {
        const struct rs_function *f = rs_model_function(g->m, &st->rel, NULL);
        if (!f || !f->signature) {
            block(g, "the function is not known to the model");
            known = false;
            break;
        }
        struct rs_qname q = {st->rel.schema, st->newname};
        sb_printf(&sb, "ALTER %s ", obj_sql(st->obj_kind));
        add_qname(&sb, &q);
        sb_printf(&sb, "(%s) RENAME TO ", f->signature);
        sb_add_ident(&sb, st->rel.name);
        break;
    }
    default:
        block(g, "rollsafe does not know how to rename it back");
        known = false;
        break;
    }
    struct rs_apply_result ar;
    rs_apply_stmt(g->m, st, g->c->mig, &ar);
    if (!known) {
        if (!st->if_exists && st->obj_kind != RS_OBJ_FUNCTION && st->obj_kind != RS_OBJ_PROCEDURE &&
            st->obj_kind != RS_OBJ_OTHER)
            block(g, "what it renames is not known to the model");
        return;
    }
    if (ar.fails)
        return;
    sb_add(&sb, ";");
    push(g, sb.s, oid, key);
}

static void set_schema(struct gen *g, const struct rs_stmt *st)
{
    const char *old = NULL, *kind = NULL;
    unsigned oid = 0;
    if (st->obj_kind == RS_OBJ_TABLE || st->obj_kind == RS_OBJ_VIEW ||
        st->obj_kind == RS_OBJ_MATVIEW) {
        const struct rs_relation *r = rs_model_rel(g->m, &st->rel);
        if (r) {
            old = r->name.schema;
            kind = rel_kind_sql(r->kind);
            oid = is_new(g, r->created_mig) ? r->oid : 0;
        }
    } else if (st->obj_kind == RS_OBJ_TYPE || st->obj_kind == RS_OBJ_DOMAIN) {
        const struct rs_typeobj *t = rs_model_type(g->m, &st->rel);
        if (t) {
            old = t->name.schema;
            kind = obj_sql(st->obj_kind);
        }
    }
    struct rs_apply_result ar;
    rs_apply_stmt(g->m, st, g->c->mig, &ar);
    if (!old) {
        if (!st->if_exists)
            block(g, "what it moves is not known to the model");
        return;
    }
    struct strbuf sb;
    sb_init(&sb, g->a);
    sb_printf(&sb, "ALTER %s ", kind);
    sb_add_ident(&sb, st->newname);
    sb_addc(&sb, '.');
    sb_add_ident(&sb, st->rel.name);
    sb_add(&sb, " SET SCHEMA ");
    sb_add_ident(&sb, old);
    sb_add(&sb, ";");
    push(g, sb.s, oid, NULL);
}

static void drop_one(struct gen *g, const struct rs_stmt *st, size_t i)
{
    const struct rs_qname *q = &st->objects[i];
    const char *name = rs_qname_str(g->a, q);
    switch (st->obj_kind) {
    case RS_OBJ_TABLE:
    case RS_OBJ_VIEW:
    case RS_OBJ_MATVIEW:
    case RS_OBJ_FOREIGN_TABLE: {
        const struct rs_relation *r = rs_model_rel(g->m, q);
        if (!r)
            return;
        if (is_new(g, r->created_mig)) {
            cancel(g, r->oid, NULL);
            return;
        }
        if (r->kind == RS_REL_TABLE)
            block(g, arena_printf(g->a, "the rows of table %s cannot be restored", name));
        else
            block(g, arena_printf(g->a,
                                  "rollsafe does not keep the definition of %s %s; copy "
                                  "it from the migration that created it",
                                  r->kind == RS_REL_VIEW ? "view" : "materialized view", name));
        return;
    }
    case RS_OBJ_INDEX: {
        const struct rs_index *x = rs_model_index(g->m, q);
        if (!x)
            return;
        if (is_new(g, x->created_mig)) {
            cancel(g, 0, key_of(g, "index", &x->name));
            return;
        }
        block(g, arena_printf(g->a,
                              "rollsafe keeps index %s's columns, not its full definition "
                              "(method, operator classes, order); copy it from the "
                              "migration that created it",
                              name));
        return;
    }
    case RS_OBJ_SEQUENCE: {
        const struct rs_sequence *s = rs_model_sequence(g->m, q);
        if (!s)
            return;
        if (is_new(g, s->created_mig))
            cancel(g, 0, key_of(g, "SEQUENCE", &s->name));
        else
            block(g, arena_printf(g->a, "the current value of sequence %s is lost", name));
        return;
    }
    case RS_OBJ_TYPE:
    case RS_OBJ_DOMAIN: {
        const struct rs_typeobj *t = rs_model_type(g->m, q);
        if (!t)
            return;
        if (is_new(g, t->created_mig)) {
            cancel(g, 0, key_of(g, obj_sql(st->obj_kind), &t->name));
            return;
        }
        struct strbuf sb;
        sb_init(&sb, g->a);
        if (t->kind == RS_TYPEOBJ_ENUM && !st->cascade) {
            sb_add(&sb, "CREATE TYPE ");
            add_qname(&sb, &t->name);
            sb_add(&sb, " AS ENUM (");
            for (size_t k = 0; k < t->labels.n; k++) {
                if (k)
                    sb_add(&sb, ", ");
                sb_add_literal(&sb, t->labels.v[k]);
            }
            sb_add(&sb, ");");
        } else if (t->kind == RS_TYPEOBJ_DOMAIN && !t->has_constraint && !st->cascade &&
                   t->base.name) {
            sb_add(&sb, "CREATE DOMAIN ");
            add_qname(&sb, &t->name);
            sb_printf(&sb, " AS %s;", rs_type_format(g->a, &t->base));
        } else {
            block(g, arena_printf(g->a, "rollsafe does not keep the definition of type %s%s", name,
                                  st->cascade ? ", nor the columns CASCADE drops" : ""));
            return;
        }
        push(g, sb.s, 0, NULL);
        return;
    }
    case RS_OBJ_FUNCTION:
    case RS_OBJ_PROCEDURE: {
        const struct rs_function *f =
            rs_model_function(g->m, q, st->object_args ? st->object_args[i] : NULL);
        if (f && is_new(g, f->created_mig)) {
            struct rs_qname fq = f->name;
            cancel(g, 0, key_of(g, obj_sql(st->obj_kind), &fq));
            return;
        }
        if (f || !st->if_exists)
            block(g, arena_printf(g->a,
                                  "rollsafe does not keep the full definition of %s (return "
                                  "type, options); copy it from the migration that created "
                                  "it",
                                  name));
        return;
    }
    case RS_OBJ_TRIGGER: {
        const struct rs_relation *r = rs_model_rel(g->m, &st->rel);
        const struct rs_trigger *t = r ? rs_model_trigger(g->m, &r->name, q->name) : NULL;
        if (!t)
            return;
        if (is_new(g, t->created_mig))
            cancel(g, 0,
                   arena_printf(g->a, "trigger:%s.%s:%s", r->name.schema, r->name.name, q->name));
        else
            block(g, arena_printf(g->a,
                                  "rollsafe does not keep the definition of trigger %s "
                                  "(events, timing, condition)",
                                  q->name));
        return;
    }
    case RS_OBJ_SCHEMA: {
        if (!rs_model_has_schema(g->m, q->name))
            return;
        if (!rs_model_has_schema(g->c->before, q->name)) {
            struct rs_qname sq = {NULL, q->name};
            cancel(g, 0, key_of(g, "SCHEMA", &sq));
            return;
        }
        if (st->cascade) {
            block(g, "CASCADE drops what the schema holds, which cannot be restored");
            return;
        }
        struct strbuf sb;
        sb_init(&sb, g->a);
        sb_add(&sb, "CREATE SCHEMA ");
        sb_add_ident(&sb, q->name);
        sb_add(&sb, ";");
        push(g, sb.s, 0, NULL);
        return;
    }
    case RS_OBJ_EXTENSION: {
        bool before = false;
        for (size_t k = 0; k < g->c->before->extensions.n; k++)
            before = before || streq(g->c->before->extensions.v[k], q->name);
        if (!before) {
            struct rs_qname eq = {NULL, q->name};
            cancel(g, 0, key_of(g, "EXTENSION", &eq));
            return;
        }
        if (st->cascade) {
            block(g, "CASCADE drops what uses the extension, which cannot be restored");
            return;
        }
        struct strbuf sb;
        sb_init(&sb, g->a);
        sb_add(&sb, "CREATE EXTENSION ");
        sb_add_ident(&sb, q->name);
        sb_add(&sb, ";");
        push(g, sb.s, 0, NULL);
        return;
    }
    default:
        block(g, arena_printf(g->a, "rollsafe does not keep the definition of %s %s",
                              rs_obj_kind_name(st->obj_kind), name));
        return;
    }
}

static void drop_stmt(struct gen *g, const struct rs_stmt *st)
{
    for (size_t i = 0; i < st->nobjects; i++)
        drop_one(g, st, i);
    struct rs_apply_result ar;
    rs_apply_stmt(g->m, st, g->c->mig, &ar);
}

/* DML on a table this migration created is undone by dropping the table. */
static bool on_new_table(const struct gen *g, const struct rs_qname *q)
{
    const struct rs_relation *r = rs_model_rel(g->m, q);
    return r && is_new(g, r->created_mig);
}

static bool select_calls_functions(const struct rs_stmt *st)
{
    if (!st->query)
        return false;
    for (size_t i = 0; i < st->query->ntargets; i++)
        if (st->query->targets[i].expr && st->query->targets[i].expr->nfuncs)
            return true;
    return false;
}

static void note(struct gen *g, const char *what)
{
    push(g, arena_printf(g->a, "-- line %d: %s", g->st->line, what), 0, NULL);
}

static void statement(struct gen *g, const struct rs_stmt *st)
{
    struct rs_apply_result ar;
    g->st = st;
    if (st->syntax_error) {
        block(g, "the statement does not parse");
        return;
    }
    switch (st->kind) {
    case RS_STMT_CREATE_TABLE:
    case RS_STMT_CREATE_TABLE_AS:
    case RS_STMT_CREATE_MATVIEW:
    case RS_STMT_CREATE_VIEW:
        create_rel(g, st);
        return;
    case RS_STMT_ALTER_TABLE:
        alter_table(g, st);
        return;
    case RS_STMT_RENAME:
        rename_stmt(g, st);
        return;
    case RS_STMT_SET_SCHEMA:
        set_schema(g, st);
        return;
    case RS_STMT_DROP:
        drop_stmt(g, st);
        return;
    case RS_STMT_CREATE_INDEX:
        create_index(g, st);
        return;
    case RS_STMT_CREATE_ENUM:
    case RS_STMT_CREATE_TYPE:
    case RS_STMT_CREATE_DOMAIN: {
        bool existed = rs_model_type(g->m, &st->rel) != NULL;
        create_other(g, st, st->kind == RS_STMT_CREATE_DOMAIN ? "DOMAIN" : "TYPE", existed, NULL);
        return;
    }
    case RS_STMT_CREATE_SEQUENCE: {
        bool existed = rs_model_sequence(g->m, &st->rel) != NULL;
        create_other(g, st, "SEQUENCE", existed, NULL);
        return;
    }
    case RS_STMT_CREATE_FUNCTION: {
        struct rs_qname q = st->rel;
        if (!q.schema)
            q.schema = rs_model_creation_schema(g->m);
        const struct rs_function *f = rs_model_function(g->m, &q, st->arg_signature);
        if (f && !is_new(g, f->created_mig)) {
            block(g, arena_printf(g->a,
                                  "it replaces %s %s, and rollsafe does not keep the "
                                  "previous definition; copy it from the migration that "
                                  "created it",
                                  st->obj_kind == RS_OBJ_PROCEDURE ? "procedure" : "function",
                                  rs_qname_str(g->a, &q)));
            rs_apply_stmt(g->m, st, g->c->mig, &ar);
            return;
        }
        create_other(g, st, obj_sql(st->obj_kind), f != NULL,
                     st->arg_signature ? st->arg_signature : "");
        return;
    }
    case RS_STMT_CREATE_TRIGGER:
        create_trigger(g, st);
        return;
    case RS_STMT_CREATE_SCHEMA:
        create_other(g, st, "SCHEMA", rs_model_has_schema(g->m, st->rel.name), NULL);
        return;
    case RS_STMT_CREATE_EXTENSION: {
        bool existed = false;
        for (size_t k = 0; k < g->m->extensions.n; k++)
            existed = existed || streq(g->m->extensions.v[k], st->rel.name);
        create_other(g, st, "EXTENSION", existed, NULL);
        return;
    }
    case RS_STMT_ALTER_ENUM:
        alter_enum(g, st);
        return;
    case RS_STMT_ALTER_SEQUENCE: {
        const struct rs_sequence *s = rs_model_sequence(g->m, &st->rel);
        if (!s || !is_new(g, s->created_mig))
            block(g, "rollsafe does not track sequence settings, so it cannot put them back");
        break;
    }
    case RS_STMT_INSERT:
    case RS_STMT_UPDATE:
    case RS_STMT_DELETE:
        if (!on_new_table(g, &st->rel))
            block(g, st->kind == RS_STMT_INSERT
                         ? "data changes have no inverse rollsafe can write (which rows to "
                           "delete is yours to decide)"
                     : st->kind == RS_STMT_UPDATE ? "the values it overwrites are lost"
                                                  : "the rows it deletes are gone");
        break;
    case RS_STMT_TRUNCATE:
        for (size_t i = 0; i < st->ntruncate_rels; i++)
            if (!on_new_table(g, &st->truncate_rels[i])) {
                block(g, "the rows it removes are gone");
                break;
            }
        break;
    case RS_STMT_SELECT:
        if (select_calls_functions(st))
            block(g, "it may call functions that change the schema or data; rollsafe cannot "
                     "follow them");
        break;
    case RS_STMT_DO:
    case RS_STMT_CALL:
        block(g, "rollsafe cannot follow what it does");
        break;
    case RS_STMT_COMMENT:
        note(g, "the COMMENT is not undone (rollsafe does not track comments)");
        break;
    case RS_STMT_GRANT:
        note(g, "privileges are not undone (rollsafe does not track them)");
        break;
    case RS_STMT_CREATE_POLICY:
    case RS_STMT_ALTER_DOMAIN:
    case RS_STMT_OTHER:
        block(g, "rollsafe does not know how to undo it");
        break;
    default:
        break; /* SET, BEGIN/COMMIT, VACUUM, ANALYZE, REINDEX, LOCK, ...: nothing to undo */
    }
    rs_apply_stmt(g->m, st, g->c->mig, &ar);
}

void rs_emit_down_compute(const struct rs_down_ctx *ctx, struct rs_down_check *out)
{
    struct gen g = {.c = ctx, .a = ctx->arena};
    g.m = rs_model_copy(ctx->scratch, ctx->before);
    for (size_t i = 0; i < ctx->up->n; i++)
        statement(&g, &ctx->up->v[i]);
    if (g.blockers.n) {
        out->no_inverse = g.blockers.v;
        out->nno_inverse = g.blockers.n;
        out->emitted = NULL;
        return;
    }
    /* CONCURRENTLY cannot run in a transaction block: leave it out when the tool runs the down
       in one (sqitch's down gets BEGIN/COMMIT from the rendering). */
    size_t nstmts = 0;
    for (size_t i = 0; i < g.invs.n; i++)
        nstmts += g.invs.v[i].sql[0] != '-' || strchr(g.invs.v[i].sql, '\n') != NULL;
    enum rs_txmode tx = ctx->m->down_tx;
    bool in_block = tx == RS_TX_WRAPPED || tx == RS_TX_GROUP ||
                    (tx == RS_TX_IMPLICIT && nstmts > 1) ||
                    (ctx->m->layout && !strcmp(ctx->m->layout, "sqitch"));
    struct strbuf sb;
    sb_init(&sb, ctx->arena);
    for (size_t i = g.invs.n; i-- > 0;) {
        const char *sql = g.invs.v[i].sql;
        const char *conc = "DROP INDEX CONCURRENTLY ";
        if (in_block && !strncmp(sql, conc, strlen(conc))) {
            sb_add(&sb, "-- without CONCURRENTLY: the down runs in a transaction block\n");
            sb_add(&sb, "DROP INDEX ");
            sql += strlen(conc);
        }
        sb_add(&sb, sql);
        sb_addc(&sb, '\n');
    }
    out->emitted = sb.s;
}

/* ---------------------------------------------------------------- rendering */

static const char *replace_suffix(struct arena *a, const char *s, const char *from, const char *to)
{
    size_t n = strlen(s), f = strlen(from);
    if (n >= f && !strcmp(s + n - f, from))
        return arena_printf(a, "%.*s%s", (int)(n - f), s, to);
    return NULL;
}

static const char *dir_of(struct arena *a, const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? arena_strndup(a, path, (size_t)(slash - path)) : ".";
}

/* Where the down of m goes, for the header comment. */
static const char *down_place(struct arena *a, const struct rs_migration_result *mr)
{
    const struct rs_migration *m = mr->migration;
    const char *up = mr->path ? mr->path : "?";
    const char *layout = m && m->layout ? m->layout : "plain";
    if (mr->down_path && strcmp(layout, "goose") && strcmp(layout, "dbmate") &&
        strcmp(layout, "liquibase"))
        return mr->down_path;
    if (!strcmp(layout, "golang-migrate")) {
        const char *d = replace_suffix(a, up, ".up.sql", ".down.sql");
        return d ? d : arena_printf(a, "%s.down.sql", up);
    }
    if (!strcmp(layout, "diesel"))
        return arena_printf(a, "%s/down.sql", dir_of(a, up));
    if (!strcmp(layout, "sqitch")) {
        const char *p = strstr(up, "deploy/");
        const char *last = p;
        while (p && (p = strstr(p + 1, "deploy/")) != NULL)
            last = p;
        if (last)
            return arena_printf(a, "%.*srevert/%s", (int)(last - up), up, last + 7);
        return arena_printf(a, "revert/%s.sql", mr->name);
    }
    if (!strcmp(layout, "flyway")) {
        const char *base = strrchr(up, '/');
        base = base ? base + 1 : up;
        if (base[0] == 'V')
            return arena_printf(a, "%.*sU%s", (int)(base - up), up, base + 1);
    }
    return up;
}

static void render_one(struct strbuf *sb, struct arena *a, const struct rs_migration_result *mr,
                       bool *complete)
{
    const struct rs_down_check *dc = &mr->down_check;
    const struct rs_migration *m = mr->migration;
    const char *layout = m && m->layout ? m->layout : "plain";
    const char *label = mr->name && *mr->name && strcmp(mr->name, mr->id)
                            ? arena_printf(a, "%s_%s", mr->id, mr->name)
                            : mr->id;
    if (!strcmp(layout, "liquibase"))
        label = arena_printf(a, "%s, changeset %s", mr->path ? mr->path : "?", mr->id);
    if (!dc->emitted) {
        *complete = false;
        sb_printf(sb, "-- %s: no exact down; these statements of the up have no inverse:\n", label);
        for (size_t i = 0; i < dc->nno_inverse; i++)
            sb_printf(sb, "--   %s\n", dc->no_inverse[i]);
        return;
    }
    const char *place = down_place(a, mr);
    const char *body = *dc->emitted ? dc->emitted : "-- nothing to undo\n";
    const char *exists = mr->down_path ? " (it has one: rollsafe's version, for comparison)" : "";
    if (!strcmp(layout, "goose")) {
        sb_printf(sb, "-- %s: the Down section%s\n-- +goose Down\n%s", place, exists, body);
    } else if (!strcmp(layout, "dbmate")) {
        sb_printf(sb, "-- %s: the down section%s\n-- migrate:down\n%s", place, exists, body);
    } else if (!strcmp(layout, "liquibase")) {
        sb_printf(sb, "-- %s: rollback lines%s\n", label, exists);
        for (const char *p = body; *p;) {
            const char *e = strchr(p, '\n');
            size_t n = e ? (size_t)(e - p) : strlen(p);
            sb_add(sb, "--rollback ");
            sb_addn(sb, p, n);
            sb_addc(sb, '\n');
            p += n + (e != NULL);
        }
    } else if (!strcmp(layout, "sqitch")) {
        sb_printf(sb, "-- %s%s\nBEGIN;\n\n%s\nCOMMIT;\n", place, exists, body);
    } else if (!strcmp(layout, "golang-migrate") || !strcmp(layout, "diesel") ||
               (!strcmp(layout, "flyway") && strcmp(place, mr->path ? mr->path : "?"))) {
        sb_printf(sb, "-- %s%s\n%s", place, exists, body);
    } else {
        sb_printf(sb, "-- %s: the %s layout has no down migrations; to undo it by hand:\n%s", label,
                  layout, body);
    }
}

char *rs_emit_down_render(const struct rs_check_result *r, bool *complete)
{
    struct arena a = ARENA_INIT;
    struct strbuf sb;
    sb_init(&sb, &a);
    *complete = true;
    for (size_t i = 0; i < r->nmigrations; i++) {
        if (i)
            sb_addc(&sb, '\n');
        render_one(&sb, &a, &r->migrations[i], complete);
    }
    char *out = strdup(sb.s);
    arena_free(&a);
    if (!out)
        rs_oom();
    return out;
}
