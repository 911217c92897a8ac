/*
 * types.c - PostgreSQL column types as rollsafe knows them (see types.h): canonical names,
 * format_type() display, and what ALTER COLUMN ... TYPE does to the values, to the table and to
 * its indexes for a pair of types; plus the list of volatile functions.
 *
 * It knows PostgreSQL's built-in types, citext, and enums when the caller says a type is one
 * (with their labels, for a change from one enum to another).
 * It does not read SQL, does not know libpg_query and never asks a server: the facts below were
 * checked once and are written down as code. A pair without a rule is reported as unknown
 * (known = false, narrows and rewrite set), never guessed to be safe.
 *
 * ---------------------------------------------------------------------------------------------
 * What was verified, and how
 *
 * On a scratch PostgreSQL 15 cluster: for each of 56 column types (every family below, with
 * and without typmods, arrays, citext, an enum) against each other, CREATE TABLE with an index
 * on the column, ALTER TABLE ... ALTER COLUMN ... TYPE without USING, and pg_class.relfilenode
 * of the table and of the index compared before and after; run once with TimeZone
 * 'Europe/Paris' and once with 'UTC'. Then sample values converted and read back.
 *
 *  - Table kept, index kept: varchar(n) -> varchar(m >= n) or varchar; varchar <-> text (no
 *    limit); numeric(p,s) -> numeric(p2 >= p, s) or numeric; timestamp, timestamptz, time,
 *    timetz and interval precision raised or removed (precision 6 counts as none: timestamp ->
 *    timestamp(6) keeps the table); interval -> interval day to second; varbit(n) ->
 *    varbit(m >= n) or varbit; cidr -> inet; char(n) -> bpchar; xml -> text, varchar, bpchar;
 *    an array whose element typmod is dropped (varchar(10)[] -> varchar[]).
 *  - Table kept, indexes rebuilt: text/varchar -> bpchar; text/varchar <-> citext; bit(n) ->
 *    varbit; integer <-> oid; timestamp <-> timestamptz when TimeZone is UTC, and only when the
 *    new type has no precision or precision 6 (timestamp(3) -> timestamptz(3) rewrites in UTC).
 *  - Rewritten: every other change, among them char(n) -> char(m > n), text -> varchar(n),
 *    smallint -> integer -> bigint, real -> double precision, date -> timestamp, json <-> jsonb,
 *    enum -> text, bit(4) -> varbit(4), interval -> interval year to month, and every array
 *    change except dropping the element typmod (varchar(10)[] -> varchar(20)[] and varchar[] ->
 *    text[] both rewrite, unlike their scalar forms).
 *  - Values: an ALTER uses the assignment cast, so varchar(20) -> varchar(2), bigint -> integer,
 *    numeric(12,2) -> numeric(3,2) and char(8) -> char(4) fail on values that do not fit rather
 *    than truncating. numeric(12,4) -> numeric(12,2) rounds 1.2567 to 1.26; numeric(5,2) ->
 *    numeric(4,1) fails on 999.99 (rounding adds a digit). bigint -> double precision turns
 *    9007199254740993 into 9007199254740992, integer -> real turns 16777217 into 16777216;
 *    double precision -> numeric keeps 15 significant digits; real -> double precision keeps
 *    the binary value. char(4) 'ab' -> text or varchar gives 'ab' (padding gone).
 *    json '{"a":1,"a":2}' -> jsonb gives {"a": 2}; json holding "\u0000" or 1e1000000 cannot
 *    become jsonb. inet '10.0.0.1/8' -> cidr silently gives 10.0.0.0/8. interval '25 hours' ->
 *    time gives 01:00. oid 3000000000 -> integer gives -1294967296, smallint -1 -> oid gives
 *    4294967295, bigint 5000000000 -> oid fails. bit(4) -> bit(8) fails (no padding).
 *    numeric 1.005 -> money gives $1.01. timestamp '2021-03-28 02:30' -> timestamptz in
 *    Europe/Paris gives 03:30 (a local time skipped by daylight saving).
 *  - USING: without it, ALTER fails ("cannot be cast automatically") from a string type to any
 *    non-string type (integer, boolean, uuid, date, json, jsonb, xml, bytea, inet, an enum...)
 *    and between boolean and integer; into text, varchar, bpchar or citext it always works.
 *  - integer[] and integer[][] are the same column type: the ALTER changes nothing.
 *  - One enum to another: no cast without USING; with USING col::text::new_enum the table is
 *    rewritten, each row keeps its label, and a row whose label the new enum lacks fails
 *    ("invalid input value for enum"), whether the new enum has fewer labels or more.
 *
 * From PostgreSQL's documentation and history, not checked on other servers:
 *  - ALTER TABLE avoids the rewrite when the old type is binary coercible to the new one or is
 *    an unconstrained domain over it; indexes may still have to be rebuilt.
 *  - timestamp <-> timestamptz skips the rewrite when TimeZone is UTC since PostgreSQL 12
 *    (before: always a rewrite).
 *  - numeric holds Infinity since PostgreSQL 14: before, float -> numeric rejects Infinity.
 *  - float output is exact (shortest round trip) since PostgreSQL 12; PostgreSQL 11 prints 15
 *    (double precision) or 6 (real) significant digits, so float -> text loses digits there.
 *  - interval holds infinity since PostgreSQL 17, and interval -> time rejects it.
 *  - No other change between 11 and 18 in which built-in conversions are binary coercible is
 *    known to rollsafe.
 *
 * Deliberately ignored, because they would flag common migrations for values nobody stores:
 * date -> timestamp fails after 294276 AD; numeric -> integer fails on NaN; timestamp <->
 * timestamptz moves local times that fall in a daylight-saving gap.
 * ---------------------------------------------------------------------------------------------
 */
#include "types.h"

#include <assert.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/strbuf.h"

/* ------------------------------------------------------------------ the built-in types */

enum family {
    FAM_USER, /* not built in (or "unknown"): only equality is known */
    FAM_INT,
    FAM_NUMERIC,
    FAM_FLOAT,
    FAM_MONEY,
    FAM_STRING, /* text, varchar, bpchar */
    FAM_CITEXT, /* the citext extension, known by name */
    FAM_ENUM,   /* a user type the caller says is an enum */
    FAM_DATE,
    FAM_TIMESTAMP, /* timestamp, timestamptz */
    FAM_TIME,      /* time, timetz */
    FAM_INTERVAL,
    FAM_BIT, /* bit, varbit */
    FAM_NET, /* inet, cidr */
    FAM_MAC, /* macaddr, macaddr8 */
    FAM_JSON,
    FAM_OID,
    FAM_XML,
    FAM_OTHER, /* built in, no conversion rules */
};

struct builtin {
    const char *name;    /* canonical (pg_type.typname) */
    const char *display; /* format_type() without typmod; time types get their zone suffix */
    enum family fam;
};

static const struct builtin builtins[] = {
    {"int2", "smallint", FAM_INT},
    {"int4", "integer", FAM_INT},
    {"int8", "bigint", FAM_INT},
    {"numeric", "numeric", FAM_NUMERIC},
    {"float4", "real", FAM_FLOAT},
    {"float8", "double precision", FAM_FLOAT},
    {"money", "money", FAM_MONEY},
    {"text", "text", FAM_STRING},
    {"varchar", "character varying", FAM_STRING},
    {"bpchar", "character", FAM_STRING},
    {"date", "date", FAM_DATE},
    {"timestamp", "timestamp", FAM_TIMESTAMP},
    {"timestamptz", "timestamp", FAM_TIMESTAMP},
    {"time", "time", FAM_TIME},
    {"timetz", "time", FAM_TIME},
    {"interval", "interval", FAM_INTERVAL},
    {"bit", "bit", FAM_BIT},
    {"varbit", "bit varying", FAM_BIT},
    {"inet", "inet", FAM_NET},
    {"cidr", "cidr", FAM_NET},
    {"macaddr", "macaddr", FAM_MAC},
    {"macaddr8", "macaddr8", FAM_MAC},
    {"json", "json", FAM_JSON},
    {"jsonb", "jsonb", FAM_JSON},
    {"oid", "oid", FAM_OID},
    {"xml", "xml", FAM_XML},
    {"bool", "boolean", FAM_OTHER},
    {"uuid", "uuid", FAM_OTHER},
    {"bytea", "bytea", FAM_OTHER},
    {"tsvector", "tsvector", FAM_OTHER},
    {"tsquery", "tsquery", FAM_OTHER},
    {"name", "name", FAM_OTHER},
    {"jsonpath", "jsonpath", FAM_OTHER},
    {"pg_lsn", "pg_lsn", FAM_OTHER},
    {"point", "point", FAM_OTHER},
    {"line", "line", FAM_OTHER},
    {"lseg", "lseg", FAM_OTHER},
    {"box", "box", FAM_OTHER},
    {"path", "path", FAM_OTHER},
    {"polygon", "polygon", FAM_OTHER},
    {"circle", "circle", FAM_OTHER},
    {"int4range", "int4range", FAM_OTHER},
    {"int8range", "int8range", FAM_OTHER},
    {"numrange", "numrange", FAM_OTHER},
    {"tsrange", "tsrange", FAM_OTHER},
    {"tstzrange", "tstzrange", FAM_OTHER},
    {"daterange", "daterange", FAM_OTHER},
    {"int4multirange", "int4multirange", FAM_OTHER},
    {"int8multirange", "int8multirange", FAM_OTHER},
    {"nummultirange", "nummultirange", FAM_OTHER},
    {"tsmultirange", "tsmultirange", FAM_OTHER},
    {"tstzmultirange", "tstzmultirange", FAM_OTHER},
    {"datemultirange", "datemultirange", FAM_OTHER},
    {"regclass", "regclass", FAM_OTHER},
    {"regtype", "regtype", FAM_OTHER},
    {"regproc", "regproc", FAM_OTHER},
    {"regprocedure", "regprocedure", FAM_OTHER},
    {"regoper", "regoper", FAM_OTHER},
    {"regoperator", "regoperator", FAM_OTHER},
    {"regconfig", "regconfig", FAM_OTHER},
    {"regdictionary", "regdictionary", FAM_OTHER},
    {"regnamespace", "regnamespace", FAM_OTHER},
    {"regrole", "regrole", FAM_OTHER},
    {"regcollation", "regcollation", FAM_OTHER},
    {"xid", "xid", FAM_OTHER},
    {"xid8", "xid8", FAM_OTHER},
    {"cid", "cid", FAM_OTHER},
    {"tid", "tid", FAM_OTHER},
    {"txid_snapshot", "txid_snapshot", FAM_OTHER},
    {"pg_snapshot", "pg_snapshot", FAM_OTHER},
    {"int2vector", "int2vector", FAM_OTHER},
    {"oidvector", "oidvector", FAM_OTHER},
    {"aclitem", "aclitem", FAM_OTHER},
    {"refcursor", "refcursor", FAM_OTHER},
};

/* Other spellings of built-in types, as SQL or format_type() writes them. */
struct alias {
    const char *name, *canonical;
    int default_len; /* typmod of the bare word (char is char(1), bit is bit(1)) */
    bool serial;
};

static const struct alias aliases[] = {
    {"smallint", "int2", RS_TYPMOD_NONE, false},
    {"integer", "int4", RS_TYPMOD_NONE, false},
    {"int", "int4", RS_TYPMOD_NONE, false},
    {"bigint", "int8", RS_TYPMOD_NONE, false},
    {"smallserial", "int2", RS_TYPMOD_NONE, true},
    {"serial2", "int2", RS_TYPMOD_NONE, true},
    {"serial", "int4", RS_TYPMOD_NONE, true},
    {"serial4", "int4", RS_TYPMOD_NONE, true},
    {"bigserial", "int8", RS_TYPMOD_NONE, true},
    {"serial8", "int8", RS_TYPMOD_NONE, true},
    {"real", "float4", RS_TYPMOD_NONE, false},
    {"double precision", "float8", RS_TYPMOD_NONE, false},
    {"decimal", "numeric", RS_TYPMOD_NONE, false},
    {"dec", "numeric", RS_TYPMOD_NONE, false},
    {"character varying", "varchar", RS_TYPMOD_NONE, false},
    {"char varying", "varchar", RS_TYPMOD_NONE, false},
    {"national character varying", "varchar", RS_TYPMOD_NONE, false},
    {"char", "bpchar", 1, false},
    {"character", "bpchar", 1, false},
    {"nchar", "bpchar", 1, false},
    {"national character", "bpchar", 1, false},
    {"bit", "bit", 1, false},
    {"bit varying", "varbit", RS_TYPMOD_NONE, false},
    {"boolean", "bool", RS_TYPMOD_NONE, false},
    {"timestamp without time zone", "timestamp", RS_TYPMOD_NONE, false},
    {"timestamp with time zone", "timestamptz", RS_TYPMOD_NONE, false},
    {"time without time zone", "time", RS_TYPMOD_NONE, false},
    {"time with time zone", "timetz", RS_TYPMOD_NONE, false},
};

static const struct builtin *find_builtin(const char *name)
{
    for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
        if (!strcmp(builtins[i].name, name))
            return &builtins[i];
    return NULL;
}

static const struct alias *find_alias(const char *name)
{
    for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
        if (!strcmp(aliases[i].name, name))
            return &aliases[i];
    return NULL;
}

/* ------------------------------------------------------------------ interval fields */

/* libpg_query's interval field mask: 1 << MONTH(1), YEAR(2), DAY(3), HOUR(10), MINUTE(11),
 * SECOND(12); the full range is 0x7FFF. */
#define IV_MONTH (1 << 1)
#define IV_YEAR (1 << 2)
#define IV_DAY (1 << 3)
#define IV_HOUR (1 << 10)
#define IV_MINUTE (1 << 11)
#define IV_SECOND (1 << 12)
#define IV_FULL_RANGE 0x7FFF

static const struct {
    int mask;
    const char *words;
} interval_fields[] = {
    {IV_YEAR, "year"},
    {IV_MONTH, "month"},
    {IV_DAY, "day"},
    {IV_HOUR, "hour"},
    {IV_MINUTE, "minute"},
    {IV_SECOND, "second"},
    {IV_YEAR | IV_MONTH, "year to month"},
    {IV_DAY | IV_HOUR, "day to hour"},
    {IV_DAY | IV_HOUR | IV_MINUTE, "day to minute"},
    {IV_DAY | IV_HOUR | IV_MINUTE | IV_SECOND, "day to second"},
    {IV_HOUR | IV_MINUTE, "hour to minute"},
    {IV_HOUR | IV_MINUTE | IV_SECOND, "hour to second"},
    {IV_MINUTE | IV_SECOND, "minute to second"},
};

/* The smallest field an interval keeps: 0 second, 1 minute, 2 hour, 3 day, 4 month, 5 year. */
static int interval_least_field(int fields)
{
    if (fields == RS_TYPMOD_NONE || (fields & IV_SECOND))
        return 0;
    if (fields & IV_MINUTE)
        return 1;
    if (fields & IV_HOUR)
        return 2;
    if (fields & IV_DAY)
        return 3;
    if (fields & IV_MONTH)
        return 4;
    return 5;
}

static const char *const least_field_unit[] = {"seconds", "minutes", "hours",
                                               "days",    "months",  "years"};

/* ------------------------------------------------------------------ building types */

void rs_type_init(struct rs_type *t, struct arena *a, const char *const *names, size_t nnames,
                  const int *mods, size_t nmods, int array_dims)
{
    *t = (struct rs_type){.mod1 = RS_TYPMOD_NONE, .mod2 = RS_TYPMOD_NONE};
    t->array_dims = array_dims > 0 ? array_dims : 0;
    int m[2] = {RS_TYPMOD_NONE, RS_TYPMOD_NONE};
    for (size_t i = 0; i < nmods && i < 2; i++)
        m[i] = mods[i];
    bool any_mod = m[0] != RS_TYPMOD_NONE || m[1] != RS_TYPMOD_NONE;

    if (nnames == 0 || !names) {
        t->name = "unknown";
        return;
    }
    const char *name = names[nnames - 1];
    const char *schema = nnames >= 2 ? names[nnames - 2] : NULL;
    if (schema && !strcmp(schema, "pg_catalog"))
        schema = NULL;
    const char *canonical = NULL;
    int default_len = RS_TYPMOD_NONE;
    if (!schema) {
        const struct alias *al = find_alias(name);
        if (al) {
            canonical = al->canonical;
            default_len = al->default_len;
            t->serial = al->serial;
        } else if (find_builtin(name)) {
            canonical = find_builtin(name)->name;
        } else if (!strcmp(name, "float")) {
            /* float(p): p binary digits; up to 24 fit a real. */
            t->name = m[0] != RS_TYPMOD_NONE && m[0] <= 24 ? "float4" : "float8";
            return;
        }
    }
    if (!canonical) {
        t->schema = schema ? arena_strdup(a, schema) : NULL;
        t->name = arena_strdup(a, name);
        t->mod1 = m[0];
        t->mod2 = m[1];
        return;
    }
    t->name = canonical; /* static string */
    if (!strcmp(canonical, "numeric")) {
        t->mod1 = m[0];
        t->mod2 = m[0] == RS_TYPMOD_NONE ? RS_TYPMOD_NONE : m[1] == RS_TYPMOD_NONE ? 0 : m[1];
    } else if (!strcmp(canonical, "interval")) {
        /* [fields] or [fields, precision], as libpg_query writes them. */
        t->mod2 = m[0] == IV_FULL_RANGE ? RS_TYPMOD_NONE : m[0];
        t->mod1 = m[1];
    } else {
        t->mod1 = any_mod ? m[0] : default_len;
        t->mod2 = m[1];
    }
}

bool rs_type_equal(const struct rs_type *a, const struct rs_type *b)
{
    if (!a->name || !b->name || strcmp(a->name, b->name) != 0 || a->mod1 != b->mod1 ||
        a->mod2 != b->mod2 || a->array_dims != b->array_dims)
        return false;
    if (!a->schema || !b->schema)
        return a->schema == b->schema;
    return !strcmp(a->schema, b->schema);
}

bool rs_type_is_builtin(const struct rs_type *t)
{
    return t->name && !t->schema && find_builtin(t->name) != NULL;
}

/* ------------------------------------------------------------------ display */

static void format_base(struct strbuf *sb, const struct rs_type *t)
{
    const struct builtin *b = t->schema ? NULL : find_builtin(t->name);
    if (!b) {
        if (t->schema) {
            sb_add_ident(sb, t->schema);
            sb_addc(sb, '.');
        }
        sb_add_ident(sb, t->name);
        return;
    }
    const char *n = b->name;
    int m1 = t->mod1;
    if (!strcmp(n, "bpchar") && m1 == RS_TYPMOD_NONE) {
        sb_add(sb, "bpchar"); /* format_type() shows the unconstrained form this way */
    } else if (!strcmp(n, "numeric") && m1 != RS_TYPMOD_NONE) {
        sb_printf(sb, "numeric(%d,%d)", m1, t->mod2 == RS_TYPMOD_NONE ? 0 : t->mod2);
    } else if (b->fam == FAM_TIMESTAMP || b->fam == FAM_TIME) {
        sb_add(sb, b->display);
        if (m1 != RS_TYPMOD_NONE)
            sb_printf(sb, "(%d)", m1);
        sb_add(sb, !strcmp(n, "timestamptz") || !strcmp(n, "timetz") ? " with time zone"
                                                                     : " without time zone");
    } else if (!strcmp(n, "interval")) {
        sb_add(sb, "interval");
        for (size_t i = 0; i < sizeof(interval_fields) / sizeof(interval_fields[0]); i++)
            if (interval_fields[i].mask == t->mod2)
                sb_printf(sb, " %s", interval_fields[i].words);
        if (m1 != RS_TYPMOD_NONE)
            sb_printf(sb, "(%d)", m1);
    } else {
        sb_add(sb, b->display);
        if (m1 != RS_TYPMOD_NONE && (b->fam == FAM_STRING || b->fam == FAM_BIT))
            sb_printf(sb, "(%d)", m1);
    }
}

const char *rs_type_format(struct arena *a, const struct rs_type *t)
{
    if (!t->name)
        return "a type unknown to rollsafe";
    struct strbuf sb;
    sb_init(&sb, a);
    format_base(&sb, t);
    if (t->array_dims > 0)
        sb_add(&sb, "[]"); /* format_type() shows one pair whatever the declared dimensions */
    return sb.s;
}

/* ------------------------------------------------------------------ classification */

/* A verdict under construction: the flags, and the effects that make up the reason. */
struct verdict {
    struct rs_type_change c;
    const char *effects[4];
    size_t neffects;
};

struct pair {
    struct arena *a;
    const struct rs_type *from, *to; /* scalars (array elements for an array change) */
    enum family ff, tf;
    int pg_version;
    bool in_array; /* the column is an array: no binary shortcut but dropping the typmod */
};

static void effect(struct verdict *v, const char *phrase)
{
    assert(v->neffects < sizeof(v->effects) / sizeof(v->effects[0]));
    v->effects[v->neffects++] = phrase;
}

static void unknown(struct verdict *v)
{
    *v = (struct verdict){.c.known = false};
    v->c.narrows = true;
    v->c.rewrite = true;
    v->c.index_rebuild = true;
}

/* Every value survives; rewrite says whether the table is rewritten. */
static void widens(struct verdict *v, bool rewrite)
{
    v->c.widens = true;
    v->c.rewrite = rewrite;
}

static void narrows(struct verdict *v, const char *phrase)
{
    v->c.narrows = true;
    v->c.rewrite = true;
    effect(v, phrase);
}

static void lossy(struct verdict *v, const char *phrase)
{
    v->c.lossy = true;
    v->c.rewrite = true;
    effect(v, phrase);
}

static bool named(const struct rs_type *t, const char *name)
{
    return !t->schema && !strcmp(t->name, name);
}

static int int_bytes(const struct rs_type *t)
{
    return named(t, "int2") ? 2 : named(t, "int4") ? 4 : 8;
}

/* Decimal digits an integer type may need: 32767, 2147483647, 9223372036854775807. */
static int int_digits(const struct rs_type *t)
{
    return int_bytes(t) == 2 ? 5 : int_bytes(t) == 4 ? 10 : 19;
}

static const char *int_name(const struct rs_type *t)
{
    return int_bytes(t) == 2 ? "smallint" : int_bytes(t) == 4 ? "integer" : "bigint";
}

static const char *int_range_phrase(const struct rs_type *t)
{
    switch (int_bytes(t)) {
    case 2:
        return "rejects values outside the smallint range (-32768 to 32767)";
    case 4:
        return "rejects values outside the integer range (-2147483648 to 2147483647)";
    default:
        return "rejects values outside the bigint range (-9223372036854775808 to "
               "9223372036854775807)";
    }
}

/* "values with more than 8 digits before the decimal point", for numeric(p,s) with p-s = 8. */
static const char *too_many_digits(struct arena *a, int digits)
{
    if (digits <= 0)
        return "values of 1 or more in absolute value";
    return arena_printf(a, "values with more than %d digit%s before the decimal point", digits,
                        digits == 1 ? "" : "s");
}

static const char *round_phrase(struct arena *a, int scale)
{
    if (scale > 0)
        return arena_printf(a, "rounds every value to %d decimal place%s", scale,
                            scale == 1 ? "" : "s");
    if (scale == 0)
        return "rounds every value to a whole number";
    return arena_printf(a, "rounds every value to a multiple of 1%0*d", -scale, 0);
}

/* Effective fractional-second precision: none and anything above 6 mean 6. */
static int prec6(int mod)
{
    return mod == RS_TYPMOD_NONE || mod > 6 ? 6 : mod;
}

static const char *seconds_phrase(struct arena *a, int prec)
{
    if (prec == 0)
        return "rounds every value to whole seconds";
    return arena_printf(a, "rounds every value to %d fractional digit%s of a second", prec,
                        prec == 1 ? "" : "s");
}

/* numeric(fp,fs) -> numeric(tp,ts); fp RS_TYPMOD_NONE is unconstrained, as is tp. binary: the
 * old type is numeric (typmod changes may skip the rewrite). money: the target is money. */
static void numeric_change(struct verdict *v, struct arena *a, int fp, int fs, int tp, int ts,
                           bool binary, bool money)
{
    if (tp == RS_TYPMOD_NONE) {
        widens(v, !binary);
        return;
    }
    bool rounds = fp == RS_TYPMOD_NONE || ts < fs;
    /* Rounding can carry into a new integer digit: 999.99 -> numeric(4,1) is 1000.0. */
    long need = fp == RS_TYPMOD_NONE ? LONG_MAX : (long)fp - fs + (ts < fs ? 1 : 0);
    bool overflow = fp == RS_TYPMOD_NONE || (long)tp - ts < need;
    if (overflow)
        narrows(v, money ? "rejects values beyond the money range"
                         : arena_printf(a, "rejects %s", too_many_digits(a, tp - ts)));
    if (rounds)
        lossy(v, round_phrase(a, ts));
    if (!overflow && !rounds)
        widens(v, !(binary && fp != RS_TYPMOD_NONE && fs == ts && tp >= fp));
}

static void classify_numbers(struct verdict *v, const struct pair *p)
{
    const struct rs_type *f = p->from, *t = p->to;
    struct arena *a = p->a;
    switch (p->ff) {
    case FAM_INT:
        if (p->tf == FAM_INT) {
            if (int_bytes(t) >= int_bytes(f))
                widens(v, true);
            else
                narrows(v, int_range_phrase(t));
        } else if (p->tf == FAM_NUMERIC) {
            numeric_change(v, a, int_digits(f), 0, t->mod1, t->mod2, false, false);
        } else if (p->tf == FAM_FLOAT) {
            /* Exact up to 2^24 (real) and 2^53 (double precision). */
            bool dbl = named(t, "float8");
            if (int_bytes(f) == 2 || (dbl && int_bytes(f) == 4))
                widens(v, true);
            else
                lossy(v, dbl ? "rounds values beyond 2^53 (9007199254740992) to the nearest "
                               "double precision value"
                             : "rounds values beyond 2^24 (16777216) to the nearest real value");
        } else if (p->tf == FAM_MONEY && int_bytes(f) == 4) {
            widens(v, true);
        } else if (p->tf == FAM_MONEY && int_bytes(f) == 8) {
            narrows(v, "rejects values beyond the money range");
        } else if (p->tf == FAM_OID && int_bytes(f) != 8) {
            /* integer -> oid is binary coercible: same bits, read unsigned. */
            lossy(v, "reads negative values as large unsigned numbers (-1 becomes 4294967295)");
            v->c.rewrite = int_bytes(f) == 2;
            v->c.index_rebuild = true;
        } else if (p->tf == FAM_OID) {
            narrows(v, "rejects values outside the oid range (0 to 4294967295)");
        } else {
            unknown(v);
        }
        return;
    case FAM_NUMERIC:
        if (p->tf == FAM_NUMERIC) {
            numeric_change(v, a, f->mod1, f->mod2, t->mod1, t->mod2, true, false);
        } else if (p->tf == FAM_INT) {
            bool unbounded = f->mod1 == RS_TYPMOD_NONE;
            /* numeric(p,s) with p-s below the type's digits fits even after rounding: the
               largest carry, 10^(p-s), is still in range. */
            if (unbounded || (long)f->mod1 - f->mod2 > int_digits(t) - 1)
                narrows(v, int_range_phrase(t));
            if (unbounded || f->mod2 > 0)
                lossy(v, "rounds every value to a whole number");
            if (!v->c.narrows && !v->c.lossy)
                widens(v, true);
        } else if (p->tf == FAM_FLOAT) {
            bool dbl = named(t, "float8");
            bool unbounded = f->mod1 == RS_TYPMOD_NONE;
            if (unbounded || (long)f->mod1 - f->mod2 > (dbl ? 308 : 38))
                narrows(v, dbl ? "rejects values beyond the double precision range"
                               : "rejects values beyond the real range");
            if (unbounded || f->mod1 > (dbl ? 15 : 6))
                lossy(v, dbl ? "rounds values with more than 15 significant digits"
                             : "rounds values with more than 6 significant digits");
            if (!v->c.narrows && !v->c.lossy)
                widens(v, true);
        } else if (p->tf == FAM_MONEY) {
            numeric_change(v, a, f->mod1, f->mod2, 19, 2, false, true);
        } else {
            unknown(v);
        }
        return;
    case FAM_FLOAT:
        if (p->tf == FAM_FLOAT) {
            if (named(f, "float4") || named(t, "float8")) {
                widens(v, true);
            } else {
                narrows(v, "rejects values beyond the real range");
                lossy(v, "rounds the rest to about 6 significant digits");
            }
        } else if (p->tf == FAM_NUMERIC) {
            bool dbl = named(f, "float8");
            if (t->mod1 != RS_TYPMOD_NONE) {
                narrows(v, arena_printf(a, "rejects Infinity and %s",
                                        too_many_digits(a, t->mod1 - t->mod2)));
                lossy(v, round_phrase(a, t->mod2));
            } else {
                if (p->pg_version < 14)
                    narrows(v, "rejects Infinity (numeric has no infinity before PostgreSQL 14)");
                lossy(v, dbl ? "keeps only 15 significant digits of every value"
                             : "keeps only 6 significant digits of every value");
            }
        } else if (p->tf == FAM_INT) {
            narrows(v, arena_printf(a, "rejects NaN, Infinity and values outside the %s range",
                                    int_name(t)));
            lossy(v, "rounds every value to a whole number");
        } else {
            unknown(v);
        }
        return;
    case FAM_MONEY:
        if (p->tf == FAM_NUMERIC)
            numeric_change(v, a, 19, 2, t->mod1, t->mod2, false, false);
        else
            unknown(v);
        return;
    case FAM_OID:
        if (p->tf == FAM_INT && int_bytes(t) == 8) {
            widens(v, true);
        } else if (p->tf == FAM_INT && int_bytes(t) == 4) {
            lossy(v, "reads values above 2147483647 as negative numbers");
            v->c.rewrite = false;
            v->c.index_rebuild = true;
        } else {
            unknown(v);
        }
        return;
    default:
        unknown(v);
        return;
    }
}

/* ------------------------------------------------------------------ strings */

static bool is_stringish(enum family fam)
{
    return fam == FAM_STRING || fam == FAM_CITEXT;
}

/* Length limit of a string type, RS_TYPMOD_NONE when there is none. */
static int str_limit(const struct rs_type *t)
{
    return named(t, "varchar") || named(t, "bpchar") ? t->mod1 : RS_TYPMOD_NONE;
}

static const char *too_long_phrase(struct arena *a, int limit)
{
    return arena_printf(a, "rejects values longer than %d character%s", limit,
                        limit == 1 ? "" : "s");
}

/* Both types are text, varchar, bpchar or citext. */
static void classify_strings(struct verdict *v, const struct pair *p)
{
    const struct rs_type *f = p->from, *t = p->to;
    struct arena *a = p->a;
    bool fb = named(f, "bpchar"), tb = named(t, "bpchar");
    bool fc = p->ff == FAM_CITEXT, tc = p->tf == FAM_CITEXT;
    int fl = str_limit(f), tl = str_limit(t);
    bool fits = tl == RS_TYPMOD_NONE || (fl != RS_TYPMOD_NONE && fl <= tl);

    if (!fits)
        narrows(v, too_long_phrase(a, tl));
    if (fb && !tb) {
        /* The padding of character(n) is insignificant in PostgreSQL (comparisons ignore it),
           so dropping it loses nothing a query could see. */
        effect(v, "drops the trailing padding spaces, which character(n) already treats as "
                  "insignificant");
    } else if (tb && !fb) {
        if (tl != RS_TYPMOD_NONE)
            lossy(v, arena_printf(a,
                                  "pads every value with spaces to %d characters, after "
                                  "which trailing spaces no longer count",
                                  tl));
        else
            lossy(v, "makes trailing spaces insignificant in every value");
    }
    if (tc && !fc) {
        /* A unique index on the column is rebuilt with case-insensitive equality. */
        v->c.narrows = true;
        effect(v, "compares values case-insensitively, so a unique index fails on values that "
                  "differ only in case");
    } else if (fc && !tc && !v->c.narrows && !v->c.lossy) {
        v->c.widens = true;
        effect(v, "keeps every value but compares case-sensitively from now on");
    }
    if (!v->c.narrows && !v->c.lossy && !v->c.widens)
        v->c.widens = true;

    /* What PostgreSQL 15 rewrites (see the top of the file). */
    if (fb) {
        /* bpchar -> anything but unconstrained bpchar goes through a function. */
        v->c.rewrite = !(tb && tl == RS_TYPMOD_NONE);
        v->c.index_rebuild = v->c.rewrite;
    } else if (tb) {
        v->c.rewrite = tl != RS_TYPMOD_NONE;
        v->c.index_rebuild = true;
    } else if (fc || tc) {
        v->c.rewrite = tl != RS_TYPMOD_NONE;
        v->c.index_rebuild = true;
    } else {
        v->c.rewrite = !fits;
    }
}

/* Anything but a string -> text, varchar, bpchar or citext: the value's text form. */
static void classify_to_string(struct verdict *v, const struct pair *p, bool from_array)
{
    const struct rs_type *f = p->from, *t = p->to;
    int tl = str_limit(t);
    if (tl != RS_TYPMOD_NONE)
        narrows(v, p->ff == FAM_ENUM && !from_array
                       ? arena_printf(p->a, "rejects labels longer than %d character%s", tl,
                                      tl == 1 ? "" : "s")
                       : arena_printf(p->a,
                                      "rejects values whose text form is longer than %d "
                                      "character%s",
                                      tl, tl == 1 ? "" : "s"));
    if (p->ff == FAM_FLOAT && p->pg_version < 12 && !from_array)
        lossy(v, named(f, "float4")
                     ? "writes only 6 significant digits of every value (PostgreSQL 11 output)"
                     : "writes only 15 significant digits of every value (PostgreSQL 11 output)");
    if (!v->c.narrows && !v->c.lossy)
        widens(v, true);
    /* xml is binary coercible to the string types (not to citext). */
    if (p->ff == FAM_XML && !from_array && p->tf == FAM_STRING && tl == RS_TYPMOD_NONE)
        v->c.rewrite = false;
}

/* text, varchar, bpchar or citext -> anything else: values are parsed. */
static void classify_from_string(struct verdict *v, const struct pair *p)
{
    const struct rs_type *t = p->to;
    struct arena *a = p->a;
    const char *tn = rs_type_format(a, t);
    v->c.needs_using = true;
    if (p->tf == FAM_ENUM) {
        narrows(v, "rejects values that are not labels of the enum");
    } else if (named(t, "json")) {
        narrows(v, "rejects values that are not valid JSON");
    } else if (named(t, "xml")) {
        narrows(v, "rejects values that are not well-formed XML");
    } else if (named(t, "jsonb")) {
        narrows(v, "rejects values that are not valid JSON");
        lossy(v, "normalises the rest (whitespace, key order, duplicate keys)");
    } else {
        const char *example = "";
        if (p->tf == FAM_INT || p->tf == FAM_NUMERIC || p->tf == FAM_FLOAT)
            example = " ('007' becomes 7)";
        else if (named(t, "uuid"))
            example = " (upper-case digits become lower case)";
        else if (named(t, "bool"))
            example = " ('yes' becomes true)";
        else if (p->tf == FAM_DATE || p->tf == FAM_TIMESTAMP)
            example = " ('2024-1-2' becomes 2024-01-02)";
        narrows(v, arena_printf(a, "rejects text that is not valid %s input", tn));
        lossy(v, arena_printf(a, "keeps only the parsed form of the rest%s", example));
    }
}

/* ------------------------------------------------------------------ dates and times */

static void classify_temporal(struct verdict *v, const struct pair *p)
{
    const struct rs_type *f = p->from, *t = p->to;
    struct arena *a = p->a;
    int fp = prec6(f->mod1), tp = prec6(t->mod1);
    bool fz = named(f, "timestamptz") || named(f, "timetz");

    if (p->ff == p->tf && (p->ff == FAM_TIMESTAMP || p->ff == FAM_TIME) &&
        !strcmp(f->name, t->name)) {
        if (tp >= fp)
            widens(v, false);
        else
            lossy(v, seconds_phrase(a, tp));
        return;
    }
    if (p->ff == FAM_TIMESTAMP && p->tf == FAM_TIMESTAMP) {
        effect(v, fz ? "turns every value into the local time of the session TimeZone"
                     : "reads every value as a local time in the session TimeZone");
        if (tp < fp)
            lossy(v, seconds_phrase(a, tp));
        v->c.rewrite = true;
        /* PostgreSQL 12+ treats the pair as binary coercible in UTC, unless a typmod below 6
           must still be applied. */
        v->c.rewrite_unless_utc = p->pg_version >= 12 && tp == 6 && !p->in_array;
        effect(v, v->c.rewrite_unless_utc ? "rewrites the table and its indexes unless TimeZone "
                                            "is UTC"
                                          : "rewrites the table and its indexes");
        return;
    }
    if (p->ff == FAM_DATE && p->tf == FAM_TIMESTAMP) {
        widens(v, true);
        if (named(t, "timestamptz"))
            effect(v, "keeps every value as midnight in the session TimeZone");
        return;
    }
    if (p->ff == FAM_TIMESTAMP && p->tf == FAM_DATE) {
        lossy(v, fz ? "drops the time of day (taken in the session TimeZone)"
                    : "drops the time of day");
        return;
    }
    if (p->ff == FAM_TIMESTAMP && p->tf == FAM_TIME && (named(t, "time") || fz)) {
        lossy(v, named(t, "timetz") ? "keeps only the time of day and the session TimeZone's "
                                      "offset"
                                    : "keeps only the time of day");
        if (tp < fp)
            lossy(v, seconds_phrase(a, tp));
        return;
    }
    if (p->ff == FAM_TIME && p->tf == FAM_TIME) {
        if (fz) {
            lossy(v, "drops the time zone offset of every value");
        } else if (tp < fp) {
            effect(v, "attaches the session TimeZone's current offset to every value");
        } else {
            widens(v, true);
            effect(v, "keeps every value, attaching the session TimeZone's current offset");
        }
        if (tp < fp)
            lossy(v, seconds_phrase(a, tp));
        v->c.rewrite = true;
        return;
    }
    if (p->ff == FAM_TIME && p->tf == FAM_INTERVAL && !fz) {
        int least = interval_least_field(t->mod2);
        if (least > 0)
            lossy(v, arena_printf(a, "truncates every value to whole %s", least_field_unit[least]));
        else if (tp < fp)
            lossy(v, seconds_phrase(a, tp));
        else
            widens(v, true);
        return;
    }
    if (p->ff == FAM_INTERVAL && p->tf == FAM_TIME && named(t, "time")) {
        if (p->pg_version >= 17)
            narrows(v, "rejects infinite intervals");
        lossy(v, "keeps only the time of day part of every value (days, months and years are "
                 "dropped, hours wrap at 24)");
        if (tp < fp)
            lossy(v, seconds_phrase(a, tp));
        return;
    }
    if (p->ff == FAM_INTERVAL && p->tf == FAM_INTERVAL) {
        int fl = interval_least_field(f->mod2), tl = interval_least_field(t->mod2);
        /* Fractional seconds only exist when the old type reaches seconds. */
        if (tl > fl)
            lossy(v, arena_printf(a, "truncates every value to whole %s", least_field_unit[tl]));
        else if (tl == 0 && fl == 0 && tp < fp)
            lossy(v, seconds_phrase(a, tp));
        else
            widens(v, false);
        v->c.rewrite = !(tl <= fl && (fl > 0 || tp >= fp));
        return;
    }
    unknown(v);
}

/* ------------------------------------------------------------------ the rest */

static void classify_other(struct verdict *v, const struct pair *p)
{
    const struct rs_type *f = p->from, *t = p->to;
    struct arena *a = p->a;
    if (p->ff == FAM_BIT && p->tf == FAM_BIT) {
        bool fv = named(f, "varbit"), tv = named(t, "varbit");
        int fl = f->mod1, tl = t->mod1;
        bool fits = tl == RS_TYPMOD_NONE || (fl != RS_TYPMOD_NONE && fl <= tl);
        if (tv) {
            if (fits)
                widens(v, fv ? false : tl != RS_TYPMOD_NONE);
            else
                narrows(v, arena_printf(a, "rejects bit strings longer than %d bit%s", tl,
                                        tl == 1 ? "" : "s"));
            v->c.index_rebuild = !fv; /* bit -> varbit is binary coercible; indexes rebuilt */
        } else if (tl == RS_TYPMOD_NONE) {
            widens(v, fv);
        } else if (!fv && fl == tl) {
            widens(v, false);
        } else {
            narrows(v, arena_printf(a, "rejects values that are not exactly %d bit%s long", tl,
                                    tl == 1 ? "" : "s"));
        }
        return;
    }
    if (p->ff == FAM_NET && p->tf == FAM_NET) {
        if (named(t, "inet"))
            widens(v, false);
        else
            lossy(v, "clears the host bits of every address (10.0.0.1/8 becomes 10.0.0.0/8)");
        return;
    }
    if (p->ff == FAM_MAC && p->tf == FAM_MAC) {
        if (named(t, "macaddr8"))
            widens(v, true);
        else
            narrows(v, "rejects 8-byte addresses that are not a 6-byte address with FF:FE in "
                       "the middle");
        return;
    }
    if (p->ff == FAM_JSON && p->tf == FAM_JSON) {
        if (named(t, "json")) {
            widens(v, true);
        } else {
            narrows(v, "rejects JSON that jsonb cannot store (\\u0000 in strings, numbers "
                       "beyond numeric's range)");
            lossy(v, "normalises the rest (whitespace, key order, duplicate keys)");
        }
        return;
    }
    unknown(v);
}

static enum family family_of(const struct rs_type *t, bool is_enum)
{
    const struct builtin *b = t->schema ? NULL : find_builtin(t->name);
    if (b)
        return b->fam;
    if (!strcmp(t->name, "citext"))
        return FAM_CITEXT;
    return is_enum ? FAM_ENUM : FAM_USER;
}

/* from and to are scalars and not equal. */
static void classify_scalar(struct verdict *v, const struct pair *p, bool from_array)
{
    if (from_array) {
        if (is_stringish(p->tf))
            classify_to_string(v, p, true);
        else
            unknown(v);
        return;
    }
    if (is_stringish(p->ff) && is_stringish(p->tf)) {
        classify_strings(v, p);
    } else if (is_stringish(p->tf)) {
        if (p->ff == FAM_USER)
            unknown(v);
        else
            classify_to_string(v, p, false);
    } else if (is_stringish(p->ff)) {
        if (p->tf == FAM_USER)
            unknown(v);
        else
            classify_from_string(v, p);
    } else {
        switch (p->ff) {
        case FAM_INT:
        case FAM_NUMERIC:
        case FAM_FLOAT:
        case FAM_MONEY:
        case FAM_OID:
            classify_numbers(v, p);
            break;
        case FAM_DATE:
        case FAM_TIMESTAMP:
        case FAM_TIME:
        case FAM_INTERVAL:
            classify_temporal(v, p);
            break;
        case FAM_BIT:
        case FAM_NET:
        case FAM_MAC:
        case FAM_JSON:
            classify_other(v, p);
            break;
        default:
            unknown(v);
            break;
        }
    }
    if (v->c.rewrite)
        v->c.index_rebuild = true;
}

/* "a, b and c"; "a, and b" when an earlier effect has an "and" of its own, so that the last
 * one still reads as a new item. */
static const char *join_effects(struct arena *a, const struct verdict *v)
{
    bool inner_and = false;
    for (size_t i = 0; i + 1 < v->neffects; i++)
        inner_and |= strstr(v->effects[i], " and ") != NULL;
    struct strbuf sb;
    sb_init(&sb, a);
    for (size_t i = 0; i < v->neffects; i++) {
        if (i > 0)
            sb_add(&sb, i + 1 < v->neffects ? ", " : inner_and ? ", and " : " and ");
        sb_add(&sb, v->effects[i]);
    }
    return sb.s;
}

static const char *keeps_phrase(const struct rs_type_change *c)
{
    if (c->rewrite)
        return "keeps every value but rewrites the table and its indexes";
    if (c->index_rebuild)
        return "keeps every value without rewriting the table but rebuilds the indexes on the "
               "column";
    return "keeps every value without rewriting the table";
}

/* The one sentence of a verdict: its effects, or what it keeps. */
static void set_reason(struct arena *a, struct verdict *v, const char *fname, const char *tname)
{
    if (!v->c.known) {
        v->c.reason = arena_printf(a,
                                   "rollsafe cannot prove that %s → %s is a widening, so it "
                                   "assumes values can be rejected and the table rewritten",
                                   fname, tname);
    } else if (v->neffects == 0) {
        assert(v->c.widens); /* every other verdict names its effects */
        v->c.reason = arena_printf(a, "%s → %s %s", fname, tname, keeps_phrase(&v->c));
    } else {
        v->c.reason = arena_printf(a, "%s → %s %s", fname, tname, join_effects(a, v));
    }
}

struct rs_type_change rs_type_classify(struct arena *a, const struct rs_type *from,
                                       const struct rs_type *to, bool from_is_enum, bool to_is_enum,
                                       int pg_version)
{
    struct verdict v = {.c.known = false};
    const char *fname = rs_type_format(a, from), *tname = rs_type_format(a, to);
    struct rs_type fe = *from, te = *to;
    fe.array_dims = te.array_dims = 0;
    bool from_array = from->array_dims > 0, to_array = to->array_dims > 0;
    /* A type whose name is unknown (a view's column over a relation rollsafe does not know)
       has no rule. */
    bool untyped = !from->name || !to->name;

    /* PostgreSQL ignores the declared number of array dimensions: int[] is int[][]. */
    if (!untyped && rs_type_equal(&fe, &te) && from_array == to_array) {
        v.c.same = v.c.known = true;
        v.c.reason = arena_printf(a, "%s → %s changes nothing", fname, tname);
        return v.c;
    }

    struct pair p = {a,
                     &fe,
                     &te,
                     untyped ? FAM_USER : family_of(&fe, from_is_enum),
                     untyped ? FAM_USER : family_of(&te, to_is_enum),
                     pg_version,
                     from_array && to_array};
    v.c.known = true;
    if (untyped || (to_array && !from_array))
        unknown(&v);
    else
        classify_scalar(&v, &p, from_array && !to_array);

    if (v.c.known && p.in_array) {
        /* An array change is an element-by-element coercion: only dropping the element typmod
           of the same type keeps the table. */
        bool same_elem = !strcmp(fe.name, te.name) && !fe.schema && !te.schema;
        if (!(same_elem && te.mod1 == RS_TYPMOD_NONE && te.mod2 == RS_TYPMOD_NONE)) {
            v.c.rewrite = true;
            v.c.index_rebuild = true;
        } else {
            v.c.rewrite = v.c.index_rebuild = false;
        }
    }
    if (v.c.rewrite)
        v.c.index_rebuild = true;

    set_reason(a, &v, fname, tname);
    return v.c;
}

struct rs_type_change rs_type_classify_enums(struct arena *a, const struct rs_type *from,
                                             const struct rs_type *to,
                                             const char *const *from_labels, size_t nfrom,
                                             const char *const *to_labels, size_t nto,
                                             int pg_version)
{
    if (!from->name || !to->name || from->array_dims || to->array_dims ||
        rs_type_equal(from, to))
        return rs_type_classify(a, from, to, true, true, pg_version);
    /* Two enums have no cast between them: the USING clause goes through text (what Prisma
       writes), so each row keeps its label when the new type has it, and fails when not. */
    struct verdict v = {.c.known = true, .c.needs_using = true};
    const char **lost = arena_alloc(a, (nfrom + 1) * sizeof(*lost));
    size_t nlost = 0;
    for (size_t i = 0; i < nfrom; i++) {
        bool kept = false;
        for (size_t k = 0; k < nto && !kept; k++)
            kept = !strcmp(from_labels[i], to_labels[k]);
        if (!kept)
            lost[nlost++] = from_labels[i];
    }
    const char *tname = rs_type_format(a, to);
    if (nlost) {
        struct strbuf list; /* 'a', 'b' and 'c' */
        sb_init(&list, a);
        for (size_t i = 0; i < nlost; i++)
            sb_printf(&list, "%s'%s'", i == 0 ? "" : i + 1 < nlost ? ", " : " and ", lost[i]);
        narrows(&v, arena_printf(a, "rejects the label%s %s, which %s does not have",
                                 nlost == 1 ? "" : "s", list.s, tname));
    } else {
        widens(&v, true);
    }
    v.c.index_rebuild = true;
    set_reason(a, &v, rs_type_format(a, from), tname);
    return v.c;
}

/* ------------------------------------------------------------------ volatile functions */

static const char *const volatile_names[] = {
#define VOLATILE(name) name,
#include "volatile.def"
#undef VOLATILE
};

static int compare_name(const void *key, const void *elem)
{
    return strcmp((const char *)key, *(const char *const *)elem);
}

bool rs_function_is_volatile(const char *name)
{
    if (!name)
        return false;
    return bsearch(name, volatile_names, sizeof(volatile_names) / sizeof(volatile_names[0]),
                   sizeof(volatile_names[0]), compare_name) != NULL;
}
