/*
 * cmd_drill.c - `rollsafe drill [PATH]`: options, signals, the progress line, the reports, the
 * exit code. The drill itself is lib/pg/drill.c.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "pg/drill.h"
#include "pg/server.h"
#include "util/arena.h"

static const char usage_text[] =
    "usage: rollsafe drill [options] [PATH]\n"
    "\n"
    "Runs the migrations under PATH (a migrations directory or one .sql file; default:\n"
    "./migrations) on a real PostgreSQL: for each one, on a copy of the database with every\n"
    "earlier migration applied, it seeds rows, applies up while tracing locks and rewrites,\n"
    "runs the previous version's queries, applies down, compares schema and data with the state\n"
    "before up, and applies up again. The observed verdict is shown next to check's.\n"
    "\n"
    "Without --database it starts a disposable PostgreSQL of its own (Unix socket only) and\n"
    "removes it at the end, also on error or Ctrl-C.\n"
    "\n"
    "options:\n"
    "  --layout NAME            plain, golang-migrate, goose, dbmate, prisma, flyway, sqitch,\n"
    "                           diesel, drizzle, atlas, liquibase (default: detected)\n"
    "  --since ID               drill migrations from ID on (earlier ones are only replayed)\n"
    "  --last N                 drill only the last N migrations\n"
    "  --until ID               stop after ID (later migrations are not replayed or drilled)\n"
    "  --database URL           create scratch databases on this server instead (libpq\n"
    "                           connection string or URL; the role needs CREATEDB); the drill\n"
    "                           never runs in a database it did not create\n"
    "  --pg-bin DIR             directory with initdb and postgres for the embedded server\n"
    "  --tmp-dir DIR            where the embedded server lives (default: /dev/shm when it has\n"
    "                           room, else $TMPDIR or /tmp)\n"
    "  --rows N                 generated rows per table (default 20)\n"
    "  --seed FILE              run this SQL to fill the tables instead of generating rows\n"
    "  --previous-queries PATH  the previous application version's SQL (.sql files or a file)\n"
    "  --crash-at N             also kill each up at statement N and report the state left\n"
    "  --statement-timeout S    seconds a migration statement may run (default 300)\n"
    "  --format FORMAT          text (default) or json\n"
    "  --report FILE            also write a Markdown evidence report to FILE\n"
    "  --fail-on LEVEL          safe, breaks-previous-version (default), irreversible, never\n"
    "  --no-check               do not run check for the comparison\n"
    "  --assume-in-transaction  plain layout: the runner wraps each file in a transaction\n"
    "  --exclude PATTERN        leave out paths matching PATTERN (repeatable)\n"
    "  --color WHEN             auto (default), always, never; NO_COLOR is honoured\n"
    "  -h, --help               this help\n"
    "\n"
    "exit codes: 0 every drilled migration is safe (or below --fail-on) and its down works,\n"
    "1 one is not (or its up or down fails), 2 usage, I/O, server or connection error\n";

enum {
    OPT_LAYOUT = 256,
    OPT_SINCE,
    OPT_LAST,
    OPT_UNTIL,
    OPT_DATABASE,
    OPT_PG_BIN,
    OPT_TMP_DIR,
    OPT_ROWS,
    OPT_SEED,
    OPT_PREV,
    OPT_CRASH,
    OPT_TIMEOUT,
    OPT_FORMAT,
    OPT_REPORT,
    OPT_FAIL_ON,
    OPT_NO_CHECK,
    OPT_ASSUME_TX,
    OPT_EXCLUDE,
    OPT_COLOR,
};

static const struct option options[] = {
    {"layout", required_argument, NULL, OPT_LAYOUT},
    {"since", required_argument, NULL, OPT_SINCE},
    {"last", required_argument, NULL, OPT_LAST},
    {"until", required_argument, NULL, OPT_UNTIL},
    {"database", required_argument, NULL, OPT_DATABASE},
    {"pg-bin", required_argument, NULL, OPT_PG_BIN},
    {"tmp-dir", required_argument, NULL, OPT_TMP_DIR},
    {"rows", required_argument, NULL, OPT_ROWS},
    {"seed", required_argument, NULL, OPT_SEED},
    {"previous-queries", required_argument, NULL, OPT_PREV},
    {"crash-at", required_argument, NULL, OPT_CRASH},
    {"statement-timeout", required_argument, NULL, OPT_TIMEOUT},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"report", required_argument, NULL, OPT_REPORT},
    {"fail-on", required_argument, NULL, OPT_FAIL_ON},
    {"no-check", no_argument, NULL, OPT_NO_CHECK},
    {"assume-in-transaction", no_argument, NULL, OPT_ASSUME_TX},
    {"exclude", required_argument, NULL, OPT_EXCLUDE},
    {"color", required_argument, NULL, OPT_COLOR},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* ---------------------------------------------------------------- signals (--database) */

static volatile sig_atomic_t interrupted;

/*
 * With --database the scratch databases can only be dropped over a connection, not from a signal
 * handler: the first signal asks the drill to stop (and cancels the running statement), the
 * drill drops its databases and returns; a second signal ends the process at once.
 */
static void on_signal(int sig)
{
    if (interrupted) {
        static const char msg[] = "\nrollsafe: interrupted again; scratch databases named "
                                  "rollsafe_<pid>_* may be left on the server\n";
        ssize_t w = write(STDERR_FILENO, msg, sizeof(msg) - 1);
        (void)w;
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    interrupted = sig;
    rs_drill_cancel_current();
}

static void install_graceful_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        struct sigaction old;
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(sigs[i], &sa, NULL);
    }
}

/* ---------------------------------------------------------------- progress */

struct progress_state {
    bool on;
    bool shown;
    double t0;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void show_progress(void *arg, const struct rs_drill_progress *p)
{
    struct progress_state *ps = arg;
    if (getenv("RS_DRILL_TRACE"))
        fprintf(stderr, "%.3f %s %s\n", now_s() - ps->t0, p->id ? p->id : "-", p->step);
    if (!ps->on)
        return;
    if (p->index)
        fprintf(stderr, "\r\033[K[%zu/%zu %.0fs] %s%s%s: %s", p->index, p->total, now_s() - ps->t0,
                p->id ? p->id : "", p->name && *p->name ? "_" : "", p->name ? p->name : "",
                p->step);
    else
        fprintf(stderr, "\r\033[K%s ...", p->step);
    fflush(stderr);
    ps->shown = true;
}

static void clear_progress(struct progress_state *ps)
{
    if (ps->shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    ps->shown = false;
}

/* ---------------------------------------------------------------- the command */

/* Observed verdicts fail as check's do: at or above the --fail-on level (safe: anything not
   safe), never with never; a failed up or down always fails. */
static bool fails(const struct rs_drill_result *r, enum rs_fail_on fail_on)
{
    if (fail_on == RS_FAIL_ON_NEVER)
        return false;
    for (size_t i = 0; i < r->nmigrations; i++) {
        const struct rs_drill_migration *m = &r->migrations[i];
        if (!m->selected)
            continue;
        if (m->outcome != RS_DRILL_OBSERVED || (m->down.ran && !m->down.ok))
            return true;
        if (m->verdict != RS_VERDICT_SAFE && (int)m->verdict >= (int)fail_on)
            return true;
    }
    return false;
}

static bool write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return false;
    }
    bool ok = fputs(text, f) != EOF;
    ok = (fclose(f) == 0) && ok;
    if (!ok)
        fprintf(stderr, "rollsafe: cannot write the report to %s\n", path);
    return ok;
}

int cmd_drill(int argc, char **argv)
{
    struct rs_drill_opts o;
    rs_drill_opts_init(&o);
    struct arena a = ARENA_INIT;
    VEC(const char *) excludes = {0};
    const char *format = "text", *color = "auto", *report = NULL;
    enum rs_fail_on fail_on = RS_FAIL_ON_BREAKS;
    int c, rc = RS_EXIT_ERROR;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case OPT_LAYOUT:
            o.layout = optarg;
            break;
        case OPT_SINCE:
            o.since = optarg;
            break;
        case OPT_LAST:
            if (cli_parse_int(optarg, 1, 1000000, &o.last) < 0) {
                rc = cli_usage_error("drill", "--last needs a positive number, not '%s'", optarg);
                goto out;
            }
            break;
        case OPT_UNTIL:
            o.until = optarg;
            break;
        case OPT_DATABASE:
            o.database_url = optarg;
            break;
        case OPT_PG_BIN:
            o.pg_bin = optarg;
            break;
        case OPT_TMP_DIR:
            o.tmp_dir = optarg;
            break;
        case OPT_ROWS:
            if (cli_parse_int(optarg, 1, 10000000, &o.rows) < 0) {
                rc = cli_usage_error("drill", "--rows needs a number from 1 to 10000000, not '%s'",
                                     optarg);
                goto out;
            }
            break;
        case OPT_SEED:
            o.seed_file = optarg;
            break;
        case OPT_PREV:
            o.previous_queries = optarg;
            break;
        case OPT_CRASH:
            if (cli_parse_int(optarg, 1, 1000000, &o.crash_at) < 0) {
                rc = cli_usage_error("drill",
                                     "--crash-at needs a statement number (1, 2, ...), "
                                     "not '%s'",
                                     optarg);
                goto out;
            }
            break;
        case OPT_TIMEOUT:
            if (cli_parse_int(optarg, 1, 86400, &o.statement_timeout_s) < 0) {
                rc = cli_usage_error("drill",
                                     "--statement-timeout needs seconds (1 to 86400), "
                                     "not '%s'",
                                     optarg);
                goto out;
            }
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
                rc = cli_usage_error("drill", "--format must be text or json, not '%s'", optarg);
                goto out;
            }
            format = optarg;
            break;
        case OPT_REPORT:
            report = optarg;
            break;
        case OPT_FAIL_ON:
            if (cli_parse_fail_on(optarg, &fail_on) < 0) {
                rc = cli_usage_error("drill",
                                     "--fail-on must be safe, breaks-previous-version, "
                                     "irreversible or never, not '%s'",
                                     optarg);
                goto out;
            }
            break;
        case OPT_NO_CHECK:
            o.no_check = true;
            break;
        case OPT_ASSUME_TX:
            o.assume_in_transaction = true;
            break;
        case OPT_EXCLUDE:
            *VEC_PUSH(&a, &excludes) = optarg;
            break;
        case OPT_COLOR:
            if (cli_parse_color(optarg) < 0) {
                rc = cli_usage_error("drill", "--color must be auto, always or never");
                goto out;
            }
            color = optarg;
            break;
        case 'h':
            fputs(usage_text, stdout);
            rc = RS_EXIT_OK;
            goto out;
        default:
            rc = cli_usage_error("drill", "unknown option '%s'", argv[optind - 1]);
            goto out;
        }
    }
    if (o.since && o.last) {
        rc = cli_usage_error("drill", "--since and --last cannot be combined");
        goto out;
    }
    if (o.seed_file && o.rows) {
        rc = cli_usage_error("drill", "--seed and --rows cannot be combined");
        goto out;
    }
    if (o.database_url && (o.pg_bin || o.tmp_dir)) {
        rc = cli_usage_error("drill", "--pg-bin and --tmp-dir are for the embedded server, not "
                                      "--database");
        goto out;
    }
    if (cli_path_operand("drill", argc, argv, optind, &o.path) != RS_EXIT_OK)
        goto out;
    o.exclude = excludes.v;
    o.nexclude = excludes.n;

    /* Everything the drill starts goes away on exit and on SIGINT, SIGTERM, SIGHUP. */
    rs_pgserver_install_signal_cleanup();
    if (o.database_url)
        install_graceful_handlers();
    o.interrupted = &interrupted;
    struct progress_state ps = {.on = isatty(STDERR_FILENO) != 0, .t0 = now_s()};
    o.progress = show_progress;
    o.progress_arg = &ps;

    struct rs_diag diag;
    rs_diag_init(&diag, &a);
    struct rs_drill_result *res = NULL;
    int run = rs_drill_run(&o, &res, &diag);
    clear_progress(&ps);
    if (run < 0) {
        cli_print_errors(&diag);
        rc = RS_EXIT_ERROR;
        goto out;
    }
    char *text = !strcmp(format, "json") ? rs_drill_report_json(res)
                                         : rs_drill_report_text(res, cli_use_color(stdout, color));
    bool ok = cli_write(text);
    free(text);
    if (report) {
        char *md = rs_drill_report_markdown(res);
        ok = write_file(report, md) && ok;
        free(md);
    }
    rc = !ok ? RS_EXIT_ERROR : fails(res, fail_on) ? RS_EXIT_FINDINGS : RS_EXIT_OK;
    bool was_interrupted = res->interrupted;
    rs_drill_result_free(res);
    if (was_interrupted && interrupted) {
        arena_free(&a);
        signal(interrupted, SIG_DFL);
        raise(interrupted);
    }
out:
    arena_free(&a);
    return rc;
}
