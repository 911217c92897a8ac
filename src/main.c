/*
 * main.c - the rollsafe command: a table of subcommands, each in its own cmd_<name>.c.
 */
#include <malloc.h>
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

/*
 * A run allocates some tens of megabytes in arena chunks and frees most of them when each
 * migration is done. By default glibc serves the big chunks with fresh mmaps and gives freed
 * memory back to the system, so every migration faults its pages in again (a third of the time
 * of a check on a long history went to page faults). Kept: freed memory serves the next
 * migration; the process is short-lived and gives everything back at exit.
 */
static void keep_freed_memory(void)
{
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    mallopt(M_TOP_PAD, 4 << 20);
}

int main(int argc, char **argv)
{
    keep_freed_memory();
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
