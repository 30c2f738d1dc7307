/* scn_int.h -- declarations shared by the files of src/scenario, and only by them.
 *
 * The loader runs in three stages, each in its own file:
 *
 *   1. jsonloc.c scans the raw text once. It is the authority on JSON syntax
 *      (strict RFC 8259 plus our limits) and records, for every value, its
 *      byte offset and line:col in a flat pre-order node table (JsonLoc). It
 *      also finds duplicate keys, numbers that overflow and strings over 1 MB.
 *   2. scenario.c hands the same text to cJSON only when stage 1 found no
 *      error, checks that both trees have the same shape, and then
 *   3. build.c walks the cJSON tree and the node table side by side (a `V`
 *      cursor holds one of each), checks the scenario and lowers it into a
 *      Program through core/program.h.
 *
 * diag.c collects the diagnostics of one load (DiagCtx); names.c has the
 * identifier rules, a small string map and the "did you mean" distance;
 * schema.c is the table of statement verbs and their options.
 *
 * Columns are counted in UTF-8 characters (code points), 1-based; a tab
 * counts as one. Lines end at "\n", "\r\n" or a lone "\r". A UTF-8 byte order
 * mark is skipped and does not count as a column.
 *
 * Functions here are named <file>__verb (libuv's uv__ rule, style.md 3.4).
 */
#ifndef LOOPSCOPE_SCN_INT_H
#define LOOPSCOPE_SCN_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "program.h"
#include "scenario.h"

/* ---- limits (each one has a test in tests/bad or tests/unit) ----------- */

#define SCN_MAX_FILE        (64u << 20) /* bytes in a scenario file */
#define SCN_MAX_DEPTH       64          /* nested JSON arrays/objects */
#define SCN_MAX_STRING      (1u << 20)  /* bytes in one JSON string (source form) */
#define SCN_MAX_NUMBER      63          /* characters in one number (cJSON's own buffer) */
#define SCN_MAX_STMT_DEPTH  32          /* nested statements (bodies inside bodies) */
#define SCN_MAX_PARAMS      64          /* the interpreter passes at most 64 arguments */
#define SCN_MAX_SECONDS     1e9         /* durations and timeouts */
#define SCN_MAX_COUNT       1000000000  /* repeat counts, Semaphore values, Queue sizes */

/* ---- growable byte buffer (diag.c) ------------------------------------- */

/* A NUL-terminated string under construction. oom is sticky: once an append
 * fails, later appends do nothing and the caller checks oom once. */
typedef struct SBuf {
    char *s;
    size_t n, cap;
    bool oom;
} SBuf;

void sbuf__put(SBuf *b, const char *s, size_t len);
void sbuf__puts(SBuf *b, const char *s);
void sbuf__printf(SBuf *b, const char *fmt, ...);
void sbuf__truncate(SBuf *b, size_t n);
void sbuf__free(SBuf *b);

/* Appends `s` (len bytes, UTF-8) as a double-quoted string with JSON-style
 * escapes, cut after about `max` bytes with "..." before the closing quote. */
void sbuf__quote(SBuf *b, const char *s, size_t len, size_t max);

/* Appends one JSON path segment: ".key" when key is a plain identifier,
 * otherwise ["key"] (quoted and shortened as by sbuf__quote). */
void sbuf__path_key(SBuf *b, const char *key, size_t len);

/* ---- diagnostics of one load (diag.c) ---------------------------------- */

typedef struct DiagCtx {
    Diags *d;
    const char *file;
    size_t first;   /* d->items[first..] belong to this load */
    size_t nerr;    /* errors found by this load, kept or dropped */
    size_t dropped; /* errors over the cap */
    bool oom;       /* memory ran out somewhere in this load */
    Diag spare;     /* the prepared "out of memory" diagnostic (owned until used) */
} DiagCtx;

/* Starts a load: prepares the spare "out of memory" diagnostic and reserves
 * a slot for it, so that running out of memory later can always be reported.
 * Returns false (and sets d->oom) when even that fails. */
bool diag__begin(DiagCtx *c, Diags *d, const char *file);

/* Records one error at line:col (line 0: the file as a whole) with JSON path
 * `path` (NULL or "" for none). Past the cap the error is only counted. */
void diag__add(DiagCtx *c, uint32_t line, uint32_t col, const char *path, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
void diag__vadd(DiagCtx *c, uint32_t line, uint32_t col, const char *path, const char *fmt,
                va_list ap);

/* True once the cap is reached: callers may skip building expensive messages. */
bool diag__full(const DiagCtx *c);

/* Ends a load: sorts this load's diagnostics by position (stable), appends
 * "and N more errors" past the cap and "out of memory" when memory ran out,
 * and releases the spare. Returns true when the load had no error at all. */
bool diag__end(DiagCtx *c);

/* ---- the position index (jsonloc.c) ------------------------------------ */

typedef enum JlType {
    JL_NULL,
    JL_FALSE,
    JL_TRUE,
    JL_NUMBER,
    JL_STRING,
    JL_ARRAY,
    JL_OBJECT
} JlType;

#define JL_NONE UINT32_MAX

/* One JSON value. Nodes are stored in document (pre-order) order, so a
 * container's children follow it and node 0 is the top-level value. */
typedef struct JlNode {
    uint32_t off;       /* byte offset of the value's first character in the text */
    uint32_t len;       /* source length of a number or string token (0 for others) */
    uint32_t line, col; /* position of that first character */
    uint32_t key_off;   /* object member: byte offset of its key's opening quote, */
    uint32_t key_line;  /* and the key's position (JL_NONE, 0, 0 when the value */
    uint32_t key_col;   /* is not an object member) */
    uint32_t first;     /* first child, or JL_NONE */
    uint32_t next;      /* next sibling, or JL_NONE */
    uint32_t count;     /* number of children */
    uint8_t type;       /* JlType */
    bool is_int;        /* number written without '.', 'e' or 'E' */
} JlNode;

typedef struct JsonLoc {
    const char *text;
    size_t len;
    size_t start; /* 3 when the text starts with a UTF-8 BOM, else 0 */
    JlNode *nodes;
    uint32_t n, cap;
} JsonLoc;

/* Scans `text`, filling `jl` (which the caller must jsonloc__free). Syntax
 * errors stop the scan (one diagnostic); value errors (duplicate keys,
 * numbers out of range, strings over 1 MB) are all reported and the scan
 * goes on. Returns true when the text is valid JSON within our limits. */
bool jsonloc__scan(JsonLoc *jl, const char *text, size_t len, DiagCtx *dc);
void jsonloc__free(JsonLoc *jl);

/* Finds a value by JSON path ("$", "$.coroutines.main[3]", "$[\"a b\"]"):
 * returns its node index or JL_NONE. Used by tests and tools, not by the
 * checker, which walks the tree. */
uint32_t jsonloc__find(const JsonLoc *jl, const char *path);

/* Line and column of byte `index` of the decoded content of string node
 * `node` (index 0 is the first character after the opening quote). */
void jsonloc__str_pos(const JsonLoc *jl, uint32_t node, size_t index, uint32_t *line,
                      uint32_t *col);

/* The number at `node`: *d always; *i when is_int and it fits in int64
 * (returns false when an integer does not fit). */
bool jsonloc__number(const JsonLoc *jl, uint32_t node, double *d, int64_t *i);

/* ---- names (names.c) --------------------------------------------------- */

typedef enum NameProblem {
    NAME_OK,
    NAME_NOT_IDENT, /* not [A-Za-z_][A-Za-z0-9_]* */
    NAME_KEYWORD,   /* a Python keyword */
    NAME_RESERVED   /* used by the Python export: asyncio, time, print, io_read, range */
} NameProblem;

NameProblem names__check(const char *s);

/* An open-addressing map from NUL-terminated names to uint32 values. Keys
 * are borrowed: they must outlive the map. */
typedef struct NameMap {
    const char **keys;
    uint32_t *vals;
    uint32_t cap, n;
} NameMap;

/* Adds key -> val unless key is present. False when out of memory. */
bool names__put(NameMap *m, const char *key, uint32_t val);
/* The value of key, or UINT32_MAX. */
uint32_t names__get(const NameMap *m, const char *key);
void names__free(NameMap *m);

/* Index of the candidate closest to `s` by edit distance (insertions,
 * deletions, substitutions, transpositions), when it is close enough to be
 * a likely typo (1 edit for names up to 4 characters, else 2); or -1. */
long names__closest(const char *s, const char *const *cands, size_t n);

/* ---- the statement table (schema.c) ------------------------------------ */

typedef struct VerbInfo {
    const char *name;
    StmtKind kind;
    const char *opts[5]; /* allowed option keys, NULL-terminated */
} VerbInfo;

/* The verb named `name`, or NULL. */
const VerbInfo *schema__verb(const char *name);
/* All verbs in table order (for messages and suggestions). */
const VerbInfo *schema__verbs(size_t *n);
/* True when `key` is an option of some verb ("as", "body", ...). */
bool schema__is_option(const char *key);

/* ---- lowering (build.c) ------------------------------------------------ */

struct cJSON;

/* Checks the parsed document and lowers it into a Program. Every problem
 * found becomes a diagnostic in dc. Returns the Program (owned by the
 * caller) even when diagnostics were added; NULL only when out of memory. */
Program *build__program(const JsonLoc *jl, const struct cJSON *root, DiagCtx *dc);

#endif
