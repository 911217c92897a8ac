/*
 * fuzz_regressions_test.c - replays every input of tests/fuzz/regressions/<target>/ through the
 * fuzz target that once crashed on it, under the suite's sanitizers (make check) and valgrind
 * (make valgrind). The targets' work is tests/fuzz/harness.c, included here so that the replay
 * is exactly what the fuzzer ran; libFuzzer itself is not needed.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

#include "../fuzz/harness.c"
#include "test.h"

/* Runs fn on each file of the target's regression directory; returns how many. */
static int replay(const char *target, int (*fn)(const uint8_t *, size_t))
{
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/tests/fuzz/regressions/%s", test_root(), target);
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[8192];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        size_t cap = 1 << 16, len = 0;
        uint8_t *buf = malloc(cap);
        size_t got;
        while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
            len += got;
            if (len == cap)
                buf = realloc(buf, cap *= 2);
        }
        fclose(f);
        if (!buf)
            abort();
        fn(buf, len); /* aborts (and fails the suite) when the bug is back */
        free(buf);
        n++;
    }
    closedir(d);
    fuzz_cleanup();
    return n;
}

TEST(fuzz_regressions_check)
{
    CHECK(replay("check", fuzz_check_one) > 0);
}

TEST(fuzz_regressions_layout)
{
    CHECK(replay("layout", fuzz_layout_one) > 0);
}

TEST(fuzz_regressions_unpack)
{
    CHECK(replay("unpack", fuzz_unpack_one) > 0);
}
