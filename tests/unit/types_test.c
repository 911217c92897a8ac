/*
 * types_test.c - tests of lib/catalog/types.c: canonical names, format_type() display, equality,
 * the classification of type changes, and the volatile-function list.
 *
 * The classification cases pin what a PostgreSQL 15 server did (table rewrite or not, index
 * rebuild, values read back, USING needed): see the comment at the top of types.c. Types are
 * written here the way libpg_query hands them over ("pg_catalog.int4", "serial", "public.mood").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/types.h"
#include "test.h"
#include "util/arena.h"

/* "[schema.]name[(m1[,m2])][[]...]" -> rs_type, as the parser would build it. */
static struct rs_type ty(struct arena *a, const char *spec)
{
    char buf[128];
    snprintf(buf, sizeof(buf), "%s", spec);
    int dims = 0;
    char *br;
    while ((br = strstr(buf, "[]")) != NULL) {
        *br = '\0';
        dims++;
    }
    int mods[2];
    size_t nmods = 0;
    char *par = strchr(buf, '(');
    if (par) {
        *par = '\0';
        mods[nmods++] = atoi(par + 1);
        char *comma = strchr(par + 1, ',');
        if (comma)
            mods[nmods++] = atoi(comma + 1);
    }
    const char *names[2];
    size_t nnames = 0;
    char *dot = strchr(buf, '.');
    if (dot) {
        *dot = '\0';
        names[nnames++] = buf;
        names[nnames++] = dot + 1;
    } else {
        names[nnames++] = buf;
    }
    struct rs_type t;
    rs_type_init(&t, a, names, nnames, mods, nmods, dims);
    return t;
}

static const char *fmt(struct arena *a, const char *spec)
{
    struct rs_type t = ty(a, spec);
    return rs_type_format(a, &t);
}

/* The flags of a change as a short string: ? unknown, S same, W widens, N narrows, L lossy,
 * R rewrite, U rewrite unless UTC, I index rebuild, X needs USING. */
static const char *flags(struct arena *a, const struct rs_type_change *c)
{
    return arena_printf(a, "%s%s%s%s%s%s%s%s%s", c->known ? "" : "?", c->same ? "S" : "",
                        c->widens ? "W" : "", c->narrows ? "N" : "", c->lossy ? "L" : "",
                        c->rewrite ? "R" : "", c->rewrite_unless_utc ? "U" : "",
                        c->index_rebuild ? "I" : "", c->needs_using ? "X" : "");
}

static struct rs_type_change change(struct arena *a, const char *from, const char *to,
                                    bool from_enum, bool to_enum, int pg_version)
{
    struct rs_type f = ty(a, from), t = ty(a, to);
    return rs_type_classify(a, &f, &t, from_enum, to_enum, pg_version);
}

/* ------------------------------------------------------------------ names */

TEST(types_canonical_names)
{
    struct arena a = ARENA_INIT;
    static const struct {
        const char *spec, *name;
        int mod1, mod2;
    } cases[] = {
        {"pg_catalog.int4", "int4", RS_TYPMOD_NONE, RS_TYPMOD_NONE},
        {"int", "int4", RS_TYPMOD_NONE, RS_TYPMOD_NONE},
        {"integer", "int4", RS_TYPMOD_NONE, RS_TYPMOD_NONE},
        {"smallint", "int2", RS_TYPMOD_NONE, RS_TYPMOD_NONE},
        {"bigint", "int8", RS_TYPMOD_NONE, RS_TYPMOD_NONE},
        {"int8", "int8", RS_TYPMOD_NONE, RS_TYPMOD_NONE},
        {"real", "float4", RS_TYPMOD_NONE, RS_TYPMOD_NONE},
        {"double precision", "float8", RS_TYPMOD_NONE, RS_TYPMOD_NONE},
        {"float(24)", "float4", RS_TYPMOD_NONE, RS_TYPMOD_NONE},
        {"float(25)", "float8", RS_TYPMOD_NONE, RS_TYPMOD_NONE},
        {"float", "float8", RS_TYPMOD_NONE, RS_TYPMOD_NONE},
        {"decimal(10,2)", "numeric", 10, 2},
        {"pg_catalog.numeric(5)", "numeric", 5, 0},
        {"numeric", "numeric", RS_TYPMOD_NONE, RS_TYPMOD_NONE},
        {"pg_catalog.varchar(255)", "varchar", 255, RS_TYPMOD_NONE},
        {"character varying", "varchar", RS_TYPMOD_NONE, RS_TYPMOD_NONE},
        {"char", "bpchar", 1, RS_TYPMOD_NONE},
        {"character(3)", "bpchar", 3, RS_TYPMOD_NONE},
        {"pg_catalog.bpchar(1)", "bpchar", 1, RS_TYPMOD_NONE},
        {"bpchar", "bpchar", RS_TYPMOD_NONE, RS_TYPMOD_NONE},
        {"bit", "bit", 1, RS_TYPMOD_NONE},
        {"bit varying(8)", "varbit", 8, RS_TYPMOD_NONE},
        {"boolean", "bool", RS_TYPMOD_NONE, RS_TYPMOD_NONE},
        {"bool", "bool", RS_TYPMOD_NONE, RS_TYPMOD_NONE},
        {"timestamp with time zone", "timestamptz", RS_TYPMOD_NONE, RS_TYPMOD_NONE},
        {"pg_catalog.timestamptz(3)", "timestamptz", 3, RS_TYPMOD_NONE},
        {"time without time zone", "time", RS_TYPMOD_NONE, RS_TYPMOD_NONE},
        {"pg_catalog.interval(32767,3)", "interval", 3, RS_TYPMOD_NONE},
        {"pg_catalog.interval(7176,3)", "interval", 3, 7176},
        {"pg_catalog.interval(6)", "interval", RS_TYPMOD_NONE, 6},
        {"text", "text", RS_TYPMOD_NONE, RS_TYPMOD_NONE},
        {"citext", "citext", RS_TYPMOD_NONE, RS_TYPMOD_NONE},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct rs_type t = ty(&a, cases[i].spec);
        CHECK_STR(t.name, cases[i].name);
        CHECK(t.schema == NULL);
        CHECK_INT(t.mod1, cases[i].mod1);
        CHECK_INT(t.mod2, cases[i].mod2);
        CHECK(!t.serial);
    }
    arena_free(&a);
}

TEST(types_serial_and_user_types)
{
    struct arena a = ARENA_INIT;
    struct rs_type t = ty(&a, "serial");
    CHECK_STR(t.name, "int4");
    CHECK(t.serial);
    t = ty(&a, "bigserial");
    CHECK_STR(t.name, "int8");
    CHECK(t.serial);
    t = ty(&a, "smallserial");
    CHECK_STR(t.name, "int2");
    CHECK(t.serial);

    t = ty(&a, "public.mood");
    CHECK_STR(t.schema, "public");
    CHECK_STR(t.name, "mood");
    CHECK(!rs_type_is_builtin(&t));
    t = ty(&a, "pg_catalog.mood"); /* pg_catalog is stripped, but mood is still not built in */
    CHECK(t.schema == NULL);
    CHECK(!rs_type_is_builtin(&t));
    t = ty(&a, "public.int4"); /* a user type that happens to be called int4 */
    CHECK_STR(t.schema, "public");
    CHECK_STR(t.name, "int4");
    CHECK(!rs_type_is_builtin(&t));

    /* Strings are copied into the arena. */
    char name[] = "mood";
    const char *names[] = {name};
    rs_type_init(&t, &a, names, 1, NULL, 0, 0);
    name[0] = 'X';
    CHECK_STR(t.name, "mood");

    /* No name at all: a placeholder that nothing treats as built in. */
    rs_type_init(&t, &a, NULL, 0, NULL, 0, 0);
    CHECK_STR(t.name, "unknown");
    CHECK(!rs_type_is_builtin(&t));
    CHECK_STR(rs_type_format(&a, &t), "unknown");

    /* A typmod the parser could not read counts as absent. */
    int mods[] = {RS_TYPMOD_NONE};
    const char *vc[] = {"pg_catalog", "varchar"};
    rs_type_init(&t, &a, vc, 2, mods, 1, 0);
    CHECK_INT(t.mod1, RS_TYPMOD_NONE);
    arena_free(&a);
}

TEST(types_builtin_and_equal)
{
    struct arena a = ARENA_INIT;
    const char *builtin[] = {"pg_catalog.int4",
                             "uuid",
                             "jsonb",
                             "pg_catalog.timestamptz",
                             "bytea",
                             "inet",
                             "money",
                             "tsvector",
                             "xml",
                             "oid",
                             "serial"};
    for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++) {
        struct rs_type t = ty(&a, builtin[i]);
        CHECK(rs_type_is_builtin(&t));
    }
    struct rs_type citext = ty(&a, "citext"), mood = ty(&a, "mood");
    CHECK(!rs_type_is_builtin(&citext));
    CHECK(!rs_type_is_builtin(&mood));

    struct rs_type v10 = ty(&a, "pg_catalog.varchar(10)"), v10b = ty(&a, "character varying(10)");
    struct rs_type v20 = ty(&a, "pg_catalog.varchar(20)");
    CHECK(rs_type_equal(&v10, &v10b));
    CHECK(!rs_type_equal(&v10, &v20));
    struct rs_type i4 = ty(&a, "int4"), i4a = ty(&a, "int4[]"), ser = ty(&a, "serial");
    CHECK(!rs_type_equal(&i4, &i4a));
    CHECK(rs_type_equal(&i4, &ser));
    struct rs_type pmood = ty(&a, "public.mood");
    CHECK(!rs_type_equal(&mood, &pmood));
    struct rs_type pmood2 = ty(&a, "public.mood");
    CHECK(rs_type_equal(&pmood, &pmood2));
    arena_free(&a);
}

/* A column whose type is unknown (a view's over a relation rollsafe does not know) has a NULL
   name: every function takes it, and nothing about it is proven. */
TEST(types_unknown_type)
{
    struct arena a = ARENA_INIT;
    struct rs_type none = {.name = NULL, .mod1 = RS_TYPMOD_NONE, .mod2 = RS_TYPMOD_NONE};
    struct rs_type none2 = none, v255 = ty(&a, "varchar(255)");
    CHECK(!rs_type_is_builtin(&none));
    CHECK(!rs_type_equal(&none, &none2));
    CHECK(!rs_type_equal(&none, &v255));
    CHECK(!rs_type_equal(&v255, &none));
    CHECK_STR(rs_type_format(&a, &none), "a type unknown to rollsafe");
    for (int dir = 0; dir < 2; dir++) {
        struct rs_type_change c = rs_type_classify(&a, dir ? &v255 : &none, dir ? &none : &v255,
                                                   false, false, 15);
        CHECK(!c.known && !c.same && c.narrows && c.rewrite);
        CHECK(c.reason && strstr(c.reason, "cannot prove") != NULL);
    }
    arena_free(&a);
}

TEST(types_format_like_format_type)
{
    struct arena a = ARENA_INIT;
    static const struct {
        const char *spec, *shown;
    } cases[] = {
        {"pg_catalog.int4", "integer"},
        {"pg_catalog.int8", "bigint"},
        {"pg_catalog.int2", "smallint"},
        {"serial", "integer"},
        {"bigserial", "bigint"},
        {"pg_catalog.varchar(255)", "character varying(255)"},
        {"pg_catalog.varchar", "character varying"},
        {"pg_catalog.bpchar(1)", "character(1)"},
        {"char", "character(1)"},
        {"bpchar", "bpchar"},
        {"pg_catalog.numeric(10,2)", "numeric(10,2)"},
        {"pg_catalog.numeric(5)", "numeric(5,0)"},
        {"decimal", "numeric"},
        {"pg_catalog.timestamp(3)", "timestamp(3) without time zone"},
        {"pg_catalog.timestamp", "timestamp without time zone"},
        {"pg_catalog.timestamptz", "timestamp with time zone"},
        {"timestamptz(0)", "timestamp(0) with time zone"},
        {"pg_catalog.time", "time without time zone"},
        {"pg_catalog.timetz(2)", "time(2) with time zone"},
        {"pg_catalog.interval", "interval"},
        {"pg_catalog.interval(32767,3)", "interval(3)"},
        {"pg_catalog.interval(7176,3)", "interval day to second(3)"},
        {"pg_catalog.interval(6)", "interval year to month"},
        {"pg_catalog.interval(8)", "interval day"},
        {"text", "text"},
        {"pg_catalog.bool", "boolean"},
        {"pg_catalog.float8", "double precision"},
        {"pg_catalog.float4", "real"},
        {"jsonb", "jsonb"},
        {"json", "json"},
        {"uuid", "uuid"},
        {"bytea", "bytea"},
        {"inet", "inet"},
        {"cidr", "cidr"},
        {"macaddr", "macaddr"},
        {"money", "money"},
        {"tsvector", "tsvector"},
        {"xml", "xml"},
        {"oid", "oid"},
        {"pg_catalog.bit(4)", "bit(4)"},
        {"pg_catalog.varbit(4)", "bit varying(4)"},
        {"pg_catalog.varbit", "bit varying"},
        {"pg_catalog.int4[]", "integer[]"},
        {"pg_catalog.int4[][]", "integer[]"},
        {"pg_catalog.varchar(10)[]", "character varying(10)[]"},
        {"citext", "citext"},
        {"public.citext", "public.citext"},
        {"mood", "mood"},
        {"public.mood", "public.mood"},
        {"Mood", "\"Mood\""},
        {"public.mood[]", "public.mood[]"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        CHECK_STR(fmt(&a, cases[i].spec), cases[i].shown);
    arena_free(&a);
}

/* ------------------------------------------------------------------ classification */

struct change_case {
    const char *from, *to;
    const char *flags;
    bool from_enum, to_enum;
};

static void check_changes(const struct change_case *cases, size_t n, int pg_version)
{
    struct arena a = ARENA_INIT;
    for (size_t i = 0; i < n; i++) {
        struct rs_type_change c = change(&a, cases[i].from, cases[i].to, cases[i].from_enum,
                                         cases[i].to_enum, pg_version);
        const char *got = flags(&a, &c);
        if (strcmp(got, cases[i].flags) != 0)
            test_fail(__FILE__, __LINE__, "%s -> %s on %d: flags %s, expected %s (%s)",
                      cases[i].from, cases[i].to, pg_version, got, cases[i].flags, c.reason);
        CHECK(c.reason && *c.reason);
    }
    arena_free(&a);
}

#define CHECK_CHANGES(cases, ver) check_changes(cases, sizeof(cases) / sizeof(cases[0]), ver)

TEST(types_classify_strings)
{
    static const struct change_case cases[] = {
        {"varchar(10)", "varchar(20)", "W", false, false},
        {"varchar(10)", "varchar", "W", false, false},
        {"varchar(10)", "text", "W", false, false},
        {"text", "varchar", "W", false, false},
        {"varchar(10)", "varchar(10)", "S", false, false},
        {"text", "varchar(20)", "NRI", false, false},
        {"varchar(20)", "varchar(10)", "NRI", false, false},
        /* char(n): any length change rewrites; leaving it drops insignificant padding; entering it
           pads */
        {"char(4)", "char(8)", "WRI", false, false},
        {"char(8)", "char(4)", "NRI", false, false},
        {"char(4)", "bpchar", "W", false, false},
        {"char(4)", "text", "WRI", false, false},
        {"char(4)", "varchar", "WRI", false, false},
        {"char(8)", "varchar(4)", "NRI", false, false},
        {"text", "bpchar", "LI", false, false},
        {"varchar(10)", "char(10)", "LRI", false, false},
        {"text", "char(4)", "NLRI", false, false},
        /* citext: binary coercible with text, but equality changes */
        {"citext", "text", "WI", false, false},
        {"citext", "varchar(10)", "NRI", false, false},
        {"citext", "bpchar", "LI", false, false},
        {"text", "citext", "NI", false, false},
        {"varchar(10)", "citext", "NI", false, false},
        {"char(4)", "citext", "NRI", false, false},
    };
    CHECK_CHANGES(cases, 15);
}

TEST(types_classify_numbers)
{
    static const struct change_case cases[] = {
        {"int2", "int4", "WRI", false, false},
        {"int4", "int8", "WRI", false, false},
        {"int2", "int8", "WRI", false, false},
        {"int8", "int4", "NRI", false, false},
        {"int4", "int2", "NRI", false, false},
        {"serial", "bigint", "WRI", false, false},
        {"int4", "numeric", "WRI", false, false},
        {"int4", "numeric(12,2)", "WRI", false, false},
        {"int4", "numeric(10,0)", "WRI", false, false},
        {"int4", "numeric(5,2)", "NRI", false, false},
        {"int8", "numeric(19,0)", "WRI", false, false},
        {"int2", "float4", "WRI", false, false},
        {"int4", "float8", "WRI", false, false},
        {"int4", "float4", "LRI", false, false}, /* 16777217 -> 16777216 */
        {"int8", "float8", "LRI", false, false}, /* 9007199254740993 -> ...992 */
        {"float4", "float8", "WRI", false, false},
        {"float8", "float4", "NLRI", false, false},
        {"numeric(10,2)", "numeric(12,2)", "W", false, false},
        {"numeric(10,2)", "numeric", "W", false, false},
        {"numeric(10,2)", "numeric(12,4)", "WRI", false, false},
        {"numeric(10,2)", "numeric(14,4)", "WRI", false, false},
        {"numeric(10,2)", "numeric(10,4)", "NRI", false, false},
        {"numeric(12,4)", "numeric(12,2)", "LRI", false, false},
        {"numeric(12,4)", "numeric(10,2)", "NLRI", false, false}, /* 99999999.9999 carries */
        {"numeric(5,2)", "numeric(4,1)", "NLRI", false, false},   /* 999.99 -> 1000.0 */
        {"numeric(12,2)", "numeric(10,2)", "NRI", false, false},
        {"numeric", "numeric(10,2)", "NLRI", false, false},
        {"numeric", "int4", "NLRI", false, false},
        {"numeric(9,0)", "int4", "WRI", false, false},
        {"numeric(10,0)", "int4", "NRI", false, false},
        {"numeric(5,2)", "int4", "LRI", false, false},
        {"numeric(4,0)", "int2", "WRI", false, false},
        {"numeric(6,2)", "int2", "LRI", false, false}, /* 9999.99 -> 10000 still fits */
        {"numeric(5,0)", "int2", "NRI", false, false},
        {"numeric(18,0)", "int8", "WRI", false, false},
        {"numeric(15,2)", "float8", "WRI", false, false},
        {"numeric(16,2)", "float8", "LRI", false, false},
        {"numeric", "float8", "NLRI", false, false},
        {"float8", "int4", "NLRI", false, false},
        {"float4", "int8", "NLRI", false, false},
        {"float8", "numeric", "LRI", false, false}, /* 15 significant digits */
        {"float8", "numeric(10,2)", "NLRI", false, false},
        {"money", "numeric", "WRI", false, false},
        {"money", "numeric(10,2)", "NRI", false, false},
        {"numeric", "money", "NLRI", false, false}, /* 1.005 -> $1.01 */
        {"numeric(10,2)", "money", "WRI", false, false},
        {"int4", "money", "WRI", false, false},
        {"int8", "money", "NRI", false, false},
        {"int2", "money", "?NRI", false, false}, /* needs USING */
        /* oid and integer share their bits */
        {"int4", "oid", "LI", false, false},
        {"oid", "int4", "LI", false, false},
        {"int2", "oid", "LRI", false, false},
        {"int8", "oid", "NRI", false, false},
        {"oid", "int8", "WRI", false, false},
        {"oid", "int2", "?NRI", false, false},
        {"bool", "int4", "?NRI", false, false},
        {"int4", "bool", "?NRI", false, false},
    };
    CHECK_CHANGES(cases, 15);
}

TEST(types_classify_time)
{
    static const struct change_case cases[] = {
        {"timestamp(3)", "timestamp(6)", "W", false, false},
        {"timestamp(3)", "timestamp(5)", "W", false, false},
        {"timestamp(3)", "timestamp", "W", false, false},
        {"timestamp", "timestamp(6)", "W", false, false}, /* 6 is the maximum: no rewrite */
        {"timestamp(6)", "timestamp(3)", "LRI", false, false},
        {"timestamp", "timestamp(3)", "LRI", false, false},
        {"timestamptz(3)", "timestamptz(6)", "W", false, false},
        {"time(2)", "time(4)", "W", false, false},
        {"time(4)", "time(2)", "LRI", false, false},
        {"timetz(2)", "timetz", "W", false, false},
        {"pg_catalog.interval(32767,2)", "pg_catalog.interval(32767,4)", "W", false, false},
        {"pg_catalog.interval(32767,4)", "interval", "W", false, false},
        {"pg_catalog.interval(32767,4)", "pg_catalog.interval(32767,2)", "LRI", false, false},
        {"interval", "pg_catalog.interval(7176)", "W", false, false}, /* day to second */
        {"pg_catalog.interval(7176)", "interval", "W", false, false},
        {"pg_catalog.interval(32767,3)", "pg_catalog.interval(6144,3)", "W", false, false},
        {"interval", "pg_catalog.interval(6)", "LRI", false, false}, /* year to month */
        {"pg_catalog.interval(4)", "interval", "W", false, false},   /* year */
        {"pg_catalog.interval(2)", "pg_catalog.interval(4)", "LRI", false, false},
        /* timestamp <-> timestamptz: binary coercible in UTC unless a precision below 6 */
        {"timestamp", "timestamptz", "RUI", false, false},
        {"timestamptz", "timestamp", "RUI", false, false},
        {"timestamp(3)", "timestamptz", "RUI", false, false},
        {"timestamptz(3)", "timestamp(6)", "RUI", false, false},
        {"timestamp(3)", "timestamptz(3)", "RI", false, false},
        {"timestamp(6)", "timestamptz(3)", "LRI", false, false},
        {"date", "timestamp", "WRI", false, false},
        {"date", "timestamptz", "WRI", false, false},
        {"date", "timestamp(0)", "WRI", false, false},
        {"timestamp", "date", "LRI", false, false},
        {"timestamptz", "date", "LRI", false, false},
        {"timestamp", "time", "LRI", false, false},
        {"timestamptz", "timetz", "LRI", false, false},
        {"timestamp", "timetz", "?NRI", false, false},
        {"time", "timetz", "WRI", false, false},
        {"timetz", "time", "LRI", false, false},
        {"time", "interval", "WRI", false, false},
        {"interval", "time", "LRI", false, false}, /* '25 hours' -> 01:00 */
        {"date", "time", "?NRI", false, false},
    };
    CHECK_CHANGES(cases, 15);
}

TEST(types_classify_other_builtins)
{
    static const struct change_case cases[] = {
        {"cidr", "inet", "W", false, false},
        {"inet", "cidr", "LRI", false, false}, /* 10.0.0.1/8 -> 10.0.0.0/8 */
        {"macaddr", "macaddr8", "WRI", false, false},
        {"macaddr8", "macaddr", "NRI", false, false},
        {"varbit(4)", "varbit(8)", "W", false, false},
        {"varbit(4)", "varbit", "W", false, false},
        {"varbit(8)", "varbit(4)", "NRI", false, false},
        {"varbit", "varbit(4)", "NRI", false, false},
        {"pg_catalog.bit(4)", "varbit", "WI", false, false},
        {"pg_catalog.bit(4)", "varbit(4)", "WRI", false, false},
        {"pg_catalog.bit(4)", "varbit(8)", "WRI", false, false},
        {"pg_catalog.bit(8)", "varbit(4)", "NRI", false, false},
        {"pg_catalog.bit(4)", "pg_catalog.bit(8)", "NRI", false, false}, /* no padding */
        {"varbit(4)", "pg_catalog.bit(4)", "NRI", false, false},
        {"json", "jsonb", "NLRI", false, false},
        {"jsonb", "json", "WRI", false, false},
        {"uuid", "bytea", "?NRI", false, false},
        {"tsvector", "tsquery", "?NRI", false, false},
    };
    CHECK_CHANGES(cases, 15);
}

TEST(types_classify_text_forms)
{
    static const struct change_case cases[] = {
        /* into a string type: the value's text form, no USING needed */
        {"int4", "text", "WRI", false, false},
        {"int8", "varchar", "WRI", false, false},
        {"uuid", "text", "WRI", false, false},
        {"bool", "text", "WRI", false, false},
        {"date", "text", "WRI", false, false},
        {"jsonb", "text", "WRI", false, false},
        {"float8", "text", "WRI", false, false},
        {"int4", "varchar(3)", "NRI", false, false},
        {"uuid", "varchar(36)", "NRI", false, false},
        {"int4", "citext", "WRI", false, false},
        {"xml", "text", "W", false, false}, /* binary coercible */
        {"xml", "varchar", "W", false, false},
        {"xml", "varchar(10)", "NRI", false, false},
        {"xml", "citext", "WRI", false, false},
        /* out of a string type: parsed, USING needed */
        {"text", "int4", "NLRIX", false, false}, /* '007' -> 7 */
        {"text", "uuid", "NLRIX", false, false},
        {"text", "bool", "NLRIX", false, false},
        {"text", "date", "NLRIX", false, false},
        {"varchar(10)", "numeric", "NLRIX", false, false},
        {"text", "inet", "NLRIX", false, false},
        {"text", "jsonb", "NLRIX", false, false},
        {"text", "json", "NRIX", false, false},
        {"text", "xml", "NRIX", false, false},
        {"citext", "int4", "NLRIX", false, false},
        /* enums and other user types */
        {"mood", "text", "WRI", true, false},
        {"public.mood", "varchar", "WRI", true, false},
        {"mood", "varchar(3)", "NRI", true, false},
        {"text", "mood", "NRIX", false, true},
        {"varchar(20)", "public.mood", "NRIX", false, true},
        {"mood", "mood", "S", true, true},
        {"mood", "feeling", "?NRI", true, true},
        {"mood", "int4", "?NRI", true, false},
        {"public.a", "public.b", "?NRI", false, false},
        {"int4", "public.dom", "?NRI", false, false},
        {"public.dom", "int4", "?NRI", false, false},
        {"public.comp", "text", "?NRI", false, false},
        {"text", "public.comp", "?NRI", false, false},
        {"public.mood", "mood", "?NRI", true, true}, /* schema given on one side only */
    };
    CHECK_CHANGES(cases, 15);
}

TEST(types_classify_arrays)
{
    static const struct change_case cases[] = {
        {"int4[]", "int4[]", "S", false, false},
        {"int4[]", "int4[][]", "S", false, false}, /* PostgreSQL ignores the dimensions */
        {"int4[]", "int8[]", "WRI", false, false},
        {"varchar(10)[]", "varchar[]", "W", false, false},
        {"numeric(10,2)[]", "numeric[]", "W", false, false},
        {"varchar(10)[]", "varchar(20)[]", "WRI", false, false}, /* unlike the scalar */
        {"varchar[]", "text[]", "WRI", false, false},            /* unlike the scalar */
        {"text[]", "varchar[]", "WRI", false, false},
        {"varchar(20)[]", "varchar(2)[]", "NRI", false, false},
        {"timestamp[]", "timestamptz[]", "RI", false, false},
        {"int4[]", "text[]", "WRI", false, false},
        {"text[]", "int4[]", "NLRIX", false, false},
        {"mood[]", "text[]", "WRI", true, false},
        {"int4[]", "text", "WRI", false, false},
        {"int4[]", "varchar(10)", "NRI", false, false},
        {"text", "text[]", "?NRI", false, false},
        {"int4", "int4[]", "?NRI", false, false},
        {"int4[]", "int4", "?NRI", false, false},
    };
    CHECK_CHANGES(cases, 15);
}

TEST(types_classify_versions)
{
    /* The rewrite-free timestamp <-> timestamptz change in UTC came with PostgreSQL 12. */
    static const struct change_case tz[] = {
        {"timestamp", "timestamptz", "RI", false, false},
        {"timestamptz", "timestamp", "RI", false, false},
    };
    CHECK_CHANGES(tz, 11);
    static const struct change_case tz12[] = {
        {"timestamp", "timestamptz", "RUI", false, false},
        {"timestamptz", "timestamp", "RUI", false, false},
    };
    CHECK_CHANGES(tz12, 12);
    CHECK_CHANGES(tz12, 18);

    /* numeric has Infinity from PostgreSQL 14. */
    static const struct change_case inf13[] = {{"float8", "numeric", "NLRI", false, false}};
    static const struct change_case inf14[] = {{"float8", "numeric", "LRI", false, false}};
    CHECK_CHANGES(inf13, 13);
    CHECK_CHANGES(inf14, 14);

    /* PostgreSQL 11 prints floats with 15 (or 6) significant digits. */
    static const struct change_case flt11[] = {{"float8", "text", "LRI", false, false},
                                               {"float4", "varchar", "LRI", false, false}};
    static const struct change_case flt12[] = {{"float8", "text", "WRI", false, false},
                                               {"float4", "varchar", "WRI", false, false}};
    CHECK_CHANGES(flt11, 11);
    CHECK_CHANGES(flt12, 12);

    /* interval has infinity from PostgreSQL 17, which time cannot hold. */
    static const struct change_case iv16[] = {{"interval", "time", "LRI", false, false}};
    static const struct change_case iv17[] = {{"interval", "time", "NLRI", false, false}};
    CHECK_CHANGES(iv16, 16);
    CHECK_CHANGES(iv17, 17);

    /* Everything binary coercible stays so on every supported version. */
    static const struct change_case stable[] = {
        {"varchar(10)", "varchar(20)", "W", false, false},
        {"numeric(10,2)", "numeric(12,2)", "W", false, false},
        {"cidr", "inet", "W", false, false},
        {"int4", "int8", "WRI", false, false},
    };
    for (int v = 11; v <= 18; v++)
        CHECK_CHANGES(stable, v);
}

TEST(types_classify_reasons)
{
    struct arena a = ARENA_INIT;
    static const struct {
        const char *from, *to, *reason;
        bool from_enum;
    } cases[] = {
        {"pg_catalog.varchar(255)", "pg_catalog.varchar(50)",
         "character varying(255) → character varying(50) rejects values longer than 50 "
         "characters",
         false},
        {"pg_catalog.numeric(12,4)", "pg_catalog.numeric(12,2)",
         "numeric(12,4) → numeric(12,2) rounds every value to 2 decimal places", false},
        {"pg_catalog.int4", "pg_catalog.int8",
         "integer → bigint keeps every value but rewrites the table and its indexes", false},
        {"pg_catalog.varchar(10)", "text",
         "character varying(10) → text keeps every value without rewriting the table", false},
        {"pg_catalog.bit(4)", "pg_catalog.varbit",
         "bit(4) → bit varying keeps every value without rewriting the table but rebuilds the "
         "indexes on the column",
         false},
        {"pg_catalog.int8", "pg_catalog.int4",
         "bigint → integer rejects values outside the integer range (-2147483648 to 2147483647)",
         false},
        {"pg_catalog.numeric(5,2)", "pg_catalog.numeric(4,1)",
         "numeric(5,2) → numeric(4,1) rejects values with more than 3 digits before the decimal "
         "point and rounds every value to 1 decimal place",
         false},
        {"pg_catalog.float8", "pg_catalog.numeric(10,2)",
         "double precision → numeric(10,2) rejects Infinity and values with more than 8 digits "
         "before the decimal point, and rounds every value to 2 decimal places",
         false},
        {"pg_catalog.bpchar(8)", "pg_catalog.varchar(4)",
         "character(8) → character varying(4) rejects values longer than 4 characters and drops "
         "the trailing padding spaces, which character(n) already treats as insignificant",
         false},
        {"pg_catalog.timestamp", "pg_catalog.timestamptz",
         "timestamp without time zone → timestamp with time zone reads every value as a local "
         "time in the session TimeZone and rewrites the table and its indexes unless TimeZone "
         "is UTC",
         false},
        {"pg_catalog.timestamptz(6)", "pg_catalog.timestamp(3)",
         "timestamp(6) with time zone → timestamp(3) without time zone turns every value into "
         "the local time of the session TimeZone, rounds every value to 3 fractional digits of "
         "a second and rewrites the table and its indexes",
         false},
        {"json", "jsonb",
         "json → jsonb rejects JSON that jsonb cannot store (\\u0000 in strings, numbers beyond "
         "numeric's range) and normalises the rest (whitespace, key order, duplicate keys)",
         false},
        {"text", "pg_catalog.int4",
         "text → integer rejects text that is not valid integer input and keeps only the parsed "
         "form of the rest ('007' becomes 7)",
         false},
        {"text", "citext",
         "text → citext compares values case-insensitively, so a unique index fails on values "
         "that differ only in case",
         false},
        {"public.mood", "text",
         "public.mood → text keeps every value but rewrites the table and its indexes", true},
        {"pg_catalog.int4[]", "pg_catalog.int4[][]", "integer[] → integer[] changes nothing",
         false},
        {"pg_catalog.bool", "pg_catalog.int4",
         "rollsafe cannot prove that boolean → integer is a widening, so it assumes values can "
         "be rejected and the table rewritten",
         false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct rs_type_change c =
            change(&a, cases[i].from, cases[i].to, cases[i].from_enum, false, 15);
        CHECK_STR(c.reason, cases[i].reason);
    }
    arena_free(&a);
}

/* ------------------------------------------------------------------ volatile functions */

static const char *const def_names[] = {
#define VOLATILE(name) name,
#include "catalog/volatile.def"
#undef VOLATILE
};

/* Two enums whose labels the caller knows: a label the new one lacks is rejected. */
TEST(types_classify_enum_to_enum)
{
    struct arena a = ARENA_INIT;
    const char *old[] = {"day", "week", "month", "year"};
    const char *kept[] = {"month", "year"}, *one[] = {"week", "month", "year"};
    const char *more[] = {"hour", "day", "week", "month", "year"}, *other[] = {"x"};
    const struct {
        const char *const *to;
        size_t nto;
        const char *flags, *reason;
    } cases[] = {
        {kept, 2, "NRIX",
         "interval_kind → interval_kind_new rejects the labels 'day' and 'week', which "
         "interval_kind_new does not have"},
        {one, 3, "NRIX",
         "interval_kind → interval_kind_new rejects the label 'day', which interval_kind_new "
         "does not have"},
        {other, 1, "NRIX",
         "interval_kind → interval_kind_new rejects the labels 'day', 'week', 'month' and "
         "'year', which interval_kind_new does not have"},
        {more, 5, "WRIX",
         "interval_kind → interval_kind_new keeps every value but rewrites the table and its "
         "indexes"},
    };
    struct rs_type f = ty(&a, "interval_kind"), t = ty(&a, "interval_kind_new");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct rs_type_change c =
            rs_type_classify_enums(&a, &f, &t, old, 4, cases[i].to, cases[i].nto, 15);
        CHECK_STR(flags(&a, &c), cases[i].flags);
        CHECK_STR(c.reason, cases[i].reason);
    }
    /* The same enum changes nothing; arrays of enums are not compared label by label. */
    struct rs_type_change same = rs_type_classify_enums(&a, &f, &f, old, 4, old, 4, 15);
    CHECK_STR(flags(&a, &same), "S");
    struct rs_type fa = ty(&a, "interval_kind[]"), ta = ty(&a, "interval_kind_new[]");
    struct rs_type_change arr = rs_type_classify_enums(&a, &fa, &ta, old, 4, kept, 2, 15);
    CHECK(!arr.known);
    arena_free(&a);
}

TEST(types_volatile_functions)
{
    const char *yes[] = {"random",    "gen_random_uuid", "clock_timestamp", "nextval",
                         "timeofday", "setseed",         "pg_sleep",        "uuid_generate_v4",
                         "setval",    "gen_random_bytes"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        if (!rs_function_is_volatile(yes[i]))
            test_fail(__FILE__, __LINE__, "%s should be volatile", yes[i]);
    /* now() and friends are stable: a default calling them does not rewrite. */
    const char *no[] = {"now",
                        "current_timestamp",
                        "txid_current",
                        "lower",
                        "abs",
                        "md5",
                        "statement_timestamp",
                        "transaction_timestamp",
                        "",
                        "RANDOM",
                        "uuid_generate_v5"};
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        if (rs_function_is_volatile(no[i]))
            test_fail(__FILE__, __LINE__, "%s should not be volatile", no[i]);
    CHECK(!rs_function_is_volatile(NULL));

    /* The generated list is sorted bytewise without duplicates, and every name is found. */
    size_t n = sizeof(def_names) / sizeof(def_names[0]);
    CHECK(n > 200);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && strcmp(def_names[i - 1], def_names[i]) >= 0)
            test_fail(__FILE__, __LINE__, "volatile.def is not sorted at %s", def_names[i]);
        if (!rs_function_is_volatile(def_names[i]))
            test_fail(__FILE__, __LINE__, "%s not found", def_names[i]);
    }
}
