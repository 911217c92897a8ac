/*
 * layout.c - the registry of migration layouts, detection, loading a path, and the helpers the
 * layout files share (directory listing, natural order, names, lines, errors).
 *
 * It knows no tool: each tool's rules (names, ordering, pairing, transactions) live in its own
 * file, listed once in layouts.def. It reads directories and peeks at files for detection but
 * never interprets SQL. Nothing here prints or exits; every problem is an rs_error in ctx->diag.
 */
#include "layout.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "layout_int.h"
#include "util/arena.h"

/* ------------------------------------------------------------------------------------------------
 * Registry
 */

const struct rs_layout *const rs_layouts[] = {
#define LAYOUT(ident) &rs_layout_##ident,
#include "layouts.def"
#undef LAYOUT
    NULL,
};

const char *rs_txmode_name(enum rs_txmode m)
{
    switch (m) {
    case RS_TX_WRAPPED:
        return "wrapped";
    case RS_TX_IMPLICIT:
        return "implicit";
    case RS_TX_NONE:
        return "none";
    case RS_TX_GROUP:
        return "group";
    case RS_TX_SCRIPT:
        return "script";
    }
    return "?";
}

const struct rs_layout *rs_layout_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; rs_layouts[i]; i++)
        if (strcmp(rs_layouts[i]->name, name) == 0)
            return rs_layouts[i];
    return NULL;
}

static const char *errno_hint(int e)
{
    switch (e) {
    case ENOENT:
        return "check the path; give the directory that holds the migrations";
    case EACCES:
        return "make it readable by the user running rollsafe";
    case ELOOP:
        return "a symbolic link leads back to itself; remove the loop or exclude the path";
    case ENOTDIR:
        return "give the migrations directory, or a single .sql file";
    default:
        return NULL;
    }
}

const struct rs_layout *rs_layout_detect(struct rs_layout_ctx *ctx)
{
    DIR *d = opendir(ctx->dir);
    if (!d) {
        int e = errno;
        rs_diag_add(ctx->diag, ctx->dir, 0, 0, errno_hint(e), "cannot list directory: %s",
                    strerror(e));
        return NULL;
    }
    closedir(d);
    /* The result is that of asking every layout in the order of rs_layouts[] and keeping the
       first of the highest score. They are asked from the cheapest to ask, each told the score
       it must reach to be chosen: a layout listed before the best so far wins a tie, one listed
       after it needs more. On a directory of Diesel migrations, no layout then lists the
       directory of each migration, nor reads a file.
       First round: is a layout certain (100, the highest score)? Asked so, the detectors look
       for their marks only (a lock file, Diesel's initial migration), not into each
       subdirectory, and the first certain layout in rs_layouts[] is the result. Otherwise
       Prisma, asked before Diesel, would look for a migration.sql in each of the directories
       of a Diesel history before Diesel's initial migration is seen. */
    size_t best = SIZE_MAX;
    for (int cost = 0; cost <= 3; cost++)
        for (size_t i = 0; rs_layouts[i] && i < best; i++)
            if (rs_layouts[i]->detect_cost == cost && rs_layouts[i]->detect(ctx, 100) >= 100)
                best = i;
    if (best != SIZE_MAX) {
        layout_release(ctx);
        return rs_layouts[best];
    }
    int best_score = 0;
    for (int cost = 0; cost <= 3; cost++) {
        for (size_t i = 0; rs_layouts[i]; i++) {
            if (rs_layouts[i]->detect_cost != cost)
                continue;
            int wins_at = i < best ? best_score : best_score + 1;
            int s = rs_layouts[i]->detect(ctx, wins_at > 0 ? wins_at : 1);
            if (s > best_score || (s == best_score && s > 0 && i < best)) {
                best = i;
                best_score = s;
            }
        }
    }
    layout_release(ctx);
    return best == SIZE_MAX ? &rs_layout_plain : rs_layouts[best];
}

static const char *layout_names(struct rs_layout_ctx *ctx)
{
    size_t n = 0;
    for (size_t i = 0; rs_layouts[i]; i++)
        n += strlen(rs_layouts[i]->name) + 2;
    char *s = arena_alloc(ctx->arena, n + 1);
    for (size_t i = 0; rs_layouts[i]; i++) {
        if (i)
            strcat(s, ", ");
        strcat(s, rs_layouts[i]->name);
    }
    return s;
}

static layout_file_loader loader_for_file(const struct rs_layout *l)
{
    if (l == &rs_layout_plain)
        return rs_plain_load_file;
    if (l == &rs_layout_goose)
        return rs_goose_load_file;
    if (l == &rs_layout_dbmate)
        return rs_dbmate_load_file;
    if (l == &rs_layout_liquibase)
        return rs_liquibase_load_file;
    return NULL;
}

static int load_file(struct rs_layout_ctx *ctx, const char *path, const struct rs_layout *l,
                     const struct rs_layout **used, struct rs_migration_list *out)
{
    const char *slash = strrchr(path, '/');
    ctx->dir = slash
                   ? (slash == path ? "/" : arena_strndup(ctx->arena, path, (size_t)(slash - path)))
                   : ".";
    if (l && !loader_for_file(l)) {
        rs_diag_add(ctx->diag, path, 0, 0,
                    "give the migrations directory, or --layout plain to check this one file",
                    "the %s layout reads a directory of migrations, not a single file", l->name);
        return -1;
    }
    const struct rs_source *src = layout_read(ctx, path);
    if (!src)
        return -1;
    if (!l) {
        if (rs_liquibase_text_is_formatted(src->text))
            l = &rs_layout_liquibase;
        else if (rs_goose_text_is_goose(src->text))
            l = &rs_layout_goose;
        else if (rs_dbmate_text_is_dbmate(src->text))
            l = &rs_layout_dbmate;
        else
            l = &rs_layout_plain;
    }
    if (used)
        *used = l;
    return loader_for_file(l)(ctx, src, out);
}

int rs_layout_load_path(struct rs_layout_ctx *ctx, const char *path, const char *layout_name,
                        const struct rs_layout **used, struct rs_migration_list *out)
{
    if (used)
        *used = NULL;
    const struct rs_layout *l = NULL;
    if (layout_name) {
        l = rs_layout_find(layout_name);
        if (!l) {
            rs_diag_add(ctx->diag, NULL, 0, 0,
                        arena_printf(ctx->arena, "choose one of: %s", layout_names(ctx)),
                        "unknown layout \"%s\"", layout_name);
            return -1;
        }
    }
    struct stat st;
    if (stat(path, &st) < 0) {
        int e = errno;
        rs_diag_add(ctx->diag, path, 0, 0, errno_hint(e), "cannot open: %s", strerror(e));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        int rc = load_file(ctx, path, l, used, out);
        layout_release(ctx);
        return rc;
    }
    ctx->dir = path;
    if (!l) {
        l = rs_layout_detect(ctx);
        if (!l)
            return -1;
    }
    if (used)
        *used = l;
    int rc = l->load(ctx, out);
    layout_release(ctx);
    return rc;
}

/* ------------------------------------------------------------------------------------------------
 * Natural order and names
 */

int layout_number_cmp(const char *a, size_t na, const char *b, size_t nb)
{
    while (na > 1 && *a == '0')
        a++, na--;
    while (nb > 1 && *b == '0')
        b++, nb--;
    if (na != nb)
        return na < nb ? -1 : 1;
    int c = memcmp(a, b, na);
    return c < 0 ? -1 : c > 0;
}

static inline bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int rs_natural_cmp(const char *a, const char *b)
{
    /* Names in one directory share long prefixes ("2024-01-02-123456_..."): the identical
       part is stepped over at once, back to the start of the number it ends in, where the
       comparison by numbers would stand in both names alike. */
    size_t i = 0;
    while (a[i] && a[i] == b[i])
        i++;
    if (!is_digit(a[i]) && !is_digit(b[i]) && (i == 0 || !is_digit(a[i - 1])))
        return a[i] == b[i] ? 0 : (unsigned char)a[i] < (unsigned char)b[i] ? -1 : 1;
    while (i > 0 && is_digit(a[i - 1]))
        i--;
    a += i;
    b += i;
    while (*a && *b) {
        if (is_digit(*a) && is_digit(*b)) {
            const char *sa = a, *sb = b;
            while (is_digit(*a))
                a++;
            while (is_digit(*b))
                b++;
            int c = layout_number_cmp(sa, (size_t)(a - sa), sb, (size_t)(b - sb));
            if (c)
                return c;
            continue;
        }
        if (*a != *b)
            return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
        a++;
        b++;
    }
    return *a ? 1 : *b ? -1 : 0;
}

bool layout_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

char *layout_cut(struct rs_layout_ctx *ctx, const char *s, size_t n)
{
    size_t len = strlen(s);
    return arena_strndup(ctx->arena, s, len > n ? len - n : 0);
}

bool layout_is_sql(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && strcasecmp(name + n - 4, ".sql") == 0;
}

const char *layout_sql_stem(struct rs_layout_ctx *ctx, const char *path)
{
    const char *s = strrchr(path, '/');
    s = s ? s + 1 : path;
    return layout_is_sql(s) ? layout_cut(ctx, s, 4) : arena_strdup(ctx->arena, s);
}

bool layout_split_id(struct rs_layout_ctx *ctx, const char *stem, const char **id,
                     const char **name)
{
    size_t k = 0;
    while (isdigit((unsigned char)stem[k]))
        k++;
    if (k == 0) {
        *id = arena_strdup(ctx->arena, stem);
        *name = "";
        return false;
    }
    *id = arena_strndup(ctx->arena, stem, k);
    const char *rest = stem + k;
    if (*rest == '_' || *rest == '-' || *rest == '.')
        rest++;
    *name = arena_strdup(ctx->arena, rest);
    return true;
}

/* ------------------------------------------------------------------------------------------------
 * Directory listing
 */

const char *layout_join(struct rs_layout_ctx *ctx, const char *rel)
{
    if (!rel || !*rel)
        return ctx->dir;
    size_t n = strlen(ctx->dir);
    return arena_join(ctx->arena, ctx->dir, n && ctx->dir[n - 1] == '/' ? "" : "/", rel);
}

static bool excluded(const struct rs_layout_ctx *ctx, const char *rel, const char *name)
{
    if (!ctx->exclude)
        return false;
    for (size_t i = 0; i < ctx->nexclude; i++) {
        const char *pat = ctx->exclude[i];
        if (!pat)
            continue;
        if (fnmatch(pat, rel, 0) == 0)
            return true;
        /* A pattern without a slash also matches the name alone, as in .gitignore. */
        if (!strchr(pat, '/') && fnmatch(pat, name, 0) == 0)
            return true;
    }
    return false;
}

void layout_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    /* Listings are mostly in order already (a directory of dated names, each one's files):
       one pass tells, where a sort compares each name a dozen times. */
    const char *p = base;
    size_t i = 1;
    while (i < n && cmp(p + (i - 1) * size, p + i * size) <= 0)
        i++;
    if (i < n)
        qsort(base, n, size, cmp);
}

bool layout_excluded(const struct rs_layout_ctx *ctx, const char *rel)
{
    const char *slash = strrchr(rel, '/');
    return excluded(ctx, rel, slash ? slash + 1 : rel);
}

static int entry_cmp_name(const void *pa, const void *pb)
{
    const struct layout_entry *a = pa, *b = pb;
    int c = rs_natural_cmp(a->name, b->name);
    return c ? c : strcmp(a->name, b->name);
}

static int entry_cmp_rel(const void *pa, const void *pb)
{
    const struct layout_entry *a = pa, *b = pb;
    int c = rs_natural_cmp(a->rel, b->rel);
    return c ? c : strcmp(a->rel, b->rel);
}

/* ------------------------------------------------------------------------------------------------
 * Two threads for the system calls
 */

/* Below this many calls (by default), share() makes them all in the calling thread. A second
   thread's start, and the fresh memory of its arena, cost more than it saved for the few dozen
   file reads of a detection (supabase-storage multitenant: 0.45 to 1.3 ms in two threads, 0.3
   to 0.45 ms in one; detection now reads them in one thread), and about as much as it saved
   for lemmy's thousand lookups. */
#define SHARE_MIN 512

/* Whether n calls are worth a second thread. */
static bool worth_sharing(const struct rs_layout_ctx *ctx, size_t n)
{
    return ctx->two_threads && n >= (ctx->share_min ? ctx->share_min : SHARE_MIN);
}

typedef void share_fn(struct rs_layout_ctx *c, size_t i, void *arg);

struct share {
    struct rs_layout_ctx ctx; /* the helper's: an arena of its own, no listings, no diag */
    share_fn *fn;
    void *arg;
    size_t from, n;
};

static void *share_run(void *p)
{
    struct share *s = p;
    for (size_t i = s->from; i < s->n; i++)
        s->fn(&s->ctx, i, s->arg);
    return NULL;
}

static void free_arena(void *a)
{
    arena_free(a);
}

/* Calls fn(c, i, arg) for each i < n, the first half with c = ctx, the second half in a helper
   thread when ctx->two_threads and n is worth it, with a copy of ctx whose arena is freed with
   ctx->arena: fn allocates from c->arena only, reports nothing (c->diag is NULL there) and does
   not touch c->listings. The calls are done when this returns. */
static void share(struct rs_layout_ctx *ctx, size_t n, share_fn *fn, void *arg)
{
    size_t mine = n;
    pthread_t helper;
    if (worth_sharing(ctx, n)) {
        struct share *s = arena_alloc(ctx->arena, sizeof(*s));
        struct arena *a = arena_alloc(ctx->arena, sizeof(*a));
        *a = (struct arena)ARENA_INIT;
        arena_on_free(ctx->arena, free_arena, a);
        *s = (struct share){.ctx = *ctx, .fn = fn, .arg = arg, .from = n / 2, .n = n};
        s->ctx.arena = a;
        s->ctx.diag = NULL;
        s->ctx.listings = NULL;
        if (pthread_create(&helper, NULL, share_run, s) == 0)
            mine = n / 2;
    }
    for (size_t i = 0; i < mine; i++)
        fn(ctx, i, arg);
    if (mine < n)
        pthread_join(helper, NULL);
}

static enum layout_kind kind_of(mode_t mode)
{
    return S_ISREG(mode) ? LAYOUT_FILE : S_ISDIR(mode) ? LAYOUT_DIR : LAYOUT_OTHER;
}

/* Reads one directory level; fills st_dir with the directory's own identity when asked.
   Clears *clean when an entry is left out because of a problem (reported unless quiet). */
static int list_one(struct rs_layout_ctx *ctx, const char *rel, bool quiet,
                    struct layout_entries *out, struct stat *st_dir, bool *clean)
{
    const char *dirpath = layout_join(ctx, rel);
    DIR *d = opendir(dirpath);
    if (!d) {
        int e = errno;
        if (!quiet)
            rs_diag_add(ctx->diag, dirpath, 0, 0, errno_hint(e), "cannot list directory: %s",
                        strerror(e));
        return -1;
    }
    if (st_dir && fstat(dirfd(d), st_dir) < 0)
        memset(st_dir, 0, sizeof(*st_dir));
    for (;;) {
        errno = 0;
        struct dirent *de = readdir(d);
        if (!de) {
            if (errno)
                *clean = false;
            if (errno && !quiet)
                rs_diag_add(ctx->diag, dirpath, 0, 0, NULL, "error while listing directory: %s",
                            strerror(errno));
            break;
        }
        if (de->d_name[0] == '.')
            continue;
        const char *erel = rel && *rel ? arena_join(ctx->arena, rel, "/", de->d_name)
                                       : arena_strdup(ctx->arena, de->d_name);
        if (excluded(ctx, erel, de->d_name))
            continue;
        const char *path = layout_join(ctx, erel);
        struct stat st;
        /* The directory entry's type saves a stat for what is not a symbolic link. */
        if (de->d_type == DT_REG || de->d_type == DT_DIR) {
            st.st_mode = de->d_type == DT_REG ? S_IFREG : S_IFDIR;
        } else if (stat(path, &st) < 0) {
            int e = errno;
            *clean = false;
            if (!quiet) {
                if (e == ELOOP)
                    rs_diag_add(ctx->diag, path, 0, 0,
                                "remove the symbolic-link loop, or exclude the path",
                                "symbolic-link loop");
                else if (e == ENOENT)
                    rs_diag_add(ctx->diag, path, 0, 0,
                                "remove the link, point it at an existing file, or exclude it",
                                "broken symbolic link");
                else
                    rs_diag_add(ctx->diag, path, 0, 0, errno_hint(e), "cannot read: %s",
                                strerror(e));
            }
            continue;
        }
        struct layout_entry *en = VEC_PUSH(ctx->arena, out);
        en->name = arena_strdup(ctx->arena, de->d_name);
        en->rel = erel;
        en->path = path;
        en->kind = kind_of(st.st_mode);
    }
    closedir(d);
    return 0;
}

/* A listing kept in ctx->listings: of the directory dir/rel, or with rel NULL of the whole tree
   under dir (layout_list_tree). Kept when it is complete, or when its problems were reported
   already (a later caller gets the same entries, without the same errors twice). */
struct dir_id {
    dev_t dev;
    ino_t ino;
};

struct layout_listing {
    const char *dir, *rel;
    size_t hash; /* of dir, then rel (text_hash, rel_hash) */
    struct layout_entries entries;
    bool has_id;
    struct dir_id id; /* the directory's, when it was listed by walk */
};

/* The first bytes of a file that detection looked into (layout_detect_text), kept for the
   next layout that looks, and for the load when they are the whole file. */
struct layout_peek {
    const char *path;
    size_t hash; /* of path (text_hash) */
    char *text;  /* NUL-terminated, len bytes, in ctx->arena */
    size_t len;
    bool whole; /* text is the whole file, not yet made a source */
};

/* What a path under ctx->dir turned out to be when looked up (layout_exists, layout_look_ahead):
   a layout_kind, or SEEN_NONE when it cannot be (missing, unreadable, a loop); SEEN_NOT_YET in
   an entry just made. A layout asks about a path once for each kind it accepts. */
enum { SEEN_NOT_YET = -2, SEEN_NONE = -1 };

struct layout_seen {
    const char *rel;
    size_t hash; /* of rel (text_hash) */
    int kind;
};

/* Open addressing; a tree of a thousand directories is asked about a few times each. */
struct layout_listings {
    struct layout_listing **slot;
    size_t mask, n;
    const char *hashed_dir; /* the last dir hashed, and its hash: asked about again and again */
    size_t dir_hash;
    struct layout_peek *peeks; /* open addressing by hash; NULL until a file is looked into */
    size_t peek_mask, npeeks;
    struct layout_seen *seen; /* open addressing by hash; NULL until a path is looked up */
    size_t seen_mask, nseen;
    const char *seen_dir; /* the ctx->dir the paths in seen are under */
    /* ctx->dir opened (O_PATH) for stat_rel, plus one: 0 when not open */
    int dir_fd1;
    const char *fd_dir; /* the ctx->dir that dir_fd1 is of */
};

static size_t text_hash(const char *s)
{
    size_t h = 14695981039346656037u;
    for (const char *p = s; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211u;
    return h;
}

/* The first fields of an entry of the open-addressing tables of paths below (struct
   layout_seen, struct layout_peek): an entry whose key is NULL is free. */
struct table_key {
    const char *key;
    size_t hash;
};

/* Makes room in *table (mask + 1 entries of size bytes, n of them used) for one more: it is
   made with first entries, and doubled when half full. */
static void table_room(struct arena *a, void **table, size_t *mask, size_t n, size_t size,
                       size_t first)
{
    if (*table && 2 * (n + 1) <= *mask + 1)
        return;
    unsigned char *old = *table, *t;
    size_t old_mask = *mask;
    *mask = old ? 2 * old_mask + 1 : first - 1;
    *table = t = arena_alloc(a, (*mask + 1) * size);
    for (size_t i = 0; old && i <= old_mask; i++) {
        struct table_key k, at;
        memcpy(&k, old + i * size, sizeof(k)); /* the entry's own type is the caller's */
        if (!k.key)
            continue;
        size_t j = k.hash & *mask;
        for (;; j = (j + 1) & *mask) {
            memcpy(&at, t + j * size, sizeof(at));
            if (!at.key)
                break;
        }
        memcpy(t + j * size, old + i * size, size);
    }
}

static size_t rel_hash(size_t h, const char *rel, size_t n)
{
    h = (h ^ (rel ? '/' : '*')) * 1099511628211u;
    for (size_t i = 0; rel && i < n; i++)
        h = (h ^ (unsigned char)rel[i]) * 1099511628211u;
    return h;
}

/* The hash of ctx->dir, computed again only when ctx->dir changes. */
static size_t current_dir_hash(struct layout_listings *t, const struct rs_layout_ctx *ctx)
{
    if (t->hashed_dir != ctx->dir) {
        t->hashed_dir = ctx->dir;
        t->dir_hash = text_hash(ctx->dir);
    }
    return t->dir_hash;
}

/* The listing of ctx->dir/rel, rel given by its first n bytes; rel NULL: of the whole tree. */
static const struct layout_listing *listing_find_n(const struct rs_layout_ctx *ctx, const char *rel,
                                                   size_t n)
{
    struct layout_listings *t = ctx->listings;
    if (!t)
        return NULL;
    size_t h = rel_hash(current_dir_hash(t, ctx), rel, n);
    for (size_t i = h & t->mask;; i = (i + 1) & t->mask) {
        const struct layout_listing *l = t->slot[i];
        if (!l)
            return NULL;
        if (l->hash == h && strcmp(l->dir, ctx->dir) == 0 &&
            (rel ? l->rel && strncmp(l->rel, rel, n) == 0 && l->rel[n] == '\0' : !l->rel))
            return l;
    }
}

static const struct layout_listing *listing_find(const struct rs_layout_ctx *ctx, const char *rel)
{
    return listing_find_n(ctx, rel, rel ? strlen(rel) : 0);
}

static void listing_put(struct layout_listings *t, struct layout_listing *l)
{
    size_t i = l->hash & t->mask;
    while (t->slot[i])
        i = (i + 1) & t->mask;
    t->slot[i] = l;
    t->n++;
}

static struct layout_listings *listings_of(struct rs_layout_ctx *ctx)
{
    struct layout_listings *t = ctx->listings;
    if (!t) {
        t = ctx->listings = arena_alloc(ctx->arena, sizeof(*t));
        t->mask = 63;
        t->slot = arena_alloc(ctx->arena, (t->mask + 1) * sizeof(*t->slot));
    }
    return t;
}

/* A descriptor of ctx->dir (O_PATH), open until layout_release; -1 when it cannot be opened.
   Paths are looked up from it: the kernel then resolves them from there, not from the start of
   ctx->dir each time (a quarter less per call; a Diesel load asks about three files of each
   migration). */
static int dir_fd(struct rs_layout_ctx *ctx)
{
    struct layout_listings *t = listings_of(ctx);
    if (t->fd_dir != ctx->dir) {
        layout_release(ctx);
        t->fd_dir = ctx->dir;
        t->dir_fd1 = open(ctx->dir, O_PATH | O_DIRECTORY | O_CLOEXEC) + 1;
    }
    return t->dir_fd1 - 1;
}

static int stat_rel(struct rs_layout_ctx *ctx, const char *rel, struct stat *st)
{
    int fd = dir_fd(ctx);
    if (fd < 0)
        return stat(layout_join(ctx, rel), st);
    return fstatat(fd, rel, st, *rel ? 0 : AT_EMPTY_PATH);
}

static struct layout_seen *seen_slot(struct layout_listings *t, const char *rel, size_t h)
{
    for (size_t i = h & t->seen_mask;; i = (i + 1) & t->seen_mask) {
        struct layout_seen *e = &t->seen[i];
        if (!e->rel || (e->hash == h && strcmp(e->rel, rel) == 0))
            return e;
    }
}

/* The entry of ctx->dir/rel in what was looked up, made (SEEN_NOT_YET) when there is none. */
static struct layout_seen *seen(struct rs_layout_ctx *ctx, const char *rel)
{
    struct layout_listings *t = listings_of(ctx);
    if (t->seen_dir != ctx->dir) {
        t->seen = NULL;
        t->nseen = 0;
        t->seen_dir = ctx->dir;
    }
    table_room(ctx->arena, (void **)&t->seen, &t->seen_mask, t->nseen, sizeof(*t->seen), 256);
    size_t h = text_hash(rel);
    struct layout_seen *e = seen_slot(t, rel, h);
    if (!e->rel) {
        *e = (struct layout_seen){
            .rel = arena_strdup(ctx->arena, rel), .hash = h, .kind = SEEN_NOT_YET};
        t->nseen++;
    }
    return e;
}

struct look_ahead {
    const char *const *rels;
    int *kinds;
    int fd;
};

static void look_up(struct rs_layout_ctx *c, size_t i, void *arg)
{
    (void)c;
    struct look_ahead *la = arg;
    struct stat st;
    la->kinds[i] = fstatat(la->fd, la->rels[i], &st, *la->rels[i] ? 0 : AT_EMPTY_PATH) < 0
                       ? SEEN_NONE
                       : (int)kind_of(st.st_mode);
}

void layout_look_ahead(struct rs_layout_ctx *ctx, const char *const *rels, size_t n)
{
    int fd;
    if (!worth_sharing(ctx, n) || (fd = dir_fd(ctx)) < 0)
        return; /* layout_exists looks each one up when asked */
    struct look_ahead la = {rels, arena_alloc(ctx->arena, n * sizeof(int)), fd};
    share(ctx, n, look_up, &la);
    for (size_t i = 0; i < n; i++) {
        struct layout_seen *e = seen(ctx, rels[i]);
        if (e->kind == SEEN_NOT_YET)
            e->kind = la.kinds[i];
    }
}

void layout_release(struct rs_layout_ctx *ctx)
{
    struct layout_listings *t = ctx->listings;
    if (t && t->dir_fd1)
        close(t->dir_fd1 - 1);
    if (t) {
        t->dir_fd1 = 0;
        t->fd_dir = NULL;
    }
}

/* Keeps the listing of ctx->dir/rel, and the directory's identity when st is not NULL. */
static void listing_keep(struct rs_layout_ctx *ctx, const char *rel, const struct layout_entries *e,
                         const struct stat *st)
{
    struct layout_listings *t = listings_of(ctx);
    if (2 * (t->n + 1) > t->mask + 1) {
        struct layout_listings old = *t;
        t->mask = 2 * t->mask + 1;
        t->slot = arena_alloc(ctx->arena, (t->mask + 1) * sizeof(*t->slot));
        t->n = 0;
        for (size_t i = 0; i <= old.mask; i++)
            if (old.slot[i])
                listing_put(t, old.slot[i]);
    }
    struct layout_listing *l = arena_alloc(ctx->arena, sizeof(*l));
    l->dir = arena_strdup(ctx->arena, ctx->dir);
    l->rel = rel ? arena_strdup(ctx->arena, rel) : NULL;
    l->hash = rel_hash(current_dir_hash(t, ctx), rel, rel ? strlen(rel) : 0);
    l->entries = *e;
    l->has_id = st != NULL;
    if (st)
        l->id = (struct dir_id){st->st_dev, st->st_ino};
    listing_put(t, l);
}

/* Appends a copy of e to out: callers may reorder what they get. */
static void entries_append(struct rs_layout_ctx *ctx, struct layout_entries *out,
                           const struct layout_entries *e)
{
    if (!e->n)
        return;
    if (out->n + e->n > out->cap) {
        size_t cap = out->n + e->n;
        out->v = arena_grow(ctx->arena, out->v, out->n, cap, sizeof(*out->v));
        out->cap = cap;
    }
    memcpy(out->v + out->n, e->v, e->n * sizeof(*e->v));
    out->n += e->n;
}

int layout_list(struct rs_layout_ctx *ctx, const char *rel, bool quiet, struct layout_entries *out)
{
    if (!rel)
        rel = "";
    const struct layout_listing *kept = listing_find(ctx, rel);
    if (kept) {
        entries_append(ctx, out, &kept->entries);
        return 0;
    }
    struct layout_entries here = {0};
    bool clean = true;
    if (list_one(ctx, rel, quiet, &here, NULL, &clean) < 0)
        return -1;
    layout_sort(here.v, here.n, sizeof(*here.v), entry_cmp_name);
    if (clean || !quiet)
        listing_keep(ctx, rel, &here, NULL);
    entries_append(ctx, out, &here);
    return 0;
}

struct list_ahead {
    const char **rels;
    struct layout_entries *entries;
    struct stat *st;
    bool *ok;
};

static void list_ahead_one(struct rs_layout_ctx *c, size_t i, void *arg)
{
    struct list_ahead *la = arg;
    bool clean = true;
    la->ok[i] = list_one(c, la->rels[i], true, &la->entries[i], &la->st[i], &clean) == 0 && clean;
    if (la->ok[i])
        layout_sort(la->entries[i].v, la->entries[i].n, sizeof(*la->entries[i].v), entry_cmp_name);
}

/* Lists ahead, in two threads when there are enough of them (worth_sharing), the
   subdirectories of a directory of the tree that are not listed yet, and keeps the listings
   that have no problem: walk then finds them kept. Those with a problem are listed again by
   walk, which reports it. */
static void list_ahead(struct rs_layout_ctx *ctx, const struct layout_entries *here)
{
    if (!ctx->two_threads)
        return;
    size_t n = 0;
    for (size_t i = 0; i < here->n; i++)
        n += here->v[i].kind == LAYOUT_DIR && !listing_find(ctx, here->v[i].rel);
    if (!worth_sharing(ctx, n))
        return;
    struct list_ahead la = {.rels = arena_alloc(ctx->arena, n * sizeof(*la.rels)),
                            .entries = arena_alloc(ctx->arena, n * sizeof(*la.entries)),
                            .st = arena_alloc(ctx->arena, n * sizeof(*la.st)),
                            .ok = arena_alloc(ctx->arena, n * sizeof(*la.ok))};
    n = 0;
    for (size_t i = 0; i < here->n; i++)
        if (here->v[i].kind == LAYOUT_DIR && !listing_find(ctx, here->v[i].rel))
            la.rels[n++] = here->v[i].rel;
    share(ctx, n, list_ahead_one, &la);
    for (size_t i = 0; i < n; i++)
        if (la.ok[i])
            listing_keep(ctx, la.rels[i], &la.entries[i], &la.st[i]);
}

/* Depth of nested directories followed; deeper trees are reported rather than walked. */
#define TREE_MAX_DEPTH 32

static int walk(struct rs_layout_ctx *ctx, const char *rel, bool quiet, struct layout_entries *out,
                struct dir_id *stack, size_t depth, bool *clean)
{
    struct layout_entries here = {0};
    struct stat st;
    bool here_clean = true;
    const struct layout_listing *kept = listing_find(ctx, rel);
    if (kept) {
        /* Listed already: by list_ahead, or the top directory, whose identity is missing. */
        here = kept->entries;
        if (kept->has_id) {
            st.st_dev = kept->id.dev;
            st.st_ino = kept->id.ino;
        } else if (stat_rel(ctx, rel, &st) < 0) {
            memset(&st, 0, sizeof(st));
        }
    } else {
        if (list_one(ctx, rel, quiet, &here, &st, &here_clean) < 0) {
            *clean = false;
            return -1;
        }
        /* Each directory's own listing is kept too: what the layouts later ask about a
           directory of the tree (is there an up.sql in it?) is then answered without a system
           call. */
        layout_sort(here.v, here.n, sizeof(*here.v), entry_cmp_name);
        if (here_clean || !quiet)
            listing_keep(ctx, rel, &here, &st);
    }
    if (!here_clean)
        *clean = false;
    for (size_t i = 0; i < depth; i++) {
        if (stack[i].dev == st.st_dev && stack[i].ino == st.st_ino) {
            *clean = false;
            if (!quiet)
                rs_diag_add(ctx->diag, layout_join(ctx, rel), 0, 0,
                            "remove the symbolic link that points back up the tree, or exclude "
                            "the path",
                            "symbolic-link loop: this directory contains itself");
            return 0;
        }
    }
    if (depth == TREE_MAX_DEPTH) {
        *clean = false;
        if (!quiet)
            rs_diag_add(ctx->diag, layout_join(ctx, rel), 0, 0,
                        "exclude the path, or point rollsafe at a shallower directory",
                        "directories nested more than %d deep", TREE_MAX_DEPTH);
        return 0;
    }
    stack[depth] = (struct dir_id){st.st_dev, st.st_ino};
    list_ahead(ctx, &here);
    for (size_t i = 0; i < here.n; i++) {
        if (here.v[i].kind == LAYOUT_DIR)
            walk(ctx, here.v[i].rel, quiet, out, stack, depth + 1, clean);
        else
            *VEC_PUSH(ctx->arena, out) = here.v[i];
    }
    return 0;
}

int layout_list_tree(struct rs_layout_ctx *ctx, bool quiet, struct layout_entries *out)
{
    const struct layout_listing *kept = listing_find(ctx, NULL);
    if (kept) {
        entries_append(ctx, out, &kept->entries);
        return 0;
    }
    struct dir_id stack[TREE_MAX_DEPTH + 1];
    struct layout_entries all = {0};
    bool clean = true;
    if (walk(ctx, "", quiet, &all, stack, 0, &clean) < 0)
        return -1;
    layout_sort(all.v, all.n, sizeof(*all.v), entry_cmp_rel);
    if (clean || !quiet)
        listing_keep(ctx, NULL, &all, NULL);
    entries_append(ctx, out, &all);
    return 0;
}

/* What ctx->dir/rel is (a layout_kind, or SEEN_NONE): SEEN_NONE when excluded, else from the
   listing of its directory when that was read; otherwise looked up when look (the answer is
   kept), SEEN_NOT_YET when not. */
static int kind_at(struct rs_layout_ctx *ctx, const char *rel, bool look)
{
    const char *slash = strrchr(rel, '/');
    if (excluded(ctx, rel, slash ? slash + 1 : rel))
        return SEEN_NONE;
    const char *name = slash ? slash + 1 : rel;
    const struct layout_listing *l =
        name[0] != '.' ? listing_find_n(ctx, rel, slash ? (size_t)(slash - rel) : 0) : NULL;
    if (l) {
        /* The directory was listed already (its hidden entries are not in the listing). */
        for (size_t i = 0; i < l->entries.n; i++)
            if (strcmp(l->entries.v[i].name, name) == 0)
                return (int)l->entries.v[i].kind;
        return SEEN_NONE;
    }
    if (!look)
        return SEEN_NOT_YET;
    struct layout_seen *e = seen(ctx, rel);
    if (e->kind == SEEN_NOT_YET) {
        struct stat st;
        e->kind = stat_rel(ctx, rel, &st) < 0 ? SEEN_NONE : (int)kind_of(st.st_mode);
    }
    return e->kind;
}

bool layout_exists(struct rs_layout_ctx *ctx, const char *rel, enum layout_kind kind)
{
    return kind_at(ctx, rel, true) == (int)kind;
}

/* What detection reads of a file at most: enough for every layout's marks. */
#define PEEK_MAX 16383

static struct layout_peek *peek_slot(struct layout_listings *t, const char *path, size_t h)
{
    for (size_t i = h & t->peek_mask;; i = (i + 1) & t->peek_mask) {
        struct layout_peek *p = &t->peeks[i];
        if (!p->path || (p->hash == h && strcmp(p->path, path) == 0))
            return p;
    }
}

/* The kept peek at path, or NULL. */
static struct layout_peek *peek_find(const struct rs_layout_ctx *ctx, const char *path)
{
    struct layout_listings *t = ctx->listings;
    if (!t || !t->peeks)
        return NULL;
    struct layout_peek *p = peek_slot(t, path, text_hash(path));
    return p->path ? p : NULL;
}

/* Reads the first PEEK_MAX bytes of the regular file at path into p, from arena a; p->text
   stays as it is ("") when the file cannot be read. Quiet: reading it for the load says what is
   wrong. */
static void peek_read(struct arena *a, const char *path, struct layout_peek *p)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        /* One byte more than a small file holds: a short read is its end, as in
           rs_source_load, and the text is then the file's. */
        size_t want = st.st_size < PEEK_MAX ? (size_t)st.st_size + 1 : PEEK_MAX;
        char *buf = arena_alloc_uninit(a, want + 1);
        size_t len = 0;
        bool end = false;
        while (len < want) {
            ssize_t r = read(fd, buf + len, want - len);
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0)
                break;
            len += (size_t)r;
            if (r == 0 || len < want) {
                end = true;
                break;
            }
        }
        buf[len] = '\0';
        p->text = buf;
        p->len = len;
        p->whole = end;
    }
    close(fd);
}

/* The first PEEK_MAX bytes of the regular file at path ("" when it cannot be read), read once
   for all the layouts that look. */
static const struct layout_peek *peek(struct rs_layout_ctx *ctx, const char *path)
{
    struct layout_listings *t = listings_of(ctx);
    table_room(ctx->arena, (void **)&t->peeks, &t->peek_mask, t->npeeks, sizeof(*t->peeks), 128);
    size_t h = text_hash(path);
    struct layout_peek *p = peek_slot(t, path, h);
    if (!p->path) {
        t->npeeks++;
        *p = (struct layout_peek){
            .path = arena_strdup(ctx->arena, path), .hash = h, .text = arena_alloc(ctx->arena, 1)};
        peek_read(ctx->arena, path, p);
    }
    return p;
}

/* Files layout_detect_text looks into at most. */
#define PEEK_FILES 64

int layout_detect_text(struct rs_layout_ctx *ctx, bool (*is_sql)(const char *name), size_t cap,
                       bool (*is_tool)(const char *text), int score, int wins_at)
{
    struct layout_entries e = {0};
    if (score < wins_at || layout_list(ctx, "", true, &e) < 0)
        return 0;
    char buf[PEEK_MAX + 1];
    if (cap > sizeof(buf))
        cap = sizeof(buf);
    size_t looked = 0;
    for (size_t i = 0; i < e.n && looked < PEEK_FILES; i++) {
        if (e.v[i].kind != LAYOUT_FILE || !is_sql(e.v[i].name))
            continue;
        looked++;
        const struct layout_peek *p = peek(ctx, e.v[i].path);
        /* A NUL inside makes the rest invisible to the string searches: good enough. */
        const char *text = p->text;
        if (p->len >= cap) {
            memcpy(buf, p->text, cap - 1);
            buf[cap - 1] = '\0';
            text = buf;
        }
        if (is_tool(text))
            return score;
    }
    return 0;
}

int layout_load_each(struct rs_layout_ctx *ctx, bool (*is_sql)(const char *name),
                     layout_file_loader load, bool whole, struct rs_migration_list *out)
{
    struct layout_entries e = {0};
    if (layout_list(ctx, "", false, &e) < 0)
        return -1;
    for (size_t i = 0; i < e.n; i++) {
        if (e.v[i].kind == LAYOUT_DIR || !is_sql(e.v[i].name))
            continue;
        const struct rs_source *src =
            whole ? layout_read_whole(ctx, e.v[i].path) : layout_read(ctx, e.v[i].path);
        if (src)
            load(ctx, src, out);
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------------
 * Migrations, lines, errors
 */

struct rs_migration *layout_push(struct rs_layout_ctx *ctx, struct rs_migration_list *out,
                                 const struct rs_layout *layout)
{
    struct rs_migration *m = VEC_PUSH(ctx->arena, out);
    m->id = "";
    m->name = "";
    m->layout = layout->name;
    m->up_tx = m->down_tx = RS_TX_SCRIPT;
    return m;
}

static const struct rs_source *read_as(struct rs_layout_ctx *ctx, const char *path,
                                       const struct rs_missing *missing)
{
    /* A small file detection read whole is not read again; its text goes to one source. */
    struct layout_peek *p = peek_find(ctx, path);
    if (p && p->whole) {
        p->whole = false;
        return rs_source_from_bytes(ctx->arena, path, p->text, p->len, ctx->diag);
    }
    bool absent;
    return rs_source_load_as(ctx->arena, path, missing, ctx->diag, &absent);
}

const struct rs_source *layout_read(struct rs_layout_ctx *ctx, const char *path)
{
    return read_as(ctx, path, NULL);
}

/* layout_read_whole, with what a missing file means. */
static const struct rs_source *read_whole_as(struct rs_layout_ctx *ctx, const char *path,
                                             const struct rs_missing *missing)
{
    const struct layout_peek *p;
    if (ctx->defer_reads && !((p = peek_find(ctx, path)) && p->whole))
        return rs_source_unread(ctx->arena, path, missing);
    return read_as(ctx, path, missing);
}

const struct rs_source *layout_read_whole_at(struct rs_layout_ctx *ctx, const char *rel,
                                             const struct rs_missing *missing)
{
    /* Not there for sure (excluded, or not in a listing read already): as an open would say. */
    int kind = kind_at(ctx, rel, false);
    if (kind != SEEN_NOT_YET && kind != LAYOUT_FILE && kind != LAYOUT_OTHER) {
        rs_missing_report(missing, ctx->diag);
        return NULL;
    }
    return read_whole_as(ctx, layout_join(ctx, rel), missing);
}

const struct rs_source *layout_read_whole(struct rs_layout_ctx *ctx, const char *path)
{
    return read_whole_as(ctx, path, NULL);
}

bool layout_next_line(const struct rs_source *src, size_t *pos, struct layout_line *line)
{
    size_t p = *pos;
    if (p >= src->len)
        return false;
    const char *nl = memchr(src->text + p, '\n', src->len - p);
    size_t e = nl ? (size_t)(nl - src->text) : src->len;
    line->begin = p;
    line->next = nl ? e + 1 : src->len;
    if (e > p && src->text[e - 1] == '\r')
        e--;
    line->end = e;
    *pos = line->next;
    return true;
}

size_t layout_skip_space(const char *text, size_t p, size_t end)
{
    while (p < end && (text[p] == ' ' || text[p] == '\t'))
        p++;
    return p;
}

bool layout_starts_with_ci(const char *text, size_t p, size_t end, const char *word)
{
    size_t k = strlen(word);
    if (end - p < k)
        return false;
    return strncasecmp(text + p, word, k) == 0;
}

bool layout_line_is_comment_or_blank(const struct rs_source *src, const struct layout_line *l)
{
    size_t p = l->begin;
    while (p < l->end && isspace((unsigned char)src->text[p]))
        p++;
    return p == l->end || (p + 1 < l->end && src->text[p] == '-' && src->text[p + 1] == '-');
}

void layout_error_at(struct rs_layout_ctx *ctx, const struct rs_source *src, size_t offset,
                     const char *hint, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = arena_vprintf(ctx->arena, fmt, ap);
    va_end(ap);
    int line, col;
    rs_source_position(src, offset, &line, &col);
    rs_diag_add(ctx->diag, src->path, line, col, hint, "%s", msg);
}

void layout_script(struct rs_layout_ctx *ctx, struct rs_script *s, const struct rs_source *src,
                   const struct layout_ranges *r, size_t anchor)
{
    rs_script_ranges(s, ctx->arena, src, r->begin, r->end, r->n);
    if (r->n == 0) {
        int col;
        s->begin = s->end = anchor < src->len ? anchor : src->len;
        rs_source_position(src, s->begin, &s->first_line, &col);
    }
}

void layout_range_add(struct rs_layout_ctx *ctx, struct layout_ranges *r, size_t b, size_t e)
{
    if (e <= b)
        return;
    if (r->n && r->end[r->n - 1] == b) {
        r->end[r->n - 1] = e;
        return;
    }
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8;
        r->begin = arena_grow(ctx->arena, r->begin, r->n, cap, sizeof(size_t));
        r->end = arena_grow(ctx->arena, r->end, r->n, cap, sizeof(size_t));
        r->cap = cap;
    }
    r->begin[r->n] = b;
    r->end[r->n] = e;
    r->n++;
}
