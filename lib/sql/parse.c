/*
 * parse.c - scripts into statements, through libpg_query's protobuf parse tree.
 *
 * The fast path parses the whole script at once. When that fails, the script is split with
 * PostgreSQL's own scanner and each piece is parsed alone, so one bad statement becomes one
 * syntax-error statement and everything around it is still analysed.
 *
 * This file does not interpret statements (translate.c does) and never reads files.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

int rs_sql_grammar_version(void)
{
    return PG_VERSION_NUM / 10000;
}

size_t rs_sql_skip_blank(const char *t, size_t pos, size_t end)
{
    while (pos < end) {
        unsigned char c = (unsigned char)t[pos];
        if (isspace(c)) {
            pos++;
        } else if (c == '-' && pos + 1 < end && t[pos + 1] == '-') {
            while (pos < end && t[pos] != '\n' && t[pos] != '\r')
                pos++;
        } else if (c == '/' && pos + 1 < end && t[pos + 1] == '*') {
            int depth = 1;
            pos += 2;
            while (pos < end && depth > 0) {
                if (t[pos] == '/' && pos + 1 < end && t[pos + 1] == '*') {
                    depth++;
                    pos += 2;
                } else if (t[pos] == '*' && pos + 1 < end && t[pos + 1] == '/') {
                    depth--;
                    pos += 2;
                } else {
                    pos++;
                }
            }
        } else {
            break;
        }
    }
    return pos;
}

static size_t trim_end(const char *t, size_t begin, size_t end)
{
    while (end > begin && (isspace((unsigned char)t[end - 1]) || t[end - 1] == ';'))
        end--;
    return end;
}

static bool is_word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

static size_t skip_ws(const char *s, size_t i, size_t n)
{
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    return i;
}

static bool word_at(const char *s, size_t i, size_t n, const char *w)
{
    size_t wl = strlen(w);
    return i + wl <= n && strncasecmp(s + i, w, wl) == 0 &&
           (i + wl == n || !is_word_char(s[i + wl]));
}

/* After CONSTRAINT (s[k] on): <name> NOT NULL, PostgreSQL 18's named NOT NULL constraint. */
static bool named_not_null_at(const char *s, size_t k, size_t n)
{
    k = skip_ws(s, k, n);
    if (k < n && s[k] == '"') {
        k++;
        while (k < n && s[k] != '"')
            k++;
        k++;
    } else {
        while (k < n && (is_word_char(s[k]) || s[k] == '$'))
            k++;
    }
    k = skip_ws(s, k, n);
    if (!word_at(s, k, n, "NOT"))
        return false;
    k = skip_ws(s, k + 3, n);
    return word_at(s, k, n, "NULL");
}

/* The words sqlx_newer_grammar_hint looks for, each a bit of the set a text holds. */
enum hint_word {
    HW_CONSTRAINT,
    HW_VIRTUAL,
    HW_ENFORCED,
    HW_WITHOUT,
    HW_OVERLAPS,
    HW_PERIOD,
    HW_NOT,
    HW_NULL,
    HW_VALID,
    HW_JSON_TABLE,
    HW_SET,
    HW_EXPRESSION,
    HW_MERGE,
    HW_RETURNING,
    HW_JSON_OBJECT,
    HW_JSON_ARRAY,
    HW_IS,
    HW_JSON,
    HW_SYSTEM_USER,
    HW_COUNT
};

static const char *const hint_words[HW_COUNT] = {
    [HW_CONSTRAINT] = "CONSTRAINT",
    [HW_VIRTUAL] = "VIRTUAL",
    [HW_ENFORCED] = "ENFORCED",
    [HW_WITHOUT] = "WITHOUT",
    [HW_OVERLAPS] = "OVERLAPS",
    [HW_PERIOD] = "PERIOD",
    [HW_NOT] = "NOT",
    [HW_NULL] = "NULL",
    [HW_VALID] = "VALID",
    [HW_JSON_TABLE] = "JSON_TABLE",
    [HW_SET] = "SET",
    [HW_EXPRESSION] = "EXPRESSION",
    [HW_MERGE] = "MERGE",
    [HW_RETURNING] = "RETURNING",
    [HW_JSON_OBJECT] = "JSON_OBJECT",
    [HW_JSON_ARRAY] = "JSON_ARRAY",
    [HW_IS] = "IS",
    [HW_JSON] = "JSON",
    [HW_SYSTEM_USER] = "SYSTEM_USER",
};

/*
 * The hint words s[0, n) holds as whole words (a word: letters, digits and underscores, in any
 * case), read in one pass: looking for each word through the text in turn cost more than the
 * parse of the statement. *named_not_null: whether a CONSTRAINT is followed by a name and NOT
 * NULL.
 */
static unsigned hint_words_in(const char *s, size_t n, bool *named_not_null)
{
    unsigned set = 0;
    *named_not_null = false;
    for (size_t i = 0; i < n;) {
        if (!is_word_char(s[i])) {
            i++;
            continue;
        }
        size_t end = i + 1;
        while (end < n && is_word_char(s[end]))
            end++;
        for (int w = 0; w < HW_COUNT; w++) {
            const char *hw = hint_words[w];
            /* The words are upper case letters and underscores, the first a letter. */
            if ((s[i] & ~0x20) != hw[0] || strncasecmp(s + i, hw, end - i) || hw[end - i])
                continue;
            set |= 1u << w;
            if (w == HW_CONSTRAINT && !*named_not_null)
                *named_not_null = named_not_null_at(s, end, n);
            break;
        }
        i = end;
    }
    return set;
}

/*
 * Constructs that a newer PostgreSQL grammar accepts and the built-in one rejects. Only used to
 * word the message of a statement that failed to parse, never to accept anything.
 */
const char *sqlx_newer_grammar_hint(const char *s, size_t n)
{
    static const struct {
        unsigned words; /* all of them */
        int version;
        const char *what;
    } marks[] = {
        {1u << HW_VIRTUAL, 18, "virtual generated columns"},
        {1u << HW_ENFORCED, 18, "NOT ENFORCED constraints"},
        {1u << HW_WITHOUT | 1u << HW_OVERLAPS, 18, "WITHOUT OVERLAPS keys"},
        {1u << HW_PERIOD, 18, "PERIOD foreign keys"},
        {1u << HW_NOT | 1u << HW_NULL | 1u << HW_VALID, 18, "NOT NULL ... NOT VALID"},
        {1u << HW_JSON_TABLE, 17, "JSON_TABLE"},
        {1u << HW_SET | 1u << HW_EXPRESSION, 17, "ALTER COLUMN ... SET EXPRESSION"},
        {1u << HW_MERGE | 1u << HW_RETURNING, 17, "MERGE ... RETURNING"},
        {1u << HW_JSON_OBJECT, 16, "SQL/JSON constructors"},
        {1u << HW_JSON_ARRAY, 16, "SQL/JSON constructors"},
        {1u << HW_IS | 1u << HW_JSON, 16, "IS JSON"},
        {1u << HW_SYSTEM_USER, 16, "SYSTEM_USER"},
    };
    static _Thread_local char buf[128];
    bool named_not_null;
    unsigned words = hint_words_in(s, n, &named_not_null);
    if (rs_sql_grammar_version() < 18 && named_not_null) {
        snprintf(buf, sizeof(buf),
                 "PostgreSQL 18 syntax: a named NOT NULL constraint (CONSTRAINT name NOT NULL "
                 "column)");
        return buf;
    }
    for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
        if (marks[i].version <= rs_sql_grammar_version() ||
            (words & marks[i].words) != marks[i].words)
            continue;
        snprintf(buf, sizeof(buf), "PostgreSQL %d syntax: %s", marks[i].version, marks[i].what);
        return buf;
    }
    return NULL;
}

struct parse_job {
    struct arena *a;
    struct arena *scratch;
    const struct rs_source *src;
    const char *text; /* NUL-terminated */
    size_t len;
    size_t base; /* file offset of text[0] */
    struct rs_stmt_list *out;
    const size_t *not_null_at; /* see bridge_not_null; sorted, file offsets */
    size_t n_not_null_at;
};

static struct rs_stmt *new_stmt(struct parse_job *j, size_t begin, size_t end)
{
    struct rs_stmt *st = VEC_PUSH(j->a, j->out);
    st->offset = j->base + begin;
    st->len = end > begin ? end - begin : 0;
    st->index = (int)j->out->n;
    st->tag = "statement";
    if (j->src)
        rs_source_position(j->src, st->offset, &st->line, &st->column);
    return st;
}

/* libpg_query reports an error position in characters (1-based); offsets are in bytes. */
static size_t char_to_byte(const char *t, size_t len, size_t chars)
{
    size_t i = 0;
    while (i < len && chars > 0) {
        i++;
        while (i < len && ((unsigned char)t[i] & 0xC0) == 0x80)
            i++;
        chars--;
    }
    return i;
}

/* PostgreSQL quotes the rest of the input after "at or near" when a string or comment is not
   closed, which may be megabytes over many lines: keep its first line, 40 bytes at most. */
static const char *shorten_near(struct arena *a, const char *msg)
{
    static const char near[] = "at or near \"";
    const char *q = strstr(msg, near);
    if (!q)
        return msg;
    q += sizeof(near) - 1;
    const char *close = strrchr(q, '"');
    if (!close)
        return msg;
    size_t n = 0;
    while (q + n < close && q[n] != '\n' && q[n] != '\r' && n < 40)
        n++;
    if (q + n == close)
        return msg;
    while (n > 0 && ((unsigned char)q[n] & 0xC0) == 0x80)
        n--; /* not inside a UTF-8 sequence */
    return arena_printf(a, "%.*s...%s", (int)(q + n - msg), msg, close);
}

/* What a message says about input that is not plain SQL for this grammar, when it can tell. */
static const char *explain_error(struct parse_job *j, const char *msg, size_t at)
{
    const char *t = j->text;
    if (at < j->len && (t[at] == '{' || (t[at] == '$' && t[at + 1] == '{')))
        return arena_printf(j->a,
                            "templated SQL: \"%.2s\" is not SQL; render the template and check "
                            "the result, or exclude the file (%s)",
                            t + at, msg);
    if (!strncmp(msg, "memory exhausted", 16) || strstr(msg, "stack depth limit exceeded"))
        return arena_printf(j->a, "the statement nests too deeply for PostgreSQL's parser (%s)",
                            msg);
    return msg;
}

static void syntax_error(struct parse_job *j, size_t begin, size_t end, const PgQueryError *e)
{
    struct rs_stmt *st = new_stmt(j, begin, end);
    st->syntax_error = true;
    st->tag = "syntax error";
    size_t at = begin;
    if (e && e->cursorpos > 0) {
        size_t b = char_to_byte(j->text, j->len, (size_t)e->cursorpos - 1);
        if (b < j->len)
            at = b;
    }
    st->error_offset = j->base + at;
    const char *msg = e && e->message ? e->message : "syntax error";
    msg = explain_error(j, shorten_near(j->a, msg), at);
    const char *newer = sqlx_newer_grammar_hint(j->text + begin, end - begin);
    if (!newer && strstr(msg, "subquery in FROM must have an alias") &&
        rs_sql_grammar_version() < 16)
        newer = "PostgreSQL 16 syntax: a subquery in FROM without an alias";
    if (newer) {
        st->newer_grammar = true;
        st->error = arena_printf(j->a, "%s (%s; rollsafe was built with the PostgreSQL %d grammar)",
                                 msg, newer, rs_sql_grammar_version());
    } else {
        st->error = arena_strdup(j->a, msg);
    }
}

/* Makes room for n more statements at once: growing one at a time by doubling would leave
   the abandoned arrays in the arena (a 20 MB migration of INSERTs has 400,000 statements). */
static void reserve(struct parse_job *j, size_t n)
{
    struct rs_stmt_list *l = j->out;
    if (l->cap - l->n >= n)
        return;
    l->v = arena_grow(j->a, l->v, l->n, l->n + n, sizeof(*l->v));
    l->cap = l->n + n;
}

/* Translates the statements of a successful parse of j->text. */
static void add_parsed(struct parse_job *j, const PgQuery__ParseResult *pr)
{
    struct sqlx x = {j->a, j->scratch, j->text, j->base, j->not_null_at, j->n_not_null_at};
    reserve(j, pr->n_stmts);
    for (size_t i = 0; i < pr->n_stmts; i++) {
        const PgQuery__RawStmt *raw = pr->stmts[i];
        size_t loc = raw->stmt_location > 0 ? (size_t)raw->stmt_location : 0;
        size_t end = raw->stmt_len > 0 ? loc + (size_t)raw->stmt_len : j->len;
        if (end > j->len)
            end = j->len;
        size_t begin = rs_sql_skip_blank(j->text, loc, end);
        end = trim_end(j->text, begin, end);
        struct rs_stmt *st = new_stmt(j, begin, end);
        if (raw->stmt)
            sqlx_translate(&x, raw->stmt, st);
    }
}

/*
 * One parse of a text. The tree comes from libpg_query's JSON form, written in a quarter of the
 * time of the packed form (see unjson.c); from the packed form when the JSON does not give
 * every value (then the text is parsed twice; no script of the corpora needs it). The packed
 * bytes must outlive the translation (the deparser reads them), so parsed_free comes after
 * add_parsed.
 */
struct parsed {
    PgQuery__ParseResult *tree; /* NULL: the text does not parse, or its tree is too deep */
    PgQueryError *error;        /* the parser's error, when it has one */
    PgQueryParseResult json;
    PgQueryProtobufParseResult packed;
    bool have_packed;
};

static void parse_text(struct arena *scratch, const char *text, size_t len, struct parsed *out)
{
    *out = (struct parsed){0};
    out->json = pg_query_parse(text);
    if (out->json.error) {
        out->error = out->json.error;
        return;
    }
    out->tree = sqlx_unjson(scratch, out->json.parse_tree, strlen(out->json.parse_tree), text, len);
    if (out->tree)
        return;
    out->packed = pg_query_parse_protobuf(text);
    out->have_packed = true;
    if (out->packed.error)
        out->error = out->packed.error;
    else
        out->tree = sqlx_unpack(scratch, (const uint8_t *)out->packed.parse_tree.data,
                                out->packed.parse_tree.len);
}

static void parsed_free(struct parsed *p)
{
    pg_query_free_parse_result(p->json);
    if (p->have_packed)
        pg_query_free_protobuf_parse_result(p->packed);
}

/*
 * A psql meta-command (\set, \i, \connect ...) runs to the end of its line, as psql reads it.
 * PostgreSQL never sees it, so it becomes a statement of its own that does not parse, with a
 * message naming it; the lines after it are SQL again. Returns the end of its line.
 */
static size_t meta_command(struct parse_job *j, size_t begin, size_t end)
{
    size_t eol = begin;
    while (eol < end && j->text[eol] != '\n')
        eol++;
    size_t stop = eol;
    while (stop > begin && isspace((unsigned char)j->text[stop - 1]))
        stop--;
    size_t name = begin + 1;
    while (name < stop && !isspace((unsigned char)j->text[name]) && name - begin < 32)
        name++;
    struct rs_stmt *st = new_stmt(j, begin, stop);
    st->syntax_error = true;
    st->tag = "syntax error";
    st->error_offset = j->base + begin;
    st->error = arena_printf(j->a,
                             "psql meta-command %.*s is not SQL: PostgreSQL never sees it, so "
                             "rollsafe cannot tell what it does (run it outside the migration, "
                             "or approve it)",
                             (int)(name - begin), j->text + begin);
    return eol;
}

/* Piece by piece: the fallback when the whole text does not parse. */
static void parse_pieces(struct parse_job *j)
{
    PgQuerySplitResult sr = pg_query_split_with_scanner(j->text);
    if (sr.error) {
        /* The scanner itself failed (an unterminated string or comment): everything from the
           first token on is one statement that does not parse. */
        size_t begin = rs_sql_skip_blank(j->text, 0, j->len);
        if (begin < j->len)
            syntax_error(j, begin, trim_end(j->text, begin, j->len), sr.error);
        pg_query_free_split_result(sr);
        return;
    }
    reserve(j, (size_t)sr.n_stmts + 1);
    size_t covered = 0;
    /* One more round after the last piece: the scanner leaves out the text after a parenthesis
       that is never closed, which is a statement that does not parse. */
    for (int i = 0; i <= sr.n_stmts; i++) {
        size_t loc, end;
        if (i < sr.n_stmts) {
            loc = (size_t)sr.stmts[i]->stmt_location;
            end = sr.stmts[i]->stmt_len > 0 ? loc + (size_t)sr.stmts[i]->stmt_len : j->len;
        } else {
            for (loc = covered; loc < j->len; loc++) {
                loc = rs_sql_skip_blank(j->text, loc, j->len);
                if (loc >= j->len || j->text[loc] != ';')
                    break;
            }
            end = j->len;
        }
        if (end > j->len)
            end = j->len;
        if (end > covered)
            covered = end;
        size_t begin = rs_sql_skip_blank(j->text, loc, end);
        while (begin < end && j->text[begin] == '\\')
            begin = rs_sql_skip_blank(j->text, meta_command(j, begin, end), end);
        if (begin >= end)
            continue;
        char *piece = arena_strndup(j->scratch, j->text + begin, end - begin);
        struct parsed r;
        parse_text(j->scratch, piece, end - begin, &r);
        if (r.error) {
            struct parse_job pj = *j;
            pj.text = piece;
            pj.len = end - begin;
            pj.base = j->base + begin;
            syntax_error(&pj, 0, trim_end(piece, 0, pj.len), r.error);
        } else {
            PgQuery__ParseResult *pr = r.tree;
            struct parse_job pj = *j;
            pj.text = piece;
            pj.len = end - begin;
            pj.base = j->base + begin;
            if (pr) {
                add_parsed(&pj, pr);
            } else {
                /* It parses, but its tree is deeper than the decoder goes (unpack.c). */
                PgQueryError e = {.message = (char *)"the statement nests too deeply for rollsafe "
                                                     "to analyse (its parse tree is over 8,000 "
                                                     "levels deep)"};
                syntax_error(&pj, 0, trim_end(piece, 0, pj.len), &e);
            }
        }
        parsed_free(&r);
        /* The statements own copies of what they keep: the piece's tree can go. */
        arena_free(j->scratch);
    }
    pg_query_free_split_result(sr);
}

/*
 * A big script is parsed in batches of whole statements of about SQLX_BATCH bytes: libpg_query
 * keeps the tree of the text it parses several times over (its nodes, protobuf-c's structs, the
 * packed bytes), 800 MB for a 20 MB file of INSERTs. The statement boundaries come from
 * libpg_query's parser-based split, so a batch never cuts a statement (a BEGIN ATOMIC body holds
 * semicolons). The statements are those of a parse of the whole text. False, with nothing
 * added, when the split fails: the text does not parse.
 */
static bool parse_batched(struct parse_job *j)
{
    PgQuerySplitResult sr = pg_query_split_with_parser(j->text);
    if (sr.error) {
        pg_query_free_split_result(sr);
        return false;
    }
    reserve(j, (size_t)sr.n_stmts);
    for (int i = 0; i < sr.n_stmts;) {
        size_t first = (size_t)sr.stmts[i]->stmt_location, end = first;
        int k = i;
        for (; k < sr.n_stmts; k++) {
            size_t loc = (size_t)sr.stmts[k]->stmt_location;
            size_t e = sr.stmts[k]->stmt_len > 0 ? loc + (size_t)sr.stmts[k]->stmt_len : j->len;
            if (e > j->len)
                e = j->len;
            if (k > i && e - first > SQLX_BATCH)
                break;
            end = e;
        }
        struct parse_job pj = *j;
        pj.text = arena_strndup(j->scratch, j->text + first, end - first);
        pj.len = end - first;
        pj.base = j->base + first;
        struct parsed r;
        parse_text(j->scratch, pj.text, pj.len, &r);
        if (r.tree)
            add_parsed(&pj, r.tree);
        parsed_free(&r);
        if (!r.tree) {
            /* The pieces get a scratch arena of their own: they empty theirs after each piece,
               and this one holds the batch's text. */
            struct arena pieces = ARENA_INIT;
            pj.scratch = &pieces;
            parse_pieces(&pj);
            arena_free(&pieces);
        }
        arena_free(j->scratch);
        i = k;
    }
    pg_query_free_split_result(sr);
    return true;
}

/*
 * PostgreSQL 18 names NOT NULL constraints and writes them as table constraints too:
 * `CONSTRAINT name NOT NULL column [NO INHERIT]` among the elements of CREATE TABLE and after
 * ALTER TABLE ... ADD, and `ADD NOT NULL column` (pg_dump 18 writes them so). The built-in
 * grammar rejects them. A script that does not parse and holds them is parsed again with each
 * one written, in place and at the same length, as `CHECK (column)`, which it accepts; the
 * translation reads a CHECK of a bare column found at one of those places back as the NOT NULL
 * it was (translate.c). The model then follows the statement, and the down check compares what
 * such a down restores. The `NOT VALID` form and anything else around it are left as they are:
 * those statements still fail, with the newer-grammar hint.
 */
struct bridge_tok {
    size_t b, e;
    char kind; /* 'w' a word, 'q' a quoted name, 's' a string, else the punctuation byte */
};

static bool tok_word(const char *t, const struct bridge_tok *k, const char *w)
{
    size_t n = strlen(w);
    return k->kind == 'w' && k->e - k->b == n && strncasecmp(t + k->b, w, n) == 0;
}

static bool tok_name(const struct bridge_tok *k)
{
    return k->kind == 'w' || k->kind == 'q';
}

/* The tokens of t[0, len) (comments skipped), in tmp; false when something is not closed. */
static bool bridge_tokens(struct arena *tmp, const char *t, size_t len, struct bridge_tok **out,
                          size_t *n)
{
    VEC(struct bridge_tok) v = {0};
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)t[i];
        if (isspace(c)) {
            i++;
            continue;
        }
        struct bridge_tok k = {.b = i};
        size_t e = sqlx_skip_quoted(t, i, len);
        if (e == SIZE_MAX)
            return false;
        if (e > i + 1 || c == '"' || c == '\'') {
            if ((c == '-' || c == '/') && e > i + 1) {
                i = e; /* a comment */
                continue;
            }
            k.kind = c == '"' ? 'q' : 's';
        } else if (sqlx_ident_byte(c) && c != '$') {
            while (e < len && sqlx_ident_byte((unsigned char)t[e]))
                e++;
            k.kind = 'w';
        } else {
            k.kind = (char)c;
        }
        k.e = e;
        *VEC_PUSH(tmp, &v) = k;
        i = e;
    }
    *out = v.v;
    *n = v.n;
    return true;
}

/* Rewrites j's text as described above into a copy from a (returned; NULL when the text holds
   no such constraint) and sets j->not_null_at to the file offsets of the columns' references
   in the copy. */
static char *bridge_not_null(struct parse_job *j, struct arena *a)
{
    struct bridge_tok *k;
    size_t n;
    if (!bridge_tokens(a, j->text, j->len, &k, &n))
        return NULL;
    char *copy = NULL;
    VEC(size_t) at = {0};
    for (size_t i = 0; i + 3 < n; i++) {
        /* [, ( ADD] CONSTRAINT name NOT NULL column, or ADD NOT NULL column */
        size_t kw; /* the token NOT */
        if (tok_word(j->text, &k[i], "CONSTRAINT") && i > 0 &&
            (k[i - 1].kind == ',' || k[i - 1].kind == '(' || tok_word(j->text, &k[i - 1], "ADD")) &&
            tok_name(&k[i + 1]))
            kw = i + 2;
        else if (tok_word(j->text, &k[i], "ADD"))
            kw = i + 1;
        else
            continue;
        if (kw + 2 >= n || !tok_word(j->text, &k[kw], "NOT") ||
            !tok_word(j->text, &k[kw + 1], "NULL") || !tok_name(&k[kw + 2]))
            continue;
        const struct bridge_tok *col = &k[kw + 2], *after = kw + 3 < n ? &k[kw + 3] : NULL;
        if (after && after->kind != ',' && after->kind != ')' && after->kind != ';' &&
            !tok_word(j->text, after, "NO"))
            continue;
        if (!copy)
            copy = arena_strndup(a, j->text, j->len);
        /* NOT <blank> NULL <blank> column: CHECK, blanks, (column) */
        size_t b = k[kw].b, blanks = col->b - b - 7;
        memcpy(copy + b, "CHECK", 5);
        memset(copy + b + 5, ' ', blanks);
        copy[b + 5 + blanks] = '(';
        memcpy(copy + b + 6 + blanks, j->text + col->b, col->e - col->b);
        copy[col->e - 1] = ')';
        *VEC_PUSH(a, &at) = j->base + col->b - 1;
        i = kw + 2;
    }
    j->not_null_at = at.v;
    j->n_not_null_at = at.n;
    return copy;
}

/* Parses j->text at once, or in batches when it is big; false, with nothing added, when it
   does not parse. */
static bool parse_all(struct parse_job *j)
{
    if (j->len > SQLX_BIG_TEXT)
        return parse_batched(j);
    struct parsed r;
    parse_text(j->scratch, j->text, j->len, &r);
    if (r.tree)
        add_parsed(j, r.tree);
    parsed_free(&r);
    return r.tree != NULL;
}

static void parse_job_run(struct parse_job *j)
{
    if (rs_sql_skip_blank(j->text, 0, j->len) >= j->len)
        return; /* empty or comment-only: a valid migration with no statement */
    if (parse_all(j))
        return;
    /* The copy outlives the pieces, which empty j->scratch after each one. */
    struct arena bridge = ARENA_INIT;
    char *copy = bridge_not_null(j, &bridge);
    if (copy)
        j->text = copy;
    if (!copy || !parse_all(j))
        parse_pieces(j);
    arena_free(&bridge);
}

void sqlx_parse_script_here(struct arena *a, const struct rs_script *script,
                            struct rs_stmt_list *out)
{
    if (!script->src)
        return;
    struct arena scratch = ARENA_INIT;
    struct parse_job j = {.a = a,
                          .scratch = &scratch,
                          .src = script->src,
                          .text = script->text,
                          .len = script->src->len,
                          .out = out};
    parse_job_run(&j);
    arena_free(&scratch);
}

void rs_sql_parse_script(struct arena *a, const struct rs_script *script, struct rs_stmt_list *out)
{
    /* Parsed ahead by the helper: the statements a parse here would make, already made. */
    if (script->ahead && out->n == 0 && sqlx_prefetch_take(script->ahead, out))
        return;
    sqlx_parse_script_here(a, script, out);
}

void rs_sql_parse_text(struct arena *a, const char *text, size_t len, const struct rs_source *src,
                       struct rs_stmt_list *out)
{
    struct arena scratch = ARENA_INIT;
    struct parse_job j = {
        .a = a, .scratch = &scratch, .src = src, .text = text, .len = len, .out = out};
    parse_job_run(&j);
    arena_free(&scratch);
}
