/*
 * pq.h - libpq, loaded with dlopen() the first time it is needed.
 *
 * Linking libpq costs every run of the tool about 5 ms before main() (libpq brings TLS, Kerberos
 * and LDAP with it), and only `rollsafe drill` uses it. So the binary does not link it: lib/pg/
 * includes this header instead of <libpq-fe.h>, which still supplies the types and prototypes at
 * compile time, and every PQ* name below becomes a call through a function pointer filled by
 * rs_pq_load(). The entry points that first need libpq (rs_pg_connect, rs_pgserver_start,
 * rs_drill_run) call rs_pg_load() (conn.h); any other function of lib/pg/ is only reached with a
 * connection, so after a successful load.
 *
 * The library loaded is $ROLLSAFE_LIBPQ when set (a libpq in a non-standard place), else
 * libpq.so.5, else libpq.so. It is never unloaded. Not thread-safe: the drill is single-threaded.
 */
#ifndef RS_PG_PQ_H
#define RS_PG_PQ_H

#include <libpq-fe.h>

/* Every libpq function the tree calls; add one here before using it. */
#define RS_PQ_FUNCTIONS(X)                                                                         \
    X(PQbackendPID)                                                                                \
    X(PQcancel)                                                                                    \
    X(PQclear)                                                                                     \
    X(PQcmdTuples)                                                                                 \
    X(PQconnectdbParams)                                                                           \
    X(PQconninfoFree)                                                                              \
    X(PQconninfoParse)                                                                             \
    X(PQconsumeInput)                                                                              \
    X(PQdescribePrepared)                                                                          \
    X(PQenterPipelineMode)                                                                         \
    X(PQerrorMessage)                                                                              \
    X(PQexec)                                                                                      \
    X(PQexecPrepared)                                                                              \
    X(PQexitPipelineMode)                                                                          \
    X(PQfinish)                                                                                    \
    X(PQflush)                                                                                     \
    X(PQfreeCancel)                                                                                \
    X(PQfreemem)                                                                                   \
    X(PQgetCancel)                                                                                 \
    X(PQgetCopyData)                                                                               \
    X(PQgetResult)                                                                                 \
    X(PQgetisnull)                                                                                 \
    X(PQgetvalue)                                                                                  \
    X(PQisBusy)                                                                                    \
    X(PQnfields)                                                                                   \
    X(PQnparams)                                                                                   \
    X(PQntuples)                                                                                   \
    X(PQping)                                                                                      \
    X(PQpipelineSync)                                                                              \
    X(PQprepare)                                                                                   \
    X(PQputCopyEnd)                                                                                \
    X(PQresultErrorField)                                                                          \
    X(PQresultStatus)                                                                              \
    X(PQsendQuery)                                                                                 \
    X(PQsendQueryParams)                                                                           \
    X(PQserverVersion)                                                                             \
    X(PQsetNoticeProcessor)                                                                        \
    X(PQsocket)                                                                                    \
    X(PQstatus)                                                                                    \
    X(PQtransactionStatus)

/* One pointer per function, typed from libpq-fe.h's own prototype. */
struct rs_pq_api {
#define RS_PQ_MEMBER(name) __typeof__(&name) name;
    RS_PQ_FUNCTIONS(RS_PQ_MEMBER)
#undef RS_PQ_MEMBER
};

extern struct rs_pq_api rs_pq;

/*
 * Loads libpq and resolves every function above. Returns 0 when it is loaded (the calls after a
 * success cost a test), or -1 with *why (may be NULL) set to a message naming the library, the
 * loader's reason and what to do; the message lives in a static buffer until the next call.
 */
int rs_pq_load(const char **why);

/* From here on the PQ* names are the loaded functions. */
#define PQbackendPID (rs_pq.PQbackendPID)
#define PQcancel (rs_pq.PQcancel)
#define PQclear (rs_pq.PQclear)
#define PQcmdTuples (rs_pq.PQcmdTuples)
#define PQconnectdbParams (rs_pq.PQconnectdbParams)
#define PQconninfoFree (rs_pq.PQconninfoFree)
#define PQconninfoParse (rs_pq.PQconninfoParse)
#define PQconsumeInput (rs_pq.PQconsumeInput)
#define PQdescribePrepared (rs_pq.PQdescribePrepared)
#define PQenterPipelineMode (rs_pq.PQenterPipelineMode)
#define PQerrorMessage (rs_pq.PQerrorMessage)
#define PQexec (rs_pq.PQexec)
#define PQexecPrepared (rs_pq.PQexecPrepared)
#define PQexitPipelineMode (rs_pq.PQexitPipelineMode)
#define PQfinish (rs_pq.PQfinish)
#define PQflush (rs_pq.PQflush)
#define PQfreeCancel (rs_pq.PQfreeCancel)
#define PQfreemem (rs_pq.PQfreemem)
#define PQgetCancel (rs_pq.PQgetCancel)
#define PQgetCopyData (rs_pq.PQgetCopyData)
#define PQgetResult (rs_pq.PQgetResult)
#define PQgetisnull (rs_pq.PQgetisnull)
#define PQgetvalue (rs_pq.PQgetvalue)
#define PQisBusy (rs_pq.PQisBusy)
#define PQnfields (rs_pq.PQnfields)
#define PQnparams (rs_pq.PQnparams)
#define PQntuples (rs_pq.PQntuples)
#define PQping (rs_pq.PQping)
#define PQpipelineSync (rs_pq.PQpipelineSync)
#define PQprepare (rs_pq.PQprepare)
#define PQputCopyEnd (rs_pq.PQputCopyEnd)
#define PQresultErrorField (rs_pq.PQresultErrorField)
#define PQresultStatus (rs_pq.PQresultStatus)
#define PQsendQuery (rs_pq.PQsendQuery)
#define PQsendQueryParams (rs_pq.PQsendQueryParams)
#define PQserverVersion (rs_pq.PQserverVersion)
#define PQsetNoticeProcessor (rs_pq.PQsetNoticeProcessor)
#define PQsocket (rs_pq.PQsocket)
#define PQstatus (rs_pq.PQstatus)
#define PQtransactionStatus (rs_pq.PQtransactionStatus)

#endif
