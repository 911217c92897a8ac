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
 *
 * Copies are copy-on-write: a copy has arrays of pointers of its own, but its relations, indexes,
 * types, sequences, functions and triggers are those of its source until one of the two changes
 * one. Each object records the epoch of the model that may change it in place (its owner), and
 * a copy gives both models new epochs, so that neither owns what they share. The arrays hold
 * const pointers: what writes to an object gets it from rs_*_own or a _mut lookup, which clone
 * it (and its vectors) into the model's arena first when the model does not own it. A pointer
 * from before such a call may be to the shared object: it must not be written through (the
 * types say so) nor compared with the array's pointer after it.
 */
#ifndef RS_MODEL_H
#define RS_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
    uint64_t epoch;             /* the model that may change it in place (rs_model.epoch) */
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
    uint64_t epoch;             /* the model that may change it in place (rs_model.epoch) */
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
    uint64_t epoch;             /* the model that may change it in place (rs_model.epoch) */
};

struct rs_sequence {
    struct rs_qname name;
    struct rs_qname owned_table; /* serial / identity owner, name NULL when none */
    const char *owned_column;
    int created_mig;
    unsigned name_hash;         /* rs_name_hash(name.name): rs_sequence_set_name */
    uint64_t epoch;             /* the model that may change it in place (rs_model.epoch) */
};

struct rs_function {
    struct rs_qname name;
    const char *signature;      /* argument types, "" for none, NULL when unknown */
    const char *language;
    const char *body;
    int created_mig;
    uint64_t epoch;             /* the model that may change it in place (rs_model.epoch) */
};

struct rs_trigger {
    const char *name;
    struct rs_qname table;
    struct rs_qname function;
    bool enabled;
    int created_mig;
    uint64_t epoch;             /* the model that may change it in place (rs_model.epoch) */
};

struct rs_model {
    struct arena *arena;
    VEC(const struct rs_relation *) rels;
    VEC(const struct rs_index *) indexes;
    VEC(const struct rs_typeobj *) types;
    VEC(const struct rs_sequence *) sequences;
    VEC(const struct rs_function *) functions;
    VEC(const struct rs_trigger *) triggers;
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
    uint64_t epoch;             /* objects with this epoch are this model's to change in place */
};

struct rs_model *rs_model_new(struct arena *a);
/* Set the name of an object of the model, and the hash of it its lookups compare first. Every
   change of name.name goes through these. */
void rs_rel_set_name(struct rs_relation *r, const struct rs_qname *q);
void rs_index_set_name(struct rs_index *x, const struct rs_qname *q);
void rs_sequence_set_name(struct rs_sequence *s, const struct rs_qname *q);
void rs_constraint_set_name(struct rs_constraint *k, const char *name);
/* A copy of m in arena a, copy-on-write (see the top of this file): the copy has its own
   arrays of pointers and of names, and shares every object with m until one of the two changes
   it. Changes m's epoch, so m must not be in use by another thread. */
struct rs_model *rs_model_copy(struct arena *a, struct rs_model *m);
/* A copy of m that shares no object with it (each one cloned into a): what rs_model_copy made
   before copies were copy-on-write, kept for the tests that check one against the other. */
struct rs_model *rs_model_deep_copy(struct arena *a, const struct rs_model *m);
/* Whether two models hold the same bytes, object by object and vector by vector (epochs left
   out): a model and a deep copy of it are, until one of them changes. For the tests. */
bool rs_model_same_bytes(const struct rs_model *a, const struct rs_model *b);

/* The object at slot i of m's array, made m's own to change: cloned into m's arena, with its
   vectors (columns, constraints, dependencies; labels), and put in the slot, when m does not own
   it yet. The pointer the slot held before must not be used to write. */
struct rs_relation *rs_rel_own(struct rs_model *m, size_t i);
struct rs_index *rs_index_own(struct rs_model *m, size_t i);
struct rs_typeobj *rs_type_own(struct rs_model *m, size_t i);
struct rs_sequence *rs_sequence_own(struct rs_model *m, size_t i);
struct rs_function *rs_function_own(struct rs_model *m, size_t i);
struct rs_trigger *rs_trigger_own(struct rs_model *m, size_t i);

/* Lookup by name through search_path (schema NULL) or in the given schema. NULL when absent.
   The objects are for reading; the _mut lookups find the same object and make it m's own. */
const struct rs_relation *rs_model_rel(const struct rs_model *m, const struct rs_qname *q);
const struct rs_index *rs_model_index(const struct rs_model *m, const struct rs_qname *q);
const struct rs_typeobj *rs_model_type(const struct rs_model *m, const struct rs_qname *q);
/* The enum that column type t names (an array's element type included), or NULL: a built-in
   type, a type that is not an enum, one the model does not know. */
const struct rs_typeobj *rs_model_enum(const struct rs_model *m, const struct rs_type *t);
const struct rs_sequence *rs_model_sequence(const struct rs_model *m, const struct rs_qname *q);
const struct rs_function *rs_model_function(const struct rs_model *m, const struct rs_qname *q,
                                            const char *signature);
const struct rs_trigger *rs_model_trigger(const struct rs_model *m, const struct rs_qname *table,
                                          const char *name);
struct rs_relation *rs_model_rel_mut(struct rs_model *m, const struct rs_qname *q);
struct rs_index *rs_model_index_mut(struct rs_model *m, const struct rs_qname *q);
struct rs_typeobj *rs_model_type_mut(struct rs_model *m, const struct rs_qname *q);
struct rs_sequence *rs_model_sequence_mut(struct rs_model *m, const struct rs_qname *q);
struct rs_function *rs_model_function_mut(struct rs_model *m, const struct rs_qname *q,
                                          const char *signature);
struct rs_trigger *rs_model_trigger_mut(struct rs_model *m, const struct rs_qname *table,
                                        const char *name);
/* The relation with this identity, whatever its name now; NULL when it is gone. */
const struct rs_relation *rs_model_rel_by_oid(const struct rs_model *m, unsigned oid);
/* Columns and constraints by name; the _mut forms are for a relation the model owns. */
const struct rs_column *rs_rel_column(const struct rs_relation *r, const char *name);
struct rs_column *rs_rel_column_mut(struct rs_relation *r, const char *name);
size_t rs_rel_column_index(const struct rs_relation *r, const char *name);
const struct rs_constraint *rs_rel_constraint(const struct rs_relation *r, const char *name);
struct rs_constraint *rs_rel_constraint_mut(struct rs_relation *r, const char *name);
bool rs_model_has_schema(const struct rs_model *m, const char *name);

/* The schema an unqualified new object goes to: the first schema of search_path that exists
   (public when the path is empty). */
const char *rs_model_creation_schema(const struct rs_model *m);
/* "public.users" for messages; the schema is left out when it is public. */
const char *rs_qname_str(struct arena *a, const struct rs_qname *q);
/* Whether r is a view or a materialized view: its columns come from its query, and PostgreSQL
   refuses ALTER TABLE's changes to them (but a view column's default). */
static inline bool rs_rel_is_view(const struct rs_relation *r)
{
    return r && (r->kind == RS_REL_VIEW || r->kind == RS_REL_MATVIEW);
}

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
size_t rs_model_dependent_views(const struct rs_model *m, const struct rs_qname *q, const char *col,
                                const struct rs_relation **out, size_t max);
/* Indexes on table q. */
size_t rs_model_table_indexes(const struct rs_model *m, const struct rs_qname *q,
                              const struct rs_index **out, size_t max);

#endif
