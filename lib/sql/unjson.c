/*
 * unjson.c - decodes libpg_query's JSON parse tree into protobuf-c's message structs.
 *
 * libpg_query writes the same tree two ways. The packed (protobuf) form costs four times the
 * parse itself: protobuf-c measures every nested message again at each level above it while
 * packing. The JSON form is written in one pass. This decoder fills the very structs unpack.c
 * fills from the packed form (protobuf-c's descriptors give the offsets), so translate.c cannot
 * tell which form a tree came from.
 *
 * The JSON names fields as PostgreSQL's structs do ("typeName", "is_local"), the proto file in
 * snake case ("type_name"): keys are matched to fields ignoring case and underscores; a Node's
 * single key is the name of the message it holds ("ColumnDef"). Enums are written by name.
 *
 * One loss in libpg_query 15's JSON is known and handled: an Integer node's value is written
 * only when it is above zero, so {"Integer":{}} is 0 or any negative number. The decoder gives
 * -1 where the grammar makes it (the bound of "int[]"), 0 where the text says 0, and refuses
 * the tree everywhere else (a negative constant, a negative option value): the caller then
 * parses the text the packed way. The tests compare both decodings over every corpus script.
 */
#include <assert.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util/strbuf.h"

/* As unpack.c: deeper trees are refused. */
#define UNJSON_MAX_DEPTH 8000

struct raw_table;

struct jdec {
    struct raw_table *raws;
    struct arena *a;
    const char *p, *end;
    const char *text; /* the SQL that was parsed: A_Const locations are checked against it */
    size_t text_len;
    int depth;
    unsigned child_max;
    bool lossy;  /* a Node holds an Integer without value: is it one the grammar makes -1? */
    bool refuse; /* a negative constant: the tree must come from the packed form */
    /* Elements of the arrays being decoded, innermost last (the thread's, see raw_table). */
    uint64_t *stack;
    size_t nstack, capstack;
    /* What is left of the block the tree's messages, strings and arrays are cut from. */
    unsigned char *block;
    size_t room;
};

/* ---------------------------------------------------------------- memory */

/* A tree is some fifty small pieces per statement (messages, strings, arrays): they are cut from
   blocks taken from the arena, so that the usual one costs a few instructions inline rather
   than a call. Pieces are aligned for a pointer, which protobuf-c's structs need. One bigger
   than a quarter block is taken on its own; what a block has left when a piece does not fit
   stays unused (less than a quarter block), and so does the end of a tree's last block. */
#define UNJSON_BLOCK 4096

static void *take_block(struct jdec *j, size_t n)
{
    if (n > UNJSON_BLOCK / 4)
        return arena_alloc_uninit(j->a, n);
    j->block = arena_alloc_uninit(j->a, UNJSON_BLOCK);
    j->room = UNJSON_BLOCK;
    void *p = j->block;
    j->block += n;
    j->room -= n;
    return p;
}

/* n bytes of the arena, not zeroed. */
static inline void *take(struct jdec *j, size_t n)
{
    n = (n + 7) & ~(size_t)7;
    if (j->room < n)
        return take_block(j, n);
    void *p = j->block;
    j->block += n;
    j->room -= n;
    return p;
}

/* ---------------------------------------------------------------- field names */

/* Does name, lower-cased and without underscores, read norm (already so)? */
static bool same_normalized(const char *name, const char *norm)
{
    for (;; name++) {
        char c = *name;
        if (c == '_')
            continue;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != *norm)
            return false;
        if (!c)
            return true;
        norm++;
    }
}

/*
 * The field of d that key (n bytes) names, or NULL: the descriptor's fields in their order, the
 * first match kept (a test checks that no message has two fields of one name). A Node's key is
 * the name of the message it holds. This runs once per distinct key and message type in a
 * thread (the table below remembers the answer), so a scan costs less than a table of every
 * field of the 250 message types, which had to be filled at the start of every run and touched
 * 300 pages of memory.
 */
static const ProtobufCFieldDescriptor *normalized_field(const ProtobufCMessageDescriptor *d,
                                                        const char *key, size_t n)
{
    char norm[48];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = key[i];
        if (c == '_')
            continue;
        if (k + 1 >= sizeof(norm))
            return NULL;
        norm[k++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    norm[k] = '\0';
    bool node = d == &pg_query__node__descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        const char *name = node && f->type == PROTOBUF_C_TYPE_MESSAGE
                               ? ((const ProtobufCMessageDescriptor *)f->descriptor)->short_name
                               : f->name;
        if (same_normalized(name, norm))
            return f;
    }
    return NULL;
}

/* Keys exactly as the JSON writes them, once matched: the next lookup of the same key of the
   same message type is one hash and one comparison. One table per thread, so that lookups take
   no lock; it starts small (a run meets a few hundred keys) and doubles when half full.

   Most keys are not even hashed. libpg_query writes a message's fields in one fixed order and
   leaves out the empty ones, so the key after a given key, and the first key of the message a
   given field holds, are nearly always one of the last two seen there (two: the field after is
   sometimes left out, a Node holds one of a few types): struct guess keeps their slots, and the
   text at the reading position is compared with those slots' keys a word at a time. A guess is
   checked against the slot's message type and every byte of its key, quotes and colon
   included: a stale one (the table grew since, or a decoder still holds an index from before)
   costs a lookup, never a wrong field. On lemmy 98% of the keys are guessed. */
#define KEY_WORDS 4 /* keys of up to 29 bytes are kept: the longest libpg_query writes has 28 */

struct raw_slot {
    const ProtobufCMessageDescriptor *d; /* NULL: a free slot */
    const ProtobufCFieldDescriptor *f;
    /* The key as the text has it, '"' key '":', then zero bytes to the end of the last word. */
    uint64_t key[KEY_WORDS];
    uint64_t last_mask; /* the bytes of key's last word that belong to it */
    /* An enum field: the value it had last (the next one is often the same), its name's length. */
    const ProtobufCEnumValue *ev;
    unsigned char len, words, ev_len;
};

#define RAW_SLOTS_FIRST 512
#define NO_SLOT UINT32_MAX

/* The slots of the last two different keys seen at one place in the text, the latest first. */
struct guess {
    uint32_t slot[2];
};

struct raw_table {
    size_t n, cap; /* cap: a power of two */
    struct raw_slot *v;
    /* guess[2 * s]: for the key that follows slot s's key; guess[2 * s + 1]: for the first key
       of the message that slot s's field holds; guess[2 * cap]: for the root message and after
       a key that no slot holds. */
    struct guess *guess;
    /* The decoder's stack of array elements (struct jdec), kept from one tree to the next. */
    uint64_t *stack;
    size_t capstack;
};

static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static pthread_key_t raw_key;

static void raw_table_free(void *p)
{
    struct raw_table *t = p;
    free(t->v);
    free(t->guess);
    free(t->stack);
    free(t);
}

static void make_key(void)
{
    /* Each thread's table of raw keys goes with the thread. */
    if (pthread_key_create(&raw_key, raw_table_free) != 0)
        rs_oom();
}

static _Thread_local struct raw_table *raws_mine;

/* Room for cap slots, free, and their guesses (all of slot 0: a guess like any other). */
static void raw_table_alloc(struct raw_table *t, size_t cap)
{
    t->v = calloc(cap, sizeof(*t->v));
    t->guess = calloc(2 * cap + 1, sizeof(*t->guess));
    if (!t->v || !t->guess)
        rs_oom();
    t->cap = cap;
}

static struct raw_table *raw_table(void)
{
    if (!raws_mine) {
        pthread_once(&key_once, make_key);
        struct raw_table *t = calloc(1, sizeof(*t));
        if (!t)
            rs_oom();
        raw_table_alloc(t, RAW_SLOTS_FIRST);
        raws_mine = t;
        pthread_setspecific(raw_key, t);
    }
    return raws_mine;
}

static inline uint64_t key_hash_seed(const ProtobufCMessageDescriptor *d)
{
    return (uint64_t)(uintptr_t)d * 0x9E3779B97F4A7C15u;
}

static inline uint64_t key_hash_step(uint64_t h, char c)
{
    return (h ^ (unsigned char)c) * 1099511628211u;
}

static uint64_t key_hash(const ProtobufCMessageDescriptor *d, const char *key, size_t n)
{
    uint64_t h = key_hash_seed(d);
    for (size_t i = 0; i < n; i++)
        h = key_hash_step(h, key[i]);
    return h;
}

/* Doubles t, placing every slot again. The guesses start over: they named slots by their place
   in the smaller table. */
static void raw_table_grow(struct raw_table *t)
{
    struct raw_slot *old = t->v;
    size_t old_cap = t->cap;
    free(t->guess);
    raw_table_alloc(t, old_cap * 2);
    size_t mask = t->cap - 1;
    for (size_t i = 0; i < old_cap; i++) {
        if (!old[i].d)
            continue;
        size_t k = key_hash(old[i].d, (const char *)old[i].key + 1, old[i].len) & mask;
        while (t->v[k].d)
            k = (k + 1) & mask;
        t->v[k] = old[i];
    }
    free(old);
}

/* Slot k of t made to hold key (n bytes) of d, naming f. */
static void raw_slot_fill(struct raw_table *t, size_t k, const ProtobufCMessageDescriptor *d,
                          const ProtobufCFieldDescriptor *f, const char *key, size_t n)
{
    struct raw_slot *s = &t->v[k];
    size_t m = n + 3;
    *s = (struct raw_slot){.d = d, .f = f, .len = (unsigned char)n};
    char *bytes = (char *)s->key;
    bytes[0] = '"';
    memcpy(bytes + 1, key, n);
    bytes[n + 1] = '"';
    bytes[n + 2] = ':';
    s->words = (unsigned char)((m + 7) / 8);
    /* The mask is written as bytes, so that it fits the words whatever the byte order. */
    unsigned char mask[8] = {0};
    memset(mask, 0xFF, m - 8 * (s->words - 1u));
    memcpy(&s->last_mask, mask, sizeof(mask));
}

/* Where t holds key (n bytes, hash h: key_hash(d, key, n)) of d, or the free slot where it
   would go. */
static size_t slot_find(const struct raw_table *t, const ProtobufCMessageDescriptor *d,
                        const char *key, size_t n, uint64_t h)
{
    size_t mask = t->cap - 1, k = h & mask;
    for (; t->v[k].d; k = (k + 1) & mask) {
        const struct raw_slot *s = &t->v[k];
        if (s->d == d && s->len == n && memcmp((const char *)s->key + 1, key, n) == 0)
            break;
    }
    return k;
}

/* The slot of t holding key (n bytes, hash h) of d, made when the key names a field and is
   short enough; NO_SLOT when there is none. *f: the field it names, or NULL. */
static uint32_t key_slot(struct raw_table *t, const ProtobufCMessageDescriptor *d, const char *key,
                         size_t n, uint64_t h, const ProtobufCFieldDescriptor **f)
{
    size_t k = slot_find(t, d, key, n, h);
    if (t->v[k].d) {
        *f = t->v[k].f;
        return (uint32_t)k;
    }
    *f = normalized_field(d, key, n);
    /* Only keys that name a field are kept; the table stays at most half full. */
    if (!*f || n + 3 > sizeof(t->v[k].key))
        return NO_SLOT;
    raw_slot_fill(t, k, d, *f, key, n);
    if (2 * ++t->n > t->cap) {
        raw_table_grow(t);
        k = slot_find(t, d, key, n, h);
    }
    return (uint32_t)k;
}

const ProtobufCFieldDescriptor *sqlx_json_field(const ProtobufCMessageDescriptor *d,
                                                const char *key)
{
    const ProtobufCFieldDescriptor *f;
    size_t n = strlen(key);
    key_slot(raw_table(), d, key, n, key_hash(d, key, n), &f);
    return f;
}

/* ---------------------------------------------------------------- the JSON text */

/* The text ends with a NUL at j->end (see sqlx_unjson): a byte compared with anything but NUL
   stops there, so the scans below need no test of the end. */
static inline __attribute__((always_inline)) void skip_ws(struct jdec *j)
{
    const char *p = j->p;
    while ((unsigned char)*p <= ' ' && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
        p++;
    j->p = p;
}

/* The character c (never NUL) at the reading position, after any blanks: steps over it.
   libpg_query writes no blanks, so c is looked for first. */
static inline __attribute__((always_inline)) bool eat(struct jdec *j, char c)
{
    const char *p = j->p;
    if (*p != c) {
        if ((unsigned char)*p > ' ')
            return false; /* another character: often asked (is it ',' or '}'?) */
        skip_ws(j);
        p = j->p;
        if (*p != c)
            return false;
    }
    j->p = p + 1;
    return true;
}

/* The literal word w (true, false, null) at the reading position: steps over it. */
static bool eat_word(struct jdec *j, const char *w)
{
    size_t k = strlen(w);
    if ((size_t)(j->end - j->p) < k || memcmp(j->p, w, k) != 0)
        return false;
    j->p += k;
    return true;
}

static bool hex4(const char *p, const char *end, unsigned *out)
{
    if (end - p < 4)
        return false;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hex_value(p[i]);
        if (h < 0)
            return false;
        v = v << 4 | (unsigned)h;
    }
    *out = v;
    return true;
}

static char *put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xC0 | cp >> 6);
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xE0 | cp >> 12);
        *o++ = (char)(0x80 | (cp >> 6 & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *o++ = (char)(0xF0 | cp >> 18);
        *o++ = (char)(0x80 | (cp >> 12 & 0x3F));
        *o++ = (char)(0x80 | (cp >> 6 & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    }
    return o;
}

/* A string at j->p (after its opening quote is checked): its raw span, and whether it holds
   escapes. */
const char *sqlx_json_string_end(const char *p, const char *end)
{
    const char *b = p;
    for (;;) {
        const char *q = memchr(p, '"', (size_t)(end - p));
        if (!q)
            return NULL;
        /* A quote preceded by an odd number of backslashes is escaped. */
        size_t bs = 0;
        while (q - bs > b && q[-1 - (ptrdiff_t)bs] == '\\')
            bs++;
        p = q + 1;
        if (bs % 2 == 0)
            return p;
    }
}

/* The rest of a string whose opening quote was read: its body s[0..n), and whether that holds
   escapes. */
static bool string_rest(struct jdec *j, const char **s, size_t *n, bool *escaped)
{
    const char *b = j->p, *e = sqlx_json_string_end(b, j->end);
    if (!e)
        return false;
    j->p = e;
    *s = b;
    *n = (size_t)(e - 1 - b);
    *escaped = memchr(b, '\\', *n) != NULL;
    return true;
}

static bool string_span(struct jdec *j, const char **s, size_t *n, bool *escaped)
{
    return eat(j, '"') && string_rest(j, s, n, escaped);
}

/* The bytes that end the plain run at the start of a string: its closing quote, an escape, and
   the NUL that may be the end of the text. */
static const bool string_stop[256] = {['\0'] = true, ['"'] = true, ['\\'] = true};

/* string_value for a string with escapes (or a NUL byte) in it, its opening quote read. */
static __attribute__((noinline)) char *string_escaped(struct jdec *j)
{
    const char *s;
    size_t n;
    bool escaped;
    if (!string_rest(j, &s, &n, &escaped))
        return NULL;
    if (!escaped)
        return arena_strndup(j->a, s, n);
    return sqlx_json_unescape(j->a, s, n);
}

/* The string value at j->p, unescaped into the arena. Most strings are names, short (seven
   bytes on average) and without escapes: one scan byte by byte finds their end. */
static inline __attribute__((always_inline)) char *string_value(struct jdec *j)
{
    if (!eat(j, '"'))
        return NULL;
    const char *b = j->p, *q = b;
    while (!string_stop[(unsigned char)*q])
        q++;
    if (*q != '"')
        return string_escaped(j);
    size_t n = (size_t)(q - b);
    char *out = take(j, n + 1);
    memcpy(out, b, n);
    out[n] = '\0';
    j->p = q + 1;
    return out;
}

char *sqlx_json_unescape(struct arena *a, const char *s, size_t n)
{
    char *out = arena_alloc(a, n + 1), *o = out;
    for (size_t i = 0; i < n; i++) {
        /* The text up to the next escape in one copy: escaped strings are mostly function
           bodies, a line break every few dozen bytes. */
        const char *e = memchr(s + i, '\\', n - i);
        size_t run = e ? (size_t)(e - (s + i)) : n - i;
        memcpy(o, s + i, run);
        o += run;
        i += run;
        if (i == n)
            break;
        if (++i >= n)
            return NULL;
        switch (s[i]) {
        case '"':
        case '\\':
        case '/':
            *o++ = s[i];
            break;
        case 'b':
            *o++ = '\b';
            break;
        case 'f':
            *o++ = '\f';
            break;
        case 'n':
            *o++ = '\n';
            break;
        case 'r':
            *o++ = '\r';
            break;
        case 't':
            *o++ = '\t';
            break;
        case 'u': {
            unsigned cp, lo;
            if (!hex4(s + i + 1, s + n, &cp))
                return NULL;
            i += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && i + 6 < n && s[i + 1] == '\\' && s[i + 2] == 'u' &&
                hex4(s + i + 3, s + n, &lo) && lo >= 0xDC00 && lo < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
            }
            /* Six bytes of escape never make more than four of UTF-8. */
            o = put_utf8(o, cp);
            break;
        }
        default:
            return NULL;
        }
    }
    *o = '\0';
    return out;
}

/* On a failure j->p is left where the number stopped making sense, as skip_value expects. */
static inline __attribute__((always_inline)) bool number_value(struct jdec *j, int64_t *out)
{
    skip_ws(j);
    const char *p = j->p;
    bool neg = *p == '-';
    p += neg;
    bool ok = *p >= '0' && *p <= '9';
    uint64_t v = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > (UINT64_MAX - 9) / 10) {
            ok = false;
            break;
        }
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (*p == '.' || *p == 'e' || *p == 'E')
        ok = false; /* no field of the tree is a floating-point number */
    j->p = p;
    if (ok)
        *out = neg ? -(int64_t)v : (int64_t)v;
    return ok;
}

static bool skip_value(struct jdec *j);
static bool skip_members(struct jdec *j, char open);

static bool skip_container(struct jdec *j, char open, char close)
{
    if (!eat(j, open))
        return false;
    if (eat(j, close))
        return true;
    if (j->depth >= UNJSON_MAX_DEPTH)
        return false;
    j->depth++;
    bool ok = skip_members(j, open);
    j->depth--;
    return ok && eat(j, close);
}

static bool skip_members(struct jdec *j, char open)
{
    do {
        if (open == '{') {
            const char *s;
            size_t n;
            bool e;
            if (!string_span(j, &s, &n, &e) || !eat(j, ':'))
                return false;
        }
        if (!skip_value(j))
            return false;
    } while (eat(j, ','));
    return true;
}

static bool skip_value(struct jdec *j)
{
    skip_ws(j);
    if (j->p >= j->end)
        return false;
    switch (*j->p) {
    case '{':
        return skip_container(j, '{', '}');
    case '[':
        return skip_container(j, '[', ']');
    case '"': {
        const char *s;
        size_t n;
        bool e;
        return string_span(j, &s, &n, &e);
    }
    default: {
        int64_t v;
        if (number_value(j, &v))
            return true;
        return eat_word(j, "true") || eat_word(j, "false") || eat_word(j, "null");
    }
    }
}

/* ---------------------------------------------------------------- values */

/* Where the guesses for a key are: after the key of a slot, or for the first key of the
   message its field holds (see struct raw_table). */
enum { GUESS_NEXT, GUESS_FIRST };

static inline uint32_t guess_after(const struct raw_table *t, uint32_t slot, unsigned which)
{
    return slot == NO_SLOT ? (uint32_t)(2 * t->cap) : 2 * slot + which;
}

/* Whether the text at p reads slot s's key of d, with its quotes and colon. */
static inline __attribute__((always_inline)) bool key_is(const struct raw_slot *s,
                                                         const ProtobufCMessageDescriptor *d,
                                                         const char *p, const char *end)
{
    if (s->d != d || (size_t)(end - p) < 8u * s->words)
        return false;
    unsigned last = s->words - 1u;
    uint64_t w;
    for (unsigned i = 0; i < last; i++) {
        memcpy(&w, p + 8 * i, sizeof(w));
        if (w != s->key[i])
            return false;
    }
    memcpy(&w, p + 8 * last, sizeof(w));
    return (w & s->last_mask) == s->key[last];
}

/* read_key when neither guess is the key: apart, so that the decoder's loop stays small. Keys
   are read and hashed in one pass (they are short and, in libpg_query's JSON, never escaped: an
   escaped one is an error). */
static __attribute__((noinline)) bool read_key_slow(struct jdec *j,
                                                    const ProtobufCMessageDescriptor *d, uint32_t g,
                                                    uint32_t *slot,
                                                    const ProtobufCFieldDescriptor **f)
{
    struct raw_table *t = j->raws;
    if (!eat(j, '"'))
        return false;
    const char *b = j->p, *p = b, *end = j->end;
    uint64_t h = key_hash_seed(d);
    while (p < end && *p != '"') {
        if (*p == '\\')
            return false;
        h = key_hash_step(h, *p++);
    }
    if (p == end)
        return false;
    j->p = p + 1;
    *slot = key_slot(t, d, b, (size_t)(p - b), h, f);
    if (*slot != NO_SLOT) {
        struct guess *gs = &t->guess[g]; /* after key_slot: the table may have grown */
        gs->slot[1] = gs->slot[0];
        gs->slot[0] = *slot;
    }
    return eat(j, ':');
}

/* A member's key and its colon. Sets *f to the field of d it names (NULL for none) and *slot to
   the key's slot (NO_SLOT when the table keeps none). g: where the guesses for this key are
   (guess_after); they are tried first, and the key becomes the latest. */
static inline __attribute__((always_inline)) bool read_key(struct jdec *j,
                                                           const ProtobufCMessageDescriptor *d,
                                                           uint32_t g, uint32_t *slot,
                                                           const ProtobufCFieldDescriptor **f)
{
    struct raw_table *t = j->raws;
    struct guess *gs = &t->guess[g];
    for (int way = 0; way < 2; way++) {
        uint32_t k = gs->slot[way];
        if (key_is(&t->v[k], d, j->p, j->end)) {
            j->p += t->v[k].len + 3;
            if (way) {
                gs->slot[1] = gs->slot[0];
                gs->slot[0] = k;
            }
            *slot = k;
            *f = t->v[k].f;
            return true;
        }
    }
    return read_key_slow(j, d, g, slot, f);
}

static ProtobufCMessage *decode_message(struct jdec *j, const ProtobufCMessageDescriptor *d,
                                        uint32_t guess);

/* The enum value the JSON string at the reading position names, NULL for none. slot: f's key
   slot, whose last value is tried first. */
static const ProtobufCEnumValue *enum_value(struct jdec *j, const ProtobufCFieldDescriptor *f,
                                            uint32_t slot)
{
    if (!eat(j, '"'))
        return NULL;
    struct raw_slot *rs = slot == NO_SLOT ? NULL : &j->raws->v[slot];
    const char *p = j->p;
    if (rs && rs->ev && (size_t)(j->end - p) > rs->ev_len &&
        memcmp(p, rs->ev->name, rs->ev_len) == 0 && p[rs->ev_len] == '"') {
        j->p = p + rs->ev_len + 1;
        return rs->ev;
    }
    const char *s;
    size_t n;
    bool e;
    char name[96];
    if (!string_rest(j, &s, &n, &e) || e || n >= sizeof(name))
        return NULL;
    memcpy(name, s, n);
    name[n] = '\0';
    const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value_by_name(f->descriptor, name);
    if (v && rs) {
        rs->ev = v;
        rs->ev_len = (unsigned char)n;
    }
    return v;
}

/* One value of field f (an element, for a repeated one) into out. slot: the slot of f's key
   (NO_SLOT for none). */
static inline __attribute__((always_inline)) bool
decode_value(struct jdec *j, const ProtobufCFieldDescriptor *f, uint32_t slot, void *out)
{
    /* Blanks before a value are skipped where it is read (eat, number_value). Most values are
       messages: asked before the switch. */
    if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
        ProtobufCMessage *m =
            decode_message(j, f->descriptor, guess_after(j->raws, slot, GUESS_FIRST));
        memcpy(out, &m, sizeof(m));
        return m != NULL;
    }
    switch (f->type) {
    case PROTOBUF_C_TYPE_STRING: {
        char *s = string_value(j);
        memcpy(out, &s, sizeof(s));
        return s != NULL;
    }
    case PROTOBUF_C_TYPE_ENUM: {
        const ProtobufCEnumValue *v = enum_value(j, f, slot);
        if (!v)
            return false;
        int32_t x = v->value;
        memcpy(out, &x, sizeof(x));
        return true;
    }
    case PROTOBUF_C_TYPE_BOOL: {
        protobuf_c_boolean b;
        skip_ws(j);
        if (eat_word(j, "true"))
            b = 1;
        else if (eat_word(j, "false"))
            b = 0;
        else
            return false;
        memcpy(out, &b, sizeof(b));
        return true;
    }
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64: {
        int64_t v;
        if (!number_value(j, &v))
            return false;
        if (sqlx_elt_size(f->type) == 8) {
            memcpy(out, &v, sizeof(v));
            return true;
        }
        if (v < INT32_MIN || v > UINT32_MAX)
            return false;
        uint32_t u = (uint32_t)v;
        memcpy(out, &u, sizeof(u));
        return true;
    }
    default:
        return false; /* float, double, bytes: not in the tree */
    }
}

static void push(struct jdec *j, uint64_t v)
{
    if (j->nstack == j->capstack)
        j->stack = heap_grow(j->stack, &j->capstack, j->nstack + 1, sizeof(*j->stack), 256);
    j->stack[j->nstack++] = v;
}

/* A JSON array into the repeated field f of msg. */
static bool decode_array(struct jdec *j, unsigned char *msg, const ProtobufCFieldDescriptor *f,
                         uint32_t slot)
{
    if (!eat(j, '['))
        return false;
    size_t first = j->nstack;
    if (!eat(j, ']')) {
        do {
            uint64_t elt = 0;
            if (!decode_value(j, f, slot, &elt)) {
                j->nstack = first;
                return false;
            }
            push(j, elt);
        } while (eat(j, ','));
        if (!eat(j, ']')) {
            j->nstack = first;
            return false;
        }
    }
    size_t n = j->nstack - first;
    size_t sz = sqlx_elt_size(f->type);
    unsigned char *arr = n ? take(j, n * sz) : NULL;
    if (sz == sizeof(*j->stack)) { /* messages and strings: the stack holds the array as it is */
        if (n)
            memcpy(arr, &j->stack[first], n * sz);
    } else {
        for (size_t i = 0; i < n; i++)
            memcpy(arr + i * sz, &j->stack[first + i], sz);
    }
    j->nstack = first;
    memcpy(msg + f->quantifier_offset, &n, sizeof(n));
    memcpy(msg + f->offset, &arr, sizeof(arr));
    return true;
}

/* ---------------------------------------------------------------- messages */

/* The value of an integer constant whose Integer has no value in the JSON, read from the SQL at
   its location: "0" (or "00"), or a minus sign, blanks or comments, and the digits of a
   negated constant (the grammar puts the constant's location on the sign). False when the text
   shows neither. */
static bool const_from_text(const struct jdec *j, int32_t loc, int32_t *out)
{
    if (loc < 0 || (size_t)loc >= j->text_len)
        return false;
    const char *t = j->text, *end = t + j->text_len, *p = t + loc;
    bool neg = *p == '-';
    if (neg) {
        p++;
        for (;;) {
            while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' ||
                               *p == '\v'))
                p++;
            if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
                while (p < end && *p != '\n' && *p != '\r') /* PostgreSQL ends it at either */
                    p++;
                continue;
            }
            if (end - p >= 2 && p[0] == '/' && p[1] == '*') {
                /* Block comments nest in PostgreSQL. */
                int depth = 0;
                do {
                    if (end - p >= 2 && p[0] == '/' && p[1] == '*') {
                        depth++;
                        p += 2;
                    } else if (end - p >= 2 && p[0] == '*' && p[1] == '/') {
                        depth--;
                        p += 2;
                    } else {
                        p++;
                    }
                } while (depth > 0 && p < end);
                if (depth > 0)
                    return false;
                continue;
            }
            break;
        }
    }
    int64_t v = 0;
    const char *digits = p;
    while (p < end && *p >= '0' && *p <= '9' && v <= INT32_MAX)
        v = v * 10 + (*p++ - '0');
    if (p == digits || v > INT32_MAX ||
        (p < end && (*p == '.' || *p == 'e' || *p == 'E' || *p == '_' || (*p | 0x20) == 'x')))
        return false;
    if (!neg && v != 0)
        return false; /* a positive value would have been in the JSON */
    *out = neg ? (int32_t)-v : 0;
    return true;
}

/* A message of type d; guess: where the guess for its first key is (see read_key). */
static ProtobufCMessage *decode_message(struct jdec *j, const ProtobufCMessageDescriptor *d,
                                        uint32_t guess)
{
    if (!eat(j, '{'))
        return NULL;
    if (++j->depth > UNJSON_MAX_DEPTH) {
        j->depth--;
        return NULL;
    }
    unsigned saved_max = j->child_max;
    j->child_max = 0;
    unsigned char *msg =
        (unsigned char *)sqlx_message_at(take(j, sqlx_message_size(d)), d, NULL, 0);
    bool ok = true;
    if (!eat(j, '}')) {
        do {
            const ProtobufCFieldDescriptor *f;
            uint32_t slot;
            if (!read_key(j, d, guess, &slot, &f)) {
                ok = false;
                break;
            }
            guess = guess_after(j->raws, slot, GUESS_NEXT);
            if (!f) {
                ok = skip_value(j);
                continue;
            }
            if (f->label == PROTOBUF_C_LABEL_REPEATED) {
                ok = decode_array(j, msg, f, slot);
                continue;
            }
            ok = decode_value(j, f, slot, msg + f->offset);
            if (!ok)
                break;
            sqlx_mark_present(msg, f);
        } while (ok && eat(j, ','));
        ok = ok && eat(j, '}');
    }
    j->depth--;
    unsigned height = j->child_max + 1;
    j->child_max = saved_max > height ? saved_max : height;
    if (!ok)
        return NULL;
    if (d == &pg_query__node__descriptor) {
        sqlx_node_set_height((Node *)msg, height);
        /* A Node holding an Integer with no value: 0 or negative, see the top of the file.
           sqlx_unjson then looks at where each one stands (fix_visit). */
        const Node *nd = (const Node *)msg;
        if (nd->node_case == PG_QUERY__NODE__NODE_INTEGER && nd->integer && nd->integer->ival == 0)
            j->lossy = true;
    } else if (d == &pg_query__a__const__descriptor) {
        /* Its Integer is not a Node: its value is read from the text here. */
        PgQuery__AConst *c = (PgQuery__AConst *)msg;
        if (c->val_case == PG_QUERY__A__CONST__VAL_IVAL && c->ival && c->ival->ival == 0 &&
            !const_from_text(j, c->location, &c->ival->ival))
            j->refuse = true;
    }
    return (ProtobufCMessage *)msg;
}

/* Whether the SQL holds "[0" (blanks allowed after the bracket): only then can an array bound
   without value be 0 rather than the -1 of "[]". */
static bool text_has_zero_bound(const char *t, size_t n)
{
    for (const char *p = t, *end = t + n; (p = memchr(p, '[', (size_t)(end - p))) != NULL;) {
        p++;
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
            p++;
        if (p < end && *p == '0')
            return true;
    }
    return false;
}

/* After decoding, for the Nodes holding an Integer without value (0 or negative): in
   TypeName.arrayBounds they are the -1 of "[]" unless the text has a "[0"; anywhere else the
   tree is refused. (A_Const's Integer is not a Node; it was read from the text already.) */
struct fix {
    const char *text;
    size_t len;
    bool bad;
};

static bool fix_visit(const ProtobufCMessage *m, void *ctx)
{
    struct fix *fx = ctx;
    if (m->descriptor == &pg_query__type_name__descriptor) {
        PgQuery__TypeName *t = (PgQuery__TypeName *)m;
        for (size_t i = 0; i < t->n_array_bounds; i++) {
            Node *b = t->array_bounds[i];
            if (!b || b->node_case != PG_QUERY__NODE__NODE_INTEGER || !b->integer ||
                b->integer->ival != 0)
                continue;
            if (text_has_zero_bound(fx->text, fx->len))
                fx->bad = true;
            else
                b->integer->ival = -1;
        }
        return !fx->bad;
    }
    if (m->descriptor == &pg_query__node__descriptor) {
        const Node *n = (const Node *)m;
        if (n->node_case == PG_QUERY__NODE__NODE_INTEGER && n->integer && n->integer->ival == 0)
            fx->bad = true;
    }
    return !fx->bad;
}

PgQuery__ParseResult *sqlx_unjson(struct arena *a, const char *json, size_t len, const char *text,
                                  size_t text_len)
{
    assert(json[len] == '\0');
    struct raw_table *t = raw_table();
    struct jdec j = {t,     a,     json,     json + len, text,        text_len, 0, 0,
                     false, false, t->stack, 0,          t->capstack, NULL,     0};
    PgQuery__ParseResult *pr = (PgQuery__ParseResult *)decode_message(
        &j, &pg_query__parse_result__descriptor, guess_after(j.raws, NO_SLOT, GUESS_FIRST));
    t->stack = j.stack;
    t->capstack = j.capstack;
    if (!pr || j.refuse)
        return NULL;
    if (j.lossy) {
        struct fix fx = {text, text_len, false};
        sqlx_walk(&pr->base, fix_visit, &fx);
        if (fx.bad)
            return NULL;
    }
    return pr;
}
