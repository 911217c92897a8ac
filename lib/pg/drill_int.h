/*
 * drill_int.h - what the drill's files share: catalog snapshots (snapshot.c), seeding and probes
 * (seed.c), running scripts with lock tracing and crash injection (drill_exec.c), previous-version
 * queries (drill_queries.c) and small libpq helpers (drill_sql.c). Not part of the API.
 */
#ifndef RS_PG_DRILL_INT_H
#define RS_PG_DRILL_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "layout/layout.h"
#include "pg/conn.h"
#include "pg/drill.h"
#include "pg/pq.h"
#include "sql/stmt.h"
#include "util/arena.h"
#include "util/strbuf.h"

/* ---------------------------------------------------------------- SQL helpers (drill_sql.c) */

/*
 * Runs sql and returns its PGresult when it produced rows or a command status (the caller
 * PQclear()s it), or NULL with *err filled (strings in a). Only for queries rollsafe writes.
 */
PGresult *dq_query(PGconn *c, struct arena *a, const char *sql, struct rs_pg_error *err);
/* A copy of PQgetvalue, or NULL for SQL NULL. */
char *dq_value(struct arena *a, const PGresult *r, int row, int col);
/* "name" for the public schema, else "schema.name", for messages (not SQL). */
const char *dq_display(struct arena *a, const char *schema, const char *name);
/* "schema"."name" for SQL. */
const char *dq_qualified(struct arena *a, const char *schema, const char *name);
/* The first line of a statement, whitespace collapsed, shortened to max characters. */
const char *dq_summary(struct arena *a, const char *text, size_t len, size_t max);
/* Milliseconds on the monotonic clock. */
double dq_now_ms(void);
/* An rs_drill_error from an rs_pg_error (strings copied into a). */
struct rs_drill_error *dq_error(struct arena *a, const struct rs_pg_error *e);
/* Whether a migration tool's own state table (schema_migrations, flyway_schema_history, ...) or
   schema (sqitch, atlas_schema_revisions) has this name: left out of snapshots and seeds. */
bool dq_is_tool_table(const char *schema, const char *name);

/* ---------------------------------------------------------------- snapshots (snapshot.c) */

/* A relation that existed when the snapshot was taken: for lock tracing and rewrites. */
struct snap_rel {
    unsigned oid, filenode;
    const char *display;
    const char *kind; /* "table", "index", ... */
};

struct snap_line {
    const char *key;   /* "column users.email" */
    const char *def;   /* "character varying(50) not null" */
    const char *ident; /* identity in this database ("16384", "16384.3"), to see renames; or NULL */
};

struct snap_col {
    const char *name;
    const char *type; /* format_type */
    int attnum;
};

struct snap_table {
    unsigned oid;
    const char *schema, *name, *display, *sql; /* sql: "schema"."name" */
    struct snap_col *cols;
    size_t ncols;
    const char **pk; /* primary key column names, or NULL */
    size_t npk;
    /* data (when taken) */
    bool have_data;
    bool keyed; /* keys are the before snapshot's primary key values */
    size_t nrows;
    const char **keys;     /* nrows, when keyed */
    uint64_t *cells;       /* nrows * ncols value hashes, 0 for NULL */
    const char *data_note; /* e.g. "values compared as text: cannot be read back as integer" */
};

struct rs_snapshot {
    struct snap_line *lines; /* sorted by key */
    size_t nlines;
    struct snap_line *order; /* "column order of users": "id, name, email" */
    size_t norder;
    struct snap_table *tables; /* tables that hold data (relkind r), sorted by display name */
    size_t ntables;
    struct snap_rel *rels; /* every user relation, sorted by oid */
    size_t nrels;
    const char **invalid_indexes;
    size_t ninvalid_indexes;
    const char **enum_types; /* keys of enum types, for "enum gained a label" */
    size_t nenum_types;
};

/*
 * Takes a snapshot of the database c is connected to: the catalog by name, every user relation,
 * and, when data is set, a hash of every value of every table. ref, when not NULL, is an earlier
 * snapshot of the same database: values of columns whose type changed since are read back in
 * ref's type, and rows are keyed by ref's primary key, so that the two compare. Returns 0, or -1
 * with *err filled.
 */
int snap_take(PGconn *c, struct arena *a, bool data, const struct rs_snapshot *ref,
              struct rs_snapshot *out, struct rs_pg_error *err);

enum snap_match { SNAP_BY_NAME, SNAP_BY_IDENTITY };

/*
 * Compares after with before. SNAP_BY_IDENTITY (the same database, over a script that renames)
 * matches tables and columns by oid and attnum, so that a rename is not a loss; SNAP_BY_NAME
 * (restoration) by name. losses_only: leave out rows added (what up adds is not a loss).
 */
void snap_compare(struct arena *a, const struct rs_snapshot *before,
                  const struct rs_snapshot *after, enum snap_match match, bool losses_only,
                  struct rs_drill_compare *out);

/* Enum types of before whose labels changed in after: "type mood: enum ('a', 'b', 'c'), was..." */
size_t snap_enum_changes(struct arena *a, const struct rs_snapshot *before,
                         const struct rs_snapshot *after, const char ***out);

/* ---------------------------------------------------------------- seeding (seed.c) */

struct seed_plan;

/* Reads tables, columns, types, enum labels, and foreign keys from the catalog. */
struct seed_plan *seed_plan_read(PGconn *c, struct arena *a, struct rs_pg_error *err);
/* The oids of the plan's tables that hold no row, in *out (arena a); -1 when the query fails. */
int seed_empty_tables(PGconn *c, struct arena *a, const struct seed_plan *p, unsigned **out,
                      size_t *n);
/* The oids of the plan's tables (not views), in *out (arena a). */
size_t seed_plan_oids(const struct seed_plan *p, struct arena *a, unsigned **out);

struct seed_stats {
    long long rows, failed;
    size_t tables;
    /* Per table that refused rows: "post: 3 row(s) refused: new row ... violates check ..." */
    const char **refusals;
    size_t nrefusals;
};

/* Inserts rows generated rows into every table but those in skip (oids), parents first. Never
   fails as a whole: rows the database refuses are counted in failed. Returns -1 only when the
   connection is lost. */
enum seed_rows_kind {
    SEED_RICH_ROWS,  /* varied: type limits in the first rows, NULLs, defaults, case twins */
    SEED_PLAIN_ROWS, /* ordinary values only, no NULL where a value can go */
};
int seed_run(PGconn *c, struct arena *a, struct seed_plan *p, int rows, enum seed_rows_kind kind,
             const unsigned *skip, size_t nskip, struct seed_stats *st, struct rs_pg_error *err);

/* A generated N-1 query against a table of the plan: a read of its columns, or a write of a row. */
struct seed_probe {
    const char *table; /* display name */
    const char *sql;
    bool write;
    const char *label; /* "N-1 read of users (the 7 column(s) it had)" */
};

/* Probes for every table and view of the plan; write rows use row number `row`. */
size_t seed_probes(PGconn *c, struct arena *a, struct seed_plan *p, int row,
                   struct seed_probe **out);

/*
 * Runs one probe: 1 when it works, 0 when the database refuses it (message in *error), -1 when
 * the connection is lost. Nothing a probe writes stays: writes are rolled back.
 */
int seed_probe_run(PGconn *c, struct arena *a, const struct seed_probe *p, const char **error);

/*
 * Runs the n probes of v (those with only[i] == 1 when only is not NULL), pipelined: out[i] is
 * 1 or 0 as seed_probe_run() says, -1 when not run; errors[i] the message. Returns 0, or -1 when
 * the connection is lost.
 */
int seed_probes_run(PGconn *c, struct arena *a, const struct seed_probe *v, size_t n,
                    const signed char *only, signed char *out, const char **errors);

/* ---------------------------------------------------------------- running scripts (drill_exec.c)
 */

struct exec_env {
    struct arena *a;
    PGconn *c;            /* the runner, connected to the drill database */
    int pid;              /* its backend */
    PGconn *mon;          /* a second connection, to another database (pg_locks, terminate) */
    const char *conninfo; /* of the drill database, for a blocking session in a crash drill */
    const struct rs_snapshot *before; /* relations to trace locks and rewrites on; NULL: none */
    int crash_at;                     /* kill at this statement; 0: no */
    struct rs_drill_crash *crash;
    int statement_timeout_s;
    volatile sig_atomic_t *interrupted;
};

/*
 * Runs script (parsed into stmts) as the layout's transaction mode says, statement by statement.
 * Fills out (statements, timings, locks, rewrites, the first error). After a failure, any
 * transaction is rolled back as the tool would; the session is reset (DISCARD ALL) after the
 * script. With crash_at, the runner's backend is killed at that statement and env->c is NULL on
 * return (the caller reconnects). Returns 0, or -1 when the runner's connection was lost
 * unexpectedly.
 */
int exec_script(struct exec_env *env, const struct rs_script *script,
                const struct rs_stmt_list *stmts, enum rs_txmode mode, struct rs_drill_step *out);

/* Sets the PGconn whose statement rs_drill_cancel_current() cancels (NULL: none). */
void exec_set_cancel_target(PGconn *c);

/* ---------------------------------------------------------------- previous queries
 * (drill_queries.c) */

struct prevq;

/* Loads a .sql file or a directory of them (recursively, sorted). Errors in diag. */
struct prevq *prevq_load(struct arena *a, const char *path, struct rs_diag *diag);

/* Per-query outcome of one run: 2 executed, 1 prepared only (execution failed), 0 failed to
   prepare, -1 not run. */
struct prevq_run {
    signed char *state;
    const char **error;
};

/* Runs every query in a rolled-back transaction with NULL parameters. -1: connection lost. */
int prevq_run_all(PGconn *c, struct arena *a, const struct prevq *q, struct prevq_run *out);
/* Compares a run before up with a run after up into out. */
void prevq_compare(struct arena *a, const struct prevq *q, const struct prevq_run *before,
                   const struct prevq_run *after, struct rs_drill_queries *out);

#endif
