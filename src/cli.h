/*
 * cli.h - what the subcommands of the rollsafe tool share: error printing, colour decision,
 * the parsing of the options and of the PATH argument they have in common.
 *
 * Only the command-line tool prints and exits; the library returns values.
 */
#ifndef RS_CLI_H
#define RS_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "rollsafe/diag.h"
#include "rollsafe/rollsafe.h"

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
/* Parses a whole decimal number from lo to hi into *out; returns 0, or -1 (and leaves *out as it
   was) when s is empty, has anything else in it, or is out of range. */
int cli_parse_int(const char *s, int lo, int hi, int *out);
/* Parses a --fail-on LEVEL (safe, breaks-previous-version, irreversible, never, and their short
   forms breaks and none) into *out; returns 0, or -1 (*out untouched) for anything else. */
int cli_parse_fail_on(const char *s, enum rs_fail_on *out);
/* Checks a --color WHEN: 0 for auto, always or never (what cli_use_color takes), else -1. */
int cli_parse_color(const char *s);
/* The PATH operand of a subcommand, from argv[first] on (first: the optind getopt_long left):
   *path is it, or "migrations" when there is none and ./migrations exists. Returns RS_EXIT_OK, or
   prints a usage error for cmd and returns RS_EXIT_ERROR (more than one PATH, or none and no
   ./migrations). */
int cli_path_operand(const char *cmd, int argc, char **argv, int first, const char **path);
/* Writes s to stdout; returns false (with a message) when stdout fails (closed pipe, full disk). */
bool cli_write(const char *s);
/* After writing to stdout (wrote: every write succeeded): flushes it; returns false, with a
   message, when a write or the flush failed (no message for a closed pipe). */
bool cli_written(bool wrote);

#endif
