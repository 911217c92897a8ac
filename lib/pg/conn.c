/*
 * conn.c - small libpq helpers (see conn.h): connect, exec, one value, create/drop database.
 *
 * It turns libpq results into rs_pg_error values and keeps libpq from printing notices. It does not
 * retry, does not keep state between calls and does not know about the scratch server.
 */
#include "pg/conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/strbuf.h"

static void discard_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* libpq messages end in a newline (sometimes two lines); keep them as one trimmed string. */
static char *trimmed(struct arena *a, const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
        n--;
    return arena_strndup(a, s, n);
}

int rs_pg_load(struct rs_diag *d)
{
    const char *why;
    if (rs_pq_load(&why) == 0)
        return 0;
    rs_diag_add(d, NULL, 0, 0, NULL, "%s", why);
    return -1;
}

PGconn *rs_pg_connect(const char *conninfo, int timeout_s, struct rs_diag *d)
{
    if (rs_pg_load(d) < 0)
        return NULL;
    char timeout[16];
    snprintf(timeout, sizeof(timeout), "%d", timeout_s > 0 ? timeout_s : 10);
    /* With expand_dbname, keywords after "dbname" override what the string says. */
    const char *const keys[] = {"dbname", "connect_timeout", "fallback_application_name", NULL};
    const char *const vals[] = {conninfo, timeout, "rollsafe", NULL};
    PGconn *c = PQconnectdbParams(keys, vals, 1);
    if (!c) {
        rs_diag_add(d, NULL, 0, 0, NULL, "cannot connect to PostgreSQL: out of memory");
        return NULL;
    }
    if (PQstatus(c) != CONNECTION_OK) {
        char *msg = trimmed(d->arena, PQerrorMessage(c));
        rs_diag_add(d, NULL, 0, 0, "check that the server is running and the connection string",
                    "cannot connect to PostgreSQL: %s", msg && *msg ? msg : "unknown error");
        PQfinish(c);
        return NULL;
    }
    PQsetNoticeProcessor(c, discard_notice, NULL);
    return c;
}

static void fill_error(PGconn *c, const PGresult *r, struct arena *a, struct rs_pg_error *err)
{
    if (!err)
        return;
    memset(err, 0, sizeof(*err));
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (state) {
        strncpy(err->sqlstate, state, sizeof(err->sqlstate) - 1);
        err->sqlstate[sizeof(err->sqlstate) - 1] = '\0';
    }
    const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    err->message = trimmed(a, primary ? primary : PQerrorMessage(c));
    if (!err->message || !*err->message)
        err->message = "unknown error (the connection may have been lost)";
    if (r) {
        err->detail = trimmed(a, PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL));
        err->hint = trimmed(a, PQresultErrorField(r, PG_DIAG_MESSAGE_HINT));
        err->context = trimmed(a, PQresultErrorField(r, PG_DIAG_CONTEXT));
        const char *pos = PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION);
        err->position = pos ? atoi(pos) : 0;
    }
}

static void set_error(struct arena *a, struct rs_pg_error *err, const char *message)
{
    if (!err)
        return;
    memset(err, 0, sizeof(*err));
    err->message = arena_strdup(a, message);
}

/*
 * Sends sql and collects every result; the first error is reported. When keep is not
 * NULL the first row-returning result is kept there (the caller clears it).
 */
static int run(PGconn *c, struct arena *a, const char *sql, PGresult **keep,
               struct rs_pg_error *err)
{
    if (keep)
        *keep = NULL;
    if (!PQsendQuery(c, sql)) {
        fill_error(c, NULL, a, err);
        return -1;
    }
    int rc = 0;
    PGresult *r;
    while ((r = PQgetResult(c))) {
        switch (PQresultStatus(r)) {
        case PGRES_COMMAND_OK:
        case PGRES_EMPTY_QUERY:
            break;
        case PGRES_TUPLES_OK:
            if (keep && !*keep) {
                *keep = r;
                continue; /* kept: not cleared here */
            }
            break;
        case PGRES_COPY_IN: /* the server answers with an error result, reported below */
        case PGRES_COPY_OUT:
            rs_pg_end_copy(c, PQresultStatus(r), "rollsafe does not feed COPY FROM STDIN");
            break;
        default:
            if (!rc)
                fill_error(c, r, a, err);
            rc = -1;
            break;
        }
        PQclear(r);
        if (PQstatus(c) == CONNECTION_BAD) {
            if (!rc)
                fill_error(c, NULL, a, err);
            rc = -1;
            break;
        }
    }
    if (rc && keep && *keep) {
        PQclear(*keep);
        *keep = NULL;
    }
    return rc;
}

void rs_pg_end_copy(PGconn *c, ExecStatusType st, const char *why)
{
    if (st == PGRES_COPY_IN) {
        PQputCopyEnd(c, why);
    } else if (st == PGRES_COPY_OUT) {
        char *buf;
        while (PQgetCopyData(c, &buf, 0) > 0)
            PQfreemem(buf);
    }
}

int rs_pg_exec(PGconn *c, struct arena *a, const char *sql, struct rs_pg_error *err)
{
    return run(c, a, sql, NULL, err);
}

int rs_pg_query_value(PGconn *c, struct arena *a, const char *sql, char **value,
                      struct rs_pg_error *err)
{
    *value = NULL;
    PGresult *r;
    if (run(c, a, sql, &r, err) < 0)
        return -1;
    if (r && PQntuples(r) > 0 && PQnfields(r) > 0 && !PQgetisnull(r, 0, 0))
        *value = arena_strdup(a, PQgetvalue(r, 0, 0));
    PQclear(r);
    return 0;
}

int rs_pg_server_version_num(const PGconn *c)
{
    return c ? PQserverVersion(c) : 0;
}

int rs_pg_create_database(PGconn *c, struct arena *a, const char *name, const char *template_name,
                          struct rs_pg_error *err)
{
    if (!name || !*name) {
        set_error(a, err, "empty database name");
        return -1;
    }
    struct strbuf sb;
    sb_init(&sb, a);
    sb_add(&sb, "CREATE DATABASE ");
    sb_add_quoted_ident(&sb, name);
    if (template_name) {
        sb_add(&sb, " TEMPLATE ");
        sb_add_quoted_ident(&sb, template_name);
    }
    return rs_pg_exec(c, a, sb.s, err);
}

int rs_pg_drop_database(PGconn *c, struct arena *a, const char *name, struct rs_pg_error *err)
{
    if (!name || !*name) {
        set_error(a, err, "empty database name");
        return -1;
    }
    struct strbuf sb;
    sb_init(&sb, a);
    sb_add(&sb, "DROP DATABASE IF EXISTS ");
    sb_add_quoted_ident(&sb, name);
    if (PQserverVersion(c) >= 130000)
        sb_add(&sb, " WITH (FORCE)");
    return rs_pg_exec(c, a, sb.s, err);
}

size_t rs_pg_position_offset(const char *sql, int position)
{
    size_t off = 0;
    /* Count characters as UTF-8 lead bytes: continuation bytes are 10xxxxxx. */
    for (int chars = 1; chars < position && sql[off]; chars++) {
        off++;
        while (((unsigned char)sql[off] & 0xC0) == 0x80)
            off++;
    }
    return off;
}
