/*
 * internal.h - shared between the files of lib/queries/: the loaded queries, what a query fails
 * on against one schema, and the CSV reader of the pg_stat_statements exports.
 *
 * Nothing outside lib/queries/ includes this header; the engine sees lib/queries.h only.
 */
#ifndef RS_QUERIES_INTERNAL_H
#define RS_QUERIES_INTERNAL_H

#include "queries.h"

/* ---------------------------------------------------------------- loaded queries */

/*
 * One statement of the application that reads or writes tables (SELECT, INSERT, UPDATE,
 * DELETE). Its positions are offsets into the text it was parsed from: the file itself for .sql
 * files, one record's query for exports. file_offset() maps them back to the file.
 */
struct rs_app_query {
    const struct rs_stmt *st;
    const struct rs_source *src; /* the file: positions, excerpts */
    const char *text;            /* the text st was parsed from (NUL-terminated) */
    size_t text_len;
    const size_t *map;   /* text offset -> file offset (text_len + 1 entries), or NULL */
    size_t base;         /* without a map: file offset of text[0] */
    const char *oneline; /* the statement on one line, shortened, for messages */
    const char **names;  /* relation names it mentions (without schema), for the
                            cheap "does this migration concern me" test */
    size_t nnames;
};

struct rs_queries {
    const char *path;
    VEC(struct rs_app_query) v;
    VEC(struct rs_finding) unparsed; /* query-syntax findings */
    /* The texts of statements that do not parse: something the previous version runs that
       rollsafe cannot resolve, searched for names before a drop is called harmless. */
    VEC(const char *) unparsed_text;
};

/* File offset of a text offset of q (clamped to the text). */
size_t rs_app_query_file_offset(const struct rs_app_query *q, size_t off);

/* ---------------------------------------------------------------- problems */

enum rs_qp_kind {
    RS_QP_NO_RELATION, /* a relation the query names does not exist */
    RS_QP_NO_COLUMN,   /* a column the query reads or writes does not exist */
    RS_QP_AMBIGUOUS,
    RS_QP_REQUIRED,      /* INSERT leaves out a NOT NULL column that has no default */
    RS_QP_NULL,          /* writes the NULL literal into a NOT NULL column */
    RS_QP_CONFLICT,      /* ON CONFLICT target: no unique index or constraint matches */
    RS_QP_ENUM,          /* a literal that is not a label of the column's enum type */
    RS_QP_TOO_LONG,      /* a literal longer than the column's varchar(n) / char(n) */
    RS_QP_RANGE,         /* a number out of the column's integer or numeric range */
    RS_QP_NOT_UPDATABLE, /* a write into a view PostgreSQL cannot write through */
};

/* What one query fails on against one schema. Strings may point into the model. */
struct rs_qproblem {
    enum rs_qp_kind kind;
    bool writes;         /* the reference is a write (INSERT column list, UPDATE SET) */
    int location;        /* text offset in the query, -1 for the statement */
    struct rs_qname rel; /* the relation as the schema names it (or as the query does) */
    const char *column;
    const char *value;  /* the literal (ENUM, TOO_LONG, RANGE) */
    const char *type;   /* the column's type, formatted (ENUM, TOO_LONG, RANGE) */
    const char *detail; /* CONFLICT: "(a, b)" or "ON CONSTRAINT name"; NOT_UPDATABLE: why */
};

typedef VEC(struct rs_qproblem) rs_qproblem_vec;

/* Appends to out what q fails on against model m. Never fails. */
void rs_query_problems(struct arena *a, const struct rs_model *m, const struct rs_app_query *q,
                       rs_qproblem_vec *out);
/* The same problem on two schemas (the type and the schema of the relation may differ). */
bool rs_qproblem_same(const struct rs_qproblem *x, const struct rs_qproblem *y);

/* ---------------------------------------------------------------- CSV (RFC 4180) */

/* One field of a record as it is in the file: [begin, end) includes the quotes. */
struct rs_csv_field {
    size_t begin, end;
    bool quoted;
};

/*
 * Reads the record at *pos of text (len bytes) into fields (at most max; further fields are
 * counted, not stored) and moves *pos past it. Fields are separated by commas, records by LF
 * or CRLF; a quoted field may hold commas, line breaks and doubled quotes. Returns the number
 * of fields, 0 at the end of the text, -1 for a quoted field that is never closed (*pos is then
 * the offset of its opening quote).
 */
int rs_csv_record(const char *text, size_t len, size_t *pos, struct rs_csv_field *fields,
                  size_t max);
/* The value of a field without its quotes, in arena a; map (when not NULL) receives the file
   offset of every byte of the value, plus one entry for its end. */
char *rs_csv_value(struct arena *a, const char *text, const struct rs_csv_field *f, size_t *len,
                   size_t **map);

#endif
