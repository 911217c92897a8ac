/*
 * config.c - finding, reading and checking .rollsafe.yml (see config.h).
 *
 * The file is loaded into a libyaml document and walked: the top level must be a mapping of
 * known keys. Values are checked against what rollsafe knows (rule and class names, layouts,
 * levels) here, so that a mistake points at its line rather than surfacing later without a
 * position.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "layout/layout.h"
#include "rules/rule.h"
#include "source.h"
#include "util/arena.h"

void rs_config_init(struct rs_config *c)
{
    memset(c, 0, sizeof(*c));
    c->fail_on = -1;
    c->assume_in_transaction = -1;
}

int rs_fail_on_parse(const char *s)
{
    if (!strcmp(s, "safe"))
        return RS_FAIL_ON_SAFE;
    if (!strcmp(s, "breaks-previous-version") || !strcmp(s, "breaks"))
        return RS_FAIL_ON_BREAKS;
    if (!strcmp(s, "irreversible"))
        return RS_FAIL_ON_IRREVERSIBLE;
    if (!strcmp(s, "never") || !strcmp(s, "none"))
        return RS_FAIL_ON_NEVER;
    return -1;
}

int rs_severity_parse(const char *s)
{
    if (!strcmp(s, "info"))
        return RS_SEV_INFO;
    if (!strcmp(s, "warning"))
        return RS_SEV_WARNING;
    if (!strcmp(s, "error"))
        return RS_SEV_ERROR;
    return -1;
}

/* ---------------------------------------------------------------- finding the file */

static bool exists(const char *path, bool dir)
{
    struct stat st;
    return stat(path, &st) == 0 && (dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode));
}

/* path relative to the working directory when it lies below it, so that messages and reports
   do not show where the checkout happens to be. */
static const char *relative(struct arena *a, const char *path)
{
    char *cwd = getcwd(NULL, 0);
    const char *out = path;
    size_t n = cwd ? strlen(cwd) : 0;
    if (cwd && !strncmp(path, cwd, n) && path[n] == '/')
        out = arena_strdup(a, path + n + 1);
    free(cwd);
    return out;
}

const char *rs_config_find(struct arena *a, const char *path)
{
    static const char *const names[] = RS_CONFIG_NAMES;
    char *abs = realpath(path, NULL);
    if (!abs)
        return NULL;
    char *dir = arena_strdup(a, abs);
    free(abs);
    if (!exists(dir, true)) {
        char *slash = strrchr(dir, '/');
        if (slash)
            *(slash == dir ? slash + 1 : slash) = '\0';
    }
    for (;;) {
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
            const char *candidate =
                arena_printf(a, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", names[i]);
            if (exists(candidate, false))
                return relative(a, candidate);
        }
        if (exists(arena_printf(a, "%s/.git", dir), true) || !strcmp(dir, "/"))
            return NULL;
        char *slash = strrchr(dir, '/');
        if (!slash)
            return NULL;
        *(slash == dir ? slash + 1 : slash) = '\0';
    }
}

/* ---------------------------------------------------------------- reading it */

struct reader {
    struct arena *a;
    const char *file;
    yaml_document_t *doc;
    struct rs_config *c;
    struct rs_diag *diag;
    VEC(struct rs_rule_setting) settings;
    VEC(const char *) exclude;
    int errors;
};

static void error(struct reader *r, const yaml_node_t *n, const char *hint, const char *fmt,
                  const char *key, const char *value)
{
    rs_diag_add(r->diag, r->file, n ? (int)n->start_mark.line + 1 : 0,
                n ? (int)n->start_mark.column + 1 : 0, hint, fmt, key, value ? value : "");
    r->errors++;
}

static const char *scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static yaml_node_t *node(struct reader *r, int id)
{
    return yaml_document_get_node(r->doc, id);
}

/* The items of a sequence (or a single scalar, as a one-item list). */
static size_t items(struct reader *r, yaml_node_t *v, yaml_node_t **out, size_t max)
{
    if (v->type == YAML_SCALAR_NODE) {
        out[0] = v;
        return 1;
    }
    size_t n = 0;
    for (yaml_node_item_t *it = v->data.sequence.items.start;
         v->type == YAML_SEQUENCE_NODE && it < v->data.sequence.items.top && n < max; it++)
        out[n++] = node(r, *it);
    return n;
}

static bool is_class(const char *s)
{
    return !strcmp(s, "all") || !strcmp(s, "irreversible") ||
           !strcmp(s, "breaks-previous-version") || !strcmp(s, "lock") || !strcmp(s, "hygiene");
}

#define NAMES_HINT                                                                                 \
    "rollsafe explain --list shows the rules; the classes are irreversible, "                      \
    "breaks-previous-version, lock and hygiene (all: every rule)"

static bool rule_name_ok(struct reader *r, const char *key, yaml_node_t *n)
{
    const char *s = scalar(n);
    if (!s) {
        error(r, n, "write a rule or class name", "%s: expected a rule or class name%s", key, NULL);
        return false;
    }
    if (!is_class(s) && !rs_rule_find(s)) {
        error(r, n, NAMES_HINT, "%s: unknown rule or class \"%s\"", key, s);
        return false;
    }
    return true;
}

static bool matches(const struct rs_rule *rule, const char *name)
{
    return !strcmp(name, "all") || !strcmp(name, rule->name) ||
           !strcmp(name, rs_class_name(rule->cls));
}

size_t rs_config_only(struct arena *a, const char *const *names, size_t n,
                      struct rs_rule_setting **out)
{
    VEC(struct rs_rule_setting) v = {0};
    for (size_t i = 0; i < rs_nrules; i++) {
        const struct rs_rule *rule = rs_rules[i];
        bool in = false, named = false;
        for (size_t k = 0; k < n; k++) {
            in = in || matches(rule, names[k]);
            named = named || !strcmp(names[k], rule->name);
        }
        if (!in)
            *VEC_PUSH(a, &v) = (struct rs_rule_setting){rule->name, 0, -1};
        else if (named)
            *VEC_PUSH(a, &v) = (struct rs_rule_setting){rule->name, 1, -1};
    }
    *out = v.v;
    return v.n;
}

static void push(struct reader *r, const char *name, int enabled, int severity)
{
    *VEC_PUSH(r->a, &r->settings) =
        (struct rs_rule_setting){arena_strdup(r->a, name), enabled, severity};
}

/* enable / disable: classes first, then rules; within a level, disable after enable. */
static void rule_lists(struct reader *r, yaml_node_t *enable, yaml_node_t *disable)
{
    for (int level = 0; level < 2; level++) {
        for (int on = 1; on >= 0; on--) {
            yaml_node_t *v = on ? enable : disable;
            yaml_node_t *list[512];
            size_t n = v ? items(r, v, list, 512) : 0;
            for (size_t i = 0; i < n; i++) {
                const char *s = scalar(list[i]);
                if (s && is_class(s) == (level == 0) &&
                    rule_name_ok(r, on ? "enable" : "disable", list[i]))
                    push(r, s, on, -1);
            }
        }
    }
}

static void check_list(struct reader *r, const char *key, yaml_node_t *v)
{
    if (v->type != YAML_SEQUENCE_NODE && v->type != YAML_SCALAR_NODE) {
        error(r, v, "write a list: [a, b]", "%s: expected a list of rule or class names%s", key,
              NULL);
        return;
    }
    yaml_node_t *list[512];
    size_t n = items(r, v, list, 512);
    for (size_t i = 0; i < n; i++)
        rule_name_ok(r, key, list[i]);
}

/* Checks the severity mapping; with add set, also adds its settings. */
static void severities(struct reader *r, yaml_node_t *v, bool add)
{
    if (v->type != YAML_MAPPING_NODE) {
        if (add)
            return;
        error(r, v, "write one `rule: level` per line under severity:",
              "%s: expected a mapping of rule names to levels%s", "severity", NULL);
        return;
    }
    for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node(r, p->key), *val = node(r, p->value);
        const char *level = scalar(val);
        int sev = level ? rs_severity_parse(level) : -1;
        if (add)
            push(r, scalar(k), -1, sev);
        else if (rule_name_ok(r, "severity", k) && sev < 0)
            error(r, val, "the levels are info, warning and error",
                  "severity.%s: unknown level \"%s\"", scalar(k), level ? level : "");
    }
}

static bool boolean(const char *s, int *out)
{
    static const char *const yes[] = {"true", "yes", "on", "True", "TRUE", "Yes"};
    static const char *const no[] = {"false", "no", "off", "False", "FALSE", "No"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (!strcmp(s, yes[i])) {
            *out = 1;
            return true;
        }
        if (!strcmp(s, no[i])) {
            *out = 0;
            return true;
        }
    }
    return false;
}

static void top_level(struct reader *r, yaml_node_t *root)
{
    static const char *const keys[] = {"pg-version", "layout", "fail-on", "assume-in-transaction",
                                       "exclude",    "only",   "enable",  "disable",
                                       "severity"};
    yaml_node_t *enable = NULL, *disable = NULL, *only = NULL, *severity = NULL;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = node(r, p->key), *v = node(r, p->value);
        const char *key = scalar(k);
        size_t which = sizeof(keys) / sizeof(keys[0]);
        for (size_t i = 0; key && i < sizeof(keys) / sizeof(keys[0]); i++)
            if (!strcmp(key, keys[i]))
                which = i;
        if (which == sizeof(keys) / sizeof(keys[0])) {
            error(r, k,
                  "the keys are pg-version, layout, fail-on, assume-in-transaction, exclude, "
                  "only, enable, disable and severity (docs/configuration.md)",
                  "unknown key \"%s\"%s", key ? key : "?", NULL);
            continue;
        }
        const char *s = scalar(v);
        switch (which) {
        case 0: {
            char *end = NULL;
            long n = s ? strtol(s, &end, 10) : 0;
            if (!s || !*s || *end || n < 11 || n > 18)
                error(r, v, "rollsafe knows PostgreSQL 11 to 18",
                      "%s: expected a major version from 11 to 18, not \"%s\"", key, s);
            else
                r->c->pg_version = (int)n;
            break;
        }
        case 1:
            if (!s || !rs_layout_find(s))
                error(r, v,
                      "the layouts are plain, golang-migrate, goose, dbmate, prisma, flyway, "
                      "sqitch, diesel, drizzle, atlas and liquibase",
                      "%s: unknown layout \"%s\"", key, s);
            else
                r->c->layout = arena_strdup(r->a, s);
            break;
        case 2:
            if (!s || rs_fail_on_parse(s) < 0)
                error(r, v, "fail-on is safe, breaks-previous-version, irreversible or never",
                      "%s: unknown level \"%s\"", key, s);
            else
                r->c->fail_on = rs_fail_on_parse(s);
            break;
        case 3:
            if (!s || !boolean(s, &r->c->assume_in_transaction))
                error(r, v, "write true or false", "%s: expected true or false, not \"%s\"", key,
                      s);
            break;
        case 4: {
            if (v->type != YAML_SEQUENCE_NODE && v->type != YAML_SCALAR_NODE) {
                error(r, v, "write a list of path patterns: [\"legacy/*\"]",
                      "%s: expected a list of path patterns%s", key, NULL);
                break;
            }
            yaml_node_t *list[512];
            size_t n = items(r, v, list, 512);
            for (size_t i = 0; i < n; i++) {
                if (!scalar(list[i]))
                    error(r, list[i], "write a path pattern such as \"legacy/*\"",
                          "%s: expected a path pattern%s", key, NULL);
                else
                    *VEC_PUSH(r->a, &r->exclude) = arena_strdup(r->a, scalar(list[i]));
            }
            break;
        }
        case 5:
            check_list(r, key, v);
            only = v;
            break;
        case 6:
            check_list(r, key, v);
            enable = v;
            break;
        case 7:
            check_list(r, key, v);
            disable = v;
            break;
        default:
            severities(r, v, false);
            severity = v;
            break;
        }
    }
    if (r->errors)
        return;
    if (only) {
        yaml_node_t *list[512];
        const char *names[512];
        size_t n = items(r, only, list, 512);
        for (size_t i = 0; i < n; i++)
            names[i] = scalar(list[i]);
        struct rs_rule_setting *set;
        size_t ns = rs_config_only(r->a, names, n, &set);
        for (size_t i = 0; i < ns; i++)
            *VEC_PUSH(r->a, &r->settings) = set[i];
    }
    rule_lists(r, enable, disable);
    if (severity)
        severities(r, severity, true);
}

int rs_config_load(struct arena *a, const char *file, struct rs_config *c, struct rs_diag *diag)
{
    size_t nerr = diag->n;
    if (!exists(file, false)) {
        rs_diag_add(diag, file, 0, 0,
                    "--config names a YAML file (docs/configuration.md); --no-config reads none",
                    "configuration file not found");
        return -1;
    }
    struct rs_source *src = rs_source_load(a, file, diag);
    if (!src)
        return -1;
    rs_config_init(c);
    c->path = src->path;
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser))
        rs_oom();
    yaml_parser_set_input_string(&parser, (const unsigned char *)src->text, src->len);
    if (!yaml_parser_load(&parser, &doc)) {
        rs_diag_add(diag, file, (int)parser.problem_mark.line + 1,
                    (int)parser.problem_mark.column + 1,
                    "the file must be YAML: one `key: value` per line (docs/configuration.md)",
                    "not valid YAML: %s%s%s", parser.problem ? parser.problem : "parse error",
                    parser.context ? " " : "", parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        return -1;
    }
    struct reader r = {.a = a, .file = file, .doc = &doc, .c = c, .diag = diag};
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (root && root->type == YAML_MAPPING_NODE)
        top_level(&r, root);
    else if (root && !(root->type == YAML_SCALAR_NODE && !*scalar(root)))
        error(&r, root, "write one `key: value` per line (docs/configuration.md)",
              "expected a mapping of settings at the top level%s%s", "", NULL);
    c->settings = r.settings.v;
    c->nsettings = r.settings.n;
    c->exclude = r.exclude.v;
    c->nexclude = r.exclude.n;
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return diag->n > nerr ? -1 : 0;
}
