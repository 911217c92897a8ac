/*
 * drill_report.c - a drill result as text (a line per step and a summary table), as JSON (the
 * machine contract of PRODUCT.md §5, built with jansson: fields are added, never renamed) and as a
 * Markdown evidence report to attach to a change request.
 *
 * Only drilled migrations are reported; the ones replayed as history are not. Renderers return a
 * malloc'ed string and never fail (allocation failure aborts).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg/drill.h"
#include "report/report.h"
#include "util/arena.h"
#include "util/strbuf.h"

static char *to_malloc(const struct strbuf *sb)
{
    char *s = strdup(sb->s);
    if (!s)
        rs_oom();
    return s;
}

static const char *label(struct arena *a, const struct rs_drill_migration *m)
{
    return m->name && *m->name ? arena_printf(a, "%s_%s", m->id, m->name) : m->id;
}

static const char *error_text(struct arena *a, const struct rs_drill_error *e)
{
    if (!e)
        return NULL;
    if (e->path && e->line)
        return arena_printf(a, "%s:%d:%d: %s", e->path, e->line, e->column, e->message);
    return e->message;
}

/* The strongest lock mode per relation: "users AccessExclusiveLock, orders ShareLock". */
static const char *lock_rank_names[] = {
    "AccessShareLock", "RowShareLock",          "RowExclusiveLock", "ShareUpdateExclusiveLock",
    "ShareLock",       "ShareRowExclusiveLock", "ExclusiveLock",    "AccessExclusiveLock",
};

static int lock_rank(const char *mode)
{
    for (int i = 0; i < 8; i++)
        if (!strcmp(mode, lock_rank_names[i]))
            return i;
    return -1;
}

/* One entry per table: its strongest lock mode, at the first statement that took that mode. */
static const char *strongest_locks(struct arena *a, const struct rs_drill_step *s, size_t max)
{
    struct strbuf sb;
    sb_init(&sb, a);
    size_t shown = 0;
    for (size_t i = 0; i < s->nlocks; i++) {
        const struct rs_drill_lock *l = &s->locks[i];
        if (strcmp(l->kind, "table") && strcmp(l->kind, "partitioned table") &&
            strcmp(l->kind, "materialized view"))
            continue;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = !strcmp(s->locks[j].relation, l->relation);
        if (seen)
            continue;
        const struct rs_drill_lock *best = l;
        for (size_t j = i + 1; j < s->nlocks; j++)
            if (!strcmp(s->locks[j].relation, l->relation) &&
                lock_rank(s->locks[j].mode) > lock_rank(best->mode))
                best = &s->locks[j];
        if (shown == max) {
            sb_add(&sb, ", ...");
            break;
        }
        sb_printf(&sb, "%s%s %s (stmt %d)", shown ? ", " : "", best->relation, best->mode,
                  best->stmt);
        shown++;
    }
    return shown ? sb.s : NULL;
}

static const char *rewrites_text(struct arena *a, const struct rs_drill_step *s)
{
    struct strbuf sb;
    sb_init(&sb, a);
    for (size_t i = 0; i < s->nrewrites; i++) {
        if (strcmp(s->rewrites[i].kind, "table") &&
            strcmp(s->rewrites[i].kind, "materialized view"))
            continue;
        sb_printf(&sb, "%s%s (stmt %d)", sb.len ? ", " : "", s->rewrites[i].relation,
                  s->rewrites[i].stmt);
    }
    return sb.len ? sb.s : NULL;
}

static const char *data_diff_line(struct arena *a, const struct rs_drill_data_diff *d)
{
    if (d->column)
        return arena_printf(a, "%s.%s: %s in %lld row(s)", d->table, d->column, d->what,
                            d->rows_changed);
    return arena_printf(a, "%s: %lld %s", d->table, d->rows_changed, d->what);
}

/* ================================================================ text */

static const char *paint(bool color, const char *code, const char *s, struct arena *a)
{
    return color ? arena_printf(a, "\033[%sm%s\033[0m", code, s) : s;
}

static const char *verdict_colored(struct arena *a, const struct rs_drill_migration *m, bool color)
{
    const char *v = rs_drill_verdict_name(m);
    const char *code = m->outcome != RS_DRILL_OBSERVED   ? "31"
                       : m->verdict == RS_VERDICT_SAFE   ? "32"
                       : m->verdict == RS_VERDICT_BREAKS ? "33"
                                                         : "31";
    return paint(color, code, v, a);
}

static void text_step(struct strbuf *sb, struct arena *a, const char *name,
                      const struct rs_drill_step *s)
{
    if (!s->ran)
        return;
    sb_printf(sb, "  %-9s %-5s %6.0f ms  %zu statement(s)", name, s->ok ? "ok" : "FAIL", s->ms,
              s->nstmts);
    const char *locks = strongest_locks(a, s, 4);
    const char *rw = rewrites_text(a, s);
    if (locks)
        sb_printf(sb, "; locks: %s", locks);
    if (rw)
        sb_printf(sb, "; rewrites: %s", rw);
    sb_addc(sb, '\n');
    if (s->error)
        sb_printf(sb, "            error: %s\n", error_text(a, s->error));
    if (s->note)
        sb_printf(sb, "            note: %s\n", s->note);
    if (!s->ok && s->committed_stmts)
        sb_printf(sb, "            %d statement(s) committed before the failure stay applied\n",
                  s->committed_stmts);
}

static void text_compare(struct strbuf *sb, struct arena *a, const char *name,
                         const struct rs_drill_compare *c, size_t max)
{
    if (!c->done)
        return;
    sb_printf(
        sb, "  %-9s %-5s schema %s, data %s", name, c->schema_same && c->data_same ? "ok" : "DIFF",
        c->schema_same ? "restored" : "NOT restored", c->data_same ? "restored" : "NOT restored");
    if (c->norder_diff)
        sb_printf(sb, " (column order differs)");
    sb_addc(sb, '\n');
    size_t shown = 0;
    for (size_t i = 0; i < c->nschema_diff && shown < max; i++, shown++)
        sb_printf(sb, "            schema: %s\n", c->schema_diff[i]);
    for (size_t i = 0; i < c->norder_diff && shown < max; i++, shown++)
        sb_printf(sb, "            order: %s\n", c->order_diff[i]);
    for (size_t i = 0; i < c->ndata_diff && shown < max; i++, shown++)
        sb_printf(sb, "            data: %s\n", data_diff_line(a, &c->data_diff[i]));
    size_t total = c->nschema_diff + c->norder_diff + c->ndata_diff;
    if (total > shown)
        sb_printf(sb, "            ... %zu more (see --format json or --report)\n", total - shown);
}

static void text_queries(struct strbuf *sb, const char *name, const struct rs_drill_queries *q)
{
    if (!q->ran)
        return;
    sb_printf(sb, "  %-9s %-5s %zu of %zu fail after up", name, q->nfailed ? "FAIL" : "ok",
              q->nfailed, q->total);
    if (q->skipped)
        sb_printf(sb, " (%zu set aside: they fail before up too)", q->skipped);
    sb_addc(sb, '\n');
    for (size_t i = 0; i < q->nfailed && i < 5; i++) {
        const struct rs_drill_query_failure *f = &q->failed[i];
        if (f->path)
            sb_printf(sb, "            %s:%d: %s: %s\n", f->path, f->line, f->query, f->error);
        else
            sb_printf(sb, "            %s: %s\n", f->query, f->error);
    }
    if (q->nfailed > 5)
        sb_printf(sb, "            ... %zu more\n", q->nfailed - 5);
}

static void text_crash(struct strbuf *sb, struct arena *a, const struct rs_drill_crash *c)
{
    if (!c->ran)
        return;
    sb_printf(sb, "  %-9s %-5s at statement %d: %s\n", "crash", c->killed ? "done" : "-", c->at,
              c->how ? c->how : "not killed");
    if (c->note)
        sb_printf(sb, "            note: %s\n", c->note);
    if (c->state) {
        sb_printf(sb, "            state left: %s", c->state);
        if (c->napplied) {
            sb_add(sb, "; applied: ");
            for (size_t i = 0; i < c->napplied; i++)
                sb_printf(sb, "%s%s", i ? ", " : "", c->applied[i]);
        }
        if (c->nrolled_back) {
            sb_add(sb, "; rolled back: ");
            for (size_t i = 0; i < c->nrolled_back; i++)
                sb_printf(sb, "%s%s", i ? ", " : "", c->rolled_back[i]);
        }
        sb_addc(sb, '\n');
        for (size_t i = 0; i < c->ninvalid_indexes; i++)
            sb_printf(sb, "            invalid index left: %s\n", c->invalid_indexes[i]);
        for (size_t i = 0; i < c->vs_before.nschema_diff && i < 8; i++)
            sb_printf(sb, "            schema: %s\n", c->vs_before.schema_diff[i]);
        for (size_t i = 0; i < c->vs_before.ndata_diff && i < 8; i++)
            sb_printf(sb, "            data: %s\n", data_diff_line(a, &c->vs_before.data_diff[i]));
        sb_printf(sb, "            state table%s: %s\n", c->dirty ? " (needs repair)" : "",
                  c->state_table);
    }
}

char *rs_drill_report_text(const struct rs_drill_result *r, bool color)
{
    struct arena a = ARENA_INIT;
    struct strbuf sb;
    sb_init(&sb, &a);
    sb_printf(&sb, "rollsafe drill %s (%s) on %s\n", r->path, r->layout, r->server);
    if (r->seed_file)
        sb_printf(&sb, "seed: %s\n", r->seed_file);
    else
        sb_printf(&sb, "seed: %d generated rows per table\n", r->rows);
    if (r->check_error)
        sb_printf(&sb, "check could not run: %s\n", r->check_error);
    for (size_t i = 0; i < r->nmigrations; i++) {
        const struct rs_drill_migration *m = &r->migrations[i];
        if (!m->selected)
            continue;
        sb_printf(&sb, "\n%s (%s%s%s)\n", label(&a, m), m->up_tx, m->down_tx ? ", down " : "",
                  m->down_tx ? m->down_tx : "");
        if (m->outcome == RS_DRILL_NOT_RUN && !m->up.ran) {
            sb_printf(&sb, "  not drilled: %s\n", m->not_run_reason ? m->not_run_reason : "-");
            continue;
        }
        if (m->seeded)
            sb_printf(&sb, "  %-9s %-5s %lld row(s) in %zu table(s)%s\n", "seed", "ok",
                      m->seed_rows, m->seed_tables,
                      m->seed_failed ? arena_printf(&a, ", %lld refused", m->seed_failed) : "");
        if (m->seed_note)
            sb_printf(&sb, "  %-9s %-5s %s\n", "seed", "note", m->seed_note);
        text_step(&sb, &a, "up", &m->up);
        if (m->after_up.done && (!m->after_up.data_same))
            for (size_t k = 0; k < m->after_up.ndata_diff && k < 8; k++)
                sb_printf(&sb, "            up changed: %s\n",
                          data_diff_line(&a, &m->after_up.data_diff[k]));
        text_queries(&sb, "probes", &m->probes);
        text_queries(&sb, "queries", &m->previous);
        for (size_t k = 0; k < m->nenum_changes; k++)
            sb_printf(&sb, "  %-9s %-5s %s\n", "enum", "note", m->enum_changes[k]);
        if (m->outcome == RS_DRILL_OBSERVED && !m->down_path)
            sb_printf(&sb, "  %-9s %-5s no down migration\n", "down", "-");
        text_step(&sb, &a, "down", &m->down);
        text_compare(&sb, &a, "compare", &m->after_down, 12);
        text_step(&sb, &a, "up again", &m->reapply);
        text_crash(&sb, &a, &m->crash);
        if (m->outcome == RS_DRILL_NOT_RUN)
            sb_printf(&sb, "  not drilled: %s\n", m->not_run_reason ? m->not_run_reason : "-");
        sb_printf(&sb, "  %-9s %s", "verdict", verdict_colored(&a, m, color));
        if (m->checked)
            sb_printf(&sb, "   check: %s (%s)", rs_verdict_name(m->check_verdict),
                      m->agrees ? "agrees" : "DIFFERS");
        sb_addc(&sb, '\n');
        for (size_t k = 0; k < m->nreasons && k < 6; k++)
            sb_printf(&sb, "            because %s\n", m->reasons[k]);
        if (m->nreasons > 6)
            sb_printf(&sb, "            ... %zu more\n", m->nreasons - 6);
        if (m->disagreement)
            sb_printf(&sb, "            %s\n", m->disagreement);
    }

    /* Summary table. */
    size_t w = 9;
    for (size_t i = 0; i < r->nmigrations; i++)
        if (r->migrations[i].selected && strlen(label(&a, &r->migrations[i])) > w)
            w = strlen(label(&a, &r->migrations[i]));
    if (w > 60)
        w = 60;
    sb_printf(&sb, "\n%-*s  %-4s  %-4s  %-6s  %-4s  %-5s  %-8s  %-23s  %s\n", (int)w, "migration",
              "up", "down", "schema", "data", "again", "rewrites", "drill", "check");
    for (size_t i = 0; i < r->nmigrations; i++) {
        const struct rs_drill_migration *m = &r->migrations[i];
        if (!m->selected)
            continue;
        const char *down = !m->down.ran ? "-" : m->down.ok ? "ok" : "FAIL";
        const char *schema = !m->after_down.done ? "-" : m->after_down.schema_same ? "yes" : "NO";
        const char *data = !m->after_down.done ? "-" : m->after_down.data_same ? "yes" : "NO";
        const char *again = !m->reapply.ran ? "-" : m->reapply.ok ? "ok" : "FAIL";
        size_t nrw = 0;
        for (size_t k = 0; k < m->up.nrewrites; k++)
            nrw += !strcmp(m->up.rewrites[k].kind, "table");
        const char *v = rs_drill_verdict_name(m);
        int pad = 23 - (int)strlen(v);
        sb_printf(&sb, "%-*.*s  %-4s  %-4s  %-6s  %-4s  %-5s  %-8s  %s%*s  %s\n", (int)w, (int)w,
                  label(&a, m),
                  !m->up.ran ? "-"
                  : m->up.ok ? "ok"
                             : "FAIL",
                  down, schema, data, again, nrw ? arena_printf(&a, "%zu", nrw) : "-",
                  verdict_colored(&a, m, color), pad > 0 ? pad : 0, "",
                  !m->checked ? "-"
                  : m->agrees
                      ? rs_verdict_name(m->check_verdict)
                      : arena_printf(&a, "%s (differs)", rs_verdict_name(m->check_verdict)));
    }
    sb_printf(&sb,
              "\n%zu migration(s) drilled in %.1f s: %zu safe, %zu breaks-previous-version, %zu "
              "irreversible, %zu up failed, %zu not run\n",
              r->summary.drilled, r->total_ms / 1000, r->summary.safe, r->summary.breaks,
              r->summary.irreversible, r->summary.up_failed, r->summary.not_run);
    if (r->summary.with_down)
        sb_printf(&sb,
                  "down restores the schema in %zu of %zu and the data in %zu of %zu; up "
                  "again works in %zu\n",
                  r->summary.schema_restored, r->summary.with_down, r->summary.data_restored,
                  r->summary.with_down, r->summary.reapply_ok);
    if (r->summary.disagree)
        sb_printf(&sb, "drill and check disagree on %zu migration(s)\n", r->summary.disagree);
    if (r->history_error)
        sb_printf(&sb, "history stopped: %s\n", r->history_error);
    if (r->interrupted)
        sb_add(&sb, "interrupted: the remaining migrations were not drilled\n");
    char *s = to_malloc(&sb);
    arena_free(&a);
    return s;
}

/* ================================================================ JSON */

static json_t *jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *jerror_detail(const struct rs_drill_error *e)
{
    if (!e)
        return json_null();
    json_t *j = json_object();
    json_object_set_new(j, "message", json_string(e->message));
    json_object_set_new(j, "sqlstate", jstr(e->sqlstate));
    json_object_set_new(j, "detail", jstr(e->detail));
    json_object_set_new(j, "hint", jstr(e->hint));
    json_object_set_new(j, "path", jstr(e->path));
    json_object_set_new(j, "line", e->line ? json_integer(e->line) : json_null());
    json_object_set_new(j, "column", e->column ? json_integer(e->column) : json_null());
    json_object_set_new(j, "statement", e->stmt ? json_integer(e->stmt) : json_null());
    return j;
}

static json_t *jlocks(const struct rs_drill_step *s)
{
    json_t *a = json_array();
    for (size_t i = 0; i < s->nlocks; i++) {
        json_t *l = json_object();
        json_object_set_new(l, "statement", json_integer(s->locks[i].stmt));
        json_object_set_new(l, "relation", json_string(s->locks[i].relation));
        json_object_set_new(l, "kind", json_string(s->locks[i].kind));
        json_object_set_new(l, "mode", json_string(s->locks[i].mode));
        json_array_append_new(a, l);
    }
    return a;
}

static json_t *jrewrites_detail(const struct rs_drill_step *s)
{
    json_t *a = json_array();
    for (size_t i = 0; i < s->nrewrites; i++) {
        json_t *w = json_object();
        json_object_set_new(w, "statement", json_integer(s->rewrites[i].stmt));
        json_object_set_new(w, "relation", json_string(s->rewrites[i].relation));
        json_object_set_new(w, "kind", json_string(s->rewrites[i].kind));
        json_array_append_new(a, w);
    }
    return a;
}

static json_t *jstatements(const struct rs_drill_step *s)
{
    json_t *a = json_array();
    for (size_t i = 0; i < s->nstmts; i++) {
        const struct rs_drill_stmt *st = &s->stmts[i];
        json_t *j = json_object();
        json_object_set_new(j, "statement", json_integer(st->index));
        json_object_set_new(j, "line", json_integer(st->line));
        json_object_set_new(j, "tag", jstr(st->tag));
        json_object_set_new(j, "sql", jstr(st->summary));
        json_object_set_new(j, "ran", json_boolean(st->ran));
        json_object_set_new(j, "ok", json_boolean(st->ok));
        json_object_set_new(j, "ms", json_real(st->ms));
        json_object_set_new(j, "autocommit", json_boolean(st->autocommit));
        json_object_set_new(j, "committed", json_boolean(st->committed));
        json_array_append_new(a, j);
    }
    return a;
}

static json_t *jstep(const struct rs_drill_step *s, bool details)
{
    json_t *j = json_object();
    json_object_set_new(j, "ok", json_boolean(s->ok));
    json_object_set_new(j, "ms", json_integer((json_int_t)(s->ms + 0.5)));
    json_object_set_new(j, "error", jstr(s->error ? s->error->message : NULL));
    json_object_set_new(j, "error_detail", jerror_detail(s->error));
    json_object_set_new(j, "committed_statements", json_integer(s->committed_stmts));
    json_object_set_new(j, "note", jstr(s->note));
    if (details) {
        json_object_set_new(j, "statements", jstatements(s));
        json_object_set_new(j, "locks", jlocks(s));
        json_object_set_new(j, "rewrites", jrewrites_detail(s));
    }
    return j;
}

static json_t *jdata_diff(const struct rs_drill_compare *c)
{
    json_t *a = json_array();
    for (size_t i = 0; i < c->ndata_diff; i++) {
        const struct rs_drill_data_diff *d = &c->data_diff[i];
        json_t *j = json_object();
        json_object_set_new(j, "table", json_string(d->table));
        json_object_set_new(j, "column", jstr(d->column));
        json_object_set_new(j, "rows_changed", json_integer(d->rows_changed));
        json_object_set_new(j, "what", json_string(d->what));
        json_array_append_new(a, j);
    }
    return a;
}

static json_t *jcompare(const struct rs_drill_compare *c)
{
    json_t *j = json_object();
    json_object_set_new(j, "schema_same", json_boolean(c->schema_same));
    json_object_set_new(j, "schema_diff", rs_json_strings(c->schema_diff, c->nschema_diff));
    json_object_set_new(j, "column_order_diff", rs_json_strings(c->order_diff, c->norder_diff));
    json_object_set_new(j, "data_same", json_boolean(c->data_same));
    json_object_set_new(j, "data_diff", jdata_diff(c));
    return j;
}

static json_t *jqueries(const struct rs_drill_queries *q)
{
    if (!q->ran)
        return json_null();
    json_t *j = json_object();
    json_object_set_new(j, "ok", json_boolean(q->nfailed == 0));
    json_t *failed = json_array();
    for (size_t i = 0; i < q->nfailed; i++) {
        json_t *f = json_object();
        json_object_set_new(f, "query", json_string(q->failed[i].query));
        json_object_set_new(f, "path", jstr(q->failed[i].path));
        json_object_set_new(f, "line",
                            q->failed[i].path ? json_integer(q->failed[i].line) : json_null());
        json_object_set_new(f, "error", json_string(q->failed[i].error));
        json_array_append_new(failed, f);
    }
    json_object_set_new(j, "failed", failed);
    json_object_set_new(j, "total", json_integer((json_int_t)q->total));
    json_object_set_new(j, "skipped", json_integer((json_int_t)q->skipped));
    json_object_set_new(j, "notes", rs_json_strings(q->notes, q->nnotes));
    return j;
}

static json_t *jcrash(const struct rs_drill_crash *c)
{
    if (!c->ran)
        return json_null();
    json_t *j = json_object();
    json_object_set_new(j, "statement", json_integer(c->at));
    json_object_set_new(j, "killed", json_boolean(c->killed));
    json_object_set_new(j, "how", jstr(c->how));
    json_object_set_new(j, "note", jstr(c->note));
    json_object_set_new(j, "state", jstr(c->state));
    json_object_set_new(j, "applied", rs_json_strings(c->applied, c->napplied));
    json_object_set_new(j, "rolled_back", rs_json_strings(c->rolled_back, c->nrolled_back));
    json_object_set_new(j, "invalid_indexes",
                        rs_json_strings(c->invalid_indexes, c->ninvalid_indexes));
    json_object_set_new(j, "schema_diff",
                        rs_json_strings(c->vs_before.schema_diff, c->vs_before.nschema_diff));
    json_object_set_new(j, "data_diff", jdata_diff(&c->vs_before));
    json_object_set_new(j, "dirty", json_boolean(c->dirty));
    json_object_set_new(j, "state_table", jstr(c->state_table));
    return j;
}

static const char *outcome_name(enum rs_drill_outcome o)
{
    return o == RS_DRILL_OBSERVED ? "observed" : o == RS_DRILL_UP_FAILED ? "up-failed" : "not-run";
}

static json_t *jmigration(const struct rs_drill_migration *m)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_string(m->id));
    json_object_set_new(j, "name", json_string(m->name ? m->name : ""));
    json_object_set_new(j, "path", jstr(m->path));
    json_object_set_new(j, "down_path", jstr(m->down_path));
    json_object_set_new(j, "tx", jstr(m->up_tx));
    json_object_set_new(j, "down_tx", jstr(m->down_tx));
    json_object_set_new(j, "outcome", json_string(outcome_name(m->outcome)));
    json_object_set_new(j, "not_run_reason", jstr(m->not_run_reason));
    json_t *seed = json_object();
    json_object_set_new(seed, "seeded", json_boolean(m->seeded));
    json_object_set_new(seed, "rows", json_integer(m->seed_rows));
    json_object_set_new(seed, "tables", json_integer((json_int_t)m->seed_tables));
    json_object_set_new(seed, "refused", json_integer(m->seed_failed));
    json_object_set_new(seed, "refusals", rs_json_strings(m->seed_refusals, m->nseed_refusals));
    json_object_set_new(seed, "note", jstr(m->seed_note));
    json_object_set_new(seed, "up_error_with_rows",
                        jstr(m->seeded_up_error ? m->seeded_up_error->message : NULL));
    json_object_set_new(j, "seed", seed);
    json_object_set_new(j, "up", m->up.ran ? jstep(&m->up, true) : json_null());
    json_object_set_new(j, "previous_queries", jqueries(&m->previous));
    json_object_set_new(j, "probes", jqueries(&m->probes));
    json_object_set_new(j, "enum_changes", rs_json_strings(m->enum_changes, m->nenum_changes));
    json_object_set_new(j, "after_up", m->after_up.done ? jcompare(&m->after_up) : json_null());
    if (m->down.ran) {
        json_t *d = jstep(&m->down, true);
        json_object_set_new(d, "schema_restored", json_boolean(m->after_down.schema_same));
        json_object_set_new(d, "schema_diff",
                            rs_json_strings(m->after_down.schema_diff, m->after_down.nschema_diff));
        json_object_set_new(d, "column_order_diff",
                            rs_json_strings(m->after_down.order_diff, m->after_down.norder_diff));
        json_object_set_new(d, "data_restored", json_boolean(m->after_down.data_same));
        json_object_set_new(d, "data_diff", jdata_diff(&m->after_down));
        json_object_set_new(j, "down", d);
    } else {
        json_object_set_new(j, "down", json_null());
    }
    json_object_set_new(j, "reapply", m->reapply.ran ? jstep(&m->reapply, false) : json_null());
    json_t *locks = json_array();
    for (size_t i = 0; i < m->up.nlocks; i++) {
        json_t *l = json_object();
        json_object_set_new(l, "statement", json_integer(m->up.locks[i].stmt));
        json_object_set_new(l, "relation", json_string(m->up.locks[i].relation));
        json_object_set_new(l, "mode", json_string(m->up.locks[i].mode));
        json_object_set_new(l, "kind", json_string(m->up.locks[i].kind));
        json_array_append_new(locks, l);
    }
    json_object_set_new(j, "locks", locks);
    json_t *rw = json_array();
    for (size_t i = 0; i < m->up.nrewrites; i++) {
        const struct rs_drill_rewrite *w = &m->up.rewrites[i];
        if (strcmp(w->kind, "table") && strcmp(w->kind, "materialized view"))
            continue;
        bool dup = false;
        for (size_t k = 0; k < json_array_size(rw); k++)
            dup = dup || !strcmp(json_string_value(json_array_get(rw, k)), w->relation);
        if (!dup)
            json_array_append_new(rw, json_string(w->relation));
    }
    json_object_set_new(j, "rewrites", rw);
    json_object_set_new(j, "verdict",
                        m->outcome == RS_DRILL_OBSERVED ? json_string(rs_verdict_name(m->verdict))
                                                        : json_null());
    json_object_set_new(j, "reasons", rs_json_strings(m->reasons, m->nreasons));
    if (m->checked) {
        json_t *c = json_object();
        json_object_set_new(c, "verdict", json_string(rs_verdict_name(m->check_verdict)));
        json_object_set_new(c, "rules", rs_json_strings(m->check_rules, m->ncheck_rules));
        json_object_set_new(c, "agrees", json_boolean(m->agrees));
        json_object_set_new(c, "disagreement", jstr(m->disagreement));
        json_object_set_new(j, "check", c);
    } else {
        json_object_set_new(j, "check", json_null());
    }
    json_object_set_new(j, "crash", jcrash(&m->crash));
    json_object_set_new(j, "ms", json_integer((json_int_t)(m->ms + 0.5)));
    return j;
}

char *rs_drill_report_json(const struct rs_drill_result *r)
{
    json_t *root = json_object();
    json_object_set_new(root, "tool", json_string("rollsafe"));
    json_object_set_new(root, "version", json_string(r->tool_version));
    json_object_set_new(root, "server_version", jstr(r->server_version));
    json_object_set_new(root, "server", jstr(r->server));
    json_object_set_new(root, "embedded", json_boolean(r->embedded));
    json_object_set_new(root, "path", jstr(r->path));
    json_object_set_new(root, "layout", jstr(r->layout));
    json_object_set_new(root, "rows", json_integer(r->rows));
    json_object_set_new(root, "seed_file", jstr(r->seed_file));
    json_object_set_new(root, "previous_queries_path", jstr(r->previous_queries));
    json_object_set_new(root, "crash_at", r->crash_at ? json_integer(r->crash_at) : json_null());
    json_object_set_new(root, "started_at", jstr(r->started_at));
    json_object_set_new(root, "ms", json_integer((json_int_t)(r->total_ms + 0.5)));
    json_object_set_new(root, "interrupted", json_boolean(r->interrupted));
    json_object_set_new(root, "history_error", jstr(r->history_error));
    json_object_set_new(root, "check_error", jstr(r->check_error));
    json_t *ms = json_array();
    for (size_t i = 0; i < r->nmigrations; i++)
        if (r->migrations[i].selected)
            json_array_append_new(ms, jmigration(&r->migrations[i]));
    json_object_set_new(root, "migrations", ms);
    json_t *s = json_object();
    json_object_set_new(s, "drilled", json_integer((json_int_t)r->summary.drilled));
    json_object_set_new(s, "safe", json_integer((json_int_t)r->summary.safe));
    json_object_set_new(s, "breaks_previous_version", json_integer((json_int_t)r->summary.breaks));
    json_object_set_new(s, "irreversible", json_integer((json_int_t)r->summary.irreversible));
    json_object_set_new(s, "up_failed", json_integer((json_int_t)r->summary.up_failed));
    json_object_set_new(s, "not_run", json_integer((json_int_t)r->summary.not_run));
    json_object_set_new(s, "with_down", json_integer((json_int_t)r->summary.with_down));
    json_object_set_new(s, "schema_restored", json_integer((json_int_t)r->summary.schema_restored));
    json_object_set_new(s, "data_restored", json_integer((json_int_t)r->summary.data_restored));
    json_object_set_new(s, "reapply_ok", json_integer((json_int_t)r->summary.reapply_ok));
    json_object_set_new(s, "disagree_with_check", json_integer((json_int_t)r->summary.disagree));
    json_object_set_new(root, "summary", s);
    return rs_json_dump(root);
}

/* ================================================================ Markdown */

/* Text for a table cell: pipes escaped, newlines flattened. */
static const char *cell(struct arena *a, const char *s)
{
    if (!s)
        return "";
    struct strbuf sb;
    sb_init(&sb, a);
    for (const char *p = s; *p; p++) {
        if (*p == '|')
            sb_add(&sb, "\\|");
        else if (*p == '\n')
            sb_addc(&sb, ' ');
        else
            sb_addc(&sb, *p);
    }
    return sb.s;
}

/* Inline code that survives backticks inside. */
static const char *code(struct arena *a, const char *s)
{
    if (!s)
        return "";
    return strchr(s, '`') ? arena_printf(a, "`` %s ``", cell(a, s))
                          : arena_printf(a, "`%s`", cell(a, s));
}

static const char *yes_no(bool done, bool v)
{
    return !done ? "–" : v ? "yes" : "**no**";
}

static void md_step_table(struct strbuf *sb, struct arena *a, const struct rs_drill_step *s)
{
    sb_add(sb, "| # | line | statement | ms | locks on existing relations | rewrites |\n"
               "|---:|---:|---|---:|---|---|\n");
    for (size_t i = 0; i < s->nstmts; i++) {
        const struct rs_drill_stmt *st = &s->stmts[i];
        struct strbuf locks, rw;
        sb_init(&locks, a);
        sb_init(&rw, a);
        for (size_t k = 0; k < s->nlocks; k++)
            if (s->locks[k].stmt == st->index)
                sb_printf(&locks, "%s%s %s", locks.len ? "<br>" : "", cell(a, s->locks[k].relation),
                          s->locks[k].mode);
        for (size_t k = 0; k < s->nrewrites; k++)
            if (s->rewrites[k].stmt == st->index)
                sb_printf(&rw, "%s%s (%s)", rw.len ? ", " : "", cell(a, s->rewrites[k].relation),
                          s->rewrites[k].kind);
        sb_printf(sb, "| %d | %d | %s%s | %s | %s | %s |\n", st->index, st->line,
                  code(a, st->summary),
                  !st->ran         ? " (not run)"
                  : !st->ok        ? " **failed**"
                  : st->autocommit ? " (autocommit)"
                                   : "",
                  st->ran ? arena_printf(a, "%.1f", st->ms) : "", locks.s, rw.s);
    }
    sb_addc(sb, '\n');
}

static void md_compare(struct strbuf *sb, struct arena *a, const struct rs_drill_compare *c,
                       const char *what)
{
    if (c->nschema_diff) {
        sb_printf(sb, "Schema differences %s:\n\n", what);
        for (size_t i = 0; i < c->nschema_diff; i++)
            sb_printf(sb, "- %s\n", code(a, c->schema_diff[i]));
        sb_addc(sb, '\n');
    }
    if (c->norder_diff) {
        sb_printf(sb, "Column order %s (harmless to SQL that names its columns):\n\n", what);
        for (size_t i = 0; i < c->norder_diff; i++)
            sb_printf(sb, "- %s\n", code(a, c->order_diff[i]));
        sb_addc(sb, '\n');
    }
    if (c->ndata_diff) {
        sb_printf(sb,
                  "Data differences %s:\n\n| table | column | rows | what |\n|---|---|---:|---|\n",
                  what);
        for (size_t i = 0; i < c->ndata_diff; i++) {
            const struct rs_drill_data_diff *d = &c->data_diff[i];
            sb_printf(sb, "| %s | %s | %lld | %s |\n", cell(a, d->table),
                      d->column ? cell(a, d->column) : "(rows)", d->rows_changed, d->what);
        }
        sb_addc(sb, '\n');
    }
}

static void md_queries(struct strbuf *sb, struct arena *a, const char *title,
                       const struct rs_drill_queries *q)
{
    if (!q->ran)
        return;
    sb_printf(sb, "%s: %zu run after up, %zu fail", title, q->total, q->nfailed);
    if (q->skipped)
        sb_printf(sb, " (%zu set aside: they fail before up too)", q->skipped);
    sb_add(sb, q->nfailed ? ":\n\n" : ".\n\n");
    for (size_t i = 0; i < q->nfailed; i++) {
        const struct rs_drill_query_failure *f = &q->failed[i];
        if (f->path)
            sb_printf(sb, "- %s:%d %s: %s\n", cell(a, f->path), f->line, code(a, f->query),
                      cell(a, f->error));
        else
            sb_printf(sb, "- %s: %s\n", code(a, f->query), cell(a, f->error));
    }
    if (q->nfailed)
        sb_addc(sb, '\n');
}

char *rs_drill_report_markdown(const struct rs_drill_result *r)
{
    struct arena a = ARENA_INIT;
    struct strbuf sb;
    sb_init(&sb, &a);
    sb_add(&sb, "# Migration drill: evidence report\n\n");
    sb_add(&sb, "| | |\n|---|---|\n");
    sb_printf(&sb, "| Migrations | %s (layout %s) |\n", code(&a, r->path), r->layout);
    sb_printf(&sb, "| Server | PostgreSQL %s: %s |\n", r->server_version ? r->server_version : "?",
              cell(&a, r->server));
    sb_printf(&sb, "| Run | %s, rollsafe %s, %.1f s |\n", r->started_at, r->tool_version,
              r->total_ms / 1000);
    if (r->seed_file)
        sb_printf(&sb, "| Data | %s |\n", code(&a, r->seed_file));
    else
        sb_printf(&sb,
                  "| Data | %d generated rows per table (types, NOT NULL, UNIQUE, foreign keys "
                  "respected; values next to type limits, mixed case, trailing spaces, 4 "
                  "decimal places) |\n",
                  r->rows);
    sb_printf(&sb, "| Previous-version queries | %s |\n",
              r->previous_queries ? code(&a, r->previous_queries)
                                  : "none given: generated reads and writes of the columns each "
                                    "table had before the migration");
    if (r->crash_at)
        sb_printf(&sb, "| Crash drill | killed at statement %d of each up |\n", r->crash_at);
    sb_add(&sb, "\nEach migration ran on a fresh copy of the database with every earlier migration "
                "applied: seed, snapshot of catalog and data, up (locks and rewrites traced per "
                "statement), previous-version queries, down, comparison with the snapshot, up "
                "again.\n\n");

    sb_add(&sb,
           "## Summary\n\n| migration | drill | check | up | down | schema restored | data "
           "restored | up again | rewrites | ms |\n|---|---|---|---|---|---|---|---|---|---:|\n");
    for (size_t i = 0; i < r->nmigrations; i++) {
        const struct rs_drill_migration *m = &r->migrations[i];
        if (!m->selected)
            continue;
        size_t nrw = 0;
        for (size_t k = 0; k < m->up.nrewrites; k++)
            nrw += !strcmp(m->up.rewrites[k].kind, "table");
        sb_printf(&sb, "| %s | **%s** | %s | %s | %s | %s | %s | %s | %s | %.0f |\n",
                  code(&a, label(&a, m)), rs_drill_verdict_name(m),
                  !m->checked ? "–"
                  : m->agrees
                      ? rs_verdict_name(m->check_verdict)
                      : arena_printf(&a, "%s (**differs**)", rs_verdict_name(m->check_verdict)),
                  !m->up.ran ? "–"
                  : m->up.ok ? "ok"
                             : "**failed**",
                  !m->down.ran ? "–"
                  : m->down.ok ? "ok"
                               : "**failed**",
                  yes_no(m->after_down.done, m->after_down.schema_same),
                  yes_no(m->after_down.done, m->after_down.data_same),
                  !m->reapply.ran ? "–"
                  : m->reapply.ok ? "ok"
                                  : "**failed**",
                  nrw ? arena_printf(&a, "%zu", nrw) : "–", m->ms);
    }
    sb_printf(&sb,
              "\n%zu drilled: %zu safe, %zu breaks-previous-version, %zu irreversible, %zu up "
              "failed, %zu not run.",
              r->summary.drilled, r->summary.safe, r->summary.breaks, r->summary.irreversible,
              r->summary.up_failed, r->summary.not_run);
    if (r->summary.with_down)
        sb_printf(&sb, " Down restores the schema in %zu of %zu and the data in %zu of %zu.",
                  r->summary.schema_restored, r->summary.with_down, r->summary.data_restored,
                  r->summary.with_down);
    if (r->summary.disagree)
        sb_printf(&sb, " Drill and check disagree on %zu.", r->summary.disagree);
    sb_add(&sb, "\n");
    if (r->history_error)
        sb_printf(&sb, "\nThe history stopped: %s\n", cell(&a, r->history_error));

    for (size_t i = 0; i < r->nmigrations; i++) {
        const struct rs_drill_migration *m = &r->migrations[i];
        if (!m->selected)
            continue;
        sb_printf(&sb, "\n## %s\n\n", cell(&a, label(&a, m)));
        sb_printf(&sb, "Up: %s (%s)", code(&a, m->path), m->up_tx);
        if (m->down_path)
            sb_printf(&sb, "; down: %s (%s)", code(&a, m->down_path), m->down_tx);
        sb_add(&sb, ".\n\n");
        sb_printf(&sb, "**Observed verdict: %s**", rs_drill_verdict_name(m));
        if (m->checked)
            sb_printf(&sb, "; check predicts %s%s", rs_verdict_name(m->check_verdict),
                      m->agrees ? " (agrees)" : " (**differs**)");
        sb_add(&sb, ".\n\n");
        if (m->disagreement)
            sb_printf(&sb, "> %s\n\n", cell(&a, m->disagreement));
        for (size_t k = 0; k < m->nreasons; k++)
            sb_printf(&sb, "- %s\n", cell(&a, m->reasons[k]));
        if (m->nreasons)
            sb_addc(&sb, '\n');
        if (m->not_run_reason)
            sb_printf(&sb, "Not drilled: %s\n\n", cell(&a, m->not_run_reason));
        if (m->seeded)
            sb_printf(&sb, "Seed: %lld row(s) in %zu table(s)%s.\n\n", m->seed_rows, m->seed_tables,
                      m->seed_failed
                          ? arena_printf(&a, ", %lld refused by the database", m->seed_failed)
                          : "");
        if (m->seed_note)
            sb_printf(&sb, "Seed: %s.\n\n", cell(&a, m->seed_note));
        if (m->up.ran) {
            sb_printf(&sb, "### Up: %s, %.0f ms\n\n", m->up.ok ? "ok" : "**failed**", m->up.ms);
            if (m->up.error)
                sb_printf(&sb, "Error: %s\n\n", code(&a, error_text(&a, m->up.error)));
            md_step_table(&sb, &a, &m->up);
            if (m->after_up.done)
                md_compare(&sb, &a, &m->after_up, "after up (against before)");
        }
        md_queries(&sb, &a, "Generated N-1 reads and writes", &m->probes);
        md_queries(&sb, &a, "Previous-version queries", &m->previous);
        for (size_t k = 0; k < m->nenum_changes; k++)
            sb_printf(&sb, "- N-1 cannot read a new enum value: %s\n",
                      code(&a, m->enum_changes[k]));
        if (m->down.ran) {
            sb_printf(&sb, "### Down: %s, %.0f ms\n\n", m->down.ok ? "ok" : "**failed**",
                      m->down.ms);
            if (m->down.error)
                sb_printf(&sb, "Error: %s\n\n", code(&a, error_text(&a, m->down.error)));
            md_step_table(&sb, &a, &m->down);
            sb_printf(&sb, "Schema restored: %s. Data restored: %s.\n\n",
                      yes_no(true, m->after_down.schema_same),
                      yes_no(true, m->after_down.data_same));
            md_compare(&sb, &a, &m->after_down, "after down (against before up)");
        } else if (m->outcome == RS_DRILL_OBSERVED) {
            sb_add(&sb, "No down migration.\n\n");
        }
        if (m->reapply.ran)
            sb_printf(&sb, "Up again after down: %s (%.0f ms)%s%s\n\n",
                      m->reapply.ok ? "ok" : "**failed**", m->reapply.ms,
                      m->reapply.error ? ": " : "",
                      m->reapply.error ? code(&a, error_text(&a, m->reapply.error)) : "");
        const struct rs_drill_crash *c = &m->crash;
        if (c->ran) {
            sb_printf(&sb, "### Crash at statement %d\n\n", c->at);
            if (c->how)
                sb_printf(&sb, "%s.\n\n", cell(&a, c->how));
            if (c->note)
                sb_printf(&sb, "Note: %s.\n\n", cell(&a, c->note));
            if (c->state) {
                sb_printf(&sb, "State left: **%s**.\n\n", c->state);
                for (size_t k = 0; k < c->napplied; k++)
                    sb_printf(&sb, "- applied: statement %s\n", cell(&a, c->applied[k]));
                for (size_t k = 0; k < c->nrolled_back; k++)
                    sb_printf(&sb, "- rolled back: statement %s\n", cell(&a, c->rolled_back[k]));
                for (size_t k = 0; k < c->ninvalid_indexes; k++)
                    sb_printf(&sb, "- invalid index left: %s\n", code(&a, c->invalid_indexes[k]));
                sb_addc(&sb, '\n');
                md_compare(&sb, &a, &c->vs_before, "after the crash (against before up)");
                sb_printf(&sb, "Migration tool state%s: %s.\n",
                          c->dirty ? " (**needs repair**)" : "", cell(&a, c->state_table));
            }
        }
    }
    char *s = to_malloc(&sb);
    arena_free(&a);
    return s;
}
