/*
 * rollsafe/rollsafe.h - the library's entry points.
 *
 * rollsafe tells whether PostgreSQL migrations can be rolled back. rs_check_run() is
 * `rollsafe check`: it never connects anywhere, never prints and never exits; errors the user
 * must fix come back in an rs_diag (the command-line tool prints them and exits with 2).
 */
#ifndef ROLLSAFE_H
#define ROLLSAFE_H

#include <stdbool.h>
#include <stddef.h>

#include "rollsafe/check.h"
#include "rollsafe/diag.h"

#define ROLLSAFE_VERSION "0.1.0"

/* What fails the run (exit code 1): findings whose migration verdict ... */
enum rs_fail_on {
    RS_FAIL_ON_SAFE,         /* any unapproved finding of class irreversible or breaks */
    RS_FAIL_ON_BREAKS,       /* breaks-previous-version and irreversible (default) */
    RS_FAIL_ON_IRREVERSIBLE, /* irreversible only */
    RS_FAIL_ON_NEVER,        /* nothing but syntax errors and statements that cannot succeed */
};

/* Turning rules (or whole classes) on and off and changing their severity. */
struct rs_rule_setting {
    const char *name; /* a rule name, or a class: irreversible, breaks-previous-version, lock,
                         hygiene, or "all" */
    int enabled;      /* 1 on, 0 off, -1 unchanged */
    int severity;     /* an enum rs_severity, or -1 unchanged */
};

struct rs_check_opts {
    const char *path;          /* migrations directory or one .sql file */
    const char *layout;        /* NULL: detect */
    const char *schema_file;   /* pg_dump --schema-only to start from, or NULL */
    const char *since;         /* report migrations from this id on (inclusive), or NULL */
    int last;                  /* report only the last N migrations, 0 for all */
    int pg_version;            /* target PostgreSQL major version (11..18); 0 = 15 */
    enum rs_fail_on fail_on;
    bool assume_in_transaction;/* plain layout: the runner wraps each file in a transaction */
    const char *previous_queries; /* N-1's queries (file or directory), or NULL */
    const char *next_queries;     /* N's queries, checked against the schema before, or NULL */
    const char *const *exclude;   /* path patterns to leave out */
    size_t nexclude;
    bool check_down;           /* verify down migrations (default on) */
    bool emit_down;            /* also write the down of each up (rs_migration_result.down_check
                                  .emitted / .no_inverse) */
    /* Threads that may parse and check at once: 1 works in the calling thread only; 0 (the
       default) uses a helper thread when there are two CPUs and enough SQL to pay off. The
       result is the same either way. */
    int jobs;
    /* When set and a helper thread runs, called for each migration once its result is final,
       in the thread that checked it (the helper or the calling thread, at the same time), with
       an arena that lives as long as the result: the caller renders the migration's part of
       its report there (mr->part), so that rendering is shared between the two threads. */
    void (*render_part)(struct arena *a, struct rs_migration_result *mr, void *arg);
    void *render_part_arg;
    /* Applied in order over the rules' defaults (opt-in rules start off); later ones win. A name
       that is neither a rule nor a class is an error of rs_check_run. syntax-error and
       statement-fails cannot be turned off. */
    const struct rs_rule_setting *rule_settings;
    size_t nrule_settings;
};

void rs_check_opts_init(struct rs_check_opts *o);

/*
 * Runs `rollsafe check`. On success returns 0 and *out (free with rs_check_result_free).
 * Returns -1 with errors in diag (arena owned by the caller) for usage, I/O or configuration
 * errors: nothing could be checked.
 */
int rs_check_run(const struct rs_check_opts *o, struct rs_check_result **out,
                 struct rs_diag *diag);
void rs_check_result_free(struct rs_check_result *r);

#endif
