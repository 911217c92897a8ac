/*
 * emit_down.h - `rollsafe check --emit-down`: the down migration that undoes an up, computed
 * from the schema model, and its rendering in the layout's own form.
 *
 * The inverse of each up statement is computed from the model just before it (the inverse of
 * DROP DEFAULT needs the old default, of ALTER TYPE the old type, of RENAME the old name), and
 * the down is those inverses in reverse order. A statement without an exact inverse (DROP
 * COLUMN: the data; ADD VALUE: PostgreSQL has no DROP VALUE; a lossy type change) makes the
 * down impossible to write, and says so.
 */
#ifndef RS_EMIT_DOWN_H
#define RS_EMIT_DOWN_H

#include <stdbool.h>

#include "down.h"

/* Fills out->emitted, or out->no_inverse (strings in ctx->arena; scratch work in
   ctx->scratch). Does not change ctx->before or ctx->after. Never fails. */
void rs_emit_down_compute(const struct rs_down_ctx *ctx, struct rs_down_check *out);

/*
 * Renders the computed downs of every reported migration of r, each in its layout's form (a
 * .down.sql file, a goose Down section, dbmate migrate:down, diesel down.sql, a sqitch revert
 * script, a Flyway U file, Liquibase --rollback lines), headed by a comment naming where it
 * goes; for a migration without an exact inverse, comments saying which statements and why.
 * *complete is set to false when some migration had none. Returns a malloc'ed string.
 */
char *rs_emit_down_render(const struct rs_check_result *r, bool *complete);

#endif
