/*
 * unpack.c - decodes libpg_query's packed parse tree into protobuf-c's message structs, fast.
 *
 * protobuf-c's own unpacker is generic and, for each message, loops over every field of its
 * descriptor (twice) and allocates a bitmap. pg_query's Node is a oneof of some 250 fields, so
 * that loop dominated the analysis: unpacking cost a third of parsing itself. This decoder fills
 * the very same structs (protobuf-c's descriptors give the offsets, so translate.c cannot tell
 * the difference) in one pass that only looks at the fields present, and allocates from the
 * arena.
 *
 * Every Node is allocated with a header holding the bytes it was decoded from, so that an
 * expression can be handed back to libpg_query's deparser without packing it again
 * (sqlx_node_bytes).
 *
 * What it deliberately does not do: keep unknown fields (nothing reads them), merge a message
 * field that occurs twice (the last one wins; libpg_query never writes one twice), or check
 * required fields (proto3 has none).
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Messages nested deeper than this are refused (the statement becomes a finding, parse.c): the
   decoder and the walks over the tree recurse once per level, and a tree libpg_query accepts can
   be 40,000 levels deep (20,000 chained ||), which overflows the stack of a sanitizer build.
   8,000 messages is about 4,000 levels of expression; migrations use a few dozen. */
#define UNPACK_MAX_DEPTH 8000

struct dec {
    struct arena *a;
    int depth;
    unsigned child_max; /* tallest message decoded so far at the current level */
};

/* ---------------------------------------------------------------- wire format */

/* Reads a varint at *p (< end). Returns false when it is truncated or longer than 10 bytes. */
static bool get_varint(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
    uint64_t v = 0;
    const uint8_t *q = *p;
    for (unsigned shift = 0; shift < 70 && q < end; shift += 7) {
        uint8_t b = *q++;
        v |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80)) {
            *p = q;
            *out = v;
            return true;
        }
    }
    return false;
}

enum { WIRE_VARINT = 0, WIRE_64BIT = 1, WIRE_LEN = 2, WIRE_32BIT = 5 };

/* Skips the value of a field of wire type wt. */
static bool skip_value(const uint8_t **p, const uint8_t *end, unsigned wt)
{
    uint64_t v;
    switch (wt) {
    case WIRE_VARINT:
        return get_varint(p, end, &v);
    case WIRE_64BIT:
        if (end - *p < 8)
            return false;
        *p += 8;
        return true;
    case WIRE_32BIT:
        if (end - *p < 4)
            return false;
        *p += 4;
        return true;
    case WIRE_LEN:
        if (!get_varint(p, end, &v) || v > (uint64_t)(end - *p))
            return false;
        *p += v;
        return true;
    default:
        return false; /* groups (3, 4) are not used by proto3 */
    }
}

const ProtobufCFieldDescriptor *sqlx_field(const ProtobufCMessageDescriptor *d, uint64_t id)
{
    /* Field numbers are mostly 1..n in order, and the array is sorted by number. */
    if (id - 1 < d->n_fields && d->fields[id - 1].id == id)
        return &d->fields[id - 1];
    size_t lo = 0, hi = d->n_fields;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->fields[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < d->n_fields && d->fields[lo].id == id ? &d->fields[lo] : NULL;
}

/* The wire type a value of type t is written with (unpacked). */
static unsigned wire_type_of(ProtobufCType t)
{
    switch (t) {
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_FLOAT:
        return WIRE_32BIT;
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_DOUBLE:
        return WIRE_64BIT;
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_BYTES:
    case PROTOBUF_C_TYPE_MESSAGE:
        return WIRE_LEN;
    default:
        return WIRE_VARINT;
    }
}

/* ---------------------------------------------------------------- values */

static ProtobufCMessage *decode_message(struct dec *dc, const ProtobufCMessageDescriptor *d,
                                        const uint8_t *p, size_t len);

/* Decodes one scalar of type t at *p (its wire type already checked) into out. */
static bool decode_scalar(const uint8_t **p, const uint8_t *end, ProtobufCType t, void *out)
{
    uint64_t v;
    switch (wire_type_of(t)) {
    case WIRE_32BIT: {
        if (end - *p < 4)
            return false;
        uint32_t u = (uint32_t)(*p)[0] | (uint32_t)(*p)[1] << 8 | (uint32_t)(*p)[2] << 16 |
                     (uint32_t)(*p)[3] << 24;
        memcpy(out, &u, 4);
        *p += 4;
        return true;
    }
    case WIRE_64BIT: {
        if (end - *p < 8)
            return false;
        uint64_t u = 0;
        for (int i = 7; i >= 0; i--)
            u = u << 8 | (*p)[i];
        memcpy(out, &u, 8);
        *p += 8;
        return true;
    }
    default:
        break;
    }
    if (!get_varint(p, end, &v))
        return false;
    switch (t) {
    case PROTOBUF_C_TYPE_SINT32: {
        int32_t s = (int32_t)((uint32_t)v >> 1) ^ -(int32_t)((uint32_t)v & 1);
        memcpy(out, &s, 4);
        break;
    }
    case PROTOBUF_C_TYPE_SINT64: {
        int64_t s = (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
        memcpy(out, &s, 8);
        break;
    }
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_UINT64:
        memcpy(out, &v, 8);
        break;
    case PROTOBUF_C_TYPE_BOOL: {
        protobuf_c_boolean b = v != 0;
        memcpy(out, &b, sizeof(b));
        break;
    }
    default: { /* int32, uint32, enum: the low 32 bits, as protobuf-c does */
        uint32_t u = (uint32_t)v;
        memcpy(out, &u, 4);
        break;
    }
    }
    return true;
}

/* Decodes a length-delimited value (string, bytes or message) of field f into out. */
static bool decode_len(struct dec *dc, const ProtobufCFieldDescriptor *f, const uint8_t *p,
                       size_t len, void *out)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_STRING: {
        char *s = arena_strndup(dc->a, (const char *)p, len);
        memcpy(out, &s, sizeof(s));
        return true;
    }
    case PROTOBUF_C_TYPE_BYTES: {
        ProtobufCBinaryData b = {len, len ? arena_alloc(dc->a, len) : NULL};
        if (len)
            memcpy(b.data, p, len);
        memcpy(out, &b, sizeof(b));
        return true;
    }
    default: {
        ProtobufCMessage *m = decode_message(dc, f->descriptor, p, len);
        memcpy(out, &m, sizeof(m));
        return m != NULL;
    }
    }
}

/* ---------------------------------------------------------------- repeated fields */

/* Makes room for k more elements in the repeated field f of msg; returns the first new one. */
static unsigned char *repeated_extend(struct dec *dc, unsigned char *msg,
                                      const ProtobufCFieldDescriptor *f, size_t k)
{
    size_t *n = (size_t *)(msg + f->quantifier_offset);
    void **arr = (void **)(msg + f->offset);
    size_t sz = sqlx_elt_size(f->type);
    /* The same field written again further on (protobuf-c never does): grow by copying. */
    *arr = arena_grow(dc->a, *arr, *n, *n + k, sz);
    unsigned char *first = (unsigned char *)*arr + *n * sz;
    *n += k;
    return first;
}

/* A packed run of scalars (proto3's default for repeated numbers). */
static bool decode_packed(struct dec *dc, unsigned char *msg, const ProtobufCFieldDescriptor *f,
                          const uint8_t *p, const uint8_t *end)
{
    size_t count = 0;
    unsigned wt = wire_type_of(f->type);
    if (wt == WIRE_32BIT || wt == WIRE_64BIT) {
        size_t w = wt == WIRE_32BIT ? 4 : 8;
        if ((size_t)(end - p) % w)
            return false;
        count = (size_t)(end - p) / w;
    } else {
        for (const uint8_t *q = p; q < end; q++)
            count += !(*q & 0x80);
        if (end > p && (end[-1] & 0x80))
            return false;
    }
    if (!count)
        return true;
    unsigned char *out = repeated_extend(dc, msg, f, count);
    size_t sz = sqlx_elt_size(f->type);
    for (size_t i = 0; i < count; i++)
        if (!decode_scalar(&p, end, f->type, out + i * sz))
            return false;
    return p == end;
}

/* The elements of repeated field f starting at *p with the key just read: this one and the
   ones that follow it directly with the same key, decoded into one allocation. */
static bool decode_repeated(struct dec *dc, unsigned char *msg, const ProtobufCFieldDescriptor *f,
                            uint64_t key, const uint8_t **p, const uint8_t *end)
{
    unsigned wt = (unsigned)(key & 7);
    size_t count = 1;
    const uint8_t *q = *p;
    if (!skip_value(&q, end, wt))
        return false;
    for (;;) {
        const uint8_t *r = q;
        uint64_t k2;
        if (r >= end || !get_varint(&r, end, &k2) || k2 != key || !skip_value(&r, end, wt))
            break;
        count++;
        q = r;
    }
    unsigned char *out = repeated_extend(dc, msg, f, count);
    size_t sz = sqlx_elt_size(f->type);
    for (size_t i = 0; i < count; i++) {
        uint64_t k2, len = 0;
        if (i > 0 && !get_varint(p, end, &k2)) /* the same key, checked above */
            return false;
        if (wt == WIRE_LEN) {
            if (!get_varint(p, end, &len) || len > (uint64_t)(end - *p) ||
                !decode_len(dc, f, *p, (size_t)len, out + i * sz))
                return false;
            *p += len;
        } else if (!decode_scalar(p, end, f->type, out + i * sz)) {
            return false;
        }
    }
    return true;
}

/* ---------------------------------------------------------------- messages */

static ProtobufCMessage *decode_message(struct dec *dc, const ProtobufCMessageDescriptor *d,
                                        const uint8_t *p, size_t len)
{
    if (++dc->depth > UNPACK_MAX_DEPTH) {
        dc->depth--;
        return NULL;
    }
    unsigned saved_max = dc->child_max;
    dc->child_max = 0;
    unsigned char *msg = (unsigned char *)sqlx_message_new(dc->a, d, p, len);

    const uint8_t *end = p + len;
    bool ok = true;
    while (ok && p < end) {
        uint64_t key;
        if (!get_varint(&p, end, &key) || (key >> 3) == 0 || (key >> 3) > UINT32_MAX) {
            ok = false;
            break;
        }
        unsigned wt = (unsigned)(key & 7);
        const ProtobufCFieldDescriptor *f = sqlx_field(d, key >> 3);
        if (!f) {
            ok = skip_value(&p, end, wt);
            continue;
        }
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            if (wt == WIRE_LEN && wire_type_of(f->type) != WIRE_LEN) {
                uint64_t n;
                ok = get_varint(&p, end, &n) && n <= (uint64_t)(end - p) &&
                     decode_packed(dc, msg, f, p, p + n);
                p += ok ? n : 0;
            } else {
                ok = wt == wire_type_of(f->type) && decode_repeated(dc, msg, f, key, &p, end);
            }
            continue;
        }
        if (wt != wire_type_of(f->type)) {
            ok = false;
            break;
        }
        void *out = msg + f->offset;
        if (wt == WIRE_LEN) {
            uint64_t n;
            ok = get_varint(&p, end, &n) && n <= (uint64_t)(end - p) &&
                 decode_len(dc, f, p, (size_t)n, out);
            p += ok ? n : 0;
        } else {
            ok = decode_scalar(&p, end, f->type, out);
        }
        if (!ok)
            break;
        sqlx_mark_present(msg, f);
    }
    dc->depth--;
    unsigned height = dc->child_max + 1;
    if (d == &pg_query__node__descriptor)
        sqlx_node_set_height((Node *)msg, height);
    dc->child_max = saved_max > height ? saved_max : height;
    return ok ? (ProtobufCMessage *)msg : NULL;
}

PgQuery__ParseResult *sqlx_unpack(struct arena *a, const uint8_t *bytes, size_t len)
{
    struct dec dc = {a, 0, 0};
    return (PgQuery__ParseResult *)decode_message(&dc, &pg_query__parse_result__descriptor, bytes,
                                                  len);
}

ProtobufCMessage *sqlx_message_new(struct arena *a, const ProtobufCMessageDescriptor *d,
                                   const uint8_t *bytes, size_t len)
{
    return sqlx_message_at(arena_alloc_uninit(a, sqlx_message_size(d)), d, bytes, len);
}

const uint8_t *sqlx_node_bytes(const Node *n, size_t *len, unsigned *height)
{
    const struct sqlx_node_header *h = (const struct sqlx_node_header *)n - 1;
    *len = h->len;
    *height = h->height;
    return h->bytes;
}

/* ---------------------------------------------------------------- packing */

/*
 * The packed form of a message, as protobuf-c writes it, in time linear in its size. protobuf-c's
 * own packer measures each nested message again at every level above it. Here a first pass
 * measures every message once, in pre-order, and the second writes in the same order, reading
 * the lengths back.
 */
struct pack {
    size_t *sizes;
    size_t n, cap, next;
};

size_t sqlx_varint_size(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

uint8_t *sqlx_put_varint(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

/* The varint a scalar of type t at v is written as (wire type varint). */
static uint64_t scalar_varint(ProtobufCType t, const void *v)
{
    switch (t) {
    case PROTOBUF_C_TYPE_SINT32: {
        int32_t s;
        memcpy(&s, v, 4);
        return (uint32_t)((uint32_t)s << 1) ^ (uint32_t)(s >> 31);
    }
    case PROTOBUF_C_TYPE_SINT64: {
        int64_t s;
        memcpy(&s, v, 8);
        return ((uint64_t)s << 1) ^ (uint64_t)(s >> 63);
    }
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_UINT64: {
        uint64_t u;
        memcpy(&u, v, 8);
        return u;
    }
    case PROTOBUF_C_TYPE_BOOL: {
        protobuf_c_boolean b;
        memcpy(&b, v, sizeof(b));
        return b != 0;
    }
    case PROTOBUF_C_TYPE_UINT32: {
        uint32_t u;
        memcpy(&u, v, 4);
        return u;
    }
    default: { /* int32, enum: negative values take ten bytes */
        int32_t s;
        memcpy(&s, v, 4);
        return (uint64_t)(int64_t)s;
    }
    }
}

/* Whether field f's single value at v is left out (proto3: zero, empty, NULL). */
static bool value_absent(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f,
                         const void *v)
{
    const unsigned char *base = (const unsigned char *)m;
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
        uint32_t c;
        memcpy(&c, base + f->quantifier_offset, sizeof(c));
        if (c != f->id)
            return true;
    } else if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->quantifier_offset &&
               f->type != PROTOBUF_C_TYPE_MESSAGE && f->type != PROTOBUF_C_TYPE_STRING) {
        protobuf_c_boolean has;
        memcpy(&has, base + f->quantifier_offset, sizeof(has));
        return !has;
    }
    switch (f->type) {
    case PROTOBUF_C_TYPE_MESSAGE:
    case PROTOBUF_C_TYPE_STRING: {
        const char *s;
        memcpy(&s, v, sizeof(s));
        if (!s)
            return true;
        /* A oneof member is written even when empty; a plain string only when not. */
        return f->type == PROTOBUF_C_TYPE_STRING && !(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
               f->label == PROTOBUF_C_LABEL_NONE && !*s;
    }
    case PROTOBUF_C_TYPE_BYTES: {
        ProtobufCBinaryData b;
        memcpy(&b, v, sizeof(b));
        return f->label == PROTOBUF_C_LABEL_NONE && !(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
               b.len == 0;
    }
    default:
        if (f->label != PROTOBUF_C_LABEL_NONE || (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
            return false;
        size_t sz = sqlx_elt_size(f->type);
        static const unsigned char zero[8];
        return memcmp(v, zero, sz) == 0;
    }
}

static size_t measure(struct pack *pk, const ProtobufCMessage *m);

/* The fields of m to look at: a Node holds one of some 250, named by its case. */
static void fields_of(const ProtobufCMessage *m, const ProtobufCFieldDescriptor **first,
                      unsigned *n)
{
    const ProtobufCMessageDescriptor *d = m->descriptor;
    if (d == &pg_query__node__descriptor) {
        const Node *node = (const Node *)m;
        *first = node->node_case ? sqlx_field(d, node->node_case) : NULL;
        *n = *first != NULL;
        return;
    }
    *first = d->fields;
    *n = d->n_fields;
}

/* Bytes of one value of f at v, without its key. */
static size_t value_size(struct pack *pk, const ProtobufCFieldDescriptor *f, const void *v)
{
    switch (wire_type_of(f->type)) {
    case WIRE_32BIT:
        return 4;
    case WIRE_64BIT:
        return 8;
    case WIRE_LEN: {
        size_t n;
        if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
            const ProtobufCMessage *sub;
            memcpy(&sub, v, sizeof(sub));
            n = measure(pk, sub);
        } else if (f->type == PROTOBUF_C_TYPE_STRING) {
            const char *s;
            memcpy(&s, v, sizeof(s));
            n = strlen(s);
        } else {
            ProtobufCBinaryData b;
            memcpy(&b, v, sizeof(b));
            n = b.len;
        }
        return sqlx_varint_size(n) + n;
    }
    default:
        return sqlx_varint_size(scalar_varint(f->type, v));
    }
}

static size_t measure(struct pack *pk, const ProtobufCMessage *m)
{
    size_t slot = pk->n;
    if (pk->n == pk->cap)
        pk->sizes = heap_grow(pk->sizes, &pk->cap, pk->n + 1, sizeof(*pk->sizes), 64);
    pk->n++;
    const unsigned char *base = (const unsigned char *)m;
    size_t total = 0;
    const ProtobufCFieldDescriptor *fields;
    unsigned nfields;
    fields_of(m, &fields, &nfields);
    for (unsigned i = 0; i < nfields; i++) {
        const ProtobufCFieldDescriptor *f = &fields[i];
        size_t key = sqlx_varint_size((uint64_t)f->id << 3);
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t cnt;
            memcpy(&cnt, base + f->quantifier_offset, sizeof(cnt));
            const unsigned char *arr;
            memcpy(&arr, base + f->offset, sizeof(arr));
            size_t sz = sqlx_elt_size(f->type), body = 0;
            for (size_t k = 0; k < cnt; k++)
                body += value_size(pk, f, arr + k * sz);
            if (cnt && (f->flags & PROTOBUF_C_FIELD_FLAG_PACKED))
                total += key + sqlx_varint_size(body) + body;
            else
                total += cnt * key + body;
            continue;
        }
        if (value_absent(m, f, base + f->offset))
            continue;
        total += key + value_size(pk, f, base + f->offset);
    }
    pk->sizes[slot] = total;
    return total;
}

static uint8_t *write_message(struct pack *pk, const ProtobufCMessage *m, uint8_t *p);

static uint8_t *write_value(struct pack *pk, const ProtobufCFieldDescriptor *f, const void *v,
                            uint8_t *p)
{
    switch (wire_type_of(f->type)) {
    case WIRE_32BIT: {
        uint32_t u;
        memcpy(&u, v, 4);
        for (int i = 0; i < 4; i++)
            *p++ = (uint8_t)(u >> (8 * i));
        return p;
    }
    case WIRE_64BIT: {
        uint64_t u;
        memcpy(&u, v, 8);
        for (int i = 0; i < 8; i++)
            *p++ = (uint8_t)(u >> (8 * i));
        return p;
    }
    case WIRE_LEN:
        if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
            const ProtobufCMessage *sub;
            memcpy(&sub, v, sizeof(sub));
            p = sqlx_put_varint(p, pk->sizes[pk->next]);
            return write_message(pk, sub, p);
        } else if (f->type == PROTOBUF_C_TYPE_STRING) {
            const char *s;
            memcpy(&s, v, sizeof(s));
            size_t n = strlen(s);
            p = sqlx_put_varint(p, n);
            memcpy(p, s, n);
            return p + n;
        } else {
            ProtobufCBinaryData b;
            memcpy(&b, v, sizeof(b));
            p = sqlx_put_varint(p, b.len);
            if (b.len)
                memcpy(p, b.data, b.len);
            return p + b.len;
        }
    default:
        return sqlx_put_varint(p, scalar_varint(f->type, v));
    }
}

static uint8_t *write_message(struct pack *pk, const ProtobufCMessage *m, uint8_t *p)
{
    pk->next++;
    const unsigned char *base = (const unsigned char *)m;
    const ProtobufCFieldDescriptor *fields;
    unsigned nfields;
    fields_of(m, &fields, &nfields);
    for (unsigned i = 0; i < nfields; i++) {
        const ProtobufCFieldDescriptor *f = &fields[i];
        unsigned wt = wire_type_of(f->type);
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t cnt;
            memcpy(&cnt, base + f->quantifier_offset, sizeof(cnt));
            const unsigned char *arr;
            memcpy(&arr, base + f->offset, sizeof(arr));
            size_t sz = sqlx_elt_size(f->type);
            if (cnt && (f->flags & PROTOBUF_C_FIELD_FLAG_PACKED)) {
                size_t body = 0;
                for (size_t k = 0; k < cnt; k++)
                    body += value_size(pk, f, arr + k * sz);
                p = sqlx_put_varint(p, (uint64_t)f->id << 3 | WIRE_LEN);
                p = sqlx_put_varint(p, body);
                for (size_t k = 0; k < cnt; k++)
                    p = write_value(pk, f, arr + k * sz, p);
            } else {
                for (size_t k = 0; k < cnt; k++) {
                    p = sqlx_put_varint(p, (uint64_t)f->id << 3 | wt);
                    p = write_value(pk, f, arr + k * sz, p);
                }
            }
            continue;
        }
        if (value_absent(m, f, base + f->offset))
            continue;
        p = sqlx_put_varint(p, (uint64_t)f->id << 3 | wt);
        p = write_value(pk, f, base + f->offset, p);
    }
    return p;
}

uint8_t *sqlx_pack(struct arena *a, const ProtobufCMessage *m, size_t *len)
{
    struct pack pk = {0};
    size_t n = measure(&pk, m);
    uint8_t *buf = arena_alloc_uninit(a, n ? n : 1);
    uint8_t *end = write_message(&pk, m, buf);
    free(pk.sizes);
    assert((size_t)(end - buf) == n);
    (void)end;
    *len = n;
    return buf;
}
