/*
 * report.c - format names and dispatch to the renderer of each format.
 */
#include "report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rule.h"

int rs_format_parse(const char *s, enum rs_format *out)
{
    static const struct {
        const char *name;
        enum rs_format f;
    } names[] = {{"text", RS_FORMAT_TEXT},
                 {"json", RS_FORMAT_JSON},
                 {"sarif", RS_FORMAT_SARIF},
                 {"github", RS_FORMAT_GITHUB},
                 {"markdown", RS_FORMAT_MARKDOWN}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (!strcmp(s, names[i].name)) {
            *out = names[i].f;
            return 0;
        }
    }
    return -1;
}

char *rs_report_render(const struct rs_check_result *r, enum rs_format f,
                       const struct rs_report_opts *o)
{
    switch (f) {
    case RS_FORMAT_JSON:
        return rs_report_json(r, o);
    case RS_FORMAT_SARIF:
        return rs_report_sarif(r, o);
    case RS_FORMAT_GITHUB:
        return rs_report_github(r, o);
    case RS_FORMAT_MARKDOWN:
        return rs_report_markdown(r, o);
    default:
        return rs_report_text(r, o);
    }
}

void rs_report_sink_write(struct rs_report_sink *k, const char *s, size_t n)
{
    if (!k->err && fwrite(s, 1, n, k->out) != n)
        k->err = errno ? errno : EIO;
}

int rs_report_sink_status(const struct rs_report_sink *k)
{
    if (!k->err)
        return 0;
    errno = k->err;
    return -1;
}

int rs_report_write(const struct rs_check_result *r, enum rs_format f,
                    const struct rs_report_opts *o, FILE *out)
{
    if (f == RS_FORMAT_JSON)
        return rs_report_json_write(r, o, out);
    if (f == RS_FORMAT_TEXT)
        return rs_report_text_write(r, o, out);
    struct rs_report_sink k = {out, 0};
    char *s = rs_report_render(r, f, o);
    rs_report_sink_write(&k, s, strlen(s));
    free(s);
    return rs_report_sink_status(&k);
}

const char *rs_report_migration_part(struct arena *a, const struct rs_migration_result *m,
                                     enum rs_format f, const struct rs_report_opts *o,
                                     size_t *len)
{
    switch (f) {
    case RS_FORMAT_JSON:
        return rs_report_json_part(a, m, len);
    case RS_FORMAT_TEXT:
        return rs_report_text_part(a, m, o, len);
    default:
        *len = 0;
        return NULL;
    }
}

const char *rs_report_migration_label(const struct rs_migration_result *m)
{
    return m->path ? m->path : m->id;
}
