/*
 * stmt.h - rollsafe's own representation of a parsed migration statement.
 *
 * lib/sql/ is the only part of rollsafe that knows libpg_query's tree format. It turns each
 * statement of a script into a struct rs_stmt: the kind of statement, the objects it names, and
 * for expressions a summary (canonical text, functions called, columns read) rather than a tree.
 * The schema model (lib/catalog/) and the rules work on these structures only, so a new
 * libpg_query version changes this folder and nothing else.
 *
 * Names are as PostgreSQL folds them: unquoted identifiers arrive lower-cased from the parser.
 * Every pointer belongs to the arena of the script being analysed.
 */
#ifndef RS_STMT_H
#define RS_STMT_H

#include <stdbool.h>
#include <stddef.h>

#include "catalog/types.h"
#include "source.h"

struct arena;

/* A possibly schema-qualified name. schema == NULL: resolved through search_path. */
struct rs_qname {
    const char *schema;
    const char *name;
};

/* ---------------------------------------------------------------- expressions */

enum rs_expr_kind {
    RS_EXPR_OTHER,
    RS_EXPR_CONST,  /* a literal (possibly cast): const_text holds its value */
    RS_EXPR_NULL,   /* the NULL literal */
    RS_EXPR_COLUMN, /* a bare column reference: column */
};

struct rs_expr {
    enum rs_expr_kind kind;
    const char *text;       /* canonical SQL text (deparsed), for messages and comparison */
    const char *const_text; /* RS_EXPR_CONST: the literal's value */
    const char *column;     /* RS_EXPR_COLUMN, or the column when the expression is a cast of a
                               single column (cast_of_column) */
    bool cast_of_column;    /* `col::type` or CAST(col AS type) */
    const char **funcs;     /* functions called anywhere, lower case, without schema */
    size_t nfuncs;
    const char **columns;   /* columns referenced anywhere (last name part), deduplicated */
    size_t ncolumns;
    bool has_sublink;       /* contains a subquery */
    bool has_sql_value_fn;  /* CURRENT_TIMESTAMP, CURRENT_USER, ... (stable, not volatile) */
    /* `c IS NOT NULL` (possibly AND-ed with other terms): the column, else NULL */
    const char *not_null_column;
    /* `c IS NULL` at the top level (or in an AND): the column, else NULL */
    const char *is_null_column;
    int location;           /* byte offset in the file, -1 when unknown */
};

/* ---------------------------------------------------------------- tables */

enum rs_con_kind {
    RS_CON_CHECK,
    RS_CON_NOT_NULL,
    RS_CON_PRIMARY,
    RS_CON_UNIQUE,
    RS_CON_FOREIGN,
    RS_CON_EXCLUSION,
    RS_CON_DEFAULT,   /* column DEFAULT given as a constraint in the grammar */
    RS_CON_NULL,      /* explicit NULL */
    RS_CON_IDENTITY,
    RS_CON_GENERATED,
    RS_CON_OTHER,
};

struct rs_constraint_def {
    enum rs_con_kind kind;
    const char *name;        /* NULL: PostgreSQL picks one */
    const char **columns;    /* key columns (PK, UNIQUE, FK local side) */
    size_t ncolumns;
    struct rs_expr *expr;    /* CHECK expression, DEFAULT, GENERATED expression */
    struct rs_qname ref_table;
    const char **ref_columns;
    size_t nref_columns;
    const char *on_delete, *on_update; /* FK actions: "a" no action, "r" restrict, "c" cascade,
                                         "n" set null, "d" set default */
    const char *using_index; /* ADD CONSTRAINT ... USING INDEX name */
    const char *identity;    /* RS_CON_IDENTITY: "a" (ALWAYS) or "d" (BY DEFAULT) */
    bool not_valid;
    bool deferrable, initially_deferred;
    bool nulls_not_distinct;
    int location;
};

struct rs_column_def {
    const char *name;
    struct rs_type type;
    bool not_null;
    bool primary_key;
    bool unique;
    struct rs_expr *default_expr;     /* NULL: no default */
    const char *identity;             /* "a", "d" or NULL */
    struct rs_expr *generated;        /* GENERATED ALWAYS AS (expr) STORED */
    struct rs_constraint_def *constraints; /* CHECK / REFERENCES / UNIQUE written on the column */
    size_t nconstraints;
    const char *collation;
    int location;
};

enum rs_alter_kind {
    RS_AT_ADD_COLUMN,
    RS_AT_DROP_COLUMN,
    RS_AT_ALTER_TYPE,
    RS_AT_SET_DEFAULT,
    RS_AT_DROP_DEFAULT,
    RS_AT_SET_NOT_NULL,
    RS_AT_DROP_NOT_NULL,
    RS_AT_ADD_CONSTRAINT,
    RS_AT_DROP_CONSTRAINT,
    RS_AT_VALIDATE_CONSTRAINT,
    RS_AT_ALTER_CONSTRAINT, /* DEFERRABLE / NOT DEFERRABLE change */
    RS_AT_ADD_IDENTITY,
    RS_AT_SET_IDENTITY,
    RS_AT_DROP_IDENTITY,
    RS_AT_DROP_EXPRESSION,
    RS_AT_SET_EXPRESSION,
    RS_AT_SET_LOGGED,
    RS_AT_SET_UNLOGGED,
    RS_AT_ATTACH_PARTITION,
    RS_AT_DETACH_PARTITION,
    RS_AT_ENABLE_TRIGGER,
    RS_AT_DISABLE_TRIGGER,
    RS_AT_ENABLE_RLS,
    RS_AT_DISABLE_RLS,
    RS_AT_REPLICA_IDENTITY,
    RS_AT_SET_TABLESPACE,
    RS_AT_SET_ACCESS_METHOD,
    RS_AT_CLUSTER_ON,
    RS_AT_OWNER,
    RS_AT_SET_OPTIONS,      /* storage parameters, statistics, storage, compression */
    RS_AT_INHERIT,
    RS_AT_NO_INHERIT,
    RS_AT_SET_STORAGE,      /* ALTER COLUMN ... SET STORAGE / SET COMPRESSION */
    RS_AT_OTHER,
};

struct rs_alter_cmd {
    enum rs_alter_kind kind;
    const char *what;        /* SQL words for messages: "ALTER COLUMN ... TYPE" */
    const char *column;      /* column the command is about */
    const char *name;        /* constraint / trigger / partition / index name */
    struct rs_column_def *coldef;      /* ADD COLUMN */
    struct rs_type type;               /* ALTER TYPE */
    bool has_type;
    struct rs_expr *using_expr;        /* ALTER TYPE ... USING */
    struct rs_expr *expr;              /* SET DEFAULT / SET EXPRESSION */
    struct rs_constraint_def *constraint; /* ADD CONSTRAINT */
    struct rs_qname partition;         /* ATTACH / DETACH PARTITION */
    bool if_exists, if_not_exists, cascade, concurrently;
    int location;
};

/* ---------------------------------------------------------------- queries */

struct rs_query;

/* A relation in a FROM list (joins are flattened; join USING columns are kept). */
struct rs_from_item {
    struct rs_qname rel;      /* table or view, when not a subquery / function */
    const char *alias;
    struct rs_query *subquery; /* (SELECT ...) AS alias, or NULL */
    const char **alias_columns; /* alias(a, b, c) */
    size_t nalias_columns;
    bool is_function;         /* FROM some_function(...): columns unknown */
    bool lateral;
    int location;
};

/* A column reference: qualifier.column, qualifier.*, column or * */
struct rs_colref {
    const char *qualifier; /* table name or alias (last qualifier part), or NULL */
    const char *schema;    /* schema part of a three-part reference, or NULL */
    const char *column;    /* NULL for * */
    int location;
};

struct rs_target {
    const char *name;       /* output column name: alias, column name or function name */
    bool star;              /* * or qualifier.* */
    struct rs_colref ref;   /* the column or star this target is, when it is a plain one */
    bool is_plain_ref;
    struct rs_expr *expr;   /* the value expression (INSERT VALUES / UPDATE SET / targets) */
    int location;
};

struct rs_cte {
    const char *name;
    struct rs_query *query;
    const char **columns;
    size_t ncolumns;
};

struct rs_query {
    struct rs_from_item *from;
    size_t nfrom;
    struct rs_colref *refs;  /* every column reference made at this level */
    size_t nrefs;
    struct rs_target *targets;
    size_t ntargets;
    struct rs_query **children; /* subqueries in expressions, scoped inside this level */
    size_t nchildren;
    struct rs_cte *ctes;
    size_t nctes;
    struct rs_query *set_left, *set_right; /* UNION / INTERSECT / EXCEPT operands */
    bool is_values;          /* VALUES (...) */
    const char **literals;   /* string literals compared with or assigned to columns: pairs of
                                (column ref index as text, literal) are in cmp_* below */
    size_t nliterals;
    struct rs_colref *cmp_refs;   /* column = 'literal' comparisons: the column... */
    const char **cmp_values;      /* ...and the literal */
    size_t ncmp;
    int location;
};

/* ---------------------------------------------------------------- statements */

enum rs_stmt_kind {
    RS_STMT_OTHER,
    RS_STMT_CREATE_TABLE,
    RS_STMT_CREATE_TABLE_AS,  /* also SELECT INTO */
    RS_STMT_CREATE_MATVIEW,
    RS_STMT_ALTER_TABLE,      /* also ALTER INDEX / VIEW / SEQUENCE / MATERIALIZED VIEW */
    RS_STMT_RENAME,
    RS_STMT_SET_SCHEMA,
    RS_STMT_DROP,
    RS_STMT_CREATE_INDEX,
    RS_STMT_CREATE_VIEW,
    RS_STMT_CREATE_ENUM,
    RS_STMT_ALTER_ENUM,
    RS_STMT_CREATE_TYPE,      /* composite, range, base */
    RS_STMT_CREATE_DOMAIN,
    RS_STMT_ALTER_DOMAIN,
    RS_STMT_CREATE_SEQUENCE,
    RS_STMT_ALTER_SEQUENCE,
    RS_STMT_CREATE_FUNCTION,
    RS_STMT_CREATE_TRIGGER,
    RS_STMT_CREATE_SCHEMA,
    RS_STMT_CREATE_EXTENSION,
    RS_STMT_SET,
    RS_STMT_TRANSACTION,
    RS_STMT_INSERT,
    RS_STMT_UPDATE,
    RS_STMT_DELETE,
    RS_STMT_TRUNCATE,
    RS_STMT_SELECT,
    RS_STMT_DO,
    RS_STMT_COMMENT,
    RS_STMT_GRANT,
    RS_STMT_REINDEX,
    RS_STMT_VACUUM,
    RS_STMT_CLUSTER,
    RS_STMT_REFRESH_MATVIEW,
    RS_STMT_LOCK,
    RS_STMT_CREATE_POLICY,
    RS_STMT_ANALYZE,
    RS_STMT_CALL,
    RS_STMT_PSQL_META,        /* a psql meta-command line such as \set (not SQL) */
};

enum rs_obj_kind {
    RS_OBJ_OTHER,
    RS_OBJ_TABLE,
    RS_OBJ_VIEW,
    RS_OBJ_MATVIEW,
    RS_OBJ_INDEX,
    RS_OBJ_SEQUENCE,
    RS_OBJ_TYPE,
    RS_OBJ_DOMAIN,
    RS_OBJ_FUNCTION,
    RS_OBJ_PROCEDURE,
    RS_OBJ_TRIGGER,
    RS_OBJ_SCHEMA,
    RS_OBJ_EXTENSION,
    RS_OBJ_COLUMN,
    RS_OBJ_CONSTRAINT,
    RS_OBJ_POLICY,
    RS_OBJ_RULE,
    RS_OBJ_FOREIGN_TABLE,
    RS_OBJ_DATABASE,
};

const char *rs_obj_kind_name(enum rs_obj_kind k); /* "table", "view", ... */

enum rs_tx_kind { RS_TXK_BEGIN, RS_TXK_COMMIT, RS_TXK_ROLLBACK, RS_TXK_SAVEPOINT, RS_TXK_OTHER };

/* A column assignment in UPDATE ... SET or INSERT. */
struct rs_assignment {
    const char *column;
    struct rs_expr *value;   /* NULL for INSERT ... SELECT / DEFAULT */
    int location;
};

struct rs_stmt {
    enum rs_stmt_kind kind;
    const char *tag;          /* statement words for messages: "ALTER TABLE", "CREATE INDEX" */
    size_t offset, len;       /* span of the statement in the file, without leading comments */
    int line, column;         /* 1-based position of offset */
    int index;                /* 1-based number of the statement in its script */

    /* A statement that does not parse: message and position of the error. */
    bool syntax_error;
    const char *error;
    size_t error_offset;
    bool newer_grammar;       /* the error is a construct of a newer PostgreSQL grammar */

    struct rs_qname rel;      /* the table / view / index / sequence / type the statement is on */
    enum rs_obj_kind obj_kind;
    bool if_exists, if_not_exists, cascade, concurrently, or_replace, only;
    bool temporary, unlogged;

    /* CREATE TABLE (also composite type attributes) */
    struct rs_column_def *columns;
    size_t ncolumns;
    struct rs_constraint_def *constraints;
    size_t nconstraints;
    struct rs_qname partition_of;  /* CREATE TABLE x PARTITION OF y */
    bool partitioned;              /* PARTITION BY */
    struct rs_qname *inherits;
    size_t ninherits;
    struct rs_qname like;          /* (LIKE other ...) */

    /* ALTER TABLE */
    struct rs_alter_cmd *cmds;
    size_t ncmds;

    /* RENAME / SET SCHEMA: obj_kind says what is renamed; rel is the table or the object */
    const char *subname;      /* old column / constraint / trigger name */
    const char *newname;      /* new name, or new schema for SET SCHEMA */

    /* DROP: several objects of one kind */
    struct rs_qname *objects;
    size_t nobjects;
    const char **object_args; /* DROP FUNCTION: argument signature text per object, or NULL */

    /* CREATE INDEX */
    const char *index_name;
    bool unique;
    const char **index_columns;    /* column names; an expression key shows as its text */
    size_t nindex_columns;
    bool index_has_expressions;
    struct rs_expr *where;         /* partial index predicate, UPDATE / DELETE WHERE */
    const char *access_method;

    /* CREATE VIEW / MATERIALIZED VIEW / TABLE AS, and the query of SELECT / INSERT ... SELECT */
    struct rs_query *query;
    const char **view_columns;     /* CREATE VIEW v (a, b) AS ... */
    size_t nview_columns;
    bool with_no_data;

    /* Enums: CREATE TYPE AS ENUM labels, ALTER TYPE ADD VALUE / RENAME VALUE */
    const char **labels;
    size_t nlabels;
    const char *new_label, *old_label, *neighbor_label;
    bool after_neighbor;

    /* CREATE DOMAIN / ALTER DOMAIN */
    struct rs_type domain_type;
    bool domain_has_constraint;

    /* CREATE FUNCTION / PROCEDURE / TRIGGER */
    const char *language;
    const char *body;         /* function body text, or DO block text */
    int body_offset;          /* file offset of the body text, -1 when unknown */
    /* DO: what its body runs, summarised with the statement (in the parse-ahead helper when
       there is one: PL/pgSQL parsing is most of what a DO block costs a check). */
    const struct rs_body_summary *do_summary;
    const char *arg_signature;
    struct rs_qname function; /* trigger's function; the procedure of CALL */
    const char *trigger_name;

    /* SET / RESET */
    const char *set_name;
    const char *set_value;    /* NULL for RESET / SET ... TO DEFAULT */
    bool set_local;

    /* BEGIN / COMMIT / ... */
    enum rs_tx_kind tx;

    /* INSERT / UPDATE / DELETE / TRUNCATE */
    struct rs_assignment *assignments; /* UPDATE SET, INSERT column list */
    size_t nassignments;
    bool has_where;
    bool insert_has_column_list;
    bool insert_default_values;
    struct rs_query *from_query;       /* UPDATE ... FROM / DELETE ... USING: extra relations */
    struct rs_query *returning;
    bool on_conflict;
    const char **on_conflict_columns;  /* ON CONFLICT (a, b) */
    size_t non_conflict_columns;
    const char *on_conflict_constraint;/* ON CONFLICT ON CONSTRAINT name */
    struct rs_qname *truncate_rels;
    size_t ntruncate_rels;

    /* GRANT / COMMENT / VACUUM / CLUSTER / REINDEX / LOCK / REFRESH */
    bool revoke;              /* RS_STMT_GRANT: REVOKE */
    bool vacuum_full;
    const char *lock_mode;
    const char *reindex_kind;
};

struct rs_stmt_list {
    struct rs_stmt *v;
    size_t n, cap;
};

/*
 * Parses a script into statements. Statements that do not parse come back with
 * syntax_error set and their position; the rest of the script is still parsed (the script is
 * split with PostgreSQL's scanner and each piece parsed on its own). An empty or comment-only
 * script gives zero statements. Never fails.
 */
void rs_sql_parse_script(struct arena *a, const struct rs_script *script, struct rs_stmt_list *out);

/* Skips white space and comments ("--" to the end of the line, nested slash-star ones) from pos,
 * as PostgreSQL's scanner reads them; returns the first offset of a token, or end. */
size_t rs_sql_skip_blank(const char *t, size_t pos, size_t end);

/* Parses one SQL text that is not a migration (a previous-version query file, a pg_dump);
 * positions are offsets into text. Same contract as rs_sql_parse_script. */
void rs_sql_parse_text(struct arena *a, const char *text, size_t len, const struct rs_source *src,
                       struct rs_stmt_list *out);

/* What a DO block or a function body would run, as far as rollsafe can tell without running
   it. */
struct rs_body_summary {
    const char **tags; /* statements that change the schema or data, each once, in order:
                          "ALTER TABLE", "UPDATE" (keywords only when unparsed) */
    size_t ntags;
    bool dynamic;      /* EXECUTE of a string built at run time */
    bool unparsed;     /* the body does not parse, or is in a language rollsafe cannot read */
};

/* Summarises a body of language ("plpgsql" when NULL, as for DO) into out, allocated in a.
   Never fails: what cannot be read sets unparsed. */
void rs_sql_body_summary(struct arena *a, const char *language, const char *body,
                         struct rs_body_summary *out);

/* The string literals of text[0..len) as PostgreSQL's scanner reads them (quotes removed,
   doubled quotes undone), allocated in a; returns how many. */
size_t rs_sql_string_literals(struct arena *a, const char *text, size_t len, const char ***out);

/* PostgreSQL's limit on identifiers, in bytes (NAMEDATALEN - 1). */
#define RS_NAME_MAX 63

/* The identifiers of text[0..len) longer than RS_NAME_MAX bytes, as PostgreSQL reads them
   before truncating (unquoted ones lower-cased), allocated in a; returns how many. The parser
   truncates them, so statements only ever hold the first RS_NAME_MAX bytes. */
size_t rs_sql_long_identifiers(struct arena *a, const char *text, size_t len, const char ***out);

/* True when text[0..len) holds the string literal value (as PostgreSQL's scanner reads it,
   outside comments and identifiers). */
bool rs_sql_has_string_literal(const char *text, size_t len, const char *value);

/* The major version of the PostgreSQL grammar rollsafe was built with (15 for Debian 12). */
int rs_sql_grammar_version(void);

#endif
