/*
 * markdown.c - a pull-request comment: the verdict table, the findings with their safe
 * alternative, and a runbook of what must happen around the deploy of each migration that is
 * not safe to roll back.
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "util/strbuf.h"

static const char *icon(enum rs_verdict v)
{
    return v == RS_VERDICT_SAFE ? "✅" : v == RS_VERDICT_BREAKS ? "⚠️" : "⛔";
}

/* Table cells: no pipes or newlines. */
static void cell(struct strbuf *sb, const char *s)
{
    for (; s && *s; s++)
        sb_add(sb, *s == '|' ? "\\|" : *s == '\n' ? " " : (char[]){*s, 0});
}

char *rs_report_markdown(const struct rs_check_result *r, const struct rs_report_opts *o)
{
    (void)o;
    struct arena a = ARENA_INIT;
    struct strbuf sb;
    sb_init(&sb, &a);
    sb_printf(&sb, "### rollsafe: %zu migration%s — %zu safe, %zu breaks the previous version, "
                   "%zu irreversible\n\n",
              r->summary.migrations, r->summary.migrations == 1 ? "" : "s", r->summary.safe,
              r->summary.breaks, r->summary.irreversible);
    sb_add(&sb, "| migration | verdict | lock risk | down | point of no return |\n"
                "|---|---|---|---|---|\n");
    for (size_t i = 0; i < r->nmigrations; i++) {
        const struct rs_migration_result *m = &r->migrations[i];
        sb_add(&sb, "| `");
        cell(&sb, m->id);
        if (m->name && *m->name) {
            sb_addc(&sb, '_');
            cell(&sb, m->name);
        }
        sb_printf(&sb, "` | %s %s | %s | %s | ", icon(m->verdict), rs_verdict_name(m->verdict),
                  rs_lock_risk_name(m->lock_risk),
                  !m->down_check.checked          ? "—"
                  : m->down_check.restores_schema ? "restores schema"
                                                  : "does not restore");
        if (m->ponr_path)
            sb_printf(&sb, "`%s:%d`", m->ponr_path, m->ponr_line);
        else
            sb_add(&sb, "—");
        sb_add(&sb, " |\n");
    }
    bool any = false;
    for (size_t i = 0; i < r->nmigrations; i++) {
        const struct rs_migration_result *m = &r->migrations[i];
        if (!m->nfindings)
            continue;
        if (!any)
            sb_add(&sb, "\n#### Findings\n");
        any = true;
        sb_printf(&sb, "\n**%s%s%s** (%s)\n\n", m->id, m->name && *m->name ? "_" : "",
                  m->name ? m->name : "", rs_verdict_name(m->verdict));
        for (size_t k = 0; k < m->nfindings; k++) {
            const struct rs_finding *f = &m->findings[k];
            sb_printf(&sb, "- `%s:%d` **%s**%s: %s\n", f->path ? f->path : "", f->line, f->rule,
                      f->approved ? " (approved)" : "", f->message);
            if (f->approved)
                sb_printf(&sb, "  - approved: %s\n", f->approval_reason);
            if (f->help)
                sb_printf(&sb, "  - help: %s\n", f->help);
        }
    }
    bool runbook = false;
    for (size_t i = 0; i < r->nmigrations; i++) {
        const struct rs_migration_result *m = &r->migrations[i];
        if (m->verdict == RS_VERDICT_SAFE && m->lock_risk != RS_LOCK_HIGH)
            continue;
        if (!runbook)
            sb_add(&sb, "\n#### Runbook\n\n");
        runbook = true;
        sb_printf(&sb, "- `%s`: ", m->id);
        if (m->verdict == RS_VERDICT_IRREVERSIBLE)
            sb_add(&sb, "take a backup of what it destroys before deploying; after it runs, a "
                        "rollback means restoring data, not running the down migration. ");
        else if (m->verdict == RS_VERDICT_BREAKS)
            sb_add(&sb, "deploy the application version that no longer needs the old schema "
                        "first, and do not roll the application back past it afterwards. ");
        if (m->lock_risk == RS_LOCK_HIGH)
            sb_add(&sb, "Takes heavy locks: run it at a quiet time with `SET lock_timeout` and a "
                        "retry.");
        sb_addc(&sb, '\n');
    }
    char *out = strdup(sb.s);
    arena_free(&a);
    if (!out)
        rs_oom();
    return out;
}
