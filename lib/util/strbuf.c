/*
 * strbuf.c - growable strings in an arena (see strbuf.h).
 */
#include "strbuf.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
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

void sb_fill(struct strbuf *sb, char c, size_t n)
{
    sb_reserve(sb, n);
    memset(sb->s + sb->len, c, n);
    sb->len += n;
    sb->s[sb->len] = '\0';
}

const char *decimal(char buf[24], long long v, size_t *len)
{
    char *e = buf + 24, *p = e;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    *len = (size_t)(e - p);
    return p;
}

void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
    /* Straight into the free end of the buffer when it fits (the common case): one pass over
       the format instead of a measuring pass and a writing one. */
    size_t room = sb->cap - sb->len;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(sb->s + sb->len, room, fmt, ap);
    va_end(ap);
    if (n <= 0) {
        if (room)
            sb->s[sb->len] = '\0';
        return;
    }
    if ((size_t)n >= room) {
        sb_reserve(sb, (size_t)n);
        va_start(ap, fmt);
        vsnprintf(sb->s + sb->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    sb->len += (size_t)n;
}

/*
 * The words PostgreSQL's grammar does not take as a bare column name everywhere: its reserved,
 * "type or function name" and "column name" key words, those of PostgreSQL 15 to 18 together
 * (16 and 17 added the JSON constructors, SYSTEM_USER and MERGE_ACTION). An identifier that is
 * one of them is written in double quotes, as PostgreSQL's own quote_ident() does; unreserved
 * key words ("name", "type", "value") need no quotes. Sorted for bsearch.
 */
static const char *const quoted_words[] = {
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization",
    "between", "bigint", "binary", "bit", "boolean", "both", "case", "cast", "char", "character",
    "check", "coalesce", "collate", "collation", "column", "concurrently", "constraint", "create",
    "cross", "current_catalog", "current_date", "current_role", "current_schema", "current_time",
    "current_timestamp", "current_user", "dec", "decimal", "default", "deferrable", "desc",
    "distinct", "do", "else", "end", "except", "exists", "extract", "false", "fetch", "float",
    "for", "foreign", "freeze", "from", "full", "grant", "greatest", "group", "grouping", "having",
    "ilike", "in", "initially", "inner", "inout", "int", "integer", "intersect", "interval",
    "into", "is", "isnull", "join", "json", "json_array", "json_arrayagg", "json_exists",
    "json_object", "json_objectagg", "json_query", "json_scalar", "json_serialize", "json_table",
    "json_value", "lateral", "leading", "least", "left", "like", "limit", "localtime",
    "localtimestamp", "merge_action", "national", "natural", "nchar", "none", "normalize", "not",
    "notnull", "null", "nullif", "numeric", "offset", "on", "only", "or", "order", "out", "outer",
    "overlaps", "overlay", "placing", "position", "precision", "primary", "real", "references",
    "returning", "right", "row", "select", "session_user", "setof", "similar", "smallint", "some",
    "substring", "symmetric", "system_user", "table", "tablesample", "then", "time", "timestamp",
    "to", "trailing", "treat", "trim", "true", "union", "unique", "user", "using", "values",
    "varchar", "variadic", "verbose", "when", "where", "window", "with", "xmlattributes",
    "xmlconcat", "xmlelement", "xmlexists", "xmlforest", "xmlnamespaces", "xmlparse", "xmlpi",
    "xmlroot", "xmlserialize", "xmltable",
};

static int word_cmp(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

bool sql_is_quoted_word(const char *s)
{
    return bsearch(s, quoted_words, sizeof(quoted_words) / sizeof(quoted_words[0]),
                   sizeof(quoted_words[0]), word_cmp) != NULL;
}

bool sql_ident_is_plain(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return false;
    return !sql_is_quoted_word(s);
}

void sb_add_ident(struct strbuf *sb, const char *s)
{
    if (sql_ident_is_plain(s))
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
