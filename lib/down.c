/*
 * down.c - down-migration verification (see down.h).
 *
 * Transitional: records whether a down exists; the comparison lands with the down-check work.
 */
#include "down.h"

void rs_down_check(const struct rs_down_ctx *ctx, struct rs_down_check *out)
{
    out->present = ctx->m->down.src != NULL;
    out->checked = false;
}
