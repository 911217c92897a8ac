/*
 * harness.c - what each fuzz target does with one input. Shared by the libFuzzer targets
 * (tests/fuzz/fuzz_*.c, built by tests/fuzz/run.sh) and by the unit test that replays
 * tests/fuzz/regressions/ under the test suite's sanitizers and valgrind
 * (tests/unit/fuzz_regressions_test.c includes this file).
 *
 * Inputs that stand for several files are split on the line "--8<--" (FUZZ_SEP): a fuzzer finds
 * the marker in the seeds and the dictionary, and a human can read a regression file.
 *
 * Every function returns 0 (libFuzzer's convention) and aborts when an invariant fails, so the
 * fuzzer reports it as a crash. Nothing here checks what rollsafe concludes, only that it
 * concludes without a crash, a hang, a leak or undefined behaviour, and that what it returns is
 * well formed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "layout/layout.h"
#include "report/report.h"
#include "rollsafe/rollsafe.h"
#include "source.h"
#include "sql/internal.h"
#include "util/arena.h"
#include "util/strbuf.h"

#define FUZZ_SEP "\n--8<--\n"

/* REQUIRE() that NDEBUG cannot turn off. */
#define REQUIRE(c)                                                                                 \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #c);              \
            abort();                                                                               \
        }                                                                                          \
    } while (0)
#define FUZZ_MAX_PARTS 6

int fuzz_layout_one(const uint8_t *data, size_t size);
int fuzz_check_one(const uint8_t *data, size_t size);
int fuzz_unpack_one(const uint8_t *data, size_t size);
void fuzz_cleanup(void);

/* ---------------------------------------------------------------- scratch directory */

static char fuzz_dir[4096];

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    if (ftw->level > 0)
        remove(path);
    return 0;
}

/* An empty directory for one input: created once per process (on tmpfs when there is one),
   emptied before each input. */
static const char *scratch_dir(void)
{
    if (!fuzz_dir[0]) {
        const char *base = getenv("TMPDIR");
        struct stat st;
        if (!base || !*base)
            base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" : "/tmp";
        snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/rollsafe-fuzz-XXXXXX", base);
        if (!mkdtemp(fuzz_dir)) {
            perror("mkdtemp");
            abort();
        }
    } else {
        nftw(fuzz_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    }
    return fuzz_dir;
}

void fuzz_cleanup(void)
{
    if (!fuzz_dir[0])
        return;
    nftw(fuzz_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    rmdir(fuzz_dir);
    fuzz_dir[0] = '\0';
}

static void write_file(const char *dir, const char *rel, const uint8_t *data, size_t size)
{
    char path[8192];
    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    for (char *p = path + strlen(dir) + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(path, 0755);
            *p = '/';
        }
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return;
    while (size > 0) {
        ssize_t w = write(fd, data, size);
        if (w <= 0)
            break;
        data += w;
        size -= (size_t)w;
    }
    close(fd);
}

struct part {
    const uint8_t *p;
    size_t n;
};

/* Splits data on FUZZ_SEP into at most FUZZ_MAX_PARTS parts (the last takes the rest). */
static size_t split(const uint8_t *data, size_t size, struct part *parts)
{
    size_t n = 0, sep = strlen(FUZZ_SEP);
    while (n < FUZZ_MAX_PARTS - 1) {
        const uint8_t *m = memmem(data, size, FUZZ_SEP, sep);
        if (!m)
            break;
        parts[n++] = (struct part){data, (size_t)(m - data)};
        size -= (size_t)(m - data) + sep;
        data = m + sep;
    }
    parts[n++] = (struct part){data, size};
    return n;
}

/* ---------------------------------------------------------------- well-formed results */

static void check_source(const struct rs_source *src)
{
    REQUIRE(src->text[src->len] == '\0');
    REQUIRE(memchr(src->text, '\0', src->len) == NULL);
    REQUIRE(src->nlines >= 1 && src->lines[0] == 0);
    for (size_t i = 1; i < src->nlines; i++)
        REQUIRE(src->lines[i] > src->lines[i - 1] && src->lines[i] <= src->len &&
                src->text[src->lines[i] - 1] == '\n');
    int line, col;
    rs_source_position(src, src->len, &line, &col);
    REQUIRE(line >= 1 && (size_t)line <= src->nlines && col >= 1);
}

static void check_script(const struct rs_script *s)
{
    if (!rs_script_present(s))
        return;
    check_source(s->src);
    REQUIRE(s->text[s->src->len] == '\0');
    REQUIRE(s->begin <= s->end && s->end <= s->src->len);
}

/* ---------------------------------------------------------------- layout detection + reader */

/* How the parts of an input become files, one scheme per layout (and one single file). */
static const char *const schemes[][FUZZ_MAX_PARTS] = {
    {"0001_a.sql", "0002_b.sql", "0003_c.sql", "sub/0004_d.sql", "0005_e.sql", "0006_f.sql"},
    {"1_a.up.sql", "1_a.down.sql", "2_b.up.sql", "2_b.down.sql", "3_c.up.sql", "3_c.down.sql"},
    {"00001_a.sql", "00002_b.sql", "00003_c.sql", "00004_d.sql", "00005_e.sql", "00006_f.sql"},
    {"20200101000000_a.sql", "20200102000000_b.sql", "20200103000000_c.sql", "20200104000000_d.sql",
     "20200105000000_e.sql", "20200106000000_f.sql"},
    {"V1__a.sql", "U1__a.sql", "V2__b.sql", "R__c.sql", "V2.1__d.sql", "flyway.conf"},
    {"sqitch.plan", "deploy/a.sql", "revert/a.sql", "deploy/b.sql", "revert/b.sql",
     "deploy/a@v1.sql"},
    {"20200101000000_a/migration.sql", "20200102000000_b/migration.sql", "migration_lock.toml",
     "20200103000000_c/migration.sql", "20200104000000_d/migration.sql", "x/migration.sql"},
    {"2020-01-01-000000_a/up.sql", "2020-01-01-000000_a/down.sql",
     "2020-01-01-000000_a/metadata.toml", "2020-01-02-000000_b/up.sql",
     "2020-01-02-000000_b/down.sql", "00000000000000_diesel_initial_setup/up.sql"},
    {"meta/_journal.json", "0000_a.sql", "0001_b.sql", "0002_c.sql", "meta/0000_snapshot.json",
     "0003_d.sql"},
    {"atlas.sum", "20200101000000_a.sql", "20200102000000_b.sql", "20200103000000_c.sql",
     "20200104000000.sql", "20200105000000_e.sql"},
    {"changelog.sql", "changelog-2.sql", "a.sql", "b.sql", "c.sql", "d.sql"},
    {"one.sql", NULL},
};
#define NSCHEMES (sizeof(schemes) / sizeof(schemes[0]))

static const char *const layout_names[NSCHEMES] = {
    "plain",  "golang-migrate", "goose",   "dbmate", "flyway",    "sqitch",
    "prisma", "diesel",         "drizzle", "atlas",  "liquibase", NULL,
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Loads path (layout NULL: detected) and checks what came out; returns what it gave as one
   text (the layout, each migration's id and scripts, the errors), malloc'ed. With defer, the
   files of whole scripts are left unread, then read as `rollsafe check` reads them (a migration
   whose up cannot be read is left out, a file that is not there found so); the errors are
   sorted, as they come in another order than a load that reads every file at once. */
static char *load_and_check(const char *path, const char *layout, bool two_threads, bool defer)
{
    struct arena a = ARENA_INIT;
    struct rs_diag diag;
    rs_diag_init(&diag, &a);
    /* Inputs are small: two threads share the work from two calls on. */
    struct rs_layout_ctx ctx = {.arena = &a,
                                .diag = &diag,
                                .dir = path,
                                .two_threads = two_threads,
                                .share_min = 2,
                                .defer_reads = defer};
    struct rs_migration_list ml = {0};
    const struct rs_layout *used = NULL;
    int rc = rs_layout_load_path(&ctx, path, layout, &used, &ml);
    REQUIRE(rc == 0 || rc == -1);
    REQUIRE(rc == 0 || diag.n > 0);
    /* A migration whose up cannot be read is left out; a down that cannot be read is as none
       (an error all the same), as the layout makes them when it reads every file at once. */
    bool *left_out = arena_alloc(&a, (ml.n + 1) * sizeof(bool));
    for (size_t i = 0; i < ml.n; i++)
        if (!rs_script_read(&a, &ml.v[i].up, &diag))
            left_out[i] = true;
        else if (!rs_script_read(&a, &ml.v[i].down, &diag))
            ml.v[i].down = (struct rs_script){0};
    for (size_t i = 0; i < diag.n; i++)
        REQUIRE(diag.v[i].message && diag.v[i].message[0]);
    for (size_t i = 0; rc == 0 && i < ml.n; i++) {
        REQUIRE(ml.v[i].id);
        if (left_out[i])
            continue;
        check_script(&ml.v[i].up);
        check_script(&ml.v[i].down);
    }
    struct strbuf sb;
    sb_init(&sb, &a);
    sb_printf(&sb, "%s %d\n", used ? used->name : "-", rc);
    for (size_t i = 0; rc == 0 && i < ml.n; i++) {
        if (left_out[i])
            continue;
        const struct rs_script *sc[2] = {&ml.v[i].up, &ml.v[i].down};
        sb_printf(&sb, "%s %s %d\n", ml.v[i].id, ml.v[i].name, (int)ml.v[i].up_tx);
        for (int k = 0; k < 2; k++)
            sb_printf(&sb, "  %s %zu-%zu\n", rs_script_present(sc[k]) ? sc[k]->src->path : "-",
                      sc[k]->begin, sc[k]->end);
    }
    const char **errors = arena_alloc(&a, (diag.n + 1) * sizeof(char *));
    for (size_t i = 0; i < diag.n; i++)
        errors[i] = arena_printf(&a, "%s:%d:%d %s\n", diag.v[i].path ? diag.v[i].path : "-",
                                 diag.v[i].line, diag.v[i].column, diag.v[i].message);
    qsort(errors, diag.n, sizeof(char *), cmp_str);
    for (size_t i = 0; i < diag.n; i++)
        sb_add(&sb, errors[i]);
    char *out = strdup(sb.s ? sb.s : "");
    REQUIRE(out);
    arena_free(&a);
    return out;
}

/* One thread and two, every file read at once or the whole scripts read as they are parsed,
   give the same migrations and errors. */
static void load_both_ways(const char *path, const char *layout)
{
    char *one = load_and_check(path, layout, false, false);
    char *two = load_and_check(path, layout, true, true);
    if (strcmp(one, two) != 0)
        fprintf(stderr, "one thread:\n%s\ntwo threads:\n%s\n", one, two);
    REQUIRE(strcmp(one, two) == 0);
    free(one);
    free(two);
}

int fuzz_layout_one(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t scheme = data[0] % NSCHEMES;
    unsigned flags = data[1];
    data += 2;
    size -= 2;
    const char *dir = scratch_dir();
    struct part parts[FUZZ_MAX_PARTS];
    size_t n = split(data, size, parts);
    for (size_t i = 0; i < n && schemes[scheme][i]; i++)
        write_file(dir, schemes[scheme][i], parts[i].p, parts[i].n);
    /* What users' trees also hold now and then. */
    char path[8192];
    if (flags & 1) {
        snprintf(path, sizeof(path), "%s/loop", dir);
        symlink(".", path);
    }
    if (flags & 2) {
        snprintf(path, sizeof(path), "%s/0009_fifo.sql", dir);
        mkfifo(path, 0644);
    }
    if (flags & 4) {
        snprintf(path, sizeof(path), "%s/0008_dangling.sql", dir);
        symlink("nowhere.sql", path);
    }
    if (flags & 8) {
        snprintf(path, sizeof(path), "%s/0007_dir.sql", dir);
        mkdir(path, 0755);
    }
    if (flags & 16) {
        /* Enough files and directories for the layouts to share their system calls between
           two threads: copies of the first part at the top and of every part in subdirectories
           (a migration directory each, for the layouts that have them). */
        for (int k = 0; k < 20; k++) {
            snprintf(path, sizeof(path), "9%02d_copy.sql", k);
            write_file(dir, path, parts[0].p, parts[0].n);
            for (size_t i = 0; i < n && schemes[scheme][i]; i++) {
                const char *base = strrchr(schemes[scheme][i], '/');
                snprintf(path, sizeof(path), "2030-01-%02d-000000_c%d/%s", k + 1, k,
                         base ? base + 1 : schemes[scheme][i]);
                write_file(dir, path, parts[i].p, parts[i].n);
            }
        }
    }

    if (layout_names[scheme]) {
        load_both_ways(dir, NULL);
        load_both_ways(dir, layout_names[scheme]);
    } else {
        snprintf(path, sizeof(path), "%s/%s", dir, schemes[scheme][0]);
        load_both_ways(path, NULL);
    }

    /* The reader on its own, and the position helpers on every offset of a small text. */
    struct arena a = ARENA_INIT;
    struct rs_diag diag;
    rs_diag_init(&diag, &a);
    snprintf(path, sizeof(path), "%s/%s", dir, schemes[scheme][0]);
    const struct rs_source *src = rs_source_load(&a, path, &diag);
    if (src) {
        check_source(src);
        for (size_t off = 0; off <= src->len && off < 4096; off++) {
            int line, col;
            rs_source_position(src, off, &line, &col);
            size_t len;
            const char *l = rs_source_line(src, line, &len);
            REQUIRE(l >= src->text && l + len <= src->text + src->len);
            REQUIRE(rs_source_line_offset(src, line) <= off);
        }
    } else {
        REQUIRE(diag.n > 0);
    }
    arena_free(&a);
    return 0;
}

/* ---------------------------------------------------------------- parse + replay + rules */

int fuzz_check_one(const uint8_t *data, size_t size)
{
    const char *dir = scratch_dir();
    struct part parts[FUZZ_MAX_PARTS];
    size_t n = split(data, size, parts);
    static const char *const files[FUZZ_MAX_PARTS] = {"0001.sql", "0002.sql", "0003.sql",
                                                      "0004.sql", "0005.sql", "0006.sql"};
    for (size_t i = 0; i < n; i++)
        write_file(dir, files[i], parts[i].p, parts[i].n);

    struct rs_check_opts o;
    rs_check_opts_init(&o);
    o.path = dir;
    o.jobs = 1;
    o.layout = "plain";
    o.fail_on = RS_FAIL_ON_SAFE;
    static const struct rs_rule_setting all = {"all", 1, -1};
    o.rule_settings = &all;
    o.nrule_settings = 1;
    struct arena a = ARENA_INIT;
    struct rs_diag diag;
    rs_diag_init(&diag, &a);
    struct rs_check_result *res = NULL;
    if (rs_check_run(&o, &res, &diag) == 0) {
        REQUIRE(res && res->nmigrations <= n);
        for (size_t i = 0; i < res->nmigrations; i++) {
            const struct rs_migration_result *m = &res->migrations[i];
            for (size_t k = 0; k < m->nfindings; k++) {
                const struct rs_finding *f = &m->findings[k];
                REQUIRE(f->rule && f->message);
                if (f->src)
                    REQUIRE(f->offset <= f->src->len && f->offset + f->length <= f->src->len + 1);
            }
        }
        static const enum rs_format formats[] = {RS_FORMAT_TEXT, RS_FORMAT_JSON, RS_FORMAT_SARIF,
                                                 RS_FORMAT_GITHUB, RS_FORMAT_MARKDOWN};
        for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
            struct rs_report_opts ro = {.color = i == 0, .fail_on = o.fail_on};
            char *text = rs_report_render(res, formats[i], &ro);
            REQUIRE(text);
            free(text);
        }
        rs_check_result_free(res);
    } else {
        REQUIRE(diag.n > 0);
    }
    arena_free(&a);
    return 0;
}

/* ---------------------------------------------------------------- the tree decoder */

static bool count_visit(const ProtobufCMessage *m, void *ctx)
{
    (void)m;
    ++*(size_t *)ctx;
    return true;
}

struct const_check {
    struct sqlx *x;
};

/* Every constant: rollsafe's fast text must be libpg_query's deparse. */
static bool const_visit(const ProtobufCMessage *m, void *ctx)
{
    struct const_check *cc = ctx;
    if (m->descriptor != &pg_query__node__descriptor)
        return true;
    const Node *n = (const Node *)m;
    const char *fast = sqlx_deparse_native(cc->x, n);
    if (fast) {
        const char *slow = sqlx_deparse_expr_pg(cc->x, n);
        if (strcmp(fast, slow) != 0) {
            fprintf(stderr, "fuzz_unpack: constant deparsed as %s, libpg_query says %s\n", fast,
                    slow);
            abort();
        }
    }
    return true;
}

/* The tree decoded from libpg_query's JSON form of sql (lib/sql/unjson.c), when it gives one,
   is the tree decoded from the packed form. */
static void json_agrees(const char *sql, const PgQuery__ParseResult *packed)
{
    PgQueryParseResult j = pg_query_parse(sql);
    REQUIRE(!j.error);
    struct arena a = ARENA_INIT;
    PgQuery__ParseResult *tree =
        sqlx_unjson(&a, j.parse_tree, strlen(j.parse_tree), sql, strlen(sql));
    if (tree) {
        size_t n1, n2;
        const uint8_t *b1 = sqlx_pack(&a, &tree->base, &n1);
        const uint8_t *b2 = sqlx_pack(&a, &packed->base, &n2);
        if (n1 != n2 || memcmp(b1, b2, n1) != 0) {
            fprintf(stderr, "fuzz_unpack: the tree from the JSON differs from the packed one\n");
            abort();
        }
    }
    arena_free(&a);
    pg_query_free_parse_result(j);
}

/*
 * Arbitrary bytes through rollsafe's decoders (lib/sql/unpack.c, unjson.c) must not crash
 * them. And when the input is SQL that libpg_query parses, the decoder must give the tree
 * protobuf-c's own unpacker gives (both packed again with protobuf-c and compared byte for
 * byte), and the JSON decoder the same tree.
 */
/* The statement words of a body that does not parse, read without the scanner when the text is
   plain (lib/sql/body.c), are the scanner's. */
static void words_agree(const char *sql)
{
    struct arena a = ARENA_INIT;
    struct rs_body_summary plain, scanned;
    sqlx_body_words(&a, sql, false, &plain);
    sqlx_body_words(&a, sql, true, &scanned);
    bool same = plain.ntags == scanned.ntags && plain.dynamic == scanned.dynamic;
    for (size_t i = 0; same && i < plain.ntags; i++)
        same = strcmp(plain.tags[i], scanned.tags[i]) == 0;
    if (!same) {
        fprintf(stderr, "fuzz_unpack: %zu statement words read plainly, %zu by the scanner\n",
                plain.ntags, scanned.ntags);
        abort();
    }
    arena_free(&a);
}

int fuzz_unpack_one(const uint8_t *data, size_t size)
{
    struct arena a = ARENA_INIT;
    PgQuery__ParseResult *mine = sqlx_unpack(&a, data, size);
    if (mine) {
        size_t nodes = 0;
        sqlx_walk(&mine->base, count_visit, &nodes);
        REQUIRE(nodes >= 1);
    }
    /* The JSON decoder reads text that ends with a NUL, as libpg_query's does. */
    char *sql = malloc(size + 1);
    if (!sql)
        abort();
    memcpy(sql, data, size);
    sql[size] = '\0';
    mine = sqlx_unjson(&a, sql, size, "", 0);
    if (mine) {
        size_t len;
        (void)sqlx_pack(&a, &mine->base, &len);
    }
    arena_free(&a);

    if (memchr(data, '\0', size) == NULL) {
        words_agree(sql);
        PgQueryProtobufParseResult r = pg_query_parse_protobuf(sql);
        const uint8_t *pb = (const uint8_t *)r.parse_tree.data;
        mine = r.error ? NULL : sqlx_unpack(&a, pb, r.parse_tree.len);
        /* protobuf-c's unpacker recurses with a large frame per level: trees deeper than the
           deparser takes (expr.c) would overflow the stack of the reference, not rollsafe's. */
        unsigned height = 0;
        for (size_t i = 0; mine && i < mine->n_stmts; i++) {
            size_t len;
            unsigned h = 0;
            if (mine->stmts[i]->stmt)
                sqlx_node_bytes(mine->stmts[i]->stmt, &len, &h);
            height = h > height ? h : height;
        }
        /* mine is NULL when the tree is deeper than the decoder goes (unpack.c): nothing to
           compare then. */
        if (!r.error && mine && height <= 2000) {
            PgQuery__ParseResult *theirs =
                pg_query__parse_result__unpack(NULL, r.parse_tree.len, pb);
            REQUIRE(theirs);
            size_t n1 = pg_query__parse_result__get_packed_size(mine);
            size_t n2 = pg_query__parse_result__get_packed_size(theirs);
            REQUIRE(n1 == n2);
            uint8_t *b1 = malloc(n1 + 1), *b2 = malloc(n2 + 1);
            if (!b1 || !b2)
                abort();
            pg_query__parse_result__pack(mine, b1);
            pg_query__parse_result__pack(theirs, b2);
            if (memcmp(b1, b2, n1) != 0) {
                fprintf(stderr, "fuzz_unpack: the decoder's tree differs from protobuf-c's\n");
                abort();
            }
            free(b1);
            free(b2);
            json_agrees(sql, mine);
            struct arena scratch = ARENA_INIT;
            struct sqlx x = {.a = &a, .scratch = &scratch, .text = sql};
            struct const_check cc = {&x};
            sqlx_walk(&mine->base, const_visit, &cc);
            arena_free(&scratch);
            pg_query__parse_result__free_unpacked(theirs, NULL);
        }
        arena_free(&a);
        pg_query_free_protobuf_parse_result(r);
    }
    free(sql);
    return 0;
}
