/*
 * drill.c - the drill's orchestration: a server (started or named), a history database replayed
 * one migration at a time, and for each migration under test a copy of the history to seed,
 * snapshot, migrate up, query, migrate down, compare and migrate up again; the crash drill on a
 * second copy; the observed verdict and check's prediction side by side.
 *
 * Databases. Every database the drill works in is one it created in this run, with a name no
 * one else uses (rollsafe_<pid>_<random>_<what>), and is dropped before rs_drill_run() returns.
 * With --database the connection only creates and drops databases and watches pg_locks: nothing
 * runs in the database the URL names, and any connection the drill opens checks that it is in one
 * of its own databases before it runs anything. Copies are made with CREATE DATABASE ... TEMPLATE
 * (STRATEGY FILE_COPY on the embedded server, PostgreSQL 15 and later: faster on tmpfs).
 *
 * Memory: the result arena owns everything the result points to; a scratch arena per migration
 * holds snapshots and seed plans and is freed when the migration is done.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "pg/drill_int.h"
#include "pg/server.h"
#include "rollsafe/rollsafe.h"

struct drill_result_owner {
    struct rs_drill_result r;
    struct arena arena;
};

struct run {
    const struct rs_drill_opts *o;
    struct arena *a; /* result arena */
    struct rs_diag *diag;
    struct rs_drill_result *res;
    struct rs_pgserver *server;
    PQconninfoOption *url_opts; /* --database, parsed */
    PGconn *maint;              /* creates and drops databases; monitors the runner */
    const char *prefix;         /* rollsafe_<pid>_<hex> */
    VEC(const char *) created;  /* databases this run created and has not dropped */
    const char *history;        /* the history database: migrations only, no generated rows */
    /* The seeded history: the history with generated rows, topped up with rows for every new
       table as migrations are applied to it; NULL until needed and after an up failed on it. */
    const char *seeded;
    int seeded_gen;
    long long seeded_refused;
    VEC(const char *) refusals; /* why rows were refused, per table and seeding */
    unsigned *seeded_oids;      /* tables already seeded */
    size_t nseeded_oids;
    struct rs_migration_list ml;
    const struct rs_layout *layout;
    struct rs_stmt_list *up, *down; /* parsed, per migration */
    struct prevq *prev;
    struct rs_check_result *check;
    int rows;
};

void rs_drill_opts_init(struct rs_drill_opts *o)
{
    memset(o, 0, sizeof(*o));
}

const char *rs_drill_verdict_name(const struct rs_drill_migration *m)
{
    if (m->outcome == RS_DRILL_UP_FAILED)
        return "up-failed";
    if (m->outcome == RS_DRILL_NOT_RUN)
        return "not-run";
    return rs_verdict_name(m->verdict);
}

static void progress(struct run *R, size_t index, const struct rs_migration *m, const char *step)
{
    if (!R->o->progress)
        return;
    struct rs_drill_progress p = {index, R->ml.n, m ? m->id : NULL, m ? m->name : NULL, step};
    R->o->progress(R->o->progress_arg, &p);
}

static bool interrupted(const struct run *R)
{
    return R->o->interrupted && *R->o->interrupted;
}

/* ---------------------------------------------------------------- connections and databases */

static void add_conninfo_value(struct strbuf *sb, const char *key, const char *val)
{
    sb_printf(sb, "%s%s='", sb->len ? " " : "", key);
    for (const char *p = val; *p; p++) {
        if (*p == '\'' || *p == '\\')
            sb_addc(sb, '\\');
        sb_addc(sb, *p);
    }
    sb_addc(sb, '\'');
}

/* A conninfo for database dbname (NULL: the maintenance database). */
static const char *conninfo(struct run *R, const char *dbname)
{
    if (R->server)
        return rs_pgserver_conninfo(R->server, R->a, dbname);
    struct strbuf sb;
    sb_init(&sb, R->a);
    for (PQconninfoOption *o = R->url_opts; o->keyword; o++) {
        if (!o->val || !*o->val || !strcmp(o->keyword, "dbname"))
            continue;
        add_conninfo_value(&sb, o->keyword, o->val);
    }
    if (dbname)
        add_conninfo_value(&sb, "dbname", dbname);
    else
        for (PQconninfoOption *o = R->url_opts; o->keyword; o++)
            if (!strcmp(o->keyword, "dbname") && o->val && *o->val)
                add_conninfo_value(&sb, "dbname", o->val);
    return sb.s;
}

/* The URL as shown in reports: every setting but the password. */
static const char *url_display(struct run *R)
{
    struct strbuf sb;
    sb_init(&sb, R->a);
    for (PQconninfoOption *o = R->url_opts; o->keyword; o++) {
        if (!o->val || !*o->val || !strcmp(o->keyword, "password") ||
            !strcmp(o->keyword, "passfile") || !strcmp(o->keyword, "sslpassword"))
            continue;
        if (!strcmp(o->keyword, "host") || !strcmp(o->keyword, "hostaddr") ||
            !strcmp(o->keyword, "port") || !strcmp(o->keyword, "user") ||
            !strcmp(o->keyword, "dbname"))
            add_conninfo_value(&sb, o->keyword, o->val);
    }
    return sb.s;
}

static bool is_own(struct run *R, const char *db)
{
    for (size_t i = 0; i < R->created.n; i++)
        if (!strcmp(R->created.v[i], db))
            return true;
    return false;
}

/* Connects to one of the run's own databases and checks that it is one. */
static PGconn *connect_own(struct run *R, const char *db, const char **why)
{
    struct arena tmp = ARENA_INIT;
    struct rs_diag d;
    rs_diag_init(&d, &tmp);
    *why = NULL;
    if (!is_own(R, db)) {
        *why = arena_printf(R->a, "refusing to run in database \"%s\": rollsafe did not create it",
                            db);
        arena_free(&tmp);
        return NULL;
    }
    PGconn *c = rs_pg_connect(conninfo(R, db), 30, &d);
    if (!c) {
        *why = arena_strdup(R->a, d.n ? d.v[0].message : "cannot connect");
        arena_free(&tmp);
        return NULL;
    }
    arena_free(&tmp);
    char *cur = NULL;
    struct rs_pg_error err;
    if (rs_pg_query_value(c, R->a, "SELECT current_database()", &cur, &err) < 0 || !cur ||
        !is_own(R, cur)) {
        *why = arena_printf(R->a, "refusing to run in database \"%s\": rollsafe did not create it",
                            cur ? cur : "?");
        PQfinish(c);
        return NULL;
    }
    char set[64];
    snprintf(set, sizeof(set), "SET statement_timeout = '%ds'",
             R->o->statement_timeout_s > 0 ? R->o->statement_timeout_s : 300);
    rs_pg_exec(c, R->a, set, &err);
    return c;
}

static int backend_pid(PGconn *c)
{
    return PQbackendPID(c);
}

/* Creates database name (as a copy of template when not NULL) and records it as the run's own. */
static int create_db(struct run *R, const char *name, const char *template_name, const char **why)
{
    struct strbuf sb;
    sb_init(&sb, R->a);
    sb_add(&sb, "CREATE DATABASE ");
    sb_add_quoted_ident(&sb, name);
    if (template_name) {
        sb_add(&sb, " TEMPLATE ");
        sb_add_quoted_ident(&sb, template_name);
        if (R->server && PQserverVersion(R->maint) >= 150000)
            sb_add(&sb, " STRATEGY FILE_COPY");
    }
    struct rs_pg_error err;
    /* Recorded first: if the command succeeds but the answer is lost, it is still dropped. */
    *VEC_PUSH(R->a, &R->created) = arena_strdup(R->a, name);
    if (rs_pg_exec(R->maint, R->a, sb.s, &err) < 0) {
        R->created.n--;
        *why = arena_printf(R->a, "cannot create the scratch database %s: %s", name, err.message);
        return -1;
    }
    return 0;
}

static void drop_db(struct run *R, const char *name)
{
    for (size_t i = 0; i < R->created.n; i++) {
        if (strcmp(R->created.v[i], name) != 0)
            continue;
        struct rs_pg_error err;
        rs_pg_drop_database(R->maint, R->a, name, &err);
        R->created.v[i] = R->created.v[--R->created.n];
        return;
    }
}

static const char *db_name(struct run *R, size_t k, char what)
{
    return arena_printf(R->a, "%s_%c%zu", R->prefix, what, k);
}

/* ---------------------------------------------------------------- the server */

/* /dev/shm when it is a writable tmpfs with room; NULL otherwise. See docs/drill.md. */
static const char *preferred_tmp(const struct rs_drill_opts *o)
{
    if (o->tmp_dir)
        return o->tmp_dir;
    const char *env = getenv("TMPDIR");
    if (env && *env)
        return NULL;
    struct statvfs vfs;
    if (access("/dev/shm", W_OK | X_OK) != 0 || statvfs("/dev/shm", &vfs) != 0)
        return NULL;
    unsigned long long free_bytes = (unsigned long long)vfs.f_bavail * vfs.f_frsize;
    unsigned long long need = 512ULL << 20;
    if (o->rows > 10000)
        need += (unsigned long long)o->rows * 4096; /* rough: a few KB per row over all tables */
    return free_bytes >= need ? "/dev/shm" : NULL;
}

static int start_server(struct run *R)
{
    struct rs_pgserver_opts so = {.bin_dir = R->o->pg_bin, .cache_dir = R->o->cache_dir};
    /* Dynamic shared memory in the data directory: an immediate shutdown does not remove POSIX
       segments from /dev/shm, and the data directory is removed anyway. */
    static const char *const settings[] = {"max_wal_size=256MB", "checkpoint_timeout=30min",
                                           "dynamic_shared_memory_type=mmap", NULL};
    so.settings = settings;
    so.tmp_base = preferred_tmp(R->o);
    size_t nerr = R->diag->n;
    R->server = rs_pgserver_start(&so, R->diag);
    if (!R->server && so.tmp_base && !R->o->tmp_dir) {
        /* /dev/shm did not work out (not reachable by the server's user, ...): the default. */
        R->diag->n = nerr;
        so.tmp_base = NULL;
        R->server = rs_pgserver_start(&so, R->diag);
    }
    if (!R->server)
        return -1;
    const char *dir = rs_pgserver_dir(R->server);
    const char *slash = strrchr(dir, '/');
    R->res->server_ms = rs_pgserver_start_ms(R->server);
    R->res->server =
        arena_printf(R->a, "embedded PostgreSQL %s in %.*s (cache %s, started in %.0f ms)",
                     rs_pgserver_version(R->server), slash && slash != dir ? (int)(slash - dir) : 1,
                     dir, rs_pgserver_cache_status(R->server), R->res->server_ms);
    R->maint = rs_pg_connect(rs_pgserver_conninfo(R->server, R->a, NULL), 30, R->diag);
    return R->maint ? 0 : -1;
}

static int connect_url(struct run *R)
{
    char *errmsg = NULL;
    R->url_opts = PQconninfoParse(R->o->database_url, &errmsg);
    if (!R->url_opts) {
        rs_diag_add(R->diag, NULL, 0, 0, "give a libpq connection string or a postgresql:// URL",
                    "--database: %s", errmsg ? errmsg : "cannot parse the connection string");
        PQfreemem(errmsg);
        return -1;
    }
    R->res->server = url_display(R);
    R->maint = rs_pg_connect(conninfo(R, NULL), 30, R->diag);
    if (!R->maint)
        return -1;
    char *can = NULL;
    struct rs_pg_error err;
    if (rs_pg_query_value(R->maint, R->a,
                          "SELECT rolcreatedb OR rolsuper FROM pg_catalog.pg_roles "
                          "WHERE rolname = current_user",
                          &can, &err) < 0 ||
        !can || strcmp(can, "t") != 0) {
        rs_diag_add(R->diag, NULL, 0, 0,
                    "the drill creates its own scratch databases and drops them; give it a role "
                    "with CREATEDB (ALTER ROLE name CREATEDB) on a server that is not production",
                    "--database: the role cannot create databases");
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- steps */

/* The rows a drill copy holds: the rich generated rows of the seeded history (or --seed FILE);
   one ordinary row per table, when the up refuses the rich rows; none, when it refuses those too.
 */
enum seed_mode { SEED_NONE, SEED_PLAIN, SEED_RICH };

struct attempt {
    struct arena *scratch;
    enum seed_mode seed;   /* which rows the copy holds */
    struct rs_snapshot s0; /* before up */
    PGconn *c;
    const char *db;
};

static void exec_env_init(struct run *R, struct exec_env *e, struct attempt *at,
                          const struct rs_snapshot *before)
{
    memset(e, 0, sizeof(*e));
    e->a = R->a;
    e->c = at->c;
    e->pid = backend_pid(at->c);
    e->mon = R->maint;
    e->conninfo = conninfo(R, at->db);
    e->before = before;
    e->statement_timeout_s = R->o->statement_timeout_s;
    e->interrupted = R->o->interrupted;
}

/* Runs --seed FILE (each statement on its own; failures counted). */
static int run_seed_file(struct run *R, struct attempt *at, struct rs_drill_migration *dm)
{
    struct rs_diag d;
    rs_diag_init(&d, at->scratch);
    struct rs_source *src = rs_source_load(at->scratch, R->o->seed_file, &d);
    if (!src) {
        dm->seed_note = arena_printf(R->a, "--seed %s: %s", R->o->seed_file,
                                     d.n ? d.v[0].message : "cannot read");
        return 0;
    }
    struct rs_script s;
    rs_script_whole(&s, src);
    struct rs_stmt_list stmts = {0};
    rs_sql_parse_script(at->scratch, &s, &stmts);
    long long failed = 0;
    for (size_t i = 0; i < stmts.n; i++) {
        struct rs_pg_error err;
        const char *sql = arena_strndup(at->scratch, s.text + stmts.v[i].offset, stmts.v[i].len);
        if (rs_pg_exec(at->c, at->scratch, sql, &err) < 0) {
            if (PQstatus(at->c) != CONNECTION_OK)
                return -1;
            failed++;
            if (PQtransactionStatus(at->c) != PQTRANS_IDLE)
                rs_pg_exec(at->c, at->scratch, "ROLLBACK", &err);
        }
    }
    dm->seed_failed = failed;
    if (failed)
        dm->seed_note = arena_printf(R->a, "%lld of %zu statements of %s failed", failed, stmts.n,
                                     R->o->seed_file);
    return 0;
}

static int seed(struct run *R, struct attempt *at, struct rs_drill_migration *dm,
                struct seed_plan **plan)
{
    struct rs_pg_error err;
    *plan = seed_plan_read(at->c, at->scratch, &err);
    if (!*plan)
        return -1;
    if (at->seed == SEED_NONE)
        return 0;
    dm->seeded = true;
    if (at->seed == SEED_PLAIN) {
        struct seed_stats st;
        if (seed_run(at->c, at->scratch, *plan, 1, SEED_PLAIN_ROWS, NULL, 0, &st, &err) < 0)
            return -1;
        dm->seed_failed = st.failed;
        dm->seed_refusals = NULL;
        dm->nseed_refusals = 0;
        return 0;
    }
    if (R->o->seed_file)
        return run_seed_file(R, at, dm);
    /* The rows are already there: the copy was made from the seeded history. */
    dm->seed_failed = R->seeded_refused;
    dm->seed_refusals = R->refusals.v;
    dm->nseed_refusals = R->refusals.n;
    return 0;
}

/* Seeds the tables of the seeded history that have no generated rows yet. */
static int top_up(struct run *R, const char **why)
{
    PGconn *c = connect_own(R, R->seeded, why);
    if (!c)
        return -1;
    struct arena tmp = ARENA_INIT;
    struct rs_pg_error err = {0};
    struct seed_plan *p = seed_plan_read(c, &tmp, &err);
    /* Tables seeded before are left alone, unless a migration emptied them. */
    unsigned *empty = NULL, *skip = arena_alloc(&tmp, (R->nseeded_oids + 1) * sizeof(unsigned));
    size_t nempty = 0, nskip = 0;
    if (p && seed_empty_tables(c, &tmp, p, &empty, &nempty) < 0)
        p = NULL;
    for (size_t i = 0; p && i < R->nseeded_oids; i++) {
        bool is_empty = false;
        for (size_t j = 0; j < nempty && !is_empty; j++)
            is_empty = empty[j] == R->seeded_oids[i];
        if (!is_empty)
            skip[nskip++] = R->seeded_oids[i];
    }
    struct seed_stats st;
    int rc = p ? seed_run(c, &tmp, p, R->rows, SEED_RICH_ROWS, skip, nskip, &st, &err) : -1;
    if (rc == 0) {
        R->seeded_refused += st.failed;
        for (size_t i = 0; i < st.nrefusals; i++)
            *VEC_PUSH(R->a, &R->refusals) = arena_strdup(R->a, st.refusals[i]);
        unsigned *oids;
        R->nseeded_oids = seed_plan_oids(p, &tmp, &oids);
        R->seeded_oids = arena_alloc(R->a, (R->nseeded_oids + 1) * sizeof(unsigned));
        if (R->nseeded_oids)
            memcpy(R->seeded_oids, oids, R->nseeded_oids * sizeof(unsigned));
    } else {
        *why = arena_printf(R->a, "cannot seed: %s", err.message ? err.message : "error");
    }
    PQfinish(c);
    arena_free(&tmp);
    return rc;
}

/* Makes the seeded history (a copy of the history, seeded) when there is none. */
static int ensure_seeded(struct run *R, const char **why)
{
    if (R->seeded || R->o->seed_file)
        return 0;
    const char *name = arena_printf(R->a, "%s_s%d", R->prefix, R->seeded_gen++);
    if (create_db(R, name, R->history, why) < 0)
        return -1;
    R->seeded = name;
    R->nseeded_oids = 0;
    R->seeded_refused = 0;
    R->refusals.n = 0;
    R->refusals.v = NULL;
    R->refusals.cap = 0;
    if (top_up(R, why) < 0) {
        drop_db(R, name);
        R->seeded = NULL;
        return -1;
    }
    return 0;
}

struct probes {
    struct seed_probe *v;
    size_t n;
    signed char *before;
};

static int probes_before(struct run *R, struct attempt *at, struct seed_plan *plan,
                         struct probes *p)
{
    p->n = seed_probes(at->c, at->scratch, plan, R->rows + 1, &p->v);
    p->before = arena_alloc(at->scratch, p->n + 1);
    const char **errors = arena_alloc(at->scratch, (p->n + 1) * sizeof(char *));
    return seed_probes_run(at->c, at->scratch, p->v, p->n, NULL, p->before, errors);
}

static int probes_after(struct run *R, struct attempt *at, struct probes *p,
                        struct rs_drill_queries *out)
{
    memset(out, 0, sizeof(*out));
    out->ran = true;
    signed char *now = arena_alloc(at->scratch, p->n + 1);
    const char **errors = arena_alloc(at->scratch, (p->n + 1) * sizeof(char *));
    if (seed_probes_run(at->c, at->scratch, p->v, p->n, p->before, now, errors) < 0)
        return -1;
    VEC(struct rs_drill_query_failure) failed = {0};
    for (size_t i = 0; i < p->n; i++) {
        if (p->before[i] != 1) {
            out->skipped++;
            continue;
        }
        out->total++;
        if (now[i] == 1)
            continue;
        struct rs_drill_query_failure *f = VEC_PUSH(R->a, &failed);
        f->query = arena_strdup(R->a, p->v[i].label);
        f->error = arena_strdup(R->a, errors[i] ? errors[i] : "failed");
    }
    out->failed = failed.v;
    out->nfailed = failed.n;
    return 0;
}

static long long table_rows(const struct rs_snapshot *s)
{
    long long n = 0;
    for (size_t i = 0; i < s->ntables; i++)
        n += (long long)s->tables[i].nrows;
    return n;
}

enum { ATTEMPT_OK, ATTEMPT_UP_FAILED, ATTEMPT_ERROR };

static void close_attempt(struct run *R, struct attempt *at)
{
    if (at->c) {
        PQfinish(at->c);
        at->c = NULL;
    }
    if (at->db)
        drop_db(R, at->db);
    at->db = NULL;
}

/* Copies the history into a new database and connects to it. */
static int open_attempt(struct run *R, struct attempt *at, const char *name, const char **why)
{
    const char *template_name = at->seed == SEED_RICH && !R->o->seed_file ? R->seeded : R->history;
    if (!template_name) {
        *why = "there is no seeded copy of the history";
        return -1;
    }
    if (create_db(R, name, template_name, why) < 0)
        return -1;
    at->db = name;
    at->c = connect_own(R, name, why);
    return at->c ? 0 : -1;
}

static int attempt(struct run *R, size_t k, struct rs_drill_migration *dm, struct attempt *at,
                   const char **why)
{
    const struct rs_migration *m = &R->ml.v[k];
    struct rs_pg_error err = {0};
    *why = NULL;
    if (open_attempt(R, at, db_name(R, k, "epd"[at->seed]), why) < 0)
        goto error;
    progress(R, k + 1, m, "seed");
    struct seed_plan *plan;
    if (seed(R, at, dm, &plan) < 0)
        goto lost;
    progress(R, k + 1, m, "snapshot");
    if (snap_take(at->c, at->scratch, true, NULL, &at->s0, &err) < 0)
        goto lost;
    if (at->seed) {
        dm->seed_rows = table_rows(&at->s0);
        dm->seed_tables = at->s0.ntables;
    }
    struct probes probes;
    struct prevq_run prev_before = {0}, prev_after = {0};
    progress(R, k + 1, m, "probes");
    if (probes_before(R, at, plan, &probes) < 0)
        goto lost;
    if (R->prev && prevq_run_all(at->c, at->scratch, R->prev, &prev_before) < 0)
        goto lost;

    progress(R, k + 1, m, "up");
    struct exec_env env;
    exec_env_init(R, &env, at, &at->s0);
    if (exec_script(&env, &m->up, &R->up[k], m->up_tx, &dm->up) < 0)
        goto lost;
    if (!dm->up.ok) {
        close_attempt(R, at);
        return ATTEMPT_UP_FAILED;
    }
    struct rs_snapshot s1;
    if (snap_take(at->c, at->scratch, true, &at->s0, &s1, &err) < 0)
        goto lost;
    snap_compare(R->a, &at->s0, &s1, SNAP_BY_IDENTITY, true, &dm->after_up);
    dm->nenum_changes = snap_enum_changes(R->a, &at->s0, &s1, &dm->enum_changes);
    progress(R, k + 1, m, "queries");
    if (probes_after(R, at, &probes, &dm->probes) < 0)
        goto lost;
    if (R->prev) {
        if (prevq_run_all(at->c, at->scratch, R->prev, &prev_after) < 0)
            goto lost;
        prevq_compare(R->a, R->prev, &prev_before, &prev_after, &dm->previous);
    }
    if (m->down.src) {
        progress(R, k + 1, m, "down");
        exec_env_init(R, &env, at, &s1);
        if (exec_script(&env, &m->down, &R->down[k], m->down_tx, &dm->down) < 0)
            goto lost;
        struct rs_snapshot s2;
        if (snap_take(at->c, at->scratch, true, &at->s0, &s2, &err) < 0)
            goto lost;
        snap_compare(R->a, &at->s0, &s2, SNAP_BY_NAME, false, &dm->after_down);
        if (dm->down.ok) {
            progress(R, k + 1, m, "up again");
            exec_env_init(R, &env, at, NULL);
            if (exec_script(&env, &m->up, &R->up[k], m->up_tx, &dm->reapply) < 0)
                goto lost;
        }
    }
    close_attempt(R, at);
    return ATTEMPT_OK;
lost:
    if (!*why)
        *why = arena_printf(R->a, "the drill's connection failed: %s",
                            err.message ? err.message
                                        : (at->c ? PQerrorMessage(at->c) : "connection lost"));
error:
    close_attempt(R, at);
    return ATTEMPT_ERROR;
}

/* ---------------------------------------------------------------- the crash drill */

static const char *stmt_label(struct arena *a, const struct rs_drill_stmt *s)
{
    return arena_printf(a, "%d %s (line %d)", s->index, s->tag ? s->tag : "statement", s->line);
}

/* What the migration tool's bookkeeping says after the crash, and whether it needs a repair. */
static void state_table(struct run *R, const struct rs_migration *m, struct rs_drill_crash *cr)
{
    const char *layout = R->layout ? R->layout->name : "plain";
    bool tx = m->up_tx == RS_TX_WRAPPED || m->up_tx == RS_TX_GROUP ||
              (m->up_tx == RS_TX_IMPLICIT && R->up[m - R->ml.v].n > 1);
    bool partial = cr->committed_stmts > 0 && strcmp(cr->state, "fully applied") != 0;
    bool changed = strcmp(cr->state, "unchanged") != 0;
    struct arena *a = R->a;
    if (!strcmp(layout, "golang-migrate")) {
        cr->dirty = true;
        cr->state_table = arena_printf(
            a,
            "schema_migrations says version %s, dirty = true (golang-migrate marks the version "
            "dirty before it runs the file); every command refuses to run until `migrate force`: "
            "force %s if the change is complete, or force the previous version after undoing %s",
            m->id, m->id, changed ? "what was applied" : "nothing (the database is unchanged)");
    } else if (!strcmp(layout, "prisma")) {
        cr->dirty = true;
        cr->state_table = arena_printf(
            a,
            "_prisma_migrations has a row for %s with finished_at and rolled_back_at NULL (Prisma "
            "records the start first): migrate deploy refuses with P3009 until `prisma migrate "
            "resolve --rolled-back %s_%s` (or --applied once the change is complete)",
            m->id, m->id, m->name);
    } else if (!strcmp(layout, "atlas")) {
        cr->dirty = true;
        cr->state_table = arena_printf(
            a,
            "atlas_schema_revisions has revision %s with applied = %d and the error: `atlas "
            "migrate apply` resumes after the applied statements (or `atlas migrate set`)",
            m->id, cr->committed_stmts);
    } else if (!strcmp(layout, "flyway")) {
        cr->dirty = !tx;
        cr->state_table =
            tx ? arena_printf(a,
                              "flyway_schema_history has no row for %s: Flyway rolled the "
                              "migration back and reports it as not applied",
                              m->id)
               : arena_printf(a,
                              "flyway_schema_history has a row for %s with success = false: "
                              "migrate refuses until `flyway repair` removes it (after the "
                              "partial changes are undone or completed)",
                              m->id);
    } else if (!strcmp(layout, "sqitch")) {
        cr->dirty = partial;
        cr->state_table = arena_printf(
            a,
            "sqitch logs a fail event for %s and runs its revert script; the change is not in "
            "sqitch.changes%s",
            m->name && *m->name ? m->name : m->id,
            partial ? ", but statements that committed stay unless the revert undoes them" : "");
    } else if (!strcmp(layout, "liquibase")) {
        cr->dirty = partial;
        cr->state_table = arena_printf(
            a,
            "DATABASECHANGELOG has no row for the changeset%s; a killed Liquibase process "
            "leaves DATABASECHANGELOGLOCK locked (`liquibase release-locks`)",
            partial ? " although part of it was applied" : "");
    } else {
        const char *table = !strcmp(layout, "goose")     ? "goose_db_version"
                            : !strcmp(layout, "dbmate")  ? "schema_migrations"
                            : !strcmp(layout, "diesel")  ? "__diesel_schema_migrations"
                            : !strcmp(layout, "drizzle") ? "drizzle.__drizzle_migrations"
                                                         : NULL;
        cr->dirty = partial;
        if (!table)
            cr->state_table = partial ? "no state table (plain files): the runner must know that "
                                        "part of the file was applied"
                                      : "no state table (plain files)";
        else if (partial)
            cr->state_table = arena_printf(
                a,
                "%s has no row for %s, but %d statement(s) stayed applied: the tool will run "
                "the whole migration again and fail on what exists; undo them (or make the "
                "statements idempotent) first",
                table, m->id, cr->committed_stmts);
        else
            cr->state_table = arena_printf(
                a,
                "%s has no row for %s and the database is %s: running the migration again "
                "is safe",
                table, m->id, changed ? "as the tool expects after it" : "unchanged");
    }
}

static void crash_drill(struct run *R, size_t k, struct rs_drill_migration *dm,
                        enum seed_mode seeded, struct arena *scratch)
{
    const struct rs_migration *m = &R->ml.v[k];
    struct rs_drill_crash *cr = &dm->crash;
    cr->ran = true;
    cr->at = R->o->crash_at;
    progress(R, k + 1, m, "crash");
    struct attempt at = {.scratch = scratch, .seed = seeded};
    const char *why = NULL;
    struct rs_pg_error err = {0};
    struct rs_drill_migration tmp = {0};
    if (open_attempt(R, &at, db_name(R, k, 'c'), &why) < 0)
        goto fail;
    struct seed_plan *plan;
    if (seed(R, &at, &tmp, &plan) < 0 || snap_take(at.c, scratch, true, NULL, &at.s0, &err) < 0)
        goto fail;
    struct exec_env env;
    exec_env_init(R, &env, &at, &at.s0);
    env.crash_at = R->o->crash_at;
    env.crash = cr;
    struct rs_drill_step step;
    exec_script(&env, &m->up, &R->up[k], m->up_tx, &step);
    if (env.c)
        PQfinish(env.c);
    at.c = connect_own(R, at.db, &why);
    if (!at.c)
        goto fail;
    struct rs_snapshot sx;
    if (snap_take(at.c, scratch, true, &at.s0, &sx, &err) < 0)
        goto fail;
    snap_compare(R->a, &at.s0, &sx, SNAP_BY_NAME, false, &cr->vs_before);
    VEC(const char *) inv = {0};
    for (size_t i = 0; i < sx.ninvalid_indexes; i++) {
        bool old = false;
        for (size_t j = 0; j < at.s0.ninvalid_indexes; j++)
            old = old || !strcmp(at.s0.invalid_indexes[j], sx.invalid_indexes[i]);
        if (!old)
            *VEC_PUSH(R->a, &inv) = arena_strdup(R->a, sx.invalid_indexes[i]);
    }
    cr->invalid_indexes = inv.v;
    cr->ninvalid_indexes = inv.n;
    VEC(const char *) applied = {0}, rolled = {0};
    int ran = 0;
    for (size_t i = 0; i < step.nstmts; i++) {
        const struct rs_drill_stmt *s = &step.stmts[i];
        if (!s->ran)
            continue;
        ran++;
        if (s->committed)
            *VEC_PUSH(R->a, &applied) = stmt_label(R->a, s);
        else if (s->autocommit && s->index == cr->at && cr->killed)
            *VEC_PUSH(R->a, &rolled) =
                arena_printf(R->a, "%s, killed part-way", stmt_label(R->a, s));
        else
            *VEC_PUSH(R->a, &rolled) = stmt_label(R->a, s);
    }
    cr->applied = applied.v;
    cr->napplied = applied.n;
    cr->rolled_back = rolled.v;
    cr->nrolled_back = rolled.n;
    cr->committed_stmts = (int)applied.n;
    bool same = cr->vs_before.schema_same && cr->vs_before.data_same && !inv.n;
    int total = 0;
    for (size_t i = 0; i < R->up[k].n; i++)
        total += R->up[k].v[i].kind != RS_STMT_PSQL_META;
    cr->state = same                                     ? "unchanged"
                : (int)applied.n == total && !cr->killed ? "fully applied"
                                                         : "partially applied";
    (void)ran;
    state_table(R, m, cr);
    close_attempt(R, &at);
    return;
fail:
    cr->note = arena_printf(R->a, "the crash drill could not run: %s",
                            why           ? why
                            : err.message ? err.message
                                          : "connection lost");
    close_attempt(R, &at);
}

/* ---------------------------------------------------------------- verdict and check */

static void add_reason(struct run *R, void *vec, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add_reason(struct run *R, void *vec, const char *fmt, ...)
{
    VEC(const char *) *v = vec;
    va_list ap;
    va_start(ap, fmt);
    *VEC_PUSH(R->a, v) = arena_vprintf(R->a, fmt, ap);
    va_end(ap);
}

static const char *data_diff_text(struct arena *a, const struct rs_drill_data_diff *d)
{
    if (d->column)
        return arena_printf(a, "%s.%s: %s in %lld row(s)", d->table, d->column, d->what,
                            d->rows_changed);
    return arena_printf(a, "%s: %lld %s", d->table, d->rows_changed, d->what);
}

static void compute_verdict(struct run *R, const struct rs_migration *m,
                            struct rs_drill_migration *dm, struct arena *scratch)
{
    (void)scratch;
    VEC(const char *) reasons = {0};
    bool lost = false, breaks = false;
    if (m->down.src && dm->down.ok && dm->after_down.done) {
        /* Rows the down leaves behind are not restored, but nothing is lost. */
        for (size_t i = 0; i < dm->after_down.ndata_diff; i++) {
            const struct rs_drill_data_diff *d = &dm->after_down.data_diff[i];
            if (!strcmp(d->what, "rows added"))
                continue;
            lost = true;
            add_reason(R, &reasons, "after down: %s", data_diff_text(R->a, d));
        }
    } else if (dm->after_up.done && !dm->after_up.data_same) {
        lost = true;
        for (size_t i = 0; i < dm->after_up.ndata_diff; i++)
            add_reason(R, &reasons, "%s: %s", m->down.src ? "up (the down fails)" : "up (no down)",
                       data_diff_text(R->a, &dm->after_up.data_diff[i]));
    }
    for (size_t i = 0; i < dm->previous.nfailed; i++) {
        breaks = true;
        const struct rs_drill_query_failure *f = &dm->previous.failed[i];
        add_reason(R, &reasons, "previous-version query %s:%d fails after up: %s", f->path, f->line,
                   f->error);
    }
    for (size_t i = 0; i < dm->probes.nfailed; i++) {
        breaks = true;
        const struct rs_drill_query_failure *f = &dm->probes.failed[i];
        add_reason(R, &reasons, "%s fails after up: %s", f->query, f->error);
    }
    /* After a rollback through down, N-1 runs on a schema it was not built for (check's
       down-mismatch); column order alone is not a difference SQL that names columns sees. */
    if (m->down.src && dm->down.ok && dm->after_down.done && !dm->after_down.schema_same) {
        breaks = true;
        for (size_t i = 0; i < dm->after_down.nschema_diff && i < 5; i++)
            add_reason(R, &reasons, "after down the schema differs: %s",
                       dm->after_down.schema_diff[i]);
        if (dm->after_down.nschema_diff > 5)
            add_reason(R, &reasons, "after down the schema differs in %zu more place(s)",
                       dm->after_down.nschema_diff - 5);
    }
    for (size_t i = 0; i < dm->nenum_changes; i++) {
        breaks = true;
        add_reason(R, &reasons, "N-1 cannot read a new value: %s", dm->enum_changes[i]);
    }
    dm->verdict = lost ? RS_VERDICT_IRREVERSIBLE : breaks ? RS_VERDICT_BREAKS : RS_VERDICT_SAFE;
    dm->reasons = reasons.v;
    dm->nreasons = reasons.n;
}

static const struct rs_migration_result *check_result_for(struct run *R, size_t k)
{
    if (!R->check)
        return NULL;
    const struct rs_migration *m = &R->ml.v[k];
    if (k < R->check->nmigrations && R->check->migrations[k].id &&
        !strcmp(R->check->migrations[k].id, m->id))
        return &R->check->migrations[k];
    for (size_t i = 0; i < R->check->nmigrations; i++)
        if (R->check->migrations[i].id && !strcmp(R->check->migrations[i].id, m->id) &&
            R->check->migrations[i].path && m->up.src &&
            !strcmp(R->check->migrations[i].path, m->up.src->path))
            return &R->check->migrations[i];
    return NULL;
}

static void compare_with_check(struct run *R, size_t k, struct rs_drill_migration *dm)
{
    const struct rs_migration_result *cm = check_result_for(R, k);
    if (!cm)
        return;
    dm->checked = true;
    dm->check_verdict = cm->verdict;
    VEC(const char *) rules = {0};
    for (size_t i = 0; i < cm->nfindings; i++) {
        const struct rs_finding *f = &cm->findings[i];
        bool counts = (cm->verdict == RS_VERDICT_IRREVERSIBLE && f->cls == RS_CLASS_IRREVERSIBLE) ||
                      (cm->verdict == RS_VERDICT_BREAKS &&
                       (f->cls == RS_CLASS_BREAKS || f->breaks_previous)) ||
                      f->fatal;
        bool dup = false;
        for (size_t j = 0; j < rules.n; j++)
            dup = dup || !strcmp(rules.v[j], f->rule);
        if (counts && !dup)
            *VEC_PUSH(R->a, &rules) = arena_strdup(R->a, f->rule);
    }
    dm->check_rules = rules.v;
    dm->ncheck_rules = rules.n;
    if (dm->outcome != RS_DRILL_OBSERVED) {
        dm->agrees = false;
        dm->disagreement =
            dm->outcome == RS_DRILL_UP_FAILED
                ? arena_printf(R->a, "check predicts %s; the up fails on PostgreSQL %s",
                               rs_verdict_name(cm->verdict), R->res->server_version)
                : NULL;
        return;
    }
    dm->agrees = cm->verdict == dm->verdict;
    if (dm->agrees)
        return;
    struct strbuf sb;
    sb_init(&sb, R->a);
    sb_printf(&sb, "check predicts %s", rs_verdict_name(cm->verdict));
    if (rules.n) {
        sb_add(&sb, " (");
        for (size_t i = 0; i < rules.n; i++)
            sb_printf(&sb, "%s%s", i ? ", " : "", rules.v[i]);
        sb_add(&sb, ")");
    }
    sb_printf(&sb, "; the drill observed %s", rs_verdict_name(dm->verdict));
    if (dm->nreasons)
        sb_printf(&sb, ": %s", dm->reasons[0]);
    else if (cm->verdict == RS_VERDICT_IRREVERSIBLE)
        sb_add(&sb, ": every seeded row and value came back");
    else
        sb_add(&sb, ": no previous-version query or generated N-1 read or write failed");
    dm->disagreement = sb.s;
}

/* ---------------------------------------------------------------- one migration */

static void drill_migration(struct run *R, size_t k, struct rs_drill_migration *dm)
{
    const struct rs_migration *m = &R->ml.v[k];
    double t0 = dq_now_ms();
    struct arena scratch = ARENA_INIT;
    enum seed_mode seeded = R->o->seed_file || R->seeded ? SEED_RICH : SEED_PLAIN;
    struct attempt at = {.scratch = &scratch, .seed = seeded};
    const char *why;
    int rc = attempt(R, k, dm, &at, &why);
    const struct rs_drill_error *first_error = NULL;
    struct rs_drill_step failed_up = {0};
    /* Maybe only the rows make the up fail (NULLs where it adds NOT NULL, long strings where it
       narrows, several rows in a table it assumes has one): try with one ordinary row per table,
       then with the history's own rows, to still observe the rest. */
    while (rc == ATTEMPT_UP_FAILED && seeded != SEED_NONE && !interrupted(R)) {
        if (!first_error) {
            first_error = dm->up.error;
            failed_up = dm->up;
        }
        seeded = seeded == SEED_RICH && !R->o->seed_file ? SEED_PLAIN : SEED_NONE;
        memset(&dm->up, 0, sizeof(dm->up));
        dm->seeded = false;
        dm->seed_rows = 0;
        dm->seed_failed = 0;
        dm->seed_tables = 0;
        dm->seed_note = NULL;
        struct attempt again = {.scratch = &scratch, .seed = seeded};
        rc = attempt(R, k, dm, &again, &why);
    }
    if (first_error && rc == ATTEMPT_OK) {
        dm->seeded_up_error = first_error;
        dm->seed_note = arena_printf(
            R->a,
            "up fails when the tables hold the generated rows (statement %d: %s); drilled "
            "again %s",
            first_error->stmt, first_error->message,
            seeded == SEED_PLAIN ? "with one ordinary row per table (no NULLs, no values at the "
                                   "type limits)"
                                 : "with the history's own rows only");
    } else if (first_error && rc == ATTEMPT_UP_FAILED) {
        dm->up = failed_up;
    }
    if (interrupted(R)) {
        dm->outcome = RS_DRILL_NOT_RUN;
        dm->not_run_reason = "interrupted";
        rc = ATTEMPT_ERROR;
    } else if (rc == ATTEMPT_OK) {
        dm->outcome = RS_DRILL_OBSERVED;
        compute_verdict(R, m, dm, &scratch);
    } else if (rc == ATTEMPT_UP_FAILED) {
        dm->outcome = RS_DRILL_UP_FAILED;
    } else {
        dm->outcome = RS_DRILL_NOT_RUN;
        dm->not_run_reason = why;
    }
    if (R->o->crash_at && rc != ATTEMPT_ERROR && !interrupted(R))
        crash_drill(R, k, dm, seeded, &scratch);
    compare_with_check(R, k, dm);
    arena_free(&scratch);
    dm->ms = dq_now_ms() - t0;
}

/* ---------------------------------------------------------------- history */

/* Applies migration k's up in database c (no tracing). Returns 0, or -1 with *why. */
static int apply_up(struct run *R, PGconn *c, size_t k, const char *where, const char **why)
{
    const struct rs_migration *m = &R->ml.v[k];
    struct arena tmp = ARENA_INIT;
    struct exec_env env = {.a = &tmp,
                           .c = c,
                           .pid = PQbackendPID(c),
                           .mon = R->maint,
                           .statement_timeout_s = R->o->statement_timeout_s,
                           .interrupted = R->o->interrupted};
    struct rs_drill_step step;
    int rc = exec_script(&env, &m->up, &R->up[k], m->up_tx, &step);
    if (rc < 0 || !step.ok) {
        *why = arena_printf(R->a, "%s%s%s: up failed on the %s%s%s", m->id,
                            m->name && *m->name ? "_" : "", m->name ? m->name : "", where,
                            step.error ? ": " : "", step.error ? step.error->message : "");
        rc = -1;
    }
    arena_free(&tmp);
    return rc;
}

static int apply_history(struct run *R, PGconn **hc, size_t k, const char **why)
{
    if (!*hc && !(*hc = connect_own(R, R->history, why)))
        return -1;
    return apply_up(R, *hc, k, "history database", why);
}

/* Whether an up can create a table or empty one, so that the seeded history needs new rows. */
static bool may_need_rows(const struct rs_stmt_list *stmts)
{
    for (size_t i = 0; i < stmts->n; i++) {
        switch (stmts->v[i].kind) {
        case RS_STMT_ALTER_TABLE:
        case RS_STMT_RENAME:
        case RS_STMT_SET_SCHEMA:
        case RS_STMT_CREATE_INDEX:
        case RS_STMT_CREATE_VIEW:
        case RS_STMT_CREATE_MATVIEW:
        case RS_STMT_CREATE_ENUM:
        case RS_STMT_ALTER_ENUM:
        case RS_STMT_CREATE_TYPE:
        case RS_STMT_CREATE_DOMAIN:
        case RS_STMT_ALTER_DOMAIN:
        case RS_STMT_CREATE_SEQUENCE:
        case RS_STMT_ALTER_SEQUENCE:
        case RS_STMT_CREATE_FUNCTION:
        case RS_STMT_CREATE_TRIGGER:
        case RS_STMT_CREATE_SCHEMA:
        case RS_STMT_CREATE_EXTENSION:
        case RS_STMT_SET:
        case RS_STMT_TRANSACTION:
        case RS_STMT_INSERT:
        case RS_STMT_UPDATE:
        case RS_STMT_COMMENT:
        case RS_STMT_GRANT:
        case RS_STMT_REINDEX:
        case RS_STMT_VACUUM:
        case RS_STMT_ANALYZE:
        case RS_STMT_CLUSTER:
        case RS_STMT_REFRESH_MATVIEW:
        case RS_STMT_LOCK:
        case RS_STMT_CREATE_POLICY:
        case RS_STMT_PSQL_META:
        case RS_STMT_DROP:
            continue;
        default:
            return true; /* CREATE TABLE, DELETE, TRUNCATE, DO, CALL, SELECT, anything else */
        }
    }
    return false;
}

/* Moves the seeded history past migration k; drops it when the up fails on its rows. */
static void advance_seeded(struct run *R, size_t k)
{
    if (!R->seeded)
        return;
    const char *why = NULL;
    PGconn *c = connect_own(R, R->seeded, &why);
    bool ok = c && apply_up(R, c, k, "seeded history", &why) == 0;
    if (c)
        PQfinish(c);
    if (ok && may_need_rows(&R->up[k]))
        ok = top_up(R, &why) == 0;
    if (!ok) {
        drop_db(R, R->seeded);
        R->seeded = NULL;
    }
}

/* ---------------------------------------------------------------- the run */

static const char *migration_path(const struct rs_script *s)
{
    return s->src ? s->src->path : NULL;
}

static size_t index_of(struct run *R, const char *id)
{
    for (size_t i = 0; i < R->ml.n; i++)
        if (!strcmp(R->ml.v[i].id, id))
            return i;
    return R->ml.n;
}

static bool selected(struct run *R, size_t k)
{
    size_t n = R->o->until ? index_of(R, R->o->until) + 1 : R->ml.n;
    if (k >= n)
        return false;
    if (R->o->last > 0)
        return k + (size_t)R->o->last >= n;
    if (R->o->since) {
        for (size_t i = 0; i < R->ml.n; i++)
            if (!strcmp(R->ml.v[i].id, R->o->since))
                return k >= i;
        return rs_natural_cmp(R->ml.v[k].id, R->o->since) >= 0;
    }
    return true;
}

static void run_check(struct run *R)
{
    struct rs_check_opts co;
    rs_check_opts_init(&co);
    co.path = R->o->path;
    co.layout = R->layout ? R->layout->name : R->o->layout;
    co.exclude = R->o->exclude;
    co.nexclude = R->o->nexclude;
    co.assume_in_transaction = R->o->assume_in_transaction;
    co.previous_queries = R->o->previous_queries;
    co.fail_on = RS_FAIL_ON_NEVER;
    struct arena tmp = ARENA_INIT;
    struct rs_diag d;
    rs_diag_init(&d, &tmp);
    if (rs_check_run(&co, &R->check, &d) < 0) {
        R->check = NULL;
        R->res->check_error = arena_strdup(R->a, d.n ? d.v[0].message : "check failed");
    }
    arena_free(&tmp);
}

static void cleanup(struct run *R)
{
    if (R->maint)
        while (R->created.n)
            drop_db(R, R->created.v[R->created.n - 1]);
    exec_set_cancel_target(NULL);
    if (R->maint)
        PQfinish(R->maint);
    R->maint = NULL;
    if (R->server)
        rs_pgserver_stop(R->server, NULL);
    R->server = NULL;
    if (R->url_opts)
        PQconninfoFree(R->url_opts);
    R->url_opts = NULL;
    if (R->check)
        rs_check_result_free(R->check);
    R->check = NULL;
}

static void summarise(struct rs_drill_result *res)
{
    for (size_t i = 0; i < res->nmigrations; i++) {
        const struct rs_drill_migration *m = &res->migrations[i];
        if (!m->selected)
            continue;
        res->summary.drilled++;
        switch (m->outcome) {
        case RS_DRILL_OBSERVED:
            res->summary.observed++;
            res->summary.safe += m->verdict == RS_VERDICT_SAFE;
            res->summary.breaks += m->verdict == RS_VERDICT_BREAKS;
            res->summary.irreversible += m->verdict == RS_VERDICT_IRREVERSIBLE;
            if (m->verdict != RS_VERDICT_SAFE)
                res->failed = true;
            break;
        case RS_DRILL_UP_FAILED:
            res->summary.up_failed++;
            res->failed = true;
            break;
        case RS_DRILL_NOT_RUN:
            res->summary.not_run++;
            res->failed = true;
            break;
        }
        if (m->down.ran) {
            res->summary.with_down++;
            res->summary.schema_restored += m->after_down.done && m->after_down.schema_same;
            res->summary.data_restored += m->after_down.done && m->after_down.data_same;
            if (!m->down.ok)
                res->failed = true;
        }
        res->summary.reapply_ok += m->reapply.ran && m->reapply.ok;
        res->summary.disagree += m->checked && !m->agrees && m->outcome != RS_DRILL_NOT_RUN;
    }
}

static char *random_hex(struct arena *a)
{
    unsigned char b[4] = {0};
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, b, sizeof(b)) != (ssize_t)sizeof(b)) {
        unsigned long t = (unsigned long)time(NULL) ^ (unsigned long)getpid();
        memcpy(b, &t, sizeof(b));
    }
    if (fd >= 0)
        close(fd);
    return arena_printf(a, "%02x%02x%02x%02x", b[0], b[1], b[2], b[3]);
}

int rs_drill_run(const struct rs_drill_opts *o, struct rs_drill_result **out, struct rs_diag *diag)
{
    *out = NULL;
    struct drill_result_owner *own = calloc(1, sizeof(*own));
    if (!own)
        rs_oom();
    struct run R = {.o = o, .a = &own->arena, .diag = diag, .res = &own->r};
    struct rs_drill_result *res = &own->r;
    double t0 = dq_now_ms();
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char stamp[32];
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
    res->started_at = arena_strdup(R.a, stamp);
    res->tool_version = ROLLSAFE_VERSION;
    res->path = arena_strdup(R.a, o->path);
    R.rows = o->rows > 0 ? o->rows : RS_DRILL_DEFAULT_ROWS;
    res->rows = o->seed_file ? 0 : R.rows;
    res->seed_file = o->seed_file ? arena_strdup(R.a, o->seed_file) : NULL;
    res->previous_queries = o->previous_queries ? arena_strdup(R.a, o->previous_queries) : NULL;
    res->crash_at = o->crash_at;
    size_t nerr = diag->n;

    /* Migrations, statements, queries: everything that can be wrong before a server starts. */
    struct rs_layout_ctx lc = {.arena = R.a,
                               .diag = diag,
                               .dir = o->path,
                               .exclude = o->exclude,
                               .nexclude = o->nexclude,
                               .plain_in_transaction = o->assume_in_transaction};
    if (rs_layout_load_path(&lc, o->path, o->layout, &R.layout, &R.ml) < 0 || diag->n > nerr)
        goto fail;
    res->layout = R.layout ? R.layout->name : "plain";
    if (!R.ml.n) {
        rs_diag_add(diag, o->path, 0, 0, "check the path and --layout", "no migrations found");
        goto fail;
    }
    const char *const ids[] = {o->since, o->until};
    const char *const opt_names[] = {"--since", "--until"};
    for (size_t i = 0; i < 2; i++) {
        if (ids[i] && index_of(&R, ids[i]) == R.ml.n) {
            rs_diag_add(diag, o->path, 0, 0, "give the id of one of the migrations",
                        "%s %s: no migration has that id", opt_names[i], ids[i]);
            goto fail;
        }
    }
    if (o->previous_queries && !(R.prev = prevq_load(R.a, o->previous_queries, diag)))
        goto fail;
    if (o->seed_file && access(o->seed_file, R_OK) != 0) {
        rs_diag_add(diag, o->seed_file, 0, 0, NULL, "--seed: cannot read the file: %s",
                    strerror(errno));
        goto fail;
    }
    R.up = arena_alloc(R.a, R.ml.n * sizeof(*R.up));
    R.down = arena_alloc(R.a, R.ml.n * sizeof(*R.down));
    res->nmigrations = R.ml.n;
    res->migrations = arena_alloc(R.a, R.ml.n * sizeof(*res->migrations));
    for (size_t k = 0; k < R.ml.n; k++) {
        const struct rs_migration *m = &R.ml.v[k];
        rs_sql_parse_script(R.a, &m->up, &R.up[k]);
        if (m->down.src)
            rs_sql_parse_script(R.a, &m->down, &R.down[k]);
        struct rs_drill_migration *dm = &res->migrations[k];
        dm->id = m->id;
        dm->name = m->name ? m->name : "";
        dm->path = migration_path(&m->up);
        dm->down_path = migration_path(&m->down);
        dm->up_tx = rs_txmode_name(m->up_tx);
        dm->down_tx = m->down.src ? rs_txmode_name(m->down_tx) : NULL;
        dm->selected = selected(&R, k);
        dm->outcome = RS_DRILL_NOT_RUN;
    }
    if (rs_pg_load(diag) < 0) /* before check's work: a missing libpq fails the run at once */
        goto fail;
    if (!o->no_check)
        run_check(&R);

    /* The server. */
    progress(&R, 0, NULL, o->database_url ? "connecting" : "starting server");
    if (o->database_url ? connect_url(&R) < 0 : start_server(&R) < 0)
        goto fail;
    res->embedded = R.server != NULL;
    res->server_version_num = PQserverVersion(R.maint);
    res->server_version = arena_printf(R.a, "%d.%d", res->server_version_num / 10000,
                                       res->server_version_num % 10000);
    R.prefix = arena_printf(R.a, "rollsafe_%d_%s", (int)getpid(), random_hex(R.a));
    R.history = arena_printf(R.a, "%s_h", R.prefix);
    const char *why = NULL;
    if (create_db(&R, R.history, NULL, &why) < 0) {
        rs_diag_add(diag, NULL, 0, 0,
                    o->database_url ? "the role needs CREATEDB on that server" : NULL, "%s", why);
        goto fail;
    }

    PGconn *hc = NULL;
    size_t end = o->until ? index_of(&R, o->until) + 1 : R.ml.n;
    for (size_t k = 0; k < end; k++) {
        struct rs_drill_migration *dm = &res->migrations[k];
        if (interrupted(&R)) {
            res->interrupted = true;
            dm->not_run_reason = "interrupted";
            continue;
        }
        if (res->history_error) {
            dm->not_run_reason =
                arena_printf(R.a, "the history could not be replayed: %s", res->history_error);
            continue;
        }
        if (dm->selected) {
            if (hc) {
                PQfinish(hc); /* nobody may be connected to a template */
                hc = NULL;
            }
            progress(&R, k + 1, &R.ml.v[k], "copy");
            if (!o->seed_file && ensure_seeded(&R, &why) < 0)
                dm->seed_note = arena_printf(R.a, "no rows could be generated: %s", why);
            drill_migration(&R, k, dm);
            if (interrupted(&R))
                continue;
        }
        if (k + 1 == end)
            break; /* no later migration needs it in the history */
        progress(&R, k + 1, &R.ml.v[k], "history");
        if (apply_history(&R, &hc, k, &why) < 0)
            res->history_error = why;
        else
            advance_seeded(&R, k);
    }
    if (hc)
        PQfinish(hc);
    res->interrupted = interrupted(&R);
    cleanup(&R);
    summarise(res);
    res->total_ms = dq_now_ms() - t0;
    *out = res;
    return 0;
fail:
    cleanup(&R);
    arena_free(&own->arena);
    free(own);
    return -1;
}

void rs_drill_result_free(struct rs_drill_result *r)
{
    if (!r)
        return;
    struct drill_result_owner *own = (struct drill_result_owner *)r;
    arena_free(&own->arena);
    free(own);
}
