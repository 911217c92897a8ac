/*
 * conn.h - small libpq helpers: connect with a timeout, run SQL and get errors back as values.
 *
 * Every connection made here discards server notices (libpq's default prints them to stderr, and
 * the library never prints). Errors are struct rs_pg_error values whose strings live in the arena
 * the caller passes; a connection failure is an rs_error in an rs_diag.
 *
 * This file does not start servers (server.h), does not parse SQL and does not split scripts into
 * statements: a string given to rs_pg_exec() goes to the server as one simple query.
 */
#ifndef RS_PG_CONN_H
#define RS_PG_CONN_H

#include <stddef.h>

#include "pg/pq.h"
#include "rollsafe/diag.h"

struct arena;

/* An error as the server (or libpq) reported it. */
struct rs_pg_error {
    char sqlstate[6];    /* five characters, e.g. "42601"; "" when libpq itself failed */
    const char *message; /* primary message, never NULL after a failure */
    const char *detail, *hint, *context; /* or NULL */
    int position; /* 1-based position in characters in the SQL string, 0 when unknown */
};

/*
 * Loads libpq (pq.h) unless it is loaded. Returns 0, or -1 with an rs_error in d that names the
 * library and what to do. The entry points of lib/pg/ call it before their first PQ* call.
 */
int rs_pg_load(struct rs_diag *d);

/*
 * Connects to conninfo (a "key=value" string or a postgresql:// URL), giving up after timeout_s
 * seconds (0: 10; libpq counts at least 2). Sets fallback_application_name=rollsafe. Returns the
 * connection, to be closed with PQfinish(), or NULL with an rs_error in d.
 */
PGconn *rs_pg_connect(const char *conninfo, int timeout_s, struct rs_diag *d);

/*
 * Runs sql (one or several statements, as one simple query: an implicit transaction unless it
 * contains its own BEGIN/COMMIT). Rows are discarded. COPY ... FROM STDIN is refused and COPY ...
 * TO STDOUT is drained. Returns 0, or -1 with *err filled (strings in a). err may be NULL.
 */
int rs_pg_exec(PGconn *c, struct arena *a, const char *sql, struct rs_pg_error *err);

/*
 * Runs a query and returns the first column of its first row in *value (copied into a), or NULL
 * when there is no row or the value is SQL NULL. Returns 0, or -1 with *err filled (value NULL).
 */
int rs_pg_query_value(PGconn *c, struct arena *a, const char *sql, char **value,
                      struct rs_pg_error *err);

/*
 * Ends the COPY that a result of status st (from PQgetResult) started: COPY ... FROM STDIN is
 * refused with the message why (the server then sends an error result), COPY ... TO STDOUT is
 * read and dropped. Does nothing for any other status.
 */
void rs_pg_end_copy(PGconn *c, ExecStatusType st, const char *why);

/* The server's version number as PQserverVersion() gives it (e.g. 150014), 0 when unknown. */
int rs_pg_server_version_num(const PGconn *c);

/*
 * CREATE DATABASE name [TEMPLATE template_name] (template_name may be NULL), with both names
 * quoted as identifiers. PostgreSQL copies the template's files, which is the fast way to get
 * many identical scratch databases; it fails (55006) while anyone is connected to the template.
 * Returns 0, or -1 with *err filled.
 */
int rs_pg_create_database(PGconn *c, struct arena *a, const char *name, const char *template_name,
                          struct rs_pg_error *err);

/*
 * DROP DATABASE IF EXISTS name, with WITH (FORCE) on PostgreSQL 13 and later so that sessions
 * still connected to it are ended. Returns 0, or -1 with *err filled.
 */
int rs_pg_drop_database(PGconn *c, struct arena *a, const char *name, struct rs_pg_error *err);

/*
 * Converts an error position (1-based, counted in characters of the UTF-8 string sql) into a
 * byte offset into sql. Positions past the end give strlen(sql); position 0 gives 0.
 */
size_t rs_pg_position_offset(const char *sql, int position);

#endif
