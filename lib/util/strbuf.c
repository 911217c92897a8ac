/*
 * strbuf.c - growable strings in an arena (see strbuf.h).
 */
#include "strbuf.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

void sb_init(struct strbuf *sb, struct arena *a)
{
    sb->arena = a;
    sb->cap = 64;
    sb->s = arena_alloc(a, sb->cap);
    sb->len = 0;
}

static void sb_reserve(struct strbuf *sb, size_t extra)
{
    if (sb->len + extra + 1 <= sb->cap)
        return;
    size_t cap = sb->cap * 2;
    while (cap < sb->len + extra + 1)
        cap *= 2;
    sb->s = arena_grow(sb->arena, sb->s, sb->len + 1, cap, 1);
    sb->cap = cap;
}

void sb_addn(struct strbuf *sb, const char *s, size_t n)
{
    sb_reserve(sb, n);
    memcpy(sb->s + sb->len, s, n);
    sb->len += n;
    sb->s[sb->len] = '\0';
}

void sb_add(struct strbuf *sb, const char *s)
{
    sb_addn(sb, s, strlen(s));
}

void sb_addc(struct strbuf *sb, char c)
{
    sb_addn(sb, &c, 1);
}

void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    sb_reserve(sb, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(sb->s + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

static bool ident_is_plain(const char *s)
{
    if (!*s || !((*s >= 'a' && *s <= 'z') || *s == '_'))
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '$'))
            return false;
    /* Reserved words that migrations use as column names often enough to matter. */
    static const char *const reserved[] = {
        "user",    "order",  "group", "table",   "select",     "from",   "where", "check", "limit",
        "default", "column", "end",   "primary", "references", "unique", "to",    "desc"};
    for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
        if (!strcmp(s, reserved[i]))
            return false;
    return true;
}

void sb_add_ident(struct strbuf *sb, const char *s)
{
    if (ident_is_plain(s))
        sb_add(sb, s);
    else
        sb_add_quoted_ident(sb, s);
}

void sb_add_quoted_ident(struct strbuf *sb, const char *s)
{
    sb_addc(sb, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            sb_addc(sb, '"');
        sb_addc(sb, *p);
    }
    sb_addc(sb, '"');
}

void sb_add_literal(struct strbuf *sb, const char *s)
{
    sb_addc(sb, '\'');
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            sb_addc(sb, '\'');
        sb_addc(sb, *p);
    }
    sb_addc(sb, '\'');
}
