/*
 * report_test.c - the JSON report's own writer (lib/report/json.c): what it writes reads back
 * with jansson to the same values, laid out byte for byte as jansson's JSON_INDENT(2) dump;
 * and the excerpt of the text report (lib/report/text.c).
 */
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "rollsafe/rollsafe.h"
#include "source.h"
#include "test.h"
#include "util/arena.h"
#include "util/strbuf.h"

static char *render(const struct rs_check_result *r)
{
    struct rs_report_opts o = {0};
    return rs_report_render(r, RS_FORMAT_JSON, &o);
}

/* The report read back, and dumped again by jansson: the same text. */
static json_t *reads_back(const char *text)
{
    json_error_t err;
    json_t *root = json_loads(text, 0, &err);
    if (!root) {
        test_fail(__FILE__, __LINE__, "not JSON: %s at line %d column %d", err.text, err.line,
                  err.column);
        return NULL;
    }
    char *again = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    size_t n = strlen(again);
    CHECK(strncmp(text, again, n) == 0 && !strcmp(text + n, "\n"));
    free(again);
    return root;
}

TEST(json_writer_escapes_and_layout)
{
    struct rs_finding f[2] = {
        {.rule = "drop-column", .cls = RS_CLASS_IRREVERSIBLE, .failure_mode = 1,
         .path = "m/1.sql", .line = 3, .column = 7,
         .message = "quote \" backslash \\ tab\t newline\n bell\x07 us\x1f del\x7f é \xe2\x80\xa8 end",
         .help = NULL, .approved = true, .approval_reason = "ok", .stmt = 2},
        {.rule = "syntax-error", .message = "bad byte \xff here", .fatal = true},
    };
    const char *diffs[] = {"column t.a"};
    struct rs_migration_result m[2] = {
        {.id = "1", .name = "a", .path = "m/1.sql", .findings = f, .nfindings = 2,
         .ponr_path = "m/1.sql", .ponr_line = 3, .ponr_stmt = 2, .tx = "wrapped",
         .down_check = {.present = true, .checked = true, .differences = diffs,
                        .ndifferences = 1}},
        {.id = "2", .name = NULL, .compat = {.previous = true, .nprevious = 4, .previous_new = 1}},
    };
    struct rs_check_result r = {.tool_version = "0.1", .pg_version = 15, .layout = "plain",
                                .migrations = m, .nmigrations = 2, .summary = {.migrations = 2},
                                .failed = true};
    char *text = render(&r);
    json_t *root = reads_back(text);
    if (root) {
        json_t *ms = json_object_get(root, "migrations");
        CHECK_INT(json_array_size(ms), 2);
        json_t *f0 = json_array_get(json_object_get(json_array_get(ms, 0), "findings"), 0);
        CHECK_STR(json_string_value(json_object_get(f0, "message")), f[0].message);
        CHECK(json_is_null(json_object_get(f0, "help")));
        json_t *f1 = json_array_get(json_object_get(json_array_get(ms, 0), "findings"), 1);
        /* Not UTF-8 (never expected): the byte becomes U+FFFD, the document stays valid. */
        CHECK_STR(json_string_value(json_object_get(f1, "message")), "bad byte \xEF\xBF\xBD here");
        json_t *m1 = json_array_get(ms, 1);
        CHECK_STR(json_string_value(json_object_get(m1, "name")), "");
        CHECK(json_is_null(json_object_get(m1, "down_check")));
        CHECK_INT(json_array_size(json_object_get(m1, "findings")), 0);
        json_t *prev = json_object_get(json_object_get(m1, "compatibility"), "previous");
        CHECK_INT(json_integer_value(json_object_get(prev, "queries")), 4);
        CHECK(json_is_null(json_object_get(json_object_get(m1, "compatibility"), "next")));
        CHECK(json_is_true(json_object_get(json_object_get(root, "summary"), "failed")));
        json_decref(root);
    }
    CHECK(strstr(text, "\\u0007") && strstr(text, "\\u001F")); /* as jansson writes them */
    CHECK(strstr(text, "\"findings\": []") != NULL); /* empty arrays on one line */
    free(text);
}

TEST(json_writer_empty_report)
{
    struct rs_check_result r = {.tool_version = "0.1", .pg_version = 15};
    char *text = render(&r);
    json_t *root = reads_back(text);
    CHECK(root && json_is_null(json_object_get(root, "layout")));
    CHECK(strstr(text, "\"migrations\": []") != NULL);
    json_decref(root);
    free(text);
}

/* The excerpt under a finding: the statement's line with tabs shown as single spaces, and a
   caret under each character of the span (characters, not bytes), after the right number of
   blanks. */
TEST(text_excerpt_tabs_and_characters)
{
    struct arena a = ARENA_INIT;
    const char *sql = "CREATE TABLE t (a int);\n\tALTER TABLE \"caf\xc3\xa9\"\tDROP COLUMN b;\n";
    struct rs_source *src = rs_source_from_string(&a, "m/1.sql", sql);
    size_t at = (size_t)(strstr(sql, "DROP") - sql);
    struct rs_finding f = {.rule = "drop-column", .cls = RS_CLASS_IRREVERSIBLE,
                           .severity = RS_SEV_ERROR, .path = "m/1.sql", .line = 2, .column = 20,
                           .message = "drop", .src = src, .offset = at, .length = 13};
    struct rs_migration_result m = {.id = "1", .name = "a", .path = "m/1.sql", .findings = &f,
                                    .nfindings = 1};
    struct rs_check_result r = {.tool_version = "0.1", .pg_version = 15, .layout = "plain",
                                .migrations = &m, .nmigrations = 1, .summary = {.migrations = 1}};
    struct rs_report_opts o = {0};
    char *text = rs_report_render(&r, RS_FORMAT_TEXT, &o);
    CHECK(strstr(text, "2 |  ALTER TABLE \"caf\xc3\xa9\" DROP COLUMN b;\n") != NULL);
    /* The blank after the bar, then 20 characters before DROP: the tab, "ALTER TABLE ", the
       quoted name (six characters, seven bytes) and the tab. */
    CHECK(strstr(text, "\n  | " "                    " "^^^^^^^^^^^^^\n") != NULL);
    CHECK(strchr(text, '\t') == NULL);
    free(text);
    arena_free(&a);
}

/* A report written as it is rendered (rs_report_write) is the report rendered whole, in every
   format, over several of the writer's pieces, with migrations whose part another thread
   rendered (rs_migration_result.part) among them. */
TEST(report_written_in_pieces_is_the_rendered_one)
{
    enum { N = 1500 };
    struct arena a = ARENA_INIT;
    struct rs_migration_result *m = arena_alloc(&a, N * sizeof(*m));
    struct rs_finding *f = arena_alloc(&a, N * sizeof(*f));
    for (size_t i = 0; i < N; i++) {
        const char *path = arena_printf(&a, "m/%04zu_step.sql", i);
        f[i] = (struct rs_finding){.rule = "drop-column", .cls = RS_CLASS_IRREVERSIBLE,
                                   .severity = i % 3 ? RS_SEV_ERROR : RS_SEV_INFO, .path = path,
                                   .line = 1, .column = 1,
                                   .message = arena_printf(&a, "drops column t.c%zu", i),
                                   .help = "keep the column until no version reads it"};
        m[i] = (struct rs_migration_result){.id = arena_printf(&a, "%04zu", i), .name = "step",
                                            .path = path, .findings = &f[i], .nfindings = 1};
    }
    struct rs_check_result r = {.tool_version = "0.1", .pg_version = 15, .layout = "plain",
                                .migrations = m, .nmigrations = N,
                                .summary = {.migrations = N, .findings = N}, .failed = true};
    static const enum rs_format formats[] = {RS_FORMAT_JSON, RS_FORMAT_TEXT, RS_FORMAT_SARIF,
                                             RS_FORMAT_GITHUB, RS_FORMAT_MARKDOWN};
    for (int verbose = 0; verbose < 2; verbose++) {
        for (size_t k = 0; k < sizeof(formats) / sizeof(*formats); k++) {
            struct rs_report_opts o = {.verbose = verbose};
            for (size_t i = 0; i < N; i++) {
                m[i].part = NULL;
                m[i].part_len = 0;
                if (i % 4 == 1)
                    m[i].part = rs_report_migration_part(&a, &m[i], formats[k], &o,
                                                         &m[i].part_len);
            }
            char *whole = rs_report_render(&r, formats[k], &o);
            char *buf = NULL;
            size_t len = 0;
            FILE *out = open_memstream(&buf, &len);
            CHECK(out && rs_report_write(&r, formats[k], &o, out) == 0);
            if (out)
                fclose(out);
            if (formats[k] == RS_FORMAT_JSON)
                CHECK(strlen(whole) > 256 * 1024);
            if (!buf || strcmp(buf, whole) != 0)
                test_fail(__FILE__, __LINE__, "format %d (verbose %d): written %zu bytes, "
                          "rendered %zu", (int)formats[k], verbose, len, strlen(whole));
            free(buf);
            free(whole);
        }
    }
    arena_free(&a);
}

/* The numbers of the reports are written by hand (decimal): as printf writes them. */
TEST(decimal_is_printf_d)
{
    static const long long values[] = {
        0,   1,     -1,     9,          10,        -10,       99,
        100, 12345, -98765, 2147483647, LLONG_MAX, LLONG_MIN, LLONG_MIN + 1,
    };
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        char buf[24], want[32];
        size_t n;
        const char *p = decimal(buf, values[i], &n);
        snprintf(want, sizeof(want), "%lld", values[i]);
        CHECK_INT(n, strlen(want));
        CHECK(n == strlen(want) && memcmp(p, want, n) == 0);
    }
}
