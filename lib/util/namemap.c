/*
 * namemap.c - open addressing with linear probing, at most half full.
 */
#include "util/namemap.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static uint64_t hash(const char *schema, const char *name)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (const char *p = schema ? schema : ""; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211u;
    h = (h ^ (schema ? '.' : '\0')) * 1099511628211u;
    for (const char *p = name; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211u;
    return h ^ (h >> 29);
}

static bool same(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

void namemap_init(struct namemap *m, struct arena *a, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    m->slots = arena_alloc(a, cap * sizeof(*m->slots));
    m->mask = cap - 1;
}

void namemap_put(struct namemap *m, const char *schema, const char *name, void *value)
{
    for (size_t i = hash(schema, name) & m->mask;; i = (i + 1) & m->mask) {
        struct namemap_slot *s = &m->slots[i];
        if (!s->name) {
            *s = (struct namemap_slot){schema, name, value};
            return;
        }
        if (same(s->name, name) && same(s->schema, schema))
            return;
    }
}

void *namemap_get(const struct namemap *m, const char *schema, const char *name)
{
    if (!m->slots || !name)
        return NULL;
    for (size_t i = hash(schema, name) & m->mask;; i = (i + 1) & m->mask) {
        const struct namemap_slot *s = &m->slots[i];
        if (!s->name)
            return NULL;
        if (same(s->name, name) && same(s->schema, schema))
            return s->value;
    }
}
