/*
 * source.h - migration files in memory: text, line index, positions, encoding checks.
 *
 * A source is a whole file. A script is the part of a source that one migration direction runs
 * (a goose Up section, a Liquibase rollback, or the whole file). Scripts keep file offsets: the
 * script text has the same length as the file, with everything outside the script blanked to
 * spaces (newlines kept), so a position in the script is a position in the file.
 *
 * This file does not know SQL and does not know layouts.
 */
#ifndef RS_SOURCE_H
#define RS_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "rollsafe/diag.h"

struct arena;
struct rs_parse_ahead;

struct rs_source {
    const char *path; /* as given (relative paths stay relative) */
    const char *text; /* NUL-terminated; len bytes, no NUL inside */
    size_t len;
    size_t *lines; /* start offset of each line */
    size_t nlines;
    /* Not read yet (rs_source_unread): only path is set, until rs_script_read reads the file
       of the one whole-file script made of it. */
    bool unread;
    /* What it means when the file of an unread source is not there (rs_source_unread);
       NULL: an error like any file that cannot be opened. */
    const struct rs_missing *missing;
    /* The file was not there and missing->optional: the script is absent (rs_script_present). */
    bool absent;
};

/*
 * A file that a layout did not look up before making a source of it, the open that reads it
 * telling whether it is there: what it means when the path does not resolve (it does not
 * exist, a dangling or looping symbolic link, a directory on the way that cannot be searched)
 * or names a directory, as a look-up for a file would find.
 */
struct rs_missing {
    bool optional;       /* the script is absent, with no error (a Diesel down.sql) */
    const char *path;    /* otherwise an error at path (say, the migration's directory), */
    const char *message; /* saying message, */
    const char *hint;    /* with hint as what to do */
};

/* The file missing is about is not there: reports it to diag unless it is optional; returns
   whether it is optional (the script is then absent). */
bool rs_missing_report(const struct rs_missing *missing, struct rs_diag *diag);

/* Largest migration file rollsafe reads. */
#define RS_SOURCE_MAX ((size_t)256 * 1024 * 1024)

/*
 * Reads path into the arena. Refuses what is not a regular file, unreadable files, files over
 * RS_SOURCE_MAX, NUL bytes and invalid UTF-8, each with an rs_error naming the position and what
 * to do. Returns NULL on error. A UTF-8 byte-order mark is blanked.
 */
struct rs_source *rs_source_load(struct arena *a, const char *path, struct rs_diag *diag);
/* rs_source_load, where a file that is not there is what missing says (NULL: an error like any
   other); NULL, with *absent set and nothing reported, when it is optional and not there. */
struct rs_source *rs_source_load_as(struct arena *a, const char *path,
                                    const struct rs_missing *missing, struct rs_diag *diag,
                                    bool *absent);
/* The checks and line index of rs_source_load, for a file already read into buf: len bytes
   of the arena, NUL-terminated, which the source keeps (a byte-order mark is blanked in it). */
struct rs_source *rs_source_from_bytes(struct arena *a, const char *path, char *buf, size_t len,
                                       struct rs_diag *diag);
/* A source whose file is read later, by rs_script_read, in whichever thread parses it; its
   text is empty until then. Layouts make these for `rollsafe check` (rs_layout_ctx.defer_reads),
   so that two threads read and parse at once. missing (kept, not copied; NULL: an error like
   any file that cannot be opened) says what it means when the file is not there. */
struct rs_source *rs_source_unread(struct arena *a, const char *path,
                                   const struct rs_missing *missing);
/* Wraps text already in memory (tests, stdin); text is copied. Never fails. */
struct rs_source *rs_source_from_string(struct arena *a, const char *path, const char *text);
/* Converts a byte offset to a 1-based line and a 1-based column counted in characters. */
void rs_source_position(const struct rs_source *src, size_t offset, int *line, int *column);
/* Returns the text of line n (1-based) without its newline, and its length in *len. */
const char *rs_source_line(const struct rs_source *src, int line, size_t *len);
/* Offset of the first byte of line n (1-based). */
size_t rs_source_line_offset(const struct rs_source *src, int line);

struct rs_script {
    const struct rs_source *src; /* NULL: the script is absent */
    const char *text;            /* NUL-terminated, src->len bytes, positions = file positions */
    size_t begin, end;           /* the span of the file that the script covers */
    int first_line;              /* line of begin, for messages about the script as a whole */
    /* Set while a helper thread parses the script ahead (lib/sql/prefetch.c); NULL
       otherwise. Only the parser looks at it. */
    struct rs_parse_ahead *ahead;
};

/* The whole file as one script (an empty one while src is unread). */
void rs_script_whole(struct rs_script *s, const struct rs_source *src);
/* Whether the migration has this script: it has a source, and reading it did not find that an
   optional file is not there. */
static inline bool rs_script_present(const struct rs_script *s)
{
    return s->src && !s->src->absent;
}
/*
 * Reads the file of a whole-file script whose source is unread (rs_source_unread) into arena a,
 * with every check of rs_source_load, and gives the script its text. Errors go to diag, or
 * nowhere when diag is NULL (the caller reads the file again for them). True when the script
 * has its text, read now or before, or is found absent (an optional file that is not there: its
 * source is then marked absent, its text empty). Only the thread that owns the script calls it.
 */
bool rs_script_read(struct arena *a, struct rs_script *s, struct rs_diag *diag);
/*
 * A script made of the byte ranges [begin[i], end[i]) of src; everything else becomes spaces.
 * Ranges must be sorted and disjoint.
 */
void rs_script_ranges(struct rs_script *s, struct arena *a, const struct rs_source *src,
                      const size_t *begin, const size_t *end, size_t n);

#endif
