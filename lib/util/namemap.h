/*
 * namemap.h - a map from a schema-qualified name to a pointer, for lookups that would otherwise
 * scan an array once per element of another (comparing two schema models).
 *
 * Built once, read many times; memory from an arena. Keys are not copied: the strings must live
 * as long as the map. A NULL schema is a key of its own, distinct from every named schema.
 */
#ifndef RS_NAMEMAP_H
#define RS_NAMEMAP_H

#include <stddef.h>

#include "util/arena.h"

struct namemap_slot {
    const char *schema, *name;
    void *value;
};

struct namemap {
    struct namemap_slot *slots;
    size_t mask; /* capacity - 1; the capacity is a power of two */
};

/* An empty map with room for n names. */
void namemap_init(struct namemap *m, struct arena *a, size_t n);
/* Adds schema.name -> value; a name added twice keeps its first value (as a scan would find). */
void namemap_put(struct namemap *m, const char *schema, const char *name, void *value);
/* The value of schema.name, or NULL. */
void *namemap_get(const struct namemap *m, const char *schema, const char *name);

#endif
