/*
 * prefetch.c - the parse-ahead helper process (see prefetch.h).
 *
 * Shared memory (one anonymous MAP_SHARED mapping, made before the fork) holds one slot per
 * script and two data areas, one per process. A slot is claimed with compare-and-swap by
 * whichever process gets there first: the helper takes the biggest script, then goes from the
 * last one backwards; the engine goes from the first one forwards, and parses the next
 * unclaimed scripts while it waits for one the helper is working on:
 *
 *   FREE -> ENGINE -> READY  the engine parsed and translated it into its data area
 *   FREE -> HELPER -> READY  the helper did, into its own
 *                  -> FAILED it is too big (parsed in batches, parse.c): each process that
 *                            needs it parses it on its own
 *
 * Each data area is the region of an arena (arena.h), mapped at the same address in both
 * processes, so the statements built there (pointing into the data areas, into the scripts'
 * text read before the fork, and at the program's constant strings) serve both processes as
 * they are. They are never freed one by one: the mapping goes when the arena given to
 * rs_sql_prefetch_start is freed.
 *
 * The two wake each other through a socket pair after each script (and for the idle work's own
 * hand-overs); end of file means the other is gone (the helper also leaves when its area is
 * full), and the waiting process parses the script itself.
 *
 * What it does not do: parse text that is not a migration script, big scripts (parsed in
 * batches by the engine, parse.c), or run more than one helper.
 */
#include "prefetch.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "internal.h"

/* Below this much text a second process costs more than it saves (a fork is ~0.3 ms; parsing
   runs at ~15 MB/s). */
#define PREFETCH_MIN_BYTES ((size_t)32 * 1024)

enum { SLOT_FREE, SLOT_ENGINE, SLOT_HELPER, SLOT_READY, SLOT_FAILED };

struct slot {
    atomic_int state;
    struct rs_stmt_list stmts; /* READY: in one of the two data areas */
};

struct rs_parse_ahead {
    struct rs_sql_prefetch *p;
    size_t i;
};

struct rs_sql_prefetch {
    struct rs_script *const *scripts;
    size_t n;
    struct rs_parse_ahead *handles;
    pid_t pid;
    pid_t parent;
    int me;        /* SLOT_ENGINE or SLOT_HELPER: which process this copy of the object is in */
    int sock;      /* this process's end of the socket pair the two wake each other with */
    void *map;
    size_t map_size;
    struct slot *slots;
    /* Each process parses into its own data area, through an arena over it. */
    struct arena_region region;
    struct arena out;
    void (*idle)(struct rs_sql_prefetch *, void *);
    void *idle_arg;
};

/* The helper's data area is full: the engine parses the rest. */
static _Noreturn void helper_full(void)
{
    _exit(0);
}

static size_t cpus(void)
{
#if defined(__linux__) && defined(CPU_COUNT)
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0)
        return (size_t)CPU_COUNT(&set);
#endif
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (size_t)n : 1;
}

void rs_sql_prefetch_wake(struct rs_sql_prefetch *p)
{
    /* A full socket already holds wake-ups enough; a closed one means the other is gone. */
    ssize_t w = send(p->sock, "", 1, MSG_DONTWAIT | MSG_NOSIGNAL);
    (void)w;
}

bool rs_sql_prefetch_wait(struct rs_sql_prefetch *p)
{
    char buf[256];
    for (;;) {
        ssize_t k = recv(p->sock, buf, sizeof(buf), 0);
        if (k > 0)
            return true;
        if (k == 0 || errno != EINTR)
            return false;
    }
}

/* Parses script i into this process's data area, unless the other process claimed it first. */
static bool parse_slot(struct rs_sql_prefetch *p, size_t i)
{
    struct slot *s = &p->slots[i];
    int expect = SLOT_FREE;
    if (!atomic_compare_exchange_strong(&s->state, &expect, p->me))
        return false;
    int result = SLOT_FAILED;
    if (p->scripts[i]->src->len <= SQLX_BIG_TEXT) {
        struct rs_stmt_list l = {0};
        sqlx_parse_script_here(&p->out, p->scripts[i], &l);
        s->stmts = l;
        result = SLOT_READY;
    }
    atomic_store(&s->state, result);
    rs_sql_prefetch_wake(p);
    return true;
}

bool rs_sql_prefetch_help(struct rs_sql_prefetch *p)
{
    for (size_t i = p->n; i-- > 0;)
        if (parse_slot(p, i))
            return true;
    return false;
}

/* The helper: the biggest script first (a history that starts with one big migration, the
   initial schema, would otherwise keep the engine parsing it while the helper runs out of work;
   the engine parses the scripts after it meanwhile), then from the last one backwards until it
   meets the engine; then the idle work, if any. Never returns. */
static _Noreturn void helper_main(struct rs_sql_prefetch *p)
{
#ifdef __linux__
    /* Do not outlive an engine that was killed. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != p->parent)
        _exit(0);
#endif
    size_t big = 0;
    for (size_t i = 1; i < p->n; i++)
        if (p->scripts[i]->src->len > p->scripts[big]->src->len &&
            p->scripts[i]->src->len <= SQLX_BIG_TEXT)
            big = i;
    parse_slot(p, big);
    while (rs_sql_prefetch_help(p))
        ;
    if (p->idle)
        p->idle(p, p->idle_arg);
    _exit(0);
}

static void unmap(void *arg)
{
    struct rs_sql_prefetch *p = arg;
    munmap(p->map, p->map_size);
}

struct rs_sql_prefetch *rs_sql_prefetch_start(struct arena *a, struct rs_script *const *scripts,
                                              size_t n, int jobs,
                                              void (*idle)(struct rs_sql_prefetch *, void *),
                                              void *idle_arg)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += scripts[i]->src ? scripts[i]->src->len : 0;
    if (jobs < 2 || n < 2 || total < PREFETCH_MIN_BYTES || cpus() < 2)
        return NULL;

    struct rs_sql_prefetch *p = arena_alloc(a, sizeof(*p));
    p->scripts = scripts;
    p->n = n;
    p->idle = idle;
    p->idle_arg = idle_arg;
    /* Statements take 5 to 20 times the size of their text; the helper's idle work (a part of
       the check) allocates in its area too. When the helper's area is full it stops and the
       engine does the rest; MAP_NORESERVE: only the pages written cost memory. */
    size_t slots_size = (n * sizeof(struct slot) + 4095) & ~(size_t)4095;
    size_t area = total * 64 + ((size_t)256 << 20);
    p->map_size = slots_size + 2 * area;
    p->map = mmap(NULL, p->map_size, PROT_READ | PROT_WRITE,
                  MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p->map == MAP_FAILED)
        return NULL;
    p->slots = p->map;
    unsigned char *engine_area = (unsigned char *)p->map + slots_size;
    unsigned char *helper_area = engine_area + area;
    for (size_t i = 0; i < n; i++)
        atomic_init(&p->slots[i].state, SLOT_FREE);
    /* Each script's handle is set before the fork: both processes parse through it. */
    p->handles = arena_alloc(a, n * sizeof(*p->handles));
    for (size_t i = 0; i < n; i++) {
        p->handles[i] = (struct rs_parse_ahead){p, i};
        scripts[i]->ahead = &p->handles[i];
    }

    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0) {
        munmap(p->map, p->map_size);
        for (size_t i = 0; i < n; i++)
            scripts[i]->ahead = NULL;
        return NULL;
    }
    p->parent = getpid();
    p->pid = fork();
    if (p->pid < 0) {
        close(fds[0]);
        close(fds[1]);
        munmap(p->map, p->map_size);
        for (size_t i = 0; i < n; i++)
            scripts[i]->ahead = NULL;
        return NULL;
    }
    if (p->pid == 0) {
        close(fds[0]);
        p->sock = fds[1];
        p->me = SLOT_HELPER;
        p->region = (struct arena_region){helper_area, helper_area + area, helper_full};
        p->out.region = &p->region;
        helper_main(p);
    }
    close(fds[1]);
    p->sock = fds[0];
    p->me = SLOT_ENGINE;
    p->region = (struct arena_region){engine_area, engine_area + area, NULL};
    p->out.region = &p->region;
    arena_on_free(a, unmap, p);
    return p;
}

struct arena_region *rs_sql_prefetch_region(struct rs_sql_prefetch *p)
{
    return &p->region;
}

/* While the other process works on script i, this one parses the next script nobody has
   claimed, for later; false when there is none left. */
static bool parse_ahead(struct rs_sql_prefetch *p, size_t i)
{
    for (size_t j = i + 1; j < p->n; j++)
        if (parse_slot(p, j))
            return true;
    return false;
}

bool sqlx_prefetch_take(const struct rs_parse_ahead *h, struct rs_stmt_list *out)
{
    struct rs_sql_prefetch *p = h->p;
    struct slot *s = &p->slots[h->i];
    for (;;) {
        int st = atomic_load(&s->state);
        if (st == SLOT_READY) {
            *out = s->stmts;
            return true;
        }
        if (st == SLOT_FREE) {
            parse_slot(p, h->i);
            continue;
        }
        if (st != (p->me == SLOT_ENGINE ? SLOT_HELPER : SLOT_ENGINE))
            return false; /* too big: each process parses it on its own */
        if (!parse_ahead(p, h->i) && !rs_sql_prefetch_wait(p))
            return false; /* the other process is gone: parse it here */
    }
}

void rs_sql_prefetch_end(struct rs_sql_prefetch *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        p->scripts[i]->ahead = NULL;
    /* The helper stops on its own once its work is done; it may still be parsing one script
       nobody asked for (the run stopped early). */
    int status;
    if (waitpid(p->pid, &status, WNOHANG) == 0) {
        kill(p->pid, SIGKILL);
        while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR)
            ;
    }
    close(p->sock);
}
