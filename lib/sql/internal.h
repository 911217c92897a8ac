/*
 * internal.h - shared between the files of lib/sql/, the only folder that includes libpg_query.
 *
 * Nothing outside lib/sql/ may include this header.
 */
#ifndef RS_SQL_INTERNAL_H
#define RS_SQL_INTERNAL_H

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

#include "stmt.h"
#include "util/arena.h"

typedef PgQuery__Node Node;

/* libpg_query 18 (PostgreSQL 18's grammar) moved RETURNING lists into a ReturningClause. */
#if PG_VERSION_NUM >= 180000
#define SQLX_RETURNING(s) ((s)->returning_clause ? (s)->returning_clause->exprs : NULL)
#define SQLX_NRETURNING(s) ((s)->returning_clause ? (s)->returning_clause->n_exprs : 0)
#else
#define SQLX_RETURNING(s) ((s)->returning_list)
#define SQLX_NRETURNING(s) ((s)->n_returning_list)
#endif

/* Translation context of one parsed text. */
struct sqlx {
    struct arena *a;       /* where the translated statements go */
    struct arena *scratch; /* the protobuf tree and temporary buffers, freed after the text */
    const char *text;      /* the text that was parsed (node locations are offsets into it) */
    size_t base;           /* file offset of text[0] */
    /* File offsets of the columns of PostgreSQL 18 NOT NULL constraints that parse.c wrote as
       CHECK (column) for the built-in grammar, sorted; a CHECK of a bare column there is read
       back as NOT NULL. */
    const size_t *not_null_at;
    size_t n_not_null_at;
};

/* Texts longer than this are parsed in batches of statements of about SQLX_BATCH bytes (see
   parse.c), to bound libpg_query's memory. */
#define SQLX_BIG_TEXT ((size_t)2 << 20)
#define SQLX_BATCH ((size_t)1 << 20)

/* translate.c */
void sqlx_translate(struct sqlx *x, const Node *node, struct rs_stmt *st);

/* expr.c */
struct rs_expr *sqlx_expr(struct sqlx *x, const Node *node);
/* The canonical text of an expression node ("now()", "'x'::text"). */
const char *sqlx_deparse_expr(struct sqlx *x, const Node *node);
/* The same, always through libpg_query's deparser (node not NULL). */
const char *sqlx_deparse_expr_pg(struct sqlx *x, const Node *node);
/* The text of an expression of the common shapes (constants, columns, calls, casts, operators,
   IS NULL, AND/OR/NOT) as libpg_query's deparser writes it; NULL for any other. */
const char *sqlx_deparse_native(struct sqlx *x, const Node *node);
const char *sqlx_string(const Node *n); /* String node value, or NULL */
/* Appends the dotted name parts of a list of String nodes; returns the last part. */
const char *sqlx_last_name(Node *const *items, size_t n);
void sqlx_qname_from_list(struct sqlx *x, Node *const *items, size_t n, struct rs_qname *out);
void sqlx_type(struct sqlx *x, const PgQuery__TypeName *tn, struct rs_type *out);
int sqlx_loc(const struct sqlx *x, int location);

/* Generic walk over any message of the tree. The callback returns false to skip the children
 * of that message. */
typedef bool (*sqlx_visit_fn)(const ProtobufCMessage *m, void *ctx);
void sqlx_walk(const ProtobufCMessage *m, sqlx_visit_fn fn, void *ctx);

/* unpack.c */
/* Decodes libpg_query's packed parse result into the arena: the same structs as protobuf-c's
 * unpacker fills. Returns NULL when the bytes are malformed. The bytes must outlive the tree:
 * Nodes point back into them (sqlx_node_bytes). */
PgQuery__ParseResult *sqlx_unpack(struct arena *a, const uint8_t *bytes, size_t len);
/* The packed bytes a Node of a tree from sqlx_unpack was decoded from (NULL for a tree from
 * sqlx_unjson), and the height of its subtree in messages. */
const uint8_t *sqlx_node_bytes(const Node *n, size_t *len, unsigned *height);
/* A new message of type d, initialized; a Node gets the header sqlx_node_bytes reads, holding
 * bytes (may be NULL). */
ProtobufCMessage *sqlx_message_new(struct arena *a, const ProtobufCMessageDescriptor *d,
                                   const uint8_t *bytes, size_t len);

/* What every Node of a tree has in front of it (sqlx_node_bytes). */
struct sqlx_node_header {
    const uint8_t *bytes;
    size_t len;
    unsigned height; /* levels of messages from this Node down, itself included */
};

/* The bytes a message of type d takes, a Node's header included. */
static inline size_t sqlx_message_size(const ProtobufCMessageDescriptor *d)
{
    return d->sizeof_message +
           (d == &pg_query__node__descriptor ? sizeof(struct sqlx_node_header) : 0);
}

/* sqlx_message_new in mem, sqlx_message_size(d) bytes aligned for a pointer. Inline, as the
 * helpers below: the JSON decoder takes its memory in blocks and asks once per message. The
 * memory need not be zeroed: message_init sets every field. */
static inline ProtobufCMessage *sqlx_message_at(void *mem, const ProtobufCMessageDescriptor *d,
                                                const uint8_t *bytes, size_t len)
{
    unsigned char *msg = mem;
    if (d == &pg_query__node__descriptor) {
        struct sqlx_node_header *h = mem;
        *h = (struct sqlx_node_header){bytes, len, 0};
        msg = (unsigned char *)(h + 1);
    }
    d->message_init((ProtobufCMessage *)msg);
    return (ProtobufCMessage *)msg;
}

static inline void sqlx_node_set_height(Node *n, unsigned height)
{
    ((struct sqlx_node_header *)n - 1)->height = height;
}
/* Records that field f of msg was decoded: its oneof case, or its has_ flag. */
static inline void sqlx_mark_present(unsigned char *msg, const ProtobufCFieldDescriptor *f)
{
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
        uint32_t id = f->id;
        memcpy(msg + f->quantifier_offset, &id, sizeof(id));
    } else if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->quantifier_offset &&
               f->type != PROTOBUF_C_TYPE_MESSAGE && f->type != PROTOBUF_C_TYPE_STRING) {
        protobuf_c_boolean has = 1;
        memcpy(msg + f->quantifier_offset, &has, sizeof(has));
    }
}
/* Protocol buffer varints: the size of v, and v written at p (returns the end). */
size_t sqlx_varint_size(uint64_t v);
uint8_t *sqlx_put_varint(uint8_t *p, uint64_t v);
/* The packed form of message m (as libpg_query's deparser reads it), in the arena. */
uint8_t *sqlx_pack(struct arena *a, const ProtobufCMessage *m, size_t *len);
/* Size of one element of a repeated field of type t in protobuf-c's structs. */
static inline size_t sqlx_elt_size(ProtobufCType t)
{
    switch (t) {
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_DOUBLE:
        return 8;
    case PROTOBUF_C_TYPE_BOOL:
        return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_MESSAGE:
        return sizeof(void *);
    case PROTOBUF_C_TYPE_BYTES:
        return sizeof(ProtobufCBinaryData);
    default:
        return 4;
    }
}

/* unjson.c */
/* Decodes libpg_query's JSON parse result of text into the arena: the same structs as
 * sqlx_unpack gives for the packed form of the same parse. json[len] must be a NUL (as in the
 * string libpg_query returns). Returns NULL when the JSON is malformed or does not give every
 * value (a negative constant, see unjson.c): the caller then decodes the packed form. */
PgQuery__ParseResult *sqlx_unjson(struct arena *a, const char *json, size_t len, const char *text,
                                  size_t text_len);
/* The JSON string body s[0..n) (without its quotes) unescaped into the arena; NULL when an escape
 * is malformed. */
char *sqlx_json_unescape(struct arena *a, const char *s, size_t n);
/* The end (just past the closing quote) of the JSON string whose body starts at p, or NULL when
 * it is not closed before end. */
const char *sqlx_json_string_end(const char *p, const char *end);
/* The field of message type d that the JSON key names, or NULL. */
const ProtobufCFieldDescriptor *sqlx_json_field(const ProtobufCMessageDescriptor *d,
                                                const char *key);
/* The field with number id of a message type, or NULL. */
const ProtobufCFieldDescriptor *sqlx_field(const ProtobufCMessageDescriptor *d, uint64_t id);

/* body.c */
/* Whether text[0..len) may hold an identifier longer than RS_NAME_MAX bytes: false only when it
 * surely holds none. */
bool sqlx_may_hold_long_identifier(const char *text, size_t len);
/* The statement words (tags, and dynamic for EXECUTE) of a body that does not parse, as
 * rs_sql_body_summary finds them; with scanner, by PostgreSQL's scanner whatever the text. */
void sqlx_body_words(struct arena *a, const char *body, bool scanner, struct rs_body_summary *out);
/* rs_sql_string_literals read by PostgreSQL's scanner, whatever the text. */
size_t sqlx_string_literals_scanned(struct arena *a, const char *text, size_t len,
                                    const char ***out);
/* Past what starts at t[i] when it is a string literal, a comment, a dollar-quoted string or a
 * quoted name: the offset just after it, or SIZE_MAX when it is not closed; i + 1 for anything
 * else. E'', U&'' and the like are read as plain strings (enough to step over them). */
size_t sqlx_skip_quoted(const char *t, size_t i, size_t len);
/* Whether c may be part of an identifier (letters, digits, _, $ and any byte of UTF-8). */
bool sqlx_ident_byte(unsigned char c);
/* rs_sql_long_identifiers without that test first: PostgreSQL's scanner on every text. */
size_t sqlx_long_identifiers_scanned(struct arena *a, const char *text, size_t len,
                                     const char ***out);

/* prefetch.c */
struct rs_parse_ahead;
/* Takes the statements the helper made of a script being prefetched into *out (waiting for the
 * helper if it is working on it right now); false when the helper did not make them and the
 * caller parses the script itself. */
bool sqlx_prefetch_take(const struct rs_parse_ahead *h, struct rs_stmt_list *out);

/* parse.c */
/* rs_sql_parse_script without looking for the helper's work: what the helper itself runs. */
void sqlx_parse_script_here(struct arena *a, const struct rs_script *script,
                            struct rs_stmt_list *out);
/* What newer PostgreSQL grammar a statement s[0, n) that did not parse may be written for, as
 * its message words it ("PostgreSQL 18 syntax: ..."); NULL when nothing says. The string is
 * the thread's own until its next call. */
const char *sqlx_newer_grammar_hint(const char *s, size_t n);

/* query.c */
struct rs_query *sqlx_query(struct sqlx *x, const Node *node);
void sqlx_query_add_refs_from_expr(struct sqlx *x, struct rs_query *q, const Node *node);

#endif
