/*
 * arena.c - region allocator (see arena.h for the memory rule).
 *
 * Chunks grow geometrically up to 1 MiB; a request larger than a chunk gets a chunk of its own.
 * There is no per-allocation free and no realloc in place: arena_grow copies.
 */
#include "arena.h"

#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

enum chunk_origin {
    FROM_MALLOC,
    FROM_MAPPING, /* a huge-page chunk of its own mapping */
};

struct arena_chunk {
    struct arena_chunk *next;
    size_t used, size;
    enum chunk_origin origin;
    alignas(max_align_t) unsigned char data[];
};

struct arena_cleanup {
    struct arena_cleanup *next;
    void (*fn)(void *);
    void *arg;
};

#define ARENA_MIN_CHUNK ((size_t)16 * 1024)
#define ARENA_MAX_CHUNK ((size_t)1024 * 1024)
/* An arena that has grown to full-size chunks takes them as 2 MiB huge pages where the kernel
   offers them: a long history fills tens of megabytes, and faulting them in 4 KiB at a time
   was a sizeable part of a check's time (one fault per 2 MiB instead of 512). */
#define ARENA_HUGE ((size_t)2 << 20)

static size_t align_up(size_t n)
{
    size_t a = alignof(max_align_t);
    return (n + a - 1) & ~(a - 1);
}

static struct arena_chunk *chunk_new(size_t want)
{
#ifdef MADV_HUGEPAGE
    if (want == ARENA_MAX_CHUNK) {
        /* A 2 MiB-aligned 2 MiB mapping: map twice that and trim both ends. */
        unsigned char *m =
            mmap(NULL, 2 * ARENA_HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m != MAP_FAILED) {
            uintptr_t at = ((uintptr_t)m + ARENA_HUGE - 1) & ~(uintptr_t)(ARENA_HUGE - 1);
            unsigned char *h = (unsigned char *)at;
            if (h > m)
                munmap(m, (size_t)(h - m));
            munmap(h + ARENA_HUGE, (size_t)(m + 2 * ARENA_HUGE - (h + ARENA_HUGE)));
            madvise(h, ARENA_HUGE, MADV_HUGEPAGE);
            struct arena_chunk *c = (struct arena_chunk *)h;
            c->size = ARENA_HUGE - sizeof(*c);
            c->origin = FROM_MAPPING;
            return c;
        }
    }
#endif
    struct arena_chunk *c = malloc(sizeof(*c) + want);
    if (!c)
        rs_oom();
    c->size = want;
    c->origin = FROM_MALLOC;
    return c;
}

static void chunk_free(struct arena_chunk *c)
{
    if (c->origin == FROM_MAPPING)
        munmap(c, ARENA_HUGE);
    else if (c->origin == FROM_MALLOC)
        free(c);
}

_Noreturn void rs_oom(void)
{
    fputs("rollsafe: out of memory\n", stderr);
    abort();
}

void *heap_grow(void *p, size_t *cap, size_t need, size_t size, size_t first)
{
    size_t c = *cap ? *cap : first;
    while (c < need) {
        if (c > SIZE_MAX / 2)
            rs_oom();
        c *= 2;
    }
    if (size && c > SIZE_MAX / size)
        rs_oom();
    void *q = realloc(p, c * size);
    if (!q)
        rs_oom();
    *cap = c;
    return q;
}

void *arena_alloc_uninit(struct arena *a, size_t size)
{
    size = align_up(size ? size : 1);
    struct arena_chunk *c = a->head;
    if (!c || c->size - c->used < size) {
        size_t want = c ? c->size * 2 : ARENA_MIN_CHUNK;
        if (want > ARENA_MAX_CHUNK)
            want = ARENA_MAX_CHUNK;
        if (want < size)
            want = size;
        if (want > SIZE_MAX - sizeof(*c))
            rs_oom();
        c = chunk_new(want);
        c->used = 0;
        a->total += sizeof(*c) + c->size;
        if (a->head && size > ARENA_MIN_CHUNK && a->head->size - a->head->used > ARENA_MIN_CHUNK) {
            /* A big one-off block: keep the current chunk in front for the small ones. */
            c->next = a->head->next;
            a->head->next = c;
        } else {
            c->next = a->head;
            a->head = c;
        }
    }
    void *p = c->data + c->used;
    c->used += size;
    return p;
}

void *arena_alloc(struct arena *a, size_t size)
{
    void *p = arena_alloc_uninit(a, size);
    memset(p, 0, size ? size : 1);
    return p;
}

void *arena_grow(struct arena *a, const void *old, size_t n, size_t cap, size_t size)
{
    if (size && cap > SIZE_MAX / size)
        rs_oom();
    /* Only the part past the copy is zeroed: model copies grow nothing and copy megabytes. */
    unsigned char *p = arena_alloc_uninit(a, cap * size);
    if (n)
        memcpy(p, old, n * size);
    memset(p + n * size, 0, (cap - n) * size);
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = arena_alloc_uninit(a, n + 1); /* every byte written below */
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_join(struct arena *a, const char *x, const char *sep, const char *y)
{
    size_t nx = strlen(x), ns = strlen(sep), ny = strlen(y);
    char *p = arena_alloc_uninit(a, nx + ns + ny + 1);
    memcpy(p, x, nx);
    memcpy(p + nx, sep, ns);
    memcpy(p + nx + ns, y, ny + 1);
    return p;
}

char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
    /* Formatted straight into the free end of the current chunk when it fits (the common
       case): one pass over the format instead of a measuring pass and a writing one. */
    struct arena_chunk *c = a->head;
    va_list cp;
    va_copy(cp, ap);
    size_t room = c ? c->size - c->used : 0;
    int n = vsnprintf(room ? (char *)c->data + c->used : NULL, room, fmt, cp);
    va_end(cp);
    if (n < 0)
        n = 0;
    if ((size_t)n < room) {
        char *p = (char *)c->data + c->used;
        c->used += align_up((size_t)n + 1);
        if (c->used > c->size)
            c->used = c->size;
        return p;
    }
    char *p = arena_alloc_uninit(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

void arena_on_free(struct arena *a, void (*fn)(void *), void *arg)
{
    struct arena_cleanup *k = arena_alloc(a, sizeof(*k));
    k->fn = fn;
    k->arg = arg;
    k->next = a->cleanups;
    a->cleanups = k;
}

static void run_cleanups(struct arena *a)
{
    /* Taken off first: a cleanup's record lives in the chunks about to be released. */
    struct arena_cleanup *k = a->cleanups;
    a->cleanups = NULL;
    for (; k; k = k->next)
        k->fn(k->arg);
}

void arena_reset(struct arena *a)
{
    run_cleanups(a);
    struct arena_chunk *keep = NULL;
    for (struct arena_chunk *c = a->head; c; c = c->next)
        if (!keep || c->size > keep->size)
            keep = c;
    struct arena_chunk *c = a->head;
    while (c) {
        struct arena_chunk *next = c->next;
        if (c != keep)
            chunk_free(c);
        c = next;
    }
    a->head = keep;
    a->total = 0;
    if (keep) {
        keep->next = NULL;
        keep->used = 0;
        a->total = sizeof(*keep) + keep->size;
    }
}

void arena_free(struct arena *a)
{
    run_cleanups(a);
    struct arena_chunk *c = a->head;
    while (c) {
        struct arena_chunk *next = c->next;
        chunk_free(c);
        c = next;
    }
    a->head = NULL;
    a->total = 0;
}
