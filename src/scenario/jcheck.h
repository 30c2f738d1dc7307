/* jcheck.h -- walking a parsed JSON document while checking it.
 *
 * The scenario checker (build*.c) and the lecture checker (lecture.c) both
 * walk a cJSON tree beside its jsonloc index (for line:col), keep the JSON
 * path of the value being checked ("$.coroutines.main[2].sleep"), and quote
 * values in messages ("expected ..., got \"x\""). A JCheck is that state;
 * each checker's context holds one (Ctx.k) and wraps the cursors below.
 *
 * Ownership: the caller owns the JCheck (usually inside its context) and
 * calls jc_free once; the strings jc_q and jc_got return live in its rotating
 * buffers, valid until five more such calls.
 *
 * Depends on: scn_int.h (SBuf, DiagCtx, JsonLoc), cJSON.  Used by: build*.c,
 * lecture.c.
 */
#ifndef LOOPSCOPE_JCHECK_H
#define LOOPSCOPE_JCHECK_H

#include <cjson/cJSON.h>
#include <string.h>

#include "scn_int.h"

/* A value: the cJSON node and its jsonloc node. j == NULL means "absent". */
typedef struct V {
    const cJSON *j;
    uint32_t n;
} V;

static const V NOV = {NULL, JL_NONE};

typedef struct JCheck {
    const JsonLoc *jl;
    DiagCtx *dc;
    bool oom;      /* an allocation failed: the check's result is "out of memory" */
    SBuf path;     /* JSON path of the value being checked */
    SBuf qb[6];    /* rotating buffers for quoted values in messages */
    int qi;
} JCheck;

static inline const JlNode *jc_nd(const JCheck *k, V v) { return &k->jl->nodes[v.n]; }
static inline JlType jc_ty(const JCheck *k, V v) { return (JlType)jc_nd(k, v)->type; }
static inline bool has(V v) { return v.j != NULL; }
static inline const char *key(V v) { return v.j->string ? v.j->string : ""; }
static inline const char *str(V v) { return v.j->valuestring ? v.j->valuestring : ""; }

static inline V jc_first(const JCheck *k, V v)
{
    V r = {v.j->child, jc_nd(k, v)->first};
    return r.j ? r : NOV;
}

static inline V jc_next(const JCheck *k, V v)
{
    V r = {v.j->next, jc_nd(k, v)->next};
    return r.j ? r : NOV;
}

/* The first member of object `o` named `name`, or NOV. */
static inline V jc_member(const JCheck *k, V o, const char *name)
{
    for (V m = jc_first(k, o); has(m); m = jc_next(k, m))
        if (strcmp(key(m), name) == 0)
            return m;
    return NOV;
}

/* Path steps: each returns the path's old length, for jc_path_pop. */
size_t jc_path_key(JCheck *k, const char *name);
size_t jc_path_index(JCheck *k, size_t i);
void jc_path_pop(JCheck *k, size_t old);
/* A diagnostic at line:col, with the current path. */
void jc_err_at(JCheck *k, uint32_t line, uint32_t col, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
/* s quoted (and cut at 40 characters) for a message. */
const char *jc_q(JCheck *k, const char *s);
/* What value v is, for "got ...": null, a list, "text", 3.5, ... */
const char *jc_got(JCheck *k, V v);
void jc_free(JCheck *k);

#endif
