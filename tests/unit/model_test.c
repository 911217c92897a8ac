/*
 * model_test.c - the schema model's lookups and copies: what a lookup finds after the changes
 * apply.c makes, and that a copy finds the same and changes on its own.
 */
#include <string.h>

#include "catalog/apply.h"
#include "catalog/model.h"
#include "sql/stmt.h"
#include "test.h"
#include "util/arena.h"

/* Replays sql into m as migration mig. */
static void apply(struct arena *a, struct rs_model *m, const char *sql, int mig)
{
    struct rs_stmt_list l = {0};
    rs_sql_parse_text(a, sql, strlen(sql), NULL, &l);
    for (size_t i = 0; i < l.n; i++) {
        struct rs_apply_result ar = {.location = -1};
        rs_apply_stmt(m, &l.v[i], mig, &ar);
    }
}

static const struct rs_relation *rel(const struct rs_model *m, const char *schema, const char *name)
{
    struct rs_qname q = {schema, name};
    return rs_model_rel(m, &q);
}

static const struct rs_index *idx(const struct rs_model *m, const char *schema, const char *name)
{
    struct rs_qname q = {schema, name};
    return rs_model_index(m, &q);
}

TEST(model_lookup_follows_search_path)
{
    struct arena a = ARENA_INIT;
    struct rs_model *m = rs_model_new(&a);
    apply(&a, m,
          "CREATE SCHEMA app; CREATE TABLE public.t (id int); SET search_path = app, public;", 0);
    const struct rs_relation *pub = rel(m, NULL, "t");
    CHECK(pub && !strcmp(pub->name.schema, "public"));
    /* Created later, in the schema that comes first in the path: it shadows public.t. */
    apply(&a, m, "CREATE TABLE app.t (id int);", 1);
    const struct rs_relation *app = rel(m, NULL, "t");
    CHECK(app && !strcmp(app->name.schema, "app"));
    CHECK(rel(m, "public", "t") == pub);
    apply(&a, m, "DROP TABLE app.t;", 2);
    CHECK(rel(m, NULL, "t") == pub);
    arena_free(&a);
}

TEST(model_lookup_after_rename_drop_and_set_schema)
{
    struct arena a = ARENA_INIT;
    struct rs_model *m = rs_model_new(&a);
    apply(&a, m,
          "CREATE SCHEMA other; CREATE TABLE t (id int, v int); CREATE INDEX t_v ON t (v);"
          "ALTER TABLE t RENAME TO u; ALTER INDEX t_v RENAME TO u_v;",
          0);
    CHECK(!rel(m, NULL, "t"));
    CHECK(rel(m, "public", "u"));
    CHECK(!idx(m, NULL, "t_v"));
    const struct rs_index *x = idx(m, NULL, "u_v");
    CHECK(x && !strcmp(x->table.name, "u"));
    apply(&a, m, "ALTER TABLE u SET SCHEMA other;", 1);
    CHECK(!rel(m, NULL, "u"));
    CHECK(rel(m, "other", "u"));
    /* Dropped and created again: the lookup finds the new one. */
    apply(&a, m, "DROP TABLE other.u; CREATE TABLE other.u (id int);", 2);
    const struct rs_relation *u = rel(m, "other", "u");
    CHECK(u && u->created_mig == 2);
    CHECK(!idx(m, "public", "u_v"));
    arena_free(&a);
}

/* Every relation, index, sequence and constraint keeps the hash of its name, which the lookups
   compare first: each way of naming one must set it. */
static bool hashes_follow_names(const struct rs_model *m)
{
    for (size_t i = 0; i < m->rels.n; i++)
        if (m->rels.v[i]->name_hash != rs_name_hash(m->rels.v[i]->name.name))
            return false;
    for (size_t i = 0; i < m->indexes.n; i++)
        if (m->indexes.v[i]->name_hash != rs_name_hash(m->indexes.v[i]->name.name))
            return false;
    for (size_t i = 0; i < m->sequences.n; i++)
        if (m->sequences.v[i]->name_hash != rs_name_hash(m->sequences.v[i]->name.name))
            return false;
    for (size_t i = 0; i < m->rels.n; i++)
        for (size_t k = 0; k < m->rels.v[i]->constraints.n; k++)
            if (m->rels.v[i]->constraints.v[k].name_hash !=
                rs_name_hash(m->rels.v[i]->constraints.v[k].name))
                return false;
    return true;
}

TEST(model_lookup_after_each_way_of_naming)
{
    struct arena a = ARENA_INIT;
    struct rs_model *m = rs_model_new(&a);
    apply(&a, m,
          "CREATE TABLE t (id serial, v int); CREATE SEQUENCE s; CREATE UNIQUE INDEX t_v ON t (v);"
          "ALTER TABLE t ADD CONSTRAINT t_v_key UNIQUE USING INDEX t_v;"
          "ALTER TABLE t ADD PRIMARY KEY (id); CREATE INDEX t_id ON t (id);"
          "ALTER TABLE t ADD CHECK (v > 0), ADD CONSTRAINT v_pos CHECK (v > 0);",
          0);
    CHECK(hashes_follow_names(m));
    CHECK(idx(m, NULL, "t_v_key") && !idx(m, NULL, "t_v"));
    CHECK(idx(m, NULL, "t_pkey"));
    struct rs_qname q = {NULL, "t_id_seq"};
    CHECK(rs_model_sequence(m, &q));
    apply(&a, m,
          "ALTER SEQUENCE s RENAME TO s2; ALTER TABLE t RENAME CONSTRAINT t_v_key TO t_v_uq;"
          "ALTER INDEX t_pkey RENAME TO t_pk; ALTER INDEX t RENAME TO u;"
          "ALTER TABLE u RENAME TO w; ALTER INDEX t_id RENAME TO w_id;"
          "ALTER TABLE w RENAME CONSTRAINT v_pos TO v_positive;",
          1);
    CHECK(hashes_follow_names(m));
    q.name = "s";
    CHECK(!rs_model_sequence(m, &q));
    q.name = "s2";
    CHECK(rs_model_sequence(m, &q));
    CHECK(idx(m, NULL, "t_v_uq") && !idx(m, NULL, "t_v_key"));
    CHECK(idx(m, NULL, "t_pk") && !idx(m, NULL, "t_pkey"));
    CHECK(idx(m, NULL, "w_id") && !idx(m, NULL, "t_id"));
    CHECK(rel(m, NULL, "w") && !rel(m, NULL, "u") && !rel(m, NULL, "t"));
    /* A constraint's name taken anywhere in the schema: the next one unnamed gets 1. */
    apply(&a, m, "CREATE TABLE t (v int); ALTER TABLE t ADD CHECK (v > 0);", 2);
    CHECK(hashes_follow_names(m));
    CHECK(rs_rel_constraint(rel(m, NULL, "t"), "t_v_check1"));
    CHECK(rs_rel_constraint(rel(m, NULL, "w"), "v_positive"));
    struct rs_model *c = rs_model_copy(&a, m);
    CHECK(hashes_follow_names(c));
    CHECK(rel(c, "public", "w") == c->rels.v[0]);
    arena_free(&a);
}

/* A copy made either way holds the same as its source, and changes to either do not show in the
   other. */
static void copy_is_equal_and_independent(bool deep)
{
    struct arena a = ARENA_INIT, b = ARENA_INIT;
    struct rs_model *m = rs_model_new(&a);
    apply(&a, m,
          "CREATE TYPE mood AS ENUM ('a', 'b'); CREATE SEQUENCE s;"
          "CREATE TABLE t (id serial PRIMARY KEY, v int CHECK (v > 0), m mood);"
          "CREATE INDEX t_v ON t (v); CREATE VIEW w AS SELECT id, v FROM t;"
          "CREATE TABLE empty ();",
          0);
    struct rs_model *c = deep ? rs_model_deep_copy(&b, m) : rs_model_copy(&b, m);
    CHECK(rs_model_same_bytes(c, m));
    CHECK_INT(c->rels.n, m->rels.n);
    CHECK_INT(c->indexes.n, m->indexes.n);
    CHECK_INT(c->types.n, m->types.n);
    CHECK_INT(c->sequences.n, m->sequences.n);
    CHECK(c->rels.v != m->rels.v && c->indexes.v != m->indexes.v);
    for (size_t i = 0; i < m->rels.n; i++) {
        const struct rs_relation *r = m->rels.v[i], *k = c->rels.v[i];
        /* A deep copy has objects of its own; a copy-on-write one shares them. */
        CHECK(deep ? r != k : r == k);
        CHECK_STR(k->name.name, r->name.name);
        CHECK_INT(k->columns.n, r->columns.n);
        CHECK_INT(k->constraints.n, r->constraints.n);
        CHECK_INT(k->deps.n, r->deps.n);
        CHECK(!k->columns.n || (k->columns.v != r->columns.v) == deep);
        CHECK(!k->columns.n ||
              !memcmp(k->columns.v, r->columns.v, r->columns.n * sizeof(*r->columns.v)));
    }
    const struct rs_typeobj *t = c->types.v[0];
    CHECK_INT(t->labels.n, 2);
    CHECK_STR(t->labels.v[1], "b");
    CHECK(rel(c, NULL, "t") == c->rels.v[0]);
    /* Changes to the copy leave the original as it was, and the other way round. */
    apply(&b, c, "ALTER TABLE t ADD COLUMN x int; DROP INDEX t_v; ALTER TABLE empty RENAME TO e;",
          1);
    CHECK_INT(rel(c, NULL, "t")->columns.n, rel(m, NULL, "t")->columns.n + 1);
    CHECK(!idx(c, NULL, "t_v"));
    CHECK(idx(m, NULL, "t_v"));
    CHECK(rel(m, NULL, "empty") && !rel(c, NULL, "empty") && rel(c, NULL, "e"));
    apply(&a, m, "CREATE TABLE later (id int);", 1);
    CHECK(rel(m, NULL, "later") && !rel(c, NULL, "later"));
    arena_free(&b);
    arena_free(&a);
}

TEST(model_copy_is_equal_and_independent)
{
    copy_is_equal_and_independent(false);
}

TEST(model_deep_copy_is_equal_and_independent)
{
    copy_is_equal_and_independent(true);
}

/* Something of every kind the changes below touch: columns with defaults, an enum, a domain, a
   serial's sequence, constraints (one not valid), a partial index, a unique index, a view, a
   foreign key (its table and columns follow renames), a function and its trigger, a
   partitioned table, a schema. */
static const char cow_schema[] =
    "CREATE SCHEMA app; CREATE TYPE mood AS ENUM ('a', 'b'); CREATE DOMAIN d AS int;"
    "CREATE SEQUENCE s;"
    "CREATE TABLE t (id serial PRIMARY KEY, v int CHECK (v > 0), m mood DEFAULT 'a', n int,"
    "  u int, nn int NOT NULL);"
    "CREATE INDEX t_v ON t (v) WHERE v > 1;"
    "CREATE TABLE o (id int, t_id int REFERENCES t (id), n int, k int);"
    "ALTER TABLE o ADD CONSTRAINT o_k CHECK (k > 0) NOT VALID;"
    "CREATE UNIQUE INDEX o_x ON o (k);"
    "CREATE VIEW w AS SELECT id, v FROM t;"
    "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ begin return new; end $$;"
    "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();"
    "CREATE TABLE p (id int) PARTITION BY RANGE (id);"
    "CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);"
    "CREATE TABLE app.x (id int);";

/* One statement of each way apply.c changes an object in place. */
static const char *const cow_changes[] = {
    "ALTER TABLE t ADD COLUMN x int",
    "ALTER TABLE t ADD COLUMN x serial",
    "ALTER TABLE t DROP COLUMN v CASCADE",
    "ALTER TABLE t DROP COLUMN n",
    "ALTER TABLE t RENAME COLUMN v TO v2",
    "ALTER TABLE t RENAME COLUMN id TO ident",
    "ALTER TABLE t ALTER COLUMN n TYPE bigint",
    "ALTER TABLE t ALTER COLUMN n SET DEFAULT 1",
    "ALTER TABLE t ALTER COLUMN m DROP DEFAULT",
    "ALTER TABLE t ALTER COLUMN n SET NOT NULL",
    "ALTER TABLE t ALTER COLUMN nn DROP NOT NULL",
    "ALTER TABLE o ALTER COLUMN n ADD GENERATED ALWAYS AS IDENTITY",
    "ALTER TABLE t ADD CONSTRAINT c1 CHECK (u > 1)",
    "ALTER TABLE t ADD CONSTRAINT t_u_key UNIQUE (u)",
    "ALTER TABLE o ADD CONSTRAINT o_k_key UNIQUE USING INDEX o_x",
    "ALTER TABLE t DROP CONSTRAINT t_v_check",
    "ALTER TABLE t DROP CONSTRAINT t_pkey CASCADE",
    "ALTER TABLE t RENAME CONSTRAINT t_pkey TO t_pk",
    "ALTER TABLE t RENAME CONSTRAINT t_v_check TO v_pos",
    "ALTER TABLE o VALIDATE CONSTRAINT o_k",
    "ALTER TABLE o ALTER CONSTRAINT o_t_id_fkey DEFERRABLE",
    "ALTER TABLE t SET UNLOGGED",
    "ALTER TABLE t DISABLE TRIGGER tr",
    "ALTER TABLE p DETACH PARTITION p1",
    "ALTER TABLE p ATTACH PARTITION o FOR VALUES FROM (10) TO (20)",
    "ALTER TABLE t RENAME TO t2",
    "ALTER TABLE t SET SCHEMA app",
    "ALTER INDEX t_v RENAME TO t_v2",
    "ALTER INDEX t_pkey RENAME TO t_pk",
    "ALTER SEQUENCE s RENAME TO s2",
    "ALTER SEQUENCE t_id_seq RENAME TO t_seq",
    "ALTER SCHEMA app RENAME TO app2",
    "CREATE OR REPLACE VIEW w AS SELECT id, v, m FROM t",
    "DROP VIEW w; CREATE VIEW w AS SELECT id FROM t",
    "ALTER TYPE mood ADD VALUE 'c'",
    "ALTER TYPE mood ADD VALUE 'c' BEFORE 'a'",
    "ALTER TYPE mood RENAME VALUE 'a' TO 'z'",
    "ALTER TYPE mood RENAME TO feeling",
    "ALTER TYPE mood SET SCHEMA app",
    "ALTER DOMAIN d ADD CONSTRAINT d_pos CHECK (VALUE > 0)",
    "CREATE OR REPLACE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ begin return old; end "
    "$$",
    "ALTER FUNCTION f RENAME TO g",
    "ALTER FUNCTION f SET SCHEMA app",
    "ALTER TRIGGER tr ON t RENAME TO tr2",
    "CREATE OR REPLACE TRIGGER tr AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()",
    "DROP TABLE t CASCADE",
    "DROP TYPE mood CASCADE",
    "DROP FUNCTION f CASCADE",
    "DROP SCHEMA app CASCADE",
    "SET search_path = app, public",
};

/* Replays sql into m, which must change it. */
static void change(struct arena *a, struct rs_model *m, const char *sql)
{
    struct rs_stmt_list l = {0};
    rs_sql_parse_text(a, sql, strlen(sql), NULL, &l);
    CHECK(l.n > 0);
    for (size_t i = 0; i < l.n; i++) {
        struct rs_apply_result ar = {.location = -1};
        rs_apply_stmt(m, &l.v[i], 1, &ar);
        if (ar.fails)
            test_fail(__FILE__, __LINE__, "%s: %s", sql, ar.message);
    }
}

/* Each change, to the source after a copy and to the copy: the other keeps every byte it had (a
   deep copy taken with the copy says which), and the one changed did change. Then the copy of
   the changed model, changed again, leaves it alone too (what was cloned is owned no more). */
TEST(model_copy_on_write_keeps_each_side)
{
    for (size_t i = 0; i < sizeof(cow_changes) / sizeof(cow_changes[0]); i++) {
        for (int side = 0; side < 2; side++) {
            struct arena a = ARENA_INIT, b = ARENA_INIT;
            struct rs_model *m = rs_model_new(&a);
            apply(&a, m, cow_schema, 0);
            struct rs_model *c = rs_model_copy(&b, m);
            struct rs_model *was = rs_model_deep_copy(&b, m);
            struct rs_model *changed = side ? c : m, *kept = side ? m : c;
            change(side ? &b : &a, changed, cow_changes[i]);
            if (!rs_model_same_bytes(kept, was))
                test_fail(__FILE__, __LINE__, "%s on the %s shows in the %s", cow_changes[i],
                          side ? "copy" : "source", side ? "source" : "copy");
            if (rs_model_same_bytes(changed, was))
                test_fail(__FILE__, __LINE__, "%s changed nothing", cow_changes[i]);
            /* Copied again, the changed model and its copy are each other's source. */
            struct rs_model *again = rs_model_copy(&b, changed);
            struct rs_model *now = rs_model_deep_copy(&b, changed);
            change(&b, again,
                   "ALTER TABLE o ADD COLUMN z int; ALTER TABLE o RENAME COLUMN k TO k3");
            if (!rs_model_same_bytes(changed, now))
                test_fail(__FILE__, __LINE__, "after %s, a change to a second copy shows",
                          cow_changes[i]);
            arena_free(&b);
            arena_free(&a);
        }
    }
}

/* Three models sharing objects: a change to any one shows in neither of the others. */
TEST(model_copy_on_write_three_ways)
{
    struct arena a = ARENA_INIT;
    struct rs_model *m = rs_model_new(&a);
    apply(&a, m, cow_schema, 0);
    struct rs_model *c1 = rs_model_copy(&a, m);
    struct rs_model *c2 = rs_model_copy(&a, c1);
    struct rs_model *w = rs_model_deep_copy(&a, m);
    change(&a, c1, "ALTER TABLE t RENAME COLUMN v TO v1; ALTER TYPE mood ADD VALUE 'c'");
    CHECK(rs_model_same_bytes(m, w) && rs_model_same_bytes(c2, w));
    change(&a, c2, "ALTER TABLE t RENAME TO t2; ALTER TABLE o DROP COLUMN k");
    CHECK(rs_model_same_bytes(m, w));
    change(&a, m, "ALTER TABLE t DROP COLUMN v CASCADE");
    CHECK(rel(c1, NULL, "t") && rs_rel_column(rel(c1, NULL, "t"), "v1"));
    CHECK(rel(c2, NULL, "t2") && rs_rel_column(rel(c2, NULL, "t2"), "v"));
    CHECK(!rs_rel_column(rel(m, NULL, "t"), "v"));
    const struct rs_qname mood = {NULL, "mood"};
    CHECK_INT(rs_model_type(c1, &mood)->labels.n, 3);
    CHECK_INT(rs_model_type(c2, &mood)->labels.n, 2);
    CHECK_INT(rs_model_type(m, &mood)->labels.n, 2);
    /* What a model changes is its own: a second change does not clone it again. */
    const struct rs_relation *t = rel(m, NULL, "t");
    change(&a, m, "ALTER TABLE t ADD COLUMN y int");
    CHECK(rel(m, NULL, "t") == t);
    arena_free(&a);
}
