/*
 * apply.h - replaying statements into the schema model.
 *
 * Applying a statement changes the model as PostgreSQL would change its catalog. When the model
 * proves that PostgreSQL would refuse the statement (altering the type of a column a view reads,
 * dropping a column that does not exist in a table whose columns are all known), the result
 * says so and the model is changed as far as it sensibly can be, so that replay continues.
 */
#ifndef RS_APPLY_H
#define RS_APPLY_H

#include "catalog/model.h"

struct rs_apply_result {
    bool fails;           /* PostgreSQL would refuse the statement */
    const char *message;  /* why, for the finding (arena string) */
    const char *hint;
    int location;         /* file offset of the clause at fault, -1 for the statement */
};

/* Applies a whole statement (ALTER TABLE: every command in order). mig is the index of the
   migration being replayed (stored as created_mig). */
void rs_apply_stmt(struct rs_model *m, const struct rs_stmt *st, int mig,
                   struct rs_apply_result *res);

/* Applies one command of an ALTER TABLE statement. */
void rs_apply_alter_cmd(struct rs_model *m, const struct rs_stmt *st, const struct rs_alter_cmd *c,
                        int mig, struct rs_apply_result *res);

/* ---------------------------------------------------------------- query resolution */

struct rs_resolve_issue {
    enum { RS_RESOLVE_NO_RELATION, RS_RESOLVE_NO_COLUMN, RS_RESOLVE_AMBIGUOUS } kind;
    struct rs_qname rel;  /* relation (or qualifier) the reference was looked up in */
    const char *column;
    int location;
};

/* A literal compared with a column (c = 'x', 'x' = c, c IN ('x', 'y')) and the column the
   reference resolved to: what tells an enum comparison with a value the type does not have. */
struct rs_resolved_cmp {
    struct rs_qname rel;            /* relation of the column; name NULL for a subquery or CTE */
    const struct rs_column *column;
    const char *value;
    int location;                   /* of the column reference */
};

struct rs_resolved {
    rs_dep_vec deps;                  /* base relations and views read, and their columns */
    rs_column_vec columns;            /* output columns: name and type when known */
    VEC(struct rs_resolve_issue) issues;
    VEC(struct rs_resolved_cmp) cmps;
    bool opaque;                      /* something could not be followed (a function in FROM,
                                         an unknown relation): output columns may be missing */
};

/* Resolves the names of a query against the model. Never fails; problems are issues. */
void rs_resolve_query(struct arena *a, const struct rs_model *m, const struct rs_query *q,
                      struct rs_resolved *out);

#endif
