/*
 * rollsafe/check.h - the result of `rollsafe check`: one verdict per migration, findings at the
 * exact statement.
 *
 * Everything in an rs_check_result belongs to the result's arena and is freed by
 * rs_check_result_free(). Nothing here prints: reports render a result into a string.
 */
#ifndef ROLLSAFE_CHECK_H
#define ROLLSAFE_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "rollsafe/diag.h"

struct rs_source;
struct rs_migration;

enum rs_verdict { RS_VERDICT_SAFE, RS_VERDICT_BREAKS, RS_VERDICT_IRREVERSIBLE };
enum rs_class { RS_CLASS_IRREVERSIBLE, RS_CLASS_BREAKS, RS_CLASS_LOCK, RS_CLASS_HYGIENE };
enum rs_severity { RS_SEV_INFO, RS_SEV_WARNING, RS_SEV_ERROR };
enum rs_lock_risk { RS_LOCK_NONE, RS_LOCK_LOW, RS_LOCK_HIGH };

const char *rs_verdict_name(enum rs_verdict v);   /* "safe", "breaks-previous-version", ... */
const char *rs_class_name(enum rs_class c);       /* "irreversible", ..., "lock", "hygiene" */
const char *rs_severity_name(enum rs_severity s); /* "info", "warning", "error" */
const char *rs_lock_risk_name(enum rs_lock_risk r);

struct rs_finding {
    const char *rule;
    enum rs_class cls;
    int failure_mode; /* 1..5 (PRODUCT.md §1), 0 when none */
    enum rs_severity severity;
    const struct rs_source *src; /* file of the statement (for the excerpt); may be NULL */
    const char *path;
    int line, column;      /* 1-based start of the statement (or of the clause at fault) */
    size_t offset, length; /* byte span underlined in the excerpt */
    const char *message;
    const char *help;      /* the safe alternative */
    bool approved;
    const char *approval_reason;
    bool fatal;            /* the statement cannot succeed (syntax error, or the model proves
                              PostgreSQL refuses it): fails the run whatever --fail-on says */
    int stmt;              /* 1-based statement number in its script, 0 when not about one */
    bool in_down;          /* the finding is about the down script */
    bool breaks_previous;  /* makes the previous application version (N-1) fail */
    /* A rename is bridged when, at the end of the migration, the old name is still served (a
       view, or a column under the old name): the finding is then dropped. */
    struct {
        const char *schema, *name, *column;
        unsigned oid; /* the renamed relation (schema model identity) */
    } bridge;
    const char *failure_mode_name; /* "column removal breaks rollback", ... or NULL */
};

struct rs_down_check {
    bool present;          /* false: the migration has no down */
    bool checked;          /* the down was applied to the model and compared */
    bool restores_schema;
    const char **differences; size_t ndifferences; /* "column users.name: type text, was varchar(50)" */
    const char **data_loss; size_t ndata_loss;     /* what the down cannot give back */
    /* --emit-down: the down rollsafe writes for the up, one statement per line in the order
       they run (a comment line above a statement that can fail on new data); NULL when a
       statement of the up has no exact inverse, and no_inverse says which and why
       ("line 3: ALTER TABLE ... DROP COLUMN: the data of users.phone cannot be restored"). */
    const char *emitted;
    const char **no_inverse; size_t nno_inverse;
};

/* The mixed-version matrix of a migration ({N-1, N} x {schema before, schema after}), from
   --previous-queries (N-1) and --next-queries (N): for each application version and schema, how
   many of the version's queries fail there and not on the other schema (the migration makes
   the difference). N-1 on the new schema and N on the old one are the findings. */
struct rs_compatibility {
    bool previous, next;           /* the version's queries were given */
    size_t nprevious, nnext;       /* queries checked (statements that read or write tables) */
    size_t previous_old, previous_new, next_old, next_new;
};

struct rs_migration_result {
    const struct rs_migration *migration;
    const char *id, *name, *path, *down_path; /* down_path NULL without a down */
    bool reported;         /* selected by --since / --last (history is replayed either way) */
    enum rs_verdict verdict;
    bool previous_version_compatible;
    bool reversible;
    enum rs_lock_risk lock_risk;
    const char *ponr_path; /* point of no return: first statement after which a rollback cannot
                              restore the previous state; NULL when there is none */
    int ponr_line, ponr_stmt;
    struct rs_finding *findings; size_t nfindings;
    struct rs_down_check down_check;
    const char *tx;        /* transaction mode of the up, as the layout runs it */
    struct rs_compatibility compat;
    /* Its part of the report, rendered by rs_check_opts.render_part in the thread that checked
       it; NULL when there is none. The report renderer writes it instead of rendering the
       migration again (lib/report). */
    const char *part; size_t part_len;
};

struct rs_check_result {
    const char *tool_version;
    int pg_version;
    const char *path;      /* what was checked */
    const char *layout;    /* layout used */
    struct rs_migration_result *migrations; size_t nmigrations;
    /* Findings that belong to no migration: bad approvals, previous-version queries that do
       not parse, configuration remarks. */
    struct rs_finding *other; size_t nother;
    struct {
        size_t migrations, safe, breaks, irreversible;
        size_t findings, unapproved_failing;
    } summary;
    bool failed;           /* exit code 1: an unapproved finding at or above --fail-on, or a
                              fatal finding */
};

#endif
