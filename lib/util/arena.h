/*
 * arena.h - region allocator: many allocations, one free.
 *
 * The memory rule of rollsafe, stated once: an arena per file being analysed owns the source
 * text, the parse tree and the findings; a run arena owns the schema model. Nothing allocated
 * from an arena is freed on its own: arena_free() releases everything at once.
 *
 * Allocation failure is not an error value: the process cannot continue, so arena functions
 * print one message and abort (as palloc does). Every other failure in the library is a value.
 */
#ifndef RS_ARENA_H
#define RS_ARENA_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

struct arena_chunk;
struct arena_cleanup;

struct arena {
    struct arena_chunk *head;       /* newest chunk first */
    size_t total;                   /* bytes obtained from malloc, for the peak-memory figure */
    struct arena_cleanup *cleanups; /* run by arena_free and arena_reset, newest first */
};

#define ARENA_INIT                                                                                 \
    {                                                                                              \
        NULL, 0, NULL                                                                              \
    }

/* Returns zeroed memory aligned for any type; never NULL. */
void *arena_alloc(struct arena *a, size_t size);
/* Like arena_alloc, but the memory is not zeroed: for a caller that writes all of it at once
   (a struct copy). */
void *arena_alloc_uninit(struct arena *a, size_t size);
/* Returns a copy of n elements of size each, grown to cap elements (cap >= n); zero-filled. */
void *arena_grow(struct arena *a, const void *old, size_t n, size_t cap, size_t size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* Returns x, sep and y one after the other ("dir" "/" "name"): a path join without printf. */
char *arena_join(struct arena *a, const char *x, const char *sep, const char *y);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap);
/* Releases every allocation of the arena; the arena can be used again afterwards. */
void arena_free(struct arena *a);
/* Like arena_free, but keeps the largest chunk for the allocations that follow: an arena
   emptied and filled again in a loop does not give its memory back to the system and fault it
   in again each time. */
void arena_reset(struct arena *a);

/* Calls fn(arg) when the arena is next freed or reset: for a resource that must live exactly as
   long as the allocations that point into it (a mapping, say). */
void arena_on_free(struct arena *a, void (*fn)(void *), void *arg);

/* Out of memory: print and abort. Used by every allocating helper of the library. */
_Noreturn void rs_oom(void);

/* A malloc'ed array p of *cap elements of size bytes, for scratch that outlives no call (stacks,
   output buffers): reallocated to hold at least need elements, its capacity doubled from *cap
   (or from first when it has none), which *cap becomes. Aborts when memory runs out. */
void *heap_grow(void *p, size_t *cap, size_t need, size_t size, size_t first);

/*
 * A growable array of T in an arena: struct { T *v; size_t n, cap; }.
 * VEC_PUSH returns a pointer to the new, zeroed element (also when it reuses a slot that code
 * removing elements left behind).
 */
#define VEC(T)                                                                                     \
    struct {                                                                                       \
        T *v;                                                                                      \
        size_t n, cap;                                                                             \
    }

#define VEC_PUSH(arena, vec)                                                                       \
    ((vec)->n == (vec)->cap                                                                        \
         ? ((vec)->v = arena_grow((arena), (vec)->v, (vec)->n, (vec)->cap ? (vec)->cap * 2 : 8,    \
                                  sizeof(*(vec)->v)),                                              \
            (vec)->cap = (vec)->cap ? (vec)->cap * 2 : 8, &(vec)->v[(vec)->n++])                   \
         : (memset(&(vec)->v[(vec)->n], 0, sizeof(*(vec)->v)), &(vec)->v[(vec)->n++]))

#endif
