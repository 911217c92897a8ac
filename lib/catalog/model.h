/*
 * model.h - the in-memory schema model: what the database looks like after the migrations
 * replayed so far.
 *
 * The model tracks what rollback safety depends on: relations and their columns (type, typmod,
 * nullability, default, identity, generated), constraints with their validated flag, indexes,
 * enum labels in order, views with the columns they read, sequences, functions, triggers,
 * schemas and the search_path. It does not track privileges, comments, statistics or storage.
 *
 * Every object remembers the migration that created it (created_mig), so a rule can tell an
 * object created earlier in the same migration (never flagged) from one that existed before.
 *
 * Memory: a model and everything in it live in the arena given to rs_model_new. Copies share
 * immutable strings and types with their source but own their arrays.
 */
#ifndef RS_MODEL_H
#define RS_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "catalog/types.h"
#include "sql/stmt.h"
#include "util/arena.h"

#define RS_MIG_PREEXISTING (-1) /* created_mig of objects from --schema */

struct rs_column {
    const char *name;
    int attnum;                 /* identity within the relation that survives renames */
    struct rs_type type;
    bool not_null;
    const char *default_text;   /* canonical text, NULL when no default */
    bool default_volatile;
    const char *identity;       /* "a", "d" or NULL */
    const char *generated_text; /* stored generated column expression, or NULL */
    const char *collation;
    int created_mig;
};

struct rs_constraint {
    const char *name;
    enum rs_con_kind kind;      /* CHECK, PRIMARY, UNIQUE, FOREIGN, EXCLUSION */
    unsigned name_hash;         /* rs_name_hash(name): rs_constraint_set_name */
    const char **columns;
    size_t ncolumns;
    const char *check_text;
    const char *not_null_column; /* CHECK (c IS NOT NULL): c */
    bool validated;
    bool deferrable;
    struct rs_qname ref_table;
    const char **ref_columns;
    size_t nref_columns;
    const char *on_delete, *on_update; /* FOREIGN KEY actions as the parser gives them ("c"
                                          cascade, "n" set null, "d" set default, "r"
                                          restrict; "a" or NULL: no action) */
    const char *index_name;     /* the index backing a PRIMARY KEY / UNIQUE constraint */
    int created_mig;
    int validated_mig;          /* migration that made it valid (creation or VALIDATE) */
};

enum rs_rel_kind { RS_REL_TABLE, RS_REL_VIEW, RS_REL_MATVIEW, RS_REL_FOREIGN };

/* A column a view (or a function-free expression) reads: relation + column. */
struct rs_dep {
    struct rs_qname rel;        /* schema always filled in */
    const char *column;         /* NULL: the whole relation (SELECT * expanded elsewhere) */
};

typedef VEC(struct rs_column) rs_column_vec;
typedef VEC(struct rs_dep) rs_dep_vec;

struct rs_relation {
    struct rs_qname name;       /* schema always filled in */
    unsigned oid;               /* identity that survives renames (like pg_class.oid) */
    enum rs_rel_kind kind;
    rs_column_vec columns;
    VEC(struct rs_constraint) constraints;
    bool complete;              /* every column is known (created by CREATE TABLE in history or
                                   from --schema); false for relations created by statements
                                   rollsafe could not follow */
    bool unlogged, partitioned;
    unsigned name_hash;         /* rs_name_hash(name.name): rs_rel_set_name */
    struct rs_qname partition_of;
    /* views */
    const char *definition;     /* canonical text of the view query, for comparison */
    rs_dep_vec deps;
    int created_mig;
    int next_attnum;
};

struct rs_index {
    struct rs_qname name;       /* schema always filled in */
    struct rs_qname table;
    bool unique, primary, valid;
    unsigned name_hash;         /* rs_name_hash(name.name): rs_index_set_name */
    const char **columns;
    size_t ncolumns;
    const char *where_text;
    const char *constraint;     /* name of the constraint that owns the index, or NULL */
    int created_mig;
};

enum rs_typeobj_kind { RS_TYPEOBJ_ENUM, RS_TYPEOBJ_COMPOSITE, RS_TYPEOBJ_DOMAIN,
                       RS_TYPEOBJ_OTHER };

struct rs_typeobj {
    struct rs_qname name;
    enum rs_typeobj_kind kind;
    VEC(const char *) labels;   /* enum labels in order */
    struct rs_type base;        /* domain base type */
    bool has_constraint;        /* domain with CHECK / NOT NULL */
    int created_mig;
};

struct rs_sequence {
    struct rs_qname name;
    struct rs_qname owned_table; /* serial / identity owner, name NULL when none */
    const char *owned_column;
    int created_mig;
    unsigned name_hash;         /* rs_name_hash(name.name): rs_sequence_set_name */
};

struct rs_function {
    struct rs_qname name;
    const char *signature;      /* argument types, "" for none, NULL when unknown */
    const char *language;
    const char *body;
    int created_mig;
};

struct rs_trigger {
    const char *name;
    struct rs_qname table;
    struct rs_qname function;
    bool enabled;
    int created_mig;
};

struct rs_model {
    struct arena *arena;
    VEC(struct rs_relation *) rels;
    VEC(struct rs_index *) indexes;
    VEC(struct rs_typeobj *) types;
    VEC(struct rs_sequence *) sequences;
    VEC(struct rs_function *) functions;
    VEC(struct rs_trigger *) triggers;
    VEC(const char *) schemas;
    VEC(const char *) extensions;
    VEC(const char *) search_path;
    /* Set when a statement rollsafe cannot follow may have changed the schema (a DO block, a
       function call, a statement that did not parse): findings that rely on the absence of an
       object say so. */
    bool uncertain;
    int unfollowed_mig;         /* last migration with a statement the model could not follow:
                                   relations first seen in it may have been created by it */
    unsigned next_oid;
};

struct rs_model *rs_model_new(struct arena *a);
/* Set the name of an object of the model, and the hash of it its lookups compare first. Every
   change of name.name goes through these. */
void rs_rel_set_name(struct rs_relation *r, const struct rs_qname *q);
void rs_index_set_name(struct rs_index *x, const struct rs_qname *q);
void rs_sequence_set_name(struct rs_sequence *s, const struct rs_qname *q);
void rs_constraint_set_name(struct rs_constraint *k, const char *name);
/* Deep copy of the arrays; strings and types are shared. The copy lives in arena a. */
struct rs_model *rs_model_copy(struct arena *a, const struct rs_model *m);

/* Lookup by name through search_path (schema NULL) or in the given schema. NULL when absent. */
struct rs_relation *rs_model_rel(const struct rs_model *m, const struct rs_qname *q);
struct rs_index *rs_model_index(const struct rs_model *m, const struct rs_qname *q);
struct rs_typeobj *rs_model_type(const struct rs_model *m, const struct rs_qname *q);
struct rs_sequence *rs_model_sequence(const struct rs_model *m, const struct rs_qname *q);
struct rs_function *rs_model_function(const struct rs_model *m, const struct rs_qname *q,
                                      const char *signature);
struct rs_trigger *rs_model_trigger(const struct rs_model *m, const struct rs_qname *table,
                                    const char *name);
/* The relation with this identity, whatever its name now; NULL when it is gone. */
struct rs_relation *rs_model_rel_by_oid(const struct rs_model *m, unsigned oid);
struct rs_column *rs_rel_column(const struct rs_relation *r, const char *name);
size_t rs_rel_column_index(const struct rs_relation *r, const char *name);
struct rs_constraint *rs_rel_constraint(const struct rs_relation *r, const char *name);
bool rs_model_has_schema(const struct rs_model *m, const char *name);

/* The schema an unqualified new object goes to: the first schema of search_path that exists
   (public when the path is empty). */
const char *rs_model_creation_schema(const struct rs_model *m);
/* "public.users" for messages; the schema is left out when it is public. */
const char *rs_qname_str(struct arena *a, const struct rs_qname *q);
/* Whether two names are the same; NULL is no name and equals nothing. Inline, byte by byte:
   the model's lookups and scans compare names millions of times over a long history, and most
   pairs differ within their first bytes, where a call to strcmp costs more than the work. */
static inline bool rs_name_eq(const char *a, const char *b)
{
    if (!a || !b)
        return false;
    if (a == b)
        return true; /* copies of the model share their strings */
    while (*a == *b) {
        if (!*a)
            return true;
        a++;
        b++;
    }
    return false;
}
/* A hash of a name (FNV-1a; 0 for no name). Relations, indexes, sequences and constraints keep
   the hash of their name beside it, so that the lookups by name, which mostly miss (every name
   about to be created is looked for in all of them), compare a number where they compared bytes:
   names such as idx_post_... share long prefixes. */
static inline unsigned rs_name_hash(const char *s)
{
    unsigned h = 2166136261u;
    if (!s)
        return 0;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}
/* Same name and same schema (no schema matches only no schema). */
static inline bool rs_qname_eq(const struct rs_qname *a, const struct rs_qname *b)
{
    return rs_name_eq(a->name, b->name) &&
           ((!a->schema && !b->schema) || rs_name_eq(a->schema, b->schema));
}
/* The SQL of a foreign key action code (rs_constraint.on_delete / on_update): "CASCADE",
   "SET NULL", "SET DEFAULT", "RESTRICT"; NULL for NO ACTION ("a", NULL or anything else). */
const char *rs_fk_action_sql(const char *code);

/* Views that read relation q (or its column col, when col is not NULL). */
size_t rs_model_dependent_views(const struct rs_model *m, const struct rs_qname *q,
                                const char *col, struct rs_relation **out, size_t max);
/* Indexes on table q. */
size_t rs_model_table_indexes(const struct rs_model *m, const struct rs_qname *q,
                              struct rs_index **out, size_t max);

#endif
