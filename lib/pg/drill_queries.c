/*
 * drill_queries.c - the previous application version's queries (--previous-queries), run against
 * the database before and after up.
 *
 * Each statement of each .sql file is prepared (so that PostgreSQL resolves every name and type in
 * it) and executed with NULL for every $n parameter, inside a transaction that is always rolled
 * back, with a 5-second statement timeout. A query counts as broken by the migration when it
 * prepared (or ran) before up and does not after. A query that already fails before up says
 * nothing about the migration: it is set aside with a note.
 *
 * Not here: pg_stat_statements exports, and guessing parameter values (NULL makes some statements
 * fail at run time, e.g. an INSERT into a NOT NULL column; preparing still proves the names).
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pg/drill_int.h"

struct prevq_item {
    const char *sql, *path, *summary;
    int line;
};

struct prevq {
    struct prevq_item *v;
    size_t n;
};

static int name_cmp(const void *pa, const void *pb)
{
    return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

static void add_file(struct arena *a, struct prevq *q, void *vec, const char *path,
                     struct rs_diag *diag)
{
    VEC(struct prevq_item) *v = vec;
    struct rs_source *src = rs_source_load(a, path, diag);
    if (!src)
        return;
    struct rs_stmt_list stmts = {0};
    rs_sql_parse_text(a, src->text, src->len, src, &stmts);
    for (size_t i = 0; i < stmts.n; i++) {
        const struct rs_stmt *st = &stmts.v[i];
        if (st->kind == RS_STMT_TRANSACTION || st->kind == RS_STMT_PSQL_META ||
            st->kind == RS_STMT_SET)
            continue;
        struct prevq_item *it = VEC_PUSH(a, v);
        it->sql = arena_strndup(a, src->text + st->offset, st->len);
        it->path = src->path;
        it->line = st->line;
        it->summary = dq_summary(a, it->sql, st->len, 100);
    }
    (void)q;
}

static void add_dir(struct arena *a, struct prevq *q, void *vec, const char *dir,
                    struct rs_diag *diag)
{
    DIR *d = opendir(dir);
    if (!d) {
        rs_diag_add(diag, dir, 0, 0, NULL, "cannot read the directory of previous queries");
        return;
    }
    VEC(char *) names = {0};
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            *VEC_PUSH(a, &names) = arena_strdup(a, e->d_name);
    closedir(d);
    if (names.n > 1)
        qsort(names.v, names.n, sizeof(char *), name_cmp);
    for (size_t i = 0; i < names.n; i++) {
        char *path = arena_printf(a, "%s/%s", dir, names.v[i]);
        struct stat st;
        if (stat(path, &st) < 0)
            continue;
        size_t len = strlen(names.v[i]);
        if (S_ISDIR(st.st_mode))
            add_dir(a, q, vec, path, diag);
        else if (len > 4 && !strcmp(names.v[i] + len - 4, ".sql"))
            add_file(a, q, vec, path, diag);
    }
}

struct prevq *prevq_load(struct arena *a, const char *path, struct rs_diag *diag)
{
    struct prevq *q = arena_alloc(a, sizeof(*q));
    VEC(struct prevq_item) v = {0};
    struct stat st;
    size_t nerr = diag->n;
    if (stat(path, &st) < 0) {
        rs_diag_add(diag, path, 0, 0, "give a .sql file or a directory of them",
                    "--previous-queries: no such file or directory");
        return NULL;
    }
    if (S_ISDIR(st.st_mode))
        add_dir(a, q, &v, path, diag);
    else
        add_file(a, q, &v, path, diag);
    if (diag->n > nerr)
        return NULL;
    q->v = v.v;
    q->n = v.n;
    return q;
}

int prevq_run_all(PGconn *c, struct arena *a, const struct prevq *q, struct prevq_run *out)
{
    out->state = arena_alloc(a, q->n + 1);
    out->error = arena_alloc(a, (q->n + 1) * sizeof(char *));
    struct rs_pg_error err;
    for (size_t i = 0; i < q->n; i++) {
        out->state[i] = -1;
        if (rs_pg_exec(c, a, "BEGIN; SET LOCAL statement_timeout = '5s'", &err) < 0)
            return PQstatus(c) == CONNECTION_OK ? 0 : -1;
        PGresult *r = PQprepare(c, "", q->v[i].sql, 0, NULL);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            const char *m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
            out->state[i] = 0;
            out->error[i] = arena_strdup(a, m ? m : PQerrorMessage(c));
            PQclear(r);
        } else {
            PQclear(r);
            r = PQdescribePrepared(c, "");
            int np = PQresultStatus(r) == PGRES_COMMAND_OK ? PQnparams(r) : 0;
            PQclear(r);
            const char **vals = arena_alloc(a, ((size_t)np + 1) * sizeof(char *));
            r = PQexecPrepared(c, "", np, vals, NULL, NULL, 0);
            ExecStatusType s = PQresultStatus(r);
            if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) {
                out->state[i] = 2;
            } else {
                const char *m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
                out->state[i] = 1;
                out->error[i] = arena_strdup(a, m ? m : PQerrorMessage(c));
            }
            PQclear(r);
        }
        if (rs_pg_exec(c, a, "ROLLBACK", &err) < 0 && PQstatus(c) != CONNECTION_OK)
            return -1;
    }
    return 0;
}

void prevq_compare(struct arena *a, const struct prevq *q, const struct prevq_run *before,
                   const struct prevq_run *after, struct rs_drill_queries *out)
{
    memset(out, 0, sizeof(*out));
    out->ran = true;
    VEC(struct rs_drill_query_failure) failed = {0};
    VEC(const char *) notes = {0};
    for (size_t i = 0; i < q->n; i++) {
        int b = before->state[i], f = after->state[i];
        const struct prevq_item *it = &q->v[i];
        if (b < 0 || f < 0)
            continue;
        out->total++;
        if (b == 0) {
            out->skipped++;
            *VEC_PUSH(a, &notes) = arena_printf(a, "%s:%d: fails before the migration too: %s",
                                                it->path, it->line, before->error[i]);
            continue;
        }
        if (f >= b)
            continue;
        struct rs_drill_query_failure *qf = VEC_PUSH(a, &failed);
        qf->query = it->summary;
        qf->path = it->path;
        qf->line = it->line;
        qf->error = arena_strdup(a, after->error[i] ? after->error[i] : "failed");
    }
    out->failed = failed.v;
    out->nfailed = failed.n;
    out->notes = notes.v;
    out->nnotes = notes.n;
}
