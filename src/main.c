/*
 * main.c - the rollsafe command: a table of subcommands, each in its own cmd_<name>.c.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "rollsafe/rollsafe.h"

static const struct cli_command commands[] = {
    {"check", cmd_check, "static analysis: a rollback verdict for every migration"},
    {"drill", cmd_drill, "prove it on a real PostgreSQL: up, previous queries, down, compare, up"},
    {"explain", cmd_explain, "what a rule catches, why, and the safe alternative"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: rollsafe <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nrollsafe <command> --help shows the options of a command.\n"
               "exit codes: 0 nothing unapproved at or above --fail-on, 1 there is, 2 usage, I/O "
               "or configuration error\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return RS_EXIT_ERROR;
    }
    const char *name = argv[1];
    if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
        usage(stdout);
        return RS_EXIT_OK;
    }
    if (!strcmp(name, "--version") || !strcmp(name, "version")) {
        printf("rollsafe %s\n", ROLLSAFE_VERSION);
        return RS_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(name, commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "rollsafe: unknown command '%s'\n\n", name);
    usage(stderr);
    return RS_EXIT_ERROR;
}
