/*
 * down_test.c - the down check (lib/down.c) and --emit-down (lib/emit_down.c), through
 * rs_check_run on small golang-migrate directories.
 *
 * The round-trip tests are the generator's contract: for an up whose statements all have an
 * exact inverse, the down rollsafe writes, used as the down, restores the schema. The other
 * tests pin the differences, the data-loss notes, the statements without inverse and approvals
 * written in the down.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout/layout.h"
#include "rollsafe/rollsafe.h"
#include "test.h"
#include "util/arena.h"
#include "util/strbuf.h"

struct run {
    struct arena a;
    struct rs_diag diag;
    struct rs_check_result *res;
};

/* Checks dir (layout golang-migrate) and returns the result of its last migration, or NULL. */
static const struct rs_migration_result *check_dir(struct run *r, const char *dir)
{
    r->a = (struct arena)ARENA_INIT;
    rs_diag_init(&r->diag, &r->a);
    struct rs_check_opts o;
    rs_check_opts_init(&o);
    o.path = dir;
    o.layout = "golang-migrate";
    o.emit_down = true;
    r->res = NULL;
    if (rs_check_run(&o, &r->res, &r->diag) < 0) {
        for (size_t i = 0; i < r->diag.n; i++)
            fprintf(stderr, "  diag: %s\n", r->diag.v[i].message);
        return NULL;
    }
    return r->res->nmigrations ? &r->res->migrations[r->res->nmigrations - 1] : NULL;
}

static void run_free(struct run *r)
{
    rs_check_result_free(r->res);
    arena_free(&r->a);
}

static bool has_string(const char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strstr(v[i], s))
            return true;
    return false;
}

static void print_strings(const char *what, const char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, "    %s: %s\n", what, v[i]);
}

static const struct rs_finding *finding(const struct rs_migration_result *m, const char *rule)
{
    for (size_t i = 0; m && i < m->nfindings; i++)
        if (!strcmp(m->findings[i].rule, rule))
            return &m->findings[i];
    return NULL;
}

static const char BASE[] =
    "CREATE TYPE mood AS ENUM ('happy', 'sad');\n"
    "CREATE SCHEMA app;\n"
    "CREATE TABLE users (\n"
    "    id bigserial PRIMARY KEY,\n"
    "    name varchar(50) NOT NULL,\n"
    "    email text,\n"
    "    nick text DEFAULT 'x',\n"
    "    age int CONSTRAINT users_age_check CHECK (age >= 0),\n"
    "    m mood,\n"
    "    price numeric(10,2)\n"
    ");\n"
    "CREATE TABLE orders (id int PRIMARY KEY, user_id bigint, note text);\n"
    "CREATE INDEX orders_user_idx ON orders (user_id);\n"
    "CREATE SEQUENCE counter;\n"
    "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n"
    "CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch();\n"
    "CREATE TYPE spare AS ENUM ('a', 'b');\n"
    "CREATE TABLE events (at timestamptz DEFAULT now(), score float8 DEFAULT 0);\n";

/*
 * Writes BASE as 0001 and up as 0002, takes rollsafe's down for 0002, writes it as the down
 * and checks again: the down must restore the schema and drop no old data.
 */
static void round_trip(const char *up)
{
    const char *dir = test_tmpdir();
    test_write(dir, "0001_base.up.sql", BASE);
    test_write(dir, "0002_change.up.sql", up);
    struct run r;
    const struct rs_migration_result *m = check_dir(&r, dir);
    CHECK(m != NULL);
    if (!m) {
        run_free(&r);
        return;
    }
    const char *emitted = m->down_check.emitted;
    if (!emitted) {
        test_fail(__FILE__, __LINE__, "no down emitted for:\n%s", up);
        print_strings("no inverse", m->down_check.no_inverse, m->down_check.nno_inverse);
        run_free(&r);
        return;
    }
    char *down = strdup(emitted);
    run_free(&r);
    test_write(dir, "0002_change.down.sql", down);
    m = check_dir(&r, dir);
    CHECK(m && m->down_check.present && m->down_check.checked);
    if (m && !m->down_check.restores_schema) {
        test_fail(__FILE__, __LINE__, "the emitted down does not restore the schema:\n%s\n%s", up,
                  down);
        print_strings("difference", m->down_check.differences, m->down_check.ndifferences);
    }
    CHECK(!finding(m, "down-drops-data"));
    CHECK(!finding(m, "statement-fails"));
    CHECK(!finding(m, "syntax-error"));
    free(down);
    run_free(&r);
}

TEST(down_emit_round_trip_columns)
{
    round_trip("ALTER TABLE users ADD COLUMN phone varchar(20);\n"
               "ALTER TABLE users ADD COLUMN score int NOT NULL DEFAULT 0, ADD COLUMN tag text;\n"
               "ALTER TABLE users ADD COLUMN serial_no bigserial;\n"
               "ALTER TABLE users ALTER COLUMN name TYPE varchar(200);\n"
               "ALTER TABLE users ALTER COLUMN price TYPE numeric(12,2);\n"
               "ALTER TABLE users ALTER COLUMN nick SET DEFAULT 'y';\n"
               "ALTER TABLE users ALTER COLUMN email SET DEFAULT 'none';\n"
               "ALTER TABLE users ALTER COLUMN nick DROP DEFAULT;\n"
               "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n"
               "ALTER TABLE users ALTER COLUMN name DROP NOT NULL;\n");
}

TEST(down_emit_round_trip_constraints)
{
    round_trip("ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);\n"
               "ALTER TABLE users ADD CHECK (length(nick) < 10);\n"
               "ALTER TABLE users DROP CONSTRAINT users_age_check;\n"
               "ALTER TABLE orders DROP CONSTRAINT orders_pkey;\n"
               "ALTER TABLE orders ADD PRIMARY KEY (id, user_id);\n"
               "ALTER TABLE orders ADD CONSTRAINT orders_user_fkey FOREIGN KEY (user_id) "
               "REFERENCES users (id) NOT VALID;\n"
               "ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fkey;\n");
}

TEST(down_emit_round_trip_renames)
{
    round_trip("ALTER TABLE users RENAME COLUMN nick TO handle;\n"
               "ALTER TABLE orders RENAME TO purchases;\n"
               "ALTER INDEX orders_user_idx RENAME TO purchases_user_idx;\n"
               "ALTER TABLE users RENAME CONSTRAINT users_age_check TO users_age_positive;\n"
               "ALTER SEQUENCE counter RENAME TO counter2;\n"
               "ALTER TYPE spare RENAME TO spare2;\n"
               "ALTER TYPE mood RENAME VALUE 'sad' TO 'blue';\n"
               "ALTER TRIGGER orders_touch ON purchases RENAME TO purchases_touch;\n"
               "ALTER TABLE purchases SET SCHEMA app;\n"
               "CREATE VIEW orders AS SELECT * FROM app.purchases;\n");
}

/* Names that are key words: the emitted down quotes them (OFFSET and POSITION are not
   identifiers unquoted), and leaves unreserved ones (name, type) bare. */
TEST(down_emit_round_trip_key_word_names)
{
    round_trip("ALTER TABLE users RENAME COLUMN nick TO \"offset\";\n"
               "ALTER TABLE users ADD COLUMN \"position\" int, ADD COLUMN type text;\n"
               "ALTER TABLE orders RENAME TO \"authorization\";\n");
}

TEST(down_emit_round_trip_objects)
{
    round_trip("CREATE TABLE tag (id int PRIMARY KEY, label text UNIQUE, user_id bigint "
               "REFERENCES users (id));\n"
               "CREATE INDEX tag_label_idx ON tag (label);\n"
               "INSERT INTO tag (id, label) VALUES (1, 'x');\n"
               "ALTER TABLE tag ADD COLUMN color text;\n"
               "CREATE INDEX CONCURRENTLY users_email_idx ON users (lower(email));\n"
               "CREATE UNIQUE INDEX users_name_idx ON users (name) WHERE name <> '';\n"
               "CREATE VIEW user_names AS SELECT id, name FROM users;\n"
               "CREATE MATERIALIZED VIEW user_count AS SELECT count(*) AS n FROM users;\n"
               "CREATE SEQUENCE tickets;\n"
               "CREATE TYPE level AS ENUM ('low', 'high');\n"
               "CREATE DOMAIN positive AS int CHECK (VALUE > 0);\n"
               "CREATE FUNCTION add1(i int) RETURNS int LANGUAGE sql AS 'SELECT i + 1';\n"
               "CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION "
               "touch();\n"
               "CREATE SCHEMA audit;\n"
               "CREATE EXTENSION IF NOT EXISTS pgcrypto;\n"
               "CREATE TABLE scratch (id int);\n"
               "ALTER TABLE scratch RENAME TO scratch2;\n"
               "DROP TABLE scratch2;\n"
               "DROP TYPE spare;\n"
               "DROP SCHEMA app;\n"
               "COMMENT ON TABLE users IS 'people';\n"
               "SET lock_timeout = '1s';\n");
}

/* Statements without an exact inverse: no down, and which statement and why. */
static void no_inverse(const char *up, const char *why)
{
    const char *dir = test_tmpdir();
    test_write(dir, "0001_base.up.sql", BASE);
    test_write(dir, "0002_change.up.sql", up);
    struct run r;
    const struct rs_migration_result *m = check_dir(&r, dir);
    CHECK(m && !m->down_check.emitted);
    if (m && !has_string(m->down_check.no_inverse, m->down_check.nno_inverse, why)) {
        test_fail(__FILE__, __LINE__, "no \"%s\" among the reasons for:\n%s", why, up);
        print_strings("no inverse", m->down_check.no_inverse, m->down_check.nno_inverse);
    }
    run_free(&r);
}

TEST(down_emit_no_inverse)
{
    no_inverse("SELECT 1;\nALTER TABLE users DROP COLUMN email;\n",
               "line 2: ALTER TABLE ... DROP COLUMN: the data of users.email cannot be restored");
    no_inverse("ALTER TYPE mood ADD VALUE 'angry';\n",
               "PostgreSQL has no ALTER TYPE ... DROP VALUE");
    no_inverse("ALTER TABLE users ALTER COLUMN price TYPE numeric(10,0);\n",
               "the up changes the values of column price");
    no_inverse("DROP TABLE orders;\n", "the rows of table orders cannot be restored");
    no_inverse("DROP INDEX orders_user_idx;\n", "not its full definition");
    no_inverse("ALTER TABLE orders ADD CONSTRAINT orders_user_fkey FOREIGN KEY (user_id) "
               "REFERENCES users (id);\nALTER TABLE orders DROP CONSTRAINT orders_user_fkey;\n"
               "ALTER TABLE users DROP CONSTRAINT users_pkey CASCADE;\n",
               "CASCADE also drops what depends on constraint users_pkey");
    no_inverse("UPDATE users SET name = lower(name);\n", "the values it overwrites are lost");
    no_inverse("DO $$ BEGIN NULL; END $$;\n", "rollsafe cannot follow what it does");
    no_inverse("CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
               "RETURN OLD; END $$;\n",
               "it replaces function touch");
    no_inverse("ALTER TABLE users OWNER TO admin;\n", "does not track the previous setting");
}

/* Writes BASE as 0001, up and down as 0002, and returns the check of 0002. */
static const struct rs_migration_result *pair(struct run *r, const char *up, const char *down)
{
    const char *dir = test_tmpdir();
    test_write(dir, "0001_base.up.sql", BASE);
    test_write(dir, "0002_change.up.sql", up);
    if (down)
        test_write(dir, "0002_change.down.sql", down);
    return check_dir(r, dir);
}

static void expect_difference(const char *up, const char *down, const char *difference)
{
    struct run r;
    const struct rs_migration_result *m = pair(&r, up, down);
    CHECK(m && m->down_check.checked && !m->down_check.restores_schema);
    if (m && !has_string(m->down_check.differences, m->down_check.ndifferences, difference)) {
        test_fail(__FILE__, __LINE__, "no difference \"%s\" for:\n%s--\n%s", difference, up, down);
        print_strings("difference", m->down_check.differences, m->down_check.ndifferences);
    }
    run_free(&r);
}

TEST(down_differences)
{
    expect_difference("ALTER TABLE users ALTER COLUMN name TYPE text;\n", "SELECT 1;\n",
                      "column users.name: type text, was character varying(50)");
    expect_difference("ALTER TABLE users ALTER COLUMN name DROP NOT NULL;\n", "SELECT 1;\n",
                      "column users.name: nullable, was NOT NULL");
    expect_difference("ALTER TABLE users ALTER COLUMN nick SET DEFAULT 'y';\n",
                      "ALTER TABLE users ALTER COLUMN nick DROP DEFAULT;\n",
                      "column users.nick: default none, was 'x'");
    expect_difference("DROP INDEX orders_user_idx;\n", "SELECT 1;\n",
                      "index orders_user_idx is missing");
    expect_difference("DROP INDEX orders_user_idx;\n",
                      "CREATE INDEX orders_user_idx ON orders (id);\n",
                      "index orders_user_idx: INDEX ON orders (id), was INDEX ON orders (user_id)");
    expect_difference("CREATE TABLE tmp (id int);\n", "SELECT 1;\n", "table tmp still exists");
    expect_difference("SELECT 1;\n", "CREATE TABLE tmp (id int);\n",
                      "table tmp exists after the down but not before the up");
    expect_difference("ALTER TABLE users DROP CONSTRAINT users_age_check;\n",
                      "ALTER TABLE users ADD CONSTRAINT users_age_check CHECK (age > 0);\n",
                      "constraint users_age_check on users: CHECK (age > 0), was CHECK (age >= 0)");
    expect_difference("ALTER TYPE mood RENAME VALUE 'sad' TO 'blue';\n", "SELECT 1;\n",
                      "enum mood: value 'sad' is missing");
    expect_difference("DROP TYPE spare;\n", "CREATE TYPE spare AS ENUM ('b', 'a');\n",
                      "enum spare: values in the order b, a, was a, b");
    expect_difference("CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ "
                      "BEGIN RETURN OLD; END $$;\n",
                      "SELECT 1;\n", "function touch(): definition differs from before the up");
    expect_difference("DROP TRIGGER orders_touch ON orders;\n", "SELECT 1;\n",
                      "trigger orders_touch on orders is missing");
    expect_difference("ALTER TABLE orders ADD COLUMN x int;\n",
                      "ALTER TABLE orders DROP COLUMN x;\nALTER TABLE orders DROP COLUMN x;\n",
                      "the down fails at statement 2 (line 2): column \"x\" of relation "
                      "\"orders\" does not exist");
}

/* A down that drops many indexes and tables and creates them again in another order leaves
   the models' arrays permuted: the comparison's lookups then leave the slot of the same number
   for scans and maps, and must still find every object, and only the real differences. */
TEST(down_permuted_objects)
{
    struct arena a = ARENA_INIT;
    struct strbuf base, up, down;
    sb_init(&base, &a);
    sb_init(&up, &a);
    sb_init(&down, &a);
    enum { NTABLES = 30 };
    for (int i = 0; i < NTABLES; i++) {
        sb_printf(&base, "CREATE TABLE t%d (id int PRIMARY KEY, a int, b int);\n", i);
        sb_printf(&base, "CREATE INDEX t%d_a ON t%d (a);\nCREATE INDEX t%d_b ON t%d (b);\n", i, i,
                  i, i);
        sb_printf(&up, "DROP INDEX t%d_a;\nDROP INDEX t%d_b;\n", i, i);
    }
    sb_add(&up, "DROP TABLE t7;\n");
    sb_add(&down, "CREATE TABLE t7 (id int PRIMARY KEY, a int, b int);\n");
    for (int i = NTABLES; i-- > 0;) {
        if (i == 3)
            continue; /* forgotten */
        sb_printf(&down, "CREATE INDEX t%d_b ON t%d (%s);\n", i, i, i == 11 ? "a" : "b");
        sb_printf(&down, "CREATE INDEX t%d_a ON t%d (a);\n", i, i);
    }
    sb_add(&down, "CREATE TABLE extra (x int);\n");
    const char *dir = test_tmpdir();
    test_write(dir, "0001_base.up.sql", base.s);
    test_write(dir, "0002_change.up.sql", up.s);
    test_write(dir, "0002_change.down.sql", down.s);
    struct run r;
    const struct rs_migration_result *m = check_dir(&r, dir);
    CHECK(m && m->down_check.checked && !m->down_check.restores_schema);
    const char *want[] = {
        "index t3_a is missing",
        "index t3_b is missing",
        "index t11_b: INDEX ON t11 (a), was INDEX ON t11 (b)",
        "table extra exists after the down but not before the up",
    };
    size_t nwant = sizeof(want) / sizeof(want[0]);
    CHECK(m && m->down_check.ndifferences == nwant);
    for (size_t i = 0; m && i < nwant; i++) {
        if (!has_string(m->down_check.differences, m->down_check.ndifferences, want[i]))
            test_fail(__FILE__, __LINE__, "no difference \"%s\"", want[i]);
    }
    if (m && m->down_check.ndifferences != nwant)
        print_strings("difference", m->down_check.differences, m->down_check.ndifferences);
    run_free(&r);
    arena_free(&a);
}

/* BASE, then up and down: the down restores the schema. */
static void expect_restores(const char *up, const char *down)
{
    struct run r;
    const struct rs_migration_result *m = pair(&r, up, down);
    CHECK(m && m->down_check.restores_schema);
    if (m)
        print_strings("difference", m->down_check.differences, m->down_check.ndifferences);
    run_free(&r);
}

TEST(down_restores_equivalent_forms)
{
    /* Casts PostgreSQL adds anyway, a default written another way, a re-created view, FKs
       without column lists, a multi-table DROP: all restore the schema. */
    expect_restores("ALTER TABLE users ALTER COLUMN nick SET DEFAULT 'y';\n"
                    "CREATE TABLE a (id int PRIMARY KEY);\n"
                    "CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a);\n"
                    "DROP INDEX orders_user_idx;\n",
                    "DROP TABLE a, b;\n"
                    "ALTER TABLE users ALTER COLUMN nick SET DEFAULT 'x'::text;\n"
                    "CREATE INDEX orders_user_idx ON public.orders (user_id);\n");
    /* As pg_dump writes them: a cast to a type of several words, a type of the public schema
       named in full, a NOT NULL constraint of PostgreSQL 18. */
    expect_restores(
        "ALTER TABLE events ALTER COLUMN score SET DEFAULT 1;\n"
        "ALTER TABLE users ALTER COLUMN m TYPE text, ALTER COLUMN name DROP NOT NULL;\n",
        "ALTER TABLE events ALTER COLUMN score SET DEFAULT (0)::double precision;\n"
        "ALTER TABLE users ALTER COLUMN m TYPE public.mood USING m::public.mood;\n"
        "ALTER TABLE users ADD CONSTRAINT users_name_not_null NOT NULL name;\n");
}

TEST(down_data_findings)
{
    struct run r;
    /* seed 001: dropping what the up added loses what was written since: information. */
    const struct rs_migration_result *m = pair(&r, "ALTER TABLE users ADD COLUMN phone text;\n",
                                               "ALTER TABLE users DROP COLUMN phone;\n");
    const struct rs_finding *f = finding(m, "down-drops-new-data");
    CHECK(m && m->down_check.restores_schema && m->verdict == RS_VERDICT_SAFE);
    CHECK(f && f->severity == RS_SEV_INFO && f->in_down && f->line == 1);
    CHECK(f && f->path && strstr(f->path, "0002_change.down.sql"));
    run_free(&r);

    /* A rename undone by DROP and ADD destroys the data that was there before the up. */
    m = pair(&r, "ALTER TABLE users RENAME COLUMN email TO mail;\n",
             "ALTER TABLE users DROP COLUMN mail;\nALTER TABLE users ADD COLUMN email text;\n");
    f = finding(m, "down-drops-data");
    CHECK(m && m->down_check.restores_schema && m->verdict == RS_VERDICT_IRREVERSIBLE);
    CHECK(f && f->cls == RS_CLASS_IRREVERSIBLE && strstr(f->message, "users.email before the up"));
    CHECK(m && !m->ponr_path); /* the point of no return is about the up */
    run_free(&r);

    /* The up drops a column; the down brings it back empty. */
    m = pair(&r, "ALTER TABLE users DROP COLUMN email;\n",
             "ALTER TABLE users ADD COLUMN email text;\n");
    CHECK(m && m->down_check.restores_schema);
    CHECK(m && has_string(m->down_check.data_loss, m->down_check.ndata_loss,
                          "re-creates column users.email empty"));
    CHECK(finding(m, "down-data-not-restored") != NULL);
    run_free(&r);

    /* Widened, then narrowed back: fails on what was written since. */
    m = pair(&r, "ALTER TABLE users ALTER COLUMN name TYPE varchar(255);\n",
             "ALTER TABLE users ALTER COLUMN name TYPE varchar(50);\n");
    f = finding(m, "down-narrows");
    CHECK(m && m->down_check.restores_schema);
    CHECK(f && f->severity == RS_SEV_WARNING && strstr(f->message, "longer than 50"));
    run_free(&r);

    /* ... unless the down rewrites the values first. */
    m = pair(&r, "ALTER TABLE users ALTER COLUMN name TYPE varchar(255);\n",
             "UPDATE users SET name = left(name, 50);\n"
             "ALTER TABLE users ALTER COLUMN name TYPE varchar(50);\n");
    CHECK(m && !finding(m, "down-narrows"));
    run_free(&r);

    /* An enum value the up added stays. */
    m = pair(&r, "ALTER TYPE mood ADD VALUE 'angry';\n", "SELECT 1;\n");
    CHECK(m && !m->down_check.restores_schema);
    CHECK(finding(m, "down-enum-value") && !finding(m, "down-mismatch"));
    run_free(&r);
}

TEST(down_missing_empty_and_broken)
{
    struct run r;
    const struct rs_migration_result *m =
        pair(&r, "ALTER TABLE users ADD COLUMN phone text;\n", NULL);
    CHECK(m && !m->down_check.present && !m->down_check.checked);
    CHECK(finding(m, "down-missing") && !finding(m, "down-missing")->in_down);
    run_free(&r);

    m = pair(&r, "UPDATE users SET nick = 'x';\n", NULL);
    CHECK(m && !finding(m, "down-missing")); /* nothing in the schema to undo */
    run_free(&r);

    m = pair(&r, "ALTER TABLE users ADD COLUMN phone text;\n", "-- nothing to see here\n");
    CHECK(m && m->down_check.checked && !m->down_check.restores_schema);
    CHECK(finding(m, "down-empty") && !finding(m, "down-mismatch"));
    run_free(&r);

    m = pair(&r, "ALTER TABLE users ADD COLUMN a int;\nALTER TABLE users ADD COLUMN b int;\n",
             "ALTER TABLE users DROP COLUMN b\nALTER TABLE users DROP COLUMN a;\n");
    const struct rs_finding *f = finding(m, "syntax-error");
    CHECK(f && f->in_down && f->fatal && f->line == 2 && f->column == 1);
    CHECK(m && !m->down_check.restores_schema && r.res->failed);
    run_free(&r);
}

TEST(down_approvals)
{
    struct run r;
    const struct rs_migration_result *m =
        pair(&r, "ALTER TABLE users RENAME COLUMN email TO mail;\n",
             "-- rollsafe:approve down-drops-data reason=\"mail is copied to the archive first\"\n"
             "ALTER TABLE users DROP COLUMN mail;\n"
             "ALTER TABLE users ADD COLUMN email text;\n");
    const struct rs_finding *f = finding(m, "down-drops-data");
    CHECK(f && f->approved && f->approval_reason && strstr(f->approval_reason, "archive"));
    CHECK(!finding(m, "unused-approval"));
    run_free(&r);

    /* An approval in the up does not approve the down, and the reverse. */
    m = pair(&r,
             "-- rollsafe:approve down-drops-data reason=\"wrong file\"\n"
             "ALTER TABLE users RENAME COLUMN email TO mail;\n",
             "ALTER TABLE users DROP COLUMN mail;\nALTER TABLE users ADD COLUMN email text;\n");
    f = finding(m, "down-drops-data");
    CHECK(f && !f->approved);
    f = finding(m, "unused-approval");
    CHECK(f && !f->in_down);
    run_free(&r);
}

/*
 * The corpora's ups, each with the down rollsafe writes for it (when it writes one), as a
 * golang-migrate directory: every one of those downs must restore the schema on the model.
 * Checks the generator on real migrations, hundreds of statements of every kind.
 */
static void corpus_round_trip(const char *rel, const char *layout, size_t min_emitted)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/../shared/corpora/%s", test_root(), rel);
    FILE *probe = fopen(path, "r");
    if (!probe)
        SKIP("../shared/corpora is absent");
    fclose(probe);
    struct run r = {.a = ARENA_INIT};
    rs_diag_init(&r.diag, &r.a);
    struct rs_check_opts o;
    rs_check_opts_init(&o);
    o.path = path;
    o.layout = layout;
    o.emit_down = true;
    CHECK(rs_check_run(&o, &r.res, &r.diag) == 0);
    if (!r.res) {
        arena_free(&r.a);
        return;
    }
    const char *dir = test_tmpdir();
    size_t emitted = 0;
    for (size_t i = 0; i < r.res->nmigrations; i++) {
        const struct rs_migration_result *m = &r.res->migrations[i];
        char name[64];
        snprintf(name, sizeof(name), "%04zu_m.up.sql", i + 1);
        test_write(dir, name, m->migration->up.text ? m->migration->up.text : "");
        if (m->down_check.emitted) {
            snprintf(name, sizeof(name), "%04zu_m.down.sql", i + 1);
            test_write(dir, name, m->down_check.emitted);
            emitted++;
        }
    }
    run_free(&r);
    if (emitted < min_emitted)
        test_fail(__FILE__, __LINE__, "%s: %zu downs emitted, expected at least %zu", rel, emitted,
                  min_emitted);
    check_dir(&r, dir);
    CHECK(r.res != NULL);
    for (size_t i = 0; r.res && i < r.res->nmigrations; i++) {
        const struct rs_migration_result *m = &r.res->migrations[i];
        if (!m->down_check.present)
            continue;
        if (!m->down_check.restores_schema) {
            test_fail(__FILE__, __LINE__,
                      "%s: the down emitted for migration %zu does not "
                      "restore the schema",
                      rel, i + 1);
            print_strings("difference", m->down_check.differences, m->down_check.ndifferences);
        }
        for (size_t k = 0; k < m->nfindings; k++) {
            const struct rs_finding *f = &m->findings[k];
            if (f->in_down && (f->fatal || !strcmp(f->rule, "down-drops-data")))
                test_fail(__FILE__, __LINE__, "%s: migration %zu: %s: %s", rel, i + 1, f->rule,
                          f->message);
        }
    }
    run_free(&r);
}

TEST(down_emit_corpora_round_trip)
{
    corpus_round_trip("lemmy/migrations", "diesel", 150);
    corpus_round_trip("vaultwarden/migrations/postgresql", "diesel", 35);
    corpus_round_trip("authelia/internal/storage/migrations/postgres", "golang-migrate", 15);
}
