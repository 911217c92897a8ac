/*
 * rollsafe/diag.h - errors as values with a position.
 *
 * The library never prints and never exits: a function that can fail for a reason the user must
 * fix (unreadable file, bad layout, bad configuration) appends an rs_error to an rs_diag and
 * returns -1 (or NULL). Errors accumulate; the caller decides what to print and which exit code
 * to use (the command-line tool uses 2).
 */
#ifndef ROLLSAFE_DIAG_H
#define ROLLSAFE_DIAG_H

#include <stddef.h>

struct arena;

struct rs_error {
    const char *path; /* file the error is about, or NULL */
    int line, column; /* 1-based; 0 when the error has no position */
    const char *message;
    const char *hint; /* what to do about it, or NULL */
};

struct rs_diag {
    struct arena *arena; /* owns the error strings */
    struct rs_error *v;
    size_t n, cap;
};

void rs_diag_init(struct rs_diag *d, struct arena *a);
/* Appends an error; path and hint may be NULL. Strings are copied into the diag's arena. */
void rs_diag_add(struct rs_diag *d, const char *path, int line, int column, const char *hint,
                 const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#endif
