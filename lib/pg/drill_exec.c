/*
 * drill_exec.c - running a migration script statement by statement, the way its tool would, while
 * recording what each statement locked, rewrote and cost; and killing it at a chosen statement.
 *
 * Transactions follow the layout's mode (enum rs_txmode): WRAPPED and GROUP open one transaction
 * around the script; IMPLICIT does the same when the script has more than one statement (one
 * simple-query message is one implicit transaction) and nothing for a single statement; NONE and
 * SCRIPT run each statement on its own except inside the script's own BEGIN ... COMMIT. A failure
 * stops the script; an open transaction is then rolled back, and what was committed before stays.
 *
 * Tracing. Inside a transaction, locks are held until it ends, so after each statement the same
 * session reads its own relation locks from pg_locks and the relfilenodes of every relation:
 * a new (relation, mode) pair belongs to the statement that just ran, a changed relfilenode is a
 * rewrite. A statement that runs on its own is wrapped in BEGIN ... COMMIT for this (for a
 * statement that may run in a transaction, committing on its own or at the end of a one-statement
 * transaction is the same). Statements that cannot run in a transaction (CREATE INDEX
 * CONCURRENTLY, VACUUM, ...) run in autocommit; a second connection, in another database so that
 * it never holds a snapshot a concurrent index build would wait for, samples pg_locks for the
 * runner's backend every millisecond while they run. Only relations that existed before the
 * script are reported: locks on what the script itself creates block nobody.
 *
 * Crash (--crash-at N): see kill_* below and docs/drill.md for the exact semantics.
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg/drill_int.h"

/* ---------------------------------------------------------------- cancelling from a signal */

static PGcancel *volatile cancel_obj;

void exec_set_cancel_target(PGconn *c)
{
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigprocmask(SIG_BLOCK, &block, &old);
    PGcancel *prev = cancel_obj;
    cancel_obj = c ? PQgetCancel(c) : NULL;
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (prev)
        PQfreeCancel(prev);
}

void rs_drill_cancel_current(void)
{
    PGcancel *k = cancel_obj;
    char buf[256];
    if (k)
        PQcancel(k, buf, (int)sizeof(buf));
}

/* ---------------------------------------------------------------- tracing */

struct trace {
    struct arena *a;
    const struct rs_snapshot *before;
    unsigned *filenode; /* current relfilenode per before->rels entry */
    VEC(struct {
        unsigned oid;
        const char *mode;
    })
    seen; /* locks of the current transaction */
    VEC(struct rs_drill_lock) locks;
    VEC(struct rs_drill_rewrite) rewrites;
};

static const struct snap_rel *find_rel(const struct rs_snapshot *s, unsigned oid, size_t *index)
{
    size_t lo = 0, hi = s->nrels;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->rels[mid].oid == oid) {
            if (index)
                *index = mid;
            return &s->rels[mid];
        }
        if (s->rels[mid].oid < oid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static void note_lock(struct trace *t, int stmt, unsigned oid, const char *mode)
{
    const struct snap_rel *rel = find_rel(t->before, oid, NULL);
    if (!rel)
        return;
    for (size_t i = 0; i < t->seen.n; i++)
        if (t->seen.v[i].oid == oid && !strcmp(t->seen.v[i].mode, mode))
            return;
    mode = arena_strdup(t->a, mode);
    VEC_PUSH(t->a, &t->seen)->oid = oid;
    t->seen.v[t->seen.n - 1].mode = mode;
    struct rs_drill_lock *l = VEC_PUSH(t->a, &t->locks);
    l->stmt = stmt;
    l->relation = arena_strdup(t->a, rel->display);
    l->kind = arena_strdup(t->a, rel->kind);
    l->mode = mode;
}

/* By pid only: the monitor is connected to another database than the runner. */
static const char locks_sql[] =
    "SELECT l.relation, l.mode FROM pg_catalog.pg_locks l WHERE l.locktype = 'relation' "
    "AND l.granted AND l.pid = %d";

/* Reads the locks held by backend pid (through c: the runner itself or the monitor). */
static int read_locks(struct trace *t, PGconn *c, int pid, int stmt)
{
    char sql[sizeof(locks_sql) + 32];
    snprintf(sql, sizeof(sql), locks_sql, pid);
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        return -1;
    }
    for (int i = 0; i < PQntuples(r); i++)
        note_lock(t, stmt, (unsigned)strtoul(PQgetvalue(r, i, 0), NULL, 10), PQgetvalue(r, i, 1));
    PQclear(r);
    return 0;
}

static int read_rewrites(struct trace *t, PGconn *c, int stmt)
{
    PGresult *r = PQexec(c, "SELECT oid, pg_catalog.pg_relation_filenode(oid) FROM "
                            "pg_catalog.pg_class WHERE oid >= 16384 AND relkind IN "
                            "('r', 'i', 'm')");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        return -1;
    }
    for (int i = 0; i < PQntuples(r); i++) {
        size_t k;
        const struct snap_rel *rel =
            find_rel(t->before, (unsigned)strtoul(PQgetvalue(r, i, 0), NULL, 10), &k);
        if (!rel || PQgetisnull(r, i, 1))
            continue;
        unsigned node = (unsigned)strtoul(PQgetvalue(r, i, 1), NULL, 10);
        if (!node || node == t->filenode[k])
            continue;
        t->filenode[k] = node;
        struct rs_drill_rewrite *w = VEC_PUSH(t->a, &t->rewrites);
        w->stmt = stmt;
        w->relation = arena_strdup(t->a, rel->display);
        w->kind = arena_strdup(t->a, rel->kind);
    }
    PQclear(r);
    return 0;
}

/* ---------------------------------------------------------------- running one statement */

/* Collects the results of what was sent; the first error goes to err. */
static int collect(PGconn *c, struct arena *a, struct rs_pg_error *err)
{
    int rc = 0;
    PGresult *r;
    while ((r = PQgetResult(c))) {
        switch (PQresultStatus(r)) {
        case PGRES_COMMAND_OK:
        case PGRES_EMPTY_QUERY:
        case PGRES_TUPLES_OK:
            break;
        case PGRES_COPY_IN:
        case PGRES_COPY_OUT:
            rs_pg_end_copy(c, PQresultStatus(r), "rollsafe drill does not feed COPY FROM STDIN");
            break;
        default:
            if (!rc && err) {
                memset(err, 0, sizeof(*err));
                const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
                if (state)
                    snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", state);
                const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
                err->message = arena_strdup(a, msg ? msg : PQerrorMessage(c));
                const char *f;
                if ((f = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL)))
                    err->detail = arena_strdup(a, f);
                if ((f = PQresultErrorField(r, PG_DIAG_MESSAGE_HINT)))
                    err->hint = arena_strdup(a, f);
                if ((f = PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION)))
                    err->position = atoi(f);
            }
            rc = -1;
            break;
        }
        PQclear(r);
        if (PQstatus(c) == CONNECTION_BAD)
            break;
    }
    if (PQstatus(c) == CONNECTION_BAD) {
        if (!rc && err) {
            memset(err, 0, sizeof(*err));
            err->message = "the connection to the server was lost";
        }
        rc = -1;
    }
    return rc;
}

/*
 * Sends sql and waits for it. With sample set, the monitor reads the runner's locks about every
 * millisecond while it runs.
 */
static int run_sql(struct exec_env *e, struct trace *t, const char *sql, bool sample, int stmt,
                   struct rs_pg_error *err)
{
    if (!PQsendQuery(e->c, sql)) {
        memset(err, 0, sizeof(*err));
        err->message = arena_strdup(e->a, PQerrorMessage(e->c));
        return -1;
    }
    if (sample && t && e->mon) {
        double t0 = dq_now_ms();
        struct pollfd pfd = {.fd = PQsocket(e->c), .events = POLLIN};
        for (;;) {
            if (!PQconsumeInput(e->c) || !PQisBusy(e->c))
                break;
            read_locks(t, e->mon, e->pid, stmt);
            /* Back to back for the first 50 ms (most statements are that short), then every
               millisecond, then every 10 ms after a second. */
            double ran = dq_now_ms() - t0;
            if (ran > 50)
                poll(&pfd, 1, ran > 1000 ? 10 : 1);
        }
    }
    return collect(e->c, e->a, err);
}

static int simple(struct exec_env *e, const char *sql)
{
    struct rs_pg_error err;
    return run_sql(e, NULL, sql, false, 0, &err);
}

static bool in_tx(PGconn *c)
{
    PGTransactionStatusType s = PQtransactionStatus(c);
    return s == PQTRANS_INTRANS || s == PQTRANS_INERROR || s == PQTRANS_ACTIVE;
}

/* Statements PostgreSQL refuses inside a transaction block. */
static bool needs_autocommit(const struct rs_stmt *st)
{
    switch (st->kind) {
    case RS_STMT_CREATE_INDEX:
    case RS_STMT_REINDEX:
    case RS_STMT_DROP:
        return st->concurrently;
    case RS_STMT_VACUUM:
        return true;
    case RS_STMT_ALTER_TABLE:
        for (size_t i = 0; i < st->ncmds; i++)
            if (st->cmds[i].kind == RS_AT_DETACH_PARTITION && st->cmds[i].concurrently)
                return true;
        return false;
    default:
        return false;
    }
}

/* ---------------------------------------------------------------- killing */

static void terminate(struct exec_env *e)
{
    char sql[96];
    if (PQserverVersion(e->mon) >= 140000)
        snprintf(sql, sizeof(sql), "SELECT pg_catalog.pg_terminate_backend(%d, 10000)", e->pid);
    else
        snprintf(sql, sizeof(sql), "SELECT pg_catalog.pg_terminate_backend(%d)", e->pid);
    PQclear(PQexec(e->mon, sql));
    /* Wait until the backend is gone, so that what it held is released. */
    for (int i = 0; i < 5000; i++) {
        snprintf(sql, sizeof(sql), "SELECT 1 FROM pg_catalog.pg_stat_activity WHERE pid = %d",
                 e->pid);
        PGresult *r = PQexec(e->mon, sql);
        bool gone = PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) == 0;
        PQclear(r);
        if (gone)
            break;
        poll(NULL, 0, 2);
    }
    exec_set_cancel_target(NULL);
    PQfinish(e->c);
    e->c = NULL;
}

/* The table a statement that cannot run in a transaction works on, for the blocking session. */
static const char *blocker_table(struct exec_env *e, const struct rs_stmt *st)
{
    if (!st->rel.name)
        return NULL;
    struct strbuf sb;
    sb_init(&sb, e->a);
    if (st->rel.schema) {
        sb_add_quoted_ident(&sb, st->rel.schema);
        sb_addc(&sb, '.');
    }
    sb_add_quoted_ident(&sb, st->rel.name);
    if (st->kind == RS_STMT_CREATE_INDEX)
        return sb.s;
    /* An index: its table. */
    struct strbuf q;
    sb_init(&q, e->a);
    sb_add(&q, "SELECT i.indrelid::regclass::text FROM pg_catalog.pg_index i WHERE i.indexrelid = "
               "to_regclass(");
    sb_add_literal(&q, sb.s);
    sb_add(&q, ")");
    char *v = NULL;
    struct rs_pg_error err;
    if (rs_pg_query_value(e->c, e->a, q.s, &v, &err) < 0 || !v)
        return NULL;
    return v;
}

/*
 * A statement that cannot run in a transaction (CREATE INDEX CONCURRENTLY, DROP INDEX
 * CONCURRENTLY, REINDEX CONCURRENTLY, ...) runs while a second session in the same database holds
 * a snapshot and a share lock on the table. Such statements wait for older transactions once their
 * first phase has committed, so the drill always sees them part-way, holding their locks, however
 * fast they are: it samples pg_locks, then releases the second session (the statement goes on and
 * finishes) or, for the crash drill, terminates the statement's backend, which leaves what
 * PostgreSQL leaves when a concurrent build dies: an invalid index. A statement that never waits
 * (VACUUM) just runs, sampled as it goes. Returns 0 or -1 (error in err).
 */
static int run_held(struct exec_env *e, struct trace *t, const struct rs_stmt *st, const char *sql,
                    struct rs_drill_stmt *rec, bool kill, struct rs_pg_error *err)
{
    struct rs_drill_crash *cr = e->crash;
    struct rs_diag d;
    struct arena tmp = ARENA_INIT;
    rs_diag_init(&d, &tmp);
    const char *table = blocker_table(e, st);
    PGconn *blocker = e->conninfo ? rs_pg_connect(e->conninfo, 10, &d) : NULL;
    if (blocker) {
        struct rs_pg_error berr;
        rs_pg_exec(blocker, e->a, "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT 1", &berr);
        if (table) {
            char *q = arena_printf(e->a, "SELECT 1 FROM %s LIMIT 0", table);
            rs_pg_exec(blocker, e->a, q, &berr);
        }
    }
    double t0 = dq_now_ms();
    rec->ran = true;
    rec->autocommit = true;
    bool waiting = false, finished = false;
    int rc = 0;
    memset(err, 0, sizeof(*err));
    if (!PQsendQuery(e->c, sql)) {
        err->message = arena_strdup(e->a, PQerrorMessage(e->c));
        rc = -1;
        finished = true;
    }
    struct pollfd pfd = {.fd = PQsocket(e->c), .events = POLLIN};
    char q[160];
    snprintf(q, sizeof(q),
             "SELECT 1 FROM pg_catalog.pg_locks WHERE pid = %d AND NOT granted LIMIT 1", e->pid);
    while (!finished) {
        if (!PQconsumeInput(e->c) || !PQisBusy(e->c)) {
            finished = true;
            break;
        }
        if (t)
            read_locks(t, e->mon, e->pid, st->index);
        if (blocker && !waiting) {
            PGresult *r = PQexec(e->mon, q);
            waiting = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0;
            PQclear(r);
            if (waiting) {
                if (t)
                    read_locks(t, e->mon, e->pid, st->index);
                if (kill)
                    break;
                PQfinish(blocker); /* its transaction ends: the statement goes on */
                blocker = NULL;
                continue;
            }
        }
        double ran = dq_now_ms() - t0;
        poll(&pfd, 1, ran > 1000 ? 10 : 1);
    }
    if (finished && rc == 0)
        rc = collect(e->c, e->a, err);
    rec->ms = dq_now_ms() - t0;
    rec->ok = rc == 0 && finished;
    rec->committed = rec->ok;
    if (kill) {
        terminate(e);
        if (waiting && !finished) {
            cr->killed = true;
            cr->how = arena_printf(e->a,
                                   "statement %d (%s) runs outside a transaction; it was killed "
                                   "while it ran (waiting for an older transaction that a second "
                                   "session held open on purpose)",
                                   st->index, st->tag ? st->tag : "statement");
        } else {
            cr->how = arena_printf(e->a,
                                   "statement %d (%s) runs outside a transaction and finished "
                                   "before it could be killed; the session was killed right after "
                                   "it",
                                   st->index, st->tag ? st->tag : "statement");
            cr->note = rc == 0
                           ? "the statement never waited for another session, so there was "
                             "no moment to kill it part-way: its effects are committed"
                           : arena_printf(e->a, "statement %d failed: %s", st->index, err->message);
        }
    }
    if (blocker)
        PQfinish(blocker);
    arena_free(&tmp);
    return rec->ok ? 0 : -1;
}

/* ---------------------------------------------------------------- the script */

static void mark_committed(struct rs_drill_step *out, size_t upto, size_t *pending_from)
{
    for (size_t i = *pending_from; i < upto; i++)
        if (out->stmts[i].ran && out->stmts[i].ok)
            out->stmts[i].committed = true;
    *pending_from = upto;
}

static void fail(struct exec_env *e, struct rs_drill_step *out, const struct rs_script *s,
                 const struct rs_stmt *st, const struct rs_pg_error *err)
{
    struct rs_drill_error *de = dq_error(e->a, err);
    de->path = s->src ? s->src->path : NULL;
    de->stmt = st ? st->index : 0;
    if (st && s->src) {
        size_t off = st->offset;
        if (err->position > 0) {
            size_t rel = rs_pg_position_offset(s->text + st->offset, err->position);
            if (rel < st->len)
                off += rel;
        }
        rs_source_position(s->src, off, &de->line, &de->column);
    }
    out->error = de;
    out->ok = false;
}

static int count_runnable(const struct rs_stmt_list *stmts)
{
    int n = 0;
    for (size_t i = 0; i < stmts->n; i++)
        n += stmts->v[i].kind != RS_STMT_PSQL_META;
    return n;
}

int exec_script(struct exec_env *e, const struct rs_script *s, const struct rs_stmt_list *stmts,
                enum rs_txmode mode, struct rs_drill_step *out)
{
    memset(out, 0, sizeof(*out));
    out->ran = true;
    out->ok = true;
    out->nstmts = stmts->n;
    out->stmts = arena_alloc(e->a, (stmts->n + 1) * sizeof(*out->stmts));
    struct trace tr = {.a = e->a, .before = e->before};
    struct trace *t = e->before ? &tr : NULL;
    if (t) {
        tr.filenode = arena_alloc(e->a, (e->before->nrels + 1) * sizeof(unsigned));
        for (size_t i = 0; i < e->before->nrels; i++)
            tr.filenode[i] = e->before->rels[i].filenode;
    }
    bool multi = count_runnable(stmts) > 1;
    bool tool_tx =
        mode == RS_TX_WRAPPED || mode == RS_TX_GROUP || (mode == RS_TX_IMPLICIT && multi);
    struct rs_pg_error err;
    size_t pending = 0; /* first statement of the open transaction */
    bool lost = false;
    double t0 = dq_now_ms();
    exec_set_cancel_target(e->c);
    if (tool_tx && simple(e, "BEGIN") < 0) {
        fail(e, out, s, NULL, &(struct rs_pg_error){.message = "BEGIN failed"});
        lost = PQstatus(e->c) != CONNECTION_OK;
        goto done;
    }
    for (size_t i = 0; i < stmts->n; i++) {
        const struct rs_stmt *st = &stmts->v[i];
        struct rs_drill_stmt *rec = &out->stmts[i];
        rec->index = st->index;
        rec->line = st->line;
        rec->tag = st->tag;
        rec->summary = dq_summary(e->a, s->text + st->offset, st->len, 72);
        if (st->kind == RS_STMT_PSQL_META)
            continue;
        if (e->interrupted && *e->interrupted) {
            fail(e, out, s, st, &(struct rs_pg_error){.message = "interrupted"});
            break;
        }
        const char *sql = arena_strndup(e->a, s->text + st->offset, st->len);
        bool tx_ctl = st->kind == RS_STMT_TRANSACTION;
        /* One simple query of several statements: after a COMMIT in it, the rest is again one
           implicit transaction. */
        if (mode == RS_TX_IMPLICIT && multi && !in_tx(e->c) && !tx_ctl) {
            simple(e, "BEGIN");
            pending = i;
        }
        bool crash_here = e->crash_at && st->index == e->crash_at;
        if (crash_here && tx_ctl) {
            /* Killed before BEGIN/COMMIT/ROLLBACK runs: an open transaction is rolled back. */
            terminate(e);
            e->crash->killed = true;
            e->crash->how = arena_printf(e->a,
                                         "the session was killed when it reached statement %d "
                                         "(%s), before it ran",
                                         st->index, st->tag);
            goto done_crash;
        }
        bool autocommit = !in_tx(e->c) && !tx_ctl;
        if (autocommit && needs_autocommit(st)) {
            int rc = run_held(e, t, st, sql, rec, crash_here, &err);
            if (crash_here) {
                if (rec->committed)
                    pending = i + 1;
                goto done_crash;
            }
            if (t && rc == 0)
                read_rewrites(t, e->c, st->index);
            if (rc < 0) {
                fail(e, out, s, st, &err);
                break;
            }
            rec->committed = true;
            pending = i + 1;
            continue;
        }
        bool wrapper = autocommit;
        if (wrapper) {
            if (simple(e, "BEGIN") < 0) {
                fail(e, out, s, st, &(struct rs_pg_error){.message = "BEGIN failed"});
                break;
            }
            pending = i;
            tr.seen.n = 0;
        }
        double s0 = dq_now_ms();
        int rc = run_sql(e, t, sql, false, st->index, &err);
        rec->ms = dq_now_ms() - s0;
        rec->ran = true;
        rec->ok = rc == 0;
        if (rc < 0 && wrapper && !strcmp(err.sqlstate, "25001")) {
            /* It cannot run in a transaction after all: run it on its own. */
            simple(e, "ROLLBACK");
            s0 = dq_now_ms();
            rc = run_sql(e, t, sql, true, st->index, &err);
            rec->ms = dq_now_ms() - s0;
            rec->ok = rc == 0;
            rec->autocommit = true;
            wrapper = false;
            if (rc == 0) {
                rec->committed = true;
                pending = i + 1;
                if (t)
                    read_rewrites(t, e->c, st->index);
                continue;
            }
        }
        if (rc < 0) {
            fail(e, out, s, st, &err);
            if (crash_here)
                e->crash->note = arena_printf(e->a,
                                              "statement %d failed before it could be "
                                              "killed: %s",
                                              st->index, err.message);
            break;
        }
        if (t && in_tx(e->c)) {
            read_locks(t, e->c, e->pid, st->index);
            read_rewrites(t, e->c, st->index);
        }
        if (crash_here) {
            terminate(e);
            e->crash->killed = true;
            e->crash->how = arena_printf(
                e->a,
                "the session was killed after statement %d (%s) had run and before its "
                "transaction committed: PostgreSQL rolled that transaction back, exactly as when "
                "a statement is killed while it runs",
                st->index, st->tag ? st->tag : "statement");
            goto done_crash;
        }
        if (tx_ctl && (st->tx == RS_TXK_COMMIT || st->tx == RS_TXK_ROLLBACK) && !in_tx(e->c)) {
            if (st->tx == RS_TXK_COMMIT)
                mark_committed(out, i + 1, &pending);
            pending = i + 1;
            tr.seen.n = 0;
        }
        if (tx_ctl && st->tx == RS_TXK_BEGIN)
            tr.seen.n = 0;
        if (wrapper) {
            if (simple(e, "COMMIT") < 0) {
                fail(e, out, s, st, &(struct rs_pg_error){.message = "COMMIT failed"});
                break;
            }
            rec->committed = true;
            pending = i + 1;
        }
    }
    if (e->crash_at && e->crash && e->c && !e->crash->note) {
        if (!out->ok && out->error)
            e->crash->note = arena_printf(e->a,
                                          "the up stopped at statement %d (%s) before statement "
                                          "%d: nothing was killed",
                                          out->error->stmt, out->error->message, e->crash_at);
        else
            e->crash->note = arena_printf(e->a, "the up has %d statements: nothing was killed",
                                          count_runnable(stmts));
    }
    if (e->c && PQstatus(e->c) != CONNECTION_OK)
        lost = true;
    if (e->c && !lost) {
        if (out->ok && in_tx(e->c)) {
            if (tool_tx || (mode == RS_TX_IMPLICIT && multi)) {
                if (simple(e, "COMMIT") < 0) {
                    fail(e, out, s, NULL, &(struct rs_pg_error){.message = "COMMIT failed"});
                } else {
                    mark_committed(out, stmts->n, &pending);
                }
            } else {
                out->note = "the script leaves a transaction open; it was rolled back, as at "
                            "the end of a session";
                simple(e, "ROLLBACK");
            }
        } else if (in_tx(e->c)) {
            simple(e, "ROLLBACK");
        }
        /* Statements committed on their own before a failure stay. */
        for (size_t i = 0; i < stmts->n; i++)
            out->committed_stmts += out->stmts[i].committed;
        simple(e, "DISCARD ALL");
        char set[64];
        snprintf(set, sizeof(set), "SET statement_timeout = '%ds'",
                 e->statement_timeout_s > 0 ? e->statement_timeout_s : 300);
        simple(e, set);
    }
    goto done;
done_crash:
    for (size_t i = 0; i < stmts->n; i++)
        out->committed_stmts += out->stmts[i].committed;
    if (!out->error) {
        out->ok = false;
        struct rs_drill_error *de = arena_alloc(e->a, sizeof(*de));
        de->message = "killed by the crash drill";
        de->sqlstate = "57P01";
        out->error = de;
    }
done:
    out->ms = dq_now_ms() - t0;
    if (e->c)
        exec_set_cancel_target(NULL);
    if (t) {
        out->locks = tr.locks.v;
        out->nlocks = tr.locks.n;
        out->rewrites = tr.rewrites.v;
        out->nrewrites = tr.rewrites.n;
    }
    return lost ? -1 : 0;
}
