/*
 * prefetch.c - the parse-ahead helper thread (see prefetch.h).
 *
 * One slot per script, claimed with compare-and-swap by whichever thread gets there first: the
 * helper takes the biggest script, then goes from the last one backwards; the engine goes from
 * the first one forwards, and parses the next unclaimed scripts while it waits for one the
 * helper is working on:
 *
 *   FREE -> ENGINE -> READY  the engine parsed and translated it into its output arena
 *   FREE -> HELPER -> READY  the helper did, into its own
 *                  -> FAILED it is too big (parsed in batches, parse.c): each thread that
 *                            needs it parses it on its own
 *                  -> UNREADABLE  its file could not be read: no statements (the caller
 *                            reads the file again to report why)
 *
 * A script whose source is unread (rs_source_unread) is read by the thread that claims it,
 * into its output arena, before it is parsed: the two threads read files as they parse them.
 *
 * Each thread allocates only in arenas of its own (its output arena, the scratch arenas of a
 * parse), so the arenas need no lock; a slot's statements are written before its state turns
 * READY and read after it is seen READY (sequentially consistent atomics), and the statements
 * are never changed afterwards. The output arenas go when the arena given to
 * rs_sql_prefetch_start is freed, after the helper has been joined.
 *
 * The two wake each other through a counter of wake-ups per thread under a mutex: a wake-up
 * sent before the other waits is not lost, and a thread that waits for one that has finished
 * (the helper) or has stopped it (the engine) is told so.
 *
 * Some builds of libpg_query point the process's standard error at a pipe of their own around
 * each parse (dup, dup2, then dup2 back); two threads doing that at once can leave fd 2 on a
 * closed pipe. Nothing writes to standard error while the helper runs, and fd 2 is put back as
 * it was when the helper is joined.
 *
 * What it does not do: parse text that is not a migration script, big scripts (parsed in
 * batches by the engine, parse.c), or run more than one helper.
 */
#include "prefetch.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* Below this much text a second thread costs more than it saves (parsing runs at ~15 MB/s).
   supabase-storage's multitenant directory (27 KB, PL/pgSQL bodies that are parsed again) gains
   0.3 ms from the helper; directories of 10 to 15 KB showed no difference either way. */
#define PREFETCH_MIN_BYTES ((size_t)16 * 1024)
/* The same for scripts not read yet, whose size is not known: reading the files is half the
   work on short ones. */
#define PREFETCH_MIN_UNREAD 16

enum { SLOT_FREE, SLOT_ENGINE, SLOT_HELPER, SLOT_READY, SLOT_FAILED, SLOT_UNREADABLE };

/* Which thread this is: SLOT_ENGINE, or SLOT_HELPER in the helper. */
static _Thread_local int role = SLOT_ENGINE;

struct slot {
    atomic_int state;
    struct rs_stmt_list stmts; /* READY: in one of the two output arenas */
};

struct rs_parse_ahead {
    struct rs_sql_prefetch *p;
    size_t i;
};

struct rs_sql_prefetch {
    struct rs_script *const *scripts;
    size_t n;
    struct rs_parse_ahead *handles;
    struct slot *slots;
    bool unread; /* some scripts are not read yet: their sizes are unknown */
    struct arena out[2]; /* [0] the engine's statements, [1] the helper's */
    pthread_t thread;
    bool running;     /* the helper thread exists and is not joined yet */
    int saved_stderr; /* a copy of fd 2 from before the helper started, or -1 */
    atomic_bool stop; /* the engine is done: the helper leaves at its next step */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned pending[2]; /* wake-ups not yet taken: [0] by the engine, [1] by the helper */
    bool helper_done;
    /* Where each thread's next look for a free slot from the end starts (rs_sql_prefetch_help):
       a slot never goes back to FREE, so those passed once need no second look. */
    size_t help_from[2];
#if defined(__linux__) && defined(CPU_COUNT)
    cpu_set_t cpus;  /* where the process may run: the helper's own once it runs */
    bool placed;     /* the helper was started away from the engine's CPU */
#endif
    void (*idle)(struct rs_sql_prefetch *, void *);
    void *idle_arg;
};

static int me(void)
{
    return role == SLOT_HELPER;
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

bool rs_sql_prefetch_possible(int jobs)
{
    return jobs >= 2 && cpus() >= 2;
}

void rs_sql_prefetch_wake(struct rs_sql_prefetch *p)
{
    pthread_mutex_lock(&p->mu);
    p->pending[!me()]++;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

bool rs_sql_prefetch_wait(struct rs_sql_prefetch *p)
{
    int self = me();
    pthread_mutex_lock(&p->mu);
    for (;;) {
        if (p->pending[self]) {
            p->pending[self] = 0;
            pthread_mutex_unlock(&p->mu);
            return true;
        }
        /* The other one is gone: the helper has finished, or the engine has stopped it. */
        if (self ? atomic_load(&p->stop) : p->helper_done)
            break;
        pthread_cond_wait(&p->cv, &p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    return false;
}

bool rs_sql_prefetch_stopped(struct rs_sql_prefetch *p)
{
    return atomic_load(&p->stop);
}

/* Parses script i into this thread's output arena, unless the other one claimed it first. */
static bool parse_slot(struct rs_sql_prefetch *p, size_t i)
{
    struct slot *s = &p->slots[i];
    int expect = SLOT_FREE;
    /* A plain load first: a failed compare-and-swap costs a locked instruction. */
    if (atomic_load_explicit(&s->state, memory_order_relaxed) != SLOT_FREE ||
        !atomic_compare_exchange_strong(&s->state, &expect, role))
        return false;
    int result = SLOT_FAILED;
    if (!rs_script_read(&p->out[me()], p->scripts[i], NULL)) {
        result = SLOT_UNREADABLE;
    } else if (p->scripts[i]->src->len <= SQLX_BIG_TEXT) {
        struct rs_stmt_list l = {0};
        sqlx_parse_script_here(&p->out[me()], p->scripts[i], &l);
        s->stmts = l;
        result = SLOT_READY;
    }
    atomic_store(&s->state, result);
    rs_sql_prefetch_wake(p);
    return true;
}

bool rs_sql_prefetch_help(struct rs_sql_prefetch *p)
{
    size_t *from = &p->help_from[me()];
    for (size_t i = *from; i-- > 0;) {
        if (parse_slot(p, i)) {
            *from = i;
            return true;
        }
    }
    *from = 0;
    return false;
}

/* The helper: the biggest script first (a history that starts with one big migration, the
   initial schema, would otherwise keep the engine parsing it while the helper runs out of work;
   the engine parses the scripts after it meanwhile), when the sizes are known, then from the
   last one backwards until it meets the engine; then the idle work, if any. */
static void *helper_main(void *arg)
{
    struct rs_sql_prefetch *p = arg;
    role = SLOT_HELPER;
#if defined(__linux__) && defined(CPU_COUNT)
    if (p->placed)
        pthread_setaffinity_np(pthread_self(), sizeof(p->cpus), &p->cpus);
#endif
    if (!p->unread) {
        size_t big = 0;
        for (size_t i = 1; i < p->n; i++)
            if (p->scripts[i]->src->len > p->scripts[big]->src->len &&
                p->scripts[i]->src->len <= SQLX_BIG_TEXT)
                big = i;
        parse_slot(p, big);
    }
    while (!atomic_load(&p->stop) && rs_sql_prefetch_help(p))
        ;
    if (p->idle && !atomic_load(&p->stop))
        p->idle(p, p->idle_arg);
    pthread_mutex_lock(&p->mu);
    p->helper_done = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static void release(void *arg)
{
    struct rs_sql_prefetch *p = arg;
    rs_sql_prefetch_end(p);
    arena_free(&p->out[0]);
    arena_free(&p->out[1]);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
}

/*
 * Where the helper starts: on a CPU other than the engine's. Linux puts a new thread on its
 * creator's CPU when it sees no better one, and then it waits for the next balancing tick (4
 * ms at 250 Hz, a tenth of the whole run) while the other CPU idles; measured on lemmy, the
 * helper ran 0.1 to 5 ms after its creation. The helper lets itself run anywhere again as soon
 * as it runs. NULL: no placement (not Linux, one CPU allowed, or no room for the attribute).
 */
static pthread_attr_t *place_helper(struct rs_sql_prefetch *p, pthread_attr_t *attr)
{
#if defined(__linux__) && defined(CPU_COUNT)
    p->placed = false;
    int here = sched_getcpu();
    if (here < 0 || here >= CPU_SETSIZE || sched_getaffinity(0, sizeof(p->cpus), &p->cpus) != 0)
        return NULL;
    cpu_set_t others = p->cpus;
    CPU_CLR(here, &others);
    if (CPU_COUNT(&others) == 0 || pthread_attr_init(attr) != 0)
        return NULL;
    if (pthread_attr_setaffinity_np(attr, sizeof(others), &others) != 0) {
        pthread_attr_destroy(attr);
        return NULL;
    }
    p->placed = true;
    return attr;
#else
    (void)p;
    (void)attr;
    return NULL;
#endif
}

struct rs_sql_prefetch *rs_sql_prefetch_start(struct arena *a, struct rs_script *const *scripts,
                                              size_t n, int jobs,
                                              void (*idle)(struct rs_sql_prefetch *, void *),
                                              void *idle_arg)
{
    size_t total = 0, unread = 0;
    for (size_t i = 0; i < n; i++) {
        total += scripts[i]->src->len;
        unread += scripts[i]->src->unread;
    }
    if (!rs_sql_prefetch_possible(jobs) || n < 2 ||
        (total < PREFETCH_MIN_BYTES && unread < PREFETCH_MIN_UNREAD))
        return NULL;

    struct rs_sql_prefetch *p = arena_alloc(a, sizeof(*p));
    p->scripts = scripts;
    p->n = n;
    p->unread = unread > 0;
    p->idle = idle;
    p->idle_arg = idle_arg;
    p->out[0] = p->out[1] = (struct arena)ARENA_INIT;
    p->help_from[0] = p->help_from[1] = n;
    p->slots = arena_alloc(a, n * sizeof(*p->slots));
    for (size_t i = 0; i < n; i++)
        atomic_init(&p->slots[i].state, SLOT_FREE);
    atomic_init(&p->stop, false);
    if (pthread_mutex_init(&p->mu, NULL) != 0)
        return NULL;
    if (pthread_cond_init(&p->cv, NULL) != 0) {
        pthread_mutex_destroy(&p->mu);
        return NULL;
    }
    /* Each script's handle is set before the helper starts: both threads parse through it. */
    p->handles = arena_alloc(a, n * sizeof(*p->handles));
    for (size_t i = 0; i < n; i++) {
        p->handles[i] = (struct rs_parse_ahead){p, i};
        scripts[i]->ahead = &p->handles[i];
    }
    p->saved_stderr = dup(STDERR_FILENO);
    pthread_attr_t attr, *pa = place_helper(p, &attr);
    int rc = pthread_create(&p->thread, pa, helper_main, p);
    if (pa)
        pthread_attr_destroy(pa);
    if (rc != 0) {
        for (size_t i = 0; i < n; i++)
            scripts[i]->ahead = NULL;
        if (p->saved_stderr >= 0)
            close(p->saved_stderr);
        pthread_cond_destroy(&p->cv);
        pthread_mutex_destroy(&p->mu);
        return NULL;
    }
    p->running = true;
    arena_on_free(a, release, p);
    return p;
}

/* While the other thread works on script i, this one parses the next script nobody has
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
    int other = role == SLOT_ENGINE ? SLOT_HELPER : SLOT_ENGINE;
    for (;;) {
        int st = atomic_load(&s->state);
        if (st == SLOT_READY) {
            *out = s->stmts;
            return true;
        }
        if (st == SLOT_UNREADABLE)
            return true; /* no statements: the run fails, reading the file again for why */
        if (st == SLOT_FREE) {
            parse_slot(p, h->i);
            continue;
        }
        if (st != other)
            return false; /* too big: each thread parses it on its own */
        if (!parse_ahead(p, h->i) && !rs_sql_prefetch_wait(p) && atomic_load(&s->state) == other)
            return false; /* cannot happen: a thread finishes the script it claimed */
    }
}

void rs_sql_prefetch_end(struct rs_sql_prefetch *p)
{
    if (!p || !p->running)
        return;
    for (size_t i = 0; i < p->n; i++)
        p->scripts[i]->ahead = NULL;
    /* The helper stops on its own once its work is done; it may still be parsing one script
       nobody asked for (the run stopped early), or waiting for the engine. */
    pthread_mutex_lock(&p->mu);
    atomic_store(&p->stop, true);
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
    p->running = false;
    if (p->saved_stderr >= 0) {
        dup2(p->saved_stderr, STDERR_FILENO);
        close(p->saved_stderr);
        p->saved_stderr = -1;
    }
}
