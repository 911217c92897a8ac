/*
 * server.h - a disposable PostgreSQL server for drills: found, started, stopped and removed.
 *
 * rs_pgserver_start() finds the server binaries, makes a fresh temporary directory, fills it with
 * a new cluster (a copy of a cached pristine cluster when there is one, else initdb) and runs
 * postgres there, listening on a Unix socket inside that directory only: no TCP port, trust
 * authentication, durability switched off. As root it runs the server as an unprivileged user,
 * because PostgreSQL refuses to run as root. rs_pgserver_stop() kills the server (immediate
 * shutdown) and removes the directory.
 *
 * Every running server and every directory being built is also listed in a small process-wide
 * registry, the one piece of global state in the library: rs_pgserver_cleanup_all() walks it and
 * is safe to call from a signal handler, and rs_pgserver_install_signal_cleanup() arranges for it
 * to run on SIGINT, SIGTERM, SIGHUP and exit().
 *
 * This module does not create databases or run SQL beyond what it needs to know that the server is
 * up: see conn.h. It never prints and never exits. Linux only (getdents64, prctl, close_range).
 */
#ifndef RS_PG_SERVER_H
#define RS_PG_SERVER_H

#include <stdbool.h>

#include "rollsafe/diag.h"

struct arena;
struct rs_pgserver;

struct rs_pgserver_opts {
    /* Directory that holds initdb and postgres (--pg-bin); NULL: look for them (see
       rs_pgserver_find_bindir). */
    const char *bin_dir;
    /* Parent of the temporary directory. NULL: $TMPDIR, or /tmp when $TMPDIR is unset or unusable
       (the server's user cannot reach it, or the socket path would be too long). An unusable
       tmp_base is an error. */
    const char *tmp_base;
    /* Where pristine clusters are cached; NULL: $XDG_CACHE_HOME/rollsafe, else
       $HOME/.cache/rollsafe. A cache that cannot be created is skipped, not an error. */
    const char *cache_dir;
    bool no_cache; /* always run initdb, never read or write the cache */
    /* When running as root: the user that runs the server. NULL: "nobody", else "postgres". */
    const char *run_as;
    /* Extra server settings, "name=value" each, passed as -c options; NULL-terminated, or NULL. */
    const char *const *settings;
    int start_timeout_ms; /* how long to wait for connections to be accepted; 0: 60000 */
};

/* The bootstrap superuser of every scratch cluster, and the socket's port number. */
#define RS_PGSERVER_USER "rollsafe"
#define RS_PGSERVER_PORT 5432

/*
 * Finds the directory holding initdb and postgres: bin_dir when not NULL (it must hold both),
 * else `pg_config --bindir` when it holds initdb, else the highest /usr/lib/postgresql/<v>/bin,
 * else the directory of an initdb found on PATH. Returns the directory allocated in a, or NULL
 * with an rs_error whose hint names the Debian package.
 */
char *rs_pgserver_find_bindir(struct arena *a, const char *bin_dir, struct rs_diag *d);

/*
 * Starts a scratch server as described at the top of this file. opts may be NULL (all defaults).
 * The caller must not ignore SIGCHLD (the server's children are waited for).
 * Returns the running server, owned by the caller until rs_pgserver_stop(); on failure returns
 * NULL with one rs_error in d (a startup failure quotes the tail of the server log), having
 * stopped whatever it started and removed its temporary directory.
 */
struct rs_pgserver *rs_pgserver_start(const struct rs_pgserver_opts *opts, struct rs_diag *d);

/*
 * Stops the server (immediate shutdown, SIGKILL if it has not exited within a few seconds), waits
 * for it, removes its temporary directory and frees s. s may be NULL. Returns 0 when nothing is
 * left behind, -1 when something could not be removed (an rs_error in d if d is not NULL). Safe
 * after rs_pgserver_cleanup_all() already did the work.
 */
int rs_pgserver_stop(struct rs_pgserver *s, struct rs_diag *d);

/*
 * A libpq conninfo string ("host=... port=... user=... dbname=...") for database dbname (NULL:
 * postgres) on the server, allocated in a. Never fails.
 */
char *rs_pgserver_conninfo(const struct rs_pgserver *s, struct arena *a, const char *dbname);

/* PQserverVersion() of the server, e.g. 150014. */
int rs_pgserver_version_num(const struct rs_pgserver *s);
/* The version as "major.minor", e.g. "15.14"; valid until rs_pgserver_stop(). */
const char *rs_pgserver_version(const struct rs_pgserver *s);
/* The postmaster's process id. */
int rs_pgserver_pid(const struct rs_pgserver *s);
/* The temporary directory (socket directory; the cluster is its "data" subdirectory) and the
   server log file; valid until rs_pgserver_stop(). */
const char *rs_pgserver_dir(const struct rs_pgserver *s);
const char *rs_pgserver_log_path(const struct rs_pgserver *s);
/* "hit" (copied from the cache), "stored" (initdb ran and the result was cached), "off", or
   "unavailable: <reason>" (initdb ran, the cache could not be used). Valid until stop. */
const char *rs_pgserver_cache_status(const struct rs_pgserver *s);
/* Milliseconds rs_pgserver_start() took, from the call until the server accepted a connection. */
double rs_pgserver_start_ms(const struct rs_pgserver *s);

/*
 * Kills every server this process started and has not stopped (and every initdb still running),
 * waits for them and removes their directories and half-written cache entries. Uses only
 * async-signal-safe calls, so a signal handler may call it; does nothing in a forked child.
 * Servers cleaned this way must still be passed to rs_pgserver_stop() to free them, unless the
 * process is about to end.
 */
void rs_pgserver_cleanup_all(void);

/*
 * Installs rs_pgserver_cleanup_all() as an atexit() function and as the handler of SIGINT,
 * SIGTERM and SIGHUP (signals that are ignored stay ignored). The handler cleans up, restores
 * the default action and raises the signal again, so the process still dies of it. Call once from
 * main() before starting servers; later calls do nothing. Returns 0, or -1 if sigaction failed.
 */
int rs_pgserver_install_signal_cleanup(void);

#endif
