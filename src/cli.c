/*
 * cli.c - printing errors and deciding on colour for the subcommands.
 */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void cli_print_errors(const struct rs_diag *d)
{
    for (size_t i = 0; i < d->n; i++) {
        const struct rs_error *e = &d->v[i];
        fputs("rollsafe: ", stderr);
        if (e->path) {
            fputs(e->path, stderr);
            if (e->line > 0)
                fprintf(stderr, ":%d:%d", e->line, e->column);
            fputs(": ", stderr);
        }
        fprintf(stderr, "error: %s\n", e->message);
        if (e->hint)
            fprintf(stderr, "  hint: %s\n", e->hint);
    }
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "rollsafe %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n  hint: rollsafe %s --help lists the options\n", cmd);
    return RS_EXIT_ERROR;
}

bool cli_use_color(FILE *stream, const char *mode)
{
    if (mode && !strcmp(mode, "always"))
        return true;
    if (mode && !strcmp(mode, "never"))
        return false;
    const char *nc = getenv("NO_COLOR");
    if (nc && *nc)
        return false;
    const char *term = getenv("TERM");
    if (term && !strcmp(term, "dumb"))
        return false;
    return isatty(fileno(stream));
}

bool cli_write(const char *s)
{
    if (fputs(s, stdout) == EOF || fflush(stdout) == EOF) {
        if (errno != EPIPE)
            fprintf(stderr, "rollsafe: cannot write the report: %s\n", strerror(errno));
        return false;
    }
    return true;
}
