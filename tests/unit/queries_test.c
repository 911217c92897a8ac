/*
 * queries_test.c - application queries: the CSV reader, positions inside exports, and what a
 * query fails on against a schema (lib/queries/), plus the name resolution it relies on.
 */
#include <stdlib.h>
#include <string.h>

#include "catalog/apply.h"
#include "queries/internal.h"
#include "test.h"
#include "util/strbuf.h"

/* ---------------------------------------------------------------- helpers */

static struct rs_model *schema(struct arena *a, const char *sql)
{
    struct rs_model *m = rs_model_new(a);
    struct rs_stmt_list l = {0};
    rs_sql_parse_text(a, sql, strlen(sql), NULL, &l);
    for (size_t i = 0; i < l.n; i++) {
        struct rs_apply_result ar;
        if (!l.v[i].syntax_error)
            rs_apply_stmt(m, &l.v[i], 0, &ar);
    }
    return m;
}

static struct rs_queries *queries(struct arena *a, const char *name, const char *text)
{
    const char *path = test_write(test_tmpdir(), name, text);
    struct rs_diag d;
    rs_diag_init(&d, a);
    struct rs_queries *q = rs_queries_load(a, path, &d);
    CHECK(q != NULL);
    return q;
}

/* The problems of the only query of text against the schema. */
static rs_qproblem_vec problems(struct arena *a, const char *ddl, const char *text)
{
    rs_qproblem_vec v = {0};
    struct rs_queries *q = queries(a, "q.sql", text);
    if (!q || q->v.n != 1) {
        test_fail(__FILE__, __LINE__, "expected one query in: %s", text);
        return v;
    }
    rs_query_problems(a, schema(a, ddl), &q->v.v[0], &v);
    return v;
}

/* ---------------------------------------------------------------- CSV */

TEST(csv_records_and_quotes)
{
    const char *t = "query,calls\r\n\"SELECT \"\"a\"\", 1\nFROM t\",3\nx,\n";
    size_t pos = 0, len = strlen(t);
    struct rs_csv_field f[4];
    CHECK_INT(rs_csv_record(t, len, &pos, f, 4), 2);
    CHECK_INT(rs_csv_record(t, len, &pos, f, 4), 2);
    CHECK(f[0].quoted);
    struct arena a = ARENA_INIT;
    size_t n, *map;
    char *v = rs_csv_value(&a, t, &f[0], &n, &map);
    CHECK_STR(v, "SELECT \"a\", 1\nFROM t");
    CHECK_INT(n, strlen("SELECT \"a\", 1\nFROM t"));
    /* The quote of "a" is at the first quote of its doubled pair in the file. */
    CHECK_INT(map[7], (long long)(strchr(t + 14, '"') - t));
    CHECK_INT(t[map[8]], 'a');
    CHECK_INT(rs_csv_record(t, len, &pos, f, 4), 2);
    CHECK_INT(f[1].begin, f[1].end); /* an empty last field */
    CHECK_INT(rs_csv_record(t, len, &pos, f, 4), 0);
    arena_free(&a);
}

TEST(csv_unclosed_quote)
{
    const char *t = "query\n\"SELECT 1\n";
    size_t pos = 0;
    struct rs_csv_field f[2];
    CHECK_INT(rs_csv_record(t, strlen(t), &pos, f, 2), 1);
    CHECK_INT(rs_csv_record(t, strlen(t), &pos, f, 2), -1);
    CHECK_INT(pos, 6);
}

/* ---------------------------------------------------------------- loading */

TEST(queries_json_positions)
{
    struct arena a = ARENA_INIT;
    struct rs_queries *q = queries(
        &a, "q.json",
        "[\n {\"calls\": 1, \"query\": \"SELECT \\\"u\\\".caf\\u00e9,\\n  bio FROM u\"}\n]\n");
    CHECK_INT(q->v.n, 1);
    const struct rs_app_query *x = &q->v.v[0];
    const char *bio = strstr(x->text, "bio");
    size_t off = rs_app_query_file_offset(x, (size_t)(bio - x->text));
    CHECK(!strncmp(x->src->text + off, "bio", 3));
    int line, col;
    rs_source_position(x->src, off, &line, &col);
    CHECK_INT(line, 2);
    CHECK_STR(x->oneline, "SELECT \"u\".caf\xc3\xa9, bio FROM u");
    arena_free(&a);
}

TEST(queries_keep_only_reads_and_writes)
{
    struct arena a = ARENA_INIT;
    struct rs_queries *q = queries(&a, "k.sql",
                                   "BEGIN;\nSET search_path TO app;\nSELECT 1;\n"
                                   "DELETE FROM t WHERE id = $1;\nCOMMIT;\nSELECT FROM WHERE;\n");
    CHECK_INT(q->v.n, 2);
    CHECK_INT(q->unparsed.n, 1);
    CHECK_INT(q->unparsed.v[0].line, 6);
    CHECK_STR(q->unparsed.v[0].rule, "query-syntax");
    arena_free(&a);
}

TEST(queries_one_per_line)
{
    struct arena a = ARENA_INIT;
    struct rs_queries *q = queries(&a, "q.log", "SELECT a FROM t\n\nSELECT b FROM t\n");
    CHECK_INT(q->v.n, 2);
    CHECK_INT(q->unparsed.n, 0);
    CHECK_INT(q->v.v[1].st->offset + q->v.v[1].base, 17);
    arena_free(&a);
}

/* What follows the last statement is only comments, as PostgreSQL reads them: nested, or ended
   by a carriage return. */
TEST(queries_trailing_comments_are_not_statements)
{
    struct arena a = ARENA_INIT;
    struct rs_queries *q =
        queries(&a, "c.sql", "SELECT a FROM t; /* one /* nested */ comment */ -- x\r;\n");
    CHECK_INT(q->v.n, 1);
    CHECK_INT(q->unparsed.n, 0);
    arena_free(&a);
}

TEST(queries_unclosed_parenthesis_is_reported)
{
    struct arena a = ARENA_INIT;
    struct rs_queries *q = queries(&a, "p.sql", "SELECT 1;\nSELECT a FROM t WHERE a IN ($1, $2\n");
    CHECK_INT(q->v.n, 1);
    CHECK_INT(q->unparsed.n, 1);
    arena_free(&a);
}

/* ---------------------------------------------------------------- resolution */

TEST(resolve_output_name_is_not_its_own_alias)
{
    struct arena a = ARENA_INIT;
    rs_qproblem_vec v =
        problems(&a, "CREATE TABLE users (id int, handle text);", "SELECT username FROM users;");
    CHECK_INT(v.n, 1);
    CHECK_INT(v.v[0].kind, RS_QP_NO_COLUMN);
    CHECK_STR(v.v[0].column, "username");
    /* ORDER BY an output alias is still fine. */
    v = problems(&a, "CREATE TABLE users (id int, handle text);",
                 "SELECT handle AS username FROM users ORDER BY username;");
    CHECK_INT(v.n, 0);
    arena_free(&a);
}

/* A view's dependencies: each (relation, column) once, in the order of first reference, past
   the length where resolve.c starts looking them up by hash. */
TEST(resolve_dependencies_are_listed_once)
{
    struct arena a = ARENA_INIT;
    struct strbuf ddl;
    sb_init(&ddl, &a);
    sb_printf(&ddl, "CREATE TABLE t (");
    for (int i = 0; i < 40; i++)
        sb_printf(&ddl, "%sc%d int", i ? ", " : "", i);
    sb_printf(&ddl, "); CREATE TABLE u (id int, c1 int);\nCREATE VIEW v AS SELECT ");
    /* Every column of t three times (bare, qualified, in WHERE), then u's, one twice. */
    for (int i = 0; i < 40; i++)
        sb_printf(&ddl, "c%d + t.c%d AS x%d, ", i, i, i);
    sb_printf(&ddl, "u.id, u.c1, u.id AS again FROM t JOIN u ON u.id = t.c0 WHERE ");
    for (int i = 39; i >= 0; i--)
        sb_printf(&ddl, "t.c%d > 0%s", i, i ? " AND " : ";");
    struct rs_model *m = schema(&a, ddl.s);
    const struct rs_relation *v = rs_model_rel(m, &(struct rs_qname){NULL, "v"});
    CHECK(v != NULL);
    if (v) {
        size_t seen[41] = {0}, u_id = 0, u_c1 = 0, whole = 0;
        for (size_t i = 0; i < v->deps.n; i++) {
            const struct rs_dep *d = &v->deps.v[i];
            if (!d->column)
                whole++;
            else if (!strcmp(d->rel.name, "t") && d->column[0] == 'c')
                seen[atoi(d->column + 1)]++;
            else if (!strcmp(d->rel.name, "u") && !strcmp(d->column, "id"))
                u_id++;
            else if (!strcmp(d->rel.name, "u") && !strcmp(d->column, "c1"))
                u_c1++;
        }
        for (int i = 0; i < 40; i++)
            CHECK_INT(seen[i], 1);
        CHECK_INT(u_id, 1);
        CHECK_INT(u_c1, 1);
        CHECK_INT(v->deps.n, 42 + whole);
        /* In the order of first reference: t's columns as the select list names them. */
        size_t k = 0;
        for (size_t i = 0; i < v->deps.n; i++) {
            const struct rs_dep *d = &v->deps.v[i];
            if (d->column && !strcmp(d->rel.name, "t")) {
                CHECK_INT(atoi(d->column + 1), k);
                k++;
            }
        }
    }
    arena_free(&a);
}

TEST(problems_enum_literals)
{
    struct arena a = ARENA_INIT;
    const char *ddl = "CREATE TYPE st AS ENUM ('a', 'b');"
                      "CREATE TABLE t (id int, s st NOT NULL DEFAULT 'a', note text);";
    rs_qproblem_vec v = problems(&a, ddl, "SELECT id FROM t x WHERE x.s IN ('a', 'c');");
    CHECK_INT(v.n, 1);
    CHECK_INT(v.v[0].kind, RS_QP_ENUM);
    CHECK_STR(v.v[0].value, "c");
    CHECK(!v.v[0].writes);
    v = problems(&a, ddl, "UPDATE t SET s = 'z' WHERE note = 'c';");
    CHECK_INT(v.n, 1);
    CHECK(v.v[0].writes);
    v = problems(&a, ddl, "SELECT id FROM t WHERE note = 'c' AND s = $1;");
    CHECK_INT(v.n, 0);
    arena_free(&a);
}

TEST(problems_literals_that_do_not_fit)
{
    struct arena a = ARENA_INIT;
    const char *ddl =
        "CREATE TABLE t (v varchar(3), c char(2), i smallint, n numeric(4,2), b bigint);";
    rs_qproblem_vec v = problems(&a, ddl, "INSERT INTO t (v, c) VALUES ('abcd', 'ab   ');");
    CHECK_INT(v.n, 1);
    CHECK_INT(v.v[0].kind, RS_QP_TOO_LONG);
    CHECK_STR(v.v[0].column, "v");
    CHECK_STR(v.v[0].value, "4");
    v = problems(&a, ddl, "INSERT INTO t (v) VALUES ('\xc3\xa9\xc3\xa9\xc3\xa9');"); /* 3 chars */
    CHECK_INT(v.n, 0);
    v = problems(&a, ddl, "UPDATE t SET i = 32767.4, n = 99.994, b = 9223372036854775807;");
    CHECK_INT(v.n, 0);
    v = problems(&a, ddl, "UPDATE t SET i = 32767.5;");
    CHECK_INT(v.n, 1);
    CHECK_INT(v.v[0].kind, RS_QP_RANGE);
    v = problems(&a, ddl, "UPDATE t SET n = 99.995;");
    CHECK_INT(v.n, 1);
    v = problems(&a, ddl, "UPDATE t SET i = '-32769';");
    CHECK_INT(v.n, 1);
    arena_free(&a);
}

TEST(problems_required_columns_and_views)
{
    struct arena a = ARENA_INIT;
    const char *ddl = "CREATE TABLE t (id bigserial PRIMARY KEY, a text NOT NULL, b text NOT NULL "
                      "DEFAULT 'x', c text);"
                      "CREATE VIEW v AS SELECT * FROM t;"
                      "CREATE VIEW w AS SELECT id, c FROM t;"
                      "CREATE TABLE u (id int);"
                      "CREATE VIEW j AS SELECT t.id, u.id AS uid FROM t JOIN u ON u.id = t.id;";
    rs_qproblem_vec v = problems(&a, ddl, "INSERT INTO t (c) VALUES ($1);");
    CHECK_INT(v.n, 1);
    CHECK_INT(v.v[0].kind, RS_QP_REQUIRED);
    CHECK_STR(v.v[0].column, "a");
    v = problems(&a, ddl, "INSERT INTO v (a) VALUES ($1);");
    CHECK_INT(v.n, 0);
    /* w does not show a: nothing written through it can fill it. */
    v = problems(&a, ddl, "INSERT INTO w (c) VALUES ($1);");
    CHECK_INT(v.n, 1);
    CHECK_INT(v.v[0].kind, RS_QP_REQUIRED);
    v = problems(&a, ddl, "DELETE FROM j WHERE id = $1;");
    CHECK_INT(v.n, 1);
    CHECK_INT(v.v[0].kind, RS_QP_NOT_UPDATABLE);
    v = problems(&a, ddl, "UPDATE t SET a = NULL;");
    CHECK_INT(v.n, 1);
    CHECK_INT(v.v[0].kind, RS_QP_NULL);
    arena_free(&a);
}

TEST(problems_on_conflict_targets)
{
    struct arena a = ARENA_INIT;
    const char *ddl = "CREATE TABLE t (a int, b int, c int, CONSTRAINT t_ab UNIQUE (a, b));"
                      "CREATE UNIQUE INDEX t_c ON t (c);";
    rs_qproblem_vec v =
        problems(&a, ddl, "INSERT INTO t (a, b) VALUES (1, 2) ON CONFLICT (b, a) DO NOTHING;");
    CHECK_INT(v.n, 0);
    v = problems(&a, ddl, "INSERT INTO t (c) VALUES (1) ON CONFLICT (c) DO NOTHING;");
    CHECK_INT(v.n, 0);
    v = problems(&a, ddl, "INSERT INTO t (a) VALUES (1) ON CONFLICT (a) DO NOTHING;");
    CHECK_INT(v.n, 1);
    CHECK_INT(v.v[0].kind, RS_QP_CONFLICT);
    CHECK_STR(v.v[0].detail, "(a)");
    v = problems(&a, ddl, "INSERT INTO t (a) VALUES (1) ON CONFLICT ON CONSTRAINT t_x DO NOTHING;");
    CHECK_INT(v.n, 1);
    v = problems(&a, ddl,
                 "INSERT INTO t (a) VALUES (1) ON CONFLICT ON CONSTRAINT t_ab DO NOTHING;");
    CHECK_INT(v.n, 0);
    arena_free(&a);
}

TEST(problems_same_reference_across_schemas)
{
    struct rs_qproblem x = {
        .kind = RS_QP_NO_COLUMN, .location = 7, .column = "c", .rel = {NULL, "t"}};
    struct rs_qproblem y = x;
    y.rel.name = "v"; /* the same reference, looked up in another relation */
    CHECK(rs_qproblem_same(&x, &y));
    y.location = 9;
    CHECK(!rs_qproblem_same(&x, &y));
}
