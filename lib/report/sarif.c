/*
 * sarif.c - SARIF 2.1.0 for code scanning: one run, the rules that fired as reportingDescriptors,
 * one result per finding with its location.
 */
#include <jansson.h>
#include <string.h>

#include "report.h"
#include "rules/rule.h"

static const char *level(const struct rs_finding *f)
{
    if (f->approved)
        return "note";
    return f->severity == RS_SEV_ERROR ? "error" : f->severity == RS_SEV_WARNING ? "warning"
                                                                                  : "note";
}

static void add_result(json_t *results, const struct rs_finding *f)
{
    json_t *res = json_object();
    json_object_set_new(res, "ruleId", json_string(f->rule));
    json_object_set_new(res, "level", json_string(level(f)));
    json_t *msg = json_object();
    json_object_set_new(msg, "text", json_string(f->message));
    json_object_set_new(res, "message", msg);
    if (f->path) {
        json_t *loc = json_object(), *phys = json_object(), *art = json_object(),
               *reg = json_object();
        json_object_set_new(art, "uri", json_string(f->path));
        json_object_set_new(phys, "artifactLocation", art);
        if (f->line > 0) {
            json_object_set_new(reg, "startLine", json_integer(f->line));
            json_object_set_new(reg, "startColumn", json_integer(f->column));
            json_object_set_new(phys, "region", reg);
        } else {
            json_decref(reg);
        }
        json_object_set_new(loc, "physicalLocation", phys);
        json_t *locs = json_array();
        json_array_append_new(locs, loc);
        json_object_set_new(res, "locations", locs);
    }
    if (f->approved) {
        json_t *sup = json_array(), *s = json_object();
        json_object_set_new(s, "kind", json_string("inSource"));
        json_object_set_new(s, "justification", json_string(f->approval_reason));
        json_array_append_new(sup, s);
        json_object_set_new(res, "suppressions", sup);
    }
    json_array_append_new(results, res);
}

char *rs_report_sarif(const struct rs_check_result *r, const struct rs_report_opts *o)
{
    (void)o;
    json_t *rules = json_array();
    for (size_t i = 0; i < rs_nrules; i++) {
        const struct rs_rule *ru = rs_rules[i];
        json_t *d = json_object(), *sd = json_object(), *fd = json_object(), *help = json_object();
        json_object_set_new(d, "id", json_string(ru->name));
        json_object_set_new(sd, "text", json_string(ru->summary));
        json_object_set_new(d, "shortDescription", sd);
        json_object_set_new(fd, "text", json_string(ru->catches));
        json_object_set_new(d, "fullDescription", fd);
        json_object_set_new(help, "text", json_string(ru->alternative ? ru->alternative : ""));
        json_object_set_new(d, "help", help);
        json_array_append_new(rules, d);
    }
    json_t *results = json_array();
    for (size_t i = 0; i < r->nother; i++)
        add_result(results, &r->other[i]);
    for (size_t i = 0; i < r->nmigrations; i++)
        for (size_t k = 0; k < r->migrations[i].nfindings; k++)
            add_result(results, &r->migrations[i].findings[k]);
    json_t *driver = json_object();
    json_object_set_new(driver, "name", json_string("rollsafe"));
    json_object_set_new(driver, "version", json_string(r->tool_version));
    json_object_set_new(driver, "rules", rules);
    json_t *tool = json_object();
    json_object_set_new(tool, "driver", driver);
    json_t *run = json_object();
    json_object_set_new(run, "tool", tool);
    json_object_set_new(run, "results", results);
    json_t *runs = json_array();
    json_array_append_new(runs, run);
    json_t *root = json_object();
    json_object_set_new(root, "version", json_string("2.1.0"));
    json_object_set_new(root, "$schema",
                        json_string("https://json.schemastore.org/sarif-2.1.0.json"));
    json_object_set_new(root, "runs", runs);
    char *out = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (!out)
        rs_oom();
    return out;
}
