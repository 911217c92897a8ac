/*
 * verdict.c - findings -> one verdict per migration, its lock risk and its point of no return.
 *
 * irreversible > breaks-previous-version > safe. Approvals do not change a verdict: an approved
 * drop is still irreversible; approval only decides whether the run fails.
 */
#include "engine.h"

const char *rs_verdict_name(enum rs_verdict v)
{
    switch (v) {
    case RS_VERDICT_SAFE:
        return "safe";
    case RS_VERDICT_BREAKS:
        return "breaks-previous-version";
    default:
        return "irreversible";
    }
}

const char *rs_class_name(enum rs_class c)
{
    switch (c) {
    case RS_CLASS_IRREVERSIBLE:
        return "irreversible";
    case RS_CLASS_BREAKS:
        return "breaks-previous-version";
    case RS_CLASS_LOCK:
        return "lock";
    default:
        return "hygiene";
    }
}

const char *rs_severity_name(enum rs_severity s)
{
    switch (s) {
    case RS_SEV_INFO:
        return "info";
    case RS_SEV_WARNING:
        return "warning";
    default:
        return "error";
    }
}

const char *rs_lock_risk_name(enum rs_lock_risk r)
{
    switch (r) {
    case RS_LOCK_NONE:
        return "none";
    case RS_LOCK_LOW:
        return "low";
    default:
        return "high";
    }
}

void rs_verdict_compute(struct rs_migration_result *mr)
{
    bool reversible = true, compatible = true;
    enum rs_lock_risk lock = mr->lock_risk; /* the engine's floor (brief locks) */
    for (size_t i = 0; i < mr->nfindings; i++) {
        const struct rs_finding *f = &mr->findings[i];
        if (f->cls == RS_CLASS_IRREVERSIBLE) {
            reversible = false;
            if (!f->in_down && (!mr->ponr_path || f->stmt < mr->ponr_stmt)) {
                mr->ponr_path = f->path;
                mr->ponr_stmt = f->stmt;
                mr->ponr_line = f->line;
            }
        }
        if (f->cls == RS_CLASS_BREAKS || f->breaks_previous)
            compatible = false;
        if (f->cls == RS_CLASS_LOCK && f->severity >= RS_SEV_WARNING)
            lock = RS_LOCK_HIGH;
        else if (f->cls == RS_CLASS_LOCK && lock < RS_LOCK_LOW)
            lock = RS_LOCK_LOW;
    }
    mr->reversible = reversible;
    mr->previous_version_compatible = compatible;
    mr->lock_risk = lock;
    mr->verdict = !reversible ? RS_VERDICT_IRREVERSIBLE
                  : !compatible ? RS_VERDICT_BREAKS
                                : RS_VERDICT_SAFE;
}

bool rs_finding_fails(const struct rs_finding *f, enum rs_fail_on fail_on)
{
    if (f->fatal)
        return true;
    if (f->approved)
        return false;
    switch (fail_on) {
    case RS_FAIL_ON_NEVER:
        return false;
    case RS_FAIL_ON_IRREVERSIBLE:
        return f->cls == RS_CLASS_IRREVERSIBLE;
    case RS_FAIL_ON_BREAKS:
        return f->cls == RS_CLASS_IRREVERSIBLE || f->cls == RS_CLASS_BREAKS || f->breaks_previous;
    default:
        return f->severity >= RS_SEV_WARNING;
    }
}
