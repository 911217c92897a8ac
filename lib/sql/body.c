/*
 * body.c - what code that rollsafe does not replay would run: DO blocks and function bodies.
 *
 * PL/pgSQL bodies go through libpg_query's PL/pgSQL parser; the SQL statements it finds are
 * parsed like migration statements and summarised by their statement words ("ALTER TABLE",
 * "UPDATE"). SQL-language bodies are parsed directly. A body that does not parse is summarised
 * from its keywords, found with PostgreSQL's scanner (never inside strings or comments).
 *
 * Also here: looking for a string literal with PostgreSQL's scanner. Nothing in this file
 * changes the schema model or reports anything.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "util/strbuf.h"

/* What the skip functions below return for a string, comment or quote that is not closed. */
#define OPEN SIZE_MAX

static inline bool ident_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '$' || c >= 0x80;
}

/* Offset just past the string literal starting with the quote at t[i], or OPEN when it is not
   closed. An E'...' string takes backslash escapes. */
static size_t skip_string(const char *t, size_t i, size_t len)
{
    bool esc = i > 0 && (t[i - 1] == 'E' || t[i - 1] == 'e') &&
               (i < 2 || !ident_byte((unsigned char)t[i - 2]));
    for (i++; i < len; i++) {
        if (esc && t[i] == '\\')
            i++;
        else if (t[i] == '\'' && i + 1 < len && t[i + 1] == '\'')
            i++;
        else if (t[i] == '\'')
            return i + 1;
    }
    return OPEN;
}

/* Offset just past the comment starting at t[i] ("--" or a nested slash-star one), or OPEN. A
   "--" comment ends at a line feed or a carriage return, as in PostgreSQL's scanner. */
static size_t skip_comment(const char *t, size_t i, size_t len)
{
    if (t[i] == '-') {
        while (i < len && t[i] != '\n' && t[i] != '\r')
            i++;
        return i < len ? i + 1 : len;
    }
    int depth = 0;
    while (i + 1 < len) {
        if (t[i] == '/' && t[i + 1] == '*') {
            depth++;
            i += 2;
        } else if (t[i] == '*' && t[i + 1] == '/') {
            i += 2;
            if (--depth == 0)
                return i;
        } else {
            i++;
        }
    }
    return OPEN;
}

/* Offset just past the dollar-quoted string starting at t[i] ($$...$$ or $tag$...$tag$); i + 1
   when t[i] starts no dollar quote (a parameter such as $1); OPEN when it is not closed. */
static size_t skip_dollar(const char *t, size_t i, size_t len)
{
    size_t k = i + 1;
    if (k < len && (isalpha((unsigned char)t[k]) || t[k] == '_' || (unsigned char)t[k] >= 0x80))
        while (k < len && t[k] != '$' && ident_byte((unsigned char)t[k]))
            k++;
    if (k >= len || t[k] != '$')
        return i + 1;
    size_t tag = k + 1 - i;
    for (size_t p = k + 1; p + tag <= len; p++)
        if (t[p] == '$' && !memcmp(t + p, t + i, tag))
            return p + tag;
    return OPEN;
}

/* Offset just past the quoted name starting with the double quote at t[i], or OPEN when it is
   not closed; *n: the bytes of the name, a doubled quote counting once. */
static size_t skip_quoted_name(const char *t, size_t i, size_t len, size_t *n)
{
    *n = 0;
    for (i++; i < len; i++, (*n)++) {
        if (t[i] == '"' && i + 1 < len && t[i + 1] == '"')
            i++;
        else if (t[i] == '"')
            return i + 1;
    }
    return OPEN;
}

struct summary_job {
    struct arena *a;
    struct rs_body_summary *out;
    struct strbuf sql; /* the SQL statements of a PL/pgSQL body, parsed together at the end */
};

static void add_tag(struct summary_job *j, const char *tag)
{
    for (size_t i = 0; i < j->out->ntags; i++)
        if (!strcmp(j->out->tags[i], tag))
            return;
    const char **v = arena_alloc(j->a, (j->out->ntags + 1) * sizeof(char *));
    if (j->out->ntags)
        memcpy(v, j->out->tags, j->out->ntags * sizeof(char *));
    v[j->out->ntags++] = arena_strdup(j->a, tag);
    j->out->tags = v;
}

/* Statements that change nothing a rollback depends on, or that rollsafe does not model. */
static bool is_change(const struct rs_stmt *st)
{
    switch (st->kind) {
    case RS_STMT_SELECT:
    case RS_STMT_SET:
    case RS_STMT_TRANSACTION:
    case RS_STMT_COMMENT:
    case RS_STMT_GRANT:
    case RS_STMT_ANALYZE:
    case RS_STMT_INSERT:
    case RS_STMT_CALL:
    case RS_STMT_LOCK:
    case RS_STMT_PSQL_META:
        return false;
    default:
        return !st->syntax_error;
    }
}

static void summarise_sql(struct summary_job *j, const char *sql)
{
    struct arena tmp = ARENA_INIT;
    struct rs_stmt_list l = {0};
    rs_sql_parse_text(&tmp, sql, strlen(sql), NULL, &l);
    for (size_t i = 0; i < l.n; i++) {
        if (l.v[i].kind == RS_STMT_DO) {
            struct rs_body_summary inner;
            rs_sql_body_summary(&tmp, l.v[i].language, l.v[i].body, &inner);
            for (size_t k = 0; k < inner.ntags; k++)
                add_tag(j, inner.tags[k]);
            j->out->dynamic |= inner.dynamic;
        } else if (is_change(&l.v[i])) {
            add_tag(j, l.v[i].tag);
        }
    }
    arena_free(&tmp);
}

/*
 * Reads the JSON of a parsed PL/pgSQL function (libpg_query's) in one pass, in document order:
 * every PLpgSQL_stmt_execsql is SQL run as written (its sqlstmt's query is the first "query"
 * key inside it); PLpgSQL_stmt_dynexecute and _dynfors, and PLpgSQL_stmt_open and
 * _return_query with a "dynquery", run a string built at run time. Returns false when the JSON
 * is malformed.
 */
/* The string at t[i] (its opening quote) ends at *end, just past its closing quote. */
static bool json_string_end(const char *t, size_t i, size_t len, size_t *end)
{
    const char *e = sqlx_json_string_end(t + i + 1, t + len);
    if (!e)
        return false;
    *end = (size_t)(e - t);
    return true;
}

static bool key_is(const char *t, size_t b, size_t e, const char *name)
{
    size_t n = strlen(name);
    return e - b == n + 2 && memcmp(t + b + 1, name, n) == 0;
}

static bool walk(struct summary_job *j, const char *t, size_t len)
{
    int depth = 0;
    int execsql = -1; /* depth of the PLpgSQL_stmt_execsql whose query is still to come */
    int dynamic = -1; /* depth of an open or return_query statement that may be dynamic */
    for (size_t i = 0; i < len; i++) {
        char c = t[i];
        if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            depth--;
            if (depth < execsql)
                execsql = -1;
            if (depth < dynamic)
                dynamic = -1;
        } else if (c == '"') {
            size_t e;
            if (!json_string_end(t, i, len, &e))
                return false;
            size_t k = e;
            while (k < len && isspace((unsigned char)t[k]))
                k++;
            if (k < len && t[k] == ':') {
                /* A key: the object it names starts at the next brace, one level down. */
                if (key_is(t, i, e, "PLpgSQL_stmt_execsql")) {
                    execsql = depth + 1;
                } else if (key_is(t, i, e, "PLpgSQL_stmt_dynexecute") ||
                           key_is(t, i, e, "PLpgSQL_stmt_dynfors")) {
                    j->out->dynamic = true;
                } else if (key_is(t, i, e, "PLpgSQL_stmt_open") ||
                           key_is(t, i, e, "PLpgSQL_stmt_return_query")) {
                    dynamic = depth + 1;
                } else if (dynamic >= 0 && depth >= dynamic && key_is(t, i, e, "dynquery")) {
                    j->out->dynamic = true;
                } else if (execsql >= 0 && depth >= execsql && key_is(t, i, e, "query")) {
                    size_t v = k + 1;
                    while (v < len && isspace((unsigned char)t[v]))
                        v++;
                    size_t ve;
                    if (v < len && t[v] == '"' && json_string_end(t, v, len, &ve)) {
                        /* Each statement is whole (the PL/pgSQL parser found its end):
                           the statements are parsed in one go, one per line. */
                        const char *q =
                            sqlx_json_unescape(j->sql.arena, t + v + 1, ve - v - 2);
                        if (q) {
                            sb_add(&j->sql, q);
                            sb_add(&j->sql, "\n;\n");
                        }
                        execsql = -1;
                        e = ve;
                    }
                }
            }
            i = e - 1;
        }
    }
    return depth == 0;
}

/* The words summarise_tokens looks for; EXECUTE makes the body dynamic, the others are tags. */
enum body_word { WORD_ALTER, WORD_DROP, WORD_CREATE, WORD_TRUNCATE, WORD_UPDATE, WORD_DELETE,
                 WORD_EXECUTE, NWORDS };

static const char *const word_names[NWORDS] = {"ALTER",  "DROP",   "CREATE", "TRUNCATE",
                                               "UPDATE", "DELETE", "EXECUTE"};

static void add_word(struct summary_job *j, enum body_word w)
{
    if (w == WORD_EXECUTE)
        j->out->dynamic = true;
    else
        add_tag(j, word_names[w]);
}

static int scanner_word(PgQuery__Token token)
{
    switch (token) {
    case PG_QUERY__TOKEN__ALTER:
        return WORD_ALTER;
    case PG_QUERY__TOKEN__DROP:
        return WORD_DROP;
    case PG_QUERY__TOKEN__CREATE:
        return WORD_CREATE;
    case PG_QUERY__TOKEN__TRUNCATE:
        return WORD_TRUNCATE;
    case PG_QUERY__TOKEN__UPDATE:
        return WORD_UPDATE;
    case PG_QUERY__TOKEN__DELETE_P:
        return WORD_DELETE;
    case PG_QUERY__TOKEN__EXECUTE:
        return WORD_EXECUTE;
    default:
        return -1;
    }
}

static void words_scanned(struct summary_job *j, const char *body)
{
    PgQueryScanResult r = pg_query_scan(body);
    if (r.error) {
        pg_query_free_scan_result(r);
        return;
    }
    PgQuery__ScanResult *sr =
        pg_query__scan_result__unpack(NULL, r.pbuf.len, (const uint8_t *)r.pbuf.data);
    for (size_t i = 0; sr && i < sr->n_tokens; i++) {
        int w = scanner_word(sr->tokens[i]->token);
        if (w >= 0)
            add_word(j, (enum body_word)w);
    }
    if (sr)
        pg_query__scan_result__free_unpacked(sr, NULL);
    pg_query_free_scan_result(r);
}

/* The word t[0..n) is, ignoring ASCII case. */
static int plain_word(const char *t, size_t n)
{
    for (int w = 0; w < NWORDS; w++)
        if (strlen(word_names[w]) == n && strncasecmp(t, word_names[w], n) == 0)
            return w;
    return -1;
}

/*
 * The words of words_scanned, found without PostgreSQL's scanner in a plain text: unquoted words
 * outside strings, comments, quoted names and dollar quotes, in order. False, with nothing
 * added, for what the scanner may refuse, and then finds nothing in: a string right after an
 * identifier byte (E'' takes escapes, and a bad one is an error), a number or parameter run into
 * a word, a long parameter number, an empty quoted name, 64 operator characters in a row,
 * something not closed.
 */
static bool words_plain(struct summary_job *j, const char *t, size_t len)
{
    unsigned char found[NWORDS];
    size_t nfound = 0;
    size_t op = 0; /* operator characters in a row, up to t[i] */
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)t[i];
        char next = i + 1 < len ? t[i + 1] : '\0';
        size_t e;
        bool comment = (c == '-' && next == '-') || (c == '/' && next == '*');
        op = !comment && c && strchr("~!@#^&|`?+-*/%<>=", c) ? op + 1 : 0;
        if (op >= RS_NAME_MAX + 1)
            return false; /* an operator as long as this one is an error */
        if (comment) {
            e = skip_comment(t, i, len);
        } else if (c == '\'') {
            if (i > 0 && ident_byte((unsigned char)t[i - 1]))
                return false;
            e = skip_string(t, i, len);
        } else if (c == '"') {
            size_t n;
            e = skip_quoted_name(t, i, len, &n);
            if (e != OPEN && n == 0)
                return false;
        } else if (c == '$' && next >= '0' && next <= '9') {
            for (e = i + 1; e < len && t[e] >= '0' && t[e] <= '9';)
                e++;
            if (e - i > 10 || (e < len && ident_byte((unsigned char)t[e])))
                return false;
        } else if (c == '$') {
            e = skip_dollar(t, i, len);
        } else if (c >= '0' && c <= '9') {
            for (e = i; e < len && ((t[e] >= '0' && t[e] <= '9') || t[e] == '.');)
                e++;
            if (e < len && ident_byte((unsigned char)t[e]))
                return false;
        } else if (ident_byte(c)) {
            for (e = i; e < len && ident_byte((unsigned char)t[e]);)
                e++;
            int w = plain_word(t + i, e - i);
            if (w >= 0 && !memchr(found, w, nfound))
                found[nfound++] = (unsigned char)w;
        } else {
            e = i + 1;
        }
        if (e == OPEN)
            return false;
        i = e;
    }
    for (size_t k = 0; k < nfound; k++)
        add_word(j, (enum body_word)found[k]);
    return true;
}

/* The fallback for a body that does not parse: statement words found by the scanner, or
   without it when the body is plain (rs_sql_body_summary). */
static void summarise_tokens(struct summary_job *j, const char *body, bool scanner)
{
    if (scanner || !words_plain(j, body, strlen(body)))
        words_scanned(j, body);
}

void sqlx_body_words(struct arena *a, const char *body, bool scanner, struct rs_body_summary *out)
{
    memset(out, 0, sizeof(*out));
    struct summary_job j = {a, out, {0}};
    summarise_tokens(&j, body, scanner);
}

void rs_sql_body_summary(struct arena *a, const char *language, const char *body,
                         struct rs_body_summary *out)
{
    memset(out, 0, sizeof(*out));
    if (!body)
        return;
    struct summary_job j = {a, out, {0}};
    if (language && !strcmp(language, "sql")) {
        summarise_sql(&j, body);
        return;
    }
    if (language && strcmp(language, "plpgsql")) {
        out->unparsed = true; /* another language: nothing rollsafe can read */
        return;
    }
    /* The PL/pgSQL parser takes a whole CREATE FUNCTION: wrap the body in a dollar quote that
       does not occur in it. */
    char tag[32] = "rs_body";
    for (int n = 0; strstr(body, tag); n++)
        snprintf(tag, sizeof(tag), "rs_body%d", n);
    struct arena tmp = ARENA_INIT;
    struct strbuf wrap;
    sb_init(&wrap, &tmp);
    sb_add(&wrap, "CREATE FUNCTION rs_body() RETURNS void LANGUAGE plpgsql AS $");
    sb_add(&wrap, tag);
    sb_addc(&wrap, '$');
    sb_add(&wrap, body); /* bodies run to many kilobytes: no printf */
    sb_addc(&wrap, '$');
    sb_add(&wrap, tag);
    sb_addc(&wrap, '$');
    const char *fn = wrap.s;
    sb_init(&j.sql, &tmp);
    PgQueryPlpgsqlParseResult r = pg_query_parse_plpgsql(fn);
    if (!r.error && r.plpgsql_funcs && walk(&j, r.plpgsql_funcs, strlen(r.plpgsql_funcs))) {
        if (j.sql.len)
            summarise_sql(&j, j.sql.s);
    } else {
        memset(out, 0, sizeof(*out));
        out->unparsed = true;
        summarise_tokens(&j, body, false);
    }
    pg_query_free_plpgsql_parse_result(r);
    arena_free(&tmp);
}

static size_t plain_literals(struct arena *a, const char *t, size_t len, const char ***out);

/* The value of the plain string literal q[0..n), quotes included: 'it''s' -> it's. */
static char *literal_value(struct arena *a, const char *q, size_t n)
{
    char *val = arena_alloc(a, n);
    size_t k = 0;
    for (const char *p = q + 1, *end = q + n - 1; p < end; p++) {
        val[k++] = *p;
        if (*p == '\'' && p + 1 < end && p[1] == '\'')
            p++;
    }
    return val;
}

size_t rs_sql_string_literals(struct arena *a, const char *text, size_t len, const char ***out)
{
    /* PostgreSQL's scanner costs a few hundred thousand instructions to start, and the texts
       asked about are CHECK constraints and statements with a few plain 'strings': those are
       read here, the rest (SIZE_MAX) is left to the scanner. */
    size_t n = plain_literals(a, text, len, out);
    return n != SIZE_MAX ? n : sqlx_string_literals_scanned(a, text, len, out);
}

size_t sqlx_string_literals_scanned(struct arena *a, const char *text, size_t len,
                                    const char ***out)
{
    struct arena tmp = ARENA_INIT;
    char *s = arena_strndup(&tmp, text, len);
    VEC(const char *) v = {0};
    PgQueryScanResult r = pg_query_scan(s);
    PgQuery__ScanResult *sr =
        r.error ? NULL
                : pg_query__scan_result__unpack(NULL, r.pbuf.len, (const uint8_t *)r.pbuf.data);
    for (size_t i = 0; sr && i < sr->n_tokens; i++) {
        const PgQuery__ScanToken *t = sr->tokens[i];
        if (t->token != PG_QUERY__TOKEN__SCONST || t->end - t->start < 2 || s[t->start] != '\'')
            continue;
        *VEC_PUSH(a, &v) = literal_value(a, s + t->start, (size_t)(t->end - t->start));
    }
    if (sr)
        pg_query__scan_result__free_unpacked(sr, NULL);
    pg_query_free_scan_result(r);
    arena_free(&tmp);
    *out = v.v;
    return v.n;
}

bool rs_sql_has_string_literal(const char *text, size_t len, const char *value)
{
    struct arena tmp = ARENA_INIT;
    const char **lits;
    size_t n = rs_sql_string_literals(&tmp, text, len, &lits);
    bool found = false;
    for (size_t i = 0; i < n && !found; i++)
        found = !strcmp(lits[i], value);
    arena_free(&tmp);
    return found;
}

size_t sqlx_skip_quoted(const char *t, size_t i, size_t len)
{
    char c = t[i], next = i + 1 < len ? t[i + 1] : '\0';
    size_t n;
    if (c == '\'')
        return skip_string(t, i, len);
    if ((c == '-' && next == '-') || (c == '/' && next == '*'))
        return skip_comment(t, i, len);
    if (c == '$' && (i == 0 || !ident_byte((unsigned char)t[i - 1])))
        return skip_dollar(t, i, len);
    if (c == '"')
        return skip_quoted_name(t, i, len, &n);
    return i + 1;
}

bool sqlx_ident_byte(unsigned char c)
{
    return ident_byte(c);
}

/*
 * The string literals of t[0..len) when they are all plain ('...', quotes doubled inside),
 * found by stepping over comments, quoted names and dollar quotes; SIZE_MAX for whatever the
 * scanner must read: a quote after an identifier byte or '&' (E'', B'', X'', N'', U&''), two
 * strings one after the other (PostgreSQL joins them across a newline), something not closed.
 */
static size_t plain_literals(struct arena *a, const char *t, size_t len, const char ***out)
{
    VEC(const char *) v = {0};
    *out = NULL;
    bool after_string = false; /* only blanks and comments since the last string */
    for (size_t i = 0; i < len;) {
        char c = t[i], next = i + 1 < len ? t[i + 1] : '\0';
        if ((c == '-' && next == '-') || (c == '/' && next == '*')) {
            i = skip_comment(t, i, len);
            if (i == OPEN)
                return SIZE_MAX;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            i++;
            continue;
        }
        if (c == '\'') {
            if (after_string ||
                (i > 0 && (ident_byte((unsigned char)t[i - 1]) || t[i - 1] == '&')))
                return SIZE_MAX;
            size_t e = skip_string(t, i, len);
            if (e == OPEN)
                return SIZE_MAX;
            *VEC_PUSH(a, &v) = literal_value(a, t + i, e - i);
            i = e;
            after_string = true;
            continue;
        }
        after_string = false;
        if (c == '"') {
            size_t n;
            i = skip_quoted_name(t, i, len, &n);
            if (i == OPEN)
                return SIZE_MAX;
        } else if (c == '$' && (i == 0 || !ident_byte((unsigned char)t[i - 1]))) {
            i = skip_dollar(t, i, len);
            if (i == OPEN)
                return SIZE_MAX;
        } else {
            i++;
        }
    }
    *out = v.v;
    return v.n;
}

/*
 * Whether text[0..len) may hold an identifier longer than RS_NAME_MAX bytes. An unquoted one
 * is a run of identifier bytes (letters, digits, '_', '$' and every byte of a multibyte
 * character) at least that long; a quoted one has that many bytes between its double quotes.
 * Strings, comments and dollar quotes are stepped over, so that a double quote inside them
 * does not open a name; whatever this reading cannot settle (something not closed, a U&
 * escape) counts as "may", and PostgreSQL's scanner decides. Running that scanner on every
 * statement was a tenth of a whole check, and most statements hold neither kind of long name.
 */
bool sqlx_may_hold_long_identifier(const char *t, size_t len)
{
    /* A run of RS_NAME_MAX + 1 identifier bytes covers one of every RS_NAME_MAX + 1 positions:
       only the runs through those are measured. */
    for (size_t p = RS_NAME_MAX; p < len; p += RS_NAME_MAX + 1) {
        if (!ident_byte((unsigned char)t[p]))
            continue;
        size_t b = p, e = p + 1;
        while (b > 0 && ident_byte((unsigned char)t[b - 1]))
            b--;
        while (e < len && ident_byte((unsigned char)t[e]))
            e++;
        if (e - b > RS_NAME_MAX)
            return true;
    }
    if (!memchr(t, '"', len))
        return false;
    /* Bytes that may start something to step over or to look at; '&' for U&"...". */
    static const bool special[256] = {['\''] = true, ['-'] = true, ['/'] = true,
                                      ['$'] = true,  ['"'] = true, ['&'] = true};
    for (size_t i = 0; i < len;) {
        char c = t[i];
        if (!special[(unsigned char)c]) {
            i++;
            continue;
        }
        char next = i + 1 < len ? t[i + 1] : '\0';
        if (c == '\'') {
            i = skip_string(t, i, len);
        } else if ((c == '-' && next == '-') || (c == '/' && next == '*')) {
            i = skip_comment(t, i, len);
        } else if (c == '$' && (i == 0 || !ident_byte((unsigned char)t[i - 1]))) {
            i = skip_dollar(t, i, len);
        } else if (c == '&' && i > 0 && (t[i - 1] == 'U' || t[i - 1] == 'u')) {
            return true;
        } else if (c == '"') {
            size_t n;
            i = skip_quoted_name(t, i, len, &n);
            if (i != OPEN && n > RS_NAME_MAX)
                return true;
        } else {
            i++;
        }
        if (i == OPEN)
            return true;
    }
    return false;
}

size_t rs_sql_long_identifiers(struct arena *a, const char *text, size_t len, const char ***out)
{
    *out = NULL;
    return sqlx_may_hold_long_identifier(text, len)
               ? sqlx_long_identifiers_scanned(a, text, len, out)
               : 0;
}

size_t sqlx_long_identifiers_scanned(struct arena *a, const char *text, size_t len,
                                     const char ***out)
{
    *out = NULL;
    struct arena tmp = ARENA_INIT;
    char *s = arena_strndup(&tmp, text, len);
    VEC(const char *) v = {0};
    PgQueryScanResult r = pg_query_scan(s);
    PgQuery__ScanResult *sr =
        r.error ? NULL
                : pg_query__scan_result__unpack(NULL, r.pbuf.len, (const uint8_t *)r.pbuf.data);
    for (size_t i = 0; sr && i < sr->n_tokens; i++) {
        const PgQuery__ScanToken *t = sr->tokens[i];
        if (t->token != PG_QUERY__TOKEN__IDENT)
            continue;
        const char *p = s + t->start;
        size_t n = (size_t)(t->end - t->start);
        bool quoted = n >= 2 && p[0] == '"';
        char *id = arena_alloc(&tmp, n + 1);
        size_t k = 0;
        for (size_t j = quoted ? 1 : 0; j < (quoted ? n - 1 : n); j++) {
            char c = p[j];
            if (quoted && c == '"' && j + 1 < n - 1 && p[j + 1] == '"')
                j++;
            else if (!quoted && c >= 'A' && c <= 'Z')
                c = (char)(c - 'A' + 'a');
            id[k++] = c;
        }
        if (k > RS_NAME_MAX)
            *VEC_PUSH(a, &v) = arena_strndup(a, id, k);
    }
    if (sr)
        pg_query__scan_result__free_unpacked(sr, NULL);
    pg_query_free_scan_result(r);
    arena_free(&tmp);
    *out = v.v;
    return v.n;
}
