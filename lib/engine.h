/*
 * engine.h - internals shared by the check engine (check.c), approvals, verdicts and the rules'
 * emit function. Not part of the public API.
 */
#ifndef RS_ENGINE_H
#define RS_ENGINE_H

#include "rollsafe/rollsafe.h"
#include "rules/rule.h"
#include "util/arena.h"

/* A rule's effective configuration for a run. */
struct rs_rule_state {
    bool enabled;
    enum rs_severity severity;
};

/* Resolves opts' rule settings into one state per rule (indexed like rs_rules). Returns -1 with an
   error for an unknown rule or class name. */
int rs_rule_states(const struct rs_check_opts *o, struct rs_rule_state *states,
                   struct rs_diag *diag);

/* Where rs_emit() puts findings. */
struct rs_emitter {
    struct arena *arena;
    VEC(struct rs_finding) findings;
    const struct rs_source *src;
    bool in_down;
    const struct rs_rule_state *states; /* NULL: every rule with its defaults */
};

/* Appends a finding of `rule` at statement st (location: file offset of a clause, or -1). */
struct rs_finding *rs_emitter_add(struct rs_emitter *e, const struct rs_rule *rule,
                                  const struct rs_stmt *st, int location, const char *help,
                                  const char *message);

/* ---------------------------------------------------------------- approvals */

struct rs_approval {
    const char **rules;
    size_t nrules;
    const char *reason;
    const struct rs_source *src;
    int line;
    size_t offset;      /* start of the comment */
    bool file_level;
    bool *used;         /* per rule */
};

struct rs_approvals {
    VEC(struct rs_approval) v;
    bool in_down; /* the approvals of a down script: they apply to findings about the down */
};

/* Reads the rollsafe:approve comments of a script that lie outside its statements. Malformed
 * approvals (no reason, unknown rule) are errors in diag. */
void rs_approvals_scan(struct arena *a, const struct rs_script *s, const struct rs_stmt_list *stmts,
                       struct rs_approvals *out, struct rs_diag *diag);
/* Marks findings covered by an approval (approved, approval_reason): findings about the down
   (in_down) for the approvals of a down script, the others otherwise. */
void rs_approvals_apply(struct rs_approvals *ap, const struct rs_script *s,
                        const struct rs_stmt_list *stmts, struct rs_finding *f, size_t n);
/* Emits unused-approval findings for approvals (or rules in them) that matched nothing. */
void rs_approvals_report_unused(struct rs_approvals *ap, struct rs_emitter *e);

/* ---------------------------------------------------------------- verdicts */

/* Sets verdict, compatibility, reversibility, lock risk and point of no return from findings. */
void rs_verdict_compute(struct rs_migration_result *mr);
/* True when the finding fails the run under fail_on. */
bool rs_finding_fails(const struct rs_finding *f, enum rs_fail_on fail_on);

#endif
