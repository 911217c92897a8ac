/*
 * sql_test.c - lib/sql/ pieces that have a fast path in front of PostgreSQL's own code: the
 * fast path must never answer differently from the slow one.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sql/internal.h"
#include "test.h"

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

TEST(long_identifier_filter_tricky_texts)
{
    struct arena a = ARENA_INIT;
    const char *name = repeat(&a, "", 'n', 70, "");
    const char *spaced = repeat(&a, "a ", ' ', 70, "b");
    /* Each format takes the long name (%s) after something that holds a double quote. */
    static const char *const formats[] = {
        "SELECT '\"' || \"%s\"",           "SELECT E'\\'\"', \"%s\"",
        "SELECT 'it''s \"', \"%s\"",        "SELECT $$ \" $$, \"%s\"",
        "SELECT $tag$ \" $x$ $tag$, \"%s\"", "SELECT a$b, \"%s\"",
        "SELECT $1, \"%s\"",                "-- \"\nSELECT \"%s\"",
        "/* \" /* \" */ \" */ SELECT \"%s\"", "SELECT \"a\"\"%s\"",
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
    /* A U& name is left to the scanner. */
    agrees(arena_printf(&a, "SELECT U&\"%s\"", spaced), __FILE__, __LINE__);
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

static void walk(const char *dir, int depth)
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
            walk(path, depth + 1);
        else if (S_ISREG(st.st_mode) && n > 4 && !strcmp(de->d_name + n - 4, ".sql"))
            check_file(path);
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
    walk(path, 0);
    CHECK(scripts_checked > 1000);
}
