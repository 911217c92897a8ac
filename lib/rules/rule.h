/*
 * rule.h - what a rule is: its metadata (one source of truth for explain and docs/rules/) and
 * its check, which looks at one statement against the schema model as it was just before it.
 *
 * A new rule is one file in lib/rules/ defining `const struct rs_rule rs_rule_<name>` and one
 * line in rules.def. Rules never change the model and never print: they call rs_emit().
 */
#ifndef RS_RULE_H
#define RS_RULE_H

#include <stdbool.h>

#include "catalog/apply.h"
#include "catalog/locks.h"
#include "catalog/model.h"
#include "layout/layout.h"
#include "rollsafe/check.h"
#include "sql/stmt.h"

struct rs_rule_ctx;

struct rs_rule {
    const char *name;         /* kebab-case, fixed: JSON, approvals and docs use it */
    enum rs_class cls;
    int failure_mode;         /* 1..5, or 0 */
    enum rs_severity severity;
    bool breaks_previous;     /* its findings make the migration not N-1 compatible */
    const char *summary;      /* one line */
    const char *catches;      /* what the rule catches */
    const char *n1_failure;   /* the failure the previous application version sees */
    const char *alternative;  /* the safe alternative: the expand/contract recipe */
    const char *versions;     /* the PostgreSQL-version nuance */
    const char *bad, *good;   /* example SQL */
    bool opt_in;              /* off unless enabled by configuration */
    /* Called for each statement, and for each command of an ALTER TABLE (ctx->cmd set).
       NULL for rules the engine emits itself (syntax-error, unused-approval, ...). */
    void (*check)(struct rs_rule_ctx *ctx);
};

/* The migration being checked, as rules see it. */
struct rs_mig_ctx {
    int index;                        /* created_mig value of objects this migration creates */
    const struct rs_migration *migration;
    const struct rs_stmt_list *stmts; /* the whole up script, for look-ahead */
    const struct rs_model *start;     /* the model before the migration */
    bool lock_timeout_set;            /* SET lock_timeout seen earlier in the script */
    bool statement_timeout_set;
    int access_exclusive_stmt;        /* first statement that took ACCESS EXCLUSIVE on an existing
                                         table in the current transaction, 0 when none */
    bool unfollowed;                  /* an earlier statement of this migration could not be
                                         followed (did not parse, DO block, CALL): a relation the
                                         model does not know may have been created by it */
};

struct rs_rule_ctx {
    const struct rs_rule *rule;       /* set by the engine before each call */
    const struct rs_model *model;     /* before this statement (or command) */
    const struct rs_stmt *st;
    const struct rs_alter_cmd *cmd;   /* the ALTER TABLE command, NULL otherwise */
    struct rs_mig_ctx *mig;
    int pg_version;
    bool in_tx;                       /* the statement runs inside a transaction block */
    const struct rs_lock_fact *lock;  /* what this statement or command locks */
    struct rs_emitter *emitter;       /* engine side */
    /* Engine side: rs_ctx_rel's answer once asked, for the rules after the first (cleared
       when the model changes: before each command of an ALTER TABLE). */
    const struct rs_relation *rel_memo;
    bool rel_memo_set;
    /* rs_cmd_type_change's answer for tc_cmd and tc_col, for the rules after the first. */
    const struct rs_alter_cmd *tc_cmd;
    const struct rs_column *tc_col;
    struct rs_type_change tc_memo;
};

/*
 * Adds a finding of ctx->rule. location is a file offset inside the statement to point at (a
 * clause), or -1 for the statement itself. help is the safe alternative for this case (NULL:
 * the rule's own `alternative`, first sentence). Returns the finding so that the rule can adjust
 * it (severity, breaks_previous, bridge).
 */
struct rs_finding *rs_emit(struct rs_rule_ctx *ctx, int location, const char *help,
                           const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Arena for messages built by rules. */
struct arena *rs_ctx_arena(struct rs_rule_ctx *ctx);

/* The relation the statement is on, in the model before it; NULL when unknown. */
const struct rs_relation *rs_ctx_rel(const struct rs_rule_ctx *ctx);
/* True when the relation existed before this migration. A relation the model does not know is
   assumed to exist and hold data (created outside the migrations), unless a statement of this
   migration that the model could not follow may have created it. */
bool rs_ctx_existing(const struct rs_rule_ctx *ctx, const struct rs_relation *r);
/* "users" or "app.users" */
const char *rs_ctx_name(struct rs_rule_ctx *ctx, const struct rs_qname *q);

/* Every rule, in rules.def order. */
extern const struct rs_rule *const rs_rules[];
extern const size_t rs_nrules;
const struct rs_rule *rs_rule_find(const char *name);
/* Index of a rule in rs_rules. */
size_t rs_rule_index(const struct rs_rule *r);

#define RULE(id) extern const struct rs_rule rs_rule_##id;
#include "rules.def"
#undef RULE

#endif
