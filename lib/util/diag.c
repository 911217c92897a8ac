/*
 * diag.c - accumulated errors with positions (see rollsafe/diag.h).
 */
#include "rollsafe/diag.h"

#include <stdarg.h>

#include "arena.h"

void rs_diag_init(struct rs_diag *d, struct arena *a)
{
    d->arena = a;
    d->v = NULL;
    d->n = d->cap = 0;
}

void rs_diag_add(struct rs_diag *d, const char *path, int line, int column, const char *hint,
                 const char *fmt, ...)
{
    struct rs_error *e = VEC_PUSH(d->arena, d);
    va_list ap;
    va_start(ap, fmt);
    e->message = arena_vprintf(d->arena, fmt, ap);
    va_end(ap);
    e->path = arena_strdup(d->arena, path);
    e->line = line;
    e->column = column;
    e->hint = arena_strdup(d->arena, hint);
}
