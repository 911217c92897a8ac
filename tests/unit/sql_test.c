/*
 * sql_test.c - lib/sql/ pieces that have a fast path in front of PostgreSQL's own code: the
 * fast path must never answer differently from the slow one. The identifier-length filter
 * against PostgreSQL's scanner; the tree decoded from libpg_query's JSON against the tree
 * decoded from its packed form; the newer-grammar hint read in one pass against a search for
 * each of its words.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sql/internal.h"
#include "test.h"
#include "util/strbuf.h"

static const char *repeat(struct arena *a, const char *pre, char c, size_t n, const char *post)
{
    size_t lp = strlen(pre), lq = strlen(post);
    char *s = arena_alloc(a, lp + n + lq + 1);
    memcpy(s, pre, lp);
    memset(s + lp, c, n);
    memcpy(s + lp + n, post, lq + 1);
    return s;
}

/* The filter may only say "none" when the scanner finds none. */
static void agrees(const char *text, const char *file, int line)
{
    struct arena a = ARENA_INIT;
    const char **ids;
    size_t n = sqlx_long_identifiers_scanned(&a, text, strlen(text), &ids);
    if (n && !sqlx_may_hold_long_identifier(text, strlen(text)))
        test_fail(file, line, "the filter misses %s in: %.200s", ids[0], text);
    arena_free(&a);
}

/* rs_sql_string_literals reads plain strings itself and leaves the rest to the scanner: both
   ways give what the scanner gives. */
TEST(string_literals_read_as_the_scanner_reads_them)
{
    static const char *const texts[] = {
        "status IN ('a', 'b', 'it''s')",
        "x = '' OR y = ''''",
        "kind = 'a' -- 'not a string'\n AND k <> 'b'",
        "/* 'no' /* nested 'no' */ */ k = 'yes'",
        "\"col'umn\" = 'v' AND \"q\"\"'x\" = 'w'",
        "f($$ 'no' $$) = 'yes' AND g($t$ ' $t$) = 'z'",
        "a = $1 AND b = 'p$'",
        "k = E'a\\'b' AND j = 'c'",
        "k = e'x' AND j = U&'d\\0061' AND m = B'101' AND n = X'1F' AND o = N'n'",
        "k = 'a'\n'b'",
        "k = 'a' 'b'",
        "k = 'a' -- c\n 'b'",
        "k = 'unclosed",
        "k = 'a' /* unclosed",
        "k = \"unclosed",
        "k = $x$ unclosed",
        "k = 'a'::text || 'b'",
        "k = 'a' -- a comment ends at a carriage return\r AND j = 'b'",
        "no strings at all",
        "",
        "'\xC3\xA9t\xC3\xA9' = v",
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        struct arena a = ARENA_INIT;
        const char **got, **want;
        size_t ng = rs_sql_string_literals(&a, texts[i], strlen(texts[i]), &got);
        size_t nw = sqlx_string_literals_scanned(&a, texts[i], strlen(texts[i]), &want);
        if (ng != nw)
            test_fail(__FILE__, __LINE__, "%zu literals, the scanner finds %zu, in: %s", ng, nw,
                      texts[i]);
        for (size_t k = 0; k < ng && k < nw; k++)
            if (strcmp(got[k], want[k]))
                test_fail(__FILE__, __LINE__, "literal %zu is \"%s\", the scanner's \"%s\", in: %s",
                          k, got[k], want[k], texts[i]);
        arena_free(&a);
    }
    struct arena a = ARENA_INIT;
    const char **v;
    CHECK_INT(rs_sql_string_literals(&a, texts[0], strlen(texts[0]), &v), 3);
    CHECK_STR(v[2], "it's");
    arena_free(&a);
}

/* The statement words of text, read without the scanner when it is plain, are the scanner's. */
static void words_agree(const char *text, const char *file, int line)
{
    struct arena a = ARENA_INIT;
    struct rs_body_summary got, want;
    sqlx_body_words(&a, text, false, &got);
    sqlx_body_words(&a, text, true, &want);
    bool same = got.ntags == want.ntags && got.dynamic == want.dynamic;
    for (size_t k = 0; same && k < got.ntags; k++)
        same = !strcmp(got.tags[k], want.tags[k]);
    if (!same)
        test_fail(file, line, "%zu words (dynamic %d), the scanner finds %zu (%d), in: %.300s",
                  got.ntags, got.dynamic, want.ntags, want.dynamic, text);
    arena_free(&a);
}

/* The words of a body that does not parse are read without the scanner when the body is plain:
   both ways give what the scanner gives. */
TEST(body_words_read_as_the_scanner_reads_them)
{
    static const char *const texts[] = {
        "BEGIN ALTER TABLE t ADD c int; update t set c = 1; END",
        "IF x THEN drop table t; delete from u; truncate v; create index i on t (c); END IF",
        "EXECUTE format('ALTER TABLE %I', t); Execute 'drop table x'",
        "-- alter\n/* drop /* nested update */ delete */ SELECT 1",
        "\"alter\" := 1; \"x\"\"drop\" := 2; altered := updated_at; _alter := 1",
        "x := 'alter''s drop'; y := $$ update $$; z := $t$ delete $t$",
        "a$alter := 1; $alter; $1alter; $1 update",
        "x := E'\\' alter'; drop table t",
        "x := e'a' || U&'d\\0061' || B'1' || X'1F' || N'n'; alter",
        "x := U&\"d\\0061\"; update",
        "x := E'\\u12' || 'a'; alter",
        "x := U&'\\zz' || U&\"\\zz\"; alter",
        "x := U&\"\"; alter",
        "x := 1_000; 1e+; 1.e; .e1; $1.5; 1..2; drop",
        "x := \"\"; alter",
        "x := 1e5; 1.5 alter; .5; 3 update",
        "x := 123alter; drop",
        "x := 0x1F; drop",
        "$12345678901 alter",
        "'unclosed alter",
        "/* unclosed alter",
        "\"unclosed alter",
        "$x$ unclosed alter",
        "alter t; drop u; x := 'unclosed",
        "update t; /* unclosed",
        "f(x)-->drop\nalter",
        "-- drop\ralter t; /* x */ -- update\r\ndelete",
        "ALTER ALTER alter DROP update DELETE execute",
        "\xC3\xA9 alter \xC3\xA9"
        "alter alter\xC3\xA9",
        "x := 'a' 'b'; delete",
        "x := \\ alter",
        "",
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
        words_agree(texts[i], __FILE__, __LINE__);
    struct arena a = ARENA_INIT;
    /* An operator of 64 characters is an error; of 63, or cut by a comment, it is not. */
    const char *ops[] = {
        repeat(&a, "alter t; ", '!', 63, " drop"),
        repeat(&a, "alter t; ", '!', 64, " drop"),
        repeat(&a, "alter t; ", '!', 40, "-- x\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!! drop"),
        repeat(&a, "alter t; ", '+', 70, " drop"),
    };
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        words_agree(ops[i], __FILE__, __LINE__);
    struct rs_body_summary b;
    sqlx_body_words(&a, ops[0], false, &b);
    CHECK_INT(b.ntags, 2);
    sqlx_body_words(&a, ops[1], false, &b);
    CHECK_INT(b.ntags, 0);
    sqlx_body_words(&a, texts[1], false, &b);
    CHECK_INT(b.ntags, 4);
    if (b.ntags == 4) {
        CHECK_STR(b.tags[0], "DROP");
        CHECK_STR(b.tags[3], "CREATE");
    }
    sqlx_body_words(&a, texts[2], false, &b);
    CHECK(b.dynamic);
    CHECK_INT(b.ntags, 0);
    arena_free(&a);
}

/* A "--" comment ends at a carriage return as at a line feed: the statement after it starts
   there. */
TEST(statement_after_a_comment_ended_by_a_carriage_return)
{
    struct arena a = ARENA_INIT;
    const char *text = "-- first\rCREATE TABLE t (id int);\r-- second\rDROP TABLE t;";
    struct rs_stmt_list l = {0};
    rs_sql_parse_text(&a, text, strlen(text), NULL, &l);
    CHECK_INT(l.n, 2);
    if (l.n == 2) {
        CHECK_INT(l.v[0].offset, 9);
        CHECK_INT(l.v[0].kind, RS_STMT_CREATE_TABLE);
        CHECK_INT(l.v[1].offset, (size_t)(strstr(text, "DROP") - text));
    }
    CHECK_INT(rs_sql_skip_blank(text, 0, strlen(text)), 9);
    CHECK_INT(rs_sql_skip_blank("/* a /* b */ c */ x", 0, 19), 18);
    arena_free(&a);
}

TEST(long_identifier_filter_tricky_texts)
{
    struct arena a = ARENA_INIT;
    const char *name = repeat(&a, "", 'n', 70, "");
    const char *spaced = repeat(&a, "a ", ' ', 70, "b");
    /* Each format takes the long name (%s) after something that holds a double quote. */
    static const char *const formats[] = {
        "SELECT '\"' || \"%s\"",
        "SELECT E'\\'\"', \"%s\"",
        "SELECT 'it''s \"', \"%s\"",
        "SELECT $$ \" $$, \"%s\"",
        "SELECT $tag$ \" $x$ $tag$, \"%s\"",
        "SELECT a$b, \"%s\"",
        "SELECT $1, \"%s\"",
        "-- \"\nSELECT \"%s\"",
        "/* \" /* \" */ \" */ SELECT \"%s\"",
        "SELECT \"a\"\"%s\"",
        "SELECT e'\\\\', \"%s\"",
    };
    const char *texts[2 + sizeof(formats) / sizeof(formats[0])] = {
        arena_printf(&a, "CREATE TABLE \"%s\" (id int)", name),
        arena_printf(&a, "CREATE TABLE %s (id int)", name),
    };
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
        texts[2 + i] = arena_printf(&a, formats[i], spaced);
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        agrees(texts[i], __FILE__, __LINE__);
        struct arena t = ARENA_INIT;
        const char **ids;
        /* Each holds a long name: the tests above test something. */
        if (sqlx_long_identifiers_scanned(&t, texts[i], strlen(texts[i]), &ids) != 1)
            test_fail(__FILE__, __LINE__, "no long name found in: %s", texts[i]);
        arena_free(&t);
    }
    /* A U& name is left to the scanner, in either case. */
    agrees(arena_printf(&a, "SELECT U&\"%s\"", spaced), __FILE__, __LINE__);
    agrees(arena_printf(&a, "SELECT u&\"%s\"", spaced), __FILE__, __LINE__);
    CHECK(sqlx_may_hold_long_identifier("SELECT U&\"x\"", 13));
    CHECK(sqlx_may_hold_long_identifier("SELECT u&\"x\"", 13));
    /* An unquoted name of exactly 64 bytes, and one of 63, wherever it stands (the filter
       looks at one byte in 64 first). */
    for (size_t at = 0; at < 140; at++) {
        for (size_t n = 63; n <= 64; n++) {
            char *t = arena_alloc(&a, at + n + 16);
            memset(t, ' ', at);
            memset(t + at, 'x', n);
            strcpy(t + at + n, " int");
            if (sqlx_may_hold_long_identifier(t, strlen(t)) != (n == 64))
                test_fail(__FILE__, __LINE__, "a name of %zu bytes at %zu: %s", n, at,
                          n == 64 ? "not seen" : "seen");
        }
    }
    /* The filter does filter: short quoted names, and quotes inside strings and comments. */
    CHECK(!sqlx_may_hold_long_identifier("ALTER TABLE \"User\" ADD \"createdAt\" int", 39));
    const char *q = "SELECT '\"', $$\"$$ -- \"\n";
    CHECK(!sqlx_may_hold_long_identifier(q, strlen(q)));
    arena_free(&a);
}

static size_t scripts_checked;

static void check_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    struct arena a = ARENA_INIT;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = arena_alloc(&a, (size_t)len + 1);
    if (fread(text, 1, (size_t)len, f) == (size_t)len) {
        struct rs_stmt_list l = {0};
        rs_sql_parse_text(&a, text, (size_t)len, NULL, &l);
        for (size_t i = 0; i < l.n; i++) {
            const char *s = arena_strndup(&a, text + l.v[i].offset, l.v[i].len);
            agrees(s, path, 0);
        }
        scripts_checked++;
    }
    fclose(f);
    arena_free(&a);
}

static void walk(const char *dir, int depth, void (*check)(const char *path))
{
    DIR *d = opendir(dir);
    if (!d || depth > 8) {
        if (d)
            closedir(d);
        return;
    }
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        struct stat st;
        if (lstat(path, &st) < 0)
            continue;
        size_t n = strlen(de->d_name);
        if (S_ISDIR(st.st_mode))
            walk(path, depth + 1, check);
        else if (S_ISREG(st.st_mode) && n > 4 && !strcmp(de->d_name + n - 4, ".sql"))
            check(path);
    }
    closedir(d);
}

TEST(long_identifier_filter_corpora)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/../shared/corpora", test_root());
    struct stat st;
    if (stat(path, &st) < 0)
        SKIP("../shared/corpora is absent");
    walk(path, 0, check_file);
    CHECK(scripts_checked > 1000);
}

/* ------------------------------------------------------------------ JSON tree vs packed tree */

enum { SAME_TREE, JSON_REFUSED, BOTH_FAIL, TREES_DIFFER };

/* Decodes text both ways and compares the trees by their packed form. */
static int json_vs_packed(const char *text)
{
    struct arena a = ARENA_INIT;
    PgQueryParseResult j = pg_query_parse(text);
    PgQueryProtobufParseResult p = pg_query_parse_protobuf(text);
    int result;
    if (j.error || p.error) {
        result = j.error && p.error ? BOTH_FAIL : TREES_DIFFER;
    } else {
        PgQuery__ParseResult *tj =
            sqlx_unjson(&a, j.parse_tree, strlen(j.parse_tree), text, strlen(text));
        PgQuery__ParseResult *tp =
            sqlx_unpack(&a, (const uint8_t *)p.parse_tree.data, p.parse_tree.len);
        if (!tj) {
            result = JSON_REFUSED;
        } else if (!tp) {
            result = TREES_DIFFER;
        } else {
            size_t nj, np;
            const uint8_t *bj = sqlx_pack(&a, &tj->base, &nj);
            const uint8_t *bp = sqlx_pack(&a, &tp->base, &np);
            result = nj == np && memcmp(bj, bp, nj) == 0 ? SAME_TREE : TREES_DIFFER;
        }
    }
    pg_query_free_parse_result(j);
    pg_query_free_protobuf_parse_result(p);
    arena_free(&a);
    return result;
}

static const char *const outcome_names[] = {"decoded", "refused", "not parsed", "differs"};

/* Each of the n texts must give the outcome want; the line is the caller's. */
static void expect_outcome(const char *const *texts, size_t n, int want, int line)
{
    for (size_t i = 0; i < n; i++) {
        int r = json_vs_packed(texts[i]);
        if (r != want)
            test_fail(__FILE__, line, "%s, not %s: %s", outcome_names[r], outcome_names[want],
                      texts[i]);
    }
}

TEST(json_tree_matches_packed_tree)
{
    /* Decoded from the JSON, and the same tree as from the packed form. */
    static const char *const same[] = {
        "ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 0",
        "ALTER TABLE t ADD COLUMN c int DEFAULT -5, ADD COLUMN d int DEFAULT - 7",
        "ALTER TABLE t ADD CONSTRAINT k CHECK (score > -1 AND score < -/* c */ 2)",
        "SELECT CASE WHEN x = 1 THEN 1 WHEN x = -1 THEN -1 ELSE 0 END, - - 3, -(-4), 00",
        "SELECT -2147483647, -2147483648, 2147483647, -1.5, -0, - -- note\n 9",
        "SELECT - -- a note that ends at a carriage return\r 2147483648, - -- x\r\n 2",
        "CREATE TABLE t (a int[], b text[3][], c int[][], d varchar(10)[])",
        "CREATE TABLE t (a int DEFAULT 0, b bool DEFAULT false, c text DEFAULT '')",
        "INSERT INTO t VALUES ('it''s', E'tab\\there \\'q\\'', $$dollar \"x\"$$, U&'\\0041')",
        "INSERT INTO t VALUES ('\x01\x1f control', '\u00e9t\u00e9 \U0001F600', 'back\\slash \"')",
        "CREATE INDEX CONCURRENTLY i ON t USING gin (lower(name) gin_trgm_ops) WHERE x IS NULL",
        "CREATE OR REPLACE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $b$ BEGIN "
        "NEW.x := -1; RETURN NEW; END $b$",
        "CREATE TYPE mood AS ENUM ('sad', 'ok'); ALTER TYPE mood ADD VALUE 'happy' BEFORE 'ok'",
        "COMMENT ON COLUMN t.c IS 'a \"quoted\" note'; SET lock_timeout = '5s'",
        "SELECT * FROM t LIMIT 10 OFFSET 0",
    };
    expect_outcome(same, sizeof(same) / sizeof(*same), SAME_TREE, __LINE__);
    /* An Integer the JSON gives no value for, where the text cannot tell: the packed form. */
    static const char *const refused[] = {
        "CREATE SEQUENCE s INCREMENT BY -1 MINVALUE -100",
        "ALTER TABLE t ALTER COLUMN c SET STATISTICS -1",
        "ALTER TABLE t SET (autovacuum_vacuum_cost_delay = -1)",
        "CREATE TABLE t (a int[0])",
    };
    expect_outcome(refused, sizeof(refused) / sizeof(*refused), JSON_REFUSED, __LINE__);
    CHECK(json_vs_packed("ALTER TABLE t ADD COLUMN (") == BOTH_FAIL);
    /* A key is matched to the proto field whatever its case and underscores. */
    CHECK(sqlx_json_field(&pg_query__column_def__descriptor, "typeName") ==
          sqlx_json_field(&pg_query__column_def__descriptor, "type_name"));
    CHECK(sqlx_json_field(&pg_query__column_def__descriptor, "typeName") != NULL);
}

/* Every message type a parse result can hold, each once, into seen (n so far). */
static size_t reachable(const ProtobufCMessageDescriptor *d, const ProtobufCMessageDescriptor **seen,
                        size_t n, size_t cap)
{
    for (size_t i = 0; i < n; i++)
        if (seen[i] == d)
            return n;
    if (n == cap)
        return n;
    seen[n++] = d;
    for (unsigned i = 0; i < d->n_fields; i++)
        if (d->fields[i].type == PROTOBUF_C_TYPE_MESSAGE)
            n = reachable(d->fields[i].descriptor, seen, n, cap);
    return n;
}

/* The name a field has in the JSON form, lower case without underscores. */
static void json_name(const ProtobufCMessageDescriptor *d, const ProtobufCFieldDescriptor *f,
                      char *out, size_t cap)
{
    const char *n = d == &pg_query__node__descriptor && f->type == PROTOBUF_C_TYPE_MESSAGE
                        ? ((const ProtobufCMessageDescriptor *)f->descriptor)->short_name
                        : f->name;
    size_t k = 0;
    for (; *n && k + 1 < cap; n++)
        if (*n != '_')
            out[k++] = (char)(*n >= 'A' && *n <= 'Z' ? *n - 'A' + 'a' : *n);
    out[k] = '\0';
}

/* Every field of every message type is found by its name, in proto and in JSON spelling, and
   again once the thread's table of keys has grown past its first size (a few hundred keys);
   no message has two fields that the matching cannot tell apart. */
TEST(json_keys_name_every_field)
{
    static const ProtobufCMessageDescriptor *seen[1024];
    size_t n = reachable(&pg_query__parse_result__descriptor, seen, 0, 1024);
    CHECK(n > 200 && n < 1024);
    size_t fields = 0;
    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; i < n; i++) {
            const ProtobufCMessageDescriptor *d = seen[i];
            for (unsigned k = 0; k < d->n_fields; k++) {
                const ProtobufCFieldDescriptor *f = &d->fields[k];
                char norm[64];
                json_name(d, f, norm, sizeof(norm));
                for (unsigned m = 0; m < k; m++) {
                    char other[64];
                    json_name(d, &d->fields[m], other, sizeof(other));
                    if (strcmp(norm, other) == 0)
                        test_fail(__FILE__, __LINE__, "%s: fields %s and %s read alike",
                                  d->name, d->fields[m].name, f->name);
                }
                if (sqlx_json_field(d, f->name) != f)
                    test_fail(__FILE__, __LINE__, "%s.%s not found by its name", d->name,
                              f->name);
                if (d == &pg_query__node__descriptor && f->type == PROTOBUF_C_TYPE_MESSAGE &&
                    sqlx_json_field(
                        d, ((const ProtobufCMessageDescriptor *)f->descriptor)->short_name) != f)
                    test_fail(__FILE__, __LINE__, "Node key %s not found", f->name);
                fields += round == 0;
            }
        }
    }
    CHECK(fields > 1024);
    CHECK(sqlx_json_field(&pg_query__column_def__descriptor, "no_such_field") == NULL);
}

/* The whole file as a string; NULL when it cannot be read or holds NUL bytes (not text
   libpg_query reads whole). */
static char *read_sql_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *text = NULL;
    size_t len = 0;
    if (fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        if (n >= 0 && fseek(f, 0, SEEK_SET) == 0 && (text = malloc((size_t)n + 1)) != NULL) {
            len = fread(text, 1, (size_t)n, f);
            text[len] = '\0';
        }
    }
    fclose(f);
    if (text && strlen(text) != len) {
        free(text);
        return NULL;
    }
    return text;
}

static size_t json_files, json_same, json_refused;

static void check_json_file(const char *path)
{
    char *text = read_sql_file(path);
    if (!text)
        return;
    json_files++;
    int r = json_vs_packed(text);
    if (r == TREES_DIFFER)
        test_fail(path, 0, "the tree decoded from the JSON differs from the packed one");
    json_same += r == SAME_TREE;
    json_refused += r == JSON_REFUSED;
    free(text);
}

/* Every script of the test cases and of the corpora, whole. */
TEST(json_tree_matches_packed_tree_on_every_script)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/tests/cases", test_root());
    walk(path, 0, check_json_file);
    size_t cases = json_files;
    CHECK(cases > 100);
    snprintf(path, sizeof(path), "%s/../shared/corpora", test_root());
    struct stat st;
    if (stat(path, &st) == 0) {
        walk(path, 0, check_json_file);
        CHECK(json_files - cases > 1000);
    }
    /* The packed form stays the exception. */
    CHECK(json_refused * 20 < json_same);
    if (stat(path, &st) < 0)
        SKIP("../shared/corpora is absent (the test cases were compared)");
}

/* ----------------------------------------------------------------- expressions written natively */

struct deparse_count {
    struct sqlx *x;
    const char *where;
    size_t native, differ;
};

/* Each expression rollsafe writes itself must read as libpg_query's deparser writes it. The
   children of one that does are not compared again. */
static bool deparse_visit(const ProtobufCMessage *m, void *ctx)
{
    struct deparse_count *c = ctx;
    if (m->descriptor != &pg_query__node__descriptor)
        return true;
    const char *mine = sqlx_deparse_native(c->x, (const Node *)m);
    if (!mine)
        return true;
    const char *theirs = sqlx_deparse_expr_pg(c->x, (const Node *)m);
    c->native++;
    if (strcmp(mine, theirs) != 0) {
        c->differ++;
        test_fail(c->where, 0, "written as %s, libpg_query writes %s", mine, theirs);
    }
    return false;
}

/* Compares every expression of text; returns how many were written natively. */
static size_t deparse_compare(const char *where, const char *text)
{
    struct arena a = ARENA_INIT, scratch = ARENA_INIT;
    struct sqlx x = {.a = &a, .scratch = &scratch, .text = text};
    struct deparse_count c = {&x, where, 0, 0};
    PgQueryProtobufParseResult p = pg_query_parse_protobuf(text);
    PgQuery__ParseResult *tree =
        p.error ? NULL : sqlx_unpack(&a, (const uint8_t *)p.parse_tree.data, p.parse_tree.len);
    if (tree)
        sqlx_walk(&tree->base, deparse_visit, &c);
    pg_query_free_protobuf_parse_result(p);
    arena_free(&scratch);
    arena_free(&a);
    return c.native;
}

static size_t deparse_files, deparse_native;

static void check_deparse_file(const char *path)
{
    char *text = read_sql_file(path);
    if (text) {
        deparse_files++;
        deparse_native += deparse_compare(path, text);
    }
    free(text);
}

/* The expression of `SELECT expr`, decoded into x's arena; the caller frees p. */
static const Node *selected_expr(struct sqlx *x, const char *expr, PgQueryProtobufParseResult *p)
{
    const char *sql = arena_printf(x->a, "SELECT %s", expr);
    x->text = sql;
    *p = pg_query_parse_protobuf(sql);
    PgQuery__ParseResult *tree =
        p->error ? NULL : sqlx_unpack(x->a, (const uint8_t *)p->parse_tree.data, p->parse_tree.len);
    CHECK(tree && tree->n_stmts == 1);
    if (!tree || tree->n_stmts != 1)
        return NULL;
    return tree->stmts[0]->stmt->select_stmt->target_list[0]->res_target->val;
}

TEST(native_deparse_matches_libpg_query)
{
    /* Each: the expression, and whether rollsafe writes it itself. */
    static const struct {
        const char *expr;
        bool native;
    } cases[] = {
        {"now()", true},
        {"NOW( )", true},
        {"public.f(a, B, \"C\", \"d\"\"e\")", true},
        {"\"Foo\".bar", true},
        {"t.*", true},
        {"a$b", true},          /* quoted: $ is not a plain identifier character */
        {"\"name\"", true},     /* an unreserved key word: no quotes */
        {"\"position\"", true}, /* a column-name key word: in quotes in every version */
        {"\"json\"", false},    /* a key word from PostgreSQL 16 on: left to libpg_query */
        {"current_timestamp", true},
        {"CURRENT_TIMESTAMP(3)", true},
        {"localtime(0)", true},
        {"current_user", false},
        {"a IS NULL", true},
        {"a NOTNULL", true},
        {"(a + b) IS NULL", true},
        {"'x'::text", true},
        {"'x'::character varying(255)[]", true},
        {"'1'::numeric(10,2)", true},
        {"'1'::float", true},
        {"'1'::int[3][]", true},
        {"'1'::timestamp with time zone", true},
        {"'1'::timestamp(3) with time zone", false},
        {"'1'::\"timestamp\"", true},
        {"'1'::char", true},
        {"(-1)::foo", true},
        {"1.5::foo", true},
        {"99999999999::bigint", true},
        {"NULL::foo", true},
        {"a::text::foo", true},
        {"(a + b)::text", true}, /* CAST(a + b AS text) */
        {"f(a)::text", true},
        {"a + b * c", true},
        {"(a IS NULL) = (b AND c)", true},
        {"a = -1 AND b <> 1.5", true},
        {"a OR b AND c", true},
        {"a OR (b OR c)", true},
        {"NOT (a AND b) OR NOT NOT c", true},
        {"a AND NOT b = 1", true},
        {"-a", true},
        {"a OPERATOR(pg_catalog.+) b", false},
        {"a = ANY(b)", true},
        {"count(*)", true},
        {"f(VARIADIC a)", true},
        {"f(x => 1)", true}, /* f(x := 1) */
        {"pg_catalog.lower(a)", false},
        {"E'a\\\\b' || 'it''s'", true},
        {"nextval('seq'::regclass)", true},
        {"left(bio, 10)", true}, /* a key word as a function name: "left"(bio, 10) */
        {"COALESCE(a, f(b), 'x'::text)", true},
        {"coalesce(a IS NULL, b AND c)", true},
        {"coalesce(a, b) + 1 = c", true},
        {"coalesce(a, b)::text", true},
        {"CASE WHEN a THEN 1 ELSE 2 END", true},
        {"case a when 1 then 'x' when 2 then 'y' end", true},
        {"CASE WHEN a > b OR c IS NULL THEN a + 1 ELSE NULL END", true},
        {"CASE a + b WHEN 1 THEN NOT c END", true},
        {"(a + b) * CASE WHEN a > b THEN a::float / b ELSE 0 END", true},
        {"CASE WHEN a THEN b END + 1 = c", true},
        {"CASE a WHEN 0 THEN 'x' ELSE 'y' END::foo", true},
        {"CASE WHEN a THEN b END IS NULL", true},
        {"CASE WHEN a THEN b END AND c", true},
        {"coalesce(CASE WHEN a THEN b END, c)", true},
        {"CASE WHEN CASE WHEN a THEN b END THEN c END", true},
        {"CASE WHEN EXISTS (SELECT 1) THEN 1 END", true},
        {"CASE WHEN a THEN -b END", true},
        {"CASE WHEN a THEN b END LIKE 'x'", true},
        {"CASE WHEN a THEN b END IN (1, 2)", true},
        {"a LIKE 'x%' AND b NOT LIKE 'y'", true},
        {"a ILIKE 'b' OR a NOT ILIKE 'c'", true},
        {"a = b LIKE c", true},
        {"(a + b) LIKE c", true}, /* a + b LIKE c */
        {"a LIKE b || c", true},
        {"a LIKE 'x' ESCAPE '!'", false},
        {"kind IN ('a', 'b', -1, f(x)) AND kind NOT IN (1)", true},
        {"a IN (b + 1)", true},
        {"a IN (SELECT b FROM t)", true},
        {"NOT a IN (1, 2) = (b LIKE 'x')", true},
        {"coalesce(a, b) IN (1)", true},
        /* subqueries */
        {"EXISTS (SELECT 1 FROM t WHERE t.a = b)", true},
        {"NOT EXISTS (SELECT * FROM \"Poll\" p WHERE u.id = p.\"userId\")", true},
        {"(SELECT url_id FROM links WHERE polls.url_id = links.poll_id AND links.role = 'x')",
         true},
        {"user_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = w.user_id)", true},
        {"CASE WHEN NOT EXISTS (SELECT 1 FROM u WHERE u.id = p.uid) THEN p.uid ELSE NULL END",
         true},
        {"(a + b) IN (SELECT 1)", true},
        {"a NOT IN (SELECT b FROM s.t AS x)", true},
        {"a = ANY (SELECT b FROM t)", true},
        {"a < ALL (SELECT b FROM t)", true},
        {"a LIKE ANY (SELECT b FROM t) OR a NOT ILIKE ALL (SELECT c FROM t)", true},
        {"a = (SELECT 1) + 1", true},
        {"ARRAY(SELECT b FROM t ORDER BY b DESC NULLS LAST, c ASC, d NULLS FIRST)", true},
        {"(SELECT DISTINCT a AS \"A\", b \"select\", c AS d FROM t)", true},
        {"(SELECT count(*) FROM t WHERE x GROUP BY a, lower(b) HAVING count(*) > 1 LIMIT 1)", true},
        {"(SELECT a FROM t ORDER BY 1 OFFSET 2)", true},
        {"(SELECT 1 GROUP BY DISTINCT a)", true},
        {"(SELECT 1 LIMIT ALL)", true},
        {"(SELECT 1 FETCH FIRST 2 ROWS ONLY)", true},
        {"(SELECT FROM t)", true},
        {"(SELECT)", true},
        {"(SELECT 1 FROM ONLY t, s.u v(a, b), LATERAL (SELECT 1) w, f(1) WITH ORDINALITY g)", true},
        {"(SELECT 1 FROM a JOIN b ON a.x = b.x LEFT JOIN c USING (y, z) CROSS JOIN d)", true},
        {"(SELECT 1 FROM a NATURAL FULL JOIN b RIGHT OUTER JOIN c ON true)", true},
        {"(SELECT 1 FROM t JOIN (u JOIN v ON true) ON true)", true},
        {"(SELECT * FROM site_aggregates_activity('1 week'))", true},
        {"(SELECT 1 FROM \"case\".\"T\" AS \"from\")", true},
        {"(SELECT 1 UNION SELECT 2)", false},
        {"EXISTS (WITH x AS (SELECT 1) SELECT * FROM x)", false},
        {"(SELECT DISTINCT ON (a) a FROM t)", false},
        {"(SELECT a FROM t ORDER BY a USING <)", false},
        {"(SELECT a FROM t FOR UPDATE)", false},
        {"(SELECT a FROM t ORDER BY a FETCH FIRST 2 ROWS WITH TIES)", false},
        {"(SELECT row_number() OVER (PARTITION BY a, b ORDER BY c IS NULL DESC, d) FROM t)", true},
        {"(SELECT string_agg(a, ',' ORDER BY a) FROM t)", true},
        {"(SELECT count(*) FILTER (WHERE a) FROM t)", true},
        {"array_agg(DISTINCT a ORDER BY a) FILTER (WHERE b) OVER (w ORDER BY c)", true},
        {"row_number() OVER () + rank() OVER w", true},
        {"sum(a) OVER (ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)", false},
        {"sum(a) OVER (RANGE UNBOUNDED PRECEDING)", false},
        {"percentile_cont(0.5) WITHIN GROUP (ORDER BY a)", false},
        {"(SELECT 1 FROM (t JOIN u ON true) AS j)", false},
        {"(SELECT 1 FROM t JOIN u USING (a) AS j)", false},
        {"(SELECT 1 FROM ROWS FROM (f(1), g(2)))", false},
        {"(SELECT 1 FROM f(1) AS x(a int))", false},
        {"(SELECT 1 FROM t TABLESAMPLE SYSTEM (1))", false},
        {"(SELECT 1 FROM t WINDOW w AS ())", false},
        {"(VALUES (1))", false},
        {"a OPERATOR(pg_catalog.=) ANY (SELECT 1)", false},
        /* calls in SQL syntax, GREATEST and LEAST */
        {"GREATEST(a, b + 1, (c))", true},
        {"LEAST(a)::int", true},
        {"extract(epoch from a + b) / 60", true},
        {"POSITION('/' IN value) = 0", true},
        {"substring(a from 1 for 2) || substring(a from 'x') || substring(a for 3)", true},
        {"trim(both from a) || trim(leading 'x' from a) || trim(trailing from a) || rtrim(a)",
         true},
        {"overlay(a placing 'x' from 2 for 3) || overlay(a placing 'x' from 2)", true},
        {"collation for (a)", true},
        {"a AT TIME ZONE 'UTC' AT TIME ZONE b", true},
        {"(a + b) AT TIME ZONE 'x' > c", true},
        {"make_interval(mins := o.duration_minutes)", true},
        {"count(DISTINCT a) + count(ALL b)", true},
        {"(a, b) OVERLAPS (c, d)", false},
        {"normalize(a)", false},
        {"a IS NFC NORMALIZED", false},
        {"pg_catalog.overlay(a, 'x', 2, 3)", false},
        /* other operators and tests */
        {"NULLIF(a, b) + 1", true},
        {"a IS DISTINCT FROM b + 1", true},
        {"a + 1 IS NOT DISTINCT FROM (b AND c)", true},
        {"a BETWEEN 1 AND 2 OR a NOT BETWEEN SYMMETRIC b AND c + 1", true},
        {"a = ANY(ARRAY[1, 2]) AND b <> ALL(c)", true},
        {"a ~~* ANY(b)", true},
        {"a IS TRUE AND (b AND c) IS NOT FALSE AND (NOT d) IS UNKNOWN", true},
        {"(a IS TRUE) = b", true},
        {"- a + - (SELECT 1)", true},
        {"a SIMILAR TO 'x'", false},
        {"a OPERATOR(public.===) ANY(b)", false},
        /* subscripts, collations, rows, arrays, parameters */
        {"a[1] + a.b[1:2] + (f(a))[1] + (a::text)[1]", true},
        {"(a).b || (t).* || a[:2] || (a[1])[2]", true},
        {"name COLLATE \"C\"", true},
        {"(a || b) COLLATE pg_catalog.\"default\"", true},
        {"(a, b) <> (c, d) OR ROW(a) = ROW()", true},
        {"ARRAY[[1], [2]] || ARRAY[]::int[]", true},
        {"$1 + 1", true},
        /* casts */
        {"'t'::boolean AND 'f'::bool AND 'x'::boolean", true},
        {"'1 day'::interval + '1'::time(3) + '1'::time with time zone", true},
        {"'1'::timestamp(3) + x::char(2)", true},
        {"(a IS NULL)::int + (SELECT 1)::int + extract(epoch from a)::int", true},
        {"'1'::interval hour", false},
        {"point '(1,2)'", false},
        {"char 'x'", false},
        /* names that are key words */
        {"t.\"case\" + \"select\".x", true},
        {"\"left\"(url, 512)", true},
        {"t.\"json\"", false},
        {"\"system_user\"", false},
        {"\"merge_action\"(a)", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct arena a = ARENA_INIT, scratch = ARENA_INIT;
        struct sqlx x = {.a = &a, .scratch = &scratch};
        PgQueryProtobufParseResult p;
        const Node *e = selected_expr(&x, cases[i].expr, &p);
        const char *mine = e ? sqlx_deparse_native(&x, e) : NULL;
        const char *theirs = e ? sqlx_deparse_expr_pg(&x, e) : NULL;
        if (e && (mine != NULL) != cases[i].native)
            test_fail(__FILE__, __LINE__, "%s: %s natively", cases[i].expr,
                      mine ? "written" : "not written");
        else if (mine && strcmp(mine, theirs) != 0)
            test_fail(__FILE__, __LINE__, "%s: written as %s, libpg_query writes %s",
                      cases[i].expr, mine, theirs);
        pg_query_free_protobuf_parse_result(p);
        arena_free(&scratch);
        arena_free(&a);
    }
}

/* A few of the shapes above, with the text the deparser gives them, which rollsafe writes. */
TEST(native_deparse_writes_the_deparser_text)
{
    static const struct {
        const char *expr, *text;
    } cases[] = {
        {"not exists (select * from \"Poll\" p where u.id = p.\"userId\")",
         "NOT EXISTS (SELECT * FROM \"Poll\" p WHERE u.id = p.\"userId\")"},
        {"(select s.id from spaces as s where s.owner_id = u.id limit 1)",
         "(SELECT s.id FROM spaces s WHERE s.owner_id = u.id LIMIT 1)"},
        {"(a + b) in (select 1)", "a + b IN (SELECT 1)"},
        {"a = any (select b from only t)", "a = ANY (SELECT b FROM ONLY t)"},
        {"a = any(b)", "a = ANY(b)"},
        {"(select from t x(a) join u using (a))", "(SELECT FROM t x(a) JOIN u USING (a))"},
        {"extract(epoch from a)", "extract ('epoch' FROM a)"},
        {"position('/' in value)", "POSITION('/' IN value)"},
        {"trim(a)", "TRIM (BOTH  FROM a)"},
        {"x at time zone 'utc'", "x AT TIME ZONE 'utc'"},
        {"least(a, 1)", "LEAST(a, 1)"},
        {"(a + b)::text", "CAST(a + b AS text)"},
        {"'t'::boolean", "true"},
        {"(a and b) is true", "a AND b IS TRUE"},
        {"f(x => 1)", "f(x := 1)"},
        {"t.\"case\"", "t.\"case\""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct arena a = ARENA_INIT, scratch = ARENA_INIT;
        struct sqlx x = {.a = &a, .scratch = &scratch};
        PgQueryProtobufParseResult p;
        const Node *e = selected_expr(&x, cases[i].expr, &p);
        if (e) {
            const char *mine = sqlx_deparse_native(&x, e);
            CHECK_STR(mine ? mine : "(not written)", cases[i].text);
            CHECK_STR(sqlx_deparse_expr_pg(&x, e), cases[i].text);
        }
        pg_query_free_protobuf_parse_result(p);
        arena_free(&scratch);
        arena_free(&a);
    }
}

/* SET (a, b) = (SELECT ...) gives each column a MultiAssignRef, which has no text: rollsafe
   does not ask libpg_query's deparser, which refuses it. */
TEST(multi_assign_has_no_text)
{
    const char *sql = "UPDATE t SET (a, b) = (SELECT 1, 2)";
    struct arena a = ARENA_INIT, scratch = ARENA_INIT;
    struct sqlx x = {.a = &a, .scratch = &scratch, .text = sql};
    PgQueryProtobufParseResult p = pg_query_parse_protobuf(sql);
    PgQuery__ParseResult *tree =
        sqlx_unpack(&a, (const uint8_t *)p.parse_tree.data, p.parse_tree.len);
    CHECK(tree && tree->n_stmts == 1);
    if (tree && tree->n_stmts == 1) {
        const Node *v = tree->stmts[0]->stmt->update_stmt->target_list[0]->res_target->val;
        CHECK_INT(v->node_case, PG_QUERY__NODE__NODE_MULTI_ASSIGN_REF);
        CHECK_STR(sqlx_deparse_expr_pg(&x, v), "?");
        CHECK_STR(sqlx_deparse_expr(&x, v), "?");
    }
    pg_query_free_protobuf_parse_result(p);
    arena_free(&scratch);
    arena_free(&a);
}

/* Every script of the test cases and of the corpora, whole. */
TEST(native_deparse_matches_libpg_query_on_every_script)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/tests/cases", test_root());
    walk(path, 0, check_deparse_file);
    CHECK(deparse_files > 100 && deparse_native > 500);
    snprintf(path, sizeof(path), "%s/../shared/corpora", test_root());
    struct stat st;
    if (stat(path, &st) < 0)
        SKIP("../shared/corpora is absent (the test cases were compared)");
    size_t files = deparse_files;
    walk(path, 0, check_deparse_file);
    CHECK(deparse_files - files > 1000);
}

/* ----------------------------------------------------------------- identifiers in generated SQL */

static const char *ident(struct arena *a, const char *name)
{
    struct strbuf sb;
    sb_init(&sb, a);
    sb_add_ident(&sb, name);
    return sb.s;
}

/* Generated SQL (emitted downs, plans) quotes a name exactly when PostgreSQL needs it: not an
   unreserved key word, always a reserved or column-name one. */
TEST(identifiers_quoted_by_keyword_category)
{
    struct arena a = ARENA_INIT;
    CHECK_STR(ident(&a, "name"), "name");
    CHECK_STR(ident(&a, "type"), "type");
    CHECK_STR(ident(&a, "value"), "value");
    CHECK_STR(ident(&a, "x1_"), "x1_");
    CHECK_STR(ident(&a, "offset"), "\"offset\"");
    CHECK_STR(ident(&a, "position"), "\"position\"");
    CHECK_STR(ident(&a, "authorization"), "\"authorization\"");
    CHECK_STR(ident(&a, "user"), "\"user\"");
    /* the first and last words of the table, and some between (the lookup is a binary search) */
    CHECK_STR(ident(&a, "all"), "\"all\"");
    CHECK_STR(ident(&a, "xmltable"), "\"xmltable\"");
    CHECK_STR(ident(&a, "json_value"), "\"json_value\"");
    CHECK_STR(ident(&a, "merge_action"), "\"merge_action\"");
    CHECK_STR(ident(&a, "overlaps"), "\"overlaps\"");
    CHECK_STR(ident(&a, "between"), "\"between\"");
    CHECK_STR(ident(&a, "Mixed"), "\"Mixed\"");
    CHECK_STR(ident(&a, "a$b"), "\"a$b\"");
    CHECK_STR(ident(&a, "1x"), "\"1x\"");
    CHECK_STR(ident(&a, "we\"ird"), "\"we\"\"ird\"");
    arena_free(&a);
}

/* ------------------------------------------------------------ scripts that do not parse whole */

/* A script over SQLX_BIG_TEXT is parsed in batches of statements. A batch whose tree is too deep
   goes piece by piece, each piece read from the batch's text: the text must outlive the scratch
   memory each piece empties. */
/* Parses a script of 24 INSERTs of 100,000 bytes each, with middle after the 13th: over
   SQLX_BIG_TEXT, so it goes in batches. */
static void parse_big_script(struct arena *a, const char *middle, struct rs_stmt_list *l)
{
    struct strbuf sb;
    sb_init(&sb, a);
    for (int i = 0; i < 24; i++) {
        sb_add(&sb, "INSERT INTO t VALUES ('");
        sb_fill(&sb, 'x', 100000);
        sb_add(&sb, "');\n");
        if (i == 12)
            sb_add(&sb, middle);
    }
    CHECK(sb.len > SQLX_BIG_TEXT);
    rs_sql_parse_text(a, sb.s, sb.len, NULL, l);
}

TEST(big_script_batch_too_deep)
{
    struct arena a = ARENA_INIT;
    struct strbuf deep;
    sb_init(&deep, &a);
    sb_add(&deep, "UPDATE t SET c = c");
    for (int k = 0; k < 20000; k++)
        sb_add(&deep, " || c");
    sb_add(&deep, ";\n");
    struct rs_stmt_list l = {0};
    parse_big_script(&a, deep.s, &l);
    CHECK_INT(l.n, 25);
    for (size_t i = 0; i < l.n && l.n == 25; i++) {
        CHECK_INT(l.v[i].syntax_error, i == 13);
        CHECK_INT(l.v[i].kind, i == 13 ? RS_STMT_OTHER : RS_STMT_INSERT);
        CHECK_INT(l.v[i].index, i + 1);
    }
    if (l.n == 25)
        CHECK(l.v[13].error && strstr(l.v[13].error, "nests too deeply for rollsafe"));
    arena_free(&a);
}

/* PostgreSQL 18's NOT NULL table constraints: parsed through the CHECK (column) the built-in
   grammar accepts, read back as NOT NULL, at the offsets of the text as written; what only
   looks like one (in a string, a comment, a domain, NOT VALID) is left alone. */
TEST(pg18_not_null_constraints_are_read)
{
    struct arena a = ARENA_INIT;
    const char *text =
        "CREATE TABLE t (id int, \"Na me\" text, n text DEFAULT 'ADD NOT NULL x',\n"
        "  CONSTRAINT t_id_nn NOT NULL id, CONSTRAINT \"q\" NOT  /* c */ NULL \"Na me\" NO INHERIT,\n"
        "  CHECK (n <> ''));\n"
        "-- ADD NOT NULL n\n"
        "ALTER TABLE t ADD CONSTRAINT t_n_nn NOT NULL n, ADD NOT NULL id;\n"
        "CREATE DOMAIN d AS int CONSTRAINT d_nn NOT NULL;\n"
        "ALTER TABLE t ADD CONSTRAINT t_v NOT NULL n NOT VALID;\n"
        "ALTER TABLE t ADD CHECK (n);\n"
        "CREATE TABLE u (c int CONSTRAINT c_nn NOT NULL UNIQUE);\n";
    struct rs_stmt_list l = {0};
    rs_sql_parse_text(&a, text, strlen(text), NULL, &l);
    CHECK_INT(l.n, 6);
    if (l.n == 6) {
        const struct rs_stmt *ct = &l.v[0], *at = &l.v[1];
        CHECK_INT(ct->kind, RS_STMT_CREATE_TABLE);
        CHECK_INT(ct->ncolumns, 3);
        for (size_t i = 0; i < ct->ncolumns; i++)
            CHECK_INT(ct->columns[i].not_null, i < 2);
        CHECK_INT(ct->nconstraints, 1); /* the CHECK (n <> ''), not the NOT NULLs */
        if (ct->ncolumns == 3)
            CHECK_STR(ct->columns[2].default_expr->text, "'ADD NOT NULL x'");
        CHECK_INT(at->kind, RS_STMT_ALTER_TABLE);
        CHECK_INT(at->ncmds, 2);
        for (size_t i = 0; i < at->ncmds; i++) {
            CHECK_INT(at->cmds[i].kind, RS_AT_SET_NOT_NULL);
            CHECK_STR(at->cmds[i].column, i ? "id" : "n");
        }
        CHECK_INT(at->offset, (size_t)(strstr(text, "ALTER TABLE t ADD CONSTRAINT t_n") - text));
        CHECK_INT(l.v[2].kind, RS_STMT_CREATE_DOMAIN);
        CHECK(l.v[3].syntax_error && l.v[3].error && strstr(l.v[3].error, "PostgreSQL 18"));
        /* a CHECK of a bare column written as such stays a CHECK */
        CHECK_INT(l.v[4].ncmds, 1);
        if (l.v[4].ncmds == 1) {
            CHECK_INT(l.v[4].cmds[0].kind, RS_AT_ADD_CONSTRAINT);
            CHECK_INT(l.v[4].cmds[0].constraint->kind, RS_CON_CHECK);
        }
        /* a named NOT NULL of a column (any version) followed by another constraint */
        CHECK(!l.v[5].syntax_error && l.v[5].ncolumns == 1);
        if (l.v[5].ncolumns == 1)
            CHECK(l.v[5].columns[0].not_null && l.v[5].columns[0].unique);
    }
    arena_free(&a);
}

/* The same in a script big enough to be parsed in batches (a schema dump of pg_dump 18). */
TEST(pg18_not_null_constraints_are_read_in_big_scripts)
{
    struct arena a = ARENA_INIT;
    struct rs_stmt_list l = {0};
    parse_big_script(&a, "ALTER TABLE ONLY public.t\n    ADD CONSTRAINT t_a_not_null NOT NULL a;\n",
                     &l);
    CHECK_INT(l.n, 25);
    if (l.n == 25) {
        CHECK(!l.v[13].syntax_error && l.v[13].ncmds == 1);
        if (l.v[13].ncmds == 1) {
            CHECK_INT(l.v[13].cmds[0].kind, RS_AT_SET_NOT_NULL);
            CHECK_STR(l.v[13].cmds[0].column, "a");
        }
        CHECK_INT(l.v[13].offset, 13 * (sizeof("INSERT INTO t VALUES ('');\n") - 1 + 100000));
        CHECK_INT(l.v[24].kind, RS_STMT_INSERT);
    }
    arena_free(&a);
}

/* The hint as it was first written, the reference: each word looked for through the whole text,
   at every offset. */
static bool ref_has_word(const char *s, size_t n, const char *w)
{
    size_t wl = strlen(w);
    for (size_t i = 0; i + wl <= n; i++) {
        if (strncasecmp(s + i, w, wl) == 0 &&
            (i == 0 || !(isalnum((unsigned char)s[i - 1]) || s[i - 1] == '_')) &&
            (i + wl == n || !(isalnum((unsigned char)s[i + wl]) || s[i + wl] == '_')))
            return true;
    }
    return false;
}

static size_t ref_skip_ws(const char *s, size_t i, size_t n)
{
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    return i;
}

static bool ref_word_at(const char *s, size_t i, size_t n, const char *w)
{
    size_t wl = strlen(w);
    return i + wl <= n && strncasecmp(s + i, w, wl) == 0 &&
           (i + wl == n || !(isalnum((unsigned char)s[i + wl]) || s[i + wl] == '_'));
}

static bool ref_named_not_null(const char *s, size_t n)
{
    for (size_t i = 0; i + 10 < n; i++) {
        if ((i > 0 && (isalnum((unsigned char)s[i - 1]) || s[i - 1] == '_')) ||
            !ref_word_at(s, i, n, "CONSTRAINT"))
            continue;
        size_t k = ref_skip_ws(s, i + 10, n);
        if (k < n && s[k] == '"') {
            k++;
            while (k < n && s[k] != '"')
                k++;
            k++;
        } else {
            while (k < n && (isalnum((unsigned char)s[k]) || s[k] == '_' || s[k] == '$'))
                k++;
        }
        k = ref_skip_ws(s, k, n);
        if (!ref_word_at(s, k, n, "NOT"))
            continue;
        k = ref_skip_ws(s, k + 3, n);
        if (ref_word_at(s, k, n, "NULL"))
            return true;
    }
    return false;
}

static const char *ref_hint(const char *s, size_t n, char *buf, size_t cap)
{
    static const struct {
        const char *words[3];
        int version;
        const char *what;
    } marks[] = {
        {{"VIRTUAL", NULL, NULL}, 18, "virtual generated columns"},
        {{"ENFORCED", NULL, NULL}, 18, "NOT ENFORCED constraints"},
        {{"WITHOUT", "OVERLAPS", NULL}, 18, "WITHOUT OVERLAPS keys"},
        {{"PERIOD", NULL, NULL}, 18, "PERIOD foreign keys"},
        {{"NOT", "NULL", "VALID"}, 18, "NOT NULL ... NOT VALID"},
        {{"JSON_TABLE", NULL, NULL}, 17, "JSON_TABLE"},
        {{"SET", "EXPRESSION", NULL}, 17, "ALTER COLUMN ... SET EXPRESSION"},
        {{"MERGE", "RETURNING", NULL}, 17, "MERGE ... RETURNING"},
        {{"JSON_OBJECT", NULL, NULL}, 16, "SQL/JSON constructors"},
        {{"JSON_ARRAY", NULL, NULL}, 16, "SQL/JSON constructors"},
        {{"IS", "JSON", NULL}, 16, "IS JSON"},
        {{"SYSTEM_USER", NULL, NULL}, 16, "SYSTEM_USER"},
    };
    if (rs_sql_grammar_version() < 18 && ref_named_not_null(s, n)) {
        snprintf(buf, cap,
                 "PostgreSQL 18 syntax: a named NOT NULL constraint (CONSTRAINT name NOT NULL "
                 "column)");
        return buf;
    }
    for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
        if (marks[i].version <= rs_sql_grammar_version())
            continue;
        bool all = true;
        for (int k = 0; k < 3 && marks[i].words[k]; k++)
            all = all && ref_has_word(s, n, marks[i].words[k]);
        if (all) {
            snprintf(buf, cap, "PostgreSQL %d syntax: %s", marks[i].version, marks[i].what);
            return buf;
        }
    }
    return NULL;
}

/* Whether the hint agrees with the reference on s[0, n); the first ten disagreements are told. */
static bool hint_agrees(const char *s, size_t n, const char *where)
{
    static int told;
    char buf[128];
    const char *want = ref_hint(s, n, buf, sizeof(buf));
    const char *got = sqlx_newer_grammar_hint(s, n);
    if ((want == NULL) == (got == NULL) && (!want || strcmp(want, got) == 0))
        return true;
    if (told++ < 10)
        test_fail(where, 0, "hint \"%s\", the reference says \"%s\", for: %.*s",
                  got ? got : "(none)", want ? want : "(none)", (int)(n > 300 ? 300 : n), s);
    return false;
}

/* The words read in one pass give the hint the search of each word gives, on texts made of the
   words, their neighbours and what separates words (a text may end in the middle of one). */
TEST(newer_grammar_hint_matches_reference)
{
    static const char *const bits[] = {
        "CONSTRAINT", "constraint",  "Constraint", "NOT",     "not",        "NULL",
        "null",       "VALID",       "VIRTUAL",    "virtual", "ENFORCED",   "WITHOUT",
        "OVERLAPS",   "PERIOD",      "JSON_TABLE", "SET",     "EXPRESSION", "MERGE",
        "RETURNING",  "JSON_OBJECT", "JSON_ARRAY", "IS",      "json",       "SYSTEM_USER",
        "x",          "_",           "1",          "$",       "\"",         "\"a b\"",
        " ",          "  ",          "\n",         "\t",      "(",          ",",
        "\xc3\xa9",   "CONSTRAIN",   "NOTNULL",    "ISJSON",  "VIRTUALS",   "-- c\n",
    };
    size_t nbits = sizeof(bits) / sizeof(bits[0]);
    unsigned long long seed = 42;
    char text[512];
    for (int round = 0; round < 200000; round++) {
        size_t n = 0;
        int parts = 1 + (int)(round % 9);
        for (int p = 0; p < parts; p++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            const char *b = bits[(seed >> 33) % nbits];
            size_t bl = strlen(b);
            memcpy(text + n, b, bl);
            n += bl;
            if ((seed >> 20) % 3 == 0)
                text[n++] = ' ';
        }
        text[n] = '\0';
        /* Every prefix too: the text of a statement may stop anywhere. */
        bool same = hint_agrees(text, n, __FILE__);
        if (round % 16 == 0)
            for (size_t k = 0; k < n && same; k++)
                same = hint_agrees(text, k, __FILE__);
        if (!same)
            break;
    }
    static const char *const fixed[] = {
        "ALTER TABLE t ADD CONSTRAINT k NOT NULL c",
        "ALTER TABLE t ADD CONSTRAINT \"k x\" NOT NULL c",
        "ALTER TABLE t ADD CONSTRAINT k$1 not  null c",
        "CREATE TABLE t (c int CONSTRAINT",
        "CREATE TABLE t (c int CONSTRAINT k",
        "CREATE TABLE t (c int GENERATED ALWAYS AS (1) VIRTUAL)",
        "ALTER TABLE t ADD CONSTRAINT c CHECK (x > 0) NOT ENFORCED",
        "SELECT x IS JSON",
        "SELECT xVIRTUAL, VIRTUAL_x, virtual1",
        "ALTER TABLE t ALTER COLUMN c SET EXPRESSION AS (1)",
    };
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        hint_agrees(fixed[i], strlen(fixed[i]), __FILE__);
    CHECK(sqlx_newer_grammar_hint("x VIRTUAL", 9) != NULL);
    CHECK(sqlx_newer_grammar_hint("x VIRTUALS", 10) == NULL);
}
