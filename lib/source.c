/*
 * source.c - reading migration files safely, and mapping offsets to lines and columns.
 *
 * Everything a user can point rollsafe at goes through rs_source_load: FIFOs, directories,
 * devices, binary files and other encodings are refused here with a message that says what was
 * found and where, so nothing later has to guard against them.
 */
#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/arena.h"

static void index_lines(struct arena *a, struct rs_source *src)
{
    const char *t = src->text, *end = t + src->len;
    size_t n = 1;
    for (const char *p = t; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
        n++;
    src->lines = arena_alloc_uninit(a, n * sizeof(*src->lines));
    src->nlines = n;
    size_t k = 0;
    src->lines[k++] = 0;
    for (const char *p = t; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
        src->lines[k++] = (size_t)(p - t) + 1;
}

/* Returns the offset of the first invalid UTF-8 sequence, or len when the text is valid. */
static size_t utf8_check(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        /* ASCII, the bulk of any migration, eight bytes at a time. */
        uint64_t w;
        if (len - i >= sizeof(w)) {
            memcpy(&w, s + i, sizeof(w));
            if (!(w & 0x8080808080808080u)) {
                i += sizeof(w);
                continue;
            }
        }
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        unsigned int cp;
        if ((c & 0xE0) == 0xC0) {
            n = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 4;
            cp = c & 0x07;
        } else {
            return i;
        }
        if (i + n > len)
            return i;
        for (size_t k = 1; k < n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += n;
    }
    return len;
}

static const char *describe_mode(mode_t m)
{
    if (S_ISDIR(m))
        return "a directory";
    if (S_ISFIFO(m))
        return "a FIFO (named pipe)";
    if (S_ISSOCK(m))
        return "a socket";
    if (S_ISCHR(m) || S_ISBLK(m))
        return "a device";
    return "not a regular file";
}

/* Whether an open of path that failed with error e failed because the path does not resolve,
   as a look-up would have found (one that succeeds: the file is there, and cannot be read). */
static bool not_there(const char *path, int e)
{
    struct stat st;
    return e == ENOENT || e == ENOTDIR || stat(path, &st) < 0;
}

bool rs_missing_report(const struct rs_missing *missing, struct rs_diag *diag)
{
    if (!missing->optional)
        rs_diag_add(diag, missing->path, 0, 0, missing->hint, "%s", missing->message);
    return missing->optional;
}

struct rs_source *rs_source_load(struct arena *a, const char *path, struct rs_diag *diag)
{
    bool absent;
    return rs_source_load_as(a, path, NULL, diag, &absent);
}

struct rs_source *rs_source_load_as(struct arena *a, const char *path,
                                    const struct rs_missing *missing, struct rs_diag *diag,
                                    bool *absent)
{
    *absent = false;
    /* O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    int e = fd < 0 ? errno : 0; /* before the calls below change errno */
    if (fd < 0 && missing && not_there(path, e)) {
        *absent = rs_missing_report(missing, diag);
        return NULL;
    }
    struct stat st;
    if (fd < 0 && (e == ENXIO || e == EOPNOTSUPP) && stat(path, &st) == 0 &&
        !S_ISREG(st.st_mode)) {
        /* A socket cannot be opened at all: say what it is, as for a FIFO. */
        rs_diag_add(diag, path, 0, 0, "only regular files can be migrations; remove or exclude it",
                    "cannot read: it is %s", describe_mode(st.st_mode));
        return NULL;
    }
    if (fd < 0) {
        rs_diag_add(diag, path, 0, 0,
                    e == ENOENT   ? "check the path; migrations are read from the directory given"
                    : e == EACCES ? "make the file readable by the user running rollsafe"
                    : e == ELOOP  ? "remove the symbolic-link loop"
                                  : NULL,
                    "cannot open: %s", strerror(e));
        return NULL;
    }
    bool got = fstat(fd, &st) == 0;
    if (got && S_ISDIR(st.st_mode) && missing) {
        /* A directory is not the file looked for: the file is not there. */
        close(fd);
        *absent = rs_missing_report(missing, diag);
        return NULL;
    }
    if (!got || !S_ISREG(st.st_mode)) {
        rs_diag_add(diag, path, 0, 0, "only regular files can be migrations; remove or exclude it",
                    "cannot read: it is %s", describe_mode(st.st_mode));
        close(fd);
        return NULL;
    }
    if ((size_t)st.st_size > RS_SOURCE_MAX) {
        rs_diag_add(diag, path, 0, 0, "split the migration, or exclude the file",
                    "file is too large (%lld bytes; the limit is %zu MiB)", (long long)st.st_size,
                    RS_SOURCE_MAX >> 20);
        close(fd);
        return NULL;
    }
    /* One byte more than the file holds: a read that does not fill the buffer is the end of
       the file, without a second read to find it. */
    size_t cap = (size_t)st.st_size + 1;
    char *buf = arena_alloc_uninit(a, cap + 1);
    size_t len = 0;
    for (;;) {
        if (len == cap) {
            /* The file grew while being read (or st_size lied, as in /proc). */
            if (cap >= RS_SOURCE_MAX) {
                rs_diag_add(diag, path, 0, 0, "split the migration, or exclude the file",
                            "file is too large (over %zu MiB)", RS_SOURCE_MAX >> 20);
                close(fd);
                return NULL;
            }
            size_t ncap = cap ? cap * 2 : 4096;
            buf = arena_grow(a, buf, len, ncap + 1, 1);
            cap = ncap;
        }
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            rs_diag_add(diag, path, 0, 0, NULL, "read error: %s", strerror(errno));
            close(fd);
            return NULL;
        }
        if (r == 0)
            break;
        len += (size_t)r;
        if (len < cap)
            break; /* a short read of a regular file: its end */
    }
    close(fd);
    buf[len] = '\0';
    return rs_source_from_bytes(a, path, buf, len, diag);
}

struct rs_source *rs_source_from_bytes(struct arena *a, const char *path, char *buf, size_t len,
                                       struct rs_diag *diag)
{
    struct rs_source *src = arena_alloc(a, sizeof(*src));
    src->path = arena_strdup(a, path);
    src->text = buf;
    src->len = len;

    if (len >= 2 && (!memcmp(buf, "\xFF\xFE", 2) || !memcmp(buf, "\xFE\xFF", 2))) {
        index_lines(a, src);
        rs_diag_add(diag, path, 1, 1,
                    "PostgreSQL migrations are read as UTF-8; convert the file, for example with "
                    "iconv -f UTF-16 -t UTF-8",
                    "file is UTF-16 text (it starts with a UTF-16 byte-order mark)");
        return NULL;
    }
    const char *nul = memchr(buf, '\0', len);
    if (nul) {
        index_lines(a, src);
        int line, col;
        rs_source_position(src, (size_t)(nul - buf), &line, &col);
        rs_diag_add(diag, path, line, col,
                    "this looks like a binary file or UTF-16 text; save migrations as UTF-8 "
                    "or exclude the file",
                    "file contains a NUL byte");
        return NULL;
    }
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        memset(buf, ' ', 3);
    size_t bad = utf8_check((const unsigned char *)buf, len);
    if (bad < len) {
        index_lines(a, src);
        int line, col;
        rs_source_position(src, bad, &line, &col);
        rs_diag_add(diag, path, line, col,
                    "PostgreSQL migrations are read as UTF-8; convert the file, for example "
                    "with iconv -f LATIN1 -t UTF-8",
                    "invalid UTF-8 (byte 0x%02X)", (unsigned char)buf[bad]);
        return NULL;
    }
    index_lines(a, src);
    return src;
}

struct rs_source *rs_source_unread(struct arena *a, const char *path,
                                   const struct rs_missing *missing)
{
    struct rs_source *src = arena_alloc(a, sizeof(*src));
    src->path = arena_strdup(a, path);
    src->text = "";
    src->unread = true;
    src->missing = missing;
    return src;
}

bool rs_script_read(struct arena *a, struct rs_script *s, struct rs_diag *diag)
{
    if (!s->src || !s->src->unread)
        return true;
    struct arena quiet_arena = ARENA_INIT;
    struct rs_diag quiet;
    if (!diag) {
        rs_diag_init(&quiet, &quiet_arena);
        diag = &quiet;
    }
    bool absent;
    const struct rs_source *got =
        rs_source_load_as(a, s->src->path, s->src->missing, diag, &absent);
    arena_free(&quiet_arena);
    /* The source was made writable by rs_source_unread; only its reader changes it. */
    struct rs_source *src = (struct rs_source *)s->src;
    if (absent) {
        src->unread = false;
        src->absent = true;
        index_lines(a, src); /* a valid empty source all the same */
        return true;         /* an empty script, as rs_script_whole made it */
    }
    if (!got)
        return false;
    src->text = got->text;
    src->len = got->len;
    src->lines = got->lines;
    src->nlines = got->nlines;
    src->unread = false;
    s->text = src->text;
    s->begin = 0;
    s->end = src->len;
    return true;
}

struct rs_source *rs_source_from_string(struct arena *a, const char *path, const char *text)
{
    struct rs_source *src = arena_alloc(a, sizeof(*src));
    src->path = arena_strdup(a, path);
    src->len = strlen(text);
    src->text = arena_strndup(a, text, src->len);
    index_lines(a, src);
    return src;
}

void rs_source_position(const struct rs_source *src, size_t offset, int *line, int *column)
{
    if (offset > src->len)
        offset = src->len;
    size_t lo = 0, hi = src->nlines;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (src->lines[mid] <= offset)
            lo = mid;
        else
            hi = mid;
    }
    int col = 1;
    for (size_t i = src->lines[lo]; i < offset; i++)
        if (((unsigned char)src->text[i] & 0xC0) != 0x80)
            col++;
    *line = (int)lo + 1;
    *column = col;
}

size_t rs_source_line_offset(const struct rs_source *src, int line)
{
    if (line < 1)
        return 0;
    if ((size_t)line > src->nlines)
        return src->len;
    return src->lines[line - 1];
}

const char *rs_source_line(const struct rs_source *src, int line, size_t *len)
{
    size_t b = rs_source_line_offset(src, line);
    /* The line ends at the '\n' before the next line's start, or at the end of the text. */
    size_t e = line >= 1 && (size_t)line < src->nlines ? src->lines[line] - 1 : src->len;
    if (e < b)
        e = b;
    if (e > b && src->text[e - 1] == '\r')
        e--;
    *len = e - b;
    return src->text + b;
}

void rs_script_whole(struct rs_script *s, const struct rs_source *src)
{
    s->src = src;
    s->text = src->text;
    s->begin = 0;
    s->end = src->len;
    s->first_line = 1;
    s->ahead = NULL;
}

void rs_script_ranges(struct rs_script *s, struct arena *a, const struct rs_source *src,
                      const size_t *begin, const size_t *end, size_t n)
{
    char *t = arena_alloc(a, src->len + 1);
    for (size_t i = 0; i < src->len; i++)
        t[i] = src->text[i] == '\n' ? '\n' : ' ';
    for (size_t i = 0; i < n; i++) {
        size_t b = begin[i] < src->len ? begin[i] : src->len;
        size_t e = end[i] < src->len ? end[i] : src->len;
        if (e > b)
            memcpy(t + b, src->text + b, e - b);
    }
    t[src->len] = '\0';
    s->src = src;
    s->text = t;
    s->ahead = NULL;
    s->begin = n ? begin[0] : 0;
    s->end = n ? end[n - 1] : 0;
    int col;
    rs_source_position(src, s->begin, &s->first_line, &col);
}
