/*
 * layout.h - migration layouts: how a tool lays out its migration files, orders them, pairs ups
 * with downs, and wraps them in transactions.
 *
 * A layout turns a directory into an ordered list of migrations. It reads files (through
 * source.c) and comments that are directives of the tool (goose annotations, dbmate sections,
 * Liquibase changesets), but never parses SQL: statements are the parser's business.
 *
 * Adding a layout is one new file in lib/layout/ plus one line in layouts.def.
 */
#ifndef RS_LAYOUT_H
#define RS_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "rollsafe/diag.h"
#include "source.h"

struct arena;

/* How a migration tool runs one script. Decides whether CONCURRENTLY is allowed, how long locks
 * are held, and whether a failure part-way leaves a partial change. */
enum rs_txmode {
    RS_TX_WRAPPED,  /* the tool opens a transaction around the script (BEGIN ... COMMIT) */
    RS_TX_IMPLICIT, /* the script is sent as one simple-query message: PostgreSQL runs it as one
                       implicit transaction unless the script has its own BEGIN/COMMIT */
    RS_TX_NONE,     /* statements run one by one, each committing on its own */
    RS_TX_GROUP,    /* all pending migrations run together in one transaction (Drizzle) */
    RS_TX_SCRIPT,   /* as written: only the script's own BEGIN/COMMIT make transactions (psql,
                       sqitch, plain files) */
};

const char *rs_txmode_name(enum rs_txmode m);

struct rs_migration {
    const char *id;     /* version, as the tool orders and names it ("0042", "20190226002946") */
    const char *name;   /* description part of the name ("drop_username"), may be "" */
    const char *layout; /* the layout's name */
    struct rs_script up;
    struct rs_script down; /* down.src == NULL when there is none */
    bool down_expected;    /* the layout pairs downs with ups and this migration has none */
    enum rs_txmode up_tx, down_tx;
    bool repeatable;  /* Flyway R__ scripts: re-run whenever they change */
    const char *note; /* layout remark shown with the migration (e.g. "down is a U file"),
                         or NULL */
};

struct rs_migration_list {
    struct rs_migration *v;
    size_t n, cap;
};

struct rs_layout_ctx {
    struct arena *arena;  /* owns every migration, source and string produced */
    struct rs_diag *diag; /* errors: unreadable files, malformed directives, bad names */
    const char *dir;      /* the migrations directory as given */
    /* Paths to leave out (config "exclude"), matched with fnmatch against the path relative to
       dir; may be NULL. */
    const char *const *exclude;
    size_t nexclude;
    bool plain_in_transaction; /* plain layout: assume the runner wraps each file in a tx */
    /* Files that are whole scripts are not read here but left unread (rs_source_unread) for
       the caller to read with rs_script_read: `rollsafe check` reads them in two threads, as
       it parses them. Files whose text decides the layout's result (goose sections, directives,
       configuration) are read here all the same. */
    bool defer_reads;
    /* Two threads may share the system calls of detection and loading (listing directories,
       looking up files, reading their first bytes): `rollsafe check` sets it when it parses
       in two threads too. They do when there are at least share_min of them (0: 512); tests
       lower it to run the two-thread path on small directories. */
    bool two_threads;
    size_t share_min;
    /* Directory listings already read, so that detection by every layout and the load read
       and sort each directory once, and the first bytes of the files detection looked into.
       Private to lib/layout; start it NULL. */
    struct layout_listings *listings;
};

struct rs_layout {
    const char *name;        /* as given to --layout: "golang-migrate" */
    const char *description; /* one line for --help and the docs */
    /* How sure the layout is that dir is one of its own: 0 (not mine) to 100 (certain).
       wins_at is the score the layout needs to be chosen (the other layouts have been asked
       before it, or are cheaper to ask; see rs_layout_detect): a detector returns 0, without
       looking further, as soon as it knows it cannot reach it. */
    int (*detect)(struct rs_layout_ctx *ctx, int wins_at);
    /* What asking detect costs at most: 0 a few names looked up, 1 the directory listed, 2 files
       read or subdirectories looked into, 3 the whole tree listed. The cheaper are asked first. */
    int detect_cost;
    /* Appends the migrations of ctx->dir to out, in the tool's order. Returns 0, or -1 with at
       least one error in ctx->diag. A directory with no migration is not an error. */
    int (*load)(struct rs_layout_ctx *ctx, struct rs_migration_list *out);
};

/* All layouts, NULL-terminated, in the order of layouts.def. */
extern const struct rs_layout *const rs_layouts[];

const struct rs_layout *rs_layout_find(const char *name);
/* Picks the layout with the highest detect score, the first in rs_layouts[] on a tie (plain
   when none claims the directory). Returns NULL and an error when dir cannot be listed. */
const struct rs_layout *rs_layout_detect(struct rs_layout_ctx *ctx);

/*
 * Loads the migrations at path: a directory (layout given or detected) or a single .sql file
 * (a plain migration of its own). Returns 0 or -1 with errors in ctx->diag.
 */
int rs_layout_load_path(struct rs_layout_ctx *ctx, const char *path, const char *layout_name,
                        const struct rs_layout **used, struct rs_migration_list *out);

/* Natural order: digit runs compare by value ("2_a" < "10_a", "0009" < "00010"). */
int rs_natural_cmp(const char *a, const char *b);

#endif
