/*
 * pq.c - loads libpq with dlopen() and fills rs_pq (see pq.h).
 */
#include "pg/pq.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rs_pq_api rs_pq;

#define RS_PQ_STR_(x) #x
#define RS_PQ_STR(x) RS_PQ_STR_(x)
/* pq.h must #define every listed function to its pointer: then RS_PQ_STR(name) spells
   "(rs_pq.name)", longer than #name. And a data pointer from dlsym() must fit each member. */
#define RS_PQ_CHECK(name)                                                                          \
    _Static_assert(sizeof(RS_PQ_STR(name)) > sizeof(#name), #name " needs a #define in pq.h");     \
    _Static_assert(sizeof(name) == sizeof(void *), #name ": pointer size");
RS_PQ_FUNCTIONS(RS_PQ_CHECK)

static int state; /* 0: not tried, 1: loaded, -1: failed (message in failure) */
static char failure[768];

static int fail(const char *lib, const char *what, const char *detail, int from_env)
{
    snprintf(failure, sizeof(failure), "cannot load libpq (%s): %s%s; %s", lib, what, detail,
             from_env ? "ROLLSAFE_LIBPQ names the library file to load: fix it or unset it"
                      : "install the libpq5 package (scripts/setup does)");
    state = -1;
    return -1;
}

/* dlerror()'s message, copied: the next dl call may overwrite it. */
static void dl_reason(char *buf, size_t size)
{
    const char *e = dlerror();
    snprintf(buf, size, "%s", e ? e : "unknown error");
}

static int load(void)
{
    const char *env = getenv("ROLLSAFE_LIBPQ");
    int from_env = env && *env;
    const char *lib = from_env ? env : "libpq.so.5";
    char why[512];
    void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        dl_reason(why, sizeof(why));
        if (from_env || !(h = dlopen("libpq.so", RTLD_NOW | RTLD_LOCAL)))
            return fail(lib, "", why, from_env);
        lib = "libpq.so";
    }
    void *sym;
    const char *missing;
    dlerror();
    /* With pq.h's #defines, `&name` below is &rs_pq.name (checked above). */
#define RS_PQ_RESOLVE(name)                                                                        \
    if (!(sym = dlsym(h, #name))) {                                                                \
        missing = #name;                                                                           \
        goto no_symbol;                                                                            \
    }                                                                                              \
    memcpy(&name, &sym, sizeof(sym));
    RS_PQ_FUNCTIONS(RS_PQ_RESOLVE)
#undef RS_PQ_RESOLVE
    state = 1; /* never unloaded */
    return 0;
no_symbol:
    dl_reason(why, sizeof(why));
    dlclose(h);
    char what[96];
    snprintf(what, sizeof(what), "no %s in it (not libpq, or older than libpq 14): ", missing);
    return fail(lib, what, why, from_env);
}

int rs_pq_load(const char **why)
{
    if (!state)
        load();
    if (why)
        *why = state > 0 ? NULL : failure;
    return state > 0 ? 0 : -1;
}
