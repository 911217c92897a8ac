/*
 * server.c - the disposable PostgreSQL server (see server.h).
 *
 * The life of a scratch server:
 *   1. find initdb and postgres;                       rs_pgserver_find_bindir()
 *   2. pick the user the server runs as (root: an unprivileged one) and a temporary directory
 *      the server can reach, with a Unix socket path short enough;
 *   3. fill <dir>/data: copy the cached pristine cluster, or run initdb and cache the result;
 *   4. fork, drop privileges, exec postgres with the socket in <dir> and no TCP listener;
 *   5. poll with PQping until it accepts connections, then read its version;
 *   6. on stop (or error, signal, exit): SIGQUIT (immediate shutdown), wait, SIGKILL if needed,
 *      then remove <dir>.
 *
 * Every child and every directory is recorded in a slot of a static registry before anything can
 * go wrong with it, with SIGINT/SIGTERM/SIGHUP blocked while a slot changes, so that the cleanup
 * code (async-signal-safe: kill, waitpid, nanosleep, openat, getdents64, unlinkat) always finds
 * what there is to kill and remove. Forked children only reset signals, switch user and exec.
 *
 * The children get a fixed environment (PATH, LC_ALL=C, TZ=UTC), so a cluster does not depend on
 * the caller's locale or time zone, and a cached cluster is the same as a fresh one.
 *
 * What it does not do: run migrations, create databases (conn.h), support threads (the registry
 * and the parent-death signal assume one thread starts and stops servers), or run anywhere but
 * Linux.
 */
#include "pg/server.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pg/conn.h"
#include "pg/pq.h"
#include "util/arena.h"
#include "util/strbuf.h"

extern char **environ;

#ifndef FICLONE
#define FICLONE _IOW(0x94, 9, int)
#endif

#define TMP_PREFIX "rollsafe-pg-"
#define OWNER_FILE "rollsafe.owner"
#define CACHE_PREFIX "pgdata-"
#define CACHE_TMP_PREFIX ".tmp-"
/* initdb's arguments after -D; part of the cache key, so changing them invalidates the cache. */
#define INITDB_ARGS "-U", RS_PGSERVER_USER, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"
#define INITDB_KEY "v1 -U " RS_PGSERVER_USER " -A trust -E UTF8 --locale=C --no-sync TZ=UTC"
#define KILL_AFTER_MS 5000 /* SIGQUIT, then SIGKILL after this long */

/* ---------------------------------------------------------------------------------------------
 * The registry, and cleanup that is safe in a signal handler
 */

enum { SLOT_FREE, SLOT_BUSY, SLOT_CLEANED };

#define SLOT_COUNT 16
#define SLOT_PATH 4096

struct slot {
    volatile sig_atomic_t state;
    volatile sig_atomic_t owner;     /* getpid() of the process the slot belongs to */
    volatile sig_atomic_t pid;       /* running child (postmaster or initdb), 0 when none */
    volatile sig_atomic_t is_initdb; /* kill initdb's whole process group, and at once */
    char dir[SLOT_PATH];             /* the temporary directory, "" until it exists */
    char extra[SLOT_PATH];           /* a cache entry being written, "" when none */
};

static struct slot slots[SLOT_COUNT];

static void block_signals(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_BLOCK, &set, old);
}

static void restore_signals(const sigset_t *old)
{
    sigprocmask(SIG_SETMASK, old, NULL);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* Kills a child and waits for it. The postmaster gets SIGQUIT (immediate shutdown: it ends its
   backends itself), then SIGKILL; initdb's process group gets SIGKILL at once. */
static void reap(pid_t pid, int group)
{
    int st;
    if (pid <= 0)
        return;
    if (group) /* the whole group, and the child itself in case it has not called setpgid yet */
        kill(-pid, SIGKILL);
    kill(pid, group ? SIGKILL : SIGQUIT);
    for (long waited = 0, step = 1; waited < KILL_AFTER_MS; waited += step) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid || (r < 0 && errno == ECHILD))
            return;
        sleep_ms(step);
        if (step < 16)
            step *= 2;
    }
    if (group)
        kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
}

struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

/* Removes parent/name recursively without following symlinks; async-signal-safe (no malloc, no
   stdio). Returns 0 when it is gone. */
static int rm_at(int parent, const char *name, int depth)
{
    if (unlinkat(parent, name, 0) == 0 || errno == ENOENT)
        return 0;
    if ((errno != EISDIR && errno != EPERM) || depth > 32)
        return -1;
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : -1;
    fchmod(fd, 0700); /* a directory we cannot write into cannot be emptied */
    /* Entries removed while reading can make getdents skip others: read again until empty. */
    for (int pass = 0; pass < 8; pass++) {
        _Alignas(8) char buf[2048];
        long n;
        lseek(fd, 0, SEEK_SET);
        while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
            for (long off = 0; off < n;) {
                struct linux_dirent64 *e = (struct linux_dirent64 *)(void *)(buf + off);
                off += e->d_reclen;
                if (e->d_name[0] == '.' &&
                    (e->d_name[1] == '\0' || (e->d_name[1] == '.' && e->d_name[2] == '\0')))
                    continue;
                rm_at(fd, e->d_name, depth + 1);
            }
        }
        if (unlinkat(parent, name, AT_REMOVEDIR) == 0 || errno == ENOENT) {
            close(fd);
            return 0;
        }
        if (errno != ENOTEMPTY && errno != EEXIST)
            break;
    }
    close(fd);
    return -1;
}

static int rm_tree(const char *path)
{
    return rm_at(AT_FDCWD, path, 0);
}

/* Kills the slot's child and removes its directories; the caller has blocked signals. */
static void slot_release(struct slot *sl)
{
    if (sl->pid > 0) {
        reap(sl->pid, sl->is_initdb);
        sl->pid = 0;
    }
    if (sl->extra[0]) {
        rm_tree(sl->extra);
        sl->extra[0] = '\0';
    }
    if (sl->dir[0]) {
        rm_tree(sl->dir);
        sl->dir[0] = '\0';
    }
}

void rs_pgserver_cleanup_all(void)
{
    int saved = errno;
    sigset_t old;
    block_signals(&old);
    pid_t me = getpid();
    for (int i = 0; i < SLOT_COUNT; i++) {
        struct slot *sl = &slots[i];
        if (sl->state != SLOT_BUSY || sl->owner != me)
            continue;
        slot_release(sl);
        sl->state = SLOT_CLEANED;
    }
    restore_signals(&old);
    errno = saved;
}

static void on_exit_cleanup(void)
{
    rs_pgserver_cleanup_all();
}

static void on_signal(int sig)
{
    rs_pgserver_cleanup_all();
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
    raise(sig); /* blocked until the handler returns, then the default action ends the process */
}

int rs_pgserver_install_signal_cleanup(void)
{
    static int installed;
    if (installed)
        return 0;
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        struct sigaction old, sa;
        if (sigaction(sigs[i], NULL, &old) < 0)
            return -1;
        if (old.sa_handler == SIG_IGN)
            continue;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        for (size_t j = 0; j < sizeof(sigs) / sizeof(sigs[0]); j++)
            sigaddset(&sa.sa_mask, sigs[j]);
        sa.sa_flags = SA_RESTART;
        if (sigaction(sigs[i], &sa, NULL) < 0)
            return -1;
    }
    atexit(on_exit_cleanup);
    installed = 1;
    return 0;
}

static int slot_alloc(void)
{
    sigset_t old;
    block_signals(&old);
    int found = -1;
    for (int i = 0; i < SLOT_COUNT && found < 0; i++) {
        if (slots[i].state == SLOT_FREE) {
            struct slot *sl = &slots[i];
            sl->pid = 0;
            sl->is_initdb = 0;
            sl->dir[0] = sl->extra[0] = '\0';
            sl->owner = getpid();
            sl->state = SLOT_BUSY;
            found = i;
        }
    }
    restore_signals(&old);
    return found;
}

/* Cleans up the slot if cleanup_all has not, and frees it. */
static void slot_free(int i)
{
    if (i < 0)
        return;
    sigset_t old;
    block_signals(&old);
    if (slots[i].state == SLOT_BUSY)
        slot_release(&slots[i]);
    slots[i].state = SLOT_FREE;
    restore_signals(&old);
}

static void slot_set_path(char *dst, const char *src)
{
    sigset_t old;
    block_signals(&old);
    size_t n = src ? strlen(src) : 0;
    if (n >= SLOT_PATH)
        n = SLOT_PATH - 1;
    memcpy(dst, src ? src : "", n);
    dst[n] = '\0';
    restore_signals(&old);
}

/* ---------------------------------------------------------------------------------------------
 * Small helpers
 */

struct runas {
    int drop; /* running as root: children switch to uid/gid */
    uid_t uid;
    gid_t gid;
    const char *name;
};

struct rs_pgserver {
    struct arena arena; /* the struct itself and every string below */
    int slot;
    pid_t pid;
    struct runas ra;
    char *bindir, *dir, *data, *log, *version;
    const char *cache_status;
    char **env;
    int version_num;
    double start_ms;
};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static char *join(struct arena *a, const char *dir, const char *name)
{
    return arena_printf(a, "%s/%s", dir, name);
}

static int is_exe(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

static int has_server_bins(struct arena *a, const char *dir)
{
    return is_exe(join(a, dir, "initdb")) && is_exe(join(a, dir, "postgres"));
}

static char *real_path(struct arena *a, const char *path)
{
    char *r = realpath(path, NULL);
    if (!r)
        return arena_strdup(a, path);
    char *copy = arena_strdup(a, r);
    free(r);
    return copy;
}

/* The last lines of a log file, for error messages. */
static char *log_tail(struct arena *a, const char *path, int max_lines)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return arena_strdup(a, "(no log)");
    char buf[4096];
    off_t size = lseek(fd, 0, SEEK_END);
    off_t from = size > (off_t)sizeof(buf) - 1 ? size - (off_t)sizeof(buf) + 1 : 0;
    ssize_t n = pread(fd, buf, sizeof(buf) - 1, from);
    close(fd);
    if (n <= 0)
        return arena_strdup(a, "(empty log)");
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        n--;
    buf[n] = '\0';
    char *start = buf;
    int lines = 0;
    for (char *p = buf + n; p > buf; p--) {
        if (p[-1] == '\n' && ++lines == max_lines) {
            start = p;
            break;
        }
    }
    if (start == buf && from > 0) { /* drop the cut first line */
        char *nl = strchr(buf, '\n');
        if (nl)
            start = nl + 1;
    }
    return arena_strdup(a, start);
}

static const char *exit_text(struct arena *a, const siginfo_t *info)
{
    if (info->si_code == CLD_EXITED)
        return arena_printf(a, "exit status %d", info->si_status);
    return arena_printf(a, "killed by signal %d", info->si_status);
}

/* Runs a program (no privileges dropped) and returns its standard output, or NULL. */
static char *run_capture(struct arena *a, const char *path, char *const argv[])
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int rc = posix_spawn(&pid, path, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(p[1]);
    if (rc != 0) {
        close(p[0]);
        return NULL;
    }
    struct strbuf sb;
    sb_init(&sb, a);
    char buf[1024];
    ssize_t n;
    while (sb.len < 65536 && ((n = read(p[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR)))
        if (n > 0)
            sb_addn(&sb, buf, (size_t)n);
    close(p[0]);
    int st = 0;
    pid_t r;
    while ((r = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
        ;
    if (r != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return NULL;
    while (sb.len && (sb.s[sb.len - 1] == '\n' || sb.s[sb.len - 1] == '\r'))
        sb.s[--sb.len] = '\0';
    return sb.s;
}

/* ---------------------------------------------------------------------------------------------
 * Finding the server programs
 */

static char *find_on_path(struct arena *a, const char *name)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    for (const char *p = path;;) {
        const char *end = strchr(p, ':');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len) {
            char *cand = arena_printf(a, "%.*s/%s", (int)len, p, name);
            if (is_exe(cand))
                return cand;
        }
        if (!end)
            return NULL;
        p = end + 1;
    }
}

/* The bin directory of the highest /usr/lib/postgresql/<version>/ (Debian's layout). */
static char *highest_debian_bindir(struct arena *a)
{
    DIR *dir = opendir("/usr/lib/postgresql");
    if (!dir)
        return NULL;
    char *best = NULL;
    long best_v = -1;
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        char *rest;
        long major = strtol(e->d_name, &rest, 10), minor = 0;
        if (*rest == '.')
            minor = strtol(rest + 1, &rest, 10);
        if (*rest || major > 100000)
            continue;
        char *bin = arena_printf(a, "/usr/lib/postgresql/%s/bin", e->d_name);
        if (major * 1000 + minor > best_v && has_server_bins(a, bin)) {
            best_v = major * 1000 + minor;
            best = bin;
        }
    }
    closedir(dir);
    return best;
}

char *rs_pgserver_find_bindir(struct arena *a, const char *bin_dir, struct rs_diag *d)
{
    if (bin_dir) {
        if (has_server_bins(a, bin_dir))
            return real_path(a, bin_dir);
        rs_diag_add(d, bin_dir, 0, 0,
                    "pass the directory that holds PostgreSQL's initdb and postgres programs "
                    "(on Debian: /usr/lib/postgresql/<version>/bin)",
                    "no initdb and postgres programs in this directory");
        return NULL;
    }
    char *pg_config = find_on_path(a, "pg_config");
    if (pg_config) {
        char *argv[] = {pg_config, (char *)"--bindir", NULL};
        char *dir = run_capture(a, pg_config, argv);
        if (dir && *dir && has_server_bins(a, dir))
            return real_path(a, dir);
    }
    char *dir = highest_debian_bindir(a);
    if (dir)
        return dir;
    char *initdb = find_on_path(a, "initdb");
    if (initdb) {
        char *real = real_path(a, initdb);
        char *slash = strrchr(real, '/');
        if (slash && slash != real) {
            *slash = '\0';
            if (has_server_bins(a, real))
                return real;
        }
    }
    rs_diag_add(
        d, NULL, 0, 0,
        "install the PostgreSQL server (Debian and Ubuntu: apt-get install postgresql), "
        "or pass --pg-bin DIR with the directory that holds initdb and postgres",
        "cannot find the PostgreSQL server programs (initdb and postgres): not in the "
        "directory pg_config --bindir names, not in /usr/lib/postgresql/*/bin, not on PATH");
    return NULL;
}

/* ---------------------------------------------------------------------------------------------
 * Who runs the server, and where
 */

static int resolve_runas(struct arena *a, const char *want, struct runas *ra, struct rs_diag *d)
{
    memset(ra, 0, sizeof(*ra));
    if (geteuid() != 0) {
        ra->uid = geteuid();
        ra->gid = getegid();
        return 0;
    }
    ra->drop = 1;
    /* nobody first: migrations under test run as a superuser and can reach the file system
       (COPY ... TO PROGRAM), so the server gets the account that owns the least. */
    const char *const defaults[] = {"nobody", "postgres", NULL};
    const char *const wanted[] = {want, NULL};
    const char *const *names = want ? wanted : defaults;
    long bufsize = sysconf(_SC_GETPW_R_SIZE_MAX);
    if (bufsize < 16384)
        bufsize = 16384;
    char *buf = arena_alloc(a, (size_t)bufsize);
    for (size_t i = 0; names[i]; i++) {
        struct passwd pw, *res = NULL;
        if (getpwnam_r(names[i], &pw, buf, (size_t)bufsize, &res) != 0 || !res)
            continue;
        if (res->pw_uid == 0) {
            if (want) {
                rs_diag_add(d, NULL, 0, 0, "name an unprivileged user",
                            "PostgreSQL cannot run as user %s: it has user id 0", want);
                return -1;
            }
            continue;
        }
        ra->uid = res->pw_uid;
        ra->gid = res->pw_gid;
        ra->name = arena_strdup(a, names[i]);
        return 0;
    }
    if (want)
        rs_diag_add(d, NULL, 0, 0, "name an existing unprivileged user",
                    "cannot run PostgreSQL as user %s: no such user", want);
    else
        rs_diag_add(d, NULL, 0, 0,
                    "create an unprivileged user (useradd --system postgres) or run as a "
                    "normal user",
                    "running as root, PostgreSQL must run as another user, and neither "
                    "\"nobody\" nor \"postgres\" exists");
    return -1;
}

/* Whether uid/gid can traverse every directory down to path (root ignores permissions). */
static int reachable_by(const char *path, const struct runas *ra)
{
    if (!ra->drop)
        return 1;
    char buf[PATH_MAX];
    size_t n = strlen(path);
    if (n >= sizeof(buf))
        return 0;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char saved = buf[i];
        buf[i] = '\0';
        struct stat st;
        int ok = stat(buf, &st) == 0 && S_ISDIR(st.st_mode);
        if (ok) {
            mode_t bit = st.st_uid == ra->uid ? S_IXUSR : st.st_gid == ra->gid ? S_IXGRP : S_IXOTH;
            ok = (st.st_mode & bit) != 0;
        }
        buf[i] = saved;
        if (!ok)
            return 0;
    }
    return 1;
}

/* A temporary directory's parent is usable when it is an absolute directory the server user can
   reach, with a name that needs no quoting and leaves room for the socket path. */
static const char *tmp_base_problem(const char *base, const struct runas *ra)
{
    struct stat st;
    if (base[0] != '/')
        return "it is not an absolute path";
    for (const char *p = base; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              strchr("/._-+@~", *p)))
            return "its name has characters other than letters, digits and /._-+@~";
    if (strlen(base) + sizeof("/" TMP_PREFIX "XXXXXX/.s.PGSQL.65535") >
        sizeof(((struct sockaddr_un *)0)->sun_path))
        return "the server's socket path would be too long";
    if (stat(base, &st) < 0 || !S_ISDIR(st.st_mode))
        return "it is not a directory";
    if (!reachable_by(base, ra))
        return "the server's user cannot reach it";
    return NULL;
}

static const char *choose_tmp_base(const struct rs_pgserver_opts *o, const struct runas *ra,
                                   struct rs_diag *d)
{
    const char *why;
    if (o->tmp_base) {
        if (!(why = tmp_base_problem(o->tmp_base, ra)))
            return o->tmp_base;
        rs_diag_add(d, o->tmp_base, 0, 0, "choose another directory for the scratch server",
                    "cannot put the scratch server's directory here: %s", why);
        return NULL;
    }
    const char *env = getenv("TMPDIR");
    if (env && *env && !tmp_base_problem(env, ra))
        return env;
    if (!(why = tmp_base_problem("/tmp", ra)))
        return "/tmp";
    rs_diag_add(d, "/tmp", 0, 0, "set TMPDIR to a short directory path the server can reach",
                "cannot put the scratch server's directory here: %s", why);
    return NULL;
}

/* "pid:[4026531836]": processes in another pid namespace can share /tmp but not pid numbers. */
static void pid_namespace(char *buf, size_t size)
{
    ssize_t n = readlink("/proc/self/ns/pid", buf, size - 1);
    if (n <= 0)
        n = 0;
    buf[n] = '\0';
}

static int read_small_file(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    if (n < 0)
        return -1;
    buf[n] = '\0';
    return 0;
}

/* Whether a process runs; a zombie (whose parent does not reap, as some container inits do not)
   counts as gone. */
static int process_exists(long pid)
{
    if (pid <= 0 || (kill((pid_t)pid, 0) < 0 && errno != EPERM))
        return 0;
    char path[64], text[512];
    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    if (read_small_file(path, text, sizeof(text)) < 0)
        return 1;
    const char *paren = strrchr(text, ')'); /* "pid (comm) state ..." */
    return !(paren && paren[1] == ' ' && paren[2] == 'Z');
}

/*
 * Removes the directories of earlier runs that died without cleaning up (SIGKILL): those whose
 * owner file we wrote (same user), from this pid namespace, whose owner process and postmaster are
 * both gone. A directory in use is never touched.
 */
static void sweep_stale(struct arena *a, const char *base)
{
    DIR *dir = opendir(base);
    if (!dir)
        return;
    char ns[128];
    pid_namespace(ns, sizeof(ns));
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (strncmp(e->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) != 0)
            continue;
        char *path = join(a, base, e->d_name);
        char *owner = join(a, path, OWNER_FILE);
        struct stat st;
        char text[256], their_ns[128];
        long pid;
        if (lstat(owner, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
            read_small_file(owner, text, sizeof(text)) < 0 ||
            sscanf(text, "%ld %127s", &pid, their_ns) != 2 || strcmp(their_ns, ns) != 0 ||
            pid == (long)getpid() || process_exists(pid))
            continue;
        if (read_small_file(join(a, path, "data/postmaster.pid"), text, sizeof(text)) == 0 &&
            process_exists(strtol(text, NULL, 10)))
            continue;
        rm_tree(path);
    }
    closedir(dir);
}

static char *make_tmpdir(struct arena *a, const char *base, int slot, const struct runas *ra,
                         struct rs_diag *d)
{
    char *dir = arena_printf(a, "%s/" TMP_PREFIX "XXXXXX", base);
    sigset_t old;
    block_signals(&old);
    char *made = mkdtemp(dir);
    int err = errno;
    if (made)
        slot_set_path(slots[slot].dir, made);
    restore_signals(&old);
    if (!made) {
        rs_diag_add(d, base, 0, 0, "check that the directory exists and is writable",
                    "cannot create a temporary directory: %s", strerror(err));
        return NULL;
    }
    /* The owner file stays ours (root's when root), so no other user can fake one. */
    char ns[128], text[192];
    pid_namespace(ns, sizeof(ns));
    int n = snprintf(text, sizeof(text), "%ld %s\n", (long)getpid(), ns[0] ? ns : "-");
    int fd = open(join(a, dir, OWNER_FILE), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, text, (size_t)n) != n) {
        err = errno;
        if (fd >= 0)
            close(fd);
        rs_diag_add(d, dir, 0, 0, NULL, "cannot write to the temporary directory: %s",
                    strerror(err));
        return NULL;
    }
    close(fd);
    if (ra->drop && chown(dir, ra->uid, ra->gid) < 0) {
        rs_diag_add(d, dir, 0, 0, NULL, "cannot give the temporary directory to user %s: %s",
                    ra->name, strerror(errno));
        return NULL;
    }
    return dir;
}

/* ---------------------------------------------------------------------------------------------
 * Copying a cluster (to and from the cache)
 */

/*
 * One copy of a directory tree. File creation dominates (a cluster has ~1000 files, a third of
 * them empty), so every other system call per file that can be skipped is.
 */
struct copier {
    const struct runas *owner; /* when root: give everything to the server user */
    mode_t created;            /* mode of a new file: 0600 less the umask */
    int try_clone;             /* FICLONE has not failed yet */
};

static int copy_data(struct copier *cp, int in, int out)
{
    if (cp->try_clone) { /* copy-on-write filesystems: no data copied at all */
        if (ioctl(out, FICLONE, in) == 0)
            return 0;
        cp->try_clone = 0;
    }
    for (;;) {
        ssize_t n = copy_file_range(in, NULL, out, NULL, (size_t)1 << 30, 0);
        if (n == 0)
            return 0;
        if (n > 0)
            continue;
        if (errno == EINTR)
            continue;
        if (errno != ENOSYS && errno != EXDEV && errno != EINVAL && errno != EOPNOTSUPP &&
            errno != EPERM)
            return -1;
        break;
    }
    /* copy_file_range is unavailable here: read and write from where it stopped. */
    char buf[65536];
    for (;;) {
        ssize_t n = read(in, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return (int)n;
        for (ssize_t done = 0; done < n;) {
            ssize_t w = write(out, buf + done, (size_t)(n - done));
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                return -1;
            done += w;
        }
    }
}

/* Gives fd the mode of the source (created with mode `had`) and, for a root copy, the server
   user as owner. */
static int fix_attrs(const struct copier *cp, int fd, mode_t mode, mode_t had)
{
    if ((mode & 07777) != had && fchmod(fd, mode & 07777) < 0)
        return -1;
    if (cp->owner && cp->owner->drop && fchown(fd, cp->owner->uid, cp->owner->gid) < 0)
        return -1;
    return 0;
}

/* Copies the entries of directory sfd into directory dfd. Returns 0 or -1 with errno set. */
static int copy_entries(struct copier *cp, int sfd, int dfd, int depth)
{
    if (depth > 32) {
        errno = ELOOP;
        return -1;
    }
    int dupfd = openat(sfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *dir = dupfd < 0 ? NULL : fdopendir(dupfd);
    if (!dir) {
        if (dupfd >= 0)
            close(dupfd);
        return -1;
    }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(dir))) {
        const char *name = e->d_name;
        if (!strcmp(name, ".") || !strcmp(name, ".."))
            continue;
        struct stat st;
        if (fstatat(sfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
            rc = errno == ENOENT ? 0 : -1; /* vanished meanwhile: nothing to copy */
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            int in = -1, out = -1;
            rc = -1;
            if (mkdirat(dfd, name, 0700) == 0 &&
                (in = openat(sfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0 &&
                (out = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0 &&
                fix_attrs(cp, out, st.st_mode, 0) == 0)
                rc = copy_entries(cp, in, out, depth + 1);
            int err = errno;
            if (in >= 0)
                close(in);
            if (out >= 0)
                close(out);
            errno = err;
        } else if (S_ISREG(st.st_mode)) {
            int in = -1, out = -1;
            rc = -1;
            if ((in = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) >= 0 &&
                (out = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                              0600)) >= 0 &&
                (st.st_size == 0 || copy_data(cp, in, out) == 0) &&
                fix_attrs(cp, out, st.st_mode, cp->created) == 0)
                rc = 0;
            int err = errno;
            if (in >= 0)
                close(in);
            if (out >= 0 && close(out) < 0 && rc == 0)
                rc = -1, err = errno;
            errno = err;
        } else if (S_ISLNK(st.st_mode)) {
            char target[PATH_MAX];
            ssize_t n = readlinkat(sfd, name, target, sizeof(target) - 1);
            rc = -1;
            if (n >= 0) {
                target[n] = '\0';
                if (symlinkat(target, dfd, name) == 0 &&
                    (!cp->owner || !cp->owner->drop ||
                     fchownat(dfd, name, cp->owner->uid, cp->owner->gid, AT_SYMLINK_NOFOLLOW) == 0))
                    rc = 0;
            }
        } /* sockets, fifos, devices: a cluster at rest has none */
    }
    int err = errno;
    closedir(dir);
    errno = err;
    return rc;
}

/* Copies directory src into dst, which must not exist (make_dst) or must exist and be empty. */
static int copy_tree(const char *src, const char *dst, int make_dst, const struct runas *owner)
{
    int sfd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (sfd < 0)
        return -1;
    mode_t mask = umask(0);
    umask(mask);
    struct copier cp = {owner, 0600 & ~mask, 1};
    struct stat st;
    int dfd = -1, rc = -1;
    if (fstat(sfd, &st) == 0 && (!make_dst || mkdir(dst, 0700) == 0) &&
        (dfd = open(dst, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0 &&
        fix_attrs(&cp, dfd, st.st_mode, 0) == 0)
        rc = copy_entries(&cp, sfd, dfd, 0);
    int err = errno;
    close(sfd);
    if (dfd >= 0)
        close(dfd);
    errno = err;
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * The cache of pristine clusters
 */

static int mkdir_p(struct arena *a, const char *path)
{
    char *p = arena_strdup(a, path);
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0700) < 0 && errno != EEXIST)
            return -1;
        *s = c;
        if (!c)
            break;
    }
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

static char *cache_root(struct arena *a, const struct rs_pgserver_opts *o)
{
    if (o->cache_dir)
        return real_path(a, o->cache_dir);
    const char *xdg = getenv("XDG_CACHE_HOME");
    if (xdg && xdg[0] == '/')
        return join(a, xdg, "rollsafe");
    const char *home = getenv("HOME");
    if (home && home[0] == '/')
        return join(a, home, ".cache/rollsafe");
    struct passwd pw, *res = NULL;
    char buf[16384];
    if (getpwuid_r(geteuid(), &pw, buf, sizeof(buf), &res) == 0 && res && res->pw_dir &&
        res->pw_dir[0] == '/')
        return join(a, res->pw_dir, ".cache/rollsafe");
    return NULL;
}

/*
 * The cache key: the bin directory, the identity of its postgres binary (a package upgrade, even
 * a minor one, replaces it, so the key follows the server version) and initdb's arguments.
 */
static char *cache_key(struct arena *a, const char *bindir)
{
    struct stat st;
    if (stat(join(a, bindir, "postgres"), &st) < 0)
        return NULL;
    return arena_printf(a, "%s\n%llu %llu %lld %lld.%09ld\n%s\n", bindir,
                        (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
                        (long long)st.st_size, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
                        INITDB_KEY);
}

static char *cache_entry_name(struct arena *a, const char *key)
{
    uint64_t h = 14695981039346656037ULL; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return arena_printf(a, CACHE_PREFIX "%016" PRIx64, h);
}

static int valid_cluster(struct arena *a, const char *dir)
{
    return access(join(a, dir, "PG_VERSION"), R_OK) == 0 &&
           access(join(a, dir, "global/pg_control"), R_OK) == 0;
}

/*
 * Removes what earlier runs left in the cache: half-written entries of dead processes, and
 * entries for an older build of the same bin directory (their key file names it).
 */
static void prune_cache(struct arena *a, const char *root, const char *bindir, const char *keep)
{
    DIR *dir = opendir(root);
    if (!dir)
        return;
    struct stat nsst;
    unsigned long long my_ns = stat("/proc/self/ns/pid", &nsst) == 0 ? nsst.st_ino : 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        const char *name = e->d_name;
        unsigned long long ns;
        long pid;
        if (!strncmp(name, CACHE_TMP_PREFIX, strlen(CACHE_TMP_PREFIX))) {
            if (sscanf(name + strlen(CACHE_TMP_PREFIX), "%llu-%ld-", &ns, &pid) == 2 &&
                ns == my_ns && pid != (long)getpid() && !process_exists(pid))
                rm_tree(join(a, root, name));
            continue;
        }
        size_t len = strlen(name);
        if (strncmp(name, CACHE_PREFIX, strlen(CACHE_PREFIX)) != 0 || len < 4 ||
            strcmp(name + len - 4, ".key") != 0)
            continue;
        char *entry = arena_strndup(a, name, len - 4);
        if (!strcmp(entry, keep))
            continue;
        char text[PATH_MAX + 256];
        if (read_small_file(join(a, root, name), text, sizeof(text)) < 0)
            continue;
        char *nl = strchr(text, '\n');
        if (nl)
            *nl = '\0';
        if (strcmp(text, bindir) != 0)
            continue;
        rm_tree(join(a, root, entry)); /* a run copying from it falls back to initdb */
        unlink(join(a, root, name));
    }
    closedir(dir);
}

/* Copies the cached cluster into s->data. Returns 1 on a hit, 0 on a miss, -1 when the copy
   failed (s->data is removed again). */
static int cache_fetch(struct rs_pgserver *s, const char *entry)
{
    struct arena *a = &s->arena;
    if (!valid_cluster(a, entry))
        return 0;
    if (copy_tree(entry, s->data, 1, &s->ra) == 0)
        return 1;
    s->cache_status = arena_printf(a, "unavailable: cannot copy %s: %s", entry, strerror(errno));
    rm_tree(s->data);
    return -1;
}

/* Stores s->data (fresh from initdb) as entry: copied under a temporary name, then renamed, so
   readers only ever see a complete cluster. */
static void cache_store(struct rs_pgserver *s, const char *root, const char *key,
                        const char *entry_name)
{
    struct arena *a = &s->arena;
    if (mkdir_p(a, root) < 0) {
        s->cache_status =
            arena_printf(a, "unavailable: cannot create %s: %s", root, strerror(errno));
        return;
    }
    struct stat nsst;
    unsigned long long ns = stat("/proc/self/ns/pid", &nsst) == 0 ? nsst.st_ino : 0;
    char *tmp = arena_printf(a, "%s/" CACHE_TMP_PREFIX "%llu-%ld-XXXXXX", root, ns, (long)getpid());
    sigset_t old;
    block_signals(&old);
    char *made = mkdtemp(tmp);
    int err = errno;
    if (made)
        slot_set_path(slots[s->slot].extra, made);
    restore_signals(&old);
    if (!made) {
        s->cache_status =
            arena_printf(a, "unavailable: cannot write in %s: %s", root, strerror(err));
        return;
    }
    char *entry = join(a, root, entry_name);
    char *keyfile = arena_printf(a, "%s.key", entry);
    char *keytmp = arena_printf(a, "%s.key", tmp);
    FILE *f = NULL;
    if (copy_tree(s->data, tmp, 0, NULL) < 0 || !(f = fopen(keytmp, "wxe")) || fputs(key, f) < 0 ||
        fclose(f) != 0) {
        err = errno;
        s->cache_status =
            arena_printf(a, "unavailable: cannot write in %s: %s", root, strerror(err));
    } else if (rename(keytmp, keyfile) < 0 ||
               (rename(tmp, entry) < 0 && errno != EEXIST && errno != ENOTEMPTY)) {
        s->cache_status =
            arena_printf(a, "unavailable: cannot rename in %s: %s", root, strerror(errno));
    } else {
        s->cache_status = "stored"; /* by us, or by a concurrent run that got there first */
        prune_cache(a, root, s->bindir, entry_name);
    }
    unlink(keytmp);
    rm_tree(tmp); /* ENOENT after a successful rename */
    slot_set_path(slots[s->slot].extra, "");
}

/* ---------------------------------------------------------------------------------------------
 * Running initdb and postgres
 */

struct child {
    const char *path;
    char **argv;
    char **envp;
    const char *cwd;
    int out_fd; /* becomes stdout and stderr */
    const struct runas *ra;
    int deathsig; /* sent to the child when this process dies */
};

static void child_say(const char *s)
{
    ssize_t r = write(2, s, strlen(s));
    (void)r;
}

static _Noreturn void child_fail(const char *what)
{
    int e = errno;
    char num[16];
    int i = (int)sizeof(num) - 1;
    num[i] = '\0';
    do
        num[--i] = (char)('0' + e % 10);
    while ((e /= 10) > 0 && i > 0);
    child_say("rollsafe: ");
    child_say(what);
    child_say(" (errno ");
    child_say(num + i);
    child_say(")\n");
    _exit(127);
}

/* Starts a child in its own process group and records it in the slot before any signal can be
   handled. Returns the pid or -1 with errno set. */
static pid_t spawn_child(const struct child *c, int slot, int is_initdb)
{
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull < 0)
        return -1;
    pid_t parent = getpid();
    sigset_t old;
    block_signals(&old);
    pid_t pid = fork();
    if (pid == 0) {
        /* The child: only async-signal-safe calls from here to exec. */
        static const int reset[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGPIPE};
        struct sigaction dfl;
        memset(&dfl, 0, sizeof(dfl));
        dfl.sa_handler = SIG_DFL;
        for (size_t i = 0; i < sizeof(reset) / sizeof(reset[0]); i++)
            sigaction(reset[i], &dfl, NULL);
        setpgid(0, 0); /* Ctrl-C in a terminal reaches us, not the server: we stop it */
        if (dup2(devnull, 0) < 0 || dup2(c->out_fd, 1) < 0 || dup2(c->out_fd, 2) < 0)
            _exit(127);
#ifdef SYS_close_range
        syscall(SYS_close_range, 3U, ~0U, 0U);
#endif
        if (c->ra->drop) {
            /* EPERM: a user namespace that denies setgroups, with no other groups mapped. */
            if (setgroups(1, &c->ra->gid) < 0 && errno != EPERM)
                child_fail("cannot drop supplementary groups");
            if (setgid(c->ra->gid) < 0 || setuid(c->ra->uid) < 0)
                child_fail("cannot switch to the server's user");
            if (getuid() == 0 || geteuid() == 0)
                child_fail("still root after switching user");
        }
        /* After setuid, which clears it. The postmaster treats SIGQUIT as immediate shutdown. */
        prctl(PR_SET_PDEATHSIG, c->deathsig);
        if (getppid() != parent)
            _exit(127);
        if (chdir(c->cwd) < 0)
            child_fail("cannot enter the temporary directory");
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execve(c->path, c->argv, c->envp);
        child_fail("cannot run the program");
    }
    int err = errno;
    if (pid > 0) {
        slots[slot].is_initdb = is_initdb;
        slots[slot].pid = pid;
    }
    restore_signals(&old);
    close(devnull);
    errno = err;
    return pid;
}

/* Waits for a child to exit without reaping it (so its pid cannot be reused while the slot
   names it), or only checks when nohang. Returns 1 if it exited, 0 if not, -1 on error. */
static int child_exited(pid_t pid, siginfo_t *info, int nohang)
{
    memset(info, 0, sizeof(*info));
    while (waitid(P_PID, (id_t)pid, info, WEXITED | WNOWAIT | (nohang ? WNOHANG : 0)) < 0) {
        if (errno != EINTR)
            return -1;
    }
    return info->si_pid == pid;
}

/* Reaps an exited child and forgets it, with signals blocked. */
static void child_forget(int slot, pid_t pid)
{
    sigset_t old;
    block_signals(&old);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    slots[slot].pid = 0;
    restore_signals(&old);
}

static int open_log(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd >= 0 && fd <= 2) { /* stdio closed in this process: keep the log off fds 0-2 */
        int moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        close(fd);
        fd = moved;
    }
    return fd;
}

static char **child_env(struct arena *a, const char *bindir)
{
    char **env = arena_alloc(a, 8 * sizeof(char *));
    int n = 0;
    env[n++] = arena_printf(a, "PATH=%s:/usr/bin:/bin", bindir);
    env[n++] = (char *)"LC_ALL=C";
    env[n++] = (char *)"LANG=C";
    env[n++] = (char *)"TZ=UTC";
    const char *ld = getenv("LD_LIBRARY_PATH"); /* a server built into its own prefix */
    if (ld)
        env[n++] = arena_printf(a, "LD_LIBRARY_PATH=%s", ld);
    env[n] = NULL;
    return env;
}

static int run_initdb(struct rs_pgserver *s, struct rs_diag *d)
{
    struct arena *a = &s->arena;
    char *log = join(a, s->dir, "initdb.log");
    int fd = open_log(log);
    if (fd < 0) {
        rs_diag_add(d, log, 0, 0, NULL, "cannot create the initdb log: %s", strerror(errno));
        return -1;
    }
    const char *argv[] = {join(a, s->bindir, "initdb"), "-D", s->data, INITDB_ARGS, NULL};
    struct child c = {argv[0], (char **)argv, s->env, s->dir, fd, &s->ra, SIGKILL};
    pid_t pid = spawn_child(&c, s->slot, 1);
    int err = errno;
    close(fd);
    if (pid < 0) {
        rs_diag_add(d, NULL, 0, 0, NULL, "cannot start initdb: %s", strerror(err));
        return -1;
    }
    siginfo_t info;
    if (child_exited(pid, &info, 0) < 0) { /* ECHILD: SIGCHLD is ignored, or it was reaped */
        rs_diag_add(d, NULL, 0, 0, NULL, "cannot wait for initdb: %s", strerror(errno));
        return -1;
    }
    child_forget(s->slot, pid);
    if (info.si_code == CLD_EXITED && info.si_status == 0)
        return 0;
    rs_diag_add(d, NULL, 0, 0,
                "see the lines above; --pg-bin DIR chooses another PostgreSQL installation",
                "initdb failed (%s); the end of its output:\n%s", exit_text(a, &info),
                log_tail(a, log, 15));
    return -1;
}

static void add_conninfo_value(struct strbuf *sb, const char *v)
{
    sb_addc(sb, '\'');
    for (const char *p = v; *p; p++) {
        if (*p == '\'' || *p == '\\')
            sb_addc(sb, '\\');
        sb_addc(sb, *p);
    }
    sb_addc(sb, '\'');
}

char *rs_pgserver_conninfo(const struct rs_pgserver *s, struct arena *a, const char *dbname)
{
    struct strbuf sb;
    sb_init(&sb, a);
    sb_add(&sb, "host=");
    add_conninfo_value(&sb, s->dir);
    sb_printf(&sb, " port=%d user=" RS_PGSERVER_USER " dbname=", RS_PGSERVER_PORT);
    add_conninfo_value(&sb, dbname ? dbname : "postgres");
    return sb.s;
}

static int start_postgres(struct rs_pgserver *s, const struct rs_pgserver_opts *o,
                          struct rs_diag *d)
{
    struct arena *a = &s->arena;
    size_t nset = 0;
    while (o->settings && o->settings[nset])
        nset++;
    char **argv = arena_alloc(a, (4 + 2 * (nset + 16)) * sizeof(char *));
    size_t n = 0;
    argv[n++] = join(a, s->bindir, "postgres");
    argv[n++] = (char *)"-D";
    argv[n++] = s->data;
    /* Speed over durability: the cluster is thrown away. The caller's settings may change
       these ... */
    static const char *const fast[] = {"fsync=off", "synchronous_commit=off",
                                       "full_page_writes=off", "autovacuum=off", "huge_pages=off"};
    for (size_t i = 0; i < sizeof(fast) / sizeof(fast[0]); i++) {
        argv[n++] = (char *)"-c";
        argv[n++] = (char *)fast[i];
    }
    for (size_t i = 0; i < nset; i++) {
        argv[n++] = (char *)"-c";
        argv[n++] = (char *)o->settings[i];
    }
    /* ... but not these, which come last and so win: no TCP, the socket in our directory. */
    argv[n++] = (char *)"-c";
    argv[n++] = (char *)"listen_addresses=";
    argv[n++] = (char *)"-c";
    argv[n++] = arena_printf(a, "unix_socket_directories=%s", s->dir);
    argv[n++] = (char *)"-c";
    argv[n++] = arena_printf(a, "port=%d", RS_PGSERVER_PORT);
    argv[n] = NULL;

    int fd = open_log(s->log);
    if (fd < 0) {
        rs_diag_add(d, s->log, 0, 0, NULL, "cannot create the server log: %s", strerror(errno));
        return -1;
    }
    struct child c = {argv[0], argv, s->env, s->dir, fd, &s->ra, SIGQUIT};
    s->pid = spawn_child(&c, s->slot, 0);
    int err = errno;
    close(fd);
    if (s->pid < 0) {
        rs_diag_add(d, NULL, 0, 0, NULL, "cannot start postgres: %s", strerror(err));
        return -1;
    }
    return 0;
}

static int wait_ready(struct rs_pgserver *s, const struct rs_pgserver_opts *o, struct rs_diag *d)
{
    struct arena *a = &s->arena;
    int timeout = o->start_timeout_ms > 0 ? o->start_timeout_ms : 60000;
    char *ping = arena_printf(a, "%s connect_timeout=5", rs_pgserver_conninfo(s, a, "postgres"));
    double deadline = now_ms() + timeout;
    long step = 1;
    for (;;) {
        siginfo_t info;
        if (child_exited(s->pid, &info, 1) == 1) {
            rs_diag_add(d, NULL, 0, 0, "see the server log lines above",
                        "PostgreSQL exited while starting (%s); the end of its log:\n%s",
                        exit_text(a, &info), log_tail(a, s->log, 15));
            return -1;
        }
        PGPing p = PQping(ping);
        if (p == PQPING_OK)
            break;
        if (p == PQPING_NO_ATTEMPT) {
            rs_diag_add(d, NULL, 0, 0, NULL, "cannot connect to the scratch server: bad conninfo");
            return -1;
        }
        if (now_ms() > deadline) {
            rs_diag_add(d, NULL, 0, 0,
                        "a slow machine may need a longer start timeout; the server log says why",
                        "PostgreSQL did not accept connections within %d ms; the end of its "
                        "log:\n%s",
                        timeout, log_tail(a, s->log, 15));
            return -1;
        }
        sleep_ms(step);
        if (step < 16)
            step *= 2;
    }
    PGconn *c = rs_pg_connect(rs_pgserver_conninfo(s, a, "postgres"), 5, d);
    if (!c)
        return -1;
    s->version_num = rs_pg_server_version_num(c);
    PQfinish(c);
    int v = s->version_num;
    s->version = v >= 100000 ? arena_printf(a, "%d.%d", v / 10000, v % 10000)
                             : arena_printf(a, "%d.%d.%d", v / 10000, v / 100 % 100, v % 100);
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * The public functions
 */

struct rs_pgserver *rs_pgserver_start(const struct rs_pgserver_opts *opts, struct rs_diag *d)
{
    static const struct rs_pgserver_opts defaults;
    const struct rs_pgserver_opts *o = opts ? opts : &defaults;
    double t0 = now_ms();
    if (rs_pg_load(d) < 0) /* PQping tells when the server is up */
        return NULL;
    /* The server lives in its own arena, which then holds every string of it. */
    struct arena own = ARENA_INIT;
    struct rs_pgserver *s = arena_alloc(&own, sizeof(*s));
    s->arena = own;
    struct arena *a = &s->arena;
    s->slot = -1;
    s->cache_status = "off";
    const char *base;
    char *root = NULL, *key = NULL, *entry_name = NULL;
    int hit = 0;
    if (!(s->bindir = rs_pgserver_find_bindir(a, o->bin_dir, d)) ||
        resolve_runas(a, o->run_as, &s->ra, d) < 0 || !(base = choose_tmp_base(o, &s->ra, d)))
        goto fail;
    sweep_stale(a, base);
    if ((s->slot = slot_alloc()) < 0) {
        rs_diag_add(d, NULL, 0, 0, "stop a scratch server before starting another",
                    "too many scratch servers running in this process (%d)", SLOT_COUNT);
        goto fail;
    }
    if (!(s->dir = make_tmpdir(a, base, s->slot, &s->ra, d)))
        goto fail;
    s->data = join(a, s->dir, "data");
    s->log = join(a, s->dir, "server.log");
    s->env = child_env(a, s->bindir);

    if (!o->no_cache) {
        root = cache_root(a, o);
        key = cache_key(a, s->bindir);
        if (!root || !key) {
            s->cache_status = root ? "unavailable: cannot identify the postgres binary"
                                   : "unavailable: no cache directory (set XDG_CACHE_HOME)";
            root = NULL;
        } else {
            entry_name = cache_entry_name(a, key);
            hit = cache_fetch(s, join(a, root, entry_name));
            if (hit == 1)
                s->cache_status = "hit";
        }
    }
    if (hit != 1) {
        if (run_initdb(s, d) < 0)
            goto fail;
        if (root && hit == 0)
            cache_store(s, root, key, entry_name);
    }
    if (start_postgres(s, o, d) < 0 || wait_ready(s, o, d) < 0)
        goto fail;
    s->start_ms = now_ms() - t0;
    return s;
fail:
    slot_free(s->slot);
    own = s->arena;
    arena_free(&own); /* s itself is in it */
    return NULL;
}

int rs_pgserver_stop(struct rs_pgserver *s, struct rs_diag *d)
{
    if (!s)
        return 0;
    slot_free(s->slot);
    int rc = 0;
    if (access(s->dir, F_OK) == 0 || errno != ENOENT) {
        if (d)
            rs_diag_add(d, s->dir, 0, 0, "remove it by hand",
                        "cannot remove the scratch server's directory");
        rc = -1;
    }
    struct arena own = s->arena;
    arena_free(&own); /* s itself is in it */
    return rc;
}

int rs_pgserver_version_num(const struct rs_pgserver *s)
{
    return s->version_num;
}

const char *rs_pgserver_version(const struct rs_pgserver *s)
{
    return s->version;
}

int rs_pgserver_pid(const struct rs_pgserver *s)
{
    return (int)s->pid;
}

const char *rs_pgserver_dir(const struct rs_pgserver *s)
{
    return s->dir;
}

const char *rs_pgserver_log_path(const struct rs_pgserver *s)
{
    return s->log;
}

const char *rs_pgserver_cache_status(const struct rs_pgserver *s)
{
    return s->cache_status;
}

double rs_pgserver_start_ms(const struct rs_pgserver *s)
{
    return s->start_ms;
}
