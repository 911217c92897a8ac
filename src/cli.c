/*
 * cli.c - printing errors, deciding on colour, and parsing the options and operands that the
 * subcommands share. What is one subcommand's own stays in its cmd_<name>.c.
 */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

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

bool cli_written(bool wrote)
{
    if (!wrote || fflush(stdout) == EOF || ferror(stdout)) {
        if (errno != EPIPE)
            fprintf(stderr, "rollsafe: cannot write the report: %s\n", strerror(errno));
        return false;
    }
    return true;
}

bool cli_write(const char *s)
{
    return cli_written(fputs(s, stdout) != EOF);
}

int cli_parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

int cli_parse_fail_on(const char *s, enum rs_fail_on *out)
{
    int v = rs_fail_on_parse(s);
    if (v < 0)
        return -1;
    *out = (enum rs_fail_on)v;
    return 0;
}

int cli_parse_color(const char *s)
{
    return strcmp(s, "auto") && strcmp(s, "always") && strcmp(s, "never") ? -1 : 0;
}

int cli_path_operand(const char *cmd, int argc, char **argv, int first, const char **path)
{
    if (first < argc - 1)
        return cli_usage_error(cmd, "one PATH only (got '%s' and '%s')", argv[first],
                               argv[first + 1]);
    if (first == argc) {
        struct stat st;
        if (stat("migrations", &st) != 0)
            return cli_usage_error(cmd, "no PATH given and there is no ./migrations directory");
        *path = "migrations";
    } else {
        *path = argv[first];
    }
    return RS_EXIT_OK;
}
