/*
 * drill_test.c - `rollsafe drill` end to end on a real PostgreSQL (lib/pg/drill.c and friends):
 * the verdicts it observes for small migration directories (a safe add/drop pair, a rename, a
 * lossy numeric scale change, a down that drops the wrong column, int to bigint, CREATE INDEX
 * CONCURRENTLY), the crash drill, previous-version queries, --database, and that nothing is left
 * behind.
 *
 * Each test starts its own embedded server (the drill does), so these tests skip with a message
 * when no PostgreSQL server programs are installed. The servers live under /dev/shm when it
 * exists (fast), else under $TMPDIR.
 */
#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pg/conn.h"
#include "pg/drill.h"
#include "pg/server.h"
#include "test.h"
#include "util/arena.h"

/* A directory for the servers that the server's user can traverse when we are root; on tmpfs
   when there is one. Removed at exit by the harness (test_tmpdir) or here (/dev/shm). */
static char shm_dir[64];

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void remove_shm_dir(void)
{
    if (shm_dir[0])
        nftw(shm_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *server_tmp(void)
{
    struct stat st;
    if (!shm_dir[0] && stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
        access("/dev/shm", W_OK) == 0) {
        snprintf(shm_dir, sizeof(shm_dir), "/dev/shm/rollsafe-drill-test-XXXXXX");
        if (mkdtemp(shm_dir))
            atexit(remove_shm_dir);
        else
            shm_dir[0] = '\0';
    }
    const char *dir = shm_dir[0] ? shm_dir : test_tmpdir();
    chmod(dir, 0711);
    return dir;
}

static const char *cache_dir(void)
{
    static const char *dir;
    if (!dir)
        dir = test_tmpdir();
    return dir;
}

static const struct rs_drill_migration *find(const struct rs_drill_result *r, const char *id)
{
    for (size_t i = 0; i < r->nmigrations; i++)
        if (!strcmp(r->migrations[i].id, id))
            return &r->migrations[i];
    return NULL;
}

static bool has_lock(const struct rs_drill_step *s, const char *rel, const char *mode)
{
    for (size_t i = 0; i < s->nlocks; i++)
        if (!strcmp(s->locks[i].relation, rel) && !strcmp(s->locks[i].mode, mode))
            return true;
    return false;
}

static bool has_rewrite(const struct rs_drill_step *s, const char *rel)
{
    for (size_t i = 0; i < s->nrewrites; i++)
        if (!strcmp(s->rewrites[i].relation, rel))
            return true;
    return false;
}

static bool any_contains(const char *const *v, size_t n, const char *needle)
{
    for (size_t i = 0; i < n; i++)
        if (strstr(v[i], needle))
            return true;
    return false;
}

static const struct rs_drill_data_diff *data_diff(const struct rs_drill_compare *c,
                                                  const char *table, const char *column)
{
    for (size_t i = 0; i < c->ndata_diff; i++)
        if (!strcmp(c->data_diff[i].table, table) &&
            (column ? c->data_diff[i].column && !strcmp(c->data_diff[i].column, column)
                    : !c->data_diff[i].column))
            return &c->data_diff[i];
    return NULL;
}

static struct rs_drill_result *run(struct rs_drill_opts *o)
{
    struct arena a = ARENA_INIT;
    struct rs_diag d;
    rs_diag_init(&d, &a);
    const char *tmp = server_tmp();
    if (!o->database_url) {
        o->tmp_dir = tmp;
        o->cache_dir = cache_dir();
    }
    struct rs_drill_result *r = NULL;
    if (rs_drill_run(o, &r, &d) < 0) {
        for (size_t i = 0; i < d.n; i++)
            fprintf(stderr, "  drill error: %s\n", d.v[i].message);
        r = NULL;
    }
    arena_free(&a);
    /* Nothing of the server is left: its directory is gone. */
    if (!o->database_url)
        CHECK_INT(test_count_entries(tmp, ""), 0);
    return r;
}

/* The migrations of the list, golang-migrate layout (one implicit transaction each). */
static const char *pairs_dir(void)
{
    const char *dir = test_tmpdir();
    test_write(dir, "m/0001_create.up.sql",
               "CREATE TYPE mood AS ENUM ('happy', 'sad', 'Meh');\n"
               "CREATE TABLE users (\n"
               "    id serial PRIMARY KEY,\n"
               "    username varchar(50) NOT NULL UNIQUE,\n"
               "    email text,\n"
               "    balance numeric(12,4) NOT NULL DEFAULT 0,\n"
               "    status text CHECK (status IN ('active', 'blocked')),\n"
               "    feeling mood,\n"
               "    created_at timestamptz NOT NULL DEFAULT now()\n"
               ");\n"
               "CREATE TABLE orders (\n"
               "    id bigserial PRIMARY KEY,\n"
               "    user_id int NOT NULL REFERENCES users (id),\n"
               "    parent_id bigint REFERENCES orders (id),\n"
               "    total numeric(10,2),\n"
               "    note text\n"
               ");\n");
    test_write(dir, "m/0001_create.down.sql",
               "DROP TABLE orders;\nDROP TABLE users;\nDROP TYPE mood;\n");
    test_write(dir, "m/0002_add_phone.up.sql", "ALTER TABLE users ADD COLUMN phone text;\n");
    test_write(dir, "m/0002_add_phone.down.sql", "ALTER TABLE users DROP COLUMN phone;\n");
    test_write(dir, "m/0003_rename.up.sql",
               "ALTER TABLE users RENAME COLUMN username TO handle;\n");
    test_write(dir, "m/0003_rename.down.sql",
               "ALTER TABLE users RENAME COLUMN handle TO username;\n");
    test_write(dir, "m/0004_scale.up.sql",
               "ALTER TABLE users ALTER COLUMN balance TYPE numeric(12,2);\n");
    test_write(dir, "m/0004_scale.down.sql",
               "ALTER TABLE users ALTER COLUMN balance TYPE numeric(12,4);\n");
    test_write(dir, "m/0005_wrong_down.up.sql", "ALTER TABLE orders ADD COLUMN flag boolean;\n");
    test_write(dir, "m/0005_wrong_down.down.sql", "ALTER TABLE orders DROP COLUMN note;\n");
    test_write(dir, "m/0006_bigint.up.sql",
               "ALTER TABLE orders ALTER COLUMN user_id TYPE bigint;\n");
    test_write(dir, "m/0006_bigint.down.sql",
               "ALTER TABLE orders ALTER COLUMN user_id TYPE int;\n");
    test_write(dir, "m/0007_cic.up.sql",
               "CREATE INDEX CONCURRENTLY orders_total_idx ON orders (total);\n");
    test_write(dir, "m/0007_cic.down.sql", "DROP INDEX CONCURRENTLY orders_total_idx;\n");
    static char path[4096];
    snprintf(path, sizeof(path), "%s/m", dir);
    return path;
}

TEST(drill_up_down_pairs)
{
    NEED_SERVER();
    struct rs_drill_opts o;
    rs_drill_opts_init(&o);
    o.path = pairs_dir();
    struct rs_drill_result *r = run(&o);
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK_STR(r->layout, "golang-migrate");
    CHECK(r->embedded);
    CHECK(r->server_version != NULL);
    CHECK_INT(r->summary.drilled, 7);
    CHECK_INT(r->summary.observed, 7);

    /* The seed respects the CHECK list, the enum, the foreign keys and the self reference. */
    const struct rs_drill_migration *m = find(r, "0002");
    CHECK(m && m->seeded && m->seed_rows >= 2 * RS_DRILL_DEFAULT_ROWS - 5);
    CHECK(m && m->seed_failed == 0);

    /* 0001 creates everything: nothing existed before, so nothing is locked or lost. */
    m = find(r, "0001");
    CHECK(m && m->verdict == RS_VERDICT_SAFE && m->up.ok && m->up.nlocks == 0);

    /* A safe add/drop pair: schema and data restored, up again works. */
    m = find(r, "0002");
    CHECK(m && m->verdict == RS_VERDICT_SAFE);
    CHECK(m && m->down.ok && m->after_down.schema_same && m->after_down.data_same);
    CHECK(m && m->reapply.ran && m->reapply.ok);
    CHECK(m && has_lock(&m->up, "users", "AccessExclusiveLock"));
    CHECK(m && m->checked && m->agrees);

    /* A rename: the previous version's reads and writes fail; the down restores everything. */
    m = find(r, "0003");
    CHECK(m && m->verdict == RS_VERDICT_BREAKS);
    CHECK(m && m->probes.nfailed >= 1);
    CHECK(m && m->nreasons && strstr(m->reasons[0], "username"));
    CHECK(m && m->after_down.schema_same && m->after_down.data_same);
    CHECK(m && m->checked && m->check_verdict == RS_VERDICT_BREAKS && m->agrees);

    /* numeric(12,4) -> (12,2) and back: the table is rewritten and the 4th decimal is gone. */
    m = find(r, "0004");
    CHECK(m && m->verdict == RS_VERDICT_IRREVERSIBLE);
    CHECK(m && m->after_down.schema_same && !m->after_down.data_same);
    const struct rs_drill_data_diff *dd = m ? data_diff(&m->after_down, "users", "balance") : NULL;
    CHECK(dd && dd->rows_changed > 0 && !strcmp(dd->what, "values changed"));
    CHECK(m && has_rewrite(&m->up, "users"));

    /* A down that drops the wrong column: neither schema nor data restored; up again fails. */
    m = find(r, "0005");
    CHECK(m && m->verdict == RS_VERDICT_IRREVERSIBLE);
    CHECK(m && !m->after_down.schema_same && !m->after_down.data_same);
    CHECK(m && any_contains(m->after_down.schema_diff, m->after_down.nschema_diff,
                            "column orders.note: missing"));
    CHECK(m && any_contains(m->after_down.schema_diff, m->after_down.nschema_diff,
                            "column orders.flag: added"));
    dd = m ? data_diff(&m->after_down, "orders", "note") : NULL;
    CHECK(dd && !strcmp(dd->what, "column missing") && dd->rows_changed > 0);
    CHECK(m && m->reapply.ran && !m->reapply.ok);

    /* int -> bigint: safe, but the table is rewritten under ACCESS EXCLUSIVE. */
    m = find(r, "0006");
    CHECK(m && m->verdict == RS_VERDICT_SAFE);
    CHECK(m && has_rewrite(&m->up, "orders"));
    CHECK(m && has_lock(&m->up, "orders", "AccessExclusiveLock"));
    CHECK(m && m->after_down.data_same);

    /* CREATE INDEX CONCURRENTLY runs outside a transaction, and its lock is seen. */
    m = find(r, "0007");
    CHECK(m && m->verdict == RS_VERDICT_SAFE && m->up.ok && m->down.ok);
    CHECK(m && m->up.nstmts == 1 && m->up.stmts[0].autocommit);
    CHECK(m && has_lock(&m->up, "orders", "ShareUpdateExclusiveLock"));
    CHECK(m && !has_lock(&m->up, "orders", "ShareLock"));

    /* The reports render and carry the contract's fields. */
    char *json = rs_drill_report_json(r);
    CHECK(strstr(json, "\"server_version\"") && strstr(json, "\"schema_restored\"") &&
          strstr(json, "\"rows_changed\"") && strstr(json, "\"reapply\"") &&
          strstr(json, "\"rewrites\"") && strstr(json, "\"previous_queries\""));
    free(json);
    char *md = rs_drill_report_markdown(r);
    CHECK(strstr(md, "# Migration drill") && strstr(md, "0004_scale") &&
          strstr(md, "users | balance"));
    free(md);
    char *text = rs_drill_report_text(r, false);
    CHECK(strstr(text, "7 migration(s) drilled"));
    free(text);
    rs_drill_result_free(r);
}

/* Killing at statement 2 of a wrapped migration (diesel): nothing stays, nothing to repair. */
TEST(drill_crash_wrapped)
{
    NEED_SERVER();
    const char *dir = test_tmpdir();
    test_write(dir, "migrations/00000000000000_diesel_initial_setup/up.sql", "SELECT 1;\n");
    test_write(dir, "migrations/00000000000000_diesel_initial_setup/down.sql", "SELECT 1;\n");
    test_write(dir, "migrations/2024-01-01-000000_items/up.sql",
               "CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL);\n");
    test_write(dir, "migrations/2024-01-01-000000_items/down.sql", "DROP TABLE items;\n");
    test_write(dir, "migrations/2024-01-02-000000_split/up.sql",
               "ALTER TABLE items ADD COLUMN label text;\n"
               "UPDATE items SET label = upper(name);\n"
               "ALTER TABLE items DROP COLUMN name;\n");
    test_write(dir, "migrations/2024-01-02-000000_split/down.sql",
               "ALTER TABLE items ADD COLUMN name text;\n"
               "UPDATE items SET name = lower(label);\n"
               "ALTER TABLE items DROP COLUMN label;\n");
    struct rs_drill_opts o;
    rs_drill_opts_init(&o);
    char path[4096];
    snprintf(path, sizeof(path), "%s/migrations", dir);
    o.path = path;
    o.last = 1;
    o.crash_at = 2;
    struct rs_drill_result *r = run(&o);
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK_STR(r->layout, "diesel");
    CHECK_INT(r->summary.drilled, 1);
    const struct rs_drill_migration *m = find(r, "20240102000000");
    CHECK(m && m->verdict == RS_VERDICT_IRREVERSIBLE); /* upper() then lower() loses the case */
    const struct rs_drill_crash *c = m ? &m->crash : NULL;
    CHECK(c && c->ran && c->killed && c->at == 2);
    CHECK(c && c->state && !strcmp(c->state, "unchanged"));
    CHECK(c && c->napplied == 0 && c->nrolled_back == 2);
    CHECK(c && c->ninvalid_indexes == 0 && !c->dirty);
    CHECK(c && c->state_table && strstr(c->state_table, "__diesel_schema_migrations"));
    rs_drill_result_free(r);
}

/*
 * Killing at statement 2 of a plain file (statements commit one by one): statement 1 stays, and
 * a CREATE INDEX CONCURRENTLY killed part-way leaves an invalid index.
 */
TEST(drill_crash_partial_and_invalid_index)
{
    NEED_SERVER();
    const char *dir = test_tmpdir();
    test_write(dir, "m/001_init.sql", "CREATE TABLE t (id int PRIMARY KEY, v text);\n");
    test_write(dir, "m/002_index.sql",
               "ALTER TABLE t ADD COLUMN w int;\n"
               "CREATE INDEX CONCURRENTLY t_v_idx ON t (v);\n"
               "ALTER TABLE t ADD COLUMN x int;\n");
    struct rs_drill_opts o;
    rs_drill_opts_init(&o);
    char path[4096];
    snprintf(path, sizeof(path), "%s/m", dir);
    o.path = path;
    o.layout = "plain";
    o.last = 1;
    o.crash_at = 2;
    o.no_check = true;
    struct rs_drill_result *r = run(&o);
    CHECK(r != NULL);
    if (!r)
        return;
    const struct rs_drill_migration *m = r->nmigrations == 2 ? &r->migrations[1] : NULL;
    CHECK(m && m->outcome == RS_DRILL_OBSERVED && m->up.ok);
    const struct rs_drill_crash *c = m ? &m->crash : NULL;
    CHECK(c && c->killed);
    CHECK(c && c->state && !strcmp(c->state, "partially applied"));
    CHECK(c && c->napplied == 1 && strstr(c->applied[0], "ALTER TABLE"));
    CHECK(c && c->ninvalid_indexes == 1 && strstr(c->invalid_indexes[0], "t_v_idx"));
    CHECK(c &&
          any_contains(c->vs_before.schema_diff, c->vs_before.nschema_diff, "column t.w: added"));
    CHECK(c && c->dirty);
    rs_drill_result_free(r);
}

/* --previous-queries: the query that reads a dropped column is named, with its file and line. */
TEST(drill_previous_queries)
{
    NEED_SERVER();
    const char *dir = test_tmpdir();
    test_write(dir, "m/0001_init.up.sql",
               "CREATE TABLE accounts (id int PRIMARY KEY, name text, legacy text);\n");
    test_write(dir, "m/0002_drop_legacy.up.sql", "ALTER TABLE accounts DROP COLUMN legacy;\n");
    test_write(dir, "m/0002_drop_legacy.down.sql",
               "ALTER TABLE accounts ADD COLUMN legacy text;\n");
    test_write(dir, "q/accounts.sql",
               "SELECT id, name FROM accounts WHERE id = $1;\n"
               "\n"
               "SELECT id, legacy FROM accounts WHERE id = $1;\n"
               "SELECT nothing FROM nowhere;\n");
    struct rs_drill_opts o;
    rs_drill_opts_init(&o);
    char path[4096], queries[4096];
    snprintf(path, sizeof(path), "%s/m", dir);
    snprintf(queries, sizeof(queries), "%s/q", dir);
    o.path = path;
    o.previous_queries = queries;
    o.last = 1;
    struct rs_drill_result *r = run(&o);
    CHECK(r != NULL);
    if (!r)
        return;
    const struct rs_drill_migration *m = find(r, "0002");
    CHECK(m && m->previous.ran && m->previous.total == 3);
    CHECK(m && m->previous.nfailed == 1);
    CHECK(m && m->previous.nfailed && m->previous.failed[0].line == 3 &&
          strstr(m->previous.failed[0].error, "legacy"));
    CHECK(m && m->previous.skipped == 1); /* the one that fails before the migration too */
    CHECK(m && m->verdict == RS_VERDICT_IRREVERSIBLE); /* and the data of legacy is gone */
    CHECK(m && data_diff(&m->after_down, "accounts", "legacy") != NULL);
    rs_drill_result_free(r);
}

/* --database: scratch databases are created there, and none is left afterwards. */
TEST(drill_database_url)
{
    NEED_SERVER();
    struct arena a = ARENA_INIT;
    struct rs_diag d;
    rs_diag_init(&d, &a);
    struct rs_pgserver_opts so = {.tmp_base = server_tmp(), .cache_dir = cache_dir()};
    struct rs_pgserver *s = rs_pgserver_start(&so, &d);
    CHECK(s != NULL);
    if (!s) {
        arena_free(&a);
        return;
    }
    const char *url = rs_pgserver_conninfo(s, &a, NULL);
    PGconn *c = rs_pg_connect(url, 10, &d);
    CHECK(c != NULL);
    rs_pg_exec(c, &a, "CREATE TABLE precious (id int); INSERT INTO precious VALUES (1)", NULL);

    const char *dir = test_tmpdir();
    test_write(dir, "m/0001_init.up.sql", "CREATE TABLE precious (id int PRIMARY KEY);\n");
    test_write(dir, "m/0001_init.down.sql", "DROP TABLE precious;\n");
    struct rs_drill_opts o;
    rs_drill_opts_init(&o);
    char path[4096];
    snprintf(path, sizeof(path), "%s/m", dir);
    o.path = path;
    o.database_url = url;
    o.no_check = true;
    struct rs_drill_result *r = run(&o);
    CHECK(r != NULL);
    if (r) {
        CHECK(!r->embedded);
        CHECK_INT(r->summary.observed, 1);
        /* It ran in its own database: the table of the URL's database is untouched. */
        CHECK(r->migrations[0].up.ok);
        rs_drill_result_free(r);
    }
    char *left = NULL, *rows = NULL;
    rs_pg_query_value(c, &a, "SELECT count(*) FROM pg_database WHERE datname LIKE 'rollsafe%'",
                      &left, NULL);
    rs_pg_query_value(c, &a, "SELECT count(*) FROM precious", &rows, NULL);
    CHECK_STR(left, "0");
    CHECK_STR(rows, "1");
    PQfinish(c);
    CHECK_INT(rs_pgserver_stop(s, &d), 0);
    arena_free(&a);
}

/* Errors that stop the drill before any server starts are values with a position. */
TEST(drill_errors)
{
    struct arena a = ARENA_INIT;
    struct rs_diag d;
    rs_diag_init(&d, &a);
    const char *dir = test_tmpdir();
    test_write(dir, "m/0001_a.up.sql", "CREATE TABLE a (id int);\n");
    char path[4096];
    snprintf(path, sizeof(path), "%s/m", dir);
    struct rs_drill_opts o;
    rs_drill_opts_init(&o);
    o.path = path;
    o.since = "9999";
    struct rs_drill_result *r = NULL;
    CHECK_INT(rs_drill_run(&o, &r, &d), -1);
    CHECK(r == NULL);
    CHECK(d.n == 1 && strstr(d.v[0].message, "--since 9999"));
    rs_diag_init(&d, &a);
    o.since = NULL;
    o.database_url = "host=/nonexistent/socket/dir dbname=x connect_timeout=2";
    CHECK_INT(rs_drill_run(&o, &r, &d), -1);
    CHECK(d.n >= 1 && strstr(d.v[0].message, "cannot connect"));
    arena_free(&a);
}

/* --seed FILE fills the tables instead of generated rows, in every copy. */
TEST(drill_seed_file)
{
    NEED_SERVER();
    const char *dir = test_tmpdir();
    test_write(dir, "m/0001_init.up.sql", "CREATE TABLE notes (id int PRIMARY KEY, body text);\n");
    test_write(dir, "m/0002_trim.up.sql", "UPDATE notes SET body = trim(body);\n");
    test_write(dir, "m/0002_trim.down.sql", "SELECT 1;\n");
    test_write(dir, "seed.sql",
               "INSERT INTO notes VALUES (1, ' padded '), (2, 'plain'), (3, 'tail  ');\n"
               "INSERT INTO missing_table VALUES (1);\n");
    struct rs_drill_opts o;
    rs_drill_opts_init(&o);
    char path[4096], seed[4096];
    snprintf(path, sizeof(path), "%s/m", dir);
    snprintf(seed, sizeof(seed), "%s/seed.sql", dir);
    o.path = path;
    o.seed_file = seed;
    o.last = 1;
    o.no_check = true;
    struct rs_drill_result *r = run(&o);
    CHECK(r != NULL);
    if (!r)
        return;
    const struct rs_drill_migration *m = find(r, "0002");
    CHECK(m && m->seeded && m->seed_rows == 3 && m->seed_failed == 1);
    CHECK(m && m->verdict == RS_VERDICT_IRREVERSIBLE);
    const struct rs_drill_data_diff *dd = m ? data_diff(&m->after_down, "notes", "body") : NULL;
    CHECK(dd && dd->rows_changed == 2);
    rs_drill_result_free(r);
}
