/*
 * text.c - the report people read in a terminal: each finding as `path:line:col`, the source
 * line with a caret underline, the rule and message, a `help:` line with the safe alternative;
 * then one verdict per migration in a table, and a line for each down migration that does not
 * restore the schema.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "source.h"
#include "util/strbuf.h"

struct tx {
    struct strbuf sb;
    bool color;
    struct rs_report_sink sink; /* streamed: written there a piece at a time (out NULL: whole) */
};

/* Streamed: the buffer goes out once it holds at least keep bytes (whole lines only). */
static void spill(struct tx *t, size_t keep)
{
    if (!t->sink.out || t->sb.len < keep || t->sb.len == 0)
        return;
    rs_report_sink_write(&t->sink, t->sb.s, t->sb.len);
    t->sb.len = 0;
    t->sb.s[0] = '\0';
}

/* Appends s (n bytes) as it is; streamed, it is written from where it is. */
static void put_part(struct tx *t, const char *s, size_t n)
{
    if (!t->sink.out) {
        sb_addn(&t->sb, s, n);
        return;
    }
    spill(t, 0);
    rs_report_sink_write(&t->sink, s, n);
}

static const char *paint(struct tx *t, const char *code)
{
    return t->color ? code : "";
}

#define RED "\033[1;31m"
#define YELLOW "\033[1;33m"
#define GREEN "\033[1;32m"
#define BLUE "\033[1;34m"
#define CYAN "\033[36m"
#define BOLD "\033[1m"
#define DIM "\033[2m"
#define RESET "\033[0m"

static const char *sev_color(const struct rs_finding *f)
{
    if (f->approved)
        return DIM;
    return f->severity == RS_SEV_ERROR ? RED : f->severity == RS_SEV_WARNING ? YELLOW : BLUE;
}

static const char *verdict_color(enum rs_verdict v)
{
    return v == RS_VERDICT_SAFE ? GREEN : v == RS_VERDICT_BREAKS ? YELLOW : RED;
}

static size_t digits(int n)
{
    size_t d = 1;
    while (n >= 10) {
        n /= 10;
        d++;
    }
    return d;
}

/* Longest excerpt line shown, in bytes: a minified or generated migration can hold a statement
   of megabytes on one line. A longer line is cut to a window around the finding, marked with
   "..." at the cut ends. */
#define EXCERPT_MAX 1000

/* The source line of the finding and a ^^^ under its span (clipped to that line). */
static void add_int(struct strbuf *sb, long long n)
{
    char buf[24];
    size_t len;
    const char *p = decimal(buf, n, &len);
    sb_addn(sb, p, len);
}

/* The gutter of an excerpt's line: w blanks, then " |" in blue and a blank. */
static void gutter(struct tx *t, size_t w, bool blank_after)
{
    sb_fill(&t->sb, ' ', w + 1);
    sb_add(&t->sb, paint(t, BLUE));
    sb_addc(&t->sb, '|');
    sb_add(&t->sb, paint(t, RESET));
    sb_addc(&t->sb, blank_after ? ' ' : '\n');
}

static void excerpt(struct tx *t, const struct rs_finding *f)
{
    if (!f->src || f->line < 1)
        return;
    size_t len;
    const char *line = rs_source_line(f->src, f->line, &len);
    size_t w = digits(f->line);
    size_t line_off = rs_source_line_offset(f->src, f->line);
    size_t start = f->offset >= line_off ? f->offset - line_off : 0;
    size_t end = f->offset + (f->length ? f->length : 1) - line_off;
    bool cut_before = false, cut_after = false;
    if (len > EXCERPT_MAX) {
        size_t from = start > 100 ? start - 100 : 0;
        while (from > 0 && ((unsigned char)line[from] & 0xC0) == 0x80)
            from--;
        size_t to = from + EXCERPT_MAX < len ? from + EXCERPT_MAX : len;
        while (to < len && ((unsigned char)line[to] & 0xC0) == 0x80)
            to--;
        cut_before = from > 0;
        cut_after = to < len;
        line += from;
        len = to - from;
        start -= from;
        end = end > from ? end - from : 0;
    }
    gutter(t, w, false);
    sb_add(&t->sb, paint(t, BLUE));
    add_int(&t->sb, f->line);
    sb_add(&t->sb, " |");
    sb_add(&t->sb, paint(t, RESET));
    sb_addc(&t->sb, ' ');
    if (cut_before)
        sb_add(&t->sb, "...");
    /* Tabs become single spaces so that the caret lines up. */
    size_t at = t->sb.len;
    sb_addn(&t->sb, line, len);
    for (char *p = t->sb.s + at; (p = memchr(p, '\t', t->sb.len - (size_t)(p - t->sb.s)));)
        *p++ = ' ';
    if (cut_after)
        sb_add(&t->sb, "...");
    sb_addc(&t->sb, '\n');
    if (end > len)
        end = len;
    if (end <= start)
        end = start + 1;
    /* Columns count characters, not bytes. */
    size_t pad = cut_before ? 3 : 0, width = 0;
    for (size_t i = 0; i < start && i < len; i++)
        if (((unsigned char)line[i] & 0xC0) != 0x80)
            pad++;
    for (size_t i = start; i < end && i < len; i++)
        if (((unsigned char)line[i] & 0xC0) != 0x80)
            width++;
    if (!width)
        width = 1;
    gutter(t, w, true);
    sb_fill(&t->sb, ' ', pad);
    sb_add(&t->sb, paint(t, sev_color(f)));
    sb_fill(&t->sb, '^', width);
    sb_add(&t->sb, paint(t, RESET));
    sb_addc(&t->sb, '\n');
}

static void finding(struct tx *t, const struct rs_finding *f)
{
    struct strbuf *sb = &t->sb;
    sb_add(sb, paint(t, BOLD));
    sb_add(sb, f->path ? f->path : "rollsafe");
    if (f->line > 0) {
        sb_addc(sb, ':');
        add_int(sb, f->line);
        sb_addc(sb, ':');
        add_int(sb, f->column);
    }
    sb_addc(sb, ':');
    sb_add(sb, paint(t, RESET));
    sb_addc(sb, ' ');
    sb_add(sb, paint(t, sev_color(f)));
    sb_add(sb, rs_severity_name(f->severity));
    sb_addc(sb, '[');
    sb_add(sb, f->rule);
    sb_addc(sb, ']');
    if (f->approved)
        sb_add(sb, " (approved)");
    sb_add(sb, paint(t, RESET));
    sb_add(sb, ": ");
    sb_add(sb, paint(t, BOLD));
    sb_add(sb, f->message);
    sb_addc(sb, '\n');
    sb_add(sb, paint(t, RESET));
    excerpt(t, f);
    size_t w = f->line > 0 ? digits(f->line) : 1;
    if (f->failure_mode)
        sb_printf(&t->sb, "%*s %s=%s failure mode %d: %s\n", (int)w, "", paint(t, BLUE),
                  paint(t, RESET), f->failure_mode, f->failure_mode_name);
    if (f->approved)
        sb_printf(&t->sb, "%*s %s=%s approved: %s\n", (int)w, "", paint(t, BLUE), paint(t, RESET),
                  f->approval_reason);
    if (f->help) {
        sb_add(sb, paint(t, CYAN));
        sb_add(sb, "help:");
        sb_add(sb, paint(t, RESET));
        sb_addc(sb, ' ');
        sb_add(sb, f->help);
        sb_addc(sb, '\n');
    }
    sb_addc(&t->sb, '\n');
}

/* The findings of migration m, but info ones without --verbose. */
static void findings_of(struct tx *t, const struct rs_migration_result *m, bool verbose)
{
    for (size_t k = 0; k < m->nfindings; k++)
        if (m->findings[k].severity != RS_SEV_INFO || verbose)
            finding(t, &m->findings[k]);
}

const char *rs_report_text_part(struct arena *a, const struct rs_migration_result *m,
                                const struct rs_report_opts *o, size_t *len)
{
    struct tx t = {.color = o->color};
    sb_init(&t.sb, a);
    findings_of(&t, m, o->verbose);
    *len = t.sb.len;
    return t.sb.s;
}

/* The mixed-version matrix ({N-1, N} x {schema before, schema after}) of every migration, one
   row each, when application queries were given: how many of each version's queries fail on
   each schema because of the migration. */
static void compat_table(struct tx *t, const struct rs_check_result *r)
{
    const struct rs_compatibility *any = NULL;
    for (size_t i = 0; i < r->nmigrations && !any; i++)
        if (r->migrations[i].compat.previous || r->migrations[i].compat.next)
            any = &r->migrations[i].compat;
    if (!any)
        return;
    size_t wm = strlen("migration");
    for (size_t i = 0; i < r->nmigrations; i++) {
        const struct rs_migration_result *m = &r->migrations[i];
        size_t l = strlen(m->id) + (m->name && *m->name ? strlen(m->name) + 1 : 0);
        if (l > wm)
            wm = l;
    }
    if (wm > 60)
        wm = 60;
    sb_printf(&t->sb, "\n%squeries that fail because of the migration", paint(t, BOLD));
    if (any->previous)
        sb_printf(&t->sb, " (N-1: %zu quer%s", any->nprevious, any->nprevious == 1 ? "y" : "ies");
    if (any->next)
        sb_printf(&t->sb, "%sN: %zu quer%s", any->previous ? ", " : " (", any->nnext,
                  any->nnext == 1 ? "y" : "ies");
    sb_printf(&t->sb, ")%s\n", paint(t, RESET));
    sb_printf(&t->sb, "%s%-*s  %-10s  %-10s  %-10s  %s%s\n", paint(t, BOLD), (int)wm, "migration",
              "N-1 on old", "N-1 on new", "N on old", "N on new", paint(t, RESET));
    for (size_t i = 0; i < r->nmigrations; i++) {
        const struct rs_migration_result *m = &r->migrations[i];
        const struct rs_compatibility *c = &m->compat;
        const size_t counts[4] = {c->previous_old, c->previous_new, c->next_old, c->next_new};
        const bool given[4] = {c->previous, c->previous, c->next, c->next};
        struct strbuf label;
        sb_init(&label, t->sb.arena);
        sb_add(&label, m->id);
        if (m->name && *m->name) {
            sb_addc(&label, '_');
            sb_add(&label, m->name);
        }
        sb_printf(&t->sb, "%-*.*s", (int)wm, (int)wm, label.s);
        for (int k = 0; k < 4; k++) {
            const char *cell = !given[k] ? "-"
                               : counts[k] ? arena_printf(t->sb.arena, "%zu fail%s", counts[k],
                                                          counts[k] == 1 ? "s" : "")
                                           : "ok";
            const char *color = !given[k] || !counts[k] ? "" : k == 1 ? RED : YELLOW;
            sb_printf(&t->sb, "  %s%-10s%s", paint(t, color), cell, *color ? paint(t, RESET) : "");
        }
        /* No trailing blanks on the line. */
        while (t->sb.len && t->sb.s[t->sb.len - 1] == ' ')
            t->sb.s[--t->sb.len] = '\0';
        sb_addc(&t->sb, '\n');
    }
}

static void table(struct tx *t, const struct rs_check_result *r)
{
    size_t wm = strlen("migration"), wv = strlen("breaks-previous-version");
    for (size_t i = 0; i < r->nmigrations; i++) {
        const struct rs_migration_result *m = &r->migrations[i];
        size_t l = strlen(m->id) +
                   (m->name && *m->name && strcmp(m->name, m->id) ? strlen(m->name) + 1 : 0);
        if (l > wm)
            wm = l;
    }
    if (wm > 60)
        wm = 60;
    sb_printf(&t->sb, "%s%-*s  %-*s  %-4s  %-5s  %s%s\n", paint(t, BOLD), (int)wm, "migration",
              (int)wv, "verdict", "lock", "down", "point of no return", paint(t, RESET));
    for (size_t i = 0; i < r->nmigrations; i++) {
        const struct rs_migration_result *m = &r->migrations[i];
        struct strbuf label;
        sb_init(&label, t->sb.arena);
        sb_add(&label, m->id);
        if (m->name && *m->name && strcmp(m->name, m->id)) { /* sqitch: the id is the name */
            sb_addc(&label, '_');
            sb_add(&label, m->name);
        }
        const char *down = !m->down_check.present || !m->down_check.checked ? "-"
                           : m->down_check.restores_schema ? "ok"
                                                           : "diff";
        sb_printf(&t->sb, "%-*.*s  %s%-*s%s  %-4s  %-5s  ", (int)wm, (int)wm, label.s,
                  paint(t, verdict_color(m->verdict)), (int)wv, rs_verdict_name(m->verdict),
                  paint(t, RESET), rs_lock_risk_name(m->lock_risk), down);
        if (m->ponr_path)
            sb_printf(&t->sb, "%s:%d\n", m->ponr_path, m->ponr_line);
        else
            sb_add(&t->sb, "-\n");
    }
}

/* One line per migration whose down does not restore the schema: its first differences. */
static void down_lines(struct tx *t, const struct rs_check_result *r)
{
    bool header = false;
    for (size_t i = 0; i < r->nmigrations; i++) {
        const struct rs_migration_result *m = &r->migrations[i];
        const struct rs_down_check *d = &m->down_check;
        if (!d->present || !d->checked || d->restores_schema || !d->ndifferences)
            continue;
        if (!header)
            sb_printf(&t->sb, "\n%sdown migrations that do not restore the schema:%s\n",
                      paint(t, BOLD), paint(t, RESET));
        header = true;
        bool named = m->name && *m->name && strcmp(m->name, m->id);
        sb_printf(&t->sb, "  %s%s%s: ", m->id, named ? "_" : "", named ? m->name : "");
        for (size_t k = 0; k < d->ndifferences && k < 3; k++)
            sb_printf(&t->sb, "%s%s", k ? "; " : "", d->differences[k]);
        if (d->ndifferences > 3)
            sb_printf(&t->sb, "; and %zu more", d->ndifferences - 3);
        sb_addc(&t->sb, '\n');
    }
}

/* The whole report into t: kept whole, or streamed to t->sink. */
static void document(struct tx *tp, const struct rs_check_result *r, const struct rs_report_opts *o)
{
    struct tx t = *tp;
    size_t nfind = 0, napproved = 0, nhidden = 0;
    /* Info findings (what a correct down cannot give back, hints) would drown the warnings
       on a real project: they are counted, and shown with --verbose. */
    for (size_t i = 0; i < r->nother; i++) {
        if (r->other[i].severity == RS_SEV_INFO && !o->verbose)
            nhidden++;
        else
            finding(&t, &r->other[i]);
    }
    for (size_t i = 0; i < r->nmigrations; i++) {
        const struct rs_migration_result *m = &r->migrations[i];
        for (size_t k = 0; k < m->nfindings; k++) {
            nfind++;
            napproved += m->findings[k].approved;
            nhidden += m->findings[k].severity == RS_SEV_INFO && !o->verbose;
        }
        if (m->part)
            put_part(&t, m->part, m->part_len);
        else
            findings_of(&t, m, o->verbose);
        spill(&t, RS_REPORT_PIECE);
    }
    if (r->nmigrations) {
        table(&t, r);
        down_lines(&t, r);
        compat_table(&t, r);
    }
    sb_printf(&t.sb, "\n%zu migration%s checked (%s layout, PostgreSQL %d): %zu safe, %zu "
                     "breaks-previous-version, %zu irreversible; %zu finding%s",
              r->summary.migrations, r->summary.migrations == 1 ? "" : "s", r->layout,
              r->pg_version, r->summary.safe, r->summary.breaks, r->summary.irreversible, nfind,
              nfind == 1 ? "" : "s");
    if (napproved)
        sb_printf(&t.sb, " (%zu approved)", napproved);
    if (nhidden)
        sb_printf(&t.sb, "; %zu info note%s not shown (--verbose shows them)", nhidden,
                  nhidden == 1 ? "" : "s");
    sb_add(&t.sb, "\n");
    spill(&t, 0);
    *tp = t;
}

char *rs_report_text(const struct rs_check_result *r, const struct rs_report_opts *o)
{
    struct arena a = ARENA_INIT;
    struct tx t = {.color = o->color};
    sb_init(&t.sb, &a);
    document(&t, r, o);
    char *out = strdup(t.sb.s);
    arena_free(&a);
    if (!out)
        rs_oom();
    return out;
}

int rs_report_text_write(const struct rs_check_result *r, const struct rs_report_opts *o,
                         FILE *out)
{
    struct arena a = ARENA_INIT;
    struct tx t = {.color = o->color, .sink = {out, 0}};
    sb_init(&t.sb, &a);
    document(&t, r, o);
    arena_free(&a);
    return rs_report_sink_status(&t.sink);
}
