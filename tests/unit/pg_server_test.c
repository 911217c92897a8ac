/*
 * pg_server_test.c - the scratch PostgreSQL server (lib/pg/server.c) and the libpq helpers
 * (lib/pg/conn.c): finding the programs, start, queries, errors as values, the cache, and that
 * nothing is left behind after stop, on a startup failure, on a signal or after SIGKILL.
 *
 * Tests that need initdb and postgres skip when none is installed. Run as root, they also run a
 * server from a child process that switched to "nobody", so both the root path (server as an
 * unprivileged user) and the ordinary-user path are covered in one run.
 */
#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pg/conn.h"
#include "pg/server.h"
#include "test.h"
#include "util/arena.h"

static int process_gone(int pid)
{
    if (kill(pid, 0) < 0 && errno == ESRCH)
        return 1;
    char path[64], text[512] = "";
    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 1;
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    const char *paren = strrchr(text, ')');
    return paren && paren[2] == 'Z'; /* an orphan that a non-reaping init left as a zombie */
}

static int path_gone(const char *path)
{
    struct stat st;
    return lstat(path, &st) < 0 && errno == ENOENT;
}

/* A temporary directory the server's user can traverse when we are root (test_tmpdir is 0700). */
static const char *open_tmpdir(void)
{
    const char *dir = test_tmpdir();
    chmod(dir, 0711);
    return dir;
}

/* One cache for the tests that are not about the cache, so that initdb runs once. */
static const char *shared_cache(void)
{
    static const char *dir;
    if (!dir)
        dir = test_tmpdir();
    return dir;
}

static char *first_error(const struct rs_diag *d)
{
    return d->n ? (char *)d->v[0].message : (char *)"(no error)";
}

TEST(pg_server_find_bindir)
{
    struct arena a = ARENA_INIT;
    struct rs_diag d;
    rs_diag_init(&d, &a);
    CHECK(rs_pgserver_find_bindir(&a, "/nonexistent/rollsafe-bin", &d) == NULL);
    CHECK_INT(d.n, 1);
    if (d.n) {
        CHECK_STR(d.v[0].path, "/nonexistent/rollsafe-bin");
        CHECK(strstr(d.v[0].hint, "initdb") != NULL);
    }
    if (test_have_pg_server()) {
        rs_diag_init(&d, &a);
        char *dir = rs_pgserver_find_bindir(&a, NULL, &d);
        CHECK(dir != NULL);
        CHECK_INT(d.n, 0);
        if (dir) {
            char *initdb = arena_printf(&a, "%s/initdb", dir);
            CHECK(access(initdb, X_OK) == 0);
            /* The found directory is accepted as an explicit one, too. */
            CHECK(rs_pgserver_find_bindir(&a, dir, &d) != NULL);
        }
    }
    arena_free(&a);
}

TEST(pg_server_position_offset)
{
    CHECK_INT(rs_pg_position_offset("SELECT x", 0), 0);
    CHECK_INT(rs_pg_position_offset("SELECT x", 1), 0);
    CHECK_INT(rs_pg_position_offset("SELECT x", 8), 7);
    CHECK_INT(rs_pg_position_offset("SELECT x", 99), 8);
    /* "é" is two bytes and one character. */
    CHECK_INT(rs_pg_position_offset("SELECT 'é', x", 12), 12);
}

TEST(pg_server_start_query_stop)
{
    NEED_SERVER();
    struct arena a = ARENA_INIT;
    struct rs_diag d;
    rs_diag_init(&d, &a);
    struct rs_pgserver_opts o = {.cache_dir = shared_cache(), .tmp_base = open_tmpdir()};
    struct rs_pgserver *s = rs_pgserver_start(&o, &d);
    CHECK(s != NULL);
    if (!s) {
        fprintf(stderr, "  %s\n", first_error(&d));
        arena_free(&a);
        return;
    }
    CHECK(rs_pgserver_version_num(s) >= 90600);
    CHECK(strchr(rs_pgserver_version(s), '.') != NULL);
    int pid = rs_pgserver_pid(s);
    char *dir = arena_strdup(&a, rs_pgserver_dir(s));
    CHECK(pid > 0);
    CHECK(access(arena_printf(&a, "%s/.s.PGSQL.%d", dir, RS_PGSERVER_PORT), F_OK) == 0);
    if (geteuid() == 0) { /* the server runs as an unprivileged user */
        struct stat st;
        CHECK(stat(arena_printf(&a, "%s/data", dir), &st) == 0 && st.st_uid != 0);
        CHECK(stat(arena_printf(&a, "/proc/%d", pid), &st) == 0 && st.st_uid != 0);
    }

    PGconn *c = rs_pg_connect(rs_pgserver_conninfo(s, &a, "postgres"), 5, &d);
    CHECK(c != NULL);
    if (c) {
        char *v;
        struct rs_pg_error err;
        CHECK_INT(rs_pg_query_value(c, &a, "SHOW listen_addresses", &v, &err), 0);
        CHECK_STR(v, ""); /* no TCP listener */
        CHECK_INT(rs_pg_query_value(c, &a, "SHOW fsync", &v, &err), 0);
        CHECK_STR(v, "off");
        CHECK_INT(rs_pg_query_value(c, &a, "SELECT current_user", &v, &err), 0);
        CHECK_STR(v, RS_PGSERVER_USER);
        CHECK_INT(rs_pg_query_value(c, &a, "SHOW server_encoding", &v, &err), 0);
        CHECK_STR(v, "UTF8");
        CHECK_INT(rs_pg_query_value(c, &a, "SELECT NULL", &v, &err), 0);
        CHECK(v == NULL);
        CHECK_INT(rs_pg_query_value(c, &a, "SELECT 1 WHERE false", &v, &err), 0);
        CHECK(v == NULL);
        CHECK_INT(rs_pg_server_version_num(c), rs_pgserver_version_num(s));

        /* Errors are values with SQLSTATE and position. */
        const char *bad = "SELECT 1;\nSELECT nope FROM pg_class";
        CHECK_INT(rs_pg_exec(c, &a, bad, &err), -1);
        CHECK_STR(err.sqlstate, "42703");
        CHECK(strstr(err.message, "nope") != NULL);
        CHECK_INT(err.position, 18);
        CHECK_INT(rs_pg_position_offset(bad, err.position), 17);
        CHECK_INT(rs_pg_exec(c, &a, "SELEC 1", &err), -1);
        CHECK_STR(err.sqlstate, "42601");
        CHECK_INT(err.position, 1);
        CHECK_INT(rs_pg_exec(c, &a, "COPY pg_class FROM STDIN", &err), -1);
        CHECK(err.sqlstate[0] != '\0');
        CHECK_INT(rs_pg_exec(c, &a, "SELECT 1", &err), 0); /* the connection is still usable */

        /* A template database with data, copied quickly. */
        CHECK_INT(rs_pg_create_database(c, &a, "tpl", NULL, &err), 0);
        PGconn *t = rs_pg_connect(rs_pgserver_conninfo(s, &a, "tpl"), 5, &d);
        CHECK(t != NULL);
        if (t) {
            CHECK_INT(
                rs_pg_exec(t, &a,
                           "CREATE TABLE users(id int PRIMARY KEY, name text);"
                           "INSERT INTO users SELECT g, 'u' || g FROM generate_series(1, 100) g",
                           &err),
                0);
            /* Someone is connected to the template: PostgreSQL refuses, with 55006. */
            CHECK_INT(rs_pg_create_database(c, &a, "copy 1", "tpl", &err), -1);
            CHECK_STR(err.sqlstate, "55006");
            PQfinish(t);
        }
        CHECK_INT(rs_pg_create_database(c, &a, "copy 1", "tpl", &err), 0);
        PGconn *k = rs_pg_connect(rs_pgserver_conninfo(s, &a, "copy 1"), 5, &d);
        CHECK(k != NULL);
        if (k) {
            CHECK_INT(rs_pg_query_value(k, &a, "SELECT count(*) FROM users", &v, &err), 0);
            CHECK_STR(v, "100");
        }
        CHECK_INT(rs_pg_drop_database(c, &a, "copy 1", &err), 0); /* WITH (FORCE) ends k */
        if (k)
            PQfinish(k);
        CHECK_INT(rs_pg_drop_database(c, &a, "copy 1", &err), 0); /* IF EXISTS */
        PQfinish(c);
    }

    CHECK_INT(rs_pgserver_stop(s, &d), 0);
    CHECK(process_gone(pid));
    CHECK(path_gone(dir));
    CHECK_INT(d.n, 0);
    arena_free(&a);
}

TEST(pg_server_bad_connection)
{
    struct arena a = ARENA_INIT;
    struct rs_diag d;
    rs_diag_init(&d, &a);
    const char *dir = test_tmpdir();
    PGconn *c = rs_pg_connect(arena_printf(&a, "host=%s port=5432 dbname=x", dir), 2, &d);
    CHECK(c == NULL);
    CHECK_INT(d.n, 1);
    if (d.n)
        CHECK(strstr(d.v[0].message, "cannot connect") != NULL);
    arena_free(&a);
}

static double ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) * 1000.0 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

TEST(pg_server_cache)
{
    NEED_SERVER();
    struct arena a = ARENA_INIT;
    struct rs_diag d;
    rs_diag_init(&d, &a);
    const char *cache = arena_printf(&a, "%s/cache/nested", test_tmpdir());
    struct rs_pgserver_opts o = {.cache_dir = NULL, .tmp_base = open_tmpdir()};
    /* The cache directory is created on first use (cache_dir is resolved with realpath, so its
       parent must exist). */
    o.cache_dir = cache;
    mkdir(arena_printf(&a, "%.*s", (int)(strlen(cache) - strlen("/nested")), cache), 0700);

    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct rs_pgserver *s = rs_pgserver_start(&o, &d);
    double cold = ms_since(&t0);
    CHECK(s != NULL);
    if (!s) {
        fprintf(stderr, "  %s\n", first_error(&d));
        arena_free(&a);
        return;
    }
    CHECK_STR(rs_pgserver_cache_status(s), "stored");
    CHECK_INT(test_count_entries(cache, "pgdata-"), 2); /* the cluster and its .key file */
    CHECK_INT(test_count_entries(cache, ".tmp-"), 0);
    CHECK_INT(rs_pgserver_stop(s, &d), 0);

    double warm[3];
    for (int i = 0; i < 3; i++) {
        clock_gettime(CLOCK_MONOTONIC, &t0);
        s = rs_pgserver_start(&o, &d);
        warm[i] = ms_since(&t0);
        CHECK(s != NULL);
        if (!s)
            break;
        CHECK_STR(rs_pgserver_cache_status(s), "hit");
        PGconn *c = rs_pg_connect(rs_pgserver_conninfo(s, &a, NULL), 5, &d);
        CHECK(c != NULL);
        if (c) {
            struct rs_pg_error err;
            /* The copy is writable by the server: ownership and modes were fixed. */
            CHECK_INT(rs_pg_exec(c, &a, "CREATE TABLE t(x int); INSERT INTO t VALUES (1)", &err),
                      0);
            PQfinish(c);
        }
        char *dir = arena_strdup(&a, rs_pgserver_dir(s));
        CHECK_INT(rs_pgserver_stop(s, &d), 0);
        CHECK(path_gone(dir));
    }
    if (getenv("RS_TEST_VERBOSE"))
        fprintf(stderr, "  start: initdb %.0f ms, cached %.0f / %.0f / %.0f ms\n", cold, warm[0],
                warm[1], warm[2]);
    CHECK(warm[2] < cold);
    CHECK_INT(d.n, 0);
    arena_free(&a);
}

/* Two processes fill the same empty cache at once: both servers start, one entry remains. */
TEST(pg_server_cache_race)
{
    NEED_SERVER();
    struct arena a = ARENA_INIT;
    const char *cache = test_tmpdir();
    const char *base = open_tmpdir();
    pid_t kids[2];
    for (int i = 0; i < 2; i++) {
        kids[i] = fork();
        if (kids[i] == 0) {
            struct arena ka = ARENA_INIT;
            struct rs_diag d;
            rs_diag_init(&d, &ka);
            struct rs_pgserver_opts o = {.cache_dir = cache, .tmp_base = base};
            struct rs_pgserver *s = rs_pgserver_start(&o, &d);
            int ok = s && !strcmp(rs_pgserver_cache_status(s), "stored");
            if (!s)
                fprintf(stderr, "  child: %s\n", first_error(&d));
            ok = rs_pgserver_stop(s, &d) == 0 && ok;
            _exit(ok ? 0 : 1);
        }
    }
    for (int i = 0; i < 2; i++) {
        int st = 0;
        CHECK(waitpid(kids[i], &st, 0) == kids[i]);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    CHECK_INT(test_count_entries(cache, "pgdata-"), 2);
    CHECK_INT(test_count_entries(cache, ".tmp-"), 0);
    CHECK_INT(test_count_entries(base, "rollsafe-pg-"), 0);
    arena_free(&a);
}

TEST(pg_server_two_at_once)
{
    NEED_SERVER();
    struct arena a = ARENA_INIT;
    struct rs_diag d;
    rs_diag_init(&d, &a);
    struct rs_pgserver_opts o = {.cache_dir = shared_cache(), .tmp_base = open_tmpdir()};
    struct rs_pgserver_opts o2 = o;
    o2.no_cache = true; /* the second one runs initdb */
    struct rs_pgserver *s1 = rs_pgserver_start(&o, &d);
    struct rs_pgserver *s2 = rs_pgserver_start(&o2, &d);
    CHECK(s1 && s2);
    if (s1 && s2) {
        CHECK_STR(rs_pgserver_cache_status(s2), "off");
        CHECK(strcmp(rs_pgserver_dir(s1), rs_pgserver_dir(s2)) != 0);
        PGconn *c1 = rs_pg_connect(rs_pgserver_conninfo(s1, &a, NULL), 5, &d);
        PGconn *c2 = rs_pg_connect(rs_pgserver_conninfo(s2, &a, NULL), 5, &d);
        CHECK(c1 && c2);
        struct rs_pg_error err;
        char *v = NULL;
        if (c1 && c2) {
            CHECK_INT(rs_pg_exec(c1, &a, "CREATE TABLE only_on_one(x int)", &err), 0);
            CHECK_INT(rs_pg_query_value(c2, &a, "SELECT to_regclass('only_on_one')", &v, &err), 0);
            CHECK(v == NULL);
        }
        if (c1)
            PQfinish(c1);
        if (c2)
            PQfinish(c2);
    }
    CHECK_INT(rs_pgserver_stop(s1, &d), 0);
    CHECK_INT(rs_pgserver_stop(s2, &d), 0);
    CHECK_INT(test_count_entries(o.tmp_base, "rollsafe-pg-"), 0);
    arena_free(&a);
}

TEST(pg_server_startup_failure)
{
    NEED_SERVER();
    struct arena a = ARENA_INIT;
    struct rs_diag d;
    rs_diag_init(&d, &a);
    const char *const settings[] = {"shared_buffers=nonsense", NULL};
    struct rs_pgserver_opts o = {
        .cache_dir = shared_cache(), .tmp_base = open_tmpdir(), .settings = settings};
    CHECK(rs_pgserver_start(&o, &d) == NULL);
    CHECK_INT(d.n, 1);
    if (d.n) {
        CHECK(strstr(d.v[0].message, "PostgreSQL exited while starting") != NULL);
        CHECK(strstr(d.v[0].message, "shared_buffers") != NULL); /* from the server log */
    }
    CHECK_INT(test_count_entries(o.tmp_base, "rollsafe-pg-"), 0);
    arena_free(&a);
}

TEST(pg_server_bad_options)
{
    struct arena a = ARENA_INIT;
    struct rs_diag d;
    rs_diag_init(&d, &a);
    struct rs_pgserver_opts o = {.bin_dir = "/nonexistent"};
    CHECK(rs_pgserver_start(&o, &d) == NULL);
    CHECK_INT(d.n, 1);
    if (test_have_pg_server()) {
        rs_diag_init(&d, &a);
        struct rs_pgserver_opts t = {.tmp_base = "relative/dir"};
        CHECK(rs_pgserver_start(&t, &d) == NULL);
        CHECK_INT(d.n, 1);
        if (d.n)
            CHECK(strstr(d.v[0].message, "absolute") != NULL);
        if (geteuid() == 0) {
            rs_diag_init(&d, &a);
            struct rs_pgserver_opts u = {.run_as = "rollsafe-no-such-user", .no_cache = true};
            CHECK(rs_pgserver_start(&u, &d) == NULL);
            CHECK_INT(d.n, 1);
            rs_diag_init(&d, &a);
            u.run_as = "root";
            CHECK(rs_pgserver_start(&u, &d) == NULL);
            CHECK_INT(d.n, 1);
            /* A directory the server's user cannot reach is refused, not used. */
            rs_diag_init(&d, &a);
            struct rs_pgserver_opts p = {.tmp_base = test_tmpdir(), .no_cache = true};
            CHECK(rs_pgserver_start(&p, &d) == NULL);
            CHECK_INT(d.n, 1);
            if (d.n)
                CHECK(strstr(d.v[0].message, "cannot reach") != NULL);
        }
    }
    arena_free(&a);
}

TEST(pg_server_cleanup_all)
{
    NEED_SERVER();
    struct arena a = ARENA_INIT;
    struct rs_diag d;
    rs_diag_init(&d, &a);
    struct rs_pgserver_opts o = {.cache_dir = shared_cache(), .tmp_base = open_tmpdir()};
    struct rs_pgserver *s = rs_pgserver_start(&o, &d);
    CHECK(s != NULL);
    if (s) {
        int pid = rs_pgserver_pid(s);
        char *dir = arena_strdup(&a, rs_pgserver_dir(s));
        rs_pgserver_cleanup_all();
        CHECK(process_gone(pid));
        CHECK(path_gone(dir));
        CHECK_INT(rs_pgserver_stop(s, &d), 0); /* frees, finds nothing left to do */
    }
    CHECK_INT(rs_pgserver_install_signal_cleanup(), 0);
    CHECK_INT(rs_pgserver_install_signal_cleanup(), 0);
    arena_free(&a);
}

/* Starts a server in a child, which reports the postmaster's pid and directory through a pipe and
   then does what `then` says. Returns the child's pid. */
static pid_t server_in_child(const char *cache, const char *base, int *pid, char *dir, size_t size,
                             void (*then)(void))
{
    int p[2];
    if (pipe(p) < 0)
        return -1;
    pid_t kid = fork();
    if (kid == 0) {
        close(p[0]);
        rs_pgserver_install_signal_cleanup();
        struct arena a = ARENA_INIT;
        struct rs_diag d;
        rs_diag_init(&d, &a);
        struct rs_pgserver_opts o = {.cache_dir = cache, .tmp_base = base};
        struct rs_pgserver *s = rs_pgserver_start(&o, &d);
        char line[4200];
        int n = s ? snprintf(line, sizeof(line), "%d %s\n", rs_pgserver_pid(s), rs_pgserver_dir(s))
                  : snprintf(line, sizeof(line), "0 -\n");
        if (write(p[1], line, (size_t)n) != n)
            _exit(3);
        close(p[1]);
        then();
        _exit(4);
    }
    close(p[1]);
    char line[4200];
    ssize_t n = read(p[0], line, sizeof(line) - 1);
    close(p[0]);
    *pid = 0;
    dir[0] = '\0';
    if (n > 0) {
        line[n] = '\0';
        char fmt[32];
        snprintf(fmt, sizeof(fmt), "%%d %%%zus", size - 1);
        if (sscanf(line, fmt, pid, dir) != 2)
            *pid = 0;
    }
    return kid;
}

static void raise_sigterm(void)
{
    raise(SIGTERM);
}

static void wait_forever(void)
{
    for (;;)
        pause();
}

TEST(pg_server_signal_cleanup)
{
    NEED_SERVER();
    int pid;
    char dir[4096];
    pid_t kid =
        server_in_child(shared_cache(), open_tmpdir(), &pid, dir, sizeof(dir), raise_sigterm);
    int st = 0;
    CHECK(waitpid(kid, &st, 0) == kid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM); /* died of the signal, after cleanup */
    CHECK(pid > 0);
    if (pid > 0) {
        CHECK(process_gone(pid));
        CHECK(path_gone(dir));
    }
}

/* SIGKILL cannot be caught: the postmaster dies with its parent (parent-death signal), and the
   next start in the same place removes the directory left behind. */
TEST(pg_server_sigkill_sweep)
{
    NEED_SERVER();
    const char *cache = shared_cache(), *base = open_tmpdir();
    int pid;
    char dir[4096];
    pid_t kid = server_in_child(cache, base, &pid, dir, sizeof(dir), wait_forever);
    CHECK(pid > 0);
    kill(kid, SIGKILL);
    int st;
    CHECK(waitpid(kid, &st, 0) == kid);
    if (pid <= 0)
        return;
    for (int i = 0; i < 1000 && !process_gone(pid); i++)
        usleep(10000);
    CHECK(process_gone(pid));
    CHECK(!path_gone(dir));

    struct arena a = ARENA_INIT;
    struct rs_diag d;
    rs_diag_init(&d, &a);
    struct rs_pgserver_opts o = {.cache_dir = cache, .tmp_base = base};
    struct rs_pgserver *s = rs_pgserver_start(&o, &d);
    CHECK(s != NULL);
    CHECK(path_gone(dir));
    CHECK_INT(rs_pgserver_stop(s, &d), 0);
    CHECK_INT(test_count_entries(base, "rollsafe-pg-"), 0);
    arena_free(&a);
}

/* As root, run a server from a child that became "nobody": the ordinary-user path (no privilege
   switch, the cache owned by the user itself). */
TEST(pg_server_as_ordinary_user)
{
    NEED_SERVER();
    if (geteuid() != 0)
        SKIP("already an ordinary user: the other tests cover this path");
    struct passwd *pw = getpwnam("nobody");
    if (!pw)
        SKIP("no user nobody");
    const char *cache = open_tmpdir(), *base = open_tmpdir();
    CHECK(chown(cache, pw->pw_uid, pw->pw_gid) == 0);
    CHECK(chmod(base, 01777) == 0); /* like /tmp */
    pid_t kid = fork();
    if (kid == 0) {
        if (setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
            _exit(2);
        struct arena a = ARENA_INIT;
        struct rs_diag d;
        rs_diag_init(&d, &a);
        struct rs_pgserver_opts o = {.cache_dir = cache, .tmp_base = base};
        int ok = 1;
        for (int i = 0; i < 2; i++) {
            struct rs_pgserver *s = rs_pgserver_start(&o, &d);
            if (!s) {
                fprintf(stderr, "  as nobody: %s\n", first_error(&d));
                _exit(1);
            }
            ok = ok && !strcmp(rs_pgserver_cache_status(s), i ? "hit" : "stored");
            PGconn *c = rs_pg_connect(rs_pgserver_conninfo(s, &a, NULL), 5, &d);
            ok = ok && c && PQserverVersion(c) == rs_pgserver_version_num(s);
            if (c)
                PQfinish(c);
            ok = rs_pgserver_stop(s, &d) == 0 && ok;
        }
        _exit(ok ? 0 : 1);
    }
    int st = 0;
    CHECK(waitpid(kid, &st, 0) == kid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK_INT(test_count_entries(base, "rollsafe-pg-"), 0);
}
