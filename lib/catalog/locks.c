/*
 * locks.c - the lock table: statement form -> lock mode, second table, work, versions.
 *
 * Facts from PostgreSQL's documentation for 11 to 18 (Explicit Locking, table "Conflicting
 * Lock Modes"; ALTER TABLE: "An ACCESS EXCLUSIVE lock is acquired unless explicitly noted"; the
 * notes of ALTER TABLE ... ATTACH / DETACH PARTITION, CREATE INDEX, DROP INDEX, REINDEX,
 * CREATE TRIGGER, REFRESH MATERIALIZED VIEW, CLUSTER, VACUUM), and checked on PostgreSQL 15:
 * each statement run inside a transaction on tables holding rows, then pg_locks read for the
 * backend (forms that cannot run in a transaction block were observed waiting behind a session
 * holding ACCESS EXCLUSIVE), relfilenode compared for rewrites and pg_stat_xact_user_tables
 * for scans. Rows marked [15] were observed that way; [docs] rows come from the documentation
 * only (a version other than 15, or a second phase that cannot be observed from one session).
 * Where a form's lock changed between versions there is one row per version range, and
 * rs_lock_fact_for picks the one for --pg-version.
 *
 * Peers disagree on some of these; PostgreSQL does not: ADD CONSTRAINT ... CHECK takes ACCESS
 * EXCLUSIVE (with or without NOT VALID), not SHARE ROW EXCLUSIVE; ALTER DOMAIN ... VALIDATE
 * CONSTRAINT takes SHARE on every table using the domain, not SHARE UPDATE EXCLUSIVE.
 *
 * The rules decide whether the work happens (a type change may or may not rewrite); this table
 * says what the form does in the case its `when` names.
 */
#include "locks.h"

#include <stddef.h>
#include <string.h>

#define AE RS_LM_ACCESS_EXCLUSIVE
#define SRE RS_LM_SHARE_ROW_EXCLUSIVE
#define SUE RS_LM_SHARE_UPDATE_EXCLUSIVE
#define SH RS_LM_SHARE
#define EX RS_LM_EXCLUSIVE
#define RE RS_LM_ROW_EXCLUSIVE
#define RSH RS_LM_ROW_SHARE
#define AS RS_LM_ACCESS_SHARE
#define NO RS_LM_NONE

enum lock_id {
    L_NONE,
    L_ADD_COLUMN,
    L_ADD_COLUMN_FK,
    L_DROP_COLUMN,
    L_ALTER_TYPE,
    L_SET_DEFAULT,
    L_SET_NOT_NULL,
    L_DROP_NOT_NULL,
    L_ADD_CHECK,
    L_ADD_FK,
    L_ADD_UNIQUE,
    L_ADD_UNIQUE_USING_INDEX,
    L_ADD_EXCLUSION,
    L_VALIDATE,
    L_DROP_CONSTRAINT,
    L_ALTER_CONSTRAINT,
    L_IDENTITY,
    L_DROP_EXPRESSION,
    L_SET_EXPRESSION,
    L_SET_LOGGED,
    L_ATTACH_PARTITION,
    L_ATTACH_PARTITION_11,
    L_DETACH_PARTITION,
    L_DETACH_CONCURRENTLY,
    L_TRIGGER_ENABLE,
    L_SET_OPTIONS,
    L_SET_STORAGE,
    L_SET_TABLESPACE,
    L_CLUSTER_ON,
    L_ALTER_OTHER,
    L_RENAME,
    L_RENAME_INDEX,
    L_CREATE_TABLE_FK,
    L_CREATE_INDEX,
    L_CREATE_INDEX_CONC,
    L_DROP_INDEX,
    L_DROP_INDEX_CONC,
    L_DROP_TABLE,
    L_DROP_OTHER_REL,
    L_DROP_SEQUENCE,
    L_TRUNCATE,
    L_CREATE_TRIGGER,
    L_DROP_TRIGGER,
    L_POLICY,
    L_VACUUM_FULL,
    L_VACUUM,
    L_CLUSTER,
    L_REINDEX,
    L_REINDEX_CONC,
    L_REFRESH,
    L_REFRESH_CONC,
    L_DOMAIN_CONSTRAINT,
    L_DOMAIN_VALIDATE,
    L_ENUM_VALUE,
    L_GRANT,
    L_DML,
    L_READ,
    L_CREATE_VIEW,
    L_COMMENT,
    L_LOCK_FIRST,
    L_LOCK_LAST = L_LOCK_FIRST + 7, /* LOCK TABLE in each of the eight modes */
    L_COUNT
};

#define LOCK_ROW(m, words)                                                                         \
    {                                                                                              \
        "LOCK TABLE ... IN " words " MODE", RS_LM_##m, NO, RS_WORK_NONE, NULL, 0, 0                \
    }

static const struct rs_lock_fact facts[L_COUNT] = {
    [L_NONE] = {"statement", NO, NO, RS_WORK_NONE, NULL, 0, 0},
    /* [15] every case of `when` rewrites; a constant default or a plain domain does not */
    [L_ADD_COLUMN] = {"ALTER TABLE ... ADD COLUMN", AE, NO, RS_WORK_REWRITE,
                      "with a volatile default, serial, identity, a stored generated column or a "
                      "domain with constraints",
                      0, 0},
    /* [15] */
    [L_ADD_COLUMN_FK] = {"ALTER TABLE ... ADD COLUMN ... REFERENCES", AE, SRE, RS_WORK_NONE,
                         "other table: the referenced one", 0, 0},
    [L_DROP_COLUMN] = {"ALTER TABLE ... DROP COLUMN", AE, NO, RS_WORK_NONE, NULL, 0, 0}, /* [15] */
    /* [15] varchar(20) -> varchar(50) kept the file; -> varchar(10) and int -> bigint rewrote */
    [L_ALTER_TYPE] = {"ALTER TABLE ... ALTER COLUMN ... TYPE", AE, NO, RS_WORK_REWRITE,
                      "unless the old type is binary coercible to the new one", 0, 0},
    [L_SET_DEFAULT] = {"ALTER TABLE ... ALTER COLUMN ... SET/DROP DEFAULT", AE, NO, RS_WORK_NONE,
                       NULL, 0, 0}, /* [15] */
    [L_SET_NOT_NULL] = {"ALTER TABLE ... ALTER COLUMN ... SET NOT NULL", AE, NO, RS_WORK_SCAN,
                        "unless a valid CHECK (column IS NOT NULL) proves it (12+)", 0,
                        0}, /* [15] */
    [L_DROP_NOT_NULL] = {"ALTER TABLE ... ALTER COLUMN ... DROP NOT NULL", AE, NO, RS_WORK_NONE,
                         NULL, 0, 0}, /* [docs] */
    /* [15] ACCESS EXCLUSIVE with and without NOT VALID */
    [L_ADD_CHECK] = {"ALTER TABLE ... ADD CONSTRAINT ... CHECK", AE, NO, RS_WORK_SCAN,
                     "unless NOT VALID", 0, 0},
    /* [15] both tables, with and without NOT VALID */
    [L_ADD_FK] = {"ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY", SRE, SRE, RS_WORK_SCAN,
                  "unless NOT VALID; other table: the referenced one", 0, 0},
    [L_ADD_UNIQUE] = {"ALTER TABLE ... ADD CONSTRAINT ... UNIQUE / PRIMARY KEY", AE, NO,
                      RS_WORK_INDEX_BUILD, NULL, 0, 0}, /* [15] */
    [L_ADD_UNIQUE_USING_INDEX] = {"ALTER TABLE ... ADD CONSTRAINT ... USING INDEX", AE, NO,
                                  RS_WORK_NONE,
                                  "(a PRIMARY KEY on nullable columns scans for NULLs)", 0, 0},
    [L_ADD_EXCLUSION] = {"ALTER TABLE ... ADD CONSTRAINT ... EXCLUDE", AE, NO, RS_WORK_INDEX_BUILD,
                         NULL, 0, 0}, /* [15] */
    /* [15] ROW SHARE on the referenced table for a foreign key */
    [L_VALIDATE] = {"ALTER TABLE ... VALIDATE CONSTRAINT", SUE, RSH, RS_WORK_SCAN,
                    "other table: the referenced one of a foreign key", 0, 0},
    /* [15] a foreign key's referenced table is locked too */
    [L_DROP_CONSTRAINT] = {"ALTER TABLE ... DROP CONSTRAINT", AE, AE, RS_WORK_NONE,
                           "other table: the referenced one of a foreign key", 0, 0},
    [L_ALTER_CONSTRAINT] = {"ALTER TABLE ... ALTER CONSTRAINT", AE, NO, RS_WORK_NONE, NULL, 0,
                            0}, /* [15] */
    [L_IDENTITY] = {"ALTER TABLE ... ALTER COLUMN ... ADD/SET/DROP IDENTITY", AE, NO, RS_WORK_NONE,
                    NULL, 0, 0}, /* [docs] */
    [L_DROP_EXPRESSION] = {"ALTER TABLE ... ALTER COLUMN ... DROP EXPRESSION", AE, NO, RS_WORK_NONE,
                           NULL, 13, 0}, /* [15] */
    [L_SET_EXPRESSION] = {"ALTER TABLE ... ALTER COLUMN ... SET EXPRESSION", AE, NO,
                          RS_WORK_REWRITE, "of a stored generated column", 17, 0}, /* [docs] */
    /* [15] SET UNLOGGED rewrote; SET LOGGED of a logged table is a no-op */
    [L_SET_LOGGED] = {"ALTER TABLE ... SET LOGGED / UNLOGGED", AE, NO, RS_WORK_REWRITE,
                      "when the persistence changes", 0, 0},
    /* [15] SHARE UPDATE EXCLUSIVE on the parent, ACCESS EXCLUSIVE on the partition */
    [L_ATTACH_PARTITION] = {"ALTER TABLE ... ATTACH PARTITION", SUE, AE, RS_WORK_SCAN,
                            "other table: the partition (and a DEFAULT partition), scanned "
                            "unless a valid CHECK implies the bound",
                            12, 0},
    /* [docs] before 12 the parent was locked ACCESS EXCLUSIVE */
    [L_ATTACH_PARTITION_11] = {"ALTER TABLE ... ATTACH PARTITION", AE, AE, RS_WORK_SCAN,
                               "other table: the partition, scanned unless a valid CHECK implies "
                               "the bound",
                               0, 11},
    [L_DETACH_PARTITION] = {"ALTER TABLE ... DETACH PARTITION", AE, AE, RS_WORK_NONE,
                            "other table: the partition", 0, 0}, /* [15] */
    /* [15] first transaction; [docs] the second takes ACCESS EXCLUSIVE on the partition */
    [L_DETACH_CONCURRENTLY] = {"ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY", SUE, AE,
                               RS_WORK_NONE,
                               "other table: the partition, SHARE UPDATE EXCLUSIVE in the first "
                               "transaction and ACCESS EXCLUSIVE in the second",
                               14, 0},
    [L_TRIGGER_ENABLE] = {"ALTER TABLE ... ENABLE/DISABLE TRIGGER", SRE, NO, RS_WORK_NONE, NULL, 0,
                          0}, /* [15] */
    /* [15] fillfactor, autovacuum_enabled, parallel_workers, SET STATISTICS, n_distinct */
    [L_SET_OPTIONS] = {"ALTER TABLE ... SET (storage parameter) / SET STATISTICS", SUE, NO,
                       RS_WORK_NONE, NULL, 0, 0},
    [L_SET_STORAGE] = {"ALTER TABLE ... ALTER COLUMN ... SET STORAGE / COMPRESSION", AE, NO,
                       RS_WORK_NONE, NULL, 0, 0}, /* [15] */
    [L_SET_TABLESPACE] = {"ALTER TABLE ... SET TABLESPACE / ACCESS METHOD", AE, NO, RS_WORK_REWRITE,
                          "when the tablespace or access method changes", 0,
                          0}, /* [15] lock; [docs] copy */
    [L_CLUSTER_ON] = {"ALTER TABLE ... CLUSTER ON / SET WITHOUT CLUSTER", SUE, NO, RS_WORK_NONE,
                      NULL, 0, 0}, /* [15] */
    /* [15] OWNER TO, REPLICA IDENTITY, ENABLE/DISABLE/FORCE ROW LEVEL SECURITY */
    [L_ALTER_OTHER] = {"ALTER TABLE (other forms)", AE, NO, RS_WORK_NONE, NULL, 0, 0},
    /* [15] tables, columns, constraints, views */
    [L_RENAME] = {"ALTER ... RENAME / SET SCHEMA", AE, NO, RS_WORK_NONE, NULL, 0, 0},
    [L_RENAME_INDEX] = {"ALTER INDEX ... RENAME", SUE, NO, RS_WORK_NONE, NULL, 12, 0}, /* [15] */
    /* [15] the new table is invisible to other sessions until commit: no lock that matters */
    [L_CREATE_TABLE_FK] = {"CREATE TABLE ... REFERENCES", NO, SRE, RS_WORK_NONE,
                           "other table: the referenced one", 0, 0},
    [L_CREATE_INDEX] = {"CREATE INDEX", SH, NO, RS_WORK_INDEX_BUILD, NULL, 0, 0}, /* [15] */
    [L_CREATE_INDEX_CONC] = {"CREATE INDEX CONCURRENTLY", SUE, NO, RS_WORK_INDEX_BUILD,
                             "(two scans; does not block writes)", 0, 0}, /* [15] */
    [L_DROP_INDEX] = {"DROP INDEX", AE, NO, RS_WORK_NONE, "on the table of the index", 0,
                      0}, /* [15] */
    [L_DROP_INDEX_CONC] = {"DROP INDEX CONCURRENTLY", SUE, NO, RS_WORK_NONE,
                           "on the table of the index", 0, 0}, /* [15] */
    /* [15] the tables it references by foreign key, and with CASCADE the referencing ones */
    [L_DROP_TABLE] = {"DROP TABLE", AE, AE, RS_WORK_NONE,
                      "other table: every table linked to it by a foreign key", 0, 0},
    [L_DROP_OTHER_REL] = {"DROP VIEW / MATERIALIZED VIEW", AE, NO, RS_WORK_NONE, NULL, 0,
                          0}, /* [15] */
    [L_DROP_SEQUENCE] =
        {"DROP SEQUENCE", NO, NO, RS_WORK_NONE,
         "(ACCESS EXCLUSIVE on the sequence itself: nextval() waits; no table lock)", 0,
         0},                                                                         /* [15] */
    [L_TRUNCATE] = {"TRUNCATE", AE, NO, RS_WORK_NONE, NULL, 0, 0},                   /* [15] */
    [L_CREATE_TRIGGER] = {"CREATE TRIGGER", SRE, NO, RS_WORK_NONE, NULL, 0, 0},      /* [15] */
    [L_DROP_TRIGGER] = {"DROP TRIGGER", AE, NO, RS_WORK_NONE, NULL, 0, 0},           /* [15] */
    [L_POLICY] = {"CREATE / ALTER / DROP POLICY", AE, NO, RS_WORK_NONE, NULL, 0, 0}, /* [15] */
    [L_VACUUM_FULL] = {"VACUUM FULL", AE, NO, RS_WORK_REWRITE, NULL, 0, 0},          /* [docs] */
    [L_VACUUM] = {"VACUUM / ANALYZE", SUE, NO, RS_WORK_SCAN, NULL, 0, 0},            /* [15] */
    [L_CLUSTER] = {"CLUSTER", AE, NO, RS_WORK_REWRITE, NULL, 0, 0},                  /* [15] */
    [L_REINDEX] = {"REINDEX", SH, NO, RS_WORK_INDEX_BUILD,
                   "(ACCESS EXCLUSIVE on each index rebuilt)", 0, 0}, /* [15] */
    [L_REINDEX_CONC] = {"REINDEX CONCURRENTLY", SUE, NO, RS_WORK_INDEX_BUILD, NULL, 12,
                        0},                                                           /* [15] */
    [L_REFRESH] = {"REFRESH MATERIALIZED VIEW", AE, NO, RS_WORK_REWRITE, NULL, 0, 0}, /* [15] */
    [L_REFRESH_CONC] = {"REFRESH MATERIALIZED VIEW CONCURRENTLY", EX, NO, RS_WORK_SCAN, NULL, 0,
                        0}, /* [15] */
    [L_DOMAIN_CONSTRAINT] = {"ALTER DOMAIN ... ADD CONSTRAINT", SH, NO, RS_WORK_SCAN,
                             "on every table with a column of the domain, unless NOT VALID", 0,
                             0}, /* [15] */
    [L_DOMAIN_VALIDATE] = {"ALTER DOMAIN ... VALIDATE CONSTRAINT", SH, NO, RS_WORK_SCAN,
                           "on every table with a column of the domain", 0, 0}, /* [15] */
    [L_ENUM_VALUE] = {"ALTER TYPE ... ADD VALUE / RENAME VALUE", NO, NO, RS_WORK_NONE,
                      "(no table lock)", 0, 0},                                    /* [15] */
    [L_GRANT] = {"GRANT / REVOKE", NO, NO, RS_WORK_NONE, "(no table lock)", 0, 0}, /* [15] */
    [L_DML] = {"INSERT / UPDATE / DELETE", RE, NO, RS_WORK_NONE, "(row locks on the rows written)",
               0, 0}, /* [15] */
    [L_READ] = {"SELECT / CREATE TABLE AS", AS, NO, RS_WORK_NONE, "on the tables read", 0,
                0}, /* [15] */
    [L_CREATE_VIEW] = {"CREATE OR REPLACE VIEW", AE, NO, RS_WORK_NONE, "on the view", 0,
                       0},                                           /* [15] */
    [L_COMMENT] = {"COMMENT ON", SUE, NO, RS_WORK_NONE, NULL, 0, 0}, /* [15] */
    [L_LOCK_FIRST + 0] = LOCK_ROW(ACCESS_SHARE, "ACCESS SHARE"),
    [L_LOCK_FIRST + 1] = LOCK_ROW(ROW_SHARE, "ROW SHARE"),
    [L_LOCK_FIRST + 2] = LOCK_ROW(ROW_EXCLUSIVE, "ROW EXCLUSIVE"),
    [L_LOCK_FIRST + 3] = LOCK_ROW(SHARE_UPDATE_EXCLUSIVE, "SHARE UPDATE EXCLUSIVE"),
    [L_LOCK_FIRST + 4] = LOCK_ROW(SHARE, "SHARE"),
    [L_LOCK_FIRST + 5] = LOCK_ROW(SHARE_ROW_EXCLUSIVE, "SHARE ROW EXCLUSIVE"),
    [L_LOCK_FIRST + 6] = LOCK_ROW(EXCLUSIVE, "EXCLUSIVE"),
    [L_LOCK_FIRST + 7] = LOCK_ROW(ACCESS_EXCLUSIVE, "ACCESS EXCLUSIVE"),
};

const char *rs_lockmode_name(enum rs_lockmode m)
{
    static const char *const names[] = {
        "no lock", "ACCESS SHARE",        "ROW SHARE", "ROW EXCLUSIVE",   "SHARE UPDATE EXCLUSIVE",
        "SHARE",   "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE"};
    return names[m];
}

const char *rs_lockmode_blocks(enum rs_lockmode m)
{
    switch (m) {
    case RS_LM_ACCESS_EXCLUSIVE:
        return "blocks every read and write of the table";
    case RS_LM_EXCLUSIVE:
        return "blocks every write and most reads-for-update";
    case RS_LM_SHARE_ROW_EXCLUSIVE:
    case RS_LM_SHARE:
        return "blocks every INSERT, UPDATE and DELETE";
    case RS_LM_SHARE_UPDATE_EXCLUSIVE:
        return "blocks other schema changes and VACUUM, not reads or writes";
    case RS_LM_ROW_EXCLUSIVE:
        return "blocks only schema changes and locks on the rows written";
    default:
        return "blocks little";
    }
}

static enum lock_id pick_version(enum lock_id newer, enum lock_id older, int pg)
{
    return pg >= facts[newer].min_pg ? newer : older;
}

static bool coldef_references(const struct rs_column_def *d)
{
    for (size_t i = 0; d && i < d->nconstraints; i++)
        if (d->constraints[i].kind == RS_CON_FOREIGN)
            return true;
    return false;
}

static enum lock_id alter_cmd_lock(const struct rs_alter_cmd *c, int pg)
{
    switch (c->kind) {
    case RS_AT_ADD_COLUMN:
        return coldef_references(c->coldef) ? L_ADD_COLUMN_FK : L_ADD_COLUMN;
    case RS_AT_DROP_COLUMN:
        return L_DROP_COLUMN;
    case RS_AT_ALTER_TYPE:
        return L_ALTER_TYPE;
    case RS_AT_SET_DEFAULT:
    case RS_AT_DROP_DEFAULT:
        return L_SET_DEFAULT;
    case RS_AT_SET_NOT_NULL:
        return L_SET_NOT_NULL;
    case RS_AT_DROP_NOT_NULL:
        return L_DROP_NOT_NULL;
    case RS_AT_ADD_CONSTRAINT:
        if (!c->constraint)
            return L_ALTER_OTHER;
        switch (c->constraint->kind) {
        case RS_CON_CHECK:
            return L_ADD_CHECK;
        case RS_CON_FOREIGN:
            return L_ADD_FK;
        case RS_CON_PRIMARY:
        case RS_CON_UNIQUE:
            return c->constraint->using_index ? L_ADD_UNIQUE_USING_INDEX : L_ADD_UNIQUE;
        case RS_CON_EXCLUSION:
            return L_ADD_EXCLUSION;
        default:
            return L_ALTER_OTHER;
        }
    case RS_AT_VALIDATE_CONSTRAINT:
        return L_VALIDATE;
    case RS_AT_DROP_CONSTRAINT:
        return L_DROP_CONSTRAINT;
    case RS_AT_ALTER_CONSTRAINT:
        return L_ALTER_CONSTRAINT;
    case RS_AT_ADD_IDENTITY:
    case RS_AT_SET_IDENTITY:
    case RS_AT_DROP_IDENTITY:
        return L_IDENTITY;
    case RS_AT_DROP_EXPRESSION:
        return L_DROP_EXPRESSION;
    case RS_AT_SET_EXPRESSION:
        return L_SET_EXPRESSION;
    case RS_AT_SET_LOGGED:
    case RS_AT_SET_UNLOGGED:
        return L_SET_LOGGED;
    case RS_AT_ATTACH_PARTITION:
        return pick_version(L_ATTACH_PARTITION, L_ATTACH_PARTITION_11, pg);
    case RS_AT_DETACH_PARTITION:
        return c->concurrently && pg >= facts[L_DETACH_CONCURRENTLY].min_pg ? L_DETACH_CONCURRENTLY
                                                                            : L_DETACH_PARTITION;
    case RS_AT_ENABLE_TRIGGER:
    case RS_AT_DISABLE_TRIGGER:
        return L_TRIGGER_ENABLE;
    case RS_AT_SET_OPTIONS:
        return L_SET_OPTIONS;
    case RS_AT_SET_STORAGE:
        return L_SET_STORAGE;
    case RS_AT_SET_TABLESPACE:
    case RS_AT_SET_ACCESS_METHOD:
        return L_SET_TABLESPACE;
    case RS_AT_CLUSTER_ON:
        return L_CLUSTER_ON;
    default:
        return L_ALTER_OTHER;
    }
}

static bool create_references(const struct rs_stmt *st)
{
    for (size_t i = 0; i < st->nconstraints; i++)
        if (st->constraints[i].kind == RS_CON_FOREIGN)
            return true;
    for (size_t i = 0; i < st->ncolumns; i++)
        if (coldef_references(&st->columns[i]))
            return true;
    return false;
}

static enum lock_id lock_stmt_mode(const char *mode)
{
    static const char *const names[] = {
        "ACCESS SHARE", "ROW SHARE",           "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE",
        "SHARE",        "SHARE ROW EXCLUSIVE", "EXCLUSIVE",     "ACCESS EXCLUSIVE"};
    for (int i = 0; mode && i < 8; i++)
        if (!strcmp(mode, names[i]))
            return (enum lock_id)(L_LOCK_FIRST + i);
    return L_LOCK_LAST;
}

static enum lock_id stmt_lock(const struct rs_stmt *st, int pg)
{
    switch (st->kind) {
    case RS_STMT_ALTER_TABLE:
        return L_ALTER_OTHER;
    case RS_STMT_RENAME:
        return st->obj_kind == RS_OBJ_INDEX ? pick_version(L_RENAME_INDEX, L_RENAME, pg) : L_RENAME;
    case RS_STMT_SET_SCHEMA:
        return L_RENAME;
    case RS_STMT_CREATE_TABLE:
        return create_references(st) ? L_CREATE_TABLE_FK : L_NONE;
    case RS_STMT_CREATE_INDEX:
        return st->concurrently ? L_CREATE_INDEX_CONC : L_CREATE_INDEX;
    case RS_STMT_DROP:
        switch (st->obj_kind) {
        case RS_OBJ_INDEX:
            return st->concurrently ? L_DROP_INDEX_CONC : L_DROP_INDEX;
        case RS_OBJ_TABLE:
        case RS_OBJ_FOREIGN_TABLE:
            return L_DROP_TABLE;
        case RS_OBJ_VIEW:
        case RS_OBJ_MATVIEW:
            return L_DROP_OTHER_REL;
        case RS_OBJ_SEQUENCE:
            return L_DROP_SEQUENCE;
        case RS_OBJ_TRIGGER:
            return L_DROP_TRIGGER;
        case RS_OBJ_POLICY:
            return L_POLICY;
        default:
            return L_NONE;
        }
    case RS_STMT_TRUNCATE:
        return L_TRUNCATE;
    case RS_STMT_CREATE_TRIGGER:
        return L_CREATE_TRIGGER;
    case RS_STMT_CREATE_POLICY:
        return L_POLICY;
    case RS_STMT_VACUUM:
        return st->vacuum_full ? L_VACUUM_FULL : L_VACUUM;
    case RS_STMT_ANALYZE:
        return L_VACUUM;
    case RS_STMT_CLUSTER:
        return L_CLUSTER;
    case RS_STMT_REINDEX:
        return st->concurrently && pg >= facts[L_REINDEX_CONC].min_pg ? L_REINDEX_CONC : L_REINDEX;
    case RS_STMT_REFRESH_MATVIEW:
        return st->concurrently ? L_REFRESH_CONC : L_REFRESH;
    case RS_STMT_ALTER_DOMAIN:
        if (st->tag && strstr(st->tag, "VALIDATE"))
            return L_DOMAIN_VALIDATE;
        return st->domain_has_constraint && !(st->nconstraints && st->constraints[0].not_valid)
                   ? L_DOMAIN_CONSTRAINT
                   : L_NONE;
    case RS_STMT_ALTER_ENUM:
        return L_ENUM_VALUE;
    case RS_STMT_GRANT:
        return L_GRANT;
    case RS_STMT_INSERT:
    case RS_STMT_UPDATE:
    case RS_STMT_DELETE:
        return L_DML;
    case RS_STMT_SELECT:
    case RS_STMT_CREATE_TABLE_AS:
    case RS_STMT_CREATE_MATVIEW:
        return L_READ;
    case RS_STMT_CREATE_VIEW:
        return st->or_replace ? L_CREATE_VIEW : L_NONE;
    case RS_STMT_COMMENT:
        return L_COMMENT;
    case RS_STMT_LOCK:
        return lock_stmt_mode(st->lock_mode);
    default:
        return L_NONE;
    }
}

const struct rs_lock_fact *rs_lock_fact_for(const struct rs_stmt *st,
                                            const struct rs_alter_cmd *cmd, int pg_version)
{
    enum lock_id id = cmd ? alter_cmd_lock(cmd, pg_version) : stmt_lock(st, pg_version);
    return &facts[id];
}

const struct rs_lock_fact *rs_lock_facts(int *n)
{
    *n = L_COUNT;
    return facts;
}
