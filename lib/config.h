/*
 * config.h - the project's configuration file (.rollsafe.yml): the settings of `rollsafe check`
 * that a team wants to keep with its migrations.
 *
 * The file is YAML, read with libyaml. Every key is optional:
 *
 *     pg-version: 15                 # 11 to 18
 *     layout: goose                  # a layout name (rollsafe check --help lists them)
 *     fail-on: breaks-previous-version   # safe, breaks-previous-version, irreversible, never
 *     assume-in-transaction: true    # plain files: the runner wraps each file in a transaction
 *     exclude: ["*_seed.sql", "archive"]   # fnmatch patterns, relative to PATH
 *     only: [breaks-previous-version, irreversible]   # run just these rules or classes
 *     enable: [lock-timeout, prefer-bigint]           # rules or classes (all, irreversible,
 *     disable: [fk-without-index]                     #   breaks-previous-version, lock, hygiene)
 *     severity:
 *       index-not-concurrent: error  # info, warning or error
 *
 * Rule settings apply from the general to the particular: `only` (every other rule off; the
 * opt-in rules of a class it names stay off unless named), then enable / disable of classes
 * (a class enabled turns on its opt-in rules too), then of single rules (disable after enable
 * at each level), then severities. The
 * command line's --only / --enable / --disable / --severity come after the file and win, as do
 * its other options.
 *
 * This module reads and checks the file; it never prints and never exits. An unknown key, a
 * value of the wrong kind or an unknown rule is an error naming the file, line, column and key.
 */
#ifndef RS_CONFIG_H
#define RS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "rollsafe/rollsafe.h"

struct arena;

/* The file names looked for, in order. */
#define RS_CONFIG_NAMES                                                                            \
    {                                                                                              \
        ".rollsafe.yml", ".rollsafe.yaml"                                                          \
    }

struct rs_config {
    const char *path;          /* the file read, NULL when none */
    int pg_version;            /* 0: not set */
    const char *layout;        /* NULL: not set */
    int fail_on;               /* an enum rs_fail_on, or -1: not set */
    int assume_in_transaction; /* 1 / 0, or -1: not set */
    const char **exclude;      /* path patterns, relative to the migrations directory */
    size_t nexclude;
    struct rs_rule_setting *settings; /* in the order they apply */
    size_t nsettings;
};

void rs_config_init(struct rs_config *c);

/*
 * Finds the configuration file for the migrations at path (a directory, or a file whose
 * directory is used): the first of RS_CONFIG_NAMES found walking up from there, stopping after
 * the directory that holds .git (the repository's root) or at /. Returns the file's path,
 * allocated in a, or NULL when there is none. Never fails.
 */
const char *rs_config_find(struct arena *a, const char *path);

/*
 * Reads and checks file into c (strings allocated in a). Returns 0, or -1 with at least one
 * error in diag: the file cannot be read, is not YAML, or holds an unknown key, a value of the
 * wrong kind, or an unknown rule, class, layout or level. Each error names the file, the line
 * and column, and the key.
 */
int rs_config_load(struct arena *a, const char *file, struct rs_config *c, struct rs_diag *diag);

/*
 * The rule settings that make only the named rules and classes run: every other rule off, and
 * the rules named one by one on (an opt-in rule of a class named stays off unless named).
 * Returns how many, in *out (allocated in a). Names must be known rules or classes.
 */
size_t rs_config_only(struct arena *a, const char *const *names, size_t n,
                      struct rs_rule_setting **out);

/* Parses a --fail-on / fail-on value; -1 when unknown. */
int rs_fail_on_parse(const char *s);
/* Parses a severity level: info, warning or error; -1 when unknown. */
int rs_severity_parse(const char *s);

#endif
