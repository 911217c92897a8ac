/*
 * test.h - the unit-test harness: TEST() registers a test, CHECK*() records failures.
 *
 * Every .c file of tests/unit/ is linked into one binary (build/unit-tests). A test fails when any
 * CHECK fails; the run ends with the line "N passed, N failed" and exits non-zero on failure.
 * Tests that need something absent (../shared, a PostgreSQL server) call SKIP("why").
 */
#ifndef RS_TEST_H
#define RS_TEST_H

#include <stdbool.h>
#include <string.h>

typedef void (*test_fn)(void);
void test_register(const char *name, const char *file, test_fn fn);
void test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void test_skip(const char *why);
/* Path of the repository root (tests run from there). */
const char *test_root(void);
/* A fresh empty temporary directory for this test, removed at exit. */
const char *test_tmpdir(void);
/* Writes text to dir/rel, creating parent directories. Returns the full path (static storage
   per call is not kept: the result is malloc'ed and freed at exit). */
const char *test_write(const char *dir, const char *rel, const char *text);

/* Are PostgreSQL's server programs (initdb, postgres) installed? (pg_util.c) */
bool test_have_pg_server(void);
/* How many entries of dir (not . and ..) have names that begin with prefix; -1 when dir cannot
   be read. (pg_util.c) */
int test_count_entries(const char *dir, const char *prefix);

#define TEST(name)                                                                                 \
    static void name(void);                                                                        \
    __attribute__((constructor)) static void register_##name(void)                                 \
    {                                                                                              \
        test_register(#name, __FILE__, name);                                                      \
    }                                                                                              \
    static void name(void)

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            test_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);                                     \
    } while (0)

#define CHECK_INT(a, b)                                                                            \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        if (a_ != b_)                                                                              \
            test_fail(__FILE__, __LINE__, "%s == %lld, expected %s == %lld", #a, a_, #b, b_);      \
    } while (0)

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                           \
        if (!a_ || !b_ || strcmp(a_, b_) != 0)                                                     \
            test_fail(__FILE__, __LINE__, "%s is \"%s\", expected \"%s\"", #a, a_ ? a_ : "(null)", \
                      b_ ? b_ : "(null)");                                                         \
    } while (0)

#define SKIP(why)                                                                                  \
    do {                                                                                           \
        test_skip(why);                                                                            \
        return;                                                                                    \
    } while (0)

/* Skips the test when no PostgreSQL server is installed. */
#define NEED_SERVER()                                                                              \
    do {                                                                                           \
        if (!test_have_pg_server())                                                                \
            SKIP("no PostgreSQL server programs (initdb, postgres) installed");                    \
    } while (0)

#endif
