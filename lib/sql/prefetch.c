/*
 * prefetch.c - the parse-ahead helper process (see prefetch.h).
 *
 * Shared memory (one anonymous MAP_SHARED mapping, made before the fork) holds one slot per
 * script and a data area. A slot's state is claimed with compare-and-swap, by the engine from
 * the front and by the helper from the back (after the biggest script, which it takes first):
 *
 *   FREE -> MINE             the engine got there first and parses the script itself
 *                  -> READY  ... ahead of its turn, while it waited for the helper
 *   FREE -> HELPER -> READY  the helper parsed and translated it: the statements are in the
 *                            data area
 *                  -> FAILED it is too big for the helper: the engine parses it
 *   READY -> TAKEN           the engine has the statements
 *
 * The data area is the region of the helper's arena (arena.h), mapped at the same address in
 * both processes, so the statements the helper builds there (pointing into the data area, into
 * the scripts' text the engine read before the fork, and at the program's constant strings)
 * are the engine's as they are. The engine never frees them one by one: the mapping goes when
 * the arena given to rs_sql_prefetch_start is freed.
 *
 * The helper writes one byte to a pipe after each script, so an engine waiting for a script the
 * helper is working on sleeps in read() instead of spinning; end of file on that pipe means the
 * helper is gone (it also leaves when the data area is full), and the engine parses the script
 * itself.
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
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "internal.h"

/* Below this much text a second process costs more than it saves (a fork is ~0.3 ms; parsing
   runs at ~15 MB/s). */
#define PREFETCH_MIN_BYTES ((size_t)32 * 1024)

enum { SLOT_FREE, SLOT_MINE, SLOT_HELPER, SLOT_READY, SLOT_TAKEN, SLOT_FAILED };

struct slot {
    atomic_int state;
    struct rs_stmt_list stmts; /* READY: in the data area */
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
    int notify; /* read end of the helper's pipe; write end in the helper */
    void *map;
    size_t map_size;
    struct slot *slots;
    unsigned char *data;
    size_t data_size;
    struct arena *a; /* the engine's: statements it parses ahead while it waits */
};

/* The data area is full: the engine parses the rest. */
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

/* The helper: parses from the last script backwards until it meets the engine. Never
   returns. */
/* The helper's work on script i, unless the engine claimed it first. */
static void helper_do(struct rs_sql_prefetch *p, struct arena *out, size_t i, int notify_w)
{
    struct slot *s = &p->slots[i];
    int expect = SLOT_FREE;
    if (!atomic_compare_exchange_strong(&s->state, &expect, SLOT_HELPER))
        return;
    int result = SLOT_FAILED;
    if (p->scripts[i]->src->len <= SQLX_BIG_TEXT) {
        struct rs_stmt_list l = {0};
        sqlx_parse_script_here(out, p->scripts[i], &l);
        s->stmts = l;
        result = SLOT_READY;
    }
    atomic_store(&s->state, result);
    /* A full pipe already holds wake-ups enough: the write end does not block. */
    ssize_t w = write(notify_w, "", 1);
    (void)w;
}

static _Noreturn void helper_main(struct rs_sql_prefetch *p, int notify_w)
{
#ifdef __linux__
    /* Do not outlive an engine that was killed. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != p->parent)
        _exit(0);
#endif
    struct arena_region region = {p->data, p->data + p->data_size, helper_full};
    struct arena out = ARENA_INIT;
    out.region = &region;
    /* The biggest script first: a history that starts with one big migration (the initial
       schema) would otherwise keep the engine parsing it while the helper runs out of work.
       The engine parses the scripts after it meanwhile (sqlx_prefetch_take). */
    size_t big = 0;
    for (size_t i = 1; i < p->n; i++)
        if (p->scripts[i]->src->len > p->scripts[big]->src->len &&
            p->scripts[i]->src->len <= SQLX_BIG_TEXT)
            big = i;
    helper_do(p, &out, big, notify_w);
    for (size_t i = p->n; i-- > 0;)
        helper_do(p, &out, i, notify_w);
    _exit(0);
}

static void unmap(void *arg)
{
    struct rs_sql_prefetch *p = arg;
    munmap(p->map, p->map_size);
}

struct rs_sql_prefetch *rs_sql_prefetch_start(struct arena *a, struct rs_script *const *scripts,
                                              size_t n, int jobs)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += scripts[i]->src ? scripts[i]->src->len : 0;
    if (jobs < 2 || n < 2 || total < PREFETCH_MIN_BYTES || cpus() < 2)
        return NULL;

    struct rs_sql_prefetch *p = arena_alloc(a, sizeof(*p));
    p->scripts = scripts;
    p->n = n;
    p->a = a;
    /* Statements take 5 to 20 times the size of their text. When the area is full the helper
       stops and the engine parses the rest; MAP_NORESERVE: only the pages written cost
       memory. */
    size_t slots_size = (n * sizeof(struct slot) + 4095) & ~(size_t)4095;
    p->data_size = total * 64 + ((size_t)64 << 20);
    p->map_size = slots_size + p->data_size;
    p->map = mmap(NULL, p->map_size, PROT_READ | PROT_WRITE,
                  MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p->map == MAP_FAILED)
        return NULL;
    p->slots = p->map;
    p->data = (unsigned char *)p->map + slots_size;
    for (size_t i = 0; i < n; i++)
        atomic_init(&p->slots[i].state, SLOT_FREE);

    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0) {
        munmap(p->map, p->map_size);
        return NULL;
    }
    fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK);
    p->parent = getpid();
    p->pid = fork();
    if (p->pid < 0) {
        close(fds[0]);
        close(fds[1]);
        munmap(p->map, p->map_size);
        return NULL;
    }
    if (p->pid == 0) {
        close(fds[0]);
        helper_main(p, fds[1]);
    }
    close(fds[1]);
    p->notify = fds[0];
    arena_on_free(a, unmap, p);

    p->handles = arena_alloc(a, n * sizeof(*p->handles));
    for (size_t i = 0; i < n; i++) {
        p->handles[i] = (struct rs_parse_ahead){p, i};
        scripts[i]->ahead = &p->handles[i];
    }
    return p;
}

/* While the helper works on script i, the engine parses the next script nobody has claimed,
   for later; false when there is none left. */
static bool parse_ahead(struct rs_sql_prefetch *p, size_t i)
{
    for (size_t j = i + 1; j < p->n; j++) {
        struct slot *s = &p->slots[j];
        int st = SLOT_FREE;
        if (!atomic_compare_exchange_strong(&s->state, &st, SLOT_MINE))
            continue;
        struct rs_stmt_list l = {0};
        sqlx_parse_script_here(p->a, p->scripts[j], &l);
        s->stmts = l;
        atomic_store(&s->state, SLOT_READY);
        return true;
    }
    return false;
}

bool sqlx_prefetch_take(const struct rs_parse_ahead *h, struct rs_stmt_list *out)
{
    struct rs_sql_prefetch *p = h->p;
    struct slot *s = &p->slots[h->i];
    int st = SLOT_FREE;
    if (atomic_compare_exchange_strong(&s->state, &st, SLOT_MINE))
        return false; /* not started: ours */
    while (st == SLOT_HELPER) {
        if (parse_ahead(p, h->i)) {
            st = atomic_load(&s->state);
            continue;
        }
        char buf[256];
        ssize_t k = read(p->notify, buf, sizeof(buf));
        if (k == 0 || (k < 0 && errno != EINTR))
            return false; /* the helper is gone: parse it here */
        st = atomic_load(&s->state);
    }
    /* Taken once: a second parse of the same script (the previous-version queries replay a
       migration) gets statements of its own, as in a serial run. */
    if (st != SLOT_READY || !atomic_compare_exchange_strong(&s->state, &st, SLOT_TAKEN))
        return false;
    *out = s->stmts;
    return true;
}

void rs_sql_prefetch_end(struct rs_sql_prefetch *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        p->scripts[i]->ahead = NULL;
    /* The helper stops on its own once every script is claimed; it may still be parsing one
       nobody asked for (the run stopped early). */
    int status;
    if (waitpid(p->pid, &status, WNOHANG) == 0) {
        kill(p->pid, SIGKILL);
        while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR)
            ;
    }
    close(p->notify);
}
