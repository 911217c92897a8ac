/*
 * csv.c - the CSV of a pg_stat_statements export (psql's \copy ... csv header), read as
 * RFC 4180 says: comma-separated fields, LF or CRLF between records, double quotes around
 * fields that hold commas, quotes or line breaks, a quote inside written twice.
 *
 * It keeps file offsets for every byte of a value so that a query inside a CSV field is
 * reported at its own line. It does not guess delimiters or encodings.
 */
#include "internal.h"

int rs_csv_record(const char *text, size_t len, size_t *pos, struct rs_csv_field *fields,
                  size_t max)
{
    size_t p = *pos;
    if (p >= len)
        return 0;
    int n = 0;
    for (;;) {
        struct rs_csv_field f = {p, p, false};
        if (p < len && text[p] == '"') {
            f.quoted = true;
            size_t q = p + 1;
            for (;;) {
                if (q >= len) {
                    *pos = p;
                    return -1;
                }
                if (text[q] == '"') {
                    if (q + 1 < len && text[q + 1] == '"') {
                        q += 2;
                        continue;
                    }
                    break;
                }
                q++;
            }
            p = q + 1;
            /* Anything between the closing quote and the delimiter belongs to the field (not
               RFC 4180, but what a lenient reader does with `"a"b,`). */
            while (p < len && text[p] != ',' && text[p] != '\n' && text[p] != '\r')
                p++;
        } else {
            while (p < len && text[p] != ',' && text[p] != '\n' && text[p] != '\r')
                p++;
        }
        f.end = p;
        if ((size_t)n < max)
            fields[n] = f;
        n++;
        if (p < len && text[p] == ',') {
            p++;
            continue;
        }
        if (p < len && text[p] == '\r')
            p++;
        if (p < len && text[p] == '\n')
            p++;
        break;
    }
    *pos = p;
    return n;
}

char *rs_csv_value(struct arena *a, const char *text, const struct rs_csv_field *f, size_t *len,
                   size_t **map)
{
    size_t cap = f->end - f->begin;
    char *out = arena_alloc(a, cap + 1);
    size_t *m = map ? arena_alloc(a, (cap + 1) * sizeof(*m)) : NULL;
    size_t n = 0;
    size_t p = f->begin, end = f->end;
    if (f->quoted) {
        p++;
        /* The closing quote: the last quote of the field that is not part of a pair. */
        size_t q = p;
        while (q < end) {
            if (text[q] == '"' && q + 1 < end && text[q + 1] == '"') {
                q += 2;
                continue;
            }
            if (text[q] == '"')
                break;
            q++;
        }
        for (size_t i = p; i < q; i++) {
            size_t at = i; /* a doubled quote is at its first quote */
            if (text[i] == '"' && i + 1 < q && text[i + 1] == '"')
                i++;
            if (m)
                m[n] = at;
            out[n++] = text[i];
        }
        p = q < end ? q + 1 : q;
    }
    for (size_t i = p; i < end; i++) {
        if (m)
            m[n] = i;
        out[n++] = text[i];
    }
    if (m)
        m[n] = end;
    out[n] = '\0';
    *len = n;
    if (map)
        *map = m;
    return out;
}
