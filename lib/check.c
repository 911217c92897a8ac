/*
 * check.c - the engine of `rollsafe check`: migrations -> statements -> schema model -> rules
 * -> findings -> verdicts.
 *
 * History is always replayed: every migration before the reported ones is applied to the model
 * without running rules, so the reported ones are judged against the real schema. For a
 * reported migration each statement (each ALTER TABLE command) is shown to every rule with the
 * model as it is just before it, then applied.
 *
 * Memory: the run arena owns the model, the statements of the up scripts (the model points into
 * them) and the result. A scratch arena per migration holds model copies and down scripts and
 * is freed when the migration is done.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/apply.h"
#include "down.h"
#include "queries.h"
#include "engine.h"
#include "sql/prefetch.h"
#include "sql/stmt.h"

static bool class_matches(const char *name, enum rs_class c)
{
    return !strcmp(name, "all") || !strcmp(name, rs_class_name(c));
}

int rs_rule_states(const struct rs_check_opts *o, struct rs_rule_state *states,
                   struct rs_diag *diag)
{
    for (size_t i = 0; i < rs_nrules; i++) {
        states[i].enabled = !rs_rules[i]->opt_in;
        states[i].severity = rs_rules[i]->severity;
    }
    for (size_t k = 0; k < o->nrule_settings; k++) {
        const struct rs_rule_setting *s = &o->rule_settings[k];
        bool matched = false;
        for (size_t i = 0; i < rs_nrules; i++) {
            if (strcmp(s->name, rs_rules[i]->name) && !class_matches(s->name, rs_rules[i]->cls))
                continue;
            matched = true;
            if (s->enabled >= 0)
                states[i].enabled = s->enabled;
            if (s->severity >= 0)
                states[i].severity = (enum rs_severity)s->severity;
        }
        if (!matched) {
            rs_diag_add(diag, NULL, 0, 0,
                        "rollsafe explain --list shows the rules; the classes are irreversible, "
                        "breaks-previous-version, lock and hygiene",
                        "unknown rule or class \"%s\"", s->name);
            return -1;
        }
    }
    /* A statement that does not parse or cannot succeed always fails the run. */
    states[rs_rule_index(&rs_rule_syntax_error)].enabled = true;
    states[rs_rule_index(&rs_rule_statement_fails)].enabled = true;
    return 0;
}

void rs_check_opts_init(struct rs_check_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->pg_version = 15;
    o->fail_on = RS_FAIL_ON_BREAKS;
    o->check_down = true;
}

struct run {
    const struct rs_rule_state *states;
    struct arena *a;
    const struct rs_check_opts *o;
    struct rs_diag *diag;
    struct rs_check_result *res;
    struct rs_model *model;
    int pg;
    struct rs_queries *prev, *next;
    /* Scratch of one migration (model copies, down scripts), emptied after each: its largest
       chunk is kept, so each migration does not fault its memory in again. */
    struct arena tmp;
};

/* ---------------------------------------------------------------- emitting */

/* The first sentence of a rule's recipe: up to a period followed by a space and a capital
   letter (so "ADD CONSTRAINT ... NOT VALID" is not cut at the ellipsis). */
static const char *first_sentence(struct arena *a, const char *s)
{
    for (const char *p = s; (p = strstr(p, ". ")) != NULL; p++) {
        if (p > s && p[-1] == '.')
            continue;
        if (p[2] >= 'A' && p[2] <= 'Z')
            return arena_strndup(a, s, (size_t)(p - s) + 1);
    }
    return s;
}

/* Where the clause at text[from] ends, for its underline: at the end of its line, or where the
   list it is an item of goes on or ends (a comma or a closing parenthesis outside parentheses
   and quotes: the next command of an ALTER TABLE on the same line), within limit. */
static size_t clause_end(const char *text, size_t from, size_t limit)
{
    int depth = 0;
    char quote = 0;
    size_t end = from;
    for (; end < limit && text[end] != '\n'; end++) {
        char c = text[end];
        if (quote) {
            quote = c == quote ? 0 : quote;
        } else if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == '(') {
            depth++;
        } else if (c == ')' && depth > 0) {
            depth--;
        } else if ((c == ',' || c == ')') && depth == 0) {
            break; /* the next item of the list, or the end of the list the clause is in */
        }
    }
    return end;
}

struct rs_finding *rs_emitter_add(struct rs_emitter *e, const struct rs_rule *rule,
                                  const struct rs_stmt *st, int location, const char *help,
                                  const char *message)
{
    static const char *const modes[] = {NULL,
                                         "column removal breaks rollback",
                                         "type narrowing breaks older writes",
                                         "enum value expansion",
                                         "NOT NULL before backfill",
                                         "rename without a compatibility bridge"};
    struct rs_finding *f = VEC_PUSH(e->arena, &e->findings);
    if (e->states)
        f->severity = e->states[rs_rule_index(rule)].severity;
    f->rule = rule->name;
    f->cls = rule->cls;
    f->failure_mode = rule->failure_mode;
    f->failure_mode_name = rule->failure_mode >= 1 && rule->failure_mode <= 5
                               ? modes[rule->failure_mode]
                               : NULL;
    if (!e->states)
        f->severity = rule->severity;
    f->breaks_previous = rule->breaks_previous;
    f->src = e->src;
    f->path = e->src ? e->src->path : NULL;
    f->in_down = e->in_down;
    f->message = message;
    if (help) {
        f->help = help;
    } else if (rule->alternative) {
        f->help = first_sentence(e->arena, rule->alternative);
    }
    if (st) {
        f->stmt = st->index;
        f->offset = st->offset;
        f->length = st->len;
        f->line = st->line;
        f->column = st->column;
        if (location >= 0 && e->src && (size_t)location >= st->offset &&
            (size_t)location < st->offset + st->len) {
            f->offset = (size_t)location;
            size_t end = clause_end(e->src->text, f->offset, st->offset + st->len);
            while (end > f->offset && (e->src->text[end - 1] == ',' ||
                                       e->src->text[end - 1] == ' '))
                end--;
            f->length = end > f->offset ? end - f->offset : 1;
            rs_source_position(e->src, f->offset, &f->line, &f->column);
        }
    }
    return f;
}

struct rs_finding *rs_emit(struct rs_rule_ctx *ctx, int location, const char *help,
                           const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *msg = arena_vprintf(ctx->emitter->arena, fmt, ap);
    va_end(ap);
    return rs_emitter_add(ctx->emitter, ctx->rule, ctx->st, location, help, msg);
}

struct arena *rs_ctx_arena(struct rs_rule_ctx *ctx)
{
    return ctx->emitter->arena;
}

const struct rs_relation *rs_ctx_rel(const struct rs_rule_ctx *ctx)
{
    /* Most rules ask; the model does not change while they run. */
    struct rs_rule_ctx *memo = (struct rs_rule_ctx *)ctx;
    if (!memo->rel_memo_set) {
        memo->rel_memo = rs_model_rel(ctx->model, &ctx->st->rel);
        memo->rel_memo_set = true;
    }
    return memo->rel_memo;
}

bool rs_ctx_existing(const struct rs_rule_ctx *ctx, const struct rs_relation *r)
{
    if (!r)
        return !ctx->mig->unfollowed;
    return r->created_mig != ctx->mig->index;
}

const char *rs_ctx_name(struct rs_rule_ctx *ctx, const struct rs_qname *q)
{
    return rs_qname_str(ctx->emitter->arena, q);
}

/* ---------------------------------------------------------------- one migration */

static void run_rules(struct rs_rule_ctx *ctx)
{
    for (size_t i = 0; i < rs_nrules; i++) {
        if (!rs_rules[i]->check || !ctx->emitter->states[i].enabled)
            continue;
        ctx->rule = rs_rules[i];
        rs_rules[i]->check(ctx);
    }
}

static void statement_fails(struct rs_emitter *e, const struct rs_stmt *st,
                            const struct rs_apply_result *ar)
{
    struct rs_finding *f = rs_emitter_add(e, &rs_rule_statement_fails, st, ar->location, ar->hint,
                                          ar->message);
    f->fatal = true;
}

/* Is the old name of a renamed relation (or column) still served at the end of the migration? */
/* Does a trigger created by migration mig keep table r in sync (a dual write)? */
static bool new_trigger_on(const struct rs_model *m, const struct rs_relation *r, int mig)
{
    for (size_t i = 0; i < m->triggers.n; i++)
        if (m->triggers.v[i]->created_mig == mig && rs_qname_eq(&m->triggers.v[i]->table, &r->name))
            return true;
    return false;
}

static bool bridged(const struct rs_model *start, const struct rs_model *end, int mig,
                    const struct rs_finding *f)
{
    struct rs_qname q = {f->bridge.schema, f->bridge.name};
    const struct rs_relation *now = rs_model_rel(end, &q);
    if (!now)
        return false;
    if (f->bridge.column) {
        const struct rs_column *c = rs_rel_column(now, f->bridge.column);
        if (!c)
            return false;
        /* A plain column added again under the old name is empty: N-1 reads nothing back
           unless it is computed from the new one or a trigger keeps it in sync. */
        if (now->kind == RS_REL_TABLE && c->created_mig == mig && !c->generated_text &&
            !new_trigger_on(end, now, mig))
            return false;
        return true;
    }
    /* A renamed table is bridged when every column the previous version knew (the table's
       columns when the migration started) that still exists is served under its old name by
       the relation now under the old table name. Dropped columns are drop-column's business. */
    const struct rs_relation *before = rs_model_rel_by_oid(start, f->bridge.oid);
    const struct rs_relation *renamed = rs_model_rel_by_oid(end, f->bridge.oid);
    if (!before || !renamed)
        return true;
    if (renamed == now)
        return true;
    for (size_t i = 0; i < before->columns.n; i++) {
        const struct rs_column *col = &before->columns.v[i];
        bool still_there = false;
        for (size_t k = 0; k < renamed->columns.n; k++)
            if (renamed->columns.v[k].attnum == col->attnum)
                still_there = true;
        if (still_there && !rs_rel_column(now, col->name))
            return false;
    }
    return true;
}

static bool in_transaction_block(enum rs_txmode mode, size_t nstmts)
{
    switch (mode) {
    case RS_TX_WRAPPED:
    case RS_TX_GROUP:
        return true;
    case RS_TX_IMPLICIT:
        return nstmts > 1;
    default:
        return false;
    }
}

static void track_settings(struct rs_mig_ctx *mc, const struct rs_stmt *st)
{
    if (st->kind != RS_STMT_SET || !st->set_name)
        return;
    bool on = st->set_value && strcmp(st->set_value, "0") != 0;
    if (!strcmp(st->set_name, "lock_timeout"))
        mc->lock_timeout_set = on;
    else if (!strcmp(st->set_name, "statement_timeout"))
        mc->statement_timeout_set = on;
}

/* A lock of SHARE or stronger on a table that holds rows is at least a low risk, even when
   brief: it queues behind long transactions and everything queues behind it. */
static void note_lock(struct rs_rule_ctx *ctx, struct rs_migration_result *mr)
{
    if (ctx->lock->mode < RS_LM_SHARE || mr->lock_risk >= RS_LOCK_LOW)
        return;
    const struct rs_relation *rel = rs_ctx_rel(ctx);
    if (ctx->st->kind == RS_STMT_DROP && ctx->st->obj_kind == RS_OBJ_INDEX) {
        const struct rs_index *x = rs_model_index(ctx->model, &ctx->st->rel);
        rel = x ? rs_model_rel(ctx->model, &x->table) : NULL;
        if (!x)
            return;
    }
    if (rs_ctx_existing(ctx, rel) && (rel || ctx->st->rel.name))
        mr->lock_risk = RS_LOCK_LOW;
}

/* What a migration does to the model, the same whether it is checked (check_migration) or
   only replayed for the second part of a split check (split_replay). */
static void model_unfollowed(struct run *r, size_t idx)
{
    r->model->uncertain = true;
    r->model->unfollowed_mig = (int)idx;
}

static void model_alter_cmd(struct run *r, size_t idx, const struct rs_stmt *st,
                            const struct rs_alter_cmd *cmd, struct rs_apply_result *ar)
{
    memset(ar, 0, sizeof(*ar));
    ar->location = -1;
    rs_apply_alter_cmd(r->model, st, cmd, (int)idx, ar);
}

static void check_migration(struct run *r, size_t idx, const struct rs_migration *m,
                            struct rs_migration_result *mr)
{
    struct arena *tmp = &r->tmp;
    struct rs_stmt_list stmts = {0};
    rs_sql_parse_script(r->a, &m->up, &stmts);

    struct rs_emitter e = {.arena = r->a, .src = m->up.src, .states = r->states};
    struct rs_mig_ctx mc = {.index = (int)idx, .migration = m, .stmts = &stmts};
    /* Copy-on-write: the objects the migration changes are cloned into r->model as it goes;
       start keeps the ones from before. */
    struct rs_model *start = rs_model_copy(tmp, r->model);
    mc.start = start;

    bool wrapped = in_transaction_block(m->up_tx, stmts.n);
    bool explicit_tx = false;
    for (size_t i = 0; i < stmts.n; i++) {
        const struct rs_stmt *st = &stmts.v[i];
        if (st->syntax_error) {
            struct rs_finding *f =
                rs_emitter_add(&e, &rs_rule_syntax_error, st, (int)st->error_offset,
                               st->newer_grammar
                                   ? "run rollsafe built with a newer libpg_query, or approve "
                                     "the statement knowingly"
                                   : "fix the statement; the rest of the file was still checked",
                               st->error);
            f->fatal = true;
            model_unfollowed(r, idx);
            mc.unfollowed = true;
            continue;
        }
        if (st->kind == RS_STMT_TRANSACTION) {
            if (st->tx == RS_TXK_BEGIN)
                explicit_tx = true;
            else if (st->tx == RS_TXK_COMMIT || st->tx == RS_TXK_ROLLBACK)
                explicit_tx = false;
        }
        track_settings(&mc, st);
        struct rs_rule_ctx ctx = {.model = r->model, .st = st, .mig = &mc, .pg_version = r->pg,
                                  .in_tx = wrapped || explicit_tx, .emitter = &e};
        struct rs_apply_result ar;
        if (st->kind == RS_STMT_ALTER_TABLE) {
            bool failed = false;
            for (size_t k = 0; k < st->ncmds; k++) {
                ctx.cmd = &st->cmds[k];
                ctx.rel_memo_set = false;
                ctx.lock = rs_lock_fact_for(st, ctx.cmd, r->pg);
                run_rules(&ctx);
                note_lock(&ctx, mr);
                model_alter_cmd(r, idx, st, ctx.cmd, &ar);
                if (ar.fails && !failed) {
                    statement_fails(&e, st, &ar);
                    failed = true;
                }
            }
        } else {
            ctx.lock = rs_lock_fact_for(st, NULL, r->pg);
            run_rules(&ctx);
            note_lock(&ctx, mr);
            rs_apply_stmt(r->model, st, (int)idx, &ar);
            if (ar.fails)
                statement_fails(&e, st, &ar);
            if (st->kind == RS_STMT_DO || st->kind == RS_STMT_CALL)
                mc.unfollowed = true;
        }
    }

    /* Renames whose old name is still served by the end of the migration are bridged. */
    size_t k = 0;
    for (size_t i = 0; i < e.findings.n; i++)
        if (!e.findings.v[i].bridge.name ||
            !bridged(mc.start, r->model, (int)idx, &e.findings.v[i]))
            e.findings.v[k++] = e.findings.v[i];
    e.findings.n = k;

    if (r->o->check_down) {
        struct rs_down_ctx dc = {.arena = r->a, .scratch = tmp, .m = m, .up = &stmts,
                                 .before = start, .after = r->model, .mig = (int)idx,
                                 .pg_version = r->pg, .emitter = &e, .diag = r->diag,
                                 .emit = r->o->emit_down};
        rs_down_check(&dc, &mr->down_check);
    } else {
        mr->down_check.present = rs_script_present(&m->down);
    }
    mr->down_path = mr->down_check.present ? m->down.src->path : NULL;
    for (int next = 0; next < 2; next++) {
        struct rs_queries *q = next ? r->next : r->prev;
        if (!q)
            continue;
        struct rs_queries_ctx qc = {.arena = r->a, .m = m, .before = start, .after = r->model,
                                    .mig = (int)idx, .emitter = &e, .next = next,
                                    .compat = &mr->compat};
        rs_queries_check(q, &qc);
    }

    struct rs_approvals ap = {0};
    rs_approvals_scan(r->a, &m->up, &stmts, &ap, r->diag);
    rs_approvals_apply(&ap, &m->up, &stmts, e.findings.v, e.findings.n);
    rs_approvals_report_unused(&ap, &e);
    /* Findings of rules turned off by configuration (the engine emits some rules itself). */
    k = 0;
    for (size_t i = 0; i < e.findings.n; i++)
        if (r->states[rs_rule_index(rs_rule_find(e.findings.v[i].rule))].enabled)
            e.findings.v[k++] = e.findings.v[i];
    e.findings.n = k;

    mr->findings = e.findings.v;
    mr->nfindings = e.findings.n;
    rs_verdict_compute(mr);
    arena_reset(tmp);
}

static void replay_only(struct run *r, size_t idx, const struct rs_migration *m)
{
    struct rs_stmt_list stmts = {0};
    rs_sql_parse_script(r->a, &m->up, &stmts);
    for (size_t i = 0; i < stmts.n; i++) {
        struct rs_apply_result ar;
        rs_apply_stmt(r->model, &stmts.v[i], (int)idx, &ar);
    }
}

/* ---------------------------------------------------------------- a check in two parts */

/*
 * With a parse-ahead helper (sql/prefetch.h), the engine used to check every migration while
 * the helper, done parsing, waited: the check itself (rules, down check, model copies) was the
 * longer half. Now the helper asks for a part of the history when it has nothing left to parse;
 * the engine, at the start of its next migration i, hands it the second half of what is left (k
 * onwards, by size of the scripts) with a copy of its model as it stands before i. The helper
 * replays migrations i..k-1 into that copy (the statements are parsed already), checks k..end-1
 * with the same code as the engine, and leaves the results for the engine, which stops at k
 * and takes them. A model replayed statement by statement is the model the engine had at k (the
 * same apply calls, in the same order), so the report is byte for byte that of a serial run.
 *
 * Sizes of scripts predict the time only roughly, and the other CPU is not always free: when
 * the helper is done before the engine reaches k, it asks again, and the engine gives it the
 * second half of what is left before k (a round); the rounds nest, each ending where the one
 * before begins. When the engine reaches the k of the last round, it waits for that round and
 * takes the results of all of them, the last round's first.
 *
 * The helper allocates only in an arena of its own, which lives as long as the result; the
 * model copies share the engine's strings, which nothing changes in place, and its relations,
 * indexes and other objects, which each side clones into its own arena before it changes one
 * (copy-on-write, catalog/model.h): the copy taken here gives the engine's model a new epoch,
 * so neither thread writes an object the other can reach, nor an epoch of one.
 *
 * Not split: runs with --since / --last (the first migrations are only replayed) or with
 * application queries (their results accumulate over the run).
 */
enum { SPLIT_NONE, SPLIT_ASKED, SPLIT_GIVEN, SPLIT_REFUSED };

#define SPLIT_ROUNDS 8

struct split_round {
    size_t from;     /* the migration the helper's model stands before */
    size_t k, end;   /* the migrations the helper checks */
    struct rs_model *model;              /* the engine's model before from, copied */
    struct rs_migration_result *results; /* those of k..end-1, once the round is done */
    size_t diag_from, diag_to;           /* its malformed approvals in the split's diag */
};

struct split {
    atomic_int ask;     /* the helper's request and the engine's answer */
    atomic_size_t done; /* rounds whose results are there */
    struct split_round rounds[SPLIT_ROUNDS];
    size_t nrounds;     /* rounds given; the engine writes it before it answers GIVEN */
    struct run run;     /* the helper's copy of the run, with its own arenas */
    struct arena arena;
    struct rs_diag diag; /* the helper's malformed approvals */
};

struct split_job {
    struct run *r;
    const struct rs_migration_list *ml;
    struct split *sp;
    size_t given; /* the engine's copy of the last round's k; SIZE_MAX when nothing was given */
};

static void result_start(struct rs_migration_result *mr, const struct rs_migration *m)
{
    mr->migration = m;
    mr->id = m->id;
    mr->name = m->name;
    mr->path = m->up.src ? m->up.src->path : NULL;
    mr->reported = true;
    mr->tx = rs_txmode_name(m->up_tx);
}

/* The model effects of check_migration, without checking anything. */
static void split_replay(struct run *r, size_t idx, const struct rs_migration *m)
{
    struct rs_stmt_list stmts = {0};
    rs_sql_parse_script(r->a, &m->up, &stmts);
    for (size_t i = 0; i < stmts.n; i++) {
        const struct rs_stmt *st = &stmts.v[i];
        struct rs_apply_result ar;
        if (st->syntax_error) {
            model_unfollowed(r, idx);
        } else if (st->kind == RS_STMT_ALTER_TABLE) {
            for (size_t k = 0; k < st->ncmds; k++)
                model_alter_cmd(r, idx, st, &st->cmds[k], &ar);
        } else {
            rs_apply_stmt(r->model, st, (int)idx, &ar);
        }
    }
}

/* In the helper, once everything is parsed: asks for a part of the history and checks it, as
   long as the engine has some to give. */
static void split_idle(struct rs_sql_prefetch *p, void *arg)
{
    struct split_job *j = arg;
    struct split *sp = j->sp;
    struct run *r = &sp->run;
    for (size_t round = 0; round < SPLIT_ROUNDS; round++) {
        atomic_store(&sp->ask, SPLIT_ASKED);
        rs_sql_prefetch_wake(p);
        while (atomic_load(&sp->ask) == SPLIT_ASKED)
            if (!rs_sql_prefetch_wait(p))
                return;
        if (atomic_load(&sp->ask) != SPLIT_GIVEN)
            return;
        struct split_round *rd = &sp->rounds[round];
        r->model = rd->model;
        rd->diag_from = sp->diag.n;
        struct rs_migration_result *res = arena_alloc(r->a, (rd->end - rd->k) * sizeof(*res));
        for (size_t i = rd->from; i < rd->k; i++) {
            if (rs_sql_prefetch_stopped(p))
                return;
            split_replay(r, i, &j->ml->v[i]);
        }
        for (size_t i = rd->k; i < rd->end; i++) {
            if (rs_sql_prefetch_stopped(p))
                return;
            result_start(&res[i - rd->k], &j->ml->v[i]);
            check_migration(r, i, &j->ml->v[i], &res[i - rd->k]);
            if (r->o->render_part)
                r->o->render_part(r->a, &res[i - rd->k], r->o->render_part_arg);
        }
        rd->results = res;
        rd->diag_to = sp->diag.n;
        atomic_store(&sp->done, round + 1);
        rs_sql_prefetch_wake(p);
    }
}

/* Size of what checking migration m costs, roughly: its scripts. */
static size_t weight(const struct rs_migration *m)
{
    return 256 + (m->up.src ? m->up.end - m->up.begin : 0) +
           (m->down.src ? m->down.end - m->down.begin : 0);
}

/* Below this much script text left to share, a round costs more than it saves. */
#define SPLIT_MIN_WEIGHT ((size_t)16 * 1024)

/* In the engine, before migration i: answers the helper's request. */
static void split_answer(struct split_job *j, struct rs_sql_prefetch *p, size_t i)
{
    struct split *sp = j->sp;
    if (atomic_load(&sp->ask) != SPLIT_ASKED)
        return;
    /* The split that finishes first: the engine checks i..k-1; the helper replays i..k-1,
       which costs about a third of checking them (measured on the corpora), and checks
       k..end-1, and renders its part of the report (rs_check_opts.render_part). The
       helper's part is counted a third heavier than its scripts: a helper done early asks
       again and gets some of the engine's part, while an engine done early can only wait. */
    size_t end = j->given < j->ml->n ? j->given : j->ml->n;
    size_t rest = 0, mine = 0, k = end;
    for (size_t x = i; x < end; x++)
        rest += weight(&j->ml->v[x]);
    size_t best = SIZE_MAX;
    for (size_t x = i; x < end && rest >= SPLIT_MIN_WEIGHT; x++) {
        mine += weight(&j->ml->v[x]);
        size_t helper = (rest - mine) * 4 / 3 + mine / 3;
        size_t longer = mine > helper ? mine : helper;
        if (longer < best) {
            best = longer;
            k = x + 1;
        }
    }
    if (k >= end || sp->nrounds == SPLIT_ROUNDS) {
        atomic_store(&sp->ask, SPLIT_REFUSED);
    } else {
        /* The helper waits for this answer: its arena is free to fill here. */
        if (sp->nrounds == 0) {
            sp->run = *j->r;
            sp->run.a = &sp->arena;
            sp->run.diag = &sp->diag;
            sp->run.tmp = (struct arena)ARENA_INIT;
            rs_diag_init(&sp->diag, &sp->arena);
        }
        sp->rounds[sp->nrounds++] = (struct split_round){
            .from = i, .k = k, .end = end, .model = rs_model_copy(&sp->arena, j->r->model)};
        j->given = k;
        atomic_store(&sp->ask, SPLIT_GIVEN);
    }
    rs_sql_prefetch_wake(p);
}

/* In the engine, at the k of the last round: waits for the helper's rounds and takes their
   results. False when the helper is gone without them: the engine checks the rest itself. */
static bool split_take(struct split_job *j, struct rs_sql_prefetch *p, struct rs_check_result *res)
{
    struct split *sp = j->sp;
    for (;;) {
        /* A helper done with a round asks for more: the engine has nothing left before k. */
        if (atomic_load(&sp->ask) == SPLIT_ASKED) {
            atomic_store(&sp->ask, SPLIT_REFUSED);
            rs_sql_prefetch_wake(p);
        }
        if (atomic_load(&sp->done) == sp->nrounds)
            break;
        if (!rs_sql_prefetch_help(p) && !rs_sql_prefetch_wait(p))
            break;
    }
    if (atomic_load(&sp->done) < sp->nrounds)
        return false;
    /* Each round ends where the one before begins: the last round holds the earliest results.
       The malformed approvals are copied into the engine's diag in the same order: their
       strings must outlive the run, whose arena (and the helper's with it) is freed when the
       run fails, as it does for a malformed approval. */
    for (size_t r = sp->nrounds; r-- > 0;) {
        const struct split_round *rd = &sp->rounds[r];
        for (size_t i = rd->k; i < rd->end; i++)
            res->migrations[res->nmigrations++] = rd->results[i - rd->k];
        for (size_t i = rd->diag_from; i < rd->diag_to; i++) {
            const struct rs_error *e = &sp->diag.v[i];
            rs_diag_add(j->r->diag, e->path, e->line, e->column, e->hint, "%s", e->message);
        }
    }
    return true;
}

static void split_free(void *arg)
{
    struct split *sp = arg;
    arena_free(&sp->run.tmp);
    arena_free(&sp->arena);
}

/* ---------------------------------------------------------------- schema file */

static int load_schema(struct run *r)
{
    struct rs_source *src = rs_source_load(r->a, r->o->schema_file, r->diag);
    if (!src)
        return -1;
    struct rs_script s;
    rs_script_whole(&s, src);
    struct rs_stmt_list stmts = {0};
    rs_sql_parse_script(r->a, &s, &stmts);
    for (size_t i = 0; i < stmts.n; i++) {
        const struct rs_stmt *st = &stmts.v[i];
        if (st->syntax_error)
            continue; /* psql meta-commands (\restrict) and the like: nothing for the model */
        struct rs_apply_result ar;
        rs_apply_stmt(r->model, st, RS_MIG_PREEXISTING, &ar);
    }
    /* The dump sets an empty search_path for its own statements; migrations run with the
       default one. */
    r->model->search_path.n = 0;
    *VEC_PUSH(r->a, &r->model->search_path) = "public";
    r->model->uncertain = false;
    return 0;
}

/* ---------------------------------------------------------------- the run */

/* Reads the scripts the layout left unread, in order, with the errors a layout reading them
   would give: a migration whose up cannot be read is left out, its down unread. With
   only_down, the downs alone. late: after a run that read the scripts as it parsed them, those
   still unread could not be read then, and one that can be read now is changing under
   rollsafe, an error too. False when there was an error. */
static bool read_unread(struct arena *a, struct rs_migration_list *ml, bool only_down, bool late,
                        struct rs_diag *diag)
{
    size_t before = diag->n;
    for (size_t i = 0; i < ml->n; i++) {
        struct rs_script *s[2] = {&ml->v[i].up, &ml->v[i].down};
        for (size_t k = only_down; k < 2; k++) {
            if (!s[k]->src || !s[k]->src->unread)
                continue;
            bool ok = rs_script_read(a, s[k], diag);
            if (ok && late)
                rs_diag_add(diag, s[k]->src->path, 0, 0, "run rollsafe again",
                            "the file could not be read a moment ago, and now it can: it is "
                            "changing while rollsafe reads it");
            if (!ok && k == 0)
                break;
        }
    }
    return diag->n == before;
}

/* Parses the scripts ahead in a helper thread, in the order the run parses them: each up,
   then its down when downs are checked. The scripts the layout left unread are read by the
   thread that parses them; without a helper, all of them are read here first. NULL when no
   helper started, or when a file cannot be read (the errors are in the run's diag). */
static struct rs_sql_prefetch *prefetch(struct run *r, struct rs_migration_list *ml,
                                        struct split_job *sj, bool *unreadable)
{
    const struct rs_check_opts *o = r->o;
    *unreadable = false;
    /* Downs that are not checked are only read, for their errors. */
    if (!o->check_down && !read_unread(r->a, ml, true, false, r->diag))
        *unreadable = true;
    struct rs_script **v = arena_alloc(r->a, (2 * ml->n + 1) * sizeof(*v));
    size_t n = 0;
    for (size_t i = 0; i < ml->n; i++) {
        if (ml->v[i].up.src)
            v[n++] = &ml->v[i].up;
        if (o->check_down && ml->v[i].down.src)
            v[n++] = &ml->v[i].down;
    }
    struct rs_sql_prefetch *pf =
        *unreadable ? NULL
                    : rs_sql_prefetch_start(r->a, v, n, o->jobs ? o->jobs : 2,
                                            sj ? split_idle : NULL, sj);
    if (!pf && !read_unread(r->a, ml, false, false, r->diag))
        *unreadable = true;
    return pf;
}

static size_t first_reported(struct run *r, const struct rs_migration_list *ml)
{
    const struct rs_check_opts *o = r->o;
    size_t first = 0;
    if (o->since) {
        size_t i;
        for (i = 0; i < ml->n; i++) {
            const struct rs_migration *m = &ml->v[i];
            if (!strcmp(m->id, o->since) ||
                !strcmp(arena_printf(r->a, "%s_%s", m->id, m->name), o->since))
                break;
        }
        if (i == ml->n) {
            rs_diag_add(r->diag, NULL, 0, 0,
                        ml->n ? arena_printf(r->a, "migration ids look like \"%s\"; list them with "
                                                   "rollsafe check --format json",
                                             ml->v[ml->n - 1].id)
                              : NULL,
                        "--since %s: no migration has that id", o->since);
            return (size_t)-1;
        }
        first = i;
    }
    if (o->last > 0 && (size_t)o->last < ml->n - first)
        first = ml->n - (size_t)o->last;
    return first;
}

int rs_check_run(const struct rs_check_opts *o, struct rs_check_result **out,
                 struct rs_diag *diag)
{
    struct arena *a = malloc(sizeof(*a));
    if (!a)
        rs_oom();
    *a = (struct arena)ARENA_INIT;
    struct rs_check_result *res = arena_alloc(a, sizeof(*res) + sizeof(struct arena *));
    *(struct arena **)(res + 1) = a;
    res->tool_version = ROLLSAFE_VERSION;
    res->pg_version = o->pg_version ? o->pg_version : 15;
    res->path = arena_strdup(a, o->path);

    struct rs_rule_state *states = arena_alloc(a, rs_nrules * sizeof(*states));
    struct run r = {.states = states, .a = a, .o = o, .diag = diag, .res = res,
                    .model = rs_model_new(a), .pg = res->pg_version};
    size_t nerr = diag->n;
    struct rs_sql_prefetch *pf = NULL;
    if (rs_rule_states(o, states, diag) < 0)
        goto fail;

    /* With a helper thread, the files are read as they are parsed, in both threads. */
    bool two_threads = rs_sql_prefetch_possible(o->jobs ? o->jobs : 2);
    struct rs_layout_ctx lc = {.arena = a, .diag = diag, .dir = o->path, .exclude = o->exclude,
                               .nexclude = o->nexclude,
                               .plain_in_transaction = o->assume_in_transaction,
                               .defer_reads = !o->emit_down && two_threads,
                               .two_threads = two_threads};
    struct rs_migration_list ml = {0};
    const struct rs_layout *layout = NULL;
    if (rs_layout_load_path(&lc, o->path, o->layout, &layout, &ml) < 0 || diag->n > nerr) {
        read_unread(a, &ml, false, false, diag); /* for their errors too */
        goto fail;
    }
    res->layout = layout ? layout->name : "plain";

    if (o->schema_file && load_schema(&r) < 0)
        goto fail;
    if (o->previous_queries && !(r.prev = rs_queries_load(a, o->previous_queries, diag)))
        goto fail;
    if (o->next_queries && !(r.next = rs_queries_load(a, o->next_queries, diag)))
        goto fail;

    size_t first = first_reported(&r, &ml);
    if (first == (size_t)-1)
        goto fail;
    res->migrations = arena_alloc(a, (ml.n ? ml.n : 1) * sizeof(*res->migrations));

    /* Everything the helper's copy of the run needs is set up by now. */
    struct split_job sj = {&r, &ml, NULL, SIZE_MAX};
    if (first == 0 && !r.prev && !r.next && ml.n >= 2) {
        sj.sp = arena_alloc(a, sizeof(*sj.sp));
        atomic_init(&sj.sp->ask, SPLIT_NONE);
        atomic_init(&sj.sp->done, 0);
        sj.sp->nrounds = 0;
        sj.sp->arena = (struct arena)ARENA_INIT;
        /* Registered before the helper starts, so run after it is joined. */
        arena_on_free(a, split_free, sj.sp);
    }
    bool unreadable;
    pf = prefetch(&r, &ml, sj.sp ? &sj : NULL, &unreadable);
    if (unreadable)
        goto fail;

    for (size_t i = 0; i < ml.n; i++) {
        const struct rs_migration *m = &ml.v[i];
        if (i < first) {
            replay_only(&r, i, m);
            continue;
        }
        if (pf && sj.sp) {
            split_answer(&sj, pf, i);
            if (i == sj.given && split_take(&sj, pf, res))
                break;
        }
        struct rs_migration_result *mr = &res->migrations[res->nmigrations++];
        result_start(mr, m);
        check_migration(&r, i, m, mr);
        /* With a helper, the engine renders its migrations as it goes too: the split then
           balances that work between the two threads, where rendering them after the run
           would be the engine's alone. */
        if (pf && sj.sp && o->render_part)
            o->render_part(a, mr, o->render_part_arg);
    }
    rs_sql_prefetch_end(pf);
    pf = NULL;
    arena_free(&r.tmp);
    if (!read_unread(a, &ml, false, true, diag) || diag->n > nerr)
        goto fail; /* unreadable files, malformed approvals */
    if (r.prev)
        rs_queries_report_other(r.prev, a, &res->other, &res->nother);
    if (r.next)
        rs_queries_report_other(r.next, a, &res->other, &res->nother);


    res->summary.migrations = res->nmigrations;
    for (size_t i = 0; i < res->nmigrations; i++) {
        const struct rs_migration_result *mr = &res->migrations[i];
        switch (mr->verdict) {
        case RS_VERDICT_SAFE:
            res->summary.safe++;
            break;
        case RS_VERDICT_BREAKS:
            res->summary.breaks++;
            break;
        case RS_VERDICT_IRREVERSIBLE:
            res->summary.irreversible++;
            break;
        }
        for (size_t k = 0; k < mr->nfindings; k++) {
            res->summary.findings++;
            if (rs_finding_fails(&mr->findings[k], o->fail_on)) {
                res->summary.unapproved_failing++;
                res->failed = true;
            }
        }
    }
    for (size_t k = 0; k < res->nother; k++)
        if (rs_finding_fails(&res->other[k], o->fail_on))
            res->failed = true;
    *out = res;
    return 0;

fail:
    rs_sql_prefetch_end(pf);
    arena_free(&r.tmp);
    /* rs_diag_add copied the error strings into the caller's arena. */
    arena_free(a);
    free(a);
    return -1;
}

void rs_check_result_free(struct rs_check_result *r)
{
    if (!r)
        return;
    struct arena *a = *(struct arena **)(r + 1);
    arena_free(a);
    free(a);
}
