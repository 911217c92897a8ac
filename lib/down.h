/*
 * down.h - checking a migration's down script against its up, on the schema model.
 *
 * Up then down is applied to a copy of the model and compared with the model before up; what
 * differs, and what the down cannot give back even when the schema matches (data of dropped
 * columns, enum values, narrowed values), becomes findings and the migration's down_check.
 */
#ifndef RS_DOWN_H
#define RS_DOWN_H

#include "catalog/model.h"
#include "engine.h"
#include "layout/layout.h"

struct rs_down_ctx {
    struct arena *arena;            /* run arena: findings and result strings */
    struct arena *scratch;          /* freed after the migration: model copies, down statements */
    const struct rs_migration *m;
    const struct rs_stmt_list *up;  /* the parsed up script */
    /* Read only; not const because copies of them are taken (rs_model_copy changes the epoch
       of the model copied). */
    struct rs_model *before;        /* model before the up */
    struct rs_model *after;         /* model after the up */
    int mig;                        /* index of the migration (created_mig of its objects) */
    int pg_version;
    struct rs_emitter *emitter;     /* findings about the down go here (in_down set) */
    struct rs_diag *diag;
    bool emit;                      /* write the down of the up too (--emit-down) */
};

/* Fills *out and emits down findings. Never fails. */
void rs_down_check(const struct rs_down_ctx *ctx, struct rs_down_check *out);

#endif
