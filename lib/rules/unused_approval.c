/*
 * unused_approval.c - an approval comment that approves nothing. Emitted by the engine after
 * the findings of a migration are matched with its approvals.
 */
#include "rule.h"

const struct rs_rule rs_rule_unused_approval = {
    .name = "unused-approval",
    .cls = RS_CLASS_HYGIENE,
    .severity = RS_SEV_WARNING,
    .summary = "a rollsafe:approve comment matches no finding",
    .catches = "A `-- rollsafe:approve RULE reason=\"...\"` comment (or approve-file) that "
               "approves no finding: the statement below it was changed, the rule no longer "
               "fires, or the comment is not directly above the statement.",
    .n1_failure = "None, but a stale approval may later approve something nobody reviewed.",
    .alternative = "Remove the approval, or move it to the line directly above the statement it "
                   "is meant for.",
    .versions = "Not version dependent.",
    .bad = "-- rollsafe:approve drop-column reason=\"unused since v42\"\n"
           "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);",
    .good = "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);",
};
