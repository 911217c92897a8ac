/*
 * locks.c - the lock table: statement form -> lock mode, second table, work, versions.
 *
 * Facts from PostgreSQL's documentation (Explicit Locking, table 13.2 "Conflicting Lock Modes";
 * ALTER TABLE: "An ACCESS EXCLUSIVE lock is acquired unless explicitly noted"; the per-command
 * notes of CREATE INDEX, DROP INDEX, REINDEX, CREATE TRIGGER, REFRESH MATERIALIZED VIEW, CLUSTER,
 * VACUUM). Where a form's lock changed between versions there is one row per version range,
 * and rs_lock_fact_for picks the one for --pg-version.
 *
 * The rules decide whether the work happens (a type change may or may not rewrite); this table
 * says what the form does in the case its `when` names.
 */
#include "locks.h"

#include <stddef.h>

#define AE RS_LM_ACCESS_EXCLUSIVE
#define SRE RS_LM_SHARE_ROW_EXCLUSIVE
#define SUE RS_LM_SHARE_UPDATE_EXCLUSIVE
#define SH RS_LM_SHARE
#define EX RS_LM_EXCLUSIVE
#define RE RS_LM_ROW_EXCLUSIVE
#define RSH RS_LM_ROW_SHARE
#define NO RS_LM_NONE

enum lock_id {
    L_NONE,
    L_ADD_COLUMN,
    L_ADD_COLUMN_OLD,
    L_DROP_COLUMN,
    L_ALTER_TYPE,
    L_SET_DEFAULT,
    L_SET_NOT_NULL,
    L_DROP_NOT_NULL,
    L_ADD_CHECK,
    L_ADD_FK,
    L_ADD_FK_OLD,
    L_ADD_UNIQUE,
    L_ADD_UNIQUE_USING_INDEX,
    L_ADD_EXCLUSION,
    L_VALIDATE,
    L_DROP_CONSTRAINT,
    L_ALTER_CONSTRAINT,
    L_IDENTITY,
    L_SET_LOGGED,
    L_ATTACH_PARTITION,
    L_ATTACH_PARTITION_OLD,
    L_DETACH_PARTITION,
    L_DETACH_CONCURRENTLY,
    L_TRIGGER_ENABLE,
    L_SET_OPTIONS,
    L_SET_TABLESPACE,
    L_CLUSTER_ON,
    L_ALTER_OTHER,
    L_RENAME,
    L_RENAME_INDEX,
    L_CREATE_INDEX,
    L_CREATE_INDEX_CONC,
    L_DROP_INDEX,
    L_DROP_INDEX_CONC,
    L_DROP_TABLE,
    L_TRUNCATE,
    L_CREATE_TRIGGER,
    L_DROP_TRIGGER,
    L_VACUUM_FULL,
    L_CLUSTER,
    L_REINDEX,
    L_REINDEX_CONC,
    L_REFRESH,
    L_REFRESH_CONC,
    L_DML,
    L_CREATE_VIEW,
    L_COMMENT,
    L_LOCK,
    L_COUNT
};

static const struct rs_lock_fact facts[L_COUNT] = {
    [L_NONE] = {"statement", NO, NO, RS_WORK_NONE, NULL, 0, 0},
    [L_ADD_COLUMN] = {"ALTER TABLE ... ADD COLUMN", AE, NO, RS_WORK_REWRITE,
                      "with a volatile default, an identity or a stored generated column", 11, 0},
    [L_ADD_COLUMN_OLD] = {"ALTER TABLE ... ADD COLUMN", AE, NO, RS_WORK_REWRITE,
                          "with any non-NULL default", 0, 10},
    [L_DROP_COLUMN] = {"ALTER TABLE ... DROP COLUMN", AE, NO, RS_WORK_NONE, NULL, 0, 0},
    [L_ALTER_TYPE] = {"ALTER TABLE ... ALTER COLUMN ... TYPE", AE, NO, RS_WORK_REWRITE,
                      "unless the old type is binary coercible to the new one", 0, 0},
    [L_SET_DEFAULT] = {"ALTER TABLE ... ALTER COLUMN ... SET/DROP DEFAULT", AE, NO, RS_WORK_NONE,
                       NULL, 0, 0},
    [L_SET_NOT_NULL] = {"ALTER TABLE ... ALTER COLUMN ... SET NOT NULL", AE, NO, RS_WORK_SCAN,
                        "unless a valid CHECK (column IS NOT NULL) proves it (PostgreSQL 12+)", 0,
                        0},
    [L_DROP_NOT_NULL] = {"ALTER TABLE ... ALTER COLUMN ... DROP NOT NULL", AE, NO, RS_WORK_NONE,
                         NULL, 0, 0},
    [L_ADD_CHECK] = {"ALTER TABLE ... ADD CONSTRAINT ... CHECK", AE, NO, RS_WORK_SCAN,
                     "unless NOT VALID", 0, 0},
    [L_ADD_FK] = {"ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY", SRE, SRE, RS_WORK_SCAN,
                  "unless NOT VALID", 0, 0},
    [L_ADD_FK_OLD] = {"ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY", SRE, SRE, RS_WORK_SCAN,
                      "unless NOT VALID", 0, 0},
    [L_ADD_UNIQUE] = {"ALTER TABLE ... ADD CONSTRAINT ... UNIQUE / PRIMARY KEY", AE, NO,
                      RS_WORK_INDEX_BUILD, NULL, 0, 0},
    [L_ADD_UNIQUE_USING_INDEX] = {"ALTER TABLE ... ADD CONSTRAINT ... USING INDEX", AE, NO,
                                  RS_WORK_NONE,
                                  "(a PRIMARY KEY on nullable columns scans for NULLs)", 0, 0},
    [L_ADD_EXCLUSION] = {"ALTER TABLE ... ADD CONSTRAINT ... EXCLUDE", AE, NO,
                         RS_WORK_INDEX_BUILD, NULL, 0, 0},
    [L_VALIDATE] = {"ALTER TABLE ... VALIDATE CONSTRAINT", SUE, RSH, RS_WORK_SCAN, NULL, 0, 0},
    [L_DROP_CONSTRAINT] = {"ALTER TABLE ... DROP CONSTRAINT", AE, NO, RS_WORK_NONE, NULL, 0, 0},
    [L_ALTER_CONSTRAINT] = {"ALTER TABLE ... ALTER CONSTRAINT", AE, NO, RS_WORK_NONE, NULL, 0, 0},
    [L_IDENTITY] = {"ALTER TABLE ... ALTER COLUMN ... identity", AE, NO, RS_WORK_NONE, NULL, 0, 0},
    [L_SET_LOGGED] = {"ALTER TABLE ... SET LOGGED / UNLOGGED", AE, NO, RS_WORK_REWRITE, NULL, 0,
                      0},
    [L_ATTACH_PARTITION] = {"ALTER TABLE ... ATTACH PARTITION", SUE, AE, RS_WORK_SCAN,
                            "of the partition, unless a valid CHECK implies the bound", 12, 0},
    [L_ATTACH_PARTITION_OLD] = {"ALTER TABLE ... ATTACH PARTITION", AE, AE, RS_WORK_SCAN,
                                "of the partition, unless a valid CHECK implies the bound", 0,
                                11},
    [L_DETACH_PARTITION] = {"ALTER TABLE ... DETACH PARTITION", AE, AE, RS_WORK_NONE, NULL, 0, 0},
    [L_DETACH_CONCURRENTLY] = {"ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY", SUE, SUE,
                               RS_WORK_NONE, NULL, 14, 0},
    [L_TRIGGER_ENABLE] = {"ALTER TABLE ... ENABLE/DISABLE TRIGGER", SRE, NO, RS_WORK_NONE, NULL, 0,
                          0},
    [L_SET_OPTIONS] = {"ALTER TABLE ... SET (storage parameter) / SET STATISTICS", SUE, NO,
                       RS_WORK_NONE, "(some storage parameters take ACCESS EXCLUSIVE)", 0, 0},
    [L_SET_TABLESPACE] = {"ALTER TABLE ... SET TABLESPACE / ACCESS METHOD", AE, NO,
                          RS_WORK_REWRITE, NULL, 0, 0},
    [L_CLUSTER_ON] = {"ALTER TABLE ... CLUSTER ON", SUE, NO, RS_WORK_NONE, NULL, 0, 0},
    [L_ALTER_OTHER] = {"ALTER TABLE", AE, NO, RS_WORK_NONE, NULL, 0, 0},
    [L_RENAME] = {"ALTER ... RENAME", AE, NO, RS_WORK_NONE, NULL, 0, 0},
    [L_RENAME_INDEX] = {"ALTER INDEX ... RENAME", SUE, NO, RS_WORK_NONE, NULL, 12, 0},
    [L_CREATE_INDEX] = {"CREATE INDEX", SH, NO, RS_WORK_INDEX_BUILD, NULL, 0, 0},
    [L_CREATE_INDEX_CONC] = {"CREATE INDEX CONCURRENTLY", SUE, NO, RS_WORK_INDEX_BUILD,
                             "(two scans; does not block writes)", 0, 0},
    [L_DROP_INDEX] = {"DROP INDEX", AE, NO, RS_WORK_NONE, "on the table of the index", 0, 0},
    [L_DROP_INDEX_CONC] = {"DROP INDEX CONCURRENTLY", SUE, NO, RS_WORK_NONE, NULL, 0, 0},
    [L_DROP_TABLE] = {"DROP TABLE / VIEW", AE, NO, RS_WORK_NONE, NULL, 0, 0},
    [L_TRUNCATE] = {"TRUNCATE", AE, NO, RS_WORK_NONE, NULL, 0, 0},
    [L_CREATE_TRIGGER] = {"CREATE TRIGGER", SRE, NO, RS_WORK_NONE, NULL, 0, 0},
    [L_DROP_TRIGGER] = {"DROP TRIGGER", AE, NO, RS_WORK_NONE, NULL, 0, 0},
    [L_VACUUM_FULL] = {"VACUUM FULL", AE, NO, RS_WORK_REWRITE, NULL, 0, 0},
    [L_CLUSTER] = {"CLUSTER", AE, NO, RS_WORK_REWRITE, NULL, 0, 0},
    [L_REINDEX] = {"REINDEX", SH, NO, RS_WORK_INDEX_BUILD,
                   "(ACCESS EXCLUSIVE on the index itself)", 0, 0},
    [L_REINDEX_CONC] = {"REINDEX CONCURRENTLY", SUE, NO, RS_WORK_INDEX_BUILD, NULL, 12, 0},
    [L_REFRESH] = {"REFRESH MATERIALIZED VIEW", AE, NO, RS_WORK_REWRITE, NULL, 0, 0},
    [L_REFRESH_CONC] = {"REFRESH MATERIALIZED VIEW CONCURRENTLY", EX, NO, RS_WORK_SCAN, NULL, 0,
                        0},
    [L_DML] = {"INSERT / UPDATE / DELETE", RE, NO, RS_WORK_NONE, "(row locks on the rows written)",
               0, 0},
    [L_CREATE_VIEW] = {"CREATE OR REPLACE VIEW", AE, NO, RS_WORK_NONE, "on the view", 0, 0},
    [L_COMMENT] = {"COMMENT ON", SUE, NO, RS_WORK_NONE, NULL, 0, 0},
    [L_LOCK] = {"LOCK TABLE", AE, NO, RS_WORK_NONE, "(the mode written)", 0, 0},
};

const char *rs_lockmode_name(enum rs_lockmode m)
{
    static const char *const names[] = {
        "no lock",           "ACCESS SHARE", "ROW SHARE",           "ROW EXCLUSIVE",
        "SHARE UPDATE EXCLUSIVE", "SHARE",    "SHARE ROW EXCLUSIVE", "EXCLUSIVE",
        "ACCESS EXCLUSIVE"};
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

static enum lock_id alter_cmd_lock(const struct rs_alter_cmd *c, int pg)
{
    switch (c->kind) {
    case RS_AT_ADD_COLUMN:
        return pick_version(L_ADD_COLUMN, L_ADD_COLUMN_OLD, pg);
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
    case RS_AT_SET_LOGGED:
    case RS_AT_SET_UNLOGGED:
        return L_SET_LOGGED;
    case RS_AT_ATTACH_PARTITION:
        return pick_version(L_ATTACH_PARTITION, L_ATTACH_PARTITION_OLD, pg);
    case RS_AT_DETACH_PARTITION:
        return c->concurrently && pg >= 14 ? L_DETACH_CONCURRENTLY : L_DETACH_PARTITION;
    case RS_AT_ENABLE_TRIGGER:
    case RS_AT_DISABLE_TRIGGER:
        return L_TRIGGER_ENABLE;
    case RS_AT_SET_OPTIONS:
        return L_SET_OPTIONS;
    case RS_AT_SET_TABLESPACE:
    case RS_AT_SET_ACCESS_METHOD:
        return L_SET_TABLESPACE;
    case RS_AT_CLUSTER_ON:
        return L_CLUSTER_ON;
    default:
        return L_ALTER_OTHER;
    }
}

static enum lock_id stmt_lock(const struct rs_stmt *st, int pg)
{
    switch (st->kind) {
    case RS_STMT_ALTER_TABLE:
        return L_ALTER_OTHER;
    case RS_STMT_RENAME:
        return st->obj_kind == RS_OBJ_INDEX && pg >= 12 ? L_RENAME_INDEX : L_RENAME;
    case RS_STMT_SET_SCHEMA:
        return L_RENAME;
    case RS_STMT_CREATE_INDEX:
        return st->concurrently ? L_CREATE_INDEX_CONC : L_CREATE_INDEX;
    case RS_STMT_DROP:
        switch (st->obj_kind) {
        case RS_OBJ_INDEX:
            return st->concurrently ? L_DROP_INDEX_CONC : L_DROP_INDEX;
        case RS_OBJ_TABLE:
        case RS_OBJ_VIEW:
        case RS_OBJ_MATVIEW:
        case RS_OBJ_FOREIGN_TABLE:
            return L_DROP_TABLE;
        case RS_OBJ_TRIGGER:
            return L_DROP_TRIGGER;
        default:
            return L_NONE;
        }
    case RS_STMT_TRUNCATE:
        return L_TRUNCATE;
    case RS_STMT_CREATE_TRIGGER:
        return L_CREATE_TRIGGER;
    case RS_STMT_VACUUM:
        return st->vacuum_full ? L_VACUUM_FULL : L_NONE;
    case RS_STMT_CLUSTER:
        return L_CLUSTER;
    case RS_STMT_REINDEX:
        return st->concurrently && pg >= 12 ? L_REINDEX_CONC : L_REINDEX;
    case RS_STMT_REFRESH_MATVIEW:
        return st->concurrently ? L_REFRESH_CONC : L_REFRESH;
    case RS_STMT_INSERT:
    case RS_STMT_UPDATE:
    case RS_STMT_DELETE:
        return L_DML;
    case RS_STMT_CREATE_VIEW:
        return st->or_replace ? L_CREATE_VIEW : L_NONE;
    case RS_STMT_COMMENT:
        return L_COMMENT;
    case RS_STMT_LOCK:
        return L_LOCK;
    default:
        return L_NONE;
    }
}

const struct rs_lock_fact *rs_lock_fact_for(const struct rs_stmt *st, const struct rs_alter_cmd *cmd,
                                            int pg_version)
{
    enum lock_id id = cmd ? alter_cmd_lock(cmd, pg_version) : stmt_lock(st, pg_version);
    return &facts[id];
}

const struct rs_lock_fact *rs_lock_facts(int *n)
{
    *n = L_COUNT;
    return facts;
}
