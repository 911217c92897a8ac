/*
 * snapshot.c - a database's schema and data, taken so that two moments can be compared: before
 * up against after down (was it restored?), before up against after up (what did up lose?).
 *
 * The schema is read from the catalog by name, never by OID, with definitions rendered by
 * PostgreSQL itself (pg_get_constraintdef, pg_get_indexdef, pg_get_viewdef, pg_get_triggerdef,
 * format_type, pg_get_expr), as sorted "key: definition" lines. Column order is kept apart: a
 * column dropped and re-added lands at the end, which SQL that names its columns never notices.
 * The data is one 64-bit hash per value (md5 of its text form), per row keyed by the primary key,
 * so that per table and per column it can say how many rows changed, whatever their order.
 *
 * Left out: the migration tools' own state tables, objects that belong to extensions (the
 * extension itself is listed with its version), privileges, owners, comments, collations,
 * operators, casts, event triggers and publications. Sequence values are not data here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg/drill_int.h"

#define NS_FILTER(ns)                                                                              \
    "(" ns ".nspname NOT IN ('pg_catalog', 'information_schema') AND " ns                          \
    ".nspname NOT LIKE 'pg\\_toast%' AND " ns ".nspname NOT LIKE 'pg\\_temp\\_%')"

#define DISP(ns, name)                                                                             \
    "(CASE WHEN " ns ".nspname = 'public' THEN " name " ELSE " ns ".nspname || '.' || " name " EN" \
    "D)"

#define NOT_EXT(cls, oid)                                                                          \
    "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend dep WHERE dep.classid = '" cls                 \
    "'::regclass AND dep.objid = " oid " AND dep.deptype = 'e')"

/* Every line query returns: key, definition, identity, schema of the object, owning table. */
static const char *const line_queries[] = {
    /* schemas */
    "SELECT 'schema ' || n.nspname, '', n.oid::text, n.nspname, NULL FROM pg_catalog.pg_namespace "
    "n "
    "WHERE " NS_FILTER("n") " AND " NOT_EXT("pg_namespace", "n.oid"),
    /* extensions */
    "SELECT 'extension ' || e.extname, e.extversion || ' in schema ' || n.nspname, NULL, NULL, "
    "NULL "
    "FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace",
    /* tables, views, materialized views, sequences, foreign tables */
    "SELECT CASE c.relkind WHEN 'r' THEN 'table ' WHEN 'p' THEN 'table ' WHEN 'v' THEN 'view ' "
    "WHEN 'm' THEN 'materialized view ' WHEN 'f' THEN 'foreign table ' ELSE 'sequence ' END "
    "|| " DISP(
        "n",
        "c.relname") ", "
                     "concat_ws(' ', CASE c.relpersistence WHEN 'u' THEN 'unlogged' END, "
                     "CASE WHEN c.relkind = 'p' THEN 'partitioned by ' || "
                     "pg_catalog.pg_get_partkeydef(c.oid) END, "
                     "CASE WHEN c.relispartition THEN 'partition ' || "
                     "pg_catalog.pg_get_expr(c.relpartbound, c.oid) END, "
                     "(SELECT 'inherits ' || string_agg(" DISP(
                         "pn",
                         "p.relname") ", ', ' ORDER BY i.inhseqno) "
                                      "FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class p ON "
                                      "p.oid = i.inhparent "
                                      "JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace "
                                      "WHERE i.inhrelid = c.oid AND NOT c.relispartition), "
                                      "'with (' || array_to_string(c.reloptions, ', ') || ')', "
                                      "CASE WHEN c.relrowsecurity THEN 'row level security' END, "
                                      "CASE WHEN c.relreplident NOT IN ('d', 'n') AND c.relkind IN "
                                      "('r', 'p') "
                                      "THEN 'replica identity ' || c.relreplident::text END, "
                                      "CASE WHEN c.relkind IN ('v', 'm') THEN 'as ' || "
                                      "regexp_replace(pg_catalog.pg_get_viewdef(c.oid), '\\s+', ' "
                                      "', 'g') END, "
                                      "CASE WHEN c.relkind = 'm' AND NOT c.relispopulated THEN "
                                      "'with no data' END, "
                                      "(SELECT pg_catalog.format_type(s.seqtypid, NULL) || ' start "
                                      "' || s.seqstart || "
                                      "' increment ' || s.seqincrement || ' min ' || s.seqmin || ' "
                                      "max ' || s.seqmax || "
                                      "' cache ' || s.seqcache || CASE WHEN s.seqcycle THEN ' "
                                      "cycle' ELSE '' END "
                                      "FROM pg_catalog.pg_sequence s WHERE s.seqrelid = c.oid), "
                                      "(SELECT 'owned by ' || " DISP(
                                          "dn",
                                          "dc.relname") " || '.' || da.attname "
                                                        "FROM pg_catalog.pg_depend d JOIN "
                                                        "pg_catalog.pg_class dc ON dc.oid = "
                                                        "d.refobjid "
                                                        "JOIN pg_catalog.pg_namespace dn ON dn.oid "
                                                        "= dc.relnamespace "
                                                        "JOIN pg_catalog.pg_attribute da ON "
                                                        "da.attrelid = d.refobjid AND da.attnum = "
                                                        "d.refobjsubid "
                                                        "WHERE c.relkind = 'S' AND d.classid = "
                                                        "'pg_class'::regclass AND d.objid = c.oid "
                                                        "AND d.deptype IN ('a', 'i') AND "
                                                        "d.refobjsubid > 0 LIMIT 1)), "
                                                        "c.oid::text, n.nspname, "
                                                        "CASE WHEN c.relkind = 'S' THEN (SELECT "
                                                        "dc.relname FROM pg_catalog.pg_depend d "
                                                        "JOIN pg_catalog.pg_class dc ON dc.oid = "
                                                        "d.refobjid WHERE d.classid = "
                                                        "'pg_class'::regclass "
                                                        "AND d.objid = c.oid AND d.deptype IN "
                                                        "('a', 'i') LIMIT 1) ELSE c.relname END "
                                                        "FROM pg_catalog.pg_class c JOIN "
                                                        "pg_catalog.pg_namespace n ON n.oid = "
                                                        "c.relnamespace "
                                                        "WHERE c.relkind IN ('r', 'p', 'v', 'm', "
                                                        "'S', 'f') AND " NS_FILTER(
                                                            "n") " AND " NOT_EXT("pg_class",
                                                                                 "c.oid"),
    /* indexes */
    "SELECT 'index ' || " DISP(
        "n",
        "ci.relname") ", "
                      "pg_catalog.pg_get_indexdef(i.indexrelid) || CASE WHEN NOT i.indisvalid THEN "
                      "' (INVALID)' "
                      "ELSE '' END || CASE WHEN i.indisclustered THEN ' (clustered)' ELSE '' END, "
                      "ci.oid::text, n.nspname, ct.relname "
                      "FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ci ON ci.oid = "
                      "i.indexrelid "
                      "JOIN pg_catalog.pg_class ct ON ct.oid = i.indrelid "
                      "JOIN pg_catalog.pg_namespace n ON n.oid = ci.relnamespace "
                      "WHERE " NS_FILTER("n") " AND " NOT_EXT("pg_class", "ct.oid"),
    /* table constraints (not the NOT NULL entries of PostgreSQL 18: columns say not null) */
    "SELECT 'constraint ' || con.conname || ' on ' || " DISP(
        "n",
        "c.relname") ", "
                     "pg_catalog.pg_get_constraintdef(con.oid) || CASE WHEN con.condeferrable AND "
                     "pg_catalog.pg_get_constraintdef(con.oid) NOT LIKE '%DEFERRABLE%' THEN ' "
                     "DEFERRABLE' ELSE '' "
                     "END, con.oid::text, n.nspname, c.relname "
                     "FROM pg_catalog.pg_constraint con JOIN pg_catalog.pg_class c ON c.oid = "
                     "con.conrelid "
                     "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                     "WHERE con.contype <> 'n' AND " NS_FILTER("n") " AND " NOT_EXT("pg_class",
                                                                                    "c.oid"),
    /* domain constraints */
    "SELECT 'constraint ' || con.conname || ' on domain ' || " DISP(
        "n",
        "t.typname") ", "
                     "pg_catalog.pg_get_constraintdef(con.oid), con.oid::text, n.nspname, NULL "
                     "FROM pg_catalog.pg_constraint con JOIN pg_catalog.pg_type t ON t.oid = "
                     "con.contypid "
                     "JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace "
                     "WHERE con.contype <> 'n' AND " NS_FILTER("n") " AND " NOT_EXT("pg_type",
                                                                                    "t.oid"),
    /* triggers */
    "SELECT 'trigger ' || t.tgname || ' on ' || " DISP(
        "n",
        "c.relname") ", "
                     "pg_catalog.pg_get_triggerdef(t.oid) || CASE t.tgenabled WHEN 'D' THEN ' "
                     "(disabled)' "
                     "WHEN 'R' THEN ' (replica)' WHEN 'A' THEN ' (always)' ELSE '' END, "
                     "t.oid::text, n.nspname, c.relname "
                     "FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid "
                     "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                     "WHERE NOT t.tgisinternal AND " NS_FILTER("n") " AND " NOT_EXT("pg_class",
                                                                                    "c.oid"),
    /* rules other than views' own */
    "SELECT 'rule ' || r.rulename || ' on ' || " DISP(
        "n", "c.relname") ", "
                          "regexp_replace(pg_catalog.pg_get_ruledef(r.oid), '\\s+', ' ', 'g'), "
                          "r.oid::text, n.nspname, "
                          "c.relname FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_class c ON "
                          "c.oid = r.ev_class "
                          "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                          "WHERE r.rulename <> '_RETURN' AND " NS_FILTER("n"),
    /* row level security policies */
    "SELECT 'policy ' || p.polname || ' on ' || " DISP(
        "n",
        "c.relname") ", "
                     "concat_ws(' ', CASE WHEN p.polpermissive THEN 'permissive' ELSE "
                     "'restrictive' END, "
                     "'for ' || p.polcmd::text, 'to ' || (SELECT string_agg(CASE WHEN r = 0 THEN "
                     "'public' ELSE "
                     "pg_catalog.pg_get_userbyid(r) END, ', ' ORDER BY 1) FROM unnest(p.polroles) "
                     "r), "
                     "'using (' || pg_catalog.pg_get_expr(p.polqual, p.polrelid) || ')', "
                     "'with check (' || pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) || "
                     "')'), "
                     "p.oid::text, n.nspname, c.relname FROM pg_catalog.pg_policy p "
                     "JOIN pg_catalog.pg_class c ON c.oid = p.polrelid "
                     "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE " NS_FILTER(
                         "n"),
    /* functions, procedures, aggregates: signature, result, language and a hash of the body */
    "SELECT CASE p.prokind WHEN 'p' THEN 'procedure ' WHEN 'a' THEN 'aggregate ' "
    "ELSE 'function ' END || " DISP(
        "n", "p.proname") " || '(' || "
                          "pg_catalog.pg_get_function_identity_arguments(p.oid) || ')', "
                          "concat_ws(' ', 'returns ' || pg_catalog.pg_get_function_result(p.oid), "
                          "'language ' || l.lanname, CASE WHEN p.prokind <> 'a' THEN 'body ' || "
                          "left(md5(pg_catalog.pg_get_functiondef(p.oid)), 12) END), "
                          "p.oid::text, n.nspname, NULL FROM pg_catalog.pg_proc p "
                          "JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
                          "JOIN pg_catalog.pg_language l ON l.oid = p.prolang "
                          "WHERE " NS_FILTER("n") " AND " NOT_EXT("pg_proc", "p.oid"),
    /* types: enums (labels in order), domains, composite types, ranges, base types */
    "SELECT 'type ' || " DISP(
        "n",
        "t.typname") ", "
                     "CASE t.typtype WHEN 'e' THEN 'enum (' || coalesce((SELECT "
                     "string_agg(quote_literal("
                     "e.enumlabel), ', ' ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum e "
                     "WHERE e.enumtypid = t.oid), '') || ')' "
                     "WHEN 'd' THEN 'domain ' || pg_catalog.format_type(t.typbasetype, "
                     "t.typtypmod) || "
                     "CASE WHEN t.typnotnull THEN ' not null' ELSE '' END || coalesce(' default ' "
                     "|| t.typdefault, "
                     "'') "
                     "WHEN 'c' THEN 'composite (' || coalesce((SELECT "
                     "string_agg(quote_ident(a.attname) || ' ' || "
                     "pg_catalog.format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum) "
                     "FROM pg_catalog.pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > "
                     "0 AND NOT "
                     "a.attisdropped), '') || ')' "
                     "WHEN 'r' THEN 'range of ' || (SELECT pg_catalog.format_type(r.rngsubtype, "
                     "NULL) "
                     "FROM pg_catalog.pg_range r WHERE r.rngtypid = t.oid) "
                     "ELSE 'base type' END, t.oid::text, n.nspname, "
                     "CASE t.typtype WHEN 'e' THEN 'enum' END "
                     "FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = "
                     "t.typnamespace "
                     "WHERE t.typtype IN ('e', 'd', 'c', 'r', 'b') AND " NS_FILTER(
                         "n") " AND "
                              "(t.typtype <> 'c' OR (SELECT c.relkind FROM pg_catalog.pg_class c "
                              "WHERE c.oid = t.typrelid) "
                              "= 'c') AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type e WHERE "
                              "e.typarray = t.oid) AND " NOT_EXT("pg_type", "t.oid"),
};

/* Columns of tables, views, materialized views and foreign tables, in attnum order; gen is the
   attgenerated column (PostgreSQL 12 and later) or a stand-in. */
#define COLUMNS_QUERY(gen)                                                                         \
    "SELECT c.oid, n.nspname, c.relname, c.relkind, a.attnum, a.attname, "                         \
    "pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, "                              \
    "pg_catalog.pg_get_expr(d.adbin, d.adrelid), a.attidentity, " gen ", "                         \
    "CASE WHEN a.attcollation <> t.typcollation THEN co.collname END, "                            \
    "(SELECT string_agg(pa.attname, ',' ORDER BY array_position(pi.indkey::int2[], pa.attnum)) "   \
    " FROM pg_catalog.pg_index pi JOIN pg_catalog.pg_attribute pa ON pa.attrelid = pi.indrelid "   \
    " AND pa.attnum = ANY (pi.indkey::int2[]) WHERE pi.indrelid = c.oid AND pi.indisprimary) "     \
    "FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "             \
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "                                    \
    "JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "                                             \
    "LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "          \
    "LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation "                             \
    "WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f') "        \
    "AND " NS_FILTER("n") " AND " NOT_EXT("pg_class", "c.oid") " ORDER BY c.oid, a.attnum"

/* Every user relation, for lock tracing and rewrites. */
static const char rels_query[] = "SELECT c.oid, pg_catalog.pg_relation_filenode(c.oid), " DISP(
    "n",
    "c.relname") ", "
                 "CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned table' WHEN 'i' "
                 "THEN 'index' "
                 "WHEN 'I' THEN 'partitioned index' WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view' "
                 "WHEN 'm' THEN 'materialized view' WHEN 't' THEN 'toast table' WHEN 'f' THEN "
                 "'foreign table' "
                 "ELSE 'relation' END FROM pg_catalog.pg_class c "
                 "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE " NS_FILTER(
                     "n") " AND "
                          "c.relkind IN ('r', 'p', 'i', 'I', 'S', 'v', 'm', 'f') ORDER BY c.oid";

static const char invalid_query[] = "SELECT " DISP("n", "c.relname") " || ' on ' || " DISP(
    "tn",
    "t.relname") " "
                 "FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid "
                 "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                 "JOIN pg_catalog.pg_class t ON t.oid = i.indrelid "
                 "JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace "
                 "WHERE NOT i.indisvalid ORDER BY 1";

/* ---------------------------------------------------------------- helpers */

/* qsort, which must not be given a NULL array even when it is empty. */
static void sort(void *v, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    if (n > 1)
        qsort(v, n, size, cmp);
}

static int line_cmp(const void *pa, const void *pb)
{
    const struct snap_line *a = pa, *b = pb;
    return strcmp(a->key, b->key);
}

static int table_cmp(const void *pa, const void *pb)
{
    const struct snap_table *a = pa, *b = pb;
    return strcmp(a->display, b->display);
}

static int rel_cmp(const void *pa, const void *pb)
{
    const struct snap_rel *a = pa, *b = pb;
    return a->oid < b->oid ? -1 : a->oid > b->oid;
}

static const struct snap_table *find_table_by_name(const struct rs_snapshot *s, const char *disp)
{
    struct snap_table key = {.display = disp};
    return s->ntables ? bsearch(&key, s->tables, s->ntables, sizeof(key), table_cmp) : NULL;
}

static const struct snap_table *find_table_by_oid(const struct rs_snapshot *s, unsigned oid)
{
    for (size_t i = 0; i < s->ntables; i++)
        if (s->tables[i].oid == oid)
            return &s->tables[i];
    return NULL;
}

static int col_index(const struct snap_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (!strcmp(t->cols[i].name, name))
            return (int)i;
    return -1;
}

static int col_index_attnum(const struct snap_table *t, int attnum)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (t->cols[i].attnum == attnum)
            return (int)i;
    return -1;
}

static uint64_t parse_hash(const char *s)
{
    if (!s)
        return 0;
    uint64_t h = strtoull(s, NULL, 16);
    return h ? h : 1; /* 0 means NULL */
}

/* ---------------------------------------------------------------- schema */

static int read_lines(PGconn *c, struct arena *a, struct rs_snapshot *s, struct rs_pg_error *err)
{
    VEC(struct snap_line) lines = {0};
    VEC(const char *) enums = {0};
    for (size_t q = 0; q < sizeof(line_queries) / sizeof(line_queries[0]); q++) {
        PGresult *r = dq_query(c, a, line_queries[q], err);
        if (!r)
            return -1;
        for (int i = 0; i < PQntuples(r); i++) {
            const char *schema = PQgetisnull(r, i, 3) ? NULL : PQgetvalue(r, i, 3);
            const char *owner = PQgetisnull(r, i, 4) ? NULL : PQgetvalue(r, i, 4);
            if (dq_is_tool_table(schema, NULL))
                continue;
            bool is_enum =
                owner && !strcmp(owner, "enum") && !strncmp(PQgetvalue(r, i, 0), "type ", 5);
            if (!is_enum && owner && dq_is_tool_table(NULL, owner))
                continue;
            struct snap_line *l = VEC_PUSH(a, &lines);
            l->key = dq_value(a, r, i, 0);
            l->def = PQgetisnull(r, i, 1) ? "" : dq_value(a, r, i, 1);
            l->ident = dq_value(a, r, i, 2);
            if (is_enum)
                *VEC_PUSH(a, &enums) = l->key;
        }
        PQclear(r);
    }
    /* Columns: one line each, and the order per relation. */
    PGresult *r = dq_query(c, a,
                           PQserverVersion(c) >= 120000 ? COLUMNS_QUERY("a.attgenerated")
                                                        : COLUMNS_QUERY("''::\"char\""),
                           err);
    if (!r)
        return -1;
    VEC(struct snap_line) order = {0};
    VEC(struct snap_table) tables = {0};
    VEC(struct snap_col) cols = {0};
    struct strbuf names;
    sb_init(&names, a);
    int n = PQntuples(r);
    for (int i = 0; i < n; i++) {
        const char *schema = PQgetvalue(r, i, 1), *rel = PQgetvalue(r, i, 2);
        char kind = PQgetvalue(r, i, 3)[0];
        bool first = i == 0 || strcmp(PQgetvalue(r, i - 1, 0), PQgetvalue(r, i, 0)) != 0;
        bool last = i == n - 1 || strcmp(PQgetvalue(r, i + 1, 0), PQgetvalue(r, i, 0)) != 0;
        if (dq_is_tool_table(schema, rel))
            continue;
        const char *disp = dq_display(a, schema, rel);
        if (first) {
            sb_init(&names, a);
            cols.v = NULL;
            cols.n = cols.cap = 0;
        }
        const char *col = PQgetvalue(r, i, 5);
        struct strbuf def;
        sb_init(&def, a);
        sb_add(&def, PQgetvalue(r, i, 6));
        if (!PQgetisnull(r, i, 11))
            sb_printf(&def, " collate %s", PQgetvalue(r, i, 11));
        if (!strcmp(PQgetvalue(r, i, 7), "t"))
            sb_add(&def, " not null");
        const char *identity = PQgetvalue(r, i, 9), *generated = PQgetvalue(r, i, 10);
        if (identity[0] == 'a')
            sb_add(&def, " generated always as identity");
        else if (identity[0] == 'd')
            sb_add(&def, " generated by default as identity");
        if (!PQgetisnull(r, i, 8)) {
            if (generated[0] == 's')
                sb_printf(&def, " generated always as (%s) stored", PQgetvalue(r, i, 8));
            else
                sb_printf(&def, " default %s", PQgetvalue(r, i, 8));
        }
        struct snap_line *l = VEC_PUSH(a, &lines);
        l->key = arena_printf(a, "column %s.%s", disp, col);
        l->def = def.s;
        l->ident = arena_printf(a, "%s.%s", PQgetvalue(r, i, 0), PQgetvalue(r, i, 4));
        if (names.len)
            sb_add(&names, ", ");
        sb_add(&names, col);
        struct snap_col *sc = VEC_PUSH(a, &cols);
        sc->name = arena_strdup(a, col);
        sc->type = arena_strdup(a, PQgetvalue(r, i, 6));
        sc->attnum = atoi(PQgetvalue(r, i, 4));
        if (!last)
            continue;
        struct snap_line *o = VEC_PUSH(a, &order);
        o->key = arena_printf(a, "column order of %s", disp);
        o->def = names.s;
        o->ident = arena_strdup(a, PQgetvalue(r, i, 0));
        if (kind != 'r')
            continue;
        struct snap_table *t = VEC_PUSH(a, &tables);
        t->oid = (unsigned)strtoul(PQgetvalue(r, i, 0), NULL, 10);
        t->schema = arena_strdup(a, schema);
        t->name = arena_strdup(a, rel);
        t->display = disp;
        t->sql = dq_qualified(a, schema, rel);
        t->cols = cols.v;
        t->ncols = cols.n;
        if (!PQgetisnull(r, i, 12)) {
            VEC(const char *) pk = {0};
            char *list = arena_strdup(a, PQgetvalue(r, i, 12)), *save = NULL;
            for (char *p = strtok_r(list, ",", &save); p; p = strtok_r(NULL, ",", &save))
                *VEC_PUSH(a, &pk) = p;
            t->pk = pk.v;
            t->npk = pk.n;
        }
    }
    PQclear(r);
    sort(lines.v, lines.n, sizeof(*lines.v), line_cmp);
    sort(order.v, order.n, sizeof(*order.v), line_cmp);
    sort(tables.v, tables.n, sizeof(*tables.v), table_cmp);
    s->lines = lines.v;
    s->nlines = lines.n;
    s->order = order.v;
    s->norder = order.n;
    s->tables = tables.v;
    s->ntables = tables.n;
    s->enum_types = enums.v;
    s->nenum_types = enums.n;
    return 0;
}

static int read_rels(PGconn *c, struct arena *a, struct rs_snapshot *s, struct rs_pg_error *err)
{
    PGresult *r = dq_query(c, a, rels_query, err);
    if (!r)
        return -1;
    s->nrels = (size_t)PQntuples(r);
    s->rels = arena_alloc(a, (s->nrels ? s->nrels : 1) * sizeof(*s->rels));
    for (size_t i = 0; i < s->nrels; i++) {
        struct snap_rel *rel = &s->rels[i];
        rel->oid = (unsigned)strtoul(PQgetvalue(r, (int)i, 0), NULL, 10);
        rel->filenode = (unsigned)strtoul(PQgetvalue(r, (int)i, 1), NULL, 10);
        rel->display = dq_value(a, r, (int)i, 2);
        rel->kind = dq_value(a, r, (int)i, 3);
    }
    PQclear(r);
    sort(s->rels, s->nrels, sizeof(*s->rels), rel_cmp);
    r = dq_query(c, a, invalid_query, err);
    if (!r)
        return -1;
    s->ninvalid_indexes = (size_t)PQntuples(r);
    s->invalid_indexes = arena_alloc(a, (s->ninvalid_indexes + 1) * sizeof(char *));
    for (size_t i = 0; i < s->ninvalid_indexes; i++)
        s->invalid_indexes[i] = dq_value(a, r, (int)i, 0);
    PQclear(r);
    return 0;
}

/* ---------------------------------------------------------------- data */

/*
 * The query for the value hashes of one table. The key is ref's primary key when the columns
 * still exist (so that rows of the two snapshots match), else this table's own. Columns whose
 * type differs from ref's are read back as ref's type when cast_back is set (*casts says whether
 * there are any).
 */
static const char *table_query(struct arena *a, struct snap_table *t, const struct snap_table *ref,
                               bool cast_back, bool *casts)
{
    bool same_table = ref && ref->oid == t->oid;
    const char **pk = t->pk;
    size_t npk = t->npk;
    if (ref && ref->pk) {
        bool all = true;
        for (size_t k = 0; k < ref->npk; k++)
            all = all && col_index(t, ref->pk[k]) >= 0;
        pk = all ? ref->pk : NULL;
        npk = all ? ref->npk : 0;
    }
    t->keyed = npk > 0;
    struct strbuf q;
    sb_init(&q, a);
    sb_add(&q, "SELECT ");
    if (npk == 1) {
        sb_add(&q, "t.");
        sb_add_quoted_ident(&q, pk[0]);
        sb_add(&q, "::text");
    } else if (npk > 1) {
        sb_add(&q, "ROW(");
        for (size_t k = 0; k < npk; k++) {
            sb_add(&q, k ? ", t." : "t.");
            sb_add_quoted_ident(&q, pk[k]);
        }
        sb_add(&q, ")::text");
    } else {
        sb_add(&q, "NULL::text");
    }
    *casts = false;
    for (size_t i = 0; i < t->ncols; i++) {
        sb_add(&q, ", left(md5(t.");
        sb_add_quoted_ident(&q, t->cols[i].name);
        const struct snap_col *rc = NULL;
        if (ref && cast_back) {
            int k = same_table ? col_index_attnum(ref, t->cols[i].attnum)
                               : col_index(ref, t->cols[i].name);
            rc = k >= 0 ? &ref->cols[k] : NULL;
        }
        if (rc && strcmp(rc->type, t->cols[i].type) != 0) {
            sb_printf(&q, "::%s", rc->type);
            *casts = true;
        }
        sb_add(&q, "::text), 16)");
    }
    sb_printf(&q, " FROM ONLY %s AS t", t->sql);
    return q.s;
}

static void table_result(struct arena *a, struct snap_table *t, const PGresult *r)
{
    t->have_data = true;
    t->nrows = (size_t)PQntuples(r);
    t->keys = t->keyed ? arena_alloc(a, (t->nrows + 1) * sizeof(char *)) : NULL;
    t->cells = arena_alloc(a, (t->nrows * t->ncols + 1) * sizeof(uint64_t));
    for (size_t row = 0; row < t->nrows; row++) {
        if (t->keyed)
            t->keys[row] = dq_value(a, r, (int)row, 0);
        for (size_t i = 0; i < t->ncols; i++)
            t->cells[row * t->ncols + i] = PQgetisnull(r, (int)row, (int)i + 1)
                                               ? 0
                                               : parse_hash(PQgetvalue(r, (int)row, (int)i + 1));
    }
}

static int read_table_data(PGconn *c, struct arena *a, struct snap_table *t,
                           const struct snap_table *ref, struct rs_pg_error *err)
{
    bool casts;
    PGresult *r = dq_query(c, a, table_query(a, t, ref, true, &casts), err);
    if (!r && casts && PQstatus(c) == CONNECTION_OK) {
        /* A value that cannot be read back as the old type: compare the text forms instead. */
        t->data_note =
            arena_printf(a, "values of %s compared as text: %s", t->display, err->message);
        r = dq_query(c, a, table_query(a, t, ref, false, &casts), err);
    }
    if (!r)
        return -1;
    table_result(a, t, r);
    PQclear(r);
    return 0;
}

/* The reference table for t: the same relation (oid), else the one of the same name. */
static const struct snap_table *ref_table(const struct rs_snapshot *ref, const struct snap_table *t)
{
    if (!ref)
        return NULL;
    const struct snap_table *rt = find_table_by_oid(ref, t->oid);
    return rt ? rt : find_table_by_name(ref, t->display);
}

/*
 * Every table's query in one round trip; when one of them fails (a value that cannot be read back
 * in the old type), table by table.
 */
static int read_data(PGconn *c, struct arena *a, struct rs_snapshot *s,
                     const struct rs_snapshot *ref, struct rs_pg_error *err)
{
    if (!s->ntables)
        return 0;
    struct strbuf all;
    sb_init(&all, a);
    for (size_t i = 0; i < s->ntables; i++) {
        bool casts;
        sb_add(&all, table_query(a, &s->tables[i], ref_table(ref, &s->tables[i]), true, &casts));
        sb_add(&all, ";\n");
    }
    bool ok = PQsendQuery(c, all.s) == 1;
    size_t i = 0;
    PGresult *r;
    while ((r = PQgetResult(c))) {
        if (ok && PQresultStatus(r) == PGRES_TUPLES_OK && i < s->ntables)
            table_result(a, &s->tables[i++], r);
        else
            ok = false;
        PQclear(r);
    }
    if (ok && i == s->ntables)
        return 0;
    if (PQstatus(c) != CONNECTION_OK) {
        memset(err, 0, sizeof(*err));
        err->message = "the connection to the server was lost";
        return -1;
    }
    for (i = 0; i < s->ntables; i++)
        if (read_table_data(c, a, &s->tables[i], ref_table(ref, &s->tables[i]), err) < 0)
            return -1;
    return 0;
}

int snap_take(PGconn *c, struct arena *a, bool data, const struct rs_snapshot *ref,
              struct rs_snapshot *out, struct rs_pg_error *err)
{
    memset(out, 0, sizeof(*out));
    if (read_lines(c, a, out, err) < 0 || read_rels(c, a, out, err) < 0)
        return -1;
    return data ? read_data(c, a, out, ref, err) : 0;
}

/* ---------------------------------------------------------------- comparing */

static const char *shorten(struct arena *a, const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return s;
    return arena_printf(a, "%.*s...", (int)max, s);
}

/* Length of a quoted timestamp literal at s ('2026-11-21 21:20:18.1866'), 0 if there is none. */
static size_t timestamp_literal(const char *s)
{
    static const char shape[] = "'dddd-dd-dd dd:dd:dd";
    size_t i = 0;
    for (; shape[i]; i++) {
        if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != shape[i])
            return 0;
    }
    if (s[i] == '.')
        for (i++; s[i] >= '0' && s[i] <= '9'; i++)
            ;
    return s[i] == '\'' ? i + 1 : 0;
}

/*
 * Whether two definitions are the same once timestamps frozen into them are set aside: a view
 * written with 'now'::timestamp holds the moment it was created, so re-creating it (in a down)
 * always gives another literal.
 */
static bool same_but_timestamps(const char *a, const char *b)
{
    while (*a && *b) {
        size_t la = timestamp_literal(a), lb = timestamp_literal(b);
        if (la && lb) {
            a += la;
            b += lb;
            continue;
        }
        if (*a != *b)
            return false;
        a++, b++;
    }
    return *a == *b;
}

/* "key: definition changed at character N: now '...', was '...'" with some context. */
static const char *changed_at(struct arena *a, const char *key, const char *was, const char *now)
{
    size_t i = 0;
    while (was[i] && was[i] == now[i])
        i++;
    size_t from = i > 30 ? i - 30 : 0;
    while (from > 0 && ((unsigned char)now[from] & 0xC0) == 0x80)
        from--;
    return arena_printf(
        a, "%s: definition changed at character %zu: now '%s%.90s%s', was '%s%.90s%s'", key, i + 1,
        from ? "..." : "", now + from, strlen(now + from) > 90 ? "..." : "", from ? "..." : "",
        was + from, strlen(was + from) > 90 ? "..." : "");
}

static const char *ident_of(const struct snap_line *v, size_t n, const char *ident)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].ident && !strcmp(v[i].ident, ident))
            return v[i].key;
    return NULL;
}

/* Lines of the two sorted lists that differ, as sentences. */
static void diff_lines(struct arena *a, const struct snap_line *b, size_t nb,
                       const struct snap_line *f, size_t nf, bool renames, const char ***out,
                       size_t *nout)
{
    VEC(const char *) v = {0};
    size_t i = 0, j = 0;
    while (i < nb || j < nf) {
        int cmp = i == nb ? 1 : j == nf ? -1 : strcmp(b[i].key, f[j].key);
        if (cmp == 0) {
            if (strcmp(b[i].def, f[j].def) != 0 && !same_but_timestamps(b[i].def, f[j].def)) {
                if (strlen(b[i].def) + strlen(f[j].def) <= 160)
                    *VEC_PUSH(a, &v) =
                        arena_printf(a, "%s: %s, was %s", f[j].key, f[j].def, b[i].def);
                else
                    *VEC_PUSH(a, &v) = changed_at(a, f[j].key, b[i].def, f[j].def);
            }
            i++, j++;
        } else if (cmp < 0) {
            const char *now = renames && b[i].ident ? ident_of(f, nf, b[i].ident) : NULL;
            if (now)
                *VEC_PUSH(a, &v) = arena_printf(a, "%s: renamed to %s", b[i].key, now);
            else
                *VEC_PUSH(a, &v) = arena_printf(a, "%s: missing (was %s)", b[i].key,
                                                shorten(a, *b[i].def ? b[i].def : "present", 160));
            i++;
        } else {
            bool renamed = renames && f[j].ident && ident_of(b, nb, f[j].ident);
            if (!renamed)
                *VEC_PUSH(a, &v) = arena_printf(a, "%s: added (%s)", f[j].key,
                                                shorten(a, *f[j].def ? f[j].def : "new", 160));
            j++;
        }
    }
    *out = v.v;
    *nout = v.n;
}

static int u64_cmp(const void *pa, const void *pb)
{
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    return a < b ? -1 : a > b;
}

/* How many values of sorted b have no equal partner in sorted f (multiset difference). */
static long long multiset_missing(const uint64_t *b, size_t nb, const uint64_t *f, size_t nf)
{
    long long missing = 0;
    size_t i = 0, j = 0;
    while (i < nb) {
        if (j == nf || b[i] < f[j]) {
            missing++;
            i++;
        } else if (b[i] > f[j]) {
            j++;
        } else {
            i++, j++;
        }
    }
    return missing;
}

struct keyed_row {
    const char *key;
    size_t row;
};

static int keyed_cmp(const void *pa, const void *pb)
{
    const struct keyed_row *a = pa, *b = pb;
    return strcmp(a->key, b->key);
}

static struct keyed_row *sorted_keys(struct arena *a, const struct snap_table *t)
{
    struct keyed_row *v = arena_alloc(a, (t->nrows + 1) * sizeof(*v));
    for (size_t i = 0; i < t->nrows; i++)
        v[i] = (struct keyed_row){t->keys[i] ? t->keys[i] : "", i};
    sort(v, t->nrows, sizeof(*v), keyed_cmp);
    return v;
}

static void add_diff(struct arena *a, void *vec, const char *table, const char *column, long long n,
                     const char *what)
{
    VEC(struct rs_drill_data_diff) *v = vec;
    struct rs_drill_data_diff *d = VEC_PUSH(a, v);
    d->table = arena_strdup(a, table);
    d->column = column ? arena_strdup(a, column) : NULL;
    d->rows_changed = n;
    d->what = what;
}

static void diff_table(struct arena *a, const struct snap_table *b, const struct snap_table *f,
                       enum snap_match match, bool losses_only, void *vec)
{
    int *map = arena_alloc(a, (b->ncols + 1) * sizeof(int));
    for (size_t i = 0; i < b->ncols; i++) {
        map[i] = match == SNAP_BY_IDENTITY ? col_index_attnum(f, b->cols[i].attnum)
                                           : col_index(f, b->cols[i].name);
        if (map[i] >= 0)
            continue;
        long long nonnull = 0;
        for (size_t row = 0; row < b->nrows; row++)
            nonnull += b->cells[row * b->ncols + i] != 0;
        if (nonnull)
            add_diff(a, vec, b->display, b->cols[i].name, nonnull, "column missing");
    }
    if (b->keyed && f->keyed) {
        struct keyed_row *kb = sorted_keys(a, b), *kf = sorted_keys(a, f);
        long long *changed = arena_alloc(a, (b->ncols + 1) * sizeof(long long));
        long long missing = 0, added = 0;
        size_t i = 0, j = 0;
        while (i < b->nrows || j < f->nrows) {
            int cmp = i == b->nrows ? 1 : j == f->nrows ? -1 : strcmp(kb[i].key, kf[j].key);
            if (cmp < 0) {
                missing++;
                i++;
            } else if (cmp > 0) {
                added++;
                j++;
            } else {
                for (size_t col = 0; col < b->ncols; col++)
                    if (map[col] >= 0 && b->cells[kb[i].row * b->ncols + col] !=
                                             f->cells[kf[j].row * f->ncols + (size_t)map[col]])
                        changed[col]++;
                i++, j++;
            }
        }
        for (size_t col = 0; col < b->ncols; col++)
            if (changed[col])
                add_diff(a, vec, b->display, b->cols[col].name, changed[col], "values changed");
        if (missing)
            add_diff(a, vec, b->display, NULL, missing, "rows missing");
        if (added && !losses_only)
            add_diff(a, vec, b->display, NULL, added, "rows added");
        return;
    }
    /* No key: each column as a multiset of values; rows by count. */
    uint64_t *hb = arena_alloc(a, (b->nrows + 1) * sizeof(uint64_t));
    uint64_t *hf = arena_alloc(a, (f->nrows + 1) * sizeof(uint64_t));
    long long lost_rows = b->nrows > f->nrows ? (long long)(b->nrows - f->nrows) : 0;
    long long added_rows = f->nrows > b->nrows ? (long long)(f->nrows - b->nrows) : 0;
    for (size_t col = 0; col < b->ncols; col++) {
        if (map[col] < 0)
            continue;
        for (size_t row = 0; row < b->nrows; row++)
            hb[row] = b->cells[row * b->ncols + col];
        for (size_t row = 0; row < f->nrows; row++)
            hf[row] = f->cells[row * f->ncols + (size_t)map[col]];
        sort(hb, b->nrows, sizeof(uint64_t), u64_cmp);
        sort(hf, f->nrows, sizeof(uint64_t), u64_cmp);
        long long n = multiset_missing(hb, b->nrows, hf, f->nrows) - lost_rows;
        if (n > 0)
            add_diff(a, vec, b->display, b->cols[col].name, n, "values changed");
    }
    if (lost_rows)
        add_diff(a, vec, b->display, NULL, lost_rows, "rows missing");
    if (added_rows && !losses_only)
        add_diff(a, vec, b->display, NULL, added_rows, "rows added");
}

static int str_cmp(const void *pa, const void *pb)
{
    return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

/* The column names of a "column order" line, sorted. */
static size_t sorted_names(struct arena *a, const char *list, char ***out)
{
    VEC(char *) v = {0};
    char *copy = arena_strdup(a, list), *save = NULL;
    for (char *p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save))
        *VEC_PUSH(a, &v) = p + (*p == ' ');
    sort(v.v, v.n, sizeof(char *), str_cmp);
    *out = v.v;
    return v.n;
}

/* Whether two column lists hold the same names (in any order): only then is order a finding. */
static bool same_names(struct arena *a, const char *x, const char *y)
{
    char **vx, **vy;
    size_t nx = sorted_names(a, x, &vx), ny = sorted_names(a, y, &vy);
    if (nx != ny)
        return false;
    for (size_t i = 0; i < nx; i++)
        if (strcmp(vx[i], vy[i]) != 0)
            return false;
    return true;
}

void snap_compare(struct arena *a, const struct rs_snapshot *before,
                  const struct rs_snapshot *after, enum snap_match match, bool losses_only,
                  struct rs_drill_compare *out)
{
    memset(out, 0, sizeof(*out));
    out->done = true;
    diff_lines(a, before->lines, before->nlines, after->lines, after->nlines,
               match == SNAP_BY_IDENTITY, &out->schema_diff, &out->nschema_diff);
    /* Column order, only for relations both have with the same set of columns. */
    VEC(const char *) order = {0};
    for (size_t i = 0, j = 0; i < before->norder && j < after->norder;) {
        int cmp = strcmp(before->order[i].key, after->order[j].key);
        if (cmp < 0) {
            i++;
        } else if (cmp > 0) {
            j++;
        } else {
            if (strcmp(before->order[i].def, after->order[j].def) != 0 &&
                same_names(a, before->order[i].def, after->order[j].def))
                *VEC_PUSH(a, &order) = arena_printf(a, "%s: %s, was %s", after->order[j].key,
                                                    shorten(a, after->order[j].def, 200),
                                                    shorten(a, before->order[i].def, 200));
            i++, j++;
        }
    }
    out->order_diff = order.v;
    out->norder_diff = order.n;
    out->schema_same = out->nschema_diff == 0;

    VEC(struct rs_drill_data_diff) data = {0};
    for (size_t i = 0; i < before->ntables; i++) {
        const struct snap_table *b = &before->tables[i];
        if (!b->have_data)
            continue;
        const struct snap_table *f = match == SNAP_BY_IDENTITY
                                         ? find_table_by_oid(after, b->oid)
                                         : find_table_by_name(after, b->display);
        if (!f || !f->have_data) {
            if (b->nrows)
                add_diff(a, &data, b->display, NULL, (long long)b->nrows, "table missing");
            continue;
        }
        diff_table(a, b, f, match, losses_only, &data);
    }
    out->data_diff = data.v;
    out->ndata_diff = data.n;
    out->data_same = data.n == 0;
}

size_t snap_enum_changes(struct arena *a, const struct rs_snapshot *before,
                         const struct rs_snapshot *after, const char ***out)
{
    VEC(const char *) v = {0};
    for (size_t i = 0; i < before->nenum_types; i++) {
        struct snap_line key = {.key = before->enum_types[i]};
        const struct snap_line *b =
            before->nlines ? bsearch(&key, before->lines, before->nlines, sizeof(key), line_cmp)
                           : NULL;
        const struct snap_line *f =
            after->nlines ? bsearch(&key, after->lines, after->nlines, sizeof(key), line_cmp)
                          : NULL;
        if (b && f && strcmp(b->def, f->def) != 0 && strlen(f->def) > strlen(b->def))
            *VEC_PUSH(a, &v) = arena_printf(a, "%s: %s, was %s", f->key, f->def, b->def);
    }
    *out = v.v;
    return v.n;
}
