/* jsonloc.c -- a strict JSON scanner that remembers where every value is.
 *
 * cJSON builds a good tree but keeps no positions, and its error pointer
 * says nothing about what was expected. This file scans the original text
 * once, before cJSON sees it, and is the authority on syntax: only text it
 * accepts is handed to cJSON (scenario.c), and scenario.c then checks that
 * both trees have the same shape.
 *
 * What it records: a flat node table (JsonLoc.nodes) in document order, one
 * node per value, with the value's byte offset, line:col, its key's
 * position when it is an object member, and first-child/next-sibling links.
 * build.c walks that table in step with the cJSON tree.
 *
 * What it rejects, each with line:col and "expected X, got Y": the grammar
 * of RFC 8259 (no comments, no trailing commas, no single quotes, no
 * leading zeros, no NaN), empty and truncated files, trailing garbage,
 * invalid UTF-8 anywhere, raw control characters in strings, unpaired
 * surrogate escapes and \u0000 (cJSON would cut the string there), nesting
 * deeper than SCN_MAX_DEPTH, numbers longer than SCN_MAX_NUMBER characters
 * (cJSON copies at most 63), numbers that overflow a double (1e400),
 * strings longer than SCN_MAX_STRING bytes, and duplicate keys. A UTF-8
 * byte order mark is accepted and skipped.
 *
 * Invariants: the scanner is iterative (an explicit stack of at most
 * SCN_MAX_DEPTH frames), so no input can overflow the C stack; it never
 * reads past text[len-1]; the first syntax error ends the scan, while value
 * errors (duplicates, overflow, long strings) are all reported.
 *
 * Positions: lines are 1-based and end at "\n", "\r\n" or "\r"; columns are
 * 1-based and count code points, so a column is what an editor shows.
 *
 * Depends on: scn_int.h, mem.h.  Used by: scenario.c, build.c, tests.
 */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "scn_int.h"

/* One open array or object. */
typedef struct Frame {
    uint32_t node;    /* the container's node */
    uint32_t last;    /* its last child so far, or JL_NONE */
    uint32_t cur;     /* arrays: index of the element being read */
    bool is_obj;
    bool has_key;     /* objects: a key has been read */
    size_t key_off;   /* objects: the current key, decoded, in Scan.keys */
    size_t key_len;
    uint32_t key_src; /* objects: source offset of the current key's quote */
    uint32_t key_line, key_col;
} Frame;

/* Duplicate-key table entry: key bytes (decoded) of object `obj`. */
typedef struct KeyEnt {
    uint32_t obj; /* JL_NONE: empty slot */
    uint32_t hash;
    size_t off, len;
    uint32_t line, col;
} KeyEnt;

typedef struct Scan {
    JsonLoc *jl;
    DiagCtx *dc;
    const unsigned char *s;
    size_t len, pos;
    uint32_t line, col;
    Frame stack[SCN_MAX_DEPTH];
    int depth;
    SBuf keys;      /* decoded keys, back to back */
    KeyEnt *tab;    /* open addressing over KeyEnt */
    uint32_t tab_cap, tab_n;
    bool fatal;     /* a syntax error ended the scan */
    bool errors;    /* some error (syntax or value) was reported */
    bool oom;
} Scan;

enum { ST_VALUE, ST_OBJ_FIRST, ST_OBJ_KEY, ST_ARR_FIRST, ST_AFTER };

/* ==== small helpers ===================================================== */

static int peek(const Scan *sc)
{
    return sc->pos < sc->len ? sc->s[sc->pos] : -1;
}

/* Length of the valid UTF-8 sequence at s (avail bytes), or 0 if invalid.
 * Rejects overlong forms, surrogates and code points above U+10FFFF. */
static size_t utf8_seq(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    if (c < 0xC2 || c > 0xF4)
        return 0;
    size_t n = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (avail < n)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if (c == 0xE0 && s[1] < 0xA0)
        return 0;
    if (c == 0xED && s[1] >= 0xA0)
        return 0;
    if (c == 0xF0 && s[1] < 0x90)
        return 0;
    if (c == 0xF4 && s[1] >= 0x90)
        return 0;
    return n;
}

static void skip_ws(Scan *sc)
{
    while (sc->pos < sc->len) {
        unsigned char c = sc->s[sc->pos];
        if (c == ' ' || c == '\t') {
            sc->pos++;
            sc->col++;
        } else if (c == '\n' || c == '\r') {
            sc->pos++;
            if (c == '\r' && sc->pos < sc->len && sc->s[sc->pos] == '\n')
                sc->pos++;
            sc->line++;
            sc->col = 1;
        } else {
            break;
        }
    }
}

static bool is_word_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_';
}

/* Describes what is at byte `pos` for a "got ..." message. */
static void describe_at(const Scan *sc, size_t pos, char *out, size_t n)
{
    if (pos >= sc->len) {
        snprintf(out, n, "end of file");
        return;
    }
    unsigned char c = sc->s[pos];
    if (is_word_char(c)) {
        size_t k = 0;
        while (pos + k < sc->len && is_word_char(sc->s[pos + k]) && k < 24)
            k++;
        bool more = pos + k < sc->len && is_word_char(sc->s[pos + k]);
        snprintf(out, n, "'%.*s%s'", (int)k, (const char *)sc->s + pos, more ? "..." : "");
    } else if (c == '\'') {
        snprintf(out, n, "a single quote");
    } else if (c >= 0x20 && c < 0x7f) {
        snprintf(out, n, "'%c'", c);
    } else if (c < 0x80) {
        snprintf(out, n, "control character 0x%02x", c);
    } else {
        size_t k = utf8_seq(sc->s + pos, sc->len - pos);
        if (k)
            snprintf(out, n, "'%.*s'", (int)k, (const char *)sc->s + pos);
        else
            snprintf(out, n, "byte 0x%02x (not valid UTF-8; save the file as UTF-8)", c);
    }
}

/* A hint for a common mistake starting at byte `pos`, or "". */
static const char *hint_at(const Scan *sc, size_t pos, bool key)
{
    if (pos >= sc->len)
        return "";
    unsigned char c = sc->s[pos];
    if (c == '\'')
        return " (JSON strings use double quotes)";
    if (c == '/' || c == '#')
        return " (JSON does not allow comments)";
    if (c == 0xE2 && pos + 2 < sc->len && sc->s[pos + 1] == 0x80 &&
        (sc->s[pos + 2] == 0x9C || sc->s[pos + 2] == 0x9D || sc->s[pos + 2] == 0x98 ||
         sc->s[pos + 2] == 0x99))
        return " (a curly quote; JSON needs straight double quotes \")";
    if (is_word_char(c) && !(c >= '0' && c <= '9')) {
        size_t k = 0;
        while (pos + k < sc->len && is_word_char(sc->s[pos + k]))
            k++;
        const char *w = (const char *)sc->s + pos;
        if (key)
            return " (keys need double quotes)";
        if ((k == 4 && (memcmp(w, "True", 4) == 0 || memcmp(w, "None", 4) == 0)) ||
            (k == 5 && memcmp(w, "False", 5) == 0))
            return " (JSON writes true, false and null in lower case)";
        if ((k == 3 && (memcmp(w, "NaN", 3) == 0 || memcmp(w, "nan", 3) == 0 ||
                        memcmp(w, "inf", 3) == 0)) ||
            (k == 8 && memcmp(w, "Infinity", 8) == 0))
            return " (JSON has no NaN or Infinity)";
        return " (strings need double quotes)";
    }
    return "";
}

/* The JSON path of the current position: every open container, plus the
 * innermost one's current member when `with_current`. */
static void build_path(const Scan *sc, SBuf *b, bool with_current)
{
    if (sc->depth == 0)
        return;
    sbuf__puts(b, "$");
    for (int i = 0; i < sc->depth; i++) {
        const Frame *f = &sc->stack[i];
        if (i == sc->depth - 1 && !with_current)
            break;
        if (f->is_obj) {
            if (!f->has_key)
                break;
            sbuf__path_key(b, sc->keys.s + f->key_off, f->key_len);
        } else {
            sbuf__printf(b, "[%u]", (unsigned)f->cur);
        }
    }
}

static void report(Scan *sc, uint32_t line, uint32_t col, bool with_current, const char *fmt,
                   va_list ap)
{
    SBuf path = {0};
    build_path(sc, &path, with_current);
    if (path.oom)
        sc->oom = true;
    diag__vadd(sc->dc, line, col, path.s, fmt, ap);
    sbuf__free(&path);
    sc->errors = true;
}

/* A syntax error: reported, and the scan stops. */
static void fail(Scan *sc, uint32_t line, uint32_t col, bool with_current, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
static void fail(Scan *sc, uint32_t line, uint32_t col, bool with_current, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(sc, line, col, with_current, fmt, ap);
    va_end(ap);
    sc->fatal = true;
}

/* A value error: reported, and the scan goes on. */
static void value_error(Scan *sc, uint32_t line, uint32_t col, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static void value_error(Scan *sc, uint32_t line, uint32_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(sc, line, col, true, fmt, ap);
    va_end(ap);
}

/* ==== nodes ============================================================= */

/* Adds a node for a value starting at the current position and links it
 * into the innermost open container. Returns its index or JL_NONE (OOM). */
static uint32_t new_node(Scan *sc, JlType type)
{
    JsonLoc *jl = sc->jl;
    if (jl->n == jl->cap) {
        uint32_t ncap = jl->cap ? jl->cap * 2 : 256;
        JlNode *nn = mem_realloc(jl->nodes, (size_t)ncap * sizeof *nn);
        if (!nn) {
            sc->oom = true;
            return JL_NONE;
        }
        jl->nodes = nn;
        jl->cap = ncap;
    }
    uint32_t id = jl->n++;
    JlNode *nd = &jl->nodes[id];
    memset(nd, 0, sizeof *nd);
    nd->off = (uint32_t)sc->pos;
    nd->line = sc->line;
    nd->col = sc->col;
    nd->key_off = JL_NONE;
    nd->first = JL_NONE;
    nd->next = JL_NONE;
    nd->type = (uint8_t)type;
    if (sc->depth > 0) {
        Frame *f = &sc->stack[sc->depth - 1];
        if (f->is_obj) {
            nd->key_off = f->key_src;
            nd->key_line = f->key_line;
            nd->key_col = f->key_col;
        }
        if (f->last == JL_NONE)
            jl->nodes[f->node].first = id;
        else
            jl->nodes[f->last].next = id;
        f->last = id;
        jl->nodes[f->node].count++;
    }
    return id;
}

/* ==== strings =========================================================== */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Reads 4 hex digits at s[pos..]; -1 when they are not there. */
static long hex4(const Scan *sc, size_t pos)
{
    if (pos + 4 > sc->len)
        return -1;
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(sc->s[pos + (size_t)i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

static void put_utf8(SBuf *b, unsigned long cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    sbuf__put(b, u, n);
}

/* Scans the string whose opening quote is at the current position. When
 * `out` is not NULL the decoded bytes are appended to it. Returns false on
 * a syntax error (already reported). `with_current` says whether the string
 * is the current member (a value) or a key (then the path stops above). */
static bool scan_string(Scan *sc, SBuf *out, bool with_current)
{
    size_t start = sc->pos;
    uint32_t l0 = sc->line, c0 = sc->col;
    sc->pos++;
    sc->col++;
    for (;;) {
        if (sc->pos >= sc->len) {
            fail(sc, sc->line, sc->col, with_current,
                 "expected '\"' to close the string that starts at line %u, col %u, "
                 "got end of file",
                 (unsigned)l0, (unsigned)c0);
            return false;
        }
        unsigned char c = sc->s[sc->pos];
        if (c == '"')
            break;
        if (c == '\\') {
            if (sc->pos + 1 >= sc->len) {
                fail(sc, sc->line, sc->col, with_current,
                     "expected '\"' to close the string that starts at line %u, col %u, "
                     "got end of file",
                     (unsigned)l0, (unsigned)c0);
                return false;
            }
            unsigned char e = sc->s[sc->pos + 1];
            const char *simple = strchr("\"\\/bfnrt", e);
            if (e != 0 && simple) {
                static const char dec[] = "\"\\/\b\f\n\r\t";
                if (out)
                    sbuf__put(out, &dec[simple - "\"\\/bfnrt"], 1);
                sc->pos += 2;
                sc->col += 2;
                continue;
            }
            if (e != 'u') {
                char got[80];
                if (e >= 0x20 && e < 0x7f)
                    snprintf(got, sizeof got, "'%c'", e);
                else
                    describe_at(sc, sc->pos + 1, got, sizeof got);
                fail(sc, sc->line, sc->col, with_current,
                     "invalid escape in a string: '\\' followed by %s; expected one of "
                     "\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX",
                     got);
                return false;
            }
            long cp = hex4(sc, sc->pos + 2);
            if (cp < 0) {
                fail(sc, sc->line, sc->col, with_current,
                     "expected 4 hex digits after \\u in a string");
                return false;
            }
            size_t used = 6;
            if (cp == 0) {
                fail(sc, sc->line, sc->col, with_current,
                     "\\u0000 is not allowed in a string (it would end the string early)");
                return false;
            }
            if (cp >= 0xDC00 && cp <= 0xDFFF) {
                fail(sc, sc->line, sc->col, with_current,
                     "unpaired surrogate \\u%04lX in a string (a low surrogate must follow "
                     "a high one, \\uD800-\\uDBFF)",
                     (unsigned long)cp);
                return false;
            }
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                long lo = -1;
                if (sc->pos + 7 < sc->len && sc->s[sc->pos + 6] == '\\' &&
                    sc->s[sc->pos + 7] == 'u')
                    lo = hex4(sc, sc->pos + 8);
                if (lo < 0xDC00 || lo > 0xDFFF) {
                    fail(sc, sc->line, sc->col, with_current,
                         "unpaired surrogate \\u%04lX in a string (it must be followed by a "
                         "low surrogate, \\uDC00-\\uDFFF)",
                         (unsigned long)cp);
                    return false;
                }
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                used = 12;
            }
            if (out)
                put_utf8(out, (unsigned long)cp);
            sc->pos += used;
            sc->col += (uint32_t)used;
            continue;
        }
        if (c < 0x20) {
            const char *why = c == '\n' || c == '\r'
                                  ? " (a string must end on the line it starts; write \\n for "
                                    "a line break)"
                              : c == '\t' ? " (write \\t for a tab)" : "";
            fail(sc, sc->line, sc->col, with_current, "control character 0x%02x in a string%s",
                 c, why);
            return false;
        }
        size_t k = utf8_seq(sc->s + sc->pos, sc->len - sc->pos);
        if (k == 0) {
            fail(sc, sc->line, sc->col, with_current,
                 "invalid UTF-8 (byte 0x%02x) in a string; save the file as UTF-8", c);
            return false;
        }
        if (out)
            sbuf__put(out, (const char *)sc->s + sc->pos, k);
        sc->pos += k;
        sc->col++;
    }
    sc->pos++; /* closing quote */
    sc->col++;
    size_t body = sc->pos - start - 2;
    if (body > SCN_MAX_STRING)
        value_error(sc, l0, c0, "string is too long (%zu bytes; at most %u)", body,
                    (unsigned)SCN_MAX_STRING);
    if (out && out->oom)
        sc->oom = true;
    return true;
}

/* ==== duplicate keys ==================================================== */

static uint32_t key_hash(uint32_t obj, const char *k, size_t len)
{
    uint32_t h = 2166136261u ^ obj;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)k[i]) * 16777619u;
    return h;
}

static bool tab_grow(Scan *sc)
{
    uint32_t ncap = sc->tab_cap ? sc->tab_cap * 2 : 256;
    KeyEnt *nt = mem_malloc((size_t)ncap * sizeof *nt);
    if (!nt) {
        sc->oom = true;
        return false;
    }
    for (uint32_t i = 0; i < ncap; i++)
        nt[i].obj = JL_NONE;
    for (uint32_t i = 0; i < sc->tab_cap; i++) {
        if (sc->tab[i].obj == JL_NONE)
            continue;
        uint32_t j = sc->tab[i].hash & (ncap - 1);
        while (nt[j].obj != JL_NONE)
            j = (j + 1) & (ncap - 1);
        nt[j] = sc->tab[i];
    }
    mem_free(sc->tab);
    sc->tab = nt;
    sc->tab_cap = ncap;
    return true;
}

/* Records the current key of the innermost object, or reports it as a
 * duplicate of an earlier key of the same object. */
static void check_duplicate(Scan *sc)
{
    Frame *f = &sc->stack[sc->depth - 1];
    const char *k = sc->keys.s + f->key_off;
    if ((sc->tab_n + 1) * 2 > sc->tab_cap && !tab_grow(sc))
        return;
    uint32_t h = key_hash(f->node, k, f->key_len);
    uint32_t j = h & (sc->tab_cap - 1);
    while (sc->tab[j].obj != JL_NONE) {
        KeyEnt *e = &sc->tab[j];
        if (e->obj == f->node && e->hash == h && e->len == f->key_len &&
            memcmp(sc->keys.s + e->off, k, f->key_len) == 0) {
            SBuf q = {0};
            sbuf__quote(&q, k, f->key_len, 40);
            if (e->line == f->key_line)
                value_error(sc, f->key_line, f->key_col,
                            "duplicate key %s (first at line %u, col %u)", q.s ? q.s : "",
                            (unsigned)e->line, (unsigned)e->col);
            else
                value_error(sc, f->key_line, f->key_col, "duplicate key %s (first at line %u)",
                            q.s ? q.s : "", (unsigned)e->line);
            if (q.oom)
                sc->oom = true;
            sbuf__free(&q);
            return;
        }
        j = (j + 1) & (sc->tab_cap - 1);
    }
    sc->tab[j] = (KeyEnt){f->node, h, f->key_off, f->key_len, f->key_line, f->key_col};
    sc->tab_n++;
}

/* ==== numbers and words ================================================= */

static void skip_digits(Scan *sc)
{
    while (sc->pos < sc->len && sc->s[sc->pos] >= '0' && sc->s[sc->pos] <= '9') {
        sc->pos++;
        sc->col++;
    }
}

static bool is_digit_at(const Scan *sc, size_t pos)
{
    return pos < sc->len && sc->s[pos] >= '0' && sc->s[pos] <= '9';
}

/* Converts a number token (at most SCN_MAX_NUMBER characters) with strtod,
 * using the locale's decimal point as cJSON does. */
static double token_to_double(const char *tok, size_t len)
{
    char buf[SCN_MAX_NUMBER + 1];
    if (len > SCN_MAX_NUMBER)
        len = SCN_MAX_NUMBER;
    memcpy(buf, tok, len);
    buf[len] = '\0';
    const struct lconv *lc = localeconv();
    char dp = (lc && lc->decimal_point && lc->decimal_point[0]) ? lc->decimal_point[0] : '.';
    for (size_t i = 0; i < len; i++)
        if (buf[i] == '.')
            buf[i] = dp;
    return strtod(buf, NULL);
}

static bool scan_number(Scan *sc)
{
    size_t start = sc->pos;
    uint32_t l0 = sc->line, c0 = sc->col;
    bool is_int = true;
    char got[80];
    if (peek(sc) == '-') {
        sc->pos++;
        sc->col++;
    }
    if (peek(sc) == '0') {
        sc->pos++;
        sc->col++;
        if (is_digit_at(sc, sc->pos)) {
            fail(sc, l0, c0, true,
                 "invalid number: leading zeros are not allowed in JSON (write 7, not 07)");
            return false;
        }
    } else if (is_digit_at(sc, sc->pos)) {
        skip_digits(sc);
    } else {
        describe_at(sc, sc->pos, got, sizeof got);
        fail(sc, sc->line, sc->col, true, "expected a digit after '-', got %s", got);
        return false;
    }
    if (peek(sc) == '.') {
        is_int = false;
        sc->pos++;
        sc->col++;
        if (!is_digit_at(sc, sc->pos)) {
            describe_at(sc, sc->pos, got, sizeof got);
            fail(sc, sc->line, sc->col, true, "expected a digit after '.' in a number, got %s",
                 got);
            return false;
        }
        skip_digits(sc);
    }
    if (peek(sc) == 'e' || peek(sc) == 'E') {
        is_int = false;
        sc->pos++;
        sc->col++;
        if (peek(sc) == '+' || peek(sc) == '-') {
            sc->pos++;
            sc->col++;
        }
        if (!is_digit_at(sc, sc->pos)) {
            describe_at(sc, sc->pos, got, sizeof got);
            fail(sc, sc->line, sc->col, true,
                 "expected a digit in the exponent of a number, got %s", got);
            return false;
        }
        skip_digits(sc);
    }
    /* the node starts at the token: rewind the position fields for new_node */
    size_t end = sc->pos;
    uint32_t l1 = sc->line, c1 = sc->col;
    sc->pos = start;
    sc->line = l0;
    sc->col = c0;
    uint32_t id = new_node(sc, JL_NUMBER);
    sc->pos = end;
    sc->line = l1;
    sc->col = c1;
    if (id == JL_NONE)
        return false;
    size_t len = end - start;
    sc->jl->nodes[id].len = (uint32_t)len;
    sc->jl->nodes[id].is_int = is_int;
    const char *tok = (const char *)sc->s + start;
    if (len > SCN_MAX_NUMBER)
        value_error(sc, l0, c0, "number is too long (%zu characters; at most %d)", len,
                    SCN_MAX_NUMBER);
    else if (isinf(token_to_double(tok, len)))
        value_error(sc, l0, c0, "number %.*s is too large (it overflows to infinity)", (int)len,
                    tok);
    return true;
}

/* ==== the scanner ======================================================= */

static bool push(Scan *sc, JlType type)
{
    if (sc->depth == SCN_MAX_DEPTH) {
        fail(sc, sc->line, sc->col, true,
             "nesting is too deep: more than %d levels of lists and objects", SCN_MAX_DEPTH);
        return false;
    }
    uint32_t id = new_node(sc, type);
    if (id == JL_NONE)
        return false;
    Frame *f = &sc->stack[sc->depth++];
    memset(f, 0, sizeof *f);
    f->node = id;
    f->last = JL_NONE;
    f->is_obj = type == JL_OBJECT;
    sc->pos++;
    sc->col++;
    return true;
}

static void close_container(Scan *sc)
{
    sc->pos++;
    sc->col++;
    sc->depth--;
}

/* The value at the current position (not white space). */
static bool scan_value(Scan *sc, bool after_comma)
{
    int c = peek(sc);
    char got[80];
    if (c == '{')
        return push(sc, JL_OBJECT);
    if (c == '[')
        return push(sc, JL_ARRAY);
    if (c == '"') {
        uint32_t id = new_node(sc, JL_STRING);
        if (id == JL_NONE)
            return false;
        size_t start = sc->pos;
        if (!scan_string(sc, NULL, true))
            return false;
        sc->jl->nodes[id].len = (uint32_t)(sc->pos - start);
        return true;
    }
    if (c == '-' || (c >= '0' && c <= '9'))
        return scan_number(sc);
    if (c >= 'a' && c <= 'z') {
        static const char *const lits[] = {"null", "false", "true"};
        static const JlType types[] = {JL_NULL, JL_FALSE, JL_TRUE};
        size_t k = 0;
        while (sc->pos + k < sc->len && is_word_char(sc->s[sc->pos + k]))
            k++;
        for (int i = 0; i < 3; i++) {
            if (strlen(lits[i]) == k && memcmp(sc->s + sc->pos, lits[i], k) == 0) {
                if (new_node(sc, types[i]) == JL_NONE)
                    return false;
                sc->pos += k;
                sc->col += (uint32_t)k;
                return true;
            }
        }
    }
    describe_at(sc, sc->pos, got, sizeof got);
    const char *hint = hint_at(sc, sc->pos, false);
    if (sc->depth == 0)
        fail(sc, sc->line, sc->col, false, "expected a JSON value, got %s%s", got, hint);
    else if (sc->stack[sc->depth - 1].is_obj)
        fail(sc, sc->line, sc->col, true, "expected a value after ':', got %s%s", got, hint);
    else if (after_comma && c == ']')
        fail(sc, sc->line, sc->col, false,
             "expected a value after ',', got ']' (JSON does not allow a comma before ']')");
    else
        fail(sc, sc->line, sc->col, false, "expected a value%s, got %s%s",
             after_comma ? " after ','" : " or ']'", got, hint);
    return false;
}

/* The key at the current position of the innermost object, then ':'. */
static bool scan_key(Scan *sc, bool after_comma)
{
    Frame *f = &sc->stack[sc->depth - 1];
    char got[80];
    int c = peek(sc);
    if (c != '"') {
        describe_at(sc, sc->pos, got, sizeof got);
        if (after_comma && c == '}')
            fail(sc, sc->line, sc->col, false,
                 "expected a key after ',', got '}' (JSON does not allow a comma before '}')");
        else
            fail(sc, sc->line, sc->col, false, "expected a key in double quotes%s, got %s%s",
                 after_comma ? " after ','" : " or '}'", got, hint_at(sc, sc->pos, true));
        return false;
    }
    uint32_t kl = sc->line, kc = sc->col, ks = (uint32_t)sc->pos;
    size_t off = sc->keys.n;
    f->has_key = false;
    if (!scan_string(sc, &sc->keys, false))
        return false;
    if (sc->oom)
        return false;
    f->has_key = true;
    f->key_off = off;
    f->key_len = sc->keys.n - off;
    f->key_src = ks;
    f->key_line = kl;
    f->key_col = kc;
    check_duplicate(sc);
    skip_ws(sc);
    if (peek(sc) != ':') {
        describe_at(sc, sc->pos, got, sizeof got);
        SBuf q = {0};
        sbuf__quote(&q, sc->keys.s + f->key_off, f->key_len, 40);
        fail(sc, sc->line, sc->col, false, "expected ':' after the key %s, got %s",
             q.s ? q.s : "", got);
        sbuf__free(&q);
        return false;
    }
    sc->pos++;
    sc->col++;
    return true;
}

bool jsonloc__scan(JsonLoc *jl, const char *text, size_t len, DiagCtx *dc)
{
    memset(jl, 0, sizeof *jl);
    jl->text = text;
    jl->len = len;
    Scan sc = {0};
    sc.jl = jl;
    sc.dc = dc;
    sc.s = (const unsigned char *)text;
    sc.len = len;
    sc.line = 1;
    sc.col = 1;
    char got[80];

    if (len > SCN_MAX_FILE) {
        diag__add(dc, 0, 0, NULL, "file is too large (%zu bytes; at most %u MB)", len,
                  (unsigned)(SCN_MAX_FILE >> 20));
        return false;
    }
    sbuf__put(&sc.keys, "", 0); /* so that keys.s is never NULL */
    if (sc.keys.oom) {
        dc->oom = true;
        return false;
    }
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        sc.pos = jl->start = 3;
    skip_ws(&sc);
    if (sc.pos >= sc.len) {
        fail(&sc, sc.line, sc.col, false, "empty file%s; expected a JSON object like "
             "{\"coroutines\": {\"main\": [...]}}",
             sc.len > jl->start ? " (only white space)" : "");
        goto done;
    }

    int state = ST_VALUE;
    bool after_comma = false;
    while (!sc.fatal && !sc.oom) {
        switch (state) {
        case ST_VALUE:
            skip_ws(&sc);
            if (sc.depth > 0 && !sc.stack[sc.depth - 1].is_obj)
                sc.stack[sc.depth - 1].cur = jl->nodes[sc.stack[sc.depth - 1].node].count;
            if (peek(&sc) == '{')
                state = ST_OBJ_FIRST;
            else if (peek(&sc) == '[')
                state = ST_ARR_FIRST;
            else
                state = ST_AFTER;
            if (!scan_value(&sc, after_comma))
                goto done;
            after_comma = false;
            break;
        case ST_OBJ_FIRST:
            skip_ws(&sc);
            if (peek(&sc) == '}') {
                close_container(&sc);
                state = ST_AFTER;
            } else {
                state = ST_OBJ_KEY;
            }
            break;
        case ST_OBJ_KEY:
            skip_ws(&sc);
            if (!scan_key(&sc, after_comma))
                goto done;
            after_comma = false;
            state = ST_VALUE;
            break;
        case ST_ARR_FIRST:
            skip_ws(&sc);
            if (peek(&sc) == ']') {
                close_container(&sc);
                state = ST_AFTER;
            } else {
                state = ST_VALUE;
            }
            break;
        case ST_AFTER: {
            skip_ws(&sc);
            if (sc.depth == 0) {
                if (sc.pos < sc.len) {
                    describe_at(&sc, sc.pos, got, sizeof got);
                    fail(&sc, sc.line, sc.col, false,
                         "expected end of file after the top-level value, got %s", got);
                }
                goto done;
            }
            Frame *f = &sc.stack[sc.depth - 1];
            int c = peek(&sc);
            if (c == ',') {
                sc.pos++;
                sc.col++;
                after_comma = true;
                state = f->is_obj ? ST_OBJ_KEY : ST_VALUE;
            } else if (c == (f->is_obj ? '}' : ']')) {
                close_container(&sc);
            } else {
                const JlNode *open = &jl->nodes[f->node];
                describe_at(&sc, sc.pos, got, sizeof got);
                char extra[96] = "";
                if (c < 0)
                    snprintf(extra, sizeof extra,
                             " (the %s opened at line %u, col %u is not closed)",
                             f->is_obj ? "object" : "list", (unsigned)open->line,
                             (unsigned)open->col);
                else if (c == '"' || c == '{' || c == '[' || c == '-' || (c >= '0' && c <= '9') ||
                         c == 't' || c == 'f' || c == 'n')
                    snprintf(extra, sizeof extra, " (is a ',' missing?)");
                if (f->is_obj)
                    fail(&sc, sc.line, sc.col, false,
                         "expected ',' or '}' after an object member, got %s%s", got, extra);
                else
                    fail(&sc, sc.line, sc.col, false,
                         "expected ',' or ']' after a list element, got %s%s", got, extra);
                goto done;
            }
            break;
        }
        }
    }
done:
    if (sc.oom)
        dc->oom = true;
    sbuf__free(&sc.keys);
    mem_free(sc.tab);
    return !sc.errors && !sc.oom;
}

void jsonloc__free(JsonLoc *jl)
{
    mem_free(jl->nodes);
    jl->nodes = NULL;
    jl->n = jl->cap = 0;
}

/* ==== lookups =========================================================== */

/* Decodes the (valid) JSON string whose quote is at `off` into b. */
static void decode_at(const JsonLoc *jl, size_t off, SBuf *b)
{
    const unsigned char *s = (const unsigned char *)jl->text;
    size_t i = off + 1;
    while (i < jl->len && s[i] != '"') {
        if (s[i] != '\\') {
            sbuf__put(b, (const char *)s + i, 1);
            i++;
            continue;
        }
        if (i + 1 >= jl->len)
            break;
        unsigned char e = s[i + 1];
        const char *simple = strchr("\"\\/bfnrt", e);
        if (e != 'u' && e != 0 && simple) {
            static const char dec[] = "\"\\/\b\f\n\r\t";
            sbuf__put(b, &dec[simple - "\"\\/bfnrt"], 1);
            i += 2;
            continue;
        }
        if (e != 'u' || i + 6 > jl->len)
            break;
        unsigned long cp = 0;
        for (int k = 0; k < 4; k++)
            cp = cp * 16 + (unsigned long)hexval(s[i + 2 + (size_t)k]);
        i += 6;
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 <= jl->len) {
            unsigned long lo = 0;
            for (int k = 0; k < 4; k++)
                lo = lo * 16 + (unsigned long)hexval(s[i + 2 + (size_t)k]);
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            i += 6;
        }
        put_utf8(b, cp);
    }
}

uint32_t jsonloc__find(const JsonLoc *jl, const char *path)
{
    if (jl->n == 0 || path[0] != '$')
        return JL_NONE;
    uint32_t node = 0;
    const char *p = path + 1;
    SBuf want = {0}, have = {0};
    while (*p && node != JL_NONE) {
        const JlNode *nd = &jl->nodes[node];
        sbuf__truncate(&want, 0);
        bool is_index = false;
        unsigned long index = 0;
        if (*p == '.') {
            p++;
            size_t k = 0;
            while (p[k] && p[k] != '.' && p[k] != '[')
                k++;
            sbuf__put(&want, p, k);
            p += k;
        } else if (p[0] == '[' && p[1] == '"') {
            /* a quoted key: decode the JSON string escapes */
            JsonLoc tmp = {0};
            tmp.text = p + 1;
            tmp.len = strlen(p + 1);
            decode_at(&tmp, 0, &want);
            p++;
            for (p++; *p && *p != '"'; p++)
                if (*p == '\\' && p[1])
                    p++;
            if (*p)
                p++;
            if (*p == ']')
                p++;
        } else if (*p == '[') {
            char *end = NULL;
            index = strtoul(p + 1, &end, 10);
            if (!end || *end != ']') {
                node = JL_NONE;
                break;
            }
            is_index = true;
            p = end + 1;
        } else {
            node = JL_NONE;
            break;
        }
        uint32_t child = nd->first, found = JL_NONE;
        if (is_index) {
            if (nd->type != JL_ARRAY) {
                node = JL_NONE;
                break;
            }
            for (unsigned long i = 0; child != JL_NONE; i++, child = jl->nodes[child].next)
                if (i == index) {
                    found = child;
                    break;
                }
        } else {
            if (nd->type != JL_OBJECT) {
                node = JL_NONE;
                break;
            }
            for (; child != JL_NONE; child = jl->nodes[child].next) {
                sbuf__truncate(&have, 0);
                decode_at(jl, jl->nodes[child].key_off, &have);
                if (have.n == want.n && (have.n == 0 || memcmp(have.s, want.s, have.n) == 0)) {
                    found = child;
                    break;
                }
            }
        }
        node = found;
    }
    if (*p)
        node = JL_NONE;
    sbuf__free(&want);
    sbuf__free(&have);
    return node;
}

void jsonloc__str_pos(const JsonLoc *jl, uint32_t node, size_t index, uint32_t *line,
                      uint32_t *col)
{
    const JlNode *nd = &jl->nodes[node];
    const unsigned char *s = (const unsigned char *)jl->text;
    *line = nd->line;
    *col = nd->col + 1;
    size_t i = nd->off + 1, dec = 0;
    while (i < jl->len && s[i] != '"' && dec < index) {
        if (s[i] == '\\') {
            if (s[i + 1] != 'u') {
                i += 2;
                *col += 2;
                dec++;
                continue;
            }
            unsigned long cp = 0;
            for (int k = 0; k < 4; k++)
                cp = cp * 16 + (unsigned long)hexval(s[i + 2 + (size_t)k]);
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                i += 12;
                *col += 12;
                dec += 4;
            } else {
                i += 6;
                *col += 6;
                dec += cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
            }
            continue;
        }
        size_t k = utf8_seq(s + i, jl->len - i);
        if (k == 0)
            k = 1;
        i += k;
        dec += k;
        *col += 1;
    }
}

bool jsonloc__number(const JsonLoc *jl, uint32_t node, double *d, int64_t *i)
{
    const JlNode *nd = &jl->nodes[node];
    const char *tok = jl->text + nd->off;
    *d = token_to_double(tok, nd->len);
    *i = 0;
    if (!nd->is_int)
        return true;
    char buf[SCN_MAX_NUMBER + 1];
    size_t len = nd->len > SCN_MAX_NUMBER ? SCN_MAX_NUMBER : nd->len;
    memcpy(buf, tok, len);
    buf[len] = '\0';
    errno = 0;
    long long v = strtoll(buf, NULL, 10);
    if (errno == ERANGE)
        return false;
    *i = (int64_t)v;
    return true;
}
