/*
 * pg_util.c - what the tests that run a scratch PostgreSQL server share (see test.h).
 */
#include <dirent.h>
#include <string.h>

#include "pg/server.h"
#include "test.h"
#include "util/arena.h"
#include "rollsafe/diag.h"

bool test_have_pg_server(void)
{
    static int known = -1;
    if (known < 0) {
        struct arena a = ARENA_INIT;
        struct rs_diag d;
        rs_diag_init(&d, &a);
        known = rs_pgserver_find_bindir(&a, NULL, &d) != NULL;
        arena_free(&a);
    }
    return known;
}

int test_count_entries(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
            !strncmp(e->d_name, prefix, strlen(prefix)))
            n++;
    closedir(d);
    return n;
}
