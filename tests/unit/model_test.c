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

TEST(model_copy_is_equal_and_independent)
{
    struct arena a = ARENA_INIT, b = ARENA_INIT;
    struct rs_model *m = rs_model_new(&a);
    apply(&a, m,
          "CREATE TYPE mood AS ENUM ('a', 'b'); CREATE SEQUENCE s;"
          "CREATE TABLE t (id serial PRIMARY KEY, v int CHECK (v > 0), m mood);"
          "CREATE INDEX t_v ON t (v); CREATE VIEW w AS SELECT id, v FROM t;"
          "CREATE TABLE empty ();",
          0);
    struct rs_model *c = rs_model_copy(&b, m);
    CHECK_INT(c->rels.n, m->rels.n);
    CHECK_INT(c->indexes.n, m->indexes.n);
    CHECK_INT(c->types.n, m->types.n);
    CHECK_INT(c->sequences.n, m->sequences.n);
    for (size_t i = 0; i < m->rels.n; i++) {
        const struct rs_relation *r = m->rels.v[i], *k = c->rels.v[i];
        CHECK(r != k);
        CHECK_STR(k->name.name, r->name.name);
        CHECK_INT(k->columns.n, r->columns.n);
        CHECK_INT(k->constraints.n, r->constraints.n);
        CHECK_INT(k->deps.n, r->deps.n);
        CHECK(!k->columns.n || k->columns.v != r->columns.v);
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
