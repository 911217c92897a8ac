/*
 * cmd_check.c - `rollsafe check [PATH]`: options, the run, the report, the exit code.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "emit_down.h"
#include "report/report.h"
#include "rules/rule.h"
#include "rollsafe/rollsafe.h"
#include "util/arena.h"

static const char usage_text[] =
    "usage: rollsafe check [options] [PATH]\n"
    "\n"
    "Checks every migration under PATH (a migrations directory or one .sql file; default:\n"
    "./migrations) and gives each a verdict: safe, breaks-previous-version or irreversible.\n"
    "History is always replayed into a schema model; the options choose what is reported.\n"
    "\n"
    "options:\n"
    "  --layout NAME            plain, golang-migrate, goose, dbmate, prisma, flyway, sqitch,\n"
    "                           diesel, drizzle, atlas, liquibase (default: detected)\n"
    "  --schema FILE            start from a pg_dump --schema-only file\n"
    "  --since ID               report migrations from ID on\n"
    "  --last N                 report only the last N migrations\n"
    "  --pg-version N           target PostgreSQL major version, 11 to 18 (default 15)\n"
    "  --fail-on LEVEL          safe, breaks-previous-version (default), irreversible, never\n"
    "  --format FORMAT          text (default), json, sarif, github, markdown\n"
    "  --assume-in-transaction  plain layout: the runner wraps each file in a transaction\n"
    "  --previous-queries PATH  the previous application version's SQL (.sql files, a file,\n"
    "                           or a pg_stat_statements export), checked against each migration\n"
    "  --next-queries PATH      version N's SQL, checked against the schema before each migration\n"
    "  --no-down-check          do not verify down migrations\n"
    "  --emit-down              print, instead of the report, the down migration of each up in\n"
    "                           the layout's form, or which statements have no inverse and why\n"
    "                           (exit 1 when some migration has none)\n"
    "  --only NAME              run only this rule or class (repeatable)\n"
    "  --enable NAME            turn on a rule or class (irreversible, breaks-previous-version,\n"
    "                           lock, hygiene, all); repeatable\n"
    "  --disable NAME           turn off a rule or class; repeatable\n"
    "  --severity RULE=LEVEL    change a rule's severity (info, warning, error); repeatable\n"
    "  --exclude PATTERN        leave out paths matching PATTERN (repeatable)\n"
    "  --config FILE            read settings from FILE (default: the first .rollsafe.yml found\n"
    "                           walking up from PATH to the repository root); options win\n"
    "  --no-config              do not read a configuration file\n"
    "  --color WHEN             auto (default), always, never; NO_COLOR is honoured\n"
    "  -v, --verbose            text: also show info-level findings\n"
    "  --jobs N                 threads that read, parse and check: 1 or 2 (default: 2 when\n"
    "                           there are two CPUs and enough SQL); the result is the same\n"
    "  -h, --help               this help\n"
    "\n"
    "exit codes: 0 nothing unapproved at or above --fail-on, 1 there is (or a statement does\n"
    "not parse or cannot succeed), 2 usage, I/O or configuration error\n";

enum {
    OPT_LAYOUT = 256,
    OPT_SCHEMA,
    OPT_SINCE,
    OPT_LAST,
    OPT_PG,
    OPT_FAIL_ON,
    OPT_FORMAT,
    OPT_ASSUME_TX,
    OPT_EXCLUDE,
    OPT_COLOR,
    OPT_PREV,
    OPT_NEXT,
    OPT_NO_DOWN,
    OPT_EMIT_DOWN,
    OPT_ENABLE,
    OPT_DISABLE,
    OPT_SEVERITY,
    OPT_JOBS,
    OPT_ONLY,
    OPT_CONFIG,
    OPT_NO_CONFIG,
};

static const struct option options[] = {
    {"layout", required_argument, NULL, OPT_LAYOUT},
    {"schema", required_argument, NULL, OPT_SCHEMA},
    {"since", required_argument, NULL, OPT_SINCE},
    {"last", required_argument, NULL, OPT_LAST},
    {"pg-version", required_argument, NULL, OPT_PG},
    {"fail-on", required_argument, NULL, OPT_FAIL_ON},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"assume-in-transaction", no_argument, NULL, OPT_ASSUME_TX},
    {"exclude", required_argument, NULL, OPT_EXCLUDE},
    {"color", required_argument, NULL, OPT_COLOR},
    {"previous-queries", required_argument, NULL, OPT_PREV},
    {"next-queries", required_argument, NULL, OPT_NEXT},
    {"no-down-check", no_argument, NULL, OPT_NO_DOWN},
    {"emit-down", no_argument, NULL, OPT_EMIT_DOWN},
    {"enable", required_argument, NULL, OPT_ENABLE},
    {"disable", required_argument, NULL, OPT_DISABLE},
    {"severity", required_argument, NULL, OPT_SEVERITY},
    {"jobs", required_argument, NULL, OPT_JOBS},
    {"only", required_argument, NULL, OPT_ONLY},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"no-config", no_argument, NULL, OPT_NO_CONFIG},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Which options were given: those the configuration file must not override. */
struct given {
    bool pg, fail_on, layout, tx;
};

static void apply_config(const struct rs_config *cfg, struct rs_check_opts *o,
                         const struct given *g)
{
    if (cfg->pg_version && !g->pg)
        o->pg_version = cfg->pg_version;
    if (cfg->fail_on >= 0 && !g->fail_on)
        o->fail_on = (enum rs_fail_on)cfg->fail_on;
    if (cfg->layout && !g->layout)
        o->layout = cfg->layout;
    if (cfg->assume_in_transaction >= 0 && !g->tx)
        o->assume_in_transaction = cfg->assume_in_transaction;
}

struct part_job {
    enum rs_format format;
    const struct rs_report_opts *ro;
};

/* rs_check_opts.render_part: a migration's part of the report, in the thread that checked it. */
static void render_part(struct arena *a, struct rs_migration_result *mr, void *arg)
{
    const struct part_job *pj = arg;
    mr->part = rs_report_migration_part(a, mr, pj->format, pj->ro, &mr->part_len);
}

int cmd_check(int argc, char **argv)
{
    struct rs_check_opts o;
    rs_check_opts_init(&o);
    enum rs_format format = RS_FORMAT_TEXT;
    const char *color = "auto";
    bool verbose = false;
    struct arena a = ARENA_INIT;
    VEC(const char *) excludes = {0};
    VEC(struct rs_rule_setting) settings = {0};
    int c, rc = RS_EXIT_ERROR;
    bool emit_down = false;
    const char *config_file = NULL;
    bool no_config = false;
    VEC(const char *) only = {0};
    struct given given = {0};
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "hv", options, NULL)) != -1) {
        switch (c) {
        case OPT_LAYOUT:
            o.layout = optarg;
            given.layout = true;
            break;
        case OPT_JOBS:
            if (cli_parse_int(optarg, 1, 2, &o.jobs) < 0) {
                rc = cli_usage_error("check", "--jobs must be 1 or 2, not '%s'", optarg);
                goto out;
            }
            break;
        case OPT_SCHEMA:
            o.schema_file = optarg;
            break;
        case OPT_SINCE:
            o.since = optarg;
            break;
        case OPT_LAST:
            if (cli_parse_int(optarg, 1, 1000000, &o.last) < 0) {
                rc = cli_usage_error("check", "--last needs a positive number, not '%s'", optarg);
                goto out;
            }
            break;
        case OPT_PG:
            if (cli_parse_int(optarg, 11, 18, &o.pg_version) < 0) {
                rc = cli_usage_error("check", "--pg-version must be 11 to 18, not '%s'", optarg);
                goto out;
            }
            given.pg = true;
            break;
        case OPT_FAIL_ON:
            if (cli_parse_fail_on(optarg, &o.fail_on) < 0) {
                rc = cli_usage_error("check",
                                     "--fail-on must be safe, breaks-previous-version, "
                                     "irreversible or never, not '%s'",
                                     optarg);
                goto out;
            }
            given.fail_on = true;
            break;
        case OPT_FORMAT:
            if (rs_format_parse(optarg, &format) < 0) {
                rc = cli_usage_error("check",
                                     "--format must be text, json, sarif, github or markdown, "
                                     "not '%s'",
                                     optarg);
                goto out;
            }
            break;
        case OPT_ASSUME_TX:
            o.assume_in_transaction = true;
            given.tx = true;
            break;
        case OPT_CONFIG:
            config_file = optarg;
            break;
        case OPT_NO_CONFIG:
            no_config = true;
            break;
        case OPT_ONLY:
            *VEC_PUSH(&a, &only) = optarg;
            break;
        case OPT_EXCLUDE:
            *VEC_PUSH(&a, &excludes) = optarg;
            break;
        case OPT_PREV:
            o.previous_queries = optarg;
            break;
        case OPT_NEXT:
            o.next_queries = optarg;
            break;
        case OPT_NO_DOWN:
            o.check_down = false;
            break;
        case OPT_EMIT_DOWN:
            emit_down = true;
            break;
        case OPT_ENABLE:
        case OPT_DISABLE:
            *VEC_PUSH(&a, &settings) =
                (struct rs_rule_setting){optarg, c == OPT_ENABLE ? 1 : 0, -1};
            break;
        case OPT_SEVERITY: {
            char *eq = strchr(optarg, '=');
            int sev = eq ? rs_severity_parse(eq + 1) : -1;
            if (sev < 0) {
                rc = cli_usage_error("check",
                                     "--severity takes RULE=LEVEL with LEVEL info, warning or "
                                     "error, not '%s'",
                                     optarg);
                goto out;
            }
            *VEC_PUSH(&a, &settings) =
                (struct rs_rule_setting){arena_strndup(&a, optarg, (size_t)(eq - optarg)), -1, sev};
            break;
        }
        case OPT_COLOR:
            if (cli_parse_color(optarg) < 0) {
                rc = cli_usage_error("check", "--color must be auto, always or never");
                goto out;
            }
            color = optarg;
            break;
        case 'v':
            verbose = true;
            break;
        case 'h':
            fputs(usage_text, stdout);
            rc = RS_EXIT_OK;
            goto out;
        default:
            rc = cli_usage_error("check", "unknown option '%s'", argv[optind - 1]);
            goto out;
        }
    }
    if (cli_path_operand("check", argc, argv, optind, &o.path) != RS_EXIT_OK)
        goto out;
    o.emit_down = emit_down;
    if (emit_down && (!o.check_down || format != RS_FORMAT_TEXT)) {
        rc = cli_usage_error("check", "--emit-down prints SQL: it does not go with %s",
                             !o.check_down ? "--no-down-check" : "--format");
        goto out;
    }
    if (config_file && no_config) {
        rc = cli_usage_error("check", "--config and --no-config cannot be used together");
        goto out;
    }

    struct rs_diag diag;
    rs_diag_init(&diag, &a);
    /* The configuration file first; the options override it, and their rule settings and
       excludes come after its own. */
    struct rs_config cfg;
    rs_config_init(&cfg);
    if (!no_config && !config_file)
        config_file = rs_config_find(&a, o.path);
    if (config_file && rs_config_load(&a, config_file, &cfg, &diag) < 0) {
        cli_print_errors(&diag);
        rc = RS_EXIT_ERROR;
        goto out;
    }
    apply_config(&cfg, &o, &given);
    VEC(const char *) all_excludes = {0};
    for (size_t i = 0; i < cfg.nexclude; i++)
        *VEC_PUSH(&a, &all_excludes) = cfg.exclude[i];
    for (size_t i = 0; i < excludes.n; i++)
        *VEC_PUSH(&a, &all_excludes) = excludes.v[i];
    VEC(struct rs_rule_setting) all_settings = {0};
    for (size_t i = 0; i < cfg.nsettings; i++)
        *VEC_PUSH(&a, &all_settings) = cfg.settings[i];
    if (only.n) {
        for (size_t i = 0; i < only.n; i++) {
            if (!rs_rule_find(only.v[i]) && strcmp(only.v[i], "all") &&
                strcmp(only.v[i], "irreversible") && strcmp(only.v[i], "breaks-previous-version") &&
                strcmp(only.v[i], "lock") && strcmp(only.v[i], "hygiene")) {
                rc = cli_usage_error("check",
                                     "--only: unknown rule or class '%s' (rollsafe explain --list "
                                     "shows the rules)",
                                     only.v[i]);
                goto out;
            }
        }
        struct rs_rule_setting *set;
        size_t n = rs_config_only(&a, only.v, only.n, &set);
        for (size_t i = 0; i < n; i++)
            *VEC_PUSH(&a, &all_settings) = set[i];
    }
    for (size_t i = 0; i < settings.n; i++)
        *VEC_PUSH(&a, &all_settings) = settings.v[i];
    o.exclude = all_excludes.v;
    o.nexclude = all_excludes.n;
    o.rule_settings = all_settings.v;
    o.nrule_settings = all_settings.n;
    struct rs_report_opts ro = {.color = format == RS_FORMAT_TEXT && cli_use_color(stdout, color),
                                .fail_on = o.fail_on, .verbose = verbose};
    /* The helper thread renders the migrations it checks, while the engine checks the rest. */
    struct part_job pj = {format, &ro};
    if (!emit_down) {
        o.render_part = render_part;
        o.render_part_arg = &pj;
    }
    struct rs_check_result *res = NULL;
    if (rs_check_run(&o, &res, &diag) < 0) {
        cli_print_errors(&diag);
        rc = RS_EXIT_ERROR;
        goto out;
    }
    if (emit_down) {
        bool complete;
        char *sql = rs_emit_down_render(res, &complete);
        bool ok = cli_write(sql);
        free(sql);
        rc = !ok ? RS_EXIT_ERROR : complete ? RS_EXIT_OK : RS_EXIT_FINDINGS;
        rs_check_result_free(res);
        goto out;
    }
    /* The report goes out in pieces, one per migration, most under stdio's 4 KiB buffer: a
       larger one makes a few writes of a report of megabytes, where there were hundreds. */
    static char out_buf[256 * 1024];
    setvbuf(stdout, out_buf, _IOFBF, sizeof(out_buf));
    bool ok = cli_written(rs_report_write(res, format, &ro, stdout) == 0);
    rc = !ok ? RS_EXIT_ERROR : res->failed ? RS_EXIT_FINDINGS : RS_EXIT_OK;
    rs_check_result_free(res);
out:
    arena_free(&a);
    return rc;
}
