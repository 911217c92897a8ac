/*
 * revoke_privileges.c - privileges are revoked (opt-in).
 *
 * If the role the previous version connects as loses a privilege, its queries fail. rollsafe
 * does not know which role that is, so the rule is off unless enabled.
 */
#include "scan.h"

static void check(struct rs_rule_ctx *ctx)
{
    if (ctx->st->kind != RS_STMT_GRANT || !ctx->st->revoke)
        return;
    rs_emit(ctx, -1, NULL,
            "revokes privileges: if the role the previous application version uses loses "
            "them, its queries fail with `permission denied`");
}

const struct rs_rule rs_rule_revoke_privileges = {
    .name = "revoke-privileges",
    .cls = RS_CLASS_BREAKS,
    .severity = RS_SEV_INFO,
    .breaks_previous = true,
    .opt_in = true,
    .summary = "privileges are revoked (opt-in)",
    .catches = "REVOKE of privileges on tables, sequences, functions or schemas. Opt-in: "
               "rollsafe does not know which role the application uses, and most REVOKEs "
               "harden roles the application never had.",
    .n1_failure = "Version N-1 connects as the role that lost the privilege: `permission denied "
                  "for table ...`.",
    .alternative = "Revoke only after every running version stopped needing the privilege; "
                   "grant what version N needs to its own role first.",
    .versions = "Same in every version; REVOKE takes no table lock.",
    .bad = "REVOKE UPDATE ON orders FROM app;",
    .good =
        "-- release N no longer updates orders as app; then:\nREVOKE UPDATE ON orders FROM app;",
    .check = check,
};
