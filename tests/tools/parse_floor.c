/*
 * parse_floor.c - the parser floor of `make bench`, and the bench's own timer.
 *
 *   parse-floor [--down] [--json] [--count] DIR...
 *       Reads every migration script under each DIR and parses its whole text with libpg_query,
 *       and nothing else: no decoding, no model, no rules. That is the least work any tool built
 *       on libpg_query must do over the same files, so `rollsafe check` is measured against it.
 *       By default the tree is asked for in its packed (protobuf) form, pg_query_parse_protobuf;
 *       with --json in its JSON form, pg_query_parse, which libpg_query 15 writes in about a
 *       quarter of the time (rollsafe decodes the JSON form, lib/sql/unjson.c). Scripts are the
 *       *.sql files; down scripts (down.sql, *.down.sql) are left out unless --down is given,
 *       matching a check that does not parse downs. --count also unpacks each tree to count
 *       the statements and prints "files N statements N bytes N" (not for timing).
 *
 *   parse-floor --time RUNS -- PROGRAM ARGS...
 *       Runs PROGRAM RUNS times with its output sent to /dev/null and prints
 *       "best_wall_seconds best_cpu_seconds max_rss_kib": the fastest wall-clock time
 *       (clock_gettime, monotonic), the smallest CPU time (user + system, the program and the
 *       children it waited for) and the largest peak resident set of any of those processes
 *       (wait4's rusage). The bench uses this rather than an external tool, so it works wherever
 *       the project builds.
 *
 * This is a test tool: it prints and exits, and it does not use librollsafe.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct totals {
    unsigned long files, statements, bytes, errors;
};

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static bool is_down(const char *name)
{
    return strcmp(name, "down.sql") == 0 || ends_with(name, ".down.sql");
}

static char *read_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return NULL;
    }
    char *buf = malloc((size_t)st.st_size + 1);
    size_t n = 0;
    while (buf && n < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    if (buf)
        buf[n] = '\0';
    *len = n;
    return buf;
}

static bool json_form; /* --json */

static void parse_one(const char *path, bool count, struct totals *t)
{
    size_t len;
    char *text = read_file(path, &len);
    if (!text) {
        fprintf(stderr, "parse-floor: %s: cannot read\n", path);
        t->errors++;
        return;
    }
    t->files++;
    t->bytes += len;
    if (json_form && !count) {
        PgQueryParseResult j = pg_query_parse(text);
        if (j.error)
            t->errors++;
        pg_query_free_parse_result(j);
        free(text);
        return;
    }
    PgQueryProtobufParseResult r = pg_query_parse_protobuf(text);
    if (r.error) {
        t->errors++;
    } else if (count) {
        PgQuery__ParseResult *pr = pg_query__parse_result__unpack(
            NULL, r.parse_tree.len, (const uint8_t *)r.parse_tree.data);
        if (pr) {
            t->statements += pr->n_stmts;
            pg_query__parse_result__free_unpacked(pr, NULL);
        }
    }
    pg_query_free_protobuf_parse_result(r);
    free(text);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walks dir in name order (so runs are comparable), parsing the scripts it finds. */
static void walk(const char *dir, bool down, bool count, struct totals *t)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "parse-floor: %s: %s\n", dir, strerror(errno));
        t->errors++;
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            names = realloc(names, cap * sizeof(*names));
            if (!names)
                abort();
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof(*names), cmp_names);
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            walk(path, down, count, t);
        else if (ends_with(names[i], ".sql") && (down || !is_down(names[i])))
            parse_one(path, count, t);
        free(names[i]);
    }
    free(names);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int time_runs(int runs, char **argv)
{
    double best = -1, best_cpu = -1;
    long max_rss = 0;
    for (int i = 0; i < runs; i++) {
        double t0 = now();
        pid_t pid = fork();
        if (pid < 0) {
            perror("parse-floor: fork");
            return 2;
        }
        if (pid == 0) {
            int null = open("/dev/null", O_WRONLY);
            if (null >= 0) {
                dup2(null, STDOUT_FILENO);
                dup2(null, STDERR_FILENO);
            }
            execvp(argv[0], argv);
            _exit(127);
        }
        int status;
        struct rusage ru;
        if (wait4(pid, &status, 0, &ru) < 0) {
            perror("parse-floor: wait4");
            return 2;
        }
        double dt = now() - t0;
        if (!WIFEXITED(status) || WEXITSTATUS(status) > 1) {
            fprintf(stderr, "parse-floor: %s failed (status %d)\n", argv[0], status);
            return 2;
        }
        if (best < 0 || dt < best)
            best = dt;
        double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                     (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
        if (best_cpu < 0 || cpu < best_cpu)
            best_cpu = cpu;
        if (ru.ru_maxrss > max_rss)
            max_rss = ru.ru_maxrss;
    }
    printf("%.6f %.6f %ld\n", best, best_cpu, max_rss);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "--time") == 0 && strcmp(argv[3], "--") == 0 && argc > 4)
        return time_runs(atoi(argv[2]) > 0 ? atoi(argv[2]) : 1, argv + 4);
    bool down = false, count = false;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--down") == 0) {
            down = true;
        } else if (strcmp(argv[i], "--json") == 0) {
            json_form = true;
        } else if (strcmp(argv[i], "--count") == 0) {
            count = true;
        } else {
            fprintf(stderr, "usage: parse-floor [--down] [--json] [--count] DIR...\n"
                            "       parse-floor --time RUNS -- PROGRAM ARGS...\n");
            return 2;
        }
    }
    if (i == argc) {
        fprintf(stderr, "usage: parse-floor [--down] [--json] [--count] DIR...\n");
        return 2;
    }
    struct totals t = {0};
    for (; i < argc; i++)
        walk(argv[i], down, count, &t);
    if (count)
        printf("files %lu statements %lu bytes %lu\n", t.files, t.statements, t.bytes);
    /* libpg_query's exit hook crashes when nothing was ever parsed (no memory context yet). */
    if (t.files)
        pg_query_exit();
    return 0;
}
