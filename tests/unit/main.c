/*
 * main.c - runs the registered unit tests (optionally only those whose name contains argv[1])
 * and prints "N passed, N failed, N skipped".
 */

#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"

struct test {
    const char *name, *file;
    test_fn fn;
};

static struct test tests[4096];
static size_t ntests;
static int failed_now, skipped_now;
static char *tmpdirs[4096];
static size_t ntmpdirs;
static char *allocs[16384];
static size_t nallocs;

void test_register(const char *name, const char *file, test_fn fn)
{
    if (ntests < sizeof(tests) / sizeof(tests[0]))
        tests[ntests++] = (struct test){name, file, fn};
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "  %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    failed_now++;
}

void test_skip(const char *why)
{
    fprintf(stderr, "  skipped: %s\n", why);
    skipped_now = 1;
}

const char *test_root(void)
{
    static char cwd[4096];
    if (!cwd[0] && !getcwd(cwd, sizeof(cwd)))
        strcpy(cwd, ".");
    return cwd;
}

const char *test_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char tmpl[4096];
    snprintf(tmpl, sizeof(tmpl), "%s/rollsafe-test-XXXXXX", base && *base ? base : "/tmp");
    char *d = mkdtemp(tmpl);
    if (!d) {
        perror("mkdtemp");
        exit(2);
    }
    d = strdup(d);
    if (ntmpdirs < sizeof(tmpdirs) / sizeof(tmpdirs[0]))
        tmpdirs[ntmpdirs++] = d;
    return d;
}

static void mkdirs(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(path, 0777);
            *p = '/';
        }
    }
}

const char *test_write(const char *dir, const char *rel, const char *text)
{
    size_t n = strlen(dir) + strlen(rel) + 2;
    char *path = malloc(n);
    snprintf(path, n, "%s/%s", dir, rel);
    mkdirs(path);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(2);
    }
    fputs(text, f);
    fclose(f);
    if (nallocs < sizeof(allocs) / sizeof(allocs[0]))
        allocs[nallocs++] = path;
    return path;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    chmod(path, 0700);
    return remove(path);
}

static void cleanup(void)
{
    for (size_t i = 0; i < ntmpdirs; i++) {
        nftw(tmpdirs[i], rm_one, 16, FTW_DEPTH | FTW_PHYS);
        free(tmpdirs[i]);
    }
    for (size_t i = 0; i < nallocs; i++)
        free(allocs[i]);
}

int main(int argc, char **argv)
{
    const char *filter = argc > 1 ? argv[1] : NULL;
    int passed = 0, failed = 0, skipped = 0;
    for (size_t i = 0; i < ntests; i++) {
        if (filter && !strstr(tests[i].name, filter) && !strstr(tests[i].file, filter))
            continue;
        failed_now = skipped_now = 0;
        tests[i].fn();
        if (failed_now) {
            fprintf(stderr, "FAIL %s (%s)\n", tests[i].name, tests[i].file);
            failed++;
        } else if (skipped_now) {
            skipped++;
        } else {
            passed++;
        }
    }
    cleanup();
    printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    return failed ? 1 : 0;
}
