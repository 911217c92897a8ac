/*
 * strbuf.h - a growable string in an arena, for building messages and generated SQL.
 *
 * The buffer always holds a NUL-terminated string; sb.s is valid after every call. Memory belongs
 * to the arena given at init; abandoned growth is reclaimed when the arena is freed.
 */
#ifndef RS_STRBUF_H
#define RS_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

struct strbuf {
    struct arena *arena;
    char *s;
    size_t len, cap;
};

/* The value of a hexadecimal digit, or -1. */
int hex_value(char c);

void sb_init(struct strbuf *sb, struct arena *a);
void sb_add(struct strbuf *sb, const char *s);
void sb_addn(struct strbuf *sb, const char *s, size_t n);
void sb_addc(struct strbuf *sb, char c);
/* Appends n copies of c. */
void sb_fill(struct strbuf *sb, char c, size_t n);
void sb_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* v in decimal, written backwards from the end of buf; returns where it starts and sets *len.
   For the numbers of a report (thousands of lines and columns), where printf costs more than
   the rest of a finding. */
const char *decimal(char buf[24], long long v, size_t *len);
/* Can s be written as an SQL identifier without double quotes? Not when it has anything but
   lower-case letters, digits and underscores (or starts with a digit), nor when it is a key
   word PostgreSQL does not take as a column name: the rule of PostgreSQL's quote_ident(). */
bool sql_ident_is_plain(const char *s);
/* Is s one of those key words (in any PostgreSQL version from 15 on)? */
bool sql_is_quoted_word(const char *s);
/* Appends s as a double-quoted SQL identifier when it needs quoting, else as is. */
void sb_add_ident(struct strbuf *sb, const char *s);
/* Appends s as a double-quoted SQL identifier, always (for names that are user data, or that
   may be keywords sb_add_ident does not know). */
void sb_add_quoted_ident(struct strbuf *sb, const char *s);
/* Appends s as a single-quoted SQL literal. */
void sb_add_literal(struct strbuf *sb, const char *s);

#endif
