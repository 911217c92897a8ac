/*
 * types.h - what rollsafe knows about PostgreSQL column types: canonical names, typmods,
 * display, and whether changing a column from one type to another widens, narrows, rewrites
 * or silently changes values.
 *
 * This is data about PostgreSQL, not about SQL text: the parser hands over the type name parts
 * and typmods as written; nothing here knows libpg_query.
 */
#ifndef RS_TYPES_H
#define RS_TYPES_H

#include <stdbool.h>
#include <stddef.h>

struct arena;

#define RS_TYPMOD_NONE (-1)

struct rs_type {
    const char *schema; /* NULL for built-in types (pg_catalog) and unqualified user types */
    const char *name;   /* canonical: "int4", "varchar", "numeric", "timestamptz", "text",
                           "bpchar", or a user type's name as written (lower-cased unless quoted) */
    int mod1, mod2;     /* typmods: varchar/bpchar/bit length, numeric precision and scale,
                           time/timestamp/interval precision; for interval, mod2 is the field
                           mask (YEAR TO MONTH ...) as libpg_query encodes it, RS_TYPMOD_NONE for
                           the full range; RS_TYPMOD_NONE when absent */
    int array_dims;     /* 0 for a scalar */
    bool serial;        /* written as serial/bigserial/smallserial (the caller adds the sequence) */
};

/*
 * Builds a type from the name parts as written (["pg_catalog","int4"], ["character varying"],
 * ["public","mood"]) and up to two integer typmods (nmods 0..2). Names are canonicalised:
 * int/integer -> int4, bigint -> int8, bool -> bool, "character varying" -> varchar,
 * char/character -> bpchar (length 1 when no typmod), decimal -> numeric,
 * "timestamp with time zone" -> timestamptz, serial -> int4 with serial=true, and so on.
 * Strings are copied into the arena. Interval typmods are taken as libpg_query writes them:
 * [fields] or [fields, precision] (interval(3) is [32767, 3]). A typmod of RS_TYPMOD_NONE counts
 * as absent. No names (nnames 0) gives the placeholder type "unknown", which is not built in.
 * Never fails.
 */
void rs_type_init(struct rs_type *t, struct arena *a, const char *const *names, size_t nnames,
                  const int *mods, size_t nmods, int array_dims);

/* Same base type, typmods and array dimensions. */
bool rs_type_equal(const struct rs_type *a, const struct rs_type *b);

/* As PostgreSQL's format_type() shows it: "character varying(255)", "numeric(10,2)",
 * "timestamp(3) without time zone", "integer[]", "public.mood" (schema only when given). */
const char *rs_type_format(struct arena *a, const struct rs_type *t);

/* True for a type PostgreSQL ships (pg_catalog), false for user types (enums, domains,
 * composites, extension types). A type whose name is NULL is unknown (a view's column over a
 * relation rollsafe does not know): every function here takes it, and no two are equal. */
bool rs_type_is_builtin(const struct rs_type *t);

/* What an ALTER COLUMN ... TYPE from `from` to `to` does. Flags combine. */
struct rs_type_change {
    bool same;      /* nothing changes */
    bool widens;    /* every value of `from` is kept exactly by `to` */
    bool narrows;   /* some values of `from` do not fit `to`: existing rows can make the ALTER
                       fail, and the previous application version's writes can be rejected */
    bool lossy;     /* values are changed silently on the way (rounded, truncated, trimmed,
                       reformatted): the old values cannot be restored by converting back */
    bool rewrite;   /* the table and its indexes are rewritten under ACCESS EXCLUSIVE */
    bool rewrite_unless_utc; /* timestamp <-> timestamptz: no rewrite on PostgreSQL 12+ when the
                                session TimeZone is UTC, otherwise a rewrite (rewrite is also set) */
    bool index_rebuild; /* indexes on the column are rebuilt: always when rewrite is set, and for
                           some changes that keep the table (text -> citext, integer -> oid) */
    bool needs_using;   /* PostgreSQL has no assignment cast for the pair: ALTER ... TYPE without
                           a USING clause fails ("cannot be cast automatically"); known pairs only */
    bool known;     /* false: rollsafe has no rule for this pair; the other flags are a
                       conservative guess (narrows and rewrite set) */
    const char *reason; /* one sentence for the finding, with format_type names:
                           "character varying(255) → character varying(50) rejects values longer
                           than 50 characters" (arena string) */
};

/*
 * Classifies a type change. pg_version is the target major version (11..18). `from` and `to`
 * user types compare by name only: a change between two different user types is not known.
 * `from_is_enum` / `to_is_enum` let the caller say that a user type is an enum (enum -> text
 * widens; text -> enum narrows). Never fails.
 */
struct rs_type_change rs_type_classify(struct arena *a, const struct rs_type *from,
                                       const struct rs_type *to, bool from_is_enum, bool to_is_enum,
                                       int pg_version);
/* rs_type_classify for a change between two enums whose labels the caller knows (an enum
 * replaced by a new one, as Prisma removes a label): a row keeps its label through the text
 * form, and fails when `to` has no such label. Arrays of enums, and the same enum, go to
 * rs_type_classify. */
struct rs_type_change rs_type_classify_enums(struct arena *a, const struct rs_type *from,
                                             const struct rs_type *to,
                                             const char *const *from_labels, size_t nfrom,
                                             const char *const *to_labels, size_t nto,
                                             int pg_version);

/* True when a function of this name (lower case, without schema) is volatile in PostgreSQL:
 * random, gen_random_uuid, clock_timestamp, nextval, ... A default calling it makes
 * ADD COLUMN rewrite the table. The list comes from pg_proc (provolatile = 'v'). */
bool rs_function_is_volatile(const char *name);

#endif
