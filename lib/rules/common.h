/*
 * common.h - small helpers several rules share: what a column was before this statement,
 * what a type change does, how to leave the transaction in this project's layout.
 */
#ifndef RS_RULES_COMMON_H
#define RS_RULES_COMMON_H

#include "rule.h"

/* The column of the ALTER TABLE command in the model before it, or NULL. */
const struct rs_column *rs_cmd_column(const struct rs_rule_ctx *ctx);
/* True when the column was added earlier in this same migration. */
bool rs_column_is_new(const struct rs_rule_ctx *ctx, const struct rs_column *col);
/* Classifies the ALTER COLUMN ... TYPE of ctx->cmd; false when the old column or its type is
   unknown, or the relation is a view (rs_rel_is_view: the statement fails, which the model
   reports, and no type changes). */
bool rs_cmd_type_change(struct rs_rule_ctx *ctx, const struct rs_column *col,
                        struct rs_type_change *tc);
/* "format_type" of a column type. */
const char *rs_ctx_type(struct rs_rule_ctx *ctx, const struct rs_type *t);
/* How to run a statement outside a transaction in the migration's layout. */
const char *rs_no_transaction_hint(const struct rs_rule_ctx *ctx);
/* True when every column named is new in this migration (and the list is not empty). */
bool rs_columns_all_new(const struct rs_rule_ctx *ctx, const struct rs_relation *r,
                        const char *const *cols, size_t n);

/* The name relation r had when the migration started (it may have been renamed since);
   r's own name when it did not exist then. */
struct rs_qname rs_start_name(const struct rs_rule_ctx *ctx, const struct rs_relation *r);

/*
 * Where an earlier statement of this migration copied the data of relation r (of its column
 * col, or of any column when col is NULL) as it is: INSERT ... SELECT or CREATE TABLE ... AS
 * selecting the column, or UPDATE ... SET x = col. Returns the name of the relation that holds
 * the copy, or NULL. Transformed values (SET x = f(col)) do not count.
 */
const char *rs_copied_to(struct rs_rule_ctx *ctx, const struct rs_relation *r, const char *col);

/* True for PostgreSQL's own catalogs (pg_catalog, information_schema, or an unqualified pg_*
   name the model does not know): not application data. */
bool rs_is_system_relation(const struct rs_rule_ctx *ctx, const struct rs_qname *q);

#endif
