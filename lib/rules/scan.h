/*
 * scan.h - what rules need to know about the rest of the migration: which statements share the
 * current one's transaction, whether an object comes back later, whether a statement does
 * long work while it holds its lock, and how to word a lock from the lock table.
 *
 * These look at the statements of the migration (ctx->mig->stmts) and the model at its start
 * (ctx->mig->start); they never change anything.
 */
#ifndef RS_RULES_SCAN_H
#define RS_RULES_SCAN_H

#include "common.h"

/* The current statement's position in ctx->mig->stmts (0-based). */
size_t rs_stmt_pos(const struct rs_rule_ctx *ctx);

/* Whether statement i (0-based) of the migration runs inside a transaction block, by the same
   reckoning as the engine's ctx->in_tx: the layout's transaction mode plus the script's own
   BEGIN / COMMIT. */
bool rs_stmt_in_tx(const struct rs_rule_ctx *ctx, size_t i);

/* Why the current statement runs in a transaction block, for messages: "after the BEGIN at
   line 3", "goose runs each migration in a transaction", ... */
const char *rs_tx_reason(struct rs_rule_ctx *ctx);

/* The first statement (0-based) of the transaction the current statement runs in; the current
   position itself when it runs on its own. */
size_t rs_tx_start(const struct rs_rule_ctx *ctx);
/* One past the last statement of the current statement's transaction. */
size_t rs_tx_end(const struct rs_rule_ctx *ctx);

/* True when a statement after the current one creates an object of this kind and name again
   (CREATE [OR REPLACE] VIEW / FUNCTION / TRIGGER / INDEX / SEQUENCE / SCHEMA / TYPE, ADD
   CONSTRAINT, ENABLE TRIGGER). table narrows triggers and constraints to one table (may be
   NULL). */
bool rs_created_later(const struct rs_rule_ctx *ctx, enum rs_obj_kind kind, const char *name,
                      const char *table);

/* True when the relation q existed when the migration started (or is unknown to the model,
   which means it was made outside the migrations and is assumed to hold rows). System
   catalogs never count. */
bool rs_existed_at_start(const struct rs_rule_ctx *ctx, const struct rs_qname *q);

/* The work the current statement (or ALTER TABLE command) does on rows that existed before the
   migration while it holds its lock: "rewrites users", "scans users", "builds an index on
   users", "updates rows of users". NULL when it does none (a catalog-only change, or a table
   new in this migration). */
const char *rs_ctx_work(struct rs_rule_ctx *ctx);

/* The lock the statement takes, quoted from the lock table (ctx->lock): "an ACCESS EXCLUSIVE
   lock on users, which blocks every read and write of the table". table NULL: the statement's
   relation. */
const char *rs_lock_phrase(struct rs_rule_ctx *ctx, const struct rs_qname *table);

/* The same, for any row of the lock table. */
const char *rs_lock_words(struct rs_rule_ctx *ctx, const struct rs_lock_fact *l,
                          const struct rs_qname *table);

/* The strongest lock a statement of the migration takes on its own relation (over all commands
   of an ALTER TABLE); *which, when not NULL, gets the command that takes it (NULL for other
   statements). */
const struct rs_lock_fact *rs_stmt_lock(const struct rs_rule_ctx *ctx, const struct rs_stmt *st,
                                        const struct rs_alter_cmd **which);

/* True when two names denote the same relation (through the model when it knows both). */
bool rs_same_rel(const struct rs_rule_ctx *ctx, const struct rs_qname *a, const struct rs_qname *b);

/* Calls fn for each column type the statement (or command) introduces: the columns of CREATE
   TABLE (not TEMPORARY), ADD COLUMN, ALTER COLUMN ... TYPE (def NULL). location: the column's
   offset in the file, or -1. */
typedef void (*rs_column_fn)(struct rs_rule_ctx *ctx, const char *column, const struct rs_type *t,
                             const struct rs_column_def *def, int location);
void rs_each_new_column(struct rs_rule_ctx *ctx, rs_column_fn fn);

/* True when an earlier statement of the current transaction already took a lock of at least
   mode on table: a new lock of that strength on it makes no one wait who was not already
   waiting. */
bool rs_tx_holds(struct rs_rule_ctx *ctx, const struct rs_qname *table, enum rs_lockmode mode);

/* A table and some of its columns followed through the renames of the statements after the
   current one: rs_follow_step() each later statement in order. */
#define RS_FOLLOW_MAX 32
struct rs_follow {
    const char *table;
    const char *cols[RS_FOLLOW_MAX];
    size_t ncols;
};
void rs_follow_init(struct rs_rule_ctx *ctx, struct rs_follow *f, const char *table,
                    const char *const *cols, size_t n);
void rs_follow_step(struct rs_follow *f, const struct rs_stmt *st);

/* Is every column of sub among cols? */
bool rs_columns_among(const char *const *sub, size_t nsub, const char *const *cols, size_t n);
/* The same column names, in any order (and at least one). */
bool rs_same_columns(const char *const *a, size_t na, const char *const *b, size_t nb);

/* True when the migration, after the current statement (or command), creates a unique index or
   a UNIQUE / PRIMARY KEY constraint on these columns of the table, following renames of both. */
bool rs_unique_later(struct rs_rule_ctx *ctx, const char *table, const char *const *cols, size_t n);

/* True when the migration, after the current statement (or command), drops the table or one
   of these columns (following renames): what goes with them is drop-table's or drop-column's
   finding. */
bool rs_dropped_later(struct rs_rule_ctx *ctx, const char *table, const char *const *cols,
                      size_t n);

/* The relation an index belongs to, in the model before the statement; NULL when unknown. */
const struct rs_relation *rs_index_table(const struct rs_rule_ctx *ctx, const struct rs_qname *ix);

#endif
