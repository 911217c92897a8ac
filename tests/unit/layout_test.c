/*
 * layout_test.c - migration layouts: order, ids, names, up/down pairing, transaction modes,
 * script sections (blanked but at file offsets), detection and error reports; then the real
 * corpora in ../shared/corpora when they are present.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "layout/layout.h"
#include "layout/layout_int.h"
#include "test.h"
#include "util/arena.h"

struct fx {
    struct arena arena;
    struct rs_diag diag;
    struct rs_layout_ctx ctx;
    struct rs_migration_list list;
    const struct rs_layout *used;
    int rc;
};

static void fx_init(struct fx *f)
{
    memset(f, 0, sizeof(*f));
    f->arena = (struct arena)ARENA_INIT;
    rs_diag_init(&f->diag, &f->arena);
    f->ctx.arena = &f->arena;
    f->ctx.diag = &f->diag;
}

/* Loads path with the named layout (NULL: detect). */
static void fx_load(struct fx *f, const char *path, const char *layout)
{
    f->rc = rs_layout_load_path(&f->ctx, path, layout, &f->used, &f->list);
}

static void fx_free(struct fx *f)
{
    arena_free(&f->arena);
}

static const char *used_name(const struct fx *f)
{
    return f->used ? f->used->name : "(none)";
}

/* The first error whose message contains s, or NULL. */
static const struct rs_error *find_error(const struct fx *f, const char *s)
{
    for (size_t i = 0; i < f->diag.n; i++)
        if (strstr(f->diag.v[i].message, s))
            return &f->diag.v[i];
    return NULL;
}

static void print_errors(const struct fx *f)
{
    for (size_t i = 0; i < f->diag.n; i++)
        fprintf(stderr, "    diag: %s:%d:%d: %s (%s)\n",
                f->diag.v[i].path ? f->diag.v[i].path : "-", f->diag.v[i].line, f->diag.v[i].column,
                f->diag.v[i].message, f->diag.v[i].hint ? f->diag.v[i].hint : "no hint");
}

/* Whether the script holds needle at the same offset as the file does. */
static bool script_has(const struct rs_script *s, const char *needle)
{
    if (!s->src)
        return false;
    const char *a = strstr(s->text, needle);
    const char *b = strstr(s->src->text, needle);
    return a && b && (a - s->text) == (b - s->src->text) && strlen(s->text) == s->src->len;
}

static bool script_lacks(const struct rs_script *s, const char *needle)
{
    return s->src && !strstr(s->text, needle);
}

/* ------------------------------------------------------------------------------------------------
 * Registry and helpers
 */

TEST(layout_natural_order)
{
    CHECK(rs_natural_cmp("2_a", "10_a") < 0);
    CHECK(rs_natural_cmp("10_a", "2_a") > 0);
    CHECK(rs_natural_cmp("0009-fix.sql", "00010-search.sql") < 0);
    CHECK(rs_natural_cmp("00010-search.sql", "0011-add.sql") < 0);
    CHECK(rs_natural_cmp("abc", "abd") < 0);
    CHECK(rs_natural_cmp("a", "a") == 0);
    CHECK(rs_natural_cmp("a1", "a") > 0);
    CHECK(rs_natural_cmp("V1.1", "V1.10") < 0);
    CHECK(rs_natural_cmp("x99999999999999999999999", "x100000000000000000000000") < 0);
    CHECK(rs_natural_cmp("2024-01-02-000101_b", "2024-01-02-000101_a") > 0);
    CHECK(rs_natural_cmp("2024-01-02-0099_x", "2024-01-02-100_x") < 0);
    CHECK(rs_natural_cmp("a007b", "a7a") > 0);
}

/* The order by its definition, written another way: each name cut into tokens (a run of
   digits is one token, any other byte is a token of its own), the tokens compared in turn; two
   runs of digits by their value, anything else by bytes; a name that runs out first is less. */
struct token {
    const char *s;
    size_t n;
    bool number;
};

static size_t tokens(const char *s, struct token *out)
{
    size_t k = 0;
    while (*s) {
        size_t n = 1;
        bool number = *s >= '0' && *s <= '9';
        while (number && s[n] >= '0' && s[n] <= '9')
            n++;
        out[k++] = (struct token){s, n, number};
        s += n;
    }
    return k;
}

static int natural_by_definition(const char *a, const char *b)
{
    struct token ta[16], tb[16];
    size_t na = tokens(a, ta), nb = tokens(b, tb);
    for (size_t i = 0; i < na && i < nb; i++) {
        /* Equal first bytes are both digits or both not: only two numbers can be equal in
           their first byte and still differ. */
        int c = ta[i].number && tb[i].number
                    ? layout_number_cmp(ta[i].s, ta[i].n, tb[i].s, tb[i].n)
                    : (unsigned char)ta[i].s[0] - (unsigned char)tb[i].s[0];
        if (c)
            return c;
    }
    return na > nb ? 1 : na < nb ? -1 : 0;
}

/* rs_natural_cmp steps over the common prefix first: the same order as the definition on
   names that share prefixes, digits, leading zeros and separators. */
TEST(layout_natural_order_matches_definition)
{
    static const char alphabet[] = "00129_a-";
    unsigned seed = 12345;
    char x[12], y[12];
    for (int round = 0; round < 200000; round++) {
        size_t nx = 0, ny = 0, len = (seed = seed * 1103515245 + 12345) >> 16 & 7;
        for (; nx < len; nx++)
            x[nx] = alphabet[(seed = seed * 1103515245 + 12345) >> 16 & 7];
        x[nx] = '\0';
        /* y: a prefix of x, then bytes of its own */
        size_t keep = len ? ((seed = seed * 1103515245 + 12345) >> 16) % (len + 1) : 0;
        memcpy(y, x, keep);
        ny = keep;
        size_t more = (seed = seed * 1103515245 + 12345) >> 16 & 3;
        for (size_t k = 0; k < more; k++)
            y[ny++] = alphabet[(seed = seed * 1103515245 + 12345) >> 16 & 7];
        y[ny] = '\0';
        int want = natural_by_definition(x, y), got = rs_natural_cmp(x, y);
        if ((want > 0) - (want < 0) != (got > 0) - (got < 0)) {
            test_fail(__FILE__, __LINE__, "\"%s\" vs \"%s\": %d, by definition %d", x, y, got,
                      want);
            return;
        }
    }
}

TEST(layout_registry)
{
    CHECK_STR(rs_txmode_name(RS_TX_WRAPPED), "wrapped");
    CHECK_STR(rs_txmode_name(RS_TX_IMPLICIT), "implicit");
    CHECK_STR(rs_txmode_name(RS_TX_NONE), "none");
    CHECK_STR(rs_txmode_name(RS_TX_GROUP), "group");
    CHECK_STR(rs_txmode_name(RS_TX_SCRIPT), "script");
    /* In the order of rs_layouts[], which breaks ties in detection. */
    static const char *const names[] = {"plain",   "golang-migrate", "goose",    "dbmate",
                                        "prisma",  "flyway",         "sqitch",   "diesel",
                                        "drizzle", "atlas",          "liquibase"};
    size_t n = 0;
    while (rs_layouts[n])
        n++;
    CHECK_INT(n, sizeof(names) / sizeof(names[0]));
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const struct rs_layout *l = rs_layout_find(names[i]);
        CHECK(l != NULL && l == rs_layouts[i]);
        if (l) {
            CHECK_STR(l->name, names[i]);
            CHECK(l->description && *l->description);
        }
    }
    CHECK(rs_layout_find("nope") == NULL);
}

TEST(layout_unknown_name_and_missing_path)
{
    struct fx f;
    fx_init(&f);
    const char *dir = test_tmpdir();
    fx_load(&f, dir, "flywheel");
    CHECK_INT(f.rc, -1);
    const struct rs_error *e = find_error(&f, "unknown layout");
    CHECK(e && e->hint && strstr(e->hint, "golang-migrate"));
    fx_free(&f);

    fx_init(&f);
    fx_load(&f, "/nonexistent/rollsafe/migrations", NULL);
    CHECK_INT(f.rc, -1);
    CHECK(f.diag.n == 1 && f.diag.v[0].hint);
    fx_free(&f);
}

/* ------------------------------------------------------------------------------------------------
 * plain
 */

TEST(layout_plain)
{
    const char *dir = test_tmpdir();
    test_write(dir, "10_b.sql", "CREATE TABLE b (id int);\n");
    test_write(dir, "2_a.sql", "CREATE TABLE a (id int);\n");
    test_write(dir, "setup.sql", "CREATE SCHEMA s;\n");
    test_write(dir, "notes.txt", "not sql\n");
    test_write(dir, ".hidden.sql", "DROP TABLE a;\n");
    test_write(dir, "sub/3_c.sql", "CREATE TABLE c (id int);\n");
    struct fx f;
    fx_init(&f);
    fx_load(&f, dir, NULL);
    CHECK_INT(f.rc, 0);
    CHECK_STR(used_name(&f), "plain");
    CHECK_INT(f.diag.n, 0);
    CHECK_INT(f.list.n, 3);
    if (f.list.n == 3) {
        CHECK_STR(f.list.v[0].id, "2");
        CHECK_STR(f.list.v[0].name, "a");
        CHECK_STR(f.list.v[1].id, "10");
        CHECK_STR(f.list.v[2].id, "setup");
        CHECK_STR(f.list.v[2].name, "");
        CHECK_STR(f.list.v[0].layout, "plain");
        CHECK(f.list.v[0].down.src == NULL);
        CHECK(!f.list.v[0].down_expected);
        CHECK_INT(f.list.v[0].up_tx, RS_TX_SCRIPT);
        CHECK(script_has(&f.list.v[0].up, "CREATE TABLE a"));
    }
    fx_free(&f);

    fx_init(&f);
    f.ctx.plain_in_transaction = true;
    static const char *const excl[] = {"10_*", "setup.sql"};
    f.ctx.exclude = excl;
    f.ctx.nexclude = 2;
    fx_load(&f, dir, "plain");
    CHECK_INT(f.list.n, 1);
    if (f.list.n == 1) {
        CHECK_STR(f.list.v[0].id, "2");
        CHECK_INT(f.list.v[0].up_tx, RS_TX_WRAPPED);
    }
    fx_free(&f);
}

TEST(layout_plain_natural_order_of_padded_numbers)
{
    const char *dir = test_tmpdir();
    test_write(dir, "0009-fix.sql", "SELECT 9;\n");
    test_write(dir, "00010-search.sql", "SELECT 10;\n");
    test_write(dir, "0011-more.sql", "SELECT 11;\n");
    test_write(dir, "0001-init.sql", "SELECT 1;\n");
    struct fx f;
    fx_init(&f);
    fx_load(&f, dir, NULL);
    CHECK_INT(f.list.n, 4);
    if (f.list.n == 4) {
        CHECK_STR(f.list.v[0].id, "0001");
        CHECK_STR(f.list.v[0].name, "init");
        CHECK_STR(f.list.v[1].id, "0009");
        CHECK_STR(f.list.v[2].id, "00010");
        CHECK_STR(f.list.v[3].id, "0011");
    }
    fx_free(&f);
}

TEST(layout_plain_bad_files_are_errors_not_crashes)
{
    const char *dir = test_tmpdir();
    test_write(dir, "1_ok.sql", "SELECT 1;\n");
    test_write(dir, "2_latin1.sql", "SELECT 'caf\xe9';\n");
    char link[4096];
    snprintf(link, sizeof(link), "%s/3_loop.sql", dir);
    CHECK(symlink("3_loop.sql", link) == 0);
    snprintf(link, sizeof(link), "%s/4_dangling.sql", dir);
    CHECK(symlink("nowhere.sql", link) == 0);
    struct fx f;
    fx_init(&f);
    fx_load(&f, dir, NULL);
    CHECK_INT(f.rc, 0);
    CHECK_INT(f.list.n, 1);
    const struct rs_error *e = find_error(&f, "invalid UTF-8");
    CHECK(e && e->line == 1 && e->column == 12);
    e = find_error(&f, "symbolic-link loop");
    CHECK(e && e->hint);
    e = find_error(&f, "broken symbolic link");
    CHECK(e && e->hint);
    fx_free(&f);
}

TEST(layout_unreadable_directory)
{
    if (geteuid() == 0)
        SKIP("running as root: permissions do not apply");
    const char *dir = test_tmpdir();
    test_write(dir, "m/1_a.sql", "SELECT 1;\n");
    char path[4096];
    snprintf(path, sizeof(path), "%s/m", dir);
    chmod(path, 0);
    struct fx f;
    fx_init(&f);
    fx_load(&f, path, NULL);
    CHECK_INT(f.rc, -1);
    const struct rs_error *e = find_error(&f, "cannot list directory");
    CHECK(e && e->hint);
    chmod(path, 0700);
    fx_free(&f);
}

/* ------------------------------------------------------------------------------------------------
 * golang-migrate
 */

TEST(layout_golang_migrate)
{
    const char *dir = test_tmpdir();
    test_write(dir, "1_init.up.sql", "CREATE TABLE users (id int);\n");
    test_write(dir, "1_init.down.sql", "DROP TABLE users;\n");
    test_write(dir, "2_add_name.up.sql", "ALTER TABLE users ADD name text;\n");
    test_write(dir, "10_index.up.sql", "CREATE INDEX CONCURRENTLY i ON users (name);\n");
    test_write(dir, "10_index.down.sql", "DROP INDEX i;\n");
    test_write(dir, "README.md", "# migrations\n");
    struct fx f;
    fx_init(&f);
    fx_load(&f, dir, NULL);
    CHECK_INT(f.rc, 0);
    CHECK_STR(used_name(&f), "golang-migrate");
    CHECK_INT(f.diag.n, 0);
    CHECK_INT(f.list.n, 3);
    if (f.list.n == 3) {
        const struct rs_migration *m = f.list.v;
        CHECK_STR(m[0].id, "1");
        CHECK_STR(m[0].name, "init");
        CHECK(script_has(&m[0].up, "CREATE TABLE users"));
        CHECK(script_has(&m[0].down, "DROP TABLE users"));
        CHECK_STR(m[1].id, "2");
        CHECK(m[1].down.src == NULL);
        CHECK(m[1].down_expected);
        CHECK_STR(m[2].id, "10");
        CHECK_INT(m[2].up_tx, RS_TX_IMPLICIT);
        CHECK_INT(m[2].down_tx, RS_TX_IMPLICIT);
        CHECK_STR(m[2].layout, "golang-migrate");
    }
    fx_free(&f);
}

TEST(layout_golang_migrate_errors)
{
    const char *dir = test_tmpdir();
    test_write(dir, "1_init.up.sql", "CREATE TABLE a (id int);\n");
    test_write(dir, "001_again.up.sql", "CREATE TABLE b (id int);\n");
    test_write(dir, "3_orphan.down.sql", "DROP TABLE c;\n");
    test_write(dir, "4_ok.up.sql", "SELECT 1;\n");
    struct fx f;
    fx_init(&f);
    fx_load(&f, dir, "golang-migrate");
    CHECK_INT(f.rc, 0);
    CHECK_INT(f.list.n, 2);
    const struct rs_error *e = find_error(&f, "two up migrations with version");
    CHECK(e && e->hint && e->path);
    e = find_error(&f, "down migration without an up");
    CHECK(e && e->path && strstr(e->path, "3_orphan.down.sql"));
    CHECK_INT(f.diag.n, 2);
    fx_free(&f);
}

TEST(layout_golang_migrate_v_prefix)
{
    const char *dir = test_tmpdir();
    test_write(dir, "V0002.WebAuthn.up.sql", "CREATE TABLE w (id int);\n");
    test_write(dir, "V0002.WebAuthn.down.sql", "DROP TABLE w;\n");
    test_write(dir, "V0001.Initial_Schema.up.sql", "CREATE TABLE u (id int);\n");
    test_write(dir, "V0001.Initial_Schema.down.sql", "DROP TABLE u;\n");
    struct fx f;
    fx_init(&f);
    fx_load(&f, dir, NULL);
    CHECK_STR(used_name(&f), "golang-migrate");
    CHECK_INT(f.list.n, 2);
    if (f.list.n == 2) {
        CHECK_STR(f.list.v[0].id, "0001");
        CHECK_STR(f.list.v[0].name, "Initial_Schema");
        CHECK_STR(f.list.v[1].id, "0002");
        CHECK_STR(f.list.v[1].name, "WebAuthn");
        CHECK(f.list.v[1].down.src != NULL);
    }
    fx_free(&f);
}

/* ------------------------------------------------------------------------------------------------
 * goose
 */

static const char GOOSE_1[] = "-- a header comment\n"
                              "-- +goose Up\n"
                              "CREATE TABLE users (id int);\n"
                              "-- +goose StatementBegin\n"
                              "CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END $$ "
                              "LANGUAGE plpgsql;\n"
                              "-- +goose StatementEnd\n"
                              "\n"
                              "-- +goose Down\n"
                              "DROP FUNCTION f();\n"
                              "DROP TABLE users;\n";

TEST(layout_goose)
{
    const char *dir = test_tmpdir();
    test_write(dir, "00001_create_users.sql", GOOSE_1);
    test_write(dir, "00002_index.sql",
               "-- +goose NO TRANSACTION\n"
               "-- +goose up\n"
               "CREATE INDEX CONCURRENTLY i ON users (id);\n");
    test_write(dir, "00010_later.sql", "-- +goose Up\nSELECT 1;\n-- +goose Down\n");
    test_write(dir, "main.go", "package main\n");
    struct fx f;
    fx_init(&f);
    fx_load(&f, dir, NULL);
    CHECK_INT(f.rc, 0);
    CHECK_STR(used_name(&f), "goose");
    print_errors(&f);
    CHECK_INT(f.diag.n, 0);
    CHECK_INT(f.list.n, 3);
    if (f.list.n == 3) {
        const struct rs_migration *m = f.list.v;
        CHECK_STR(m[0].id, "00001");
        CHECK_STR(m[0].name, "create_users");
        CHECK(script_has(&m[0].up, "CREATE TABLE users"));
        CHECK(script_has(&m[0].up, "CREATE FUNCTION f()"));
        CHECK(script_lacks(&m[0].up, "DROP TABLE"));
        CHECK(script_lacks(&m[0].up, "a header comment"));
        CHECK(script_has(&m[0].down, "DROP TABLE users"));
        CHECK(script_lacks(&m[0].down, "CREATE TABLE"));
        CHECK_INT(m[0].up.first_line, 3);
        CHECK_INT(m[0].up_tx, RS_TX_WRAPPED);
        CHECK(!m[0].down_expected);
        CHECK_INT(m[1].up_tx, RS_TX_NONE);
        CHECK_INT(m[1].down_tx, RS_TX_NONE);
        CHECK(m[1].down.src == NULL);
        CHECK_STR(m[2].id, "00010");
        CHECK(m[2].down.src != NULL); /* an empty Down section is a down that does nothing */
    }
    fx_free(&f);
}

TEST(layout_goose_errors)
{
    const char *dir = test_tmpdir();
    test_write(dir, "00001_ok.sql", "-- +goose Up\nSELECT 1;\n");
    test_write(dir, "00002_no_up.sql", "-- just a comment\nSELECT 1;\n");
    test_write(dir, "00003_typo.sql", "-- +goose Up\nSELECT 1;\n-- +goose Dwn\nDROP TABLE x;\n");
    test_write(dir, "00004_unclosed.sql", "-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n");
    test_write(dir, "00001_dup.sql", "-- +goose Up\nSELECT 2;\n");
    test_write(dir, "notes.sql", "-- +goose Up\nSELECT 3;\n");
    struct fx f;
    fx_init(&f);
    fx_load(&f, dir, "goose");
    CHECK_INT(f.rc, 0);
    const struct rs_error *e = find_error(&f, "no -- +goose Up");
    CHECK(e && e->line == 1 && e->column == 1 && e->hint);
    e = find_error(&f, "SQL before the -- +goose Up");
    CHECK(e && e->line == 2);
    e = find_error(&f, "unknown goose annotation");
    CHECK(e && e->line == 3 && e->column == 11 && e->hint);
    e = find_error(&f, "StatementBegin without StatementEnd");
    CHECK(e && e->line == 2);
    e = find_error(&f, "version 00001 is also used");
    CHECK(e != NULL);
    e = find_error(&f, "does not start with a version");
    CHECK(e && strstr(e->path, "notes.sql"));
    /* 00001_ok, 00003_typo (with its error) and 00004_unclosed still load. */
    CHECK_INT(f.list.n, 3);
    fx_free(&f);
}

/* ------------------------------------------------------------------------------------------------
 * dbmate
 */

TEST(layout_dbmate)
{
    const char *dir = test_tmpdir();
    test_write(dir, "20240101000000_create.sql",
               "-- migrate:up\n"
               "CREATE TABLE t (id int);\n"
               "\n"
               "-- migrate:down\n"
               "DROP TABLE t;\n");
    test_write(dir, "20240102000000_index.sql",
               "-- migrate:up transaction:false\n"
               "CREATE INDEX CONCURRENTLY i ON t (id);\n"
               "-- migrate:down\n");
    test_write(dir, "20240103000000_no_down.sql", "-- migrate:up\nSELECT 1;\n");
    struct fx f;
    fx_init(&f);
    fx_load(&f, dir, NULL);
    CHECK_INT(f.rc, 0);
    CHECK_STR(used_name(&f), "dbmate");
    print_errors(&f);
    CHECK_INT(f.diag.n, 0);
    CHECK_INT(f.list.n, 3);
    if (f.list.n == 3) {
        const struct rs_migration *m = f.list.v;
        CHECK_STR(m[0].id, "20240101000000");
        CHECK_STR(m[0].name, "create");
        CHECK(script_has(&m[0].up, "CREATE TABLE t"));
        CHECK(script_lacks(&m[0].up, "DROP"));
        CHECK(script_lacks(&m[0].up, "migrate:"));
        CHECK(script_has(&m[0].down, "DROP TABLE t"));
        CHECK(script_lacks(&m[0].down, "CREATE"));
        CHECK_INT(m[0].up_tx, RS_TX_WRAPPED);
        CHECK(m[0].down_expected);
        CHECK_INT(m[1].up_tx, RS_TX_NONE);
        CHECK_INT(m[1].down_tx, RS_TX_WRAPPED);
        CHECK(m[1].down.src != NULL); /* present and empty */
        CHECK(m[1].down.src && strspn(m[1].down.text, " \n") == strlen(m[1].down.text));
        CHECK(m[2].down.src == NULL);
        CHECK(m[2].down_expected);
    }
    fx_free(&f);
}

TEST(layout_dbmate_errors)
{
    const char *dir = test_tmpdir();
    test_write(dir, "1_bad_option.sql", "-- migrate:up transaction\nSELECT 1;\n-- migrate:down\n");
    test_write(dir, "2_bad_value.sql",
               "-- migrate:up transaction:maybe\nSELECT 1;\n-- migrate:down\n");
    test_write(dir, "3_order.sql", "-- migrate:down\nSELECT 1;\n-- migrate:up\nSELECT 2;\n");
    test_write(dir, "4_typo.sql", "-- migrate:up\nSELECT 1;\n-- migrate:donw\nSELECT 2;\n");
    test_write(dir, "5_stray.sql", "SELECT 0;\n-- migrate:up\nSELECT 1;\n");
    test_write(dir, "6_none.sql", "SELECT 0;\n");
    test_write(dir, "noversion.sql", "-- migrate:up\nSELECT 1;\n");
    struct fx f;
    fx_init(&f);
    fx_load(&f, dir, "dbmate");
    CHECK_INT(f.rc, 0);
    const struct rs_error *e = find_error(&f, "malformed dbmate option");
    CHECK(e && e->line == 1 && e->column == 15);
    e = find_error(&f, "transaction option must be true or false");
    CHECK(e && e->line == 1);
    e = find_error(&f, "-- migrate:down before -- migrate:up");
    CHECK(e && e->line == 1);
    e = find_error(&f, "unknown dbmate directive");
    CHECK(e && e->line == 3);
    e = find_error(&f, "SQL before the -- migrate:up");
    CHECK(e && e->line == 1);
    e = find_error(&f, "no -- migrate:up section");
    CHECK(e && strstr(e->path, "6_none.sql"));
    e = find_error(&f, "does not start with a version");
    CHECK(e && strstr(e->path, "noversion.sql"));
    CHECK_INT(f.list.n, 4); /* 1, 2, 4, 5 */
    fx_free(&f);
}

/* ------------------------------------------------------------------------------------------------
 * Flyway
 */

TEST(layout_flyway)
{
    const char *dir = test_tmpdir();
    test_write(dir, "V2__d.sql", "CREATE TABLE d (id int);\n");
    test_write(dir, "V1.10__c.sql", "CREATE TABLE c (id int);\n");
    test_write(dir, "V1__a.sql", "CREATE TABLE a (id int);\n");
    test_write(dir, "sub/V1.1__b.sql", "CREATE INDEX CONCURRENTLY bi ON a (id);\n");
    test_write(dir, "sub/V1.1__b.sql.conf", "# no tx\nexecuteInTransaction = false\n");
    test_write(dir, "U2__d.sql", "DROP TABLE d;\n");
    test_write(dir, "R__views.sql", "CREATE OR REPLACE VIEW v AS SELECT 1;\n");
    test_write(dir, "R__a_funcs.sql", "SELECT 1;\n");
    test_write(dir, "beforeMigrate.sql", "SET lock_timeout = '1s';\n");
    struct fx f;
    fx_init(&f);
    fx_load(&f, dir, NULL);
    CHECK_INT(f.rc, 0);
    CHECK_STR(used_name(&f), "flyway");
    print_errors(&f);
    CHECK_INT(f.diag.n, 0);
    CHECK_INT(f.list.n, 6);
    if (f.list.n == 6) {
        const struct rs_migration *m = f.list.v;
        CHECK_STR(m[0].id, "1");
        CHECK_STR(m[0].name, "a");
        CHECK_STR(m[1].id, "1.1");
        CHECK_INT(m[1].up_tx, RS_TX_NONE);
        CHECK_STR(m[2].id, "1.10");
        CHECK_INT(m[2].up_tx, RS_TX_WRAPPED);
        CHECK_STR(m[3].id, "2");
        CHECK(script_has(&m[3].down, "DROP TABLE d"));
        CHECK(m[3].note && strstr(m[3].note, "U"));
        CHECK(!m[3].down_expected);
        CHECK(m[0].down.src == NULL);
        CHECK_STR(m[4].name, "a_funcs");
        CHECK(m[4].repeatable);
        CHECK_STR(m[5].name, "views");
        CHECK(m[5].repeatable);
        CHECK(!m[0].repeatable);
    }
    fx_free(&f);
}

TEST(layout_flyway_baseline_and_errors)
{
    const char *dir = test_tmpdir();
    test_write(dir, "V1__a.sql", "CREATE TABLE a (id int);\n");
    test_write(dir, "V2__b.sql", "CREATE TABLE b (id int);\n");
    test_write(dir, "B2__baseline.sql", "CREATE TABLE a (id int); CREATE TABLE b (id int);\n");
    test_write(dir, "V3__c.sql", "CREATE TABLE c (id int);\n");
    test_write(dir, "V3_0__c_again.sql", "CREATE TABLE c2 (id int);\n");
    test_write(dir, "V4_bad.sql", "SELECT 1;\n");
    test_write(dir, "U9__nothing.sql", "SELECT 1;\n");
    struct fx f;
    fx_init(&f);
    fx_load(&f, dir, "flyway");
    CHECK_INT(f.rc, 0);
    CHECK_INT(f.list.n, 2);
    if (f.list.n == 2) {
        CHECK_STR(f.list.v[0].id, "2");
        CHECK(f.list.v[0].note && strstr(f.list.v[0].note, "baseline"));
        CHECK(strncmp(f.list.v[1].id, "3", 1) == 0); /* V3 or V3_0: the same version */
    }
    CHECK(find_error(&f, "another V migration has version 3") != NULL);
    CHECK(find_error(&f, "malformed Flyway migration name") != NULL);
    CHECK(find_error(&f, "undo migration without a versioned migration") != NULL);
    fx_free(&f);
}

/* ------------------------------------------------------------------------------------------------
 * Diesel
 */

TEST(layout_diesel)
{
    const char *dir = test_tmpdir();
    test_write(dir, "00000000000000_diesel_initial_setup/up.sql", "CREATE FUNCTION x();\n");
    test_write(dir, "00000000000000_diesel_initial_setup/down.sql", "DROP FUNCTION x();\n");
    test_write(dir, "2019-02-26-002946_create_user/up.sql", "CREATE TABLE u (id int);\n");
    test_write(dir, "2019-02-26-002946_create_user/down.sql", "DROP TABLE u;\n");
    test_write(dir, "2020-01-01-000000_index/up.sql", "CREATE INDEX CONCURRENTLY i ON u (id);\n");
    test_write(dir, "2020-01-01-000000_index/metadata.toml",
               "# diesel\nrun_in_transaction = false # no tx for CIC\n");
    test_write(dir, "2021-01-01-000000_empty/down.sql", "SELECT 1;\n");
    test_write(dir, ".keep", "");
    struct fx f;
    fx_init(&f);
    fx_load(&f, dir, NULL);
    CHECK_INT(f.rc, 0);
    CHECK_STR(used_name(&f), "diesel");
    CHECK_INT(f.list.n, 3);
    if (f.list.n == 3) {
        const struct rs_migration *m = f.list.v;
        CHECK_STR(m[0].id, "00000000000000");
        CHECK_STR(m[0].name, "diesel_initial_setup");
        CHECK_STR(m[1].id, "20190226002946");
        CHECK_STR(m[1].name, "create_user");
        CHECK(script_has(&m[1].up, "CREATE TABLE u"));
        CHECK(script_has(&m[1].down, "DROP TABLE u"));
        CHECK_INT(m[1].up_tx, RS_TX_WRAPPED);
        CHECK_STR(m[2].id, "20200101000000");
        CHECK_INT(m[2].up_tx, RS_TX_NONE);
        CHECK_INT(m[2].down_tx, RS_TX_NONE);
        CHECK(m[2].down.src == NULL);
        CHECK(m[2].down_expected);
    }
    const struct rs_error *e = find_error(&f, "without up.sql");
    CHECK(e && e->hint && strstr(e->path, "2021-01-01-000000_empty"));
    CHECK_INT(f.diag.n, 1);
    fx_free(&f);
}

/* up.sql and down.sql are not looked up before they are read: what is excluded, or a directory
   of that name, is not there all the same, whether they are read at once or left unread. */
TEST(layout_diesel_scripts_not_there)
{
    const char *dir = test_tmpdir();
    test_write(dir, "00000000000000_diesel_initial_setup/up.sql", "SELECT 0;\n");
    test_write(dir, "2020-01-01-000001_kept/up.sql", "CREATE TABLE k (id int);\n");
    test_write(dir, "2020-01-01-000001_kept/down.sql", "DROP TABLE k;\n");
    test_write(dir, "2020-01-01-000002_excluded_down/up.sql", "CREATE TABLE e (id int);\n");
    test_write(dir, "2020-01-01-000002_excluded_down/down.sql", "DROP TABLE e;\n");
    test_write(dir, "2020-01-01-000003_dir_down/up.sql", "CREATE TABLE d (id int);\n");
    test_write(dir, "2020-01-01-000003_dir_down/down.sql/x", "");
    test_write(dir, "2020-01-01-000004_excluded_up/up.sql", "CREATE TABLE x (id int);\n");
    test_write(dir, "2020-01-01-000005_dir_up/up.sql/x", "");
    test_write(dir, "2020-01-01-000005_dir_up/down.sql", "SELECT 1;\n");
    const char *exclude[] = {"*excluded_down/down.sql", "*excluded_up/up.sql"};
    for (int defer = 0; defer < 2; defer++) {
        struct fx f;
        fx_init(&f);
        f.ctx.exclude = exclude;
        f.ctx.nexclude = 2;
        f.ctx.defer_reads = defer;
        fx_load(&f, dir, "diesel");
        CHECK_INT(f.rc, 0);
        /* Read as `rollsafe check` reads them: a migration whose up cannot be read is left
           out (read at once, the layout leaves it out itself). */
        struct rs_migration *m[8];
        size_t n = 0;
        for (size_t i = 0; i < f.list.n && n < 8; i++)
            if (rs_script_read(&f.arena, &f.list.v[i].up, &f.diag)) {
                CHECK(rs_script_read(&f.arena, &f.list.v[i].down, &f.diag));
                m[n++] = &f.list.v[i];
            }
        CHECK_INT(f.list.n, defer ? 5 : 4);
        CHECK_INT(n, 4);
        if (n == 4) {
            CHECK(script_has(&m[1]->down, "DROP TABLE k"));
            CHECK(!rs_script_present(&m[2]->down));
            CHECK(!rs_script_present(&m[3]->down));
            CHECK(script_has(&m[3]->up, "CREATE TABLE d"));
        }
        /* Each directory without up.sql is an error at the directory. */
        CHECK_INT(f.diag.n, 2);
        const struct rs_error *e = find_error(&f, "without up.sql");
        CHECK(e && e->hint && strstr(e->path, "000004_excluded_up"));
        if (f.diag.n == 2)
            CHECK(strstr(f.diag.v[1].message, "without up.sql") &&
                  strstr(f.diag.v[1].path, "000005_dir_up"));
        if (f.diag.n != 2)
            print_errors(&f);
        fx_free(&f);
    }
}

/* ------------------------------------------------------------------------------------------------
 * Prisma
 */

TEST(layout_prisma)
{
    const char *dir = test_tmpdir();
    test_write(dir, "migration_lock.toml", "# Please do not edit\nprovider = \"postgresql\"\n");
    test_write(dir, "20220322193753_add_comments/migration.sql", "CREATE TABLE c (id int);\n");
    test_write(dir, "20220315143815_init/migration.sql", "CREATE TABLE p (id int);\n");
    struct fx f;
    fx_init(&f);
    fx_load(&f, dir, NULL);
    CHECK_INT(f.rc, 0);
    CHECK_STR(used_name(&f), "prisma");
    CHECK_INT(f.diag.n, 0);
    CHECK_INT(f.list.n, 2);
    if (f.list.n == 2) {
        CHECK_STR(f.list.v[0].id, "20220315143815");
        CHECK_STR(f.list.v[0].name, "init");
        CHECK_STR(f.list.v[1].name, "add_comments");
        CHECK_INT(f.list.v[1].up_tx, RS_TX_IMPLICIT);
        CHECK(f.list.v[1].down.src == NULL);
        CHECK(!f.list.v[1].down_expected);
    }
    fx_free(&f);

    test_write(dir, "migration_lock.toml", "provider = \"mysql\"\n");
    test_write(dir, "20230101000000_broken/README", "no sql here\n");
    fx_init(&f);
    fx_load(&f, dir, NULL);
    CHECK_STR(used_name(&f), "prisma");
    const struct rs_error *e = find_error(&f, "not PostgreSQL");
    CHECK(e && e->line == 1 && e->column == 13);
    CHECK(find_error(&f, "without migration.sql") != NULL);
    CHECK_INT(f.list.n, 2);
    fx_free(&f);
}

/* Flyway and Prisma both claim a tree of migration.sql directories that also holds a versioned
   file (90 each). Prisma, listed first, wins; Flyway, which would have to list every directory
   of the tree to find out, is then not asked to. */
TEST(layout_prisma_before_flyway)
{
    const char *dir = test_tmpdir();
    test_write(dir, "20220315143815_init/migration.sql", "CREATE TABLE p (id int);\n");
    test_write(dir, "20220322193753_add_comments/migration.sql", "CREATE TABLE c (id int);\n");
    struct fx f;
    fx_init(&f);
    f.ctx.dir = dir;
    CHECK(rs_layout_detect(&f.ctx) == &rs_layout_prisma);
    fx_free(&f);
    test_write(dir, "V1__init.sql", "CREATE TABLE v (id int);\n");
    fx_init(&f);
    f.ctx.dir = dir;
    CHECK_INT(rs_layout_prisma.detect(&f.ctx, 1), 90);
    CHECK_INT(rs_layout_flyway.detect(&f.ctx, 1), 90);
    CHECK_INT(rs_layout_flyway.detect(&f.ctx, 91), 0);
    layout_release(&f.ctx);
    fx_free(&f);
    fx_init(&f);
    f.ctx.dir = dir;
    CHECK(rs_layout_detect(&f.ctx) == &rs_layout_prisma);
    fx_free(&f);
}

/* ------------------------------------------------------------------------------------------------
 * Drizzle
 */

TEST(layout_drizzle)
{
    const char *dir = test_tmpdir();
    test_write(dir, "meta/_journal.json",
               "{\"version\":\"7\",\"dialect\":\"postgresql\",\"entries\":["
               "{\"idx\":0,\"version\":\"7\",\"when\":1700000000000,\"tag\":\"0000_first_thing\","
               "\"breakpoints\":true},"
               "{\"idx\":1,\"version\":\"7\",\"when\":1700000000001,\"tag\":\"0002_zzz\","
               "\"breakpoints\":true},"
               "{\"idx\":2,\"version\":\"7\",\"when\":1700000000002,\"tag\":\"0001_aaa\","
               "\"breakpoints\":true}]}");
    test_write(dir, "0000_first_thing.sql",
               "CREATE TABLE a (id int);\n--> statement-breakpoint\nCREATE TABLE b (id int);\n");
    test_write(dir, "0001_aaa.sql", "SELECT 1;\n");
    test_write(dir, "0002_zzz.sql", "SELECT 2;\n");
    test_write(dir, "0003_unlisted.sql", "DROP TABLE a;\n");
    test_write(dir, "meta/0000_snapshot.json", "{}");
    struct fx f;
    fx_init(&f);
    fx_load(&f, dir, NULL);
    CHECK_INT(f.rc, 0);
    CHECK_STR(used_name(&f), "drizzle");
    CHECK_INT(f.list.n, 3);
    if (f.list.n == 3) {
        CHECK_STR(f.list.v[0].id, "0000");
        CHECK_STR(f.list.v[0].name, "first_thing");
        CHECK_STR(f.list.v[1].id, "0002"); /* the journal's order, not the names' */
        CHECK_STR(f.list.v[2].id, "0001");
        CHECK_INT(f.list.v[0].up_tx, RS_TX_GROUP);
        CHECK(f.list.v[0].down.src == NULL);
        CHECK(!f.list.v[0].down_expected);
    }
    const struct rs_error *e = find_error(&f, "not listed in the Drizzle journal");
    CHECK(e && strstr(e->path, "0003_unlisted.sql"));
    CHECK_INT(f.diag.n, 1);
    fx_free(&f);

    test_write(dir, "meta/_journal.json",
               "{\"entries\": [\n  {\"tag\": \"0000_first_thing\",}\n]}");
    fx_init(&f);
    fx_load(&f, dir, NULL);
    CHECK_INT(f.rc, -1);
    e = find_error(&f, "invalid JSON");
    CHECK(e && e->line == 2);
    fx_free(&f);
}

TEST(layout_drizzle_folders)
{
    const char *dir = test_tmpdir();
    test_write(dir, "20250102000000_second/migration.sql", "SELECT 2;\n");
    test_write(dir, "20250102000000_second/snapshot.json", "{}");
    test_write(dir, "20250101000000_first/migration.sql", "SELECT 1;\n");
    test_write(dir, "20250101000000_first/snapshot.json", "{}");
    struct fx f;
    fx_init(&f);
    fx_load(&f, dir, NULL);
    CHECK_STR(used_name(&f), "drizzle");
    CHECK_INT(f.list.n, 2);
    if (f.list.n == 2) {
        CHECK_STR(f.list.v[0].name, "first");
        CHECK_INT(f.list.v[1].up_tx, RS_TX_GROUP);
    }
    fx_free(&f);
}

/* ------------------------------------------------------------------------------------------------
 * Atlas
 */

TEST(layout_atlas)
{
    const char *dir = test_tmpdir();
    test_write(dir, "atlas.sum",
               "h1:abc=\n"
               "20240101000000_init.sql h1:x=\n"
               "20240102000000_index.sql h1:y=\n"
               "20240103000000_gone.sql h1:z=\n");
    test_write(dir, "20240101000000_init.sql", "CREATE TABLE t (id int);\n");
    test_write(dir, "20240102000000_index.sql",
               "-- atlas:txmode none\n\nCREATE INDEX CONCURRENTLY i ON t (id);\n");
    test_write(dir, "20240104000000_new.sql", "SELECT 1;\n");
    struct fx f;
    fx_init(&f);
    fx_load(&f, dir, NULL);
    CHECK_INT(f.rc, 0);
    CHECK_STR(used_name(&f), "atlas");
    CHECK_INT(f.list.n, 3);
    if (f.list.n == 3) {
        CHECK_STR(f.list.v[0].id, "20240101000000");
        CHECK_STR(f.list.v[0].name, "init");
        CHECK_INT(f.list.v[0].up_tx, RS_TX_WRAPPED);
        CHECK_INT(f.list.v[1].up_tx, RS_TX_NONE);
        CHECK(f.list.v[1].down.src == NULL);
        CHECK(!f.list.v[1].down_expected);
    }
    const struct rs_error *e = find_error(&f, "not listed in atlas.sum");
    CHECK(e && strstr(e->path, "20240104000000_new.sql"));
    e = find_error(&f, "listed in atlas.sum but missing");
    CHECK(e && strstr(e->path, "20240103000000_gone.sql"));
    CHECK_INT(f.diag.n, 2);
    fx_free(&f);
}

/* ------------------------------------------------------------------------------------------------
 * Sqitch
 */

TEST(layout_sqitch)
{
    const char *dir = test_tmpdir();
    test_write(dir, "sqitch.plan",
               "%syntax-version=1.0.0\n"
               "%project=flipr\n"
               "\n"
               "appschema 2013-12-30T23:19:35Z Marge <marge@example.com> # schema\n"
               "users [appschema] 2013-12-30T23:49:00Z Marge <marge@example.com> # users\n"
               "@v1.0 2013-12-31T18:26:59Z Marge <marge@example.com> # Tag v1.0.\n"
               "insert_user [users appschema !old other:thing] 2014-01-02T23:07:15Z M <m@e> # f\n"
               "@v1.1 2014-01-03T00:00:00Z Marge <marge@example.com>\n"
               "insert_user [insert_user@v1.1] 2014-01-04T00:00:00Z M <m@e> # reworked\n");
    test_write(dir, "deploy/appschema.sql", "BEGIN; CREATE SCHEMA flipr; COMMIT;\n");
    test_write(dir, "revert/appschema.sql", "BEGIN; DROP SCHEMA flipr; COMMIT;\n");
    test_write(dir, "verify/appschema.sql", "SELECT 1;\n");
    test_write(dir, "deploy/users.sql", "BEGIN; CREATE TABLE flipr.users (n text); COMMIT;\n");
    test_write(dir, "deploy/insert_user@v1.1.sql", "CREATE FUNCTION old();\n");
    test_write(dir, "revert/insert_user@v1.1.sql", "DROP FUNCTION old();\n");
    test_write(dir, "deploy/insert_user.sql", "CREATE OR REPLACE FUNCTION new();\n");
    test_write(dir, "revert/insert_user.sql", "DROP FUNCTION new();\n");
    struct fx f;
    fx_init(&f);
    fx_load(&f, dir, NULL);
    CHECK_INT(f.rc, 0);
    CHECK_STR(used_name(&f), "sqitch");
    print_errors(&f);
    CHECK_INT(f.diag.n, 0);
    CHECK_INT(f.list.n, 4);
    if (f.list.n == 4) {
        const struct rs_migration *m = f.list.v;
        CHECK_STR(m[0].id, "appschema");
        CHECK(script_has(&m[0].down, "DROP SCHEMA flipr"));
        CHECK_INT(m[0].up_tx, RS_TX_SCRIPT);
        CHECK_STR(m[1].id, "users");
        CHECK(m[1].down.src == NULL);
        CHECK(m[1].down_expected);
        CHECK_STR(m[2].id, "insert_user@v1.1");
        CHECK_STR(m[2].name, "insert_user");
        CHECK(script_has(&m[2].up, "CREATE FUNCTION old"));
        CHECK(script_has(&m[2].down, "DROP FUNCTION old"));
        CHECK_STR(m[3].id, "insert_user");
        CHECK(script_has(&m[3].up, "FUNCTION new"));
    }
    fx_free(&f);
}

TEST(layout_sqitch_errors)
{
    const char *dir = test_tmpdir();
    test_write(dir, "sqitch.plan",
               "%project=x\n"
               "a 2013-12-30T23:19:35Z M <m@e>\n"
               "b [nope] 2013-12-30T23:19:35Z M <m@e>\n"
               "c [a\n"
               "d_missing 2013-12-30T23:19:35Z M <m@e>\n"
               "a 2014-01-01T00:00:00Z M <m@e>\n");
    test_write(dir, "deploy/a.sql", "SELECT 1;\n");
    test_write(dir, "deploy/b.sql", "SELECT 1;\n");
    struct fx f;
    fx_init(&f);
    fx_load(&f, dir, NULL);
    CHECK_INT(f.rc, 0);
    const struct rs_error *e = find_error(&f, "unknown dependency \"nope\"");
    CHECK(e && e->line == 3 && e->column == 4);
    e = find_error(&f, "unterminated dependency list");
    CHECK(e && e->line == 4);
    e = find_error(&f, "deploy script deploy/d_missing.sql is missing");
    CHECK(e && e->line == 5 && e->hint);
    e = find_error(&f, "planned twice with no tag in between");
    CHECK(e && e->line == 2);
    CHECK_INT(f.list.n, 2); /* b and the second a */
    fx_free(&f);
}

/* ------------------------------------------------------------------------------------------------
 * Liquibase
 */

static const char LIQUIBASE_1[] = "--liquibase formatted sql\n"
                                  "\n"
                                  "--changeset alice:1\n"
                                  "CREATE TABLE person (id int);\n"
                                  "--rollback DROP TABLE person;\n"
                                  "\n"
                                  "--changeset alice:2 runInTransaction:false\n"
                                  "CREATE INDEX CONCURRENTLY pi ON person (id);\n"
                                  "--rollback DROP INDEX CONCURRENTLY pi;\n"
                                  "--rollback SELECT 1;\n"
                                  "\n"
                                  "--changeset bob:3\n"
                                  "INSERT INTO person VALUES (1);\n"
                                  "--rollback not required\n"
                                  "\n"
                                  "--changeset bob:4 dbms:mysql\n"
                                  "SELECT 'mysql only';\n"
                                  "\n"
                                  "--changeset bob:5 runOnChange:true\n"
                                  "CREATE OR REPLACE VIEW v AS SELECT 1;\n"
                                  "/* liquibase rollback\n"
                                  "DROP VIEW v;\n"
                                  "*/\n"
                                  "--changeset bob:6\n"
                                  "SELECT 6;\n"
                                  "--changeset bob:7\n"
                                  "SELECT 7;\n"
                                  "/* liquibase rollback SELECT 'undo 7'; */\n"
                                  "SELECT 'still up 7';\n";

TEST(layout_liquibase)
{
    const char *dir = test_tmpdir();
    test_write(dir, "2_more.sql", "--liquibase formatted sql\n--changeset carol:1\nSELECT 7;\n");
    test_write(dir, "1_people.sql", LIQUIBASE_1);
    struct fx f;
    fx_init(&f);
    fx_load(&f, dir, NULL);
    CHECK_INT(f.rc, 0);
    CHECK_STR(used_name(&f), "liquibase");
    print_errors(&f);
    CHECK_INT(f.diag.n, 0);
    CHECK_INT(f.list.n, 7);
    if (f.list.n == 7) {
        const struct rs_migration *m = f.list.v;
        CHECK_STR(m[0].id, "alice:1");
        CHECK_STR(m[0].name, "1_people.sql");
        CHECK(script_has(&m[0].up, "CREATE TABLE person"));
        CHECK(script_lacks(&m[0].up, "rollback"));
        CHECK(script_lacks(&m[0].up, "DROP TABLE"));
        CHECK(script_has(&m[0].down, "DROP TABLE person;"));
        CHECK(script_lacks(&m[0].down, "rollback"));
        CHECK(script_lacks(&m[0].down, "CREATE"));
        CHECK_INT(m[0].down.first_line, 5);
        CHECK_INT(m[0].up_tx, RS_TX_WRAPPED);
        CHECK(m[0].down_expected);
        CHECK_STR(m[1].id, "alice:2");
        CHECK_INT(m[1].up_tx, RS_TX_NONE);
        CHECK(script_has(&m[1].down, "DROP INDEX CONCURRENTLY pi;"));
        CHECK(script_has(&m[1].down, "SELECT 1;"));
        CHECK_STR(m[2].id, "bob:3");
        CHECK(m[2].down.src == NULL);
        CHECK(!m[2].down_expected); /* not required: no down on purpose */
        CHECK(m[2].note && strstr(m[2].note, "not required"));
        CHECK_STR(m[3].id, "bob:5"); /* bob:4 is for MySQL only */
        CHECK(m[3].repeatable);
        CHECK(script_has(&m[3].down, "DROP VIEW v;"));
        CHECK(script_lacks(&m[3].up, "DROP VIEW"));
        CHECK_STR(m[4].id, "bob:6");
        CHECK(m[4].down.src == NULL);
        CHECK_STR(m[5].id, "bob:7");
        CHECK(script_has(&m[5].down, "SELECT 'undo 7';"));
        CHECK(script_lacks(&m[5].down, "*/"));
        CHECK(script_lacks(&m[5].down, "still up"));
        CHECK(script_has(&m[5].up, "SELECT 'still up 7';"));
        CHECK(script_lacks(&m[5].up, "undo"));
        CHECK_STR(m[6].id, "carol:1");
        CHECK_STR(m[6].name, "2_more.sql");
    }
    fx_free(&f);
}

TEST(layout_liquibase_errors)
{
    const char *dir = test_tmpdir();
    test_write(dir, "a.sql",
               "--liquibase formatted sql\n"
               "SELECT 0;\n"
               "--changeset nobody\n"
               "SELECT 1;\n"
               "--changeset x:1\n"
               "SELECT 2;\n"
               "--changeset x:1\n"
               "SELECT 3;\n");
    test_write(dir, "b.sql", "SELECT 'not formatted';\n");
    struct fx f;
    fx_init(&f);
    fx_load(&f, dir, "liquibase");
    CHECK_INT(f.rc, 0);
    const struct rs_error *e = find_error(&f, "SQL before the first --changeset");
    CHECK(e && e->line == 2);
    e = find_error(&f, "--changeset without author:id");
    CHECK(e && e->line == 3 && e->column == 13);
    e = find_error(&f, "changeset x:1 appears twice");
    CHECK(e && e->line == 7);
    e = find_error(&f, "not a Liquibase formatted SQL changelog");
    CHECK(e && strstr(e->path, "b.sql"));
    CHECK_INT(f.list.n, 1);
    fx_free(&f);
}

/* ------------------------------------------------------------------------------------------------
 * Single files
 */

TEST(layout_single_files)
{
    const char *dir = test_tmpdir();
    const char *goose = test_write(dir, "00001_g.sql", GOOSE_1);
    const char *dbm = test_write(dir, "20240101_d.sql", "-- migrate:up\nSELECT 1;\n");
    const char *lqb = test_write(dir, "l.sql", LIQUIBASE_1);
    const char *plain = test_write(dir, "0042_drop_username.up.sql", "ALTER TABLE u DROP x;\n");
    struct fx f;

    fx_init(&f);
    fx_load(&f, goose, NULL);
    CHECK_INT(f.rc, 0);
    CHECK_STR(used_name(&f), "goose");
    CHECK_INT(f.list.n, 1);
    CHECK(f.list.n == 1 && script_lacks(&f.list.v[0].up, "DROP TABLE"));
    fx_free(&f);

    fx_init(&f);
    fx_load(&f, dbm, NULL);
    CHECK_STR(used_name(&f), "dbmate");
    CHECK_INT(f.list.n, 1);
    fx_free(&f);

    fx_init(&f);
    fx_load(&f, lqb, NULL);
    CHECK_STR(used_name(&f), "liquibase");
    CHECK_INT(f.list.n, 6);
    fx_free(&f);

    fx_init(&f);
    fx_load(&f, plain, NULL);
    CHECK_INT(f.rc, 0);
    CHECK_STR(used_name(&f), "plain");
    CHECK_INT(f.list.n, 1);
    if (f.list.n == 1) {
        CHECK_STR(f.list.v[0].id, "0042");
        CHECK_STR(f.list.v[0].name, "drop_username.up");
    }
    fx_free(&f);

    fx_init(&f);
    fx_load(&f, plain, "diesel");
    CHECK_INT(f.rc, -1);
    const struct rs_error *e = find_error(&f, "reads a directory");
    CHECK(e && e->hint);
    fx_free(&f);

    fx_init(&f);
    const char *empty = test_write(dir, "00002_nothing.sql", "SELECT 1;\n");
    fx_load(&f, empty, "goose");
    CHECK_INT(f.rc, -1);
    CHECK(find_error(&f, "no -- +goose Up") != NULL);
    fx_free(&f);
}

TEST(layout_flyway_symlink_loop)
{
    const char *dir = test_tmpdir();
    test_write(dir, "V1__a.sql", "SELECT 1;\n");
    test_write(dir, "sub/V2__b.sql", "SELECT 2;\n");
    char link[4096];
    snprintf(link, sizeof(link), "%s/sub/up", dir);
    CHECK(symlink("..", link) == 0);
    struct fx f;
    fx_init(&f);
    fx_load(&f, dir, "flyway");
    CHECK_INT(f.rc, 0);
    CHECK_INT(f.list.n, 2);
    const struct rs_error *e = find_error(&f, "symbolic-link loop");
    CHECK(e && e->hint);
    fx_free(&f);
}

TEST(layout_empty_directory)
{
    const char *dir = test_tmpdir();
    struct fx f;
    fx_init(&f);
    fx_load(&f, dir, NULL);
    CHECK_INT(f.rc, 0);
    CHECK_STR(used_name(&f), "plain");
    CHECK_INT(f.list.n, 0);
    CHECK_INT(f.diag.n, 0);
    fx_free(&f);
    for (size_t i = 0; rs_layouts[i]; i++) {
        fx_init(&f);
        fx_load(&f, dir, rs_layouts[i]->name);
        if (strcmp(rs_layouts[i]->name, "sqitch") == 0) {
            CHECK_INT(f.rc, -1); /* no sqitch.plan: nothing to order by */
            const struct rs_error *e = find_error(&f, "no sqitch.plan");
            CHECK(e && e->hint);
        } else {
            CHECK_INT(f.rc, 0);
            CHECK_INT(f.list.n, 0);
        }
        fx_free(&f);
    }
}

/* ------------------------------------------------------------------------------------------------
 * Two threads: the same migrations, scripts and errors as one
 */

/* A file of 40,000 bytes, over what detection reads of a file: read when it is parsed. */
static void write_big(const char *dir, const char *rel)
{
    char *big = malloc(40001);
    memset(big, ' ', 40000);
    memcpy(big, "SELECT 2;", 9);
    big[40000] = '\0';
    test_write(dir, rel, big);
    free(big);
}

/* What a load gave, as one text: the layout, each migration with its scripts (paths, whether
   left unread, the text once read), and the errors in order. The scripts left unread are read
   as `rollsafe check` reads them, errors included: a migration whose up cannot be read is left
   out, a down that is not there is absent. */
static char *load_summary(const char *dir, bool two_threads, bool defer_reads)
{
    struct fx f;
    fx_init(&f);
    f.ctx.two_threads = two_threads;
    f.ctx.share_min = 16; /* the directories here are small: share their work all the same */
    f.ctx.defer_reads = defer_reads;
    fx_load(&f, dir, NULL);
    size_t cap = 1 << 20, len = 0;
    char *out = malloc(cap);
    len += (size_t)snprintf(out + len, cap - len, "%s rc=%d\n", used_name(&f), f.rc);
    for (size_t i = 0; i < f.list.n && len < cap; i++) {
        struct rs_migration *m = &f.list.v[i];
        struct rs_script *s[2] = {&m->up, &m->down};
        bool unread[2];
        for (int k = 0; k < 2; k++)
            unread[k] = s[k]->src && s[k]->src->unread;
        if (!rs_script_read(&f.arena, &m->up, &f.diag))
            continue;
        rs_script_read(&f.arena, &m->down, &f.diag);
        len += (size_t)snprintf(out + len, cap - len, "%s %s tx=%d/%d expected=%d\n", m->id,
                                m->name, (int)m->up_tx, (int)m->down_tx, m->down_expected);
        for (int k = 0; k < 2 && len < cap; k++) {
            bool there = rs_script_present(s[k]);
            len += (size_t)snprintf(out + len, cap - len, "  %s unread=%d [%.*s]\n",
                                    there ? s[k]->src->path : "-", unread[k] && there,
                                    there ? (int)(s[k]->end - s[k]->begin) : 0,
                                    there ? s[k]->text + s[k]->begin : "");
        }
    }
    for (size_t i = 0; i < f.diag.n && len < cap; i++)
        len += (size_t)snprintf(out + len, cap - len, "error %s:%d:%d %s (%s)\n",
                                f.diag.v[i].path ? f.diag.v[i].path : "-", f.diag.v[i].line,
                                f.diag.v[i].column, f.diag.v[i].message,
                                f.diag.v[i].hint ? f.diag.v[i].hint : "-");
    CHECK(len < cap);
    fx_free(&f);
    return out;
}

static size_t count_of(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

/* want_migrations SIZE_MAX: not counted */
static void check_two_threads_same(const char *dir, const char *want_layout,
                                   size_t want_migrations, size_t want_errors)
{
    for (int defer = 0; defer < 2; defer++) {
        char *one = load_summary(dir, false, defer);
        char *two = load_summary(dir, true, defer);
        if (strcmp(one, two) != 0)
            fprintf(stderr, "  %s, one thread:\n%s  two threads:\n%s", dir, one, two);
        CHECK_STR(two, one);
        CHECK(strncmp(one, want_layout, strlen(want_layout)) == 0);
        if (want_migrations != SIZE_MAX) {
            CHECK_INT(count_of(one, " unread="), 2 * want_migrations);
            CHECK_INT(count_of(one, "\nerror "), want_errors);
        }
        free(one);
        free(two);
    }
}

TEST(layout_two_threads_load_the_same)
{
    char rel[256], text[256];
    /* Diesel: enough directories for the look-ahead, a missing down, a metadata.toml, a
       directory without up.sql. */
    const char *dir = test_tmpdir();
    test_write(dir, "00000000000000_diesel_initial_setup/up.sql", "SELECT 0;\n");
    for (int i = 1; i <= 40; i++) {
        snprintf(rel, sizeof(rel), "2020-01-01-%06d_m%d/up.sql", i, i);
        snprintf(text, sizeof(text), "CREATE TABLE t%d (id int);\n", i);
        test_write(dir, rel, text);
        if (i % 7 != 0) {
            snprintf(rel, sizeof(rel), "2020-01-01-%06d_m%d/down.sql", i, i);
            snprintf(text, sizeof(text), "DROP TABLE t%d;\n", i);
            test_write(dir, rel, text);
        }
        if (i % 10 == 0) {
            snprintf(rel, sizeof(rel), "2020-01-01-%06d_m%d/metadata.toml", i, i);
            test_write(dir, rel, "run_in_transaction = false\n");
        }
    }
    test_write(dir, "2021-01-01-000000_no_up/down.sql", "SELECT 1;\n");
    check_two_threads_same(dir, "diesel rc=0", 41, 1);

    /* Flyway: a tree of directories listed ahead, with a symbolic-link loop and a broken link
       in two of them. */
    dir = test_tmpdir();
    for (int i = 1; i <= 30; i++) {
        snprintf(rel, sizeof(rel), "d%02d/V%d__m%d.sql", i, i, i);
        snprintf(text, sizeof(text), "CREATE TABLE t%d (id int);\n", i);
        test_write(dir, rel, text);
    }
    char link[4096];
    snprintf(link, sizeof(link), "%s/d05/up", dir);
    CHECK(symlink("..", link) == 0);
    snprintf(link, sizeof(link), "%s/d17/gone.sql", dir);
    CHECK(symlink("nowhere.sql", link) == 0);
    check_two_threads_same(dir, "flyway rc=0", 30, 2);

    /* Plain files peeked at ahead for detection (the small ones are then read once), one
       over what detection reads, one with invalid UTF-8; then with a goose file among them. */
    for (int goose = 0; goose < 2; goose++) {
        dir = test_tmpdir();
        for (int i = 1; i <= 30; i++) {
            snprintf(rel, sizeof(rel), "%03d_m%d.sql", i, i);
            snprintf(text, sizeof(text), "%sCREATE TABLE t%d (id int);\n",
                     goose && i == 12 ? "-- +goose Up\n" : "", i);
            test_write(dir, rel, text);
        }
        write_big(dir, "031_big.sql");
        test_write(dir, "032_bad.sql", "SELECT '\xC3';\n");
        /* goose: the files without its marks are errors, as many as one thread finds */
        check_two_threads_same(dir, goose ? "goose" : "plain rc=0", goose ? SIZE_MAX : 31, 1);
    }
}

/* ------------------------------------------------------------------------------------------------
 * Detection: the cheapest layouts are asked first, each told the score it must reach
 */

/* What asking every layout with wins_at 1, in the order of rs_layouts[], picks: the definition
   of detection that rs_layout_detect must keep. scores[i] gets each layout's score. */
static const struct rs_layout *detect_by_asking_all(const char *dir, int *scores)
{
    struct fx f;
    fx_init(&f);
    f.ctx.dir = dir;
    const struct rs_layout *best = &rs_layout_plain;
    int best_score = 0;
    for (size_t i = 0; rs_layouts[i]; i++) {
        scores[i] = rs_layouts[i]->detect(&f.ctx, 1);
        if (scores[i] > best_score) {
            best = rs_layouts[i];
            best_score = scores[i];
        }
    }
    layout_release(&f.ctx);
    fx_free(&f);
    return best;
}

TEST(layout_detect_matches_asking_every_layout)
{
    /* Directories that two or more layouts claim, ties between a layout listed earlier and one
       listed later included. */
    static const char *const files[][6] = {
        {"00000000000000_diesel_initial_setup/up.sql", "2020_a/up.sql", "2021_b/migration.sql"},
        {"migration_lock.toml", "2020_a/up.sql", "2021_b/migration.sql"},
        {"2020_a/up.sql", "2020_a/down.sql", "1_x.up.sql", "1_x.down.sql"},
        {"sub/V1__init.sql", "2020_a/up.sql", "x.sql"},
        {"0000_a/migration.sql", "0000_a/snapshot.json", "2020_a/up.sql"},
        {"0000_a/migration.sql", "0000_a/snapshot.json", "meta/_journal.json"},
        {"1_init.sql", "2_goose.sql", "3_dbmate.sql", "4_liquibase.sql"},
        {"atlas.sum", "20200101000000_a.sql", "2020_a/up.sql"},
        {"sqitch.plan", "deploy/a.sql", "V2__b.sql"},
        {"V1__a.sql", "1_a.up.sql"},
        {"V1__a.sql", "2020_a/migration.sql"},
        {"README.md"},
    };
    static const char *const text[] = {
        "2_goose.sql",     "-- +goose Up\nSELECT 1;\n",
        "3_dbmate.sql",    "-- migrate:up\nSELECT 1;\n",
        "4_liquibase.sql", "--liquibase formatted sql\n--changeset a:1\nSELECT 1;\n",
    };
    for (size_t c = 0; c < sizeof(files) / sizeof(files[0]); c++) {
        const char *dir = test_tmpdir();
        for (size_t k = 0; k < 6 && files[c][k]; k++) {
            const char *t = "SELECT 1;\n";
            for (size_t x = 0; x < sizeof(text) / sizeof(text[0]); x += 2)
                if (strcmp(files[c][k], text[x]) == 0)
                    t = text[x + 1];
            test_write(dir, files[c][k], t);
        }
        int scores[32] = {0};
        const struct rs_layout *want = detect_by_asking_all(dir, scores);
        struct fx f;
        fx_init(&f);
        f.ctx.dir = dir;
        const struct rs_layout *got = rs_layout_detect(&f.ctx);
        if (got != want)
            fprintf(stderr, "  case %zu: detected %s, asking every layout gives %s\n", c,
                    got ? got->name : "(none)", want->name);
        CHECK(got == want);
        fx_free(&f);
        /* Each detector keeps its side of the contract: its own score when that reaches
           wins_at, less than wins_at otherwise. */
        for (size_t i = 0; rs_layouts[i]; i++) {
            for (int wins_at = 1; wins_at <= 101; wins_at++) {
                fx_init(&f);
                f.ctx.dir = dir;
                int s = rs_layouts[i]->detect(&f.ctx, wins_at);
                if (scores[i] >= wins_at)
                    CHECK_INT(s, scores[i]);
                else
                    CHECK(s < wins_at);
                layout_release(&f.ctx);
                fx_free(&f);
            }
        }
    }
    /* Every detector tells its cost, from a few names (0) to the whole tree (3). */
    for (size_t i = 0; rs_layouts[i]; i++)
        CHECK(rs_layouts[i]->detect_cost >= 0 && rs_layouts[i]->detect_cost <= 3);
}

TEST(layout_detection_reads_a_file_once)
{
    const char *dir = test_tmpdir();
    test_write(dir, "1_small.sql",
               "\xEF\xBB\xBF"
               "CREATE TABLE a (id int);\n");
    test_write(dir, "3_bad.sql", "SELECT 1;\nSELECT '\xC3';\n");
    test_write(dir, "4_empty.sql", "");
    /* Over what detection reads of a file: read when it is parsed. */
    write_big(dir, "2_big.sql");
    struct fx f;
    fx_init(&f);
    f.ctx.defer_reads = true;
    fx_load(&f, dir, NULL);
    CHECK_STR(used_name(&f), "plain");
    CHECK_INT(f.list.n, 3);
    /* The invalid UTF-8 is reported where it is, once, as a read of the file would. */
    const struct rs_error *e = find_error(&f, "invalid UTF-8");
    CHECK(e && strstr(e->path, "3_bad.sql") && e->line == 2 && e->column == 9);
    CHECK_INT(f.diag.n, 1);
    if (f.list.n == 3) {
        const struct rs_source *small = f.list.v[0].up.src, *bigs = f.list.v[1].up.src,
                               *empty = f.list.v[2].up.src;
        /* Read whole by detection: a source already, its byte-order mark blanked. */
        CHECK(!small->unread);
        CHECK_STR(small->text, "   CREATE TABLE a (id int);\n");
        CHECK_INT(small->nlines, 2);
        CHECK(script_has(&f.list.v[0].up, "CREATE TABLE a"));
        CHECK(!empty->unread && empty->len == 0);
        CHECK(bigs->unread);
        CHECK(rs_script_read(&f.arena, &f.list.v[1].up, &f.diag));
        CHECK_INT(bigs->len, 40000);
    }
    fx_free(&f);
    /* Read again by a load that does not defer: the same texts. */
    fx_init(&f);
    fx_load(&f, dir, NULL);
    CHECK_INT(f.list.n, 3);
    if (f.list.n == 3) {
        CHECK_STR(f.list.v[0].up.src->text, "   CREATE TABLE a (id int);\n");
        CHECK_INT(f.list.v[1].up.src->len, 40000);
    }
    CHECK_INT(f.diag.n, 1);
    fx_free(&f);
}

/* ------------------------------------------------------------------------------------------------
 * Real corpora (../shared/corpora), when present
 */

struct corpus {
    const char *path, *layout;
    size_t migrations, downs;
};

static void check_corpus(const struct corpus *c)
{
    struct stat st;
    if (stat("../shared/corpora", &st) < 0)
        return;
    struct fx f;
    fx_init(&f);
    fx_load(&f, c->path, NULL);
    CHECK_INT(f.rc, 0);
    if (strcmp(used_name(&f), c->layout) != 0)
        fprintf(stderr, "  %s: detected %s, expected %s\n", c->path, used_name(&f), c->layout);
    CHECK_STR(used_name(&f), c->layout);
    print_errors(&f);
    CHECK_INT(f.diag.n, 0);
    CHECK_INT(f.list.n, c->migrations);
    size_t downs = 0;
    for (size_t i = 0; i < f.list.n; i++) {
        const struct rs_migration *m = &f.list.v[i];
        downs += m->down.src != NULL;
        CHECK(m->up.src && m->up.text && strlen(m->up.text) == m->up.src->len);
        CHECK(m->id && *m->id);
        if (i > 0 && strcmp(c->layout, "plain") == 0)
            CHECK(rs_natural_cmp(f.list.v[i - 1].up.src->path, m->up.src->path) < 0);
    }
    CHECK_INT(downs, c->downs);
    fx_free(&f);
}

#define CORPUS_TEST(fn, ...)                                                                       \
    TEST(fn)                                                                                       \
    {                                                                                              \
        struct stat st;                                                                            \
        if (stat("../shared/corpora", &st) < 0)                                                    \
            SKIP("../shared/corpora absent");                                                      \
        static const struct corpus c = {__VA_ARGS__};                                              \
        check_corpus(&c);                                                                          \
    }

CORPUS_TEST(layout_corpus_lemmy, "../shared/corpora/lemmy/migrations", "diesel", 342, 342)
CORPUS_TEST(layout_corpus_vaultwarden, "../shared/corpora/vaultwarden/migrations/postgresql",
            "diesel", 46, 46)
CORPUS_TEST(layout_corpus_authelia,
            "../shared/corpora/authelia/internal/storage/migrations/postgres", "golang-migrate", 26,
            26)
CORPUS_TEST(layout_corpus_rallly, "../shared/corpora/rallly/packages/database/prisma/migrations",
            "prisma", 145, 0)
CORPUS_TEST(layout_corpus_supabase_storage, "../shared/corpora/supabase-storage/migrations/tenant",
            "plain", 63, 0)

TEST(layout_corpus_details)
{
    struct stat st;
    if (stat("../shared/corpora", &st) < 0)
        SKIP("../shared/corpora absent");
    struct fx f;
    fx_init(&f);
    fx_load(&f, "../shared/corpora/lemmy/migrations", NULL);
    if (f.list.n > 1) {
        CHECK_STR(f.list.v[0].id, "00000000000000");
        CHECK_STR(f.list.v[0].name, "diesel_initial_setup");
        CHECK_STR(f.list.v[1].id, "20190226002946");
        CHECK_STR(f.list.v[1].name, "create_user");
        CHECK_INT(f.list.v[1].up_tx, RS_TX_WRAPPED);
    }
    fx_free(&f);

    fx_init(&f);
    fx_load(&f, "../shared/corpora/supabase-storage/migrations/tenant", NULL);
    if (f.list.n > 10) {
        CHECK_STR(f.list.v[8].id, "0009");
        CHECK_STR(f.list.v[9].id, "00010");
        CHECK_STR(f.list.v[10].id, "0011");
    }
    fx_free(&f);

    fx_init(&f);
    fx_load(&f, "../shared/corpora/authelia/internal/storage/migrations/postgres", NULL);
    if (f.list.n > 1) {
        CHECK_STR(f.list.v[0].id, "0001");
        CHECK_STR(f.list.v[0].name, "Initial_Schema");
        CHECK_INT(f.list.v[0].up_tx, RS_TX_IMPLICIT);
    }
    fx_free(&f);
}
