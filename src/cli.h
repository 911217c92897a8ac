/*
 * cli.h - what the subcommands of the rollsafe tool share: error printing, colour decision.
 *
 * Only the command-line tool prints and exits; the library returns values.
 */
#ifndef RS_CLI_H
#define RS_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "rollsafe/diag.h"

/* Exit codes of every subcommand. */
enum { RS_EXIT_OK = 0, RS_EXIT_FINDINGS = 1, RS_EXIT_ERROR = 2 };

struct cli_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

int cmd_check(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_drill(int argc, char **argv);

/* Prints every error of d to stderr as `rollsafe: path:line:col: error: message` plus a hint
   line. */
void cli_print_errors(const struct rs_diag *d);
/* Prints a usage error for a subcommand and returns RS_EXIT_ERROR. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Colour on stream: a terminal, NO_COLOR unset, TERM not dumb; `mode` is auto/always/never. */
bool cli_use_color(FILE *stream, const char *mode);
/* Writes s to stdout; returns false (with a message) when stdout fails (closed pipe, full disk). */
bool cli_write(const char *s);

#endif
