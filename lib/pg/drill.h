/*
 * drill.h - `rollsafe drill`: run migrations on a real PostgreSQL and observe what check predicts.
 *
 * For every migration under test the drill takes a fresh database holding the history before it
 * (a copy of a template database), seeds rows into every table, snapshots the catalog and the
 * data, applies up while tracing locks, table rewrites and durations, runs the previous
 * application version's queries (and generated read/write probes), applies down, compares schema
 * and data with the snapshot, and applies up again. Optionally it kills the migration at a chosen
 * statement and reports the state left behind. The observed verdict is set next to check's.
 *
 * The server is a disposable one started with server.h (the embedded default), or a server the
 * user names with a libpq URL: there the drill creates uniquely named scratch databases, runs only
 * in those, and drops them at the end.
 *
 * This module never prints and never exits. Results are values; reports render them into strings
 * (drill_report.c). Everything a result points to belongs to the result and is freed by
 * rs_drill_result_free().
 */
#ifndef RS_PG_DRILL_H
#define RS_PG_DRILL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "rollsafe/check.h"
#include "rollsafe/diag.h"

/* Where the drill is, for a progress line. */
struct rs_drill_progress {
    size_t index, total;   /* 1-based number of the migration being drilled, of total */
    const char *id, *name; /* the migration */
    const char *step;      /* "starting server", "history", "seed", "up", "down", ... */
};

struct rs_drill_opts {
    const char *path;   /* migrations directory or one .sql file */
    const char *layout; /* NULL: detect */
    const char *const *exclude;
    size_t nexclude;
    bool assume_in_transaction; /* plain layout: the runner wraps each file in a transaction */

    /* Which migrations to drill (history is always replayed): from id on, or the last N; until:
       stop after this id (later migrations are neither drilled nor replayed). */
    const char *since;
    int last;
    const char *until;

    /* A libpq connection string or URL of a server to create scratch databases on; NULL: start
       a disposable server. */
    const char *database_url;
    const char *pg_bin;    /* directory with initdb and postgres (--pg-bin), or NULL */
    const char *tmp_dir;   /* parent of the server's directory; NULL: see docs/drill.md */
    const char *cache_dir; /* cache of pristine clusters; NULL: the server module's default */

    int rows;                     /* generated rows per table; 0: RS_DRILL_DEFAULT_ROWS */
    const char *seed_file;        /* run this SQL instead of generating rows, or NULL */
    const char *previous_queries; /* a .sql file or a directory of them, or NULL */
    int crash_at;                 /* kill the up at this statement (1-based); 0: no crash drill */
    int statement_timeout_s;      /* per migration statement; 0: 300 */
    bool no_check;                /* do not run check for the comparison */

    /* Called at each step; may be NULL. Must not call back into the drill. */
    void (*progress)(void *arg, const struct rs_drill_progress *p);
    void *progress_arg;
    /* Set by the caller (a signal handler) to stop the drill at the next step; may be NULL. */
    volatile sig_atomic_t *interrupted;
};

#define RS_DRILL_DEFAULT_ROWS 20

void rs_drill_opts_init(struct rs_drill_opts *o);

/* An error PostgreSQL reported for a statement of a migration. */
struct rs_drill_error {
    const char *message;
    const char *sqlstate;      /* "" when libpq itself failed */
    const char *detail, *hint; /* or NULL */
    const char *path;          /* file of the statement, or NULL */
    int line, column;          /* position of the error (or of the statement), 0 when unknown */
    int stmt;                  /* 1-based statement number in the script, 0 when not about one */
};

/* One statement of a script as it ran. */
struct rs_drill_stmt {
    int index; /* 1-based, as rs_sql_parse_script numbers them */
    int line;
    const char *tag;     /* "ALTER TABLE", "CREATE INDEX", ... */
    const char *summary; /* the statement's first line, shortened */
    double ms;
    bool ran, ok;
    bool autocommit; /* ran outside any transaction (it cannot run in one): its locks were
                        sampled from a second connection while it ran */
    bool committed;  /* its effects were committed (false when rolled back or killed) */
};

struct rs_drill_lock {
    int stmt;             /* statement that first took the lock */
    const char *relation; /* schema-qualified unless public */
    const char *kind;     /* "table", "index", "sequence", "view", "materialized view", ... */
    const char *mode;     /* "AccessExclusiveLock", ... */
};

struct rs_drill_rewrite {
    int stmt;
    const char *relation;
    const char *kind; /* "table", "index", "materialized view" */
};

/* One run of a script (up, down, up again). */
struct rs_drill_step {
    bool ran; /* false: not run (no down, or an earlier step failed) */
    bool ok;
    double ms;
    const struct rs_drill_error *error; /* NULL when ok */
    struct rs_drill_stmt *stmts;
    size_t nstmts;
    struct rs_drill_lock *locks; /* on relations that existed before the script */
    size_t nlocks;
    struct rs_drill_rewrite *rewrites; /* relfilenode changed */
    size_t nrewrites;
    int committed_stmts; /* statements whose effects stayed after a failure (autocommit or a
                            transaction that committed before the failure) */
    const char *note;    /* e.g. "the script leaves a transaction open: rolled back", or NULL */
};

/* How a table's data differs between two snapshots. */
struct rs_drill_data_diff {
    const char *table;
    const char *column; /* NULL: rows as a whole (missing, added, table gone) */
    long long rows_changed;
    const char *what; /* "values changed", "column missing", "rows missing", "rows added",
                         "table missing" */
};

struct rs_drill_compare {
    bool done;
    bool schema_same;
    const char **schema_diff; /* "column public.users.phone: only before", ... sorted */
    size_t nschema_diff;
    const char **order_diff; /* column order differences (reported apart: harmless to SQL
                                that names its columns, visible to SELECT * and COPY) */
    size_t norder_diff;
    bool data_same;
    struct rs_drill_data_diff *data_diff;
    size_t ndata_diff;
};

struct rs_drill_query_failure {
    const char *query; /* the statement text (shortened) */
    const char *path;  /* file, or NULL for a generated probe */
    int line;
    const char *error;
};

struct rs_drill_queries {
    bool ran;
    size_t total;   /* queries run after up */
    size_t skipped; /* not runnable (failed before up already, or not a query) */
    struct rs_drill_query_failure *failed; /* fail after up, worked before */
    size_t nfailed;
    const char **notes; /* "app/users.sql:3: fails before the migration too: ..." */
    size_t nnotes;
};

struct rs_drill_crash {
    bool ran;
    int at;               /* the statement killed */
    bool killed;          /* the backend was killed while statement `at` was in progress */
    const char *how;      /* what was done, in one sentence */
    const char *note;     /* e.g. "statement 3 failed before it could be killed", or NULL */
    int committed_stmts;  /* statements 1..committed_stmts stayed applied */
    const char **applied; /* "2 ALTER TABLE (line 4)" per statement whose effects stayed */
    size_t napplied;
    const char **rolled_back; /* statements that ran but were rolled back */
    size_t nrolled_back;
    const char **invalid_indexes;
    size_t ninvalid_indexes;
    struct rs_drill_compare vs_before; /* the state left, against the state before up */
    const char *state;                 /* "unchanged", "partially applied", "fully applied" */
    bool dirty;                        /* the migration tool's bookkeeping needs a manual repair */
    const char *state_table;           /* what the tool's state table says now, and the repair */
};

enum rs_drill_outcome {
    RS_DRILL_OBSERVED,  /* verdict is valid */
    RS_DRILL_UP_FAILED, /* the up failed even on an empty history copy */
    RS_DRILL_NOT_RUN,   /* an earlier migration of the history failed, or interrupted */
};

struct rs_drill_migration {
    const char *id, *name, *path, *down_path;
    const char *up_tx, *down_tx; /* transaction modes, as rs_txmode_name says */
    bool selected;               /* drilled (history is replayed either way) */
    enum rs_drill_outcome outcome;
    const char *not_run_reason;

    /* Seeding */
    bool seeded;         /* rows were generated (or --seed ran) before up */
    long long seed_rows; /* rows inserted */
    size_t seed_tables;
    long long seed_failed;      /* generated rows the database refused (CHECK, triggers, ...) */
    const char **seed_refusals; /* per table: how many rows were refused and the first error */
    size_t nseed_refusals;
    const char *seed_note; /* e.g. "up fails when the tables hold rows: ...; drilled on the
                              history's own rows" */
    const struct rs_drill_error *seeded_up_error; /* the up's error on the seeded copy */

    struct rs_drill_step up, down, reapply;
    struct rs_drill_compare after_up;   /* what up changed: schema diff, data lost or changed */
    struct rs_drill_compare after_down; /* after down against before up */
    struct rs_drill_queries previous;   /* --previous-queries */
    struct rs_drill_queries probes;     /* generated N-1 reads and writes of existing tables */
    const char **enum_changes;          /* enum types that existed before and gained labels */
    size_t nenum_changes;
    struct rs_drill_crash crash;

    enum rs_verdict verdict;
    const char **reasons; /* why the verdict (evidence), empty for safe */
    size_t nreasons;

    /* check's prediction for the same migration */
    bool checked;
    enum rs_verdict check_verdict;
    const char **check_rules; /* unapproved-or-not rules of check's findings that set the verdict */
    size_t ncheck_rules;
    bool agrees;
    const char *disagreement; /* why they differ, one sentence, or NULL */

    double ms; /* whole drill of this migration */
};

struct rs_drill_result {
    const char *tool_version;
    const char *server_version; /* "15.18" */
    int server_version_num;
    bool embedded;
    const char *server; /* "embedded PostgreSQL 15.18 (/dev/shm, cache hit, started in 92 ms)" or
                           the URL without its password */
    const char *path, *layout;
    int rows;
    const char *seed_file, *previous_queries;
    int crash_at;
    const char *started_at; /* UTC, ISO 8601 */
    double total_ms, server_ms;
    struct rs_drill_migration *migrations;
    size_t nmigrations;
    bool interrupted;
    const char *history_error; /* "2019-03-03-163336_create_post: up failed: ..." or NULL */
    const char *check_error;   /* check could not run: the message, or NULL */
    struct {
        size_t drilled, observed, up_failed, not_run;
        size_t schema_restored, data_restored, with_down, reapply_ok;
        size_t safe, breaks, irreversible, disagree;
    } summary;
    bool failed; /* some drilled migration is not safe, failed, or could not be drilled */
};

/*
 * Runs the drill. Returns 0 with *out (free with rs_drill_result_free) when the drill ran, even if
 * migrations failed (that is a result); returns -1 with errors in diag when nothing could be
 * drilled: unreadable migrations, no server, no connection, a scratch database that cannot be
 * created. Stops and removes everything it started before returning, in both cases.
 */
int rs_drill_run(const struct rs_drill_opts *o, struct rs_drill_result **out, struct rs_diag *diag);
void rs_drill_result_free(struct rs_drill_result *r);

/*
 * Cancels the statement the drill is running right now (PQcancel), if any. Async-signal-safe: a
 * SIGINT handler calls it after setting opts.interrupted, so that a long statement does not delay
 * the cleanup.
 */
void rs_drill_cancel_current(void);

/* "safe", "breaks-previous-version", "irreversible"; "up-failed", "not-run" for the outcomes. */
const char *rs_drill_verdict_name(const struct rs_drill_migration *m);

/* Reports, each a malloc'ed string the caller frees. Never fail (abort on out of memory). */
char *rs_drill_report_text(const struct rs_drill_result *r, bool color);
char *rs_drill_report_json(const struct rs_drill_result *r);
char *rs_drill_report_markdown(const struct rs_drill_result *r);

#endif
