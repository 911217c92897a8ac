/*
 * layout_int.h - what the layout files share: directory listing, file names, lines, errors.
 *
 * Private to lib/layout/. Every helper allocates from ctx->arena and reports through ctx->diag;
 * none prints. Nothing here knows a particular tool: tool rules live in the tool's own file.
 */
#ifndef RS_LAYOUT_INT_H
#define RS_LAYOUT_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "layout.h"

/* ---- the layouts, declared once from layouts.def ---- */

#define LAYOUT(ident) extern const struct rs_layout rs_layout_##ident;
#include "layouts.def"
#undef LAYOUT

/*
 * Layouts that can read a single file (rs_layout_load_path on a file): src is the file, already
 * read. Same contract as rs_layout.load.
 */
typedef int (*layout_file_loader)(struct rs_layout_ctx *ctx, const struct rs_source *src,
                                  struct rs_migration_list *out);
int rs_plain_load_file(struct rs_layout_ctx *ctx, const struct rs_source *src,
                       struct rs_migration_list *out);
int rs_goose_load_file(struct rs_layout_ctx *ctx, const struct rs_source *src,
                       struct rs_migration_list *out);
int rs_dbmate_load_file(struct rs_layout_ctx *ctx, const struct rs_source *src,
                        struct rs_migration_list *out);
int rs_liquibase_load_file(struct rs_layout_ctx *ctx, const struct rs_source *src,
                           struct rs_migration_list *out);

/* What a file's text says about the tool that wrote it (for detection; text may be a prefix). */
bool rs_goose_text_is_goose(const char *text);
bool rs_dbmate_text_is_dbmate(const char *text);
bool rs_liquibase_text_is_formatted(const char *text);

/* ---- directory listing ---- */

enum layout_kind { LAYOUT_FILE, LAYOUT_DIR, LAYOUT_OTHER };

struct layout_entry {
    const char *name;      /* the entry's own name */
    const char *rel;       /* path relative to ctx->dir ("deploy/users.sql"); matched by exclude */
    const char *path;      /* ctx->dir joined with rel: for opening and for messages */
    enum layout_kind kind; /* after following symbolic links; LAYOUT_OTHER: FIFO, device... */
};

struct layout_entries {
    struct layout_entry *v;
    size_t n, cap;
};

/*
 * Lists the directory ctx->dir/rel (rel "" or NULL: ctx->dir itself) into out, sorted by name in
 * natural order. Hidden entries (".x") and entries matched by ctx->exclude are left out; broken
 * symbolic links and link loops are reported and left out. Returns 0, or -1 when the directory
 * itself cannot be listed. With quiet, nothing is added to ctx->diag (detection uses it).
 */
int layout_list(struct rs_layout_ctx *ctx, const char *rel, bool quiet, struct layout_entries *out);
/*
 * Like layout_list, but descends into subdirectories and returns only files (regular or not),
 * sorted by rel. A directory reached again through a symbolic link is reported as a loop and not
 * entered twice. Returns -1 only when ctx->dir itself cannot be listed.
 */
int layout_list_tree(struct rs_layout_ctx *ctx, bool quiet, struct layout_entries *out);
/* qsort that accepts an empty array (base may then be NULL). */
void layout_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
/* Closes what layout_exists keeps open to look files up (rs_layout_load_path does it at its
   end; a caller of rs_layout.detect alone calls it). The listings stay. */
void layout_release(struct rs_layout_ctx *ctx);
/* Looks up what ctx->dir/rels[i] are, in two threads when ctx->two_threads and there are enough
   of them (otherwise nothing is done here): layout_exists then answers about them without a
   system call. For a load that asks about the same few files in each of hundreds of
   directories. */
void layout_look_ahead(struct rs_layout_ctx *ctx, const char *const *rels, size_t n);
/* Whether ctx->exclude leaves out the path rel (relative to ctx->dir). */
bool layout_excluded(const struct rs_layout_ctx *ctx, const char *rel);
/* Whether ctx->dir/rel exists, is not excluded, and is of the kind given (symbolic links
   followed). */
bool layout_exists(struct rs_layout_ctx *ctx, const char *rel, enum layout_kind kind);
/*
 * Detection by content: looks at the first cap bytes (at most 16384) of each of the first 64
 * files of ctx->dir whose name is_sql accepts, in listing order, and returns score for the first
 * whose text is_tool accepts; 0 when none does, the directory cannot be listed, or score is
 * under wins_at (rs_layout.detect). Quiet. Each file is read once for all the layouts that
 * look, and a small one read whole is not read again by layout_read or layout_read_whole.
 */
int layout_detect_text(struct rs_layout_ctx *ctx, bool (*is_sql)(const char *name), size_t cap,
                       bool (*is_tool)(const char *text), int score, int wins_at);
/*
 * Reads, in listing order, every entry of ctx->dir but subdirectories whose name is_sql accepts,
 * and passes each to load (whose errors are in ctx->diag); one that cannot be read is
 * reported and skipped. whole: load only makes a whole-file script of each, so the files are
 * read through layout_read_whole. Returns -1 when ctx->dir itself cannot be listed, else 0.
 */
int layout_load_each(struct rs_layout_ctx *ctx, bool (*is_sql)(const char *name),
                     layout_file_loader load, bool whole, struct rs_migration_list *out);
/* ctx->dir joined with rel, in the arena. */
const char *layout_join(struct rs_layout_ctx *ctx, const char *rel);

/* ---- names ---- */

bool layout_ends_with(const char *s, const char *suffix);
/* Whether name is something followed by ".sql" in any case ("a.SQL" yes, ".sql" no). */
bool layout_is_sql(const char *name);
/* The last component of path without a ".sql" suffix (layout_is_sql), in the arena. */
const char *layout_sql_stem(struct rs_layout_ctx *ctx, const char *path);
/* s without its last n bytes, in the arena. */
char *layout_cut(struct rs_layout_ctx *ctx, const char *s, size_t n);
/*
 * Splits a file stem into version and description: the leading digits are the id, one separator
 * ('_', '-' or '.') is skipped, the rest is the name ("0042_drop_username" -> "0042",
 * "drop_username"). Without leading digits the whole stem is the id and the name is "".
 * Returns whether the stem starts with a digit.
 */
bool layout_split_id(struct rs_layout_ctx *ctx, const char *stem, const char **id,
                     const char **name);
/* Compares two digit strings by value ("0009" < "10"); equal values compare equal. */
int layout_number_cmp(const char *a, size_t na, const char *b, size_t nb);

/* ---- migrations ---- */

/* Appends a zeroed migration with layout set; id and name default to "". */
struct rs_migration *layout_push(struct rs_layout_ctx *ctx, struct rs_migration_list *out,
                                 const struct rs_layout *layout);
/* Reads path through rs_source_load (or takes what detection read, when that is the whole
   file); NULL with an error in ctx->diag. */
const struct rs_source *layout_read(struct rs_layout_ctx *ctx, const char *path);
/* A file that becomes one whole script (rs_script_whole): read as layout_read does, or left
   unread when ctx->defer_reads and detection did not read it whole (never NULL then: an
   unreadable file is found when it is read). */
const struct rs_source *layout_read_whole(struct rs_layout_ctx *ctx, const char *path);
/* layout_read_whole for ctx->dir/rel, which the layout has not looked up: missing says what it
   means when it is not there (rs_missing; a directory is not a file that is there, as for
   layout_exists). NULL, with nothing reported, when it is optional and not there. It is known
   not to be there when excluded or not in a listing read already; otherwise the open that reads
   it finds out, and a deferred read does when it reads the file (rs_script_read). */
const struct rs_source *layout_read_whole_at(struct rs_layout_ctx *ctx, const char *rel,
                                             const struct rs_missing *missing);

/* ---- lines of a source ---- */

struct layout_line {
    size_t begin; /* offset of the first byte of the line */
    size_t end;   /* offset of its end, before "\n" or "\r\n" */
    size_t next;  /* offset of the next line (src->len after the last one) */
};

/* Steps to the line starting at *pos; false at the end of the text. */
bool layout_next_line(const struct rs_source *src, size_t *pos, struct layout_line *line);
/* Skips spaces and tabs from p up to end. */
size_t layout_skip_space(const char *text, size_t p, size_t end);
/* Whether text[p..end) starts with word, ignoring ASCII case. */
bool layout_starts_with_ci(const char *text, size_t p, size_t end, const char *word);
/* Whether the line is blank or a "--" comment (after leading white space). */
bool layout_line_is_comment_or_blank(const struct rs_source *src, const struct layout_line *l);
/* Appends an error at a byte offset of src (line and column computed). */
void layout_error_at(struct rs_layout_ctx *ctx, const struct rs_source *src, size_t offset,
                     const char *hint, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* A list of byte ranges, to build a script with rs_script_ranges. */
struct layout_ranges {
    size_t *begin, *end;
    size_t n, cap;
};
/* Appends [b, e), merging it with the previous range when they touch. Ranges must come sorted. */
void layout_range_add(struct rs_layout_ctx *ctx, struct layout_ranges *r, size_t b, size_t e);

/* Makes s from the ranges of r; an empty s (no range) is placed at offset anchor. */
void layout_script(struct rs_layout_ctx *ctx, struct rs_script *s, const struct rs_source *src,
                   const struct layout_ranges *r, size_t anchor);

#endif
