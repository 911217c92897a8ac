/*
 * seed.c - rows for every table, generated from the live catalog, and the previous version's
 * generated reads and writes (probes).
 *
 * The plan is read from pg_catalog (columns with their types through format_type's inputs,
 * domains resolved to their base type, enum labels in order, foreign keys), never from the static
 * model: what is seeded is what the database really has. Tables are filled parents first (a
 * topological order of the foreign keys; cycles and self references get NULL where they can), one
 * multi-row INSERT per table, and row by row when the database refuses it, so that a CHECK or a
 * trigger that rejects some generated rows costs only those rows.
 *
 * The values are chosen to show lossy changes: strings with mixed case, leading and trailing
 * spaces and non-ASCII letters, strings exactly as long as the column allows, numbers with four
 * decimal places (or as many as the scale allows), values next to the type's limits in the first
 * two rows, every enum label, times with microseconds, NULL in every fifth row of nullable
 * columns. Everything is deterministic: the same plan and row number give the same values, so a
 * second copy of the database (the crash drill) is seeded identically.
 *
 * What it does not do: solve CHECK constraints, fill composite-type or unknown extension-type
 * columns that have no default (their rows are refused and counted), or reproduce realistic
 * distributions or volumes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pg/drill_int.h"

/* Values next to the upper limit, next to the lower limit, ordinary; FL_MINIMAL: a probe row with
   DEFAULT and NULL wherever the column allows them (values as FL_MAX elsewhere); FL_PLAIN:
   ordinary values without defaults, case twins or empty strings (the fallback seed). */
enum flavor { FL_NORMAL, FL_MAX, FL_MIN, FL_MINIMAL, FL_PLAIN };

struct seed_col {
    const char *name;
    bool notnull, omit; /* omit: generated, identity or serial: the database fills it */
    bool has_default;
    const char *type; /* base type name (domains resolved) */
    char typtype;     /* 'b', 'e', 'r', 'c', ... of the base type */
    unsigned typoid;
    int typmod;
    const char *elem; /* element type name for arrays, or NULL */
    char elemtype;
    unsigned elemoid;
    int fk, fkpos;        /* foreign key index in the table and position in it, -1 none */
    unsigned decl_typoid; /* the declared type (a domain, when it is one) */
    const char **allowed; /* values a CHECK (col IN (...)) allows, or NULL */
    size_t nallowed;
};

struct seed_fk {
    size_t parent;        /* table index */
    int *cols;            /* local column indexes */
    const char **refcols; /* parent column names */
    size_t ncols;
    bool self;
    /* parent key tuples (text), fetched when the child is seeded */
    bool fetched;
    const char ***tuples;
    size_t ntuples;
};

struct seed_table {
    unsigned oid;
    const char *schema, *name, *display, *sql;
    bool is_view;
    struct seed_col *cols;
    size_t ncols;
    struct seed_fk *fks;
    size_t nfks;
    int order; /* topological position */
};

struct seed_plan {
    struct seed_table *t;
    size_t n;
    struct {
        unsigned oid;
        const char **labels;
        size_t n;
    } * enums;
    size_t nenums;
};

/* ---------------------------------------------------------------- reading the catalog */

#define SEED_NS_FILTER                                                                             \
    "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' "  \
    "AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend "   \
    "dep WHERE dep.classid = 'pg_class'::regclass AND dep.objid = c.oid AND dep.deptype = 'e')"

#define SEED_COLUMNS(gen)                                                                          \
    "SELECT c.oid, n.nspname, c.relname, c.relkind, a.attname, a.attnotnull OR t.typnotnull, "     \
    "a.atthasdef, coalesce(pg_catalog.pg_get_expr(d.adbin, d.adrelid), ''), a.attidentity, " gen   \
    ", bt.typname, bt.typtype, bt.oid, CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE "           \
    "a.atttypmod END, et.typname, et.typtype, et.oid, t.oid "                                      \
    "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "         \
    "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT "               \
    "a.attisdropped JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "                              \
    "JOIN pg_catalog.pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE "    \
    "t.oid END LEFT JOIN pg_catalog.pg_type et ON et.oid = bt.typelem AND bt.typcategory = 'A' "   \
    "LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "          \
    "WHERE c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relispartition AND " SEED_NS_FILTER         \
    " ORDER BY n.nspname, c.relname, a.attnum"

static const char enums_query[] =
    "SELECT enumtypid, enumlabel FROM pg_catalog.pg_enum ORDER BY enumtypid, enumsortorder";

static const char fks_query[] =
    "SELECT conrelid, confrelid, "
    "(SELECT string_agg(a.attname, ',' ORDER BY k.i) FROM unnest(conkey) WITH ORDINALITY k(n, i) "
    " JOIN pg_catalog.pg_attribute a ON a.attrelid = conrelid AND a.attnum = k.n), "
    "(SELECT string_agg(a.attname, ',' ORDER BY k.i) FROM unnest(confkey) WITH ORDINALITY k(n, i) "
    " JOIN pg_catalog.pg_attribute a ON a.attrelid = confrelid AND a.attnum = k.n) "
    "FROM pg_catalog.pg_constraint WHERE contype = 'f' ORDER BY conrelid, conname";

/* CHECK constraints on one column (or on a domain): the literals they list. */
static const char checks_query[] =
    "SELECT c.conrelid, c.contypid, (SELECT a.attname FROM pg_catalog.pg_attribute a "
    "WHERE a.attrelid = c.conrelid AND a.attnum = c.conkey[1]), "
    "pg_catalog.pg_get_constraintdef(c.oid) FROM pg_catalog.pg_constraint c "
    "WHERE c.contype = 'c' AND (c.contypid <> 0 OR array_length(c.conkey, 1) = 1)";

static struct seed_table *table_by_oid(struct seed_plan *p, unsigned oid)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->t[i].oid == oid)
            return &p->t[i];
    return NULL;
}

static int col_by_attname(const struct seed_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (!strcmp(t->cols[i].name, name))
            return (int)i;
    return -1;
}

static int read_fks(PGconn *c, struct arena *a, struct seed_plan *p, struct rs_pg_error *err)
{
    PGresult *r = dq_query(c, a, fks_query, err);
    if (!r)
        return -1;
    for (int i = 0; i < PQntuples(r); i++) {
        struct seed_table *t = table_by_oid(p, (unsigned)strtoul(PQgetvalue(r, i, 0), NULL, 10));
        struct seed_table *parent =
            table_by_oid(p, (unsigned)strtoul(PQgetvalue(r, i, 1), NULL, 10));
        if (!t || !parent || t->is_view || PQgetisnull(r, i, 2) || PQgetisnull(r, i, 3))
            continue;
        char *local = arena_strdup(a, PQgetvalue(r, i, 2));
        char *refs = arena_strdup(a, PQgetvalue(r, i, 3));
        VEC(int) cols = {0};
        VEC(const char *) refcols = {0};
        char *s1 = NULL, *s2 = NULL;
        char *l = strtok_r(local, ",", &s1), *rc = strtok_r(refs, ",", &s2);
        bool ok = true;
        for (; l && rc; l = strtok_r(NULL, ",", &s1), rc = strtok_r(NULL, ",", &s2)) {
            int ci = col_by_attname(t, l);
            ok = ok && ci >= 0;
            *VEC_PUSH(a, &cols) = ci;
            *VEC_PUSH(a, &refcols) = rc;
        }
        if (!ok || !cols.n)
            continue;
        /* VEC of structs inside the table */
        struct seed_fk *fks = arena_grow(a, t->fks, t->nfks, t->nfks + 1, sizeof(*fks));
        struct seed_fk *fk = &fks[t->nfks];
        fk->parent = (size_t)(parent - p->t);
        fk->cols = cols.v;
        fk->refcols = refcols.v;
        fk->ncols = cols.n;
        fk->self = parent == t;
        for (size_t k = 0; k < cols.n; k++) {
            struct seed_col *col = &t->cols[cols.v[k]];
            if (col->fk < 0) {
                col->fk = (int)t->nfks;
                col->fkpos = (int)k;
            }
        }
        t->fks = fks;
        t->nfks++;
    }
    PQclear(r);
    return 0;
}

/*
 * The quoted literals of a constraint definition, when it compares with a list of values
 * ("CHECK ((status = ANY (ARRAY['active'::text, 'blocked'::text])))", "CHECK (VALUE IN (...))"
 * as PostgreSQL prints it): the values the column may take. Any other CHECK is left to the
 * database, which refuses some generated rows.
 */
static size_t check_literals(struct arena *a, const char *def, const char ***out)
{
    *out = NULL;
    if (!strstr(def, "= ANY (ARRAY[") && !strstr(def, " = '"))
        return 0;
    if (strstr(def, " OR ") && !strstr(def, "IS NULL"))
        return 0;
    VEC(const char *) v = {0};
    for (const char *p = def; *p; p++) {
        if (*p != '\'')
            continue;
        struct strbuf sb;
        sb_init(&sb, a);
        for (p++; *p; p++) {
            if (*p == '\'' && p[1] == '\'') {
                sb_addc(&sb, '\'');
                p++;
            } else if (*p == '\'') {
                break;
            } else {
                sb_addc(&sb, *p);
            }
        }
        *VEC_PUSH(a, &v) = sb.s;
        if (!*p)
            break;
    }
    *out = v.v;
    return v.n;
}

static int read_checks(PGconn *c, struct arena *a, struct seed_plan *p, struct rs_pg_error *err)
{
    PGresult *r = dq_query(c, a, checks_query, err);
    if (!r)
        return -1;
    for (int i = 0; i < PQntuples(r); i++) {
        const char **lits;
        size_t n = check_literals(a, PQgetvalue(r, i, 3), &lits);
        if (!n)
            continue;
        unsigned rel = (unsigned)strtoul(PQgetvalue(r, i, 0), NULL, 10);
        unsigned dom = (unsigned)strtoul(PQgetvalue(r, i, 1), NULL, 10);
        for (size_t k = 0; k < p->n; k++) {
            struct seed_table *t = &p->t[k];
            if (rel && t->oid != rel)
                continue;
            for (size_t j = 0; j < t->ncols; j++) {
                struct seed_col *col = &t->cols[j];
                bool match = rel ? !PQgetisnull(r, i, 2) && !strcmp(col->name, PQgetvalue(r, i, 2))
                                 : col->decl_typoid == dom;
                if (match) {
                    col->allowed = lits;
                    col->nallowed = n;
                }
            }
        }
    }
    PQclear(r);
    return 0;
}

/* Parents before children; ties and cycles by name. */
static void order_tables(struct arena *a, struct seed_plan *p)
{
    bool *done = arena_alloc(a, (p->n + 1) * sizeof(bool));
    int next = 0;
    for (size_t round = 0; round < p->n; round++) {
        bool progress = false;
        for (size_t i = 0; i < p->n; i++) {
            if (done[i])
                continue;
            bool ready = true;
            for (size_t k = 0; k < p->t[i].nfks && ready; k++) {
                const struct seed_fk *fk = &p->t[i].fks[k];
                ready = fk->self || done[fk->parent];
            }
            if (!ready)
                continue;
            done[i] = true;
            p->t[i].order = next++;
            progress = true;
        }
        if (!progress) {
            /* A cycle: take the first remaining table; its references get NULL or fail. */
            for (size_t i = 0; i < p->n; i++) {
                if (!done[i]) {
                    done[i] = true;
                    p->t[i].order = next++;
                    break;
                }
            }
        }
    }
}

struct seed_plan *seed_plan_read(PGconn *c, struct arena *a, struct rs_pg_error *err)
{
    struct seed_plan *p = arena_alloc(a, sizeof(*p));
    PGresult *r = dq_query(c, a,
                           PQserverVersion(c) >= 120000 ? SEED_COLUMNS("a.attgenerated")
                                                        : SEED_COLUMNS("''::\"char\""),
                           err);
    if (!r)
        return NULL;
    VEC(struct seed_table) tables = {0};
    VEC(struct seed_col) cols = {0};
    int n = PQntuples(r);
    for (int i = 0; i < n; i++) {
        const char *schema = PQgetvalue(r, i, 1), *rel = PQgetvalue(r, i, 2);
        bool first = i == 0 || strcmp(PQgetvalue(r, i - 1, 0), PQgetvalue(r, i, 0)) != 0;
        bool last = i == n - 1 || strcmp(PQgetvalue(r, i + 1, 0), PQgetvalue(r, i, 0)) != 0;
        if (dq_is_tool_table(schema, rel))
            continue;
        if (first) {
            cols.v = NULL;
            cols.n = cols.cap = 0;
        }
        struct seed_col *col = VEC_PUSH(a, &cols);
        col->name = dq_value(a, r, i, 4);
        col->notnull = !strcmp(PQgetvalue(r, i, 5), "t");
        col->has_default = !strcmp(PQgetvalue(r, i, 6), "t");
        const char *def = PQgetvalue(r, i, 7);
        char identity = PQgetvalue(r, i, 8)[0], generated = PQgetvalue(r, i, 9)[0];
        col->omit = identity == 'a' || identity == 'd' || generated == 's' ||
                    (col->has_default && strstr(def, "nextval(") != NULL);
        col->type = dq_value(a, r, i, 10);
        col->typtype = PQgetvalue(r, i, 11)[0];
        col->typoid = (unsigned)strtoul(PQgetvalue(r, i, 12), NULL, 10);
        col->typmod = atoi(PQgetvalue(r, i, 13));
        col->elem = dq_value(a, r, i, 14);
        col->elemtype = PQgetisnull(r, i, 15) ? 0 : PQgetvalue(r, i, 15)[0];
        col->elemoid =
            PQgetisnull(r, i, 16) ? 0 : (unsigned)strtoul(PQgetvalue(r, i, 16), NULL, 10);
        col->fk = col->fkpos = -1;
        col->decl_typoid = (unsigned)strtoul(PQgetvalue(r, i, 17), NULL, 10);
        if (!last)
            continue;
        struct seed_table *t = VEC_PUSH(a, &tables);
        t->oid = (unsigned)strtoul(PQgetvalue(r, i, 0), NULL, 10);
        t->schema = arena_strdup(a, schema);
        t->name = arena_strdup(a, rel);
        t->display = dq_display(a, schema, rel);
        t->sql = dq_qualified(a, schema, rel);
        char kind = PQgetvalue(r, i, 3)[0];
        t->is_view = kind == 'v' || kind == 'm';
        t->cols = cols.v;
        t->ncols = cols.n;
    }
    PQclear(r);
    p->t = tables.v;
    p->n = tables.n;

    r = dq_query(c, a, enums_query, err);
    if (!r)
        return NULL;
    p->enums = arena_alloc(a, ((size_t)PQntuples(r) + 1) * sizeof(*p->enums));
    for (int i = 0; i < PQntuples(r); i++) {
        unsigned oid = (unsigned)strtoul(PQgetvalue(r, i, 0), NULL, 10);
        if (!p->nenums || p->enums[p->nenums - 1].oid != oid) {
            p->enums[p->nenums].oid = oid;
            p->enums[p->nenums].labels =
                arena_alloc(a, ((size_t)PQntuples(r) + 1) * sizeof(char *));
            p->nenums++;
        }
        p->enums[p->nenums - 1].labels[p->enums[p->nenums - 1].n++] = dq_value(a, r, i, 1);
    }
    PQclear(r);
    if (read_fks(c, a, p, err) < 0 || read_checks(c, a, p, err) < 0)
        return NULL;
    order_tables(a, p);
    return p;
}

/* ---------------------------------------------------------------- values */

static const char *const *enum_labels(const struct seed_plan *p, unsigned oid, size_t *n)
{
    for (size_t i = 0; i < p->nenums; i++) {
        if (p->enums[i].oid == oid) {
            *n = p->enums[i].n;
            return p->enums[i].labels;
        }
    }
    *n = 0;
    return NULL;
}

/* Number of characters of a UTF-8 string. */
static size_t utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* The first max characters of s. */
static char *utf8_prefix(struct arena *a, const char *s, size_t max)
{
    size_t i = 0, chars = 0;
    while (s[i] && chars < max) {
        i++;
        while (((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        chars++;
    }
    return arena_strndup(a, s, i);
}

/* A string for row r, at most maxlen characters (0: no limit). */
static const char *gen_string(struct arena *a, int r, int j, enum flavor fl, int maxlen)
{
    static const char *const patterns[] = {
        "Mixed Case %d",
        "trailing spaces %d   ",
        "  Leading Space %d",
        "\xc3\x9cmlaut Stra\xc3\x9f"
        "e %d \xc3\xa9t\xc3\xa9",
    };
    char *s;
    if (fl == FL_MAX) {
        /* Exactly as long as the column allows; 2050 characters for unbounded text (longer than
           the usual 255, 512 and 2000-character limits a migration may narrow it to). */
        int len = maxlen > 0 ? maxlen : 2050;
        struct strbuf sb;
        sb_init(&sb, a);
        sb_printf(&sb, "Max %d ", r);
        static const char filler[] = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 ";
        for (size_t k = 0, chars = utf8_len(sb.s); (int)chars < len; k++, chars++)
            sb_addc(&sb, filler[(k + (size_t)j) % (sizeof(filler) - 1)]);
        s = sb.s;
        if (s[sb.len - 1] == ' ')
            s[sb.len - 1] = 'z';
    } else if (fl == FL_MIN) {
        s = maxlen == 1 ? arena_strdup(a, "m") : arena_strdup(a, ""); /* the empty string */
    } else if (r % 6 == 5) {
        /* The previous row's value in lower case: a twin that only differs by case (or, when
           it has no capital, by a trailing space). */
        s = arena_printf(a, patterns[(r - 1 + j) % 4], r - 1);
        bool changed = false;
        for (char *c = s; *c; c++) {
            if (*c >= 'A' && *c <= 'Z') {
                *c = (char)(*c - 'A' + 'a');
                changed = true;
            }
        }
        if (!changed)
            s = arena_printf(a, "%s ", s);
    } else {
        s = arena_printf(a, patterns[(r + j) % 4], r);
    }
    if (maxlen > 0 && (int)utf8_len(s) > maxlen) {
        s = arena_printf(a, "%d%c", r, "xYz"[j % 3]);
        if ((int)strlen(s) > maxlen)
            s = arena_printf(a, "%c",
                             "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"[r % 52]);
        s = utf8_prefix(a, s, (size_t)maxlen);
    }
    return s;
}

static const char *gen_numeric(struct arena *a, int r, int j, enum flavor fl, int typmod)
{
    int scale = 4, digits = 6;
    if (typmod >= 4) {
        int prec = ((typmod - 4) >> 16) & 0xffff;
        scale = (typmod - 4) & 0x7ff;
        if (scale > 1000) /* negative scale (PostgreSQL 15): treat as 0 */
            scale = 0;
        digits = prec - scale;
    }
    if (digits > 15)
        digits = 15;
    if (digits < 0)
        digits = 0;
    long long limit = 1;
    for (int k = 0; k < digits; k++)
        limit *= 10;
    long long ip;
    if (fl == FL_MAX || fl == FL_MIN)
        ip = limit - 1 - (r % (limit > 1 ? limit : 1));
    else
        ip = limit > 1 ? (r * 37LL + j) % limit : 0;
    if (ip < 0)
        ip = 0;
    struct strbuf sb;
    sb_init(&sb, a);
    sb_printf(&sb, "%s%lld", fl == FL_MIN ? "-" : "", ip);
    if (scale > 0) {
        static const char frac[] = "56789012345678901234567890";
        sb_addc(&sb, '.');
        for (int k = 0; k < scale && k < 20; k++) {
            char d = fl == FL_NORMAL ? (char)('0' + (r * 7 + j * 3 + k * 5) % 10) : frac[k];
            if (k == scale - 1 || k == 19)
                d = (char)('1' + (r + j + k) % 9); /* never a trailing zero */
            sb_addc(&sb, d);
        }
    }
    return sb.s;
}

static const char *gen_time_string(struct arena *a, long long secs, const char *fmt)
{
    time_t t = (time_t)secs;
    struct tm tm;
    if (!gmtime_r(&t, &tm))
        return "2024-02-29";
    char buf[64];
    strftime(buf, sizeof(buf), fmt, &tm);
    return arena_strdup(a, buf);
}

#define BASE_2024_02_29 1709164800LL  /* 2024-02-29 00:00:00 UTC */
#define MAX_9999_12_31 253402214400LL /* 9999-12-31 00:00:00 UTC */
#define MIN_0001_01_01 (-62135596800LL)

static const char *gen_timestamp(struct arena *a, int r, int j, enum flavor fl, bool date,
                                 const char *suffix)
{
    long long secs;
    int micro = (r * 123457 + j * 7 + 1) % 1000000;
    if (fl == FL_MAX)
        secs = MAX_9999_12_31 + 86399 - r * 86400LL;
    else if (fl == FL_MIN)
        secs = MIN_0001_01_01 + r * 86400LL + 1;
    else
        secs = BASE_2024_02_29 + 49556 + r * 90061LL + j * 3607LL;
    if (micro == 0)
        micro = 1;
    if (date)
        return gen_time_string(a, secs, "%Y-%m-%d");
    return arena_printf(a, "%s.%06d%s", gen_time_string(a, secs, "%Y-%m-%d %H:%M:%S"), micro,
                        suffix);
}

static const char *gen_scalar(struct arena *a, const struct seed_plan *p, const char *type,
                              char typtype, unsigned typoid, int typmod, int r, int j,
                              enum flavor fl, bool *known)
{
    *known = true;
    if (typtype == 'e') {
        size_t n;
        const char *const *labels = enum_labels(p, typoid, &n);
        if (!n) {
            *known = false;
            return NULL;
        }
        return labels[fl == FL_MAX ? n - 1 : fl == FL_MIN ? 0 : (size_t)(r + j) % n];
    }
    if (!strcmp(type, "int2"))
        return fl == FL_MAX   ? arena_printf(a, "%d", 32767 - r)
               : fl == FL_MIN ? arena_printf(a, "%d", -32768 + r)
                              : arena_printf(a, "%d", 1 + r * 7 + j % 7);
    if (!strcmp(type, "int4") || !strcmp(type, "oid"))
        return fl == FL_MAX   ? arena_printf(a, "%lld", 2147483647LL - r)
               : fl == FL_MIN ? (!strcmp(type, "oid") ? arena_printf(a, "%d", r + 1)
                                                      : arena_printf(a, "%lld", -2147483648LL + r))
                              : arena_printf(a, "%d", 1 + r * 1009 + j);
    if (!strcmp(type, "int8"))
        return fl == FL_MAX   ? arena_printf(a, "%lld", 9223372036854775807LL - r)
               : fl == FL_MIN ? arena_printf(a, "%lld", -9223372036854775807LL - 1 + r)
                              : arena_printf(a, "%lld", 1 + r * 100003LL + j);
    if (!strcmp(type, "numeric"))
        return gen_numeric(a, r, j, fl, typmod);
    if (!strcmp(type, "float4") || !strcmp(type, "float8")) {
        const char *exp = type[5] == '4' ? "e+38" : "e+307";
        if (fl != FL_NORMAL)
            return arena_printf(a, "%s1.%04d%s", fl == FL_MIN ? "-" : "", r % 10000, exp);
        return arena_printf(a, "%d.%04d", r * 31 + j, (r * 7919 + j * 31) % 10000 | 1);
    }
    if (!strcmp(type, "money"))
        return fl == FL_NORMAL
                   ? arena_printf(a, "%d.%02d", r * 13 + j, (r * 7 + 1) % 100)
                   : arena_printf(a, "%s99999999.%02d", fl == FL_MIN ? "-" : "", r % 100);
    if (!strcmp(type, "bool"))
        return fl == FL_MAX ? "true" : fl == FL_MIN ? "false" : (r + j) % 2 ? "false" : "true";
    if (!strcmp(type, "text") || !strcmp(type, "citext") || !strcmp(type, "varchar") ||
        !strcmp(type, "bpchar") || !strcmp(type, "name")) {
        int maxlen = 0;
        if (!strcmp(type, "varchar") || !strcmp(type, "bpchar"))
            maxlen = typmod > 4 ? typmod - 4 : !strcmp(type, "bpchar") ? 1 : 0;
        if (!strcmp(type, "name"))
            maxlen = 63;
        return gen_string(a, r, j, fl, maxlen);
    }
    if (!strcmp(type, "char"))
        return arena_printf(a, "%c", "abcdefghijklmnopqrstuvwxyz"[(r + j) % 26]);
    if (!strcmp(type, "bytea"))
        return fl == FL_MIN
                   ? arena_printf(a, "\\x%02x", r & 0xff)
                   : arena_printf(a, "\\x%02x%02x00ff7f80%02x", r & 0xff, j & 0xff, (r * 7) & 0xff);
    if (!strcmp(type, "uuid"))
        return fl == FL_MAX
                   ? arena_printf(a, "ffffffff-ffff-4fff-bfff-%012llx", 0xffffffffffffLL - r)
               : fl == FL_MIN
                   ? arena_printf(a, "00000000-0000-4000-8000-%012x", r)
                   : arena_printf(a, "%08x-1d2c-4b3a-9f8e-%012x", (unsigned)j * 2654435761u, r);
    if (!strcmp(type, "date"))
        return gen_timestamp(a, r, j, fl, true, "");
    if (!strcmp(type, "timestamp"))
        return gen_timestamp(a, r, j, fl, false, "");
    if (!strcmp(type, "timestamptz"))
        return gen_timestamp(a, r, j, fl, false, fl == FL_NORMAL ? "+02" : "+00");
    if (!strcmp(type, "time") || !strcmp(type, "timetz")) {
        int s = fl == FL_MAX ? 86399 - r : fl == FL_MIN ? r : (r * 3671 + j * 61 + 49556) % 86400;
        return arena_printf(a, "%02d:%02d:%02d.%06d%s", s / 3600, s / 60 % 60, s % 60,
                            (r * 123457 + 1) % 1000000, type[4] == 't' ? "+02" : "");
    }
    if (!strcmp(type, "interval"))
        return fl == FL_MAX ? arena_printf(a, "%d years", 177999999 - r)
               : fl == FL_MIN
                   ? arena_printf(a, "-%d years", 177999999 - r)
                   : arena_printf(a, "%d mons %d days %02d:%02d:%02d.%06d", r % 13, r * 3 + j,
                                  r % 24, (r * 7) % 60, (r * 13) % 60, (r * 123457 + 1) % 1000000);
    if (!strcmp(type, "json") || !strcmp(type, "jsonb"))
        return fl == FL_MIN ? arena_printf(a, "{\"r\": %d}", r)
                            : arena_printf(a,
                                           "{\"Name\": \"Mixed Case %d  \", \"n\": %d.%04d, "
                                           "\"tags\": [\"a\", \"B\"], \"nested\": {\"ok\": %s}}",
                                           r, r * 3 + j, (r * 7919 + 1) % 10000 | 1,
                                           r % 2 ? "true" : "false");
    if (!strcmp(type, "inet"))
        return fl == FL_MAX ? arena_printf(a, "ffff:ffff::%x", r + 1)
                            : arena_printf(a, "10.%d.%d.%d", j % 256, r / 256 % 256, r % 256);
    if (!strcmp(type, "cidr"))
        return arena_printf(a, "10.%d.%d.0/24", j % 256, r % 256);
    if (!strcmp(type, "macaddr"))
        return arena_printf(a, "08:00:2b:%02x:%02x:%02x", j & 0xff, (r >> 8) & 0xff, r & 0xff);
    if (!strcmp(type, "macaddr8"))
        return arena_printf(a, "08:00:2b:01:02:%02x:%02x:%02x", j & 0xff, (r >> 8) & 0xff,
                            r & 0xff);
    if (!strcmp(type, "bit") || !strcmp(type, "varbit")) {
        int len = typmod > 0 ? typmod : !strcmp(type, "bit") ? 1 : 8;
        if (len > 64)
            len = 64;
        char buf[65];
        for (int k = 0; k < len; k++)
            buf[k] = (char)('0' + (((r + 1) >> (len - 1 - k)) & 1));
        buf[len] = '\0';
        return arena_strdup(a, buf);
    }
    if (!strcmp(type, "xml"))
        return arena_printf(a, "<row n=\"%d\">Mixed Case</row>", r);
    if (!strcmp(type, "tsvector"))
        return arena_printf(a, "alpha beta r%d", r);
    if (!strcmp(type, "tsquery"))
        return arena_printf(a, "alpha & r%d", r);
    if (!strcmp(type, "ltree"))
        return arena_printf(a, "Top.Mixed_Case.n%d", r);
    if (!strcmp(type, "hstore"))
        return arena_printf(a, "\"Key\"=>\"Mixed Case %d\"", r);
    if (!strcmp(type, "point"))
        return arena_printf(a, "(%d.5,%d.25)", r, j);
    if (!strcmp(type, "box"))
        return arena_printf(a, "(%d,%d),(0,0)", r + 1, j + 1);
    if (!strcmp(type, "circle"))
        return arena_printf(a, "<(0,0),%d>", r + 1);
    if (!strcmp(type, "int4range") || !strcmp(type, "int8range") || !strcmp(type, "numrange"))
        return arena_printf(a, "[%d,%d)", r, r + 10 + j);
    if (!strcmp(type, "daterange"))
        return arena_printf(a, "[%s,%s)", gen_timestamp(a, r, j, FL_NORMAL, true, ""),
                            gen_timestamp(a, r + 1, j, FL_NORMAL, true, ""));
    if (!strcmp(type, "tsrange") || !strcmp(type, "tstzrange"))
        return arena_printf(a, "[\"%s\",\"%s\")", gen_timestamp(a, r, j, FL_NORMAL, false, ""),
                            gen_timestamp(a, r + 2, j, FL_NORMAL, false, ""));
    *known = false;
    return NULL;
}

static bool is_counter_like(const char *type)
{
    static const char *const types[] = {"int2",   "int4",     "int8",      "numeric",
                                        "float4", "float8",   "timestamp", "timestamptz",
                                        "date",   "interval", NULL};
    for (size_t i = 0; types[i]; i++)
        if (!strcmp(type, types[i]))
            return true;
    return false;
}

/* An array literal element: always double-quoted. */
static void add_array_elem(struct strbuf *sb, const char *v)
{
    if (!v) {
        sb_add(sb, "NULL");
        return;
    }
    sb_addc(sb, '"');
    for (const char *s = v; *s; s++) {
        if (*s == '"' || *s == '\\')
            sb_addc(sb, '\\');
        sb_addc(sb, *s);
    }
    sb_addc(sb, '"');
}

/*
 * The raw value of column col for row r: a string, NULL for SQL NULL. *use_default: leave the
 * column to its default (the generator cannot make a value of its type).
 */
static const char *gen_value(struct arena *a, const struct seed_plan *p, const struct seed_col *col,
                             int r, int j, enum flavor fl, bool nulls, bool *use_default)
{
    *use_default = false;
    if (nulls && !col->notnull && fl == FL_NORMAL && r % 5 == 3)
        return NULL;
    bool known;
    if (col->nallowed && !col->elem) {
        size_t n = col->nallowed;
        return col->allowed[fl == FL_MAX ? n - 1 : fl == FL_MIN ? 0 : (size_t)(r + j) % n];
    }
    if (col->elem) {
        if (fl == FL_MIN)
            return "{}";
        struct strbuf sb;
        sb_init(&sb, a);
        sb_addc(&sb, '{');
        int count = fl == FL_MAX ? 3 : 2;
        for (int k = 0; k < count; k++) {
            const char *v = gen_scalar(a, p, col->elem, col->elemtype, col->elemoid, col->typmod,
                                       r * 3 + k, j, FL_NORMAL, &known);
            if (!known)
                break;
            if (k)
                sb_addc(&sb, ',');
            add_array_elem(&sb, v);
        }
        sb_addc(&sb, '}');
        if (known)
            return sb.s;
    } else {
        /* A number or time the database fills by default (a counter, a creation time) keeps
           ordinary values: triggers add to counters and compute with times, and a value next to
           the limit would make every insert that touches it fail. */
        if (fl != FL_NORMAL && col->has_default && is_counter_like(col->type))
            fl = FL_NORMAL;
        const char *v =
            gen_scalar(a, p, col->type, col->typtype, col->typoid, col->typmod, r, j, fl, &known);
        if (known)
            return v;
    }
    if (col->has_default || !col->notnull) {
        *use_default = col->has_default;
        return NULL;
    }
    return ""; /* the database will say whether it takes it */
}

/* ---------------------------------------------------------------- rows */

static int fetch_parent_keys(PGconn *c, struct arena *a, struct seed_plan *p, struct seed_fk *fk,
                             struct rs_pg_error *err)
{
    fk->fetched = true;
    const struct seed_table *parent = &p->t[fk->parent];
    struct strbuf q;
    sb_init(&q, a);
    sb_add(&q, "SELECT DISTINCT ");
    for (size_t k = 0; k < fk->ncols; k++) {
        if (k)
            sb_add(&q, ", ");
        sb_add_quoted_ident(&q, fk->refcols[k]);
        sb_add(&q, "::text");
    }
    sb_printf(&q, " FROM %s WHERE ", parent->sql);
    for (size_t k = 0; k < fk->ncols; k++) {
        if (k)
            sb_add(&q, " AND ");
        sb_add_quoted_ident(&q, fk->refcols[k]);
        sb_add(&q, " IS NOT NULL");
    }
    sb_add(&q, " ORDER BY 1 LIMIT 1000");
    PGresult *r = dq_query(c, a, q.s, err);
    if (!r)
        return PQstatus(c) == CONNECTION_OK ? 0 : -1;
    fk->ntuples = (size_t)PQntuples(r);
    fk->tuples = arena_alloc(a, (fk->ntuples + 1) * sizeof(*fk->tuples));
    for (size_t i = 0; i < fk->ntuples; i++) {
        fk->tuples[i] = arena_alloc(a, fk->ncols * sizeof(char *));
        for (size_t k = 0; k < fk->ncols; k++)
            fk->tuples[i][k] = dq_value(a, r, (int)i, (int)k);
    }
    PQclear(r);
    return 0;
}

/*
 * Appends the VALUES tuple of row r to sb, over the columns that are not omitted. Returns false
 * when a column needs its default (the row is then written with DEFAULT in that place).
 */
static void add_row(struct strbuf *sb, struct arena *a, const struct seed_plan *p,
                    const struct seed_table *t, int r, enum flavor fl, bool nulls)
{
    sb_addc(sb, '(');
    bool first = true;
    for (size_t j = 0; j < t->ncols; j++) {
        const struct seed_col *col = &t->cols[j];
        if (col->omit)
            continue;
        if (!first)
            sb_add(sb, ", ");
        first = false;
        if (fl == FL_MINIMAL && (col->has_default || !col->notnull)) {
            /* What the previous version may write: nothing where the database has a default,
               NULL where the column allowed it. */
            sb_add(sb, col->has_default ? "DEFAULT" : "NULL");
            continue;
        }
        enum flavor cf = fl == FL_MINIMAL ? FL_MAX : fl == FL_PLAIN ? FL_NORMAL : fl;
        /* Some rows keep the column's default, as real rows mostly do. */
        if (nulls && fl == FL_NORMAL && r % 7 == 6 && col->has_default && col->fk < 0) {
            sb_add(sb, "DEFAULT");
            continue;
        }
        if (col->fk >= 0) {
            const struct seed_fk *fk = &t->fks[col->fk];
            bool null_it = (nulls && !col->notnull && r % 5 == 3) || !fk->ntuples;
            if (fk->self && !col->notnull)
                null_it = true;
            if (null_it) {
                sb_add(sb, "NULL");
                continue;
            }
            /* A quarter of the parents get no child (a person without a local account, a post
               without comments): copies "through" a foreign key are then visibly partial. */
            size_t np = fk->ntuples > 3 && !fk->self ? fk->ntuples - fk->ntuples / 4 : fk->ntuples;
            size_t pick = ((size_t)r * (size_t)(col->fk + 1) + (size_t)r / np) % np;
            const char *v = fk->tuples[pick][col->fkpos];
            if (v)
                sb_add_literal(sb, v);
            else
                sb_add(sb, "NULL");
            continue;
        }
        bool use_default;
        const char *v = gen_value(a, p, col, r, (int)j, cf, nulls, &use_default);
        if (use_default)
            sb_add(sb, "DEFAULT");
        else if (!v)
            sb_add(sb, "NULL");
        else
            sb_add_literal(sb, v);
    }
    sb_addc(sb, ')');
}

static void add_insert_head(struct strbuf *sb, const struct seed_table *t)
{
    sb_printf(sb, "INSERT INTO %s ", t->sql);
    bool any = false;
    for (size_t j = 0; j < t->ncols; j++) {
        if (t->cols[j].omit)
            continue;
        sb_add(sb, any ? ", " : "(");
        sb_add_quoted_ident(sb, t->cols[j].name);
        any = true;
    }
    sb_add(sb, any ? ") VALUES " : "DEFAULT VALUES");
}

static bool has_values(const struct seed_table *t)
{
    for (size_t j = 0; j < t->ncols; j++)
        if (!t->cols[j].omit)
            return true;
    return false;
}

static enum flavor row_flavor(int r)
{
    return r == 0 ? FL_MAX : r == 1 ? FL_MIN : FL_NORMAL;
}

static int prepare_fks(PGconn *c, struct arena *a, struct seed_plan *p, struct seed_table *t,
                       struct rs_pg_error *err)
{
    for (size_t k = 0; k < t->nfks; k++)
        if (!t->fks[k].fetched && fetch_parent_keys(c, a, p, &t->fks[k], err) < 0)
            return -1;
    return 0;
}

static int insert_rows(PGconn *c, struct arena *a, struct seed_plan *p, struct seed_table *t,
                       int rows, bool plain, struct seed_stats *st, struct rs_pg_error *err)
{
    bool values = has_values(t);
    struct strbuf sb;
    sb_init(&sb, a);
    add_insert_head(&sb, t);
    if (values) {
        for (int r = 0; r < rows; r++) {
            if (r)
                sb_add(&sb, ", ");
            add_row(&sb, a, p, t, plain ? r + 2 : r, plain ? FL_PLAIN : row_flavor(r), !plain);
        }
        PGresult *res = dq_query(c, a, sb.s, err);
        if (res) {
            st->rows += atoll(PQcmdTuples(res));
            PQclear(res);
            return 0;
        }
        if (PQstatus(c) != CONNECTION_OK)
            return -1;
    }
    /* Row by row: keep what the database accepts. */
    long long refused = 0;
    const char *first_error = NULL;
    for (int r = 0; r < rows; r++) {
        sb_init(&sb, a);
        add_insert_head(&sb, t);
        if (values)
            add_row(&sb, a, p, t, plain ? r + 2 : r, plain ? FL_PLAIN : row_flavor(r), !plain);
        PGresult *res = dq_query(c, a, sb.s, err);
        if (res) {
            st->rows += atoll(PQcmdTuples(res));
            PQclear(res);
        } else if (PQstatus(c) != CONNECTION_OK) {
            return -1;
        } else {
            st->failed++;
            refused++;
            if (!first_error)
                first_error = err->message;
        }
    }
    if (refused) {
        const char **v =
            arena_grow(a, st->refusals, st->nrefusals, st->nrefusals + 1, sizeof(char *));
        v[st->nrefusals++] = arena_printf(a, "%s: %lld row(s) refused: %s", t->display, refused,
                                          first_error ? first_error : "?");
        st->refusals = v;
    }
    return 0;
}

/*
 * Self references: after the insert, two rows in three point at the row before them (trees three
 * deep: a comment, its reply, the reply's reply). Rows are ordered by their place in the table,
 * so no key needs to be known. A database that refuses it (a CHECK, a trigger) keeps the NULLs.
 */
static int link_rows(PGconn *c, struct arena *a, const struct seed_table *t)
{
    for (size_t k = 0; k < t->nfks; k++) {
        const struct seed_fk *fk = &t->fks[k];
        bool nullable = true;
        for (size_t i = 0; i < fk->ncols; i++)
            nullable = nullable && !t->cols[fk->cols[i]].notnull;
        if (!fk->self || !nullable)
            continue;
        struct strbuf sb;
        sb_init(&sb, a);
        sb_add(&sb, "WITH o AS (SELECT ctid AS c, row_number() OVER (ORDER BY ctid) AS n");
        for (size_t i = 0; i < fk->ncols; i++) {
            sb_printf(&sb, ", ");
            sb_add_quoted_ident(&sb, fk->refcols[i]);
            sb_printf(&sb, " AS r%zu", i);
        }
        sb_printf(&sb, " FROM %s) UPDATE %s AS t SET (", t->sql, t->sql);
        for (size_t i = 0; i < fk->ncols; i++) {
            if (i)
                sb_add(&sb, ", ");
            sb_add_quoted_ident(&sb, t->cols[fk->cols[i]].name);
        }
        sb_add(&sb, ") = (SELECT ");
        for (size_t i = 0; i < fk->ncols; i++)
            sb_printf(&sb, "%so2.r%zu", i ? ", " : "", i);
        sb_add(&sb, " FROM o o2 WHERE o2.n = o1.n - 1) FROM o o1 WHERE t.ctid = o1.c AND "
                    "o1.n % 3 <> 1");
        struct rs_pg_error err;
        PGresult *r = dq_query(c, a, sb.s, &err);
        if (r)
            PQclear(r);
        else if (PQstatus(c) != CONNECTION_OK)
            return -1;
    }
    return 0;
}

static int seed_table(PGconn *c, struct arena *a, struct seed_plan *p, struct seed_table *t,
                      int rows, bool plain, struct seed_stats *st, struct rs_pg_error *err)
{
    if (prepare_fks(c, a, p, t, err) < 0 || insert_rows(c, a, p, t, rows, plain, st, err) < 0)
        return -1;
    return plain ? 0 : link_rows(c, a, t);
}

static int order_cmp(const void *pa, const void *pb)
{
    const struct seed_table *const *a = pa, *const *b = pb;
    return (*a)->order - (*b)->order;
}

int seed_empty_tables(PGconn *c, struct arena *a, const struct seed_plan *p, unsigned **out,
                      size_t *n)
{
    *out = arena_alloc(a, (p->n + 1) * sizeof(unsigned));
    *n = 0;
    struct strbuf q;
    sb_init(&q, a);
    for (size_t i = 0; i < p->n; i++) {
        if (p->t[i].is_view)
            continue;
        sb_printf(&q, "%sSELECT %u WHERE NOT EXISTS (SELECT 1 FROM %s)", q.len ? " UNION ALL " : "",
                  p->t[i].oid, p->t[i].sql);
    }
    if (!q.len)
        return 0;
    struct rs_pg_error err;
    PGresult *r = dq_query(c, a, q.s, &err);
    if (!r)
        return -1;
    for (int i = 0; i < PQntuples(r); i++)
        (*out)[(*n)++] = (unsigned)strtoul(PQgetvalue(r, i, 0), NULL, 10);
    PQclear(r);
    return 0;
}

size_t seed_plan_oids(const struct seed_plan *p, struct arena *a, unsigned **out)
{
    *out = arena_alloc(a, (p->n + 1) * sizeof(unsigned));
    size_t n = 0;
    for (size_t i = 0; i < p->n; i++)
        if (!p->t[i].is_view)
            (*out)[n++] = p->t[i].oid;
    return n;
}

int seed_run(PGconn *c, struct arena *a, struct seed_plan *p, int rows, enum seed_rows_kind kind,
             const unsigned *skip, size_t nskip, struct seed_stats *st, struct rs_pg_error *err)
{
    memset(st, 0, sizeof(*st));
    struct seed_table **v = arena_alloc(a, (p->n + 1) * sizeof(*v));
    size_t n = 0;
    for (size_t i = 0; i < p->n; i++) {
        bool skipped = p->t[i].is_view;
        for (size_t k = 0; k < nskip && !skipped; k++)
            skipped = skip[k] == p->t[i].oid;
        if (!skipped)
            v[n++] = &p->t[i];
    }
    if (n > 1)
        qsort(v, n, sizeof(*v), order_cmp);
    for (size_t i = 0; i < n; i++) {
        /* Self references see the rows the table already had. */
        for (size_t k = 0; k < v[i]->nfks; k++)
            if (v[i]->fks[k].self)
                v[i]->fks[k].fetched = false;
        if (seed_table(c, a, p, v[i], rows, kind == SEED_PLAIN_ROWS, st, err) < 0)
            return -1;
        st->tables++;
    }
    return 0;
}

/* ---------------------------------------------------------------- probes */

size_t seed_probes(PGconn *c, struct arena *a, struct seed_plan *p, int row,
                   struct seed_probe **out)
{
    VEC(struct seed_probe) v = {0};
    for (size_t i = 0; i < p->n; i++) {
        struct seed_table *t = &p->t[i];
        struct strbuf sb;
        sb_init(&sb, a);
        sb_add(&sb, "SELECT ");
        for (size_t j = 0; j < t->ncols; j++) {
            if (j)
                sb_add(&sb, ", ");
            sb_add_quoted_ident(&sb, t->cols[j].name);
        }
        if (!t->ncols)
            sb_add(&sb, "1");
        sb_printf(&sb, " FROM %s LIMIT 1", t->sql);
        *VEC_PUSH(a, &v) = (struct seed_probe){
            t->display, sb.s, false,
            arena_printf(a, "N-1 read of %s (the %zu column(s) it had)", t->display, t->ncols)};
        if (t->is_view)
            continue;
        struct rs_pg_error err;
        if (prepare_fks(c, a, p, t, &err) < 0)
            break;
        /* The write rolls itself back: the division by zero runs after the insert. */
        sb_init(&sb, a);
        sb_add(&sb, "WITH rollsafe_probe AS (");
        add_insert_head(&sb, t);
        if (has_values(t))
            add_row(&sb, a, p, t, row, FL_MAX, false);
        sb_add(&sb, " RETURNING 1) SELECT 1 / (count(*) - count(*)) FROM rollsafe_probe");
        *VEC_PUSH(a, &v) = (struct seed_probe){
            t->display, sb.s, true,
            arena_printf(a, "N-1 write of a row into %s (its columns as before)", t->display)};
        if (!has_values(t))
            continue;
        sb_init(&sb, a);
        sb_add(&sb, "WITH rollsafe_probe AS (");
        add_insert_head(&sb, t);
        add_row(&sb, a, p, t, row + 1, FL_MINIMAL, false);
        sb_add(&sb, " RETURNING 1) SELECT 1 / (count(*) - count(*)) FROM rollsafe_probe");
        *VEC_PUSH(a, &v) = (struct seed_probe){
            t->display, sb.s, true,
            arena_printf(a,
                         "N-1 write of a minimal row into %s (DEFAULT or NULL wherever it "
                         "allowed them)",
                         t->display)};
    }
    *out = v.v;
    return v.n;
}

int seed_probe_run(PGconn *c, struct arena *a, const struct seed_probe *p, const char **error)
{
    struct rs_pg_error err;
    *error = NULL;
    PGresult *r = dq_query(c, a, p->sql, &err);
    if (r) {
        PQclear(r);
        if (!p->write)
            return 1;
        *error = "the probe was not rolled back";
        return 0;
    }
    if (PQstatus(c) != CONNECTION_OK)
        return -1;
    if (p->write && !strcmp(err.sqlstate, "22012"))
        return 1;
    *error = err.message;
    return 0;
}

/* The outcome of a probe's result: 1 works, 0 refused (message in *error). */
static int probe_outcome(struct arena *a, const struct seed_probe *p, const PGresult *r,
                         const char **error)
{
    *error = NULL;
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
        if (!p->write)
            return 1;
        *error = "the probe was not rolled back";
        return 0;
    }
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (p->write && state && !strcmp(state, "22012"))
        return 1;
    const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    *error = arena_strdup(a, msg ? msg : "failed");
    return 0;
}

int seed_probes_run(PGconn *c, struct arena *a, const struct seed_probe *v, size_t n,
                    const signed char *only, signed char *out, const char **errors)
{
    enum { BATCH = 64 };
    for (size_t i = 0; i < n; i++) {
        out[i] = -1;
        errors[i] = NULL;
    }
    for (size_t start = 0; start < n; start += BATCH) {
        size_t end = start + BATCH < n ? start + BATCH : n;
        if (!PQenterPipelineMode(c)) {
            /* No pipeline (a libpq without it, or a busy connection): one by one. */
            for (size_t i = start; i < end; i++) {
                if (only && only[i] != 1)
                    continue;
                int rc = seed_probe_run(c, a, &v[i], &errors[i]);
                if (rc < 0)
                    return -1;
                out[i] = (signed char)rc;
            }
            continue;
        }
        /* Each probe is followed by a sync: its own implicit transaction, so one that fails
           does not stop the others. */
        bool ok = true;
        for (size_t i = start; i < end && ok; i++) {
            if (only && only[i] != 1)
                continue;
            ok = PQsendQueryParams(c, v[i].sql, 0, NULL, NULL, NULL, NULL, 0) && PQpipelineSync(c);
        }
        ok = ok && PQflush(c) == 0;
        for (size_t i = start; i < end && ok; i++) {
            if (only && only[i] != 1)
                continue;
            PGresult *r = PQgetResult(c);
            if (!r) {
                ok = false;
                break;
            }
            out[i] = (signed char)probe_outcome(a, &v[i], r, &errors[i]);
            PQclear(r);
            while ((r = PQgetResult(c))) /* the end of this query's results */
                PQclear(r);
            r = PQgetResult(c); /* the sync */
            if (!r || PQresultStatus(r) != PGRES_PIPELINE_SYNC)
                ok = false;
            PQclear(r);
        }
        PQexitPipelineMode(c);
        if (!ok || PQstatus(c) != CONNECTION_OK)
            return -1;
    }
    return 0;
}
