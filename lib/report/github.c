/*
 * github.c - GitHub Actions workflow commands: one ::error / ::warning / ::notice line per
 * finding, which the Actions runner turns into annotations on the pull request.
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "util/strbuf.h"

/* Workflow command values escape %, CR and LF (and , : in properties). */
static void escaped(struct strbuf *sb, const char *s, bool property)
{
    for (; *s; s++) {
        if (*s == '%')
            sb_add(sb, "%25");
        else if (*s == '\r')
            sb_add(sb, "%0D");
        else if (*s == '\n')
            sb_add(sb, "%0A");
        else if (property && *s == ':')
            sb_add(sb, "%3A");
        else if (property && *s == ',')
            sb_add(sb, "%2C");
        else
            sb_addc(sb, *s);
    }
}

static void line(struct strbuf *sb, const struct rs_finding *f)
{
    const char *cmd = f->approved ? "notice"
                      : f->severity == RS_SEV_ERROR ? "error"
                      : f->severity == RS_SEV_WARNING ? "warning"
                                                      : "notice";
    sb_printf(sb, "::%s ", cmd);
    if (f->path) {
        sb_add(sb, "file=");
        escaped(sb, f->path, true);
        if (f->line > 0)
            sb_printf(sb, ",line=%d,col=%d", f->line, f->column);
        sb_addc(sb, ',');
    }
    sb_add(sb, "title=rollsafe ");
    escaped(sb, f->rule, true);
    sb_add(sb, "::");
    escaped(sb, f->message, false);
    if (f->help) {
        sb_add(sb, "\nhelp: ");
        escaped(sb, f->help, false);
    }
    if (f->approved) {
        sb_add(sb, "\napproved: ");
        escaped(sb, f->approval_reason, false);
    }
    sb_addc(sb, '\n');
}

char *rs_report_github(const struct rs_check_result *r, const struct rs_report_opts *o)
{
    (void)o;
    struct arena a = ARENA_INIT;
    struct strbuf sb;
    sb_init(&sb, &a);
    for (size_t i = 0; i < r->nother; i++)
        line(&sb, &r->other[i]);
    for (size_t i = 0; i < r->nmigrations; i++)
        for (size_t k = 0; k < r->migrations[i].nfindings; k++)
            line(&sb, &r->migrations[i].findings[k]);
    char *out = strdup(sb.s);
    arena_free(&a);
    if (!out)
        rs_oom();
    return out;
}
