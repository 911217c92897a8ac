/*
 * report.h - rendering a check result for people (text, markdown) and machines (json, sarif,
 * github annotations).
 *
 * Reports render into a string the caller writes, or are written to a stream as they are
 * rendered (rs_report_write). Message text is part of the interface: the golden tests pin it.
 */
#ifndef RS_REPORT_H
#define RS_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "rollsafe/rollsafe.h"

enum rs_format { RS_FORMAT_TEXT, RS_FORMAT_JSON, RS_FORMAT_SARIF, RS_FORMAT_GITHUB,
                 RS_FORMAT_MARKDOWN };

struct rs_report_opts {
    bool color;              /* ANSI colours (the CLI decides: terminal and no NO_COLOR) */
    enum rs_fail_on fail_on; /* to mark which findings fail the run */
    bool verbose;            /* text: show info-level findings too (they are counted otherwise) */
};

/* Parses "text", "json", "sarif", "github", "markdown". Returns -1 for anything else. */
int rs_format_parse(const char *s, enum rs_format *out);

/* Renders r. Returns a malloc'ed NUL-terminated string the caller frees. Never fails (aborts on
   out of memory). */
char *rs_report_render(const struct rs_check_result *r, enum rs_format f,
                       const struct rs_report_opts *o);

/* Writes to out what rs_report_render gives, a piece at a time as it is rendered (the JSON and
   text reports; the others are rendered whole, then written): the report of a long history is
   megabytes, which a buffer of its own would touch page by page once. Returns 0, or -1 when a
   write fails (errno says why; the report is then incomplete). Does not flush out. */
int rs_report_write(const struct rs_check_result *r, enum rs_format f,
                    const struct rs_report_opts *o, FILE *out);

/*
 * The part of the report that belongs to migration m alone, as rs_report_render writes it in
 * format f: its object in the JSON report's "migrations", its findings in the text report
 * (with o's colour and verbosity); NULL for the other formats, which have no such part. In
 * arena a, its length in *len. It reads only m and what m points to, so the thread that checked
 * m can render it while another checks the rest (rs_check_opts.render_part); rs_report_render
 * copies m->part instead of rendering m again, so it must be rendered with the same format and
 * options.
 */
const char *rs_report_migration_part(struct arena *a, const struct rs_migration_result *m,
                                     enum rs_format f, const struct rs_report_opts *o,
                                     size_t *len);

/* One renderer per format (report/<format>.c), same contract as rs_report_render. */
char *rs_report_text(const struct rs_check_result *r, const struct rs_report_opts *o);
char *rs_report_json(const struct rs_check_result *r, const struct rs_report_opts *o);
char *rs_report_sarif(const struct rs_check_result *r, const struct rs_report_opts *o);
char *rs_report_github(const struct rs_check_result *r, const struct rs_report_opts *o);
char *rs_report_markdown(const struct rs_check_result *r, const struct rs_report_opts *o);
/* Where a report written as it is rendered goes: out, and the errno of its first failed
   write (0: none). */
struct rs_report_sink {
    FILE *out;
    int err;
};
/* A streamed report is written in pieces of about this size: the report of a long history is
   megabytes, touched once page by page in a buffer of its own, where a reused one costs
   nothing. */
#define RS_REPORT_PIECE ((size_t)64 * 1024)
/* Writes s[0..n) to k->out, unless a write failed already. */
void rs_report_sink_write(struct rs_report_sink *k, const char *s, size_t n);
/* 0, or -1 with errno set to that of the first failed write. */
int rs_report_sink_status(const struct rs_report_sink *k);
/* Streamed, for rs_report_write. */
int rs_report_text_write(const struct rs_check_result *r, const struct rs_report_opts *o,
                         FILE *out);
int rs_report_json_write(const struct rs_check_result *r, const struct rs_report_opts *o,
                         FILE *out);
/* Their parts, for rs_report_migration_part. */
const char *rs_report_json_part(struct arena *a, const struct rs_migration_result *m,
                                size_t *len);
const char *rs_report_text_part(struct arena *a, const struct rs_migration_result *m,
                                const struct rs_report_opts *o, size_t *len);

/* Pieces of the JSON documents the library builds with jansson (the drill report), laid out as
   rs_report_json lays out its own. json_t is jansson's. */
struct json_t;
/* A new JSON array (a new reference, for json_object_set_new) of the n strings of v, none
   NULL. */
struct json_t *rs_json_strings(const char *const *v, size_t n);
/* Dumps root as JSON indented by two spaces, keys in insertion order, with a final newline, and
   releases root (a reference the caller owned). Returns a malloc'ed string; aborts on out of
   memory. */
char *rs_json_dump(struct json_t *root);

/* Shared helpers for the renderers. */
/* "migrations/0042_x.up.sql" or the id and name when a migration has no file. */
const char *rs_report_migration_label(const struct rs_migration_result *m);

#endif
