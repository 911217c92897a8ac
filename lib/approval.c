/*
 * approval.c - `-- rollsafe:approve RULE[,RULE] reason="..."` comments.
 *
 * An approval covers the statement directly below its comment block (comment lines only, no
 * blank line between); `rollsafe:approve-file` covers the whole script. The reason is
 * mandatory: an approval records why a destructive change is acceptable. Only comments outside
 * statements count, so text inside a function body or a string is never an approval.
 *
 * Approvals written in a down script cover the findings about the down (the down check scans
 * them); those of the up cover the others.
 *
 * Approved findings keep their verdict; they just no longer fail the run.
 */
#include <ctype.h>
#include <string.h>

#include "engine.h"

#define APPROVE "rollsafe:approve"

static bool inside_statement(const struct rs_stmt_list *stmts, size_t off)
{
    for (size_t i = 0; i < stmts->n; i++)
        if (off >= stmts->v[i].offset && off < stmts->v[i].offset + stmts->v[i].len)
            return true;
    return false;
}

static const char *skip_space(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

static void parse_line(struct arena *a, const struct rs_script *s, const char *line, size_t len,
                       int lineno, struct rs_approvals *out, struct rs_diag *diag)
{
    const char *end = line + len;
    const char *p = skip_space(line, end);
    if (end - p < 2 || p[0] != '-' || p[1] != '-')
        return;
    p = skip_space(p + 2, end);
    size_t kl = strlen(APPROVE);
    if ((size_t)(end - p) < kl || strncmp(p, APPROVE, kl) != 0)
        return;
    p += kl;
    bool file_level = false;
    if (end - p >= 5 && !strncmp(p, "-file", 5)) {
        file_level = true;
        p += 5;
    }
    const char *path = s->src->path;
    int col = (int)(p - line) + 1;
    if (p < end && *p != ' ' && *p != '\t') {
        rs_diag_add(diag, path, lineno, col,
                    "write -- rollsafe:approve RULE reason=\"why\" (or rollsafe:approve-file)",
                    "malformed approval comment");
        return;
    }
    struct rs_approval ap = {.src = s->src, .line = lineno, .file_level = file_level,
                             .offset = (size_t)(line - s->src->text)};
    VEC(const char *) rules = {0};
    p = skip_space(p, end);
    while (p < end && strncmp(p, "reason=", 7) != 0) {
        const char *b = p;
        while (p < end && *p != ',' && *p != ' ' && *p != '\t')
            p++;
        if (p > b) {
            const char *name = arena_strndup(a, b, (size_t)(p - b));
            if (!rs_rule_find(name)) {
                rs_diag_add(diag, path, lineno, (int)(b - line) + 1,
                            "run `rollsafe explain --list` for the rule names",
                            "approval names unknown rule \"%s\"", name);
                return;
            }
            *VEC_PUSH(a, &rules) = name;
        }
        p = skip_space(p, end);
        if (p < end && *p == ',')
            p = skip_space(p + 1, end);
    }
    if (!rules.n) {
        rs_diag_add(diag, path, lineno, col, "name the rule(s) approved: rollsafe:approve "
                                             "drop-column reason=\"...\"",
                    "approval names no rule");
        return;
    }
    if (p >= end) {
        rs_diag_add(diag, path, lineno, (int)len + 1,
                    "add reason=\"...\": an approval must say why the change is acceptable",
                    "approval of %s has no reason", rules.v[0]);
        return;
    }
    p += 7;
    const char *rb = NULL, *re = NULL;
    if (p < end && *p == '"') {
        rb = ++p;
        while (p < end && *p != '"')
            p++;
        re = p;
        if (p >= end) {
            rs_diag_add(diag, path, lineno, (int)(rb - line),
                        "close the reason with a double quote", "unterminated approval reason");
            return;
        }
    }
    const char *t = rb;
    while (t && t < re && isspace((unsigned char)*t))
        t++;
    if (!rb || t == re) {
        rs_diag_add(diag, path, lineno, (int)(p - line) + 1,
                    "write reason=\"...\" with the reason in double quotes, not empty",
                    "approval of %s has an empty reason", rules.v[0]);
        return;
    }
    ap.reason = arena_strndup(a, rb, (size_t)(re - rb));
    ap.rules = rules.v;
    ap.nrules = rules.n;
    ap.used = arena_alloc(a, rules.n * sizeof(bool));
    *VEC_PUSH(a, &out->v) = ap;
}

void rs_approvals_scan(struct arena *a, const struct rs_script *s, const struct rs_stmt_list *stmts,
                       struct rs_approvals *out, struct rs_diag *diag)
{
    if (!s->src)
        return;
    const struct rs_source *src = s->src;
    /* Most scripts hold no approval: the marker is looked for in the whole script first, and
       only the lines that hold it are read. */
    if (s->end <= s->begin)
        return;
    const char *from = src->text + s->begin, *end;
    {
        /* To the end of the script's last line. */
        int ln, col;
        size_t len;
        rs_source_position(src, s->end - 1, &ln, &col);
        end = rs_source_line(src, ln, &len) + len;
    }
    size_t kl = strlen(APPROVE);
    int last = 0;
    for (const char *hit; (size_t)(end - from) >= kl && (hit = memmem(from, (size_t)(end - from),
                                                                       APPROVE, kl));
         from = hit + kl) {
        int ln1, col;
        rs_source_position(src, (size_t)(hit - src->text), &ln1, &col);
        if (ln1 == last)
            continue; /* a second marker on the same line: the line is read once */
        last = ln1;
        size_t ln = (size_t)ln1 - 1;
        if (src->lines[ln] < s->begin)
            continue; /* the line starts before the script (a section of a shared file) */
        size_t len;
        const char *line = rs_source_line(src, ln1, &len);
        size_t first = (size_t)(skip_space(line, line + len) - src->text);
        if (first < src->len && s->text[first] != src->text[first])
            continue; /* blanked out of this script (a section of the other direction) */
        if (inside_statement(stmts, first))
            continue;
        parse_line(a, s, line, len, (int)ln + 1, out, diag);
    }
}

static bool is_comment_line(const struct rs_source *src, int line)
{
    size_t len;
    const char *t = rs_source_line(src, line, &len);
    const char *p = skip_space(t, t + len);
    return t + len - p >= 2 && p[0] == '-' && p[1] == '-';
}

/* Does the statement approval `ap` sit in the comment block directly above statement st? */
static bool directly_above(const struct rs_approval *ap, const struct rs_stmt *st)
{
    if (ap->line >= st->line)
        return false;
    for (int l = st->line - 1; l > ap->line; l--)
        if (!is_comment_line(ap->src, l))
            return false;
    return true;
}

void rs_approvals_apply(struct rs_approvals *aps, const struct rs_script *s,
                        const struct rs_stmt_list *stmts, struct rs_finding *f, size_t n)
{
    (void)s;
    for (size_t i = 0; i < n; i++) {
        if (f[i].fatal || f[i].in_down != aps->in_down)
            continue;
        const struct rs_stmt *st =
            f[i].stmt >= 1 && (size_t)f[i].stmt <= stmts->n ? &stmts->v[f[i].stmt - 1] : NULL;
        for (size_t k = 0; k < aps->v.n && !f[i].approved; k++) {
            struct rs_approval *ap = &aps->v.v[k];
            if (!ap->file_level && (!st || !directly_above(ap, st)))
                continue;
            for (size_t r = 0; r < ap->nrules; r++) {
                if (!strcmp(ap->rules[r], f[i].rule)) {
                    f[i].approved = true;
                    f[i].approval_reason = ap->reason;
                    ap->used[r] = true;
                    break;
                }
            }
        }
    }
}

void rs_approvals_report_unused(struct rs_approvals *aps, struct rs_emitter *e)
{
    for (size_t k = 0; k < aps->v.n; k++) {
        const struct rs_approval *ap = &aps->v.v[k];
        for (size_t r = 0; r < ap->nrules; r++) {
            if (ap->used[r])
                continue;
            const char *msg = arena_printf(
                e->arena, "%s of %s approves nothing: no %s finding %s",
                ap->file_level ? "file approval" : "approval", ap->rules[r], ap->rules[r],
                ap->file_level ? "in this file" : "on the statement directly below it");
            struct rs_finding *f =
                rs_emitter_add(e, &rs_rule_unused_approval, NULL, -1, NULL, msg);
            f->src = ap->src;
            f->path = ap->src->path;
            f->line = ap->line;
            f->offset = ap->offset;
            size_t len;
            rs_source_line(ap->src, ap->line, &len);
            f->length = len;
            int ln;
            rs_source_position(ap->src, ap->offset, &ln, &f->column);
        }
    }
}
