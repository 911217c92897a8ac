/*
 * drizzle.c - Drizzle Kit migrations: NNNN_<tag>.sql files listed, in order, by
 * meta/_journal.json; also the newer layout of <timestamp>_<name>/migration.sql directories
 * (each with a snapshot.json), run in name order.
 *
 * The journal decides what runs and in which order: a .sql file it does not list is never run,
 * which is reported. The journal is read with jansson. Drizzle runs all pending migrations in
 * one transaction (RS_TX_GROUP) and has no downs. "--> statement-breakpoint" lines, which split
 * statements, are SQL comments and are left in the scripts.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "layout_int.h"
#include "util/arena.h"

#define JOURNAL "meta/_journal.json"

static int drizzle_detect(struct rs_layout_ctx *ctx, int wins_at)
{
    if (wins_at > 100)
        return 0;
    if (layout_exists(ctx, JOURNAL, LAYOUT_FILE))
        return 100;
    struct layout_entries e = {0};
    if (wins_at > 80 || layout_list(ctx, "", true, &e) < 0)
        return 0;
    for (size_t i = 0; i < e.n; i++)
        if (e.v[i].kind == LAYOUT_DIR &&
            layout_exists(ctx, arena_join(ctx->arena, e.v[i].rel, "/", "migration.sql"),
                          LAYOUT_FILE) &&
            layout_exists(ctx, arena_join(ctx->arena, e.v[i].rel, "/", "snapshot.json"),
                          LAYOUT_FILE))
            return 80;
    return 0;
}

static void add(struct rs_layout_ctx *ctx, struct rs_migration_list *out, const char *rel,
                const char *label)
{
    const struct rs_source *src = layout_read(ctx, layout_join(ctx, rel));
    if (!src)
        return;
    struct rs_migration *m = layout_push(ctx, out, &rs_layout_drizzle);
    layout_split_id(ctx, label, &m->id, &m->name);
    rs_script_whole(&m->up, src);
    m->up_tx = m->down_tx = RS_TX_GROUP;
}

static int name_cmp(const void *pa, const void *pb)
{
    const struct layout_entry *a = pa, *b = pb;
    return strcmp(a->name, b->name);
}

/* The newer layout: one directory per migration, in name order. */
static int load_folders(struct rs_layout_ctx *ctx, struct rs_migration_list *out)
{
    struct layout_entries e = {0};
    if (layout_list(ctx, "", false, &e) < 0)
        return -1;
    layout_sort(e.v, e.n, sizeof(*e.v), name_cmp);
    for (size_t i = 0; i < e.n; i++) {
        if (e.v[i].kind != LAYOUT_DIR)
            continue;
        const char *rel = arena_join(ctx->arena, e.v[i].rel, "/", "migration.sql");
        if (!layout_exists(ctx, rel, LAYOUT_FILE) && !layout_exists(ctx, rel, LAYOUT_OTHER))
            continue;
        add(ctx, out, rel, e.v[i].name);
    }
    return 0;
}

static int drizzle_load(struct rs_layout_ctx *ctx, struct rs_migration_list *out)
{
    if (!layout_exists(ctx, JOURNAL, LAYOUT_FILE))
        return load_folders(ctx, out);
    const struct rs_source *jsrc = layout_read(ctx, layout_join(ctx, JOURNAL));
    if (!jsrc)
        return -1;
    json_error_t err;
    json_t *root = json_loadb(jsrc->text, jsrc->len, 0, &err);
    if (!root) {
        rs_diag_add(ctx->diag, jsrc->path, err.line > 0 ? err.line : 0,
                    err.column > 0 ? err.column : 0,
                    "the journal is written by drizzle-kit generate; restore it from version "
                    "control or regenerate it",
                    "invalid JSON: %s", err.text);
        return -1;
    }
    json_t *entries = json_object_get(root, "entries");
    if (!json_is_array(entries)) {
        rs_diag_add(ctx->diag, jsrc->path, 0, 0,
                    "the journal is written by drizzle-kit generate; restore it or regenerate it",
                    "no \"entries\" array in the Drizzle journal");
        json_decref(root);
        return -1;
    }
    json_t *dialect = json_object_get(root, "dialect");
    if (json_is_string(dialect) && strcmp(json_string_value(dialect), "postgresql") != 0 &&
        strcmp(json_string_value(dialect), "pg") != 0)
        rs_diag_add(ctx->diag, jsrc->path, 0, 0,
                    "rollsafe checks PostgreSQL migrations; point it at a PostgreSQL project",
                    "the journal is for dialect \"%s\", not PostgreSQL",
                    json_string_value(dialect));

    size_t n = json_array_size(entries);
    const char **listed = arena_alloc(ctx->arena, (n + 1) * sizeof(*listed));
    for (size_t i = 0; i < n; i++) {
        json_t *tag = json_object_get(json_array_get(entries, i), "tag");
        if (!json_is_string(tag) || !*json_string_value(tag) ||
            strchr(json_string_value(tag), '/')) {
            rs_diag_add(ctx->diag, jsrc->path, 0, 0,
                        "each journal entry names its file in \"tag\"; regenerate the journal",
                        "journal entry %zu has no usable \"tag\"", i);
            continue;
        }
        const char *t = arena_strdup(ctx->arena, json_string_value(tag));
        listed[i] = t;
        const char *rel = arena_join(ctx->arena, t, ".sql", "");
        if (!layout_exists(ctx, rel, LAYOUT_FILE) && !layout_exists(ctx, rel, LAYOUT_OTHER)) {
            rs_diag_add(ctx->diag, layout_join(ctx, rel), 0, 0,
                        "restore the file, or remove its entry from meta/_journal.json",
                        "listed in the Drizzle journal but missing");
            continue;
        }
        add(ctx, out, rel, t);
    }
    json_decref(root);

    /* A .sql file the journal does not list is never run by Drizzle. */
    struct layout_entries e = {0};
    if (layout_list(ctx, "", true, &e) == 0) {
        for (size_t i = 0; i < e.n; i++) {
            if (e.v[i].kind == LAYOUT_DIR || !layout_ends_with(e.v[i].name, ".sql"))
                continue;
            bool found = false;
            for (size_t k = 0; k < n && !found; k++)
                found = listed[k] && strlen(listed[k]) + 4 == strlen(e.v[i].name) &&
                        strncmp(listed[k], e.v[i].name, strlen(listed[k])) == 0;
            if (!found)
                rs_diag_add(ctx->diag, e.v[i].path, 0, 0,
                            "Drizzle only runs files listed in meta/_journal.json; generate the "
                            "migration with drizzle-kit, or remove or exclude the file",
                            "not listed in the Drizzle journal, so never run");
        }
    }
    return 0;
}

const struct rs_layout rs_layout_drizzle = {
    .name = "drizzle",
    .description = "NNNN_<tag>.sql in meta/_journal.json order; all pending migrations in one "
                   "transaction, no downs",
    .detect = drizzle_detect,
    .detect_cost = 2,
    .load = drizzle_load,
};
