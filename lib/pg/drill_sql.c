/*
 * drill_sql.c - small helpers the drill's files share: queries whose rows are kept, identifiers,
 * display names, statement summaries, the clock, and the list of migration tools' state tables.
 *
 * Nothing here runs migration SQL: that is drill_exec.c.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "pg/drill_int.h"

PGresult *dq_query(PGconn *c, struct arena *a, const char *sql, struct rs_pg_error *err)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
        return r;
    if (err) {
        memset(err, 0, sizeof(*err));
        const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
        if (state)
            snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", state);
        const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
        if (!msg)
            msg = PQerrorMessage(c);
        size_t n = msg ? strlen(msg) : 0;
        while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
            n--;
        err->message = n ? arena_strndup(a, msg, n) : "connection lost";
        const char *detail = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL) : NULL;
        err->detail = detail ? arena_strdup(a, detail) : NULL;
    }
    PQclear(r);
    return NULL;
}

char *dq_value(struct arena *a, const PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col))
        return NULL;
    return arena_strdup(a, PQgetvalue(r, row, col));
}

const char *dq_display(struct arena *a, const char *schema, const char *name)
{
    if (!schema || !strcmp(schema, "public"))
        return arena_strdup(a, name);
    return arena_printf(a, "%s.%s", schema, name);
}

const char *dq_qualified(struct arena *a, const char *schema, const char *name)
{
    struct strbuf sb;
    sb_init(&sb, a);
    sb_add_quoted_ident(&sb, schema);
    sb_addc(&sb, '.');
    sb_add_quoted_ident(&sb, name);
    return sb.s;
}

const char *dq_summary(struct arena *a, const char *text, size_t len, size_t max)
{
    struct strbuf sb;
    sb_init(&sb, a);
    bool space = false;
    size_t chars = 0;
    for (size_t i = 0; i < len && text[i]; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch == '\n' && sb.len)
            break; /* first line only */
        if (isspace(ch)) {
            space = sb.len > 0;
            continue;
        }
        if (space) {
            sb_addc(&sb, ' ');
            chars++;
            space = false;
        }
        if (chars >= max) {
            sb_add(&sb, "...");
            return sb.s;
        }
        sb_addc(&sb, (char)ch);
        if ((ch & 0xC0) != 0x80)
            chars++;
    }
    /* A statement that goes on after its first line. */
    size_t rest = 0;
    while (rest < len && text[rest] && text[rest] != '\n')
        rest++;
    while (rest < len && text[rest] && isspace((unsigned char)text[rest]))
        rest++;
    if (rest < len && text[rest] && sb.len && sb.s[sb.len - 1] != ';')
        sb_add(&sb, " ...");
    return sb.s;
}

double dq_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

struct rs_drill_error *dq_error(struct arena *a, const struct rs_pg_error *e)
{
    struct rs_drill_error *d = arena_alloc(a, sizeof(*d));
    d->message = arena_strdup(a, e->message ? e->message : "unknown error");
    d->sqlstate = arena_strdup(a, e->sqlstate);
    d->detail = e->detail ? arena_strdup(a, e->detail) : NULL;
    d->hint = e->hint ? arena_strdup(a, e->hint) : NULL;
    return d;
}

bool dq_is_tool_table(const char *schema, const char *name)
{
    static const char *const schemas[] = {"sqitch", "atlas_schema_revisions", "pgroll", NULL};
    static const char *const tables[] = {
        "schema_migrations",      "goose_db_version",           "flyway_schema_history",
        "_prisma_migrations",     "__diesel_schema_migrations", "__drizzle_migrations",
        "atlas_schema_revisions", "databasechangelog",          "databasechangeloglock",
        "alembic_version",        "ar_internal_metadata",       NULL,
    };
    for (size_t i = 0; schema && schemas[i]; i++)
        if (!strcasecmp(schema, schemas[i]))
            return true;
    for (size_t i = 0; name && tables[i]; i++)
        if (!strcasecmp(name, tables[i]))
            return true;
    return false;
}
