/* build_int.h -- what the scenario checker's files share.
 *
 * The checker is split by job: build_msg.c (scratch stacks, messages,
 * names and a coroutine's locals), build_expr.c (templates,
 * expressions, and the references and values a statement's options take),
 * build.c (statements, the passes over coroutines and objects, the top
 * level; its comment describes the passes and the rules checked). Their
 * shared helpers carry a bld_ prefix; the cursor helpers are static inline
 * wrappers of jcheck.h's, which the lecture checker shares.
 *
 * Depends on: jcheck.h, scn_int.h, program.h, exc.h, mem.h, cJSON.  Used by: build*.c.
 */
#ifndef LOOPSCOPE_BUILD_INT_H
#define LOOPSCOPE_BUILD_INT_H

#include <cjson/cJSON.h>
#include <string.h>

#include "exc.h"
#include "jcheck.h"
#include "mem.h"
#include "scn_int.h"

/* ==== cursors =========================================================== */

/* How a variable got bound (a variable may have several). */
enum {
    B_PARAM = 1u << 0,
    B_TASK = 1u << 1,     /* create_task ... as */
    B_CALL = 1u << 2,     /* call ... as */
    B_AWAIT = 1u << 3,    /* await ... as */
    B_GATHER = 1u << 4,   /* gather ... as */
    B_WAIT_FOR = 1u << 5, /* wait_for ... as */
    B_GET = 1u << 6,      /* get ... as */
    B_CANCEL = 1u << 7,   /* cancel ... as */
    B_REPEAT = 1u << 8,   /* repeat ... as */
    B_EXCEPT = 1u << 9,   /* except ... as */
    B_GROUP = 1u << 10,   /* task_group name */
    B_SET_VAR = 1u << 11, /* set_var name */
    B_SHIELD = 1u << 12,  /* shield ... as */
    B_AS_COMPLETED = 1u << 13, /* as_completed ... as: each result */
    /* a variable bound only otherwise cannot hold a task */
    B_MAY_BE_TASK = B_PARAM | B_TASK | B_AWAIT | B_WAIT_FOR | B_SHIELD | B_AS_COMPLETED
};

typedef struct LocalInfo {
    const char *name;
    uint32_t kinds; /* B_* bits */
    uint32_t first; /* the B_* bit of its first binding */
} LocalInfo;

typedef struct CoroInfo {
    const char *name;
    bool params_ok;   /* params is absent or a list of strings */
    uint32_t nparams; /* number of items in params */
    V params;         /* the params list, or NOV */
} CoroInfo;

typedef struct ObjInfo {
    const char *name;
    int kind; /* ObjKind, or -1 when the declaration is malformed */
} ObjInfo;

typedef struct U32s {
    uint32_t *v;
    size_t n, cap;
} U32s;

typedef struct Ctx {
    JCheck k;      /* the document, its path, quoted values (jcheck.h) */
    Program *p;
    SBuf list;     /* scratch for "defined: a, b" lists */
    SBuf tname;    /* a name inside a template's {...} */

    const char *main_name; /* NULL when "main" is not a string */
    bool have_coros;       /* "coroutines" is a non-empty object */

    NameMap coros;
    CoroInfo *ci;
    const char **coro_names;
    size_t nci, ci_cap, cn_cap;

    NameMap objs;
    ObjInfo *oi;
    const char **obj_names;
    size_t noi, oi_cap, on_cap;

    /* the coroutine being lowered */
    uint32_t coro;
    NameMap locals;
    LocalInfo *li;
    const char **lnames;
    size_t nli, li_cap, ln_cap;
    U32s groups; /* slots of the enclosing task_groups */
    int depth;   /* statement nesting */

    U32s scratch; /* block items and list refs under construction */
    Handler *hs;  /* handlers under construction */
    size_t nhs, hs_cap;
} Ctx;

static inline const JlNode *nd(const Ctx *c, V v) { return jc_nd(&c->k, v); }
static inline JlType ty(const Ctx *c, V v) { return jc_ty(&c->k, v); }
static inline V first(const Ctx *c, V v) { return jc_first(&c->k, v); }
static inline V next(const Ctx *c, V v) { return jc_next(&c->k, v); }
static inline V member(const Ctx *c, V o, const char *name) { return jc_member(&c->k, o, name); }

/* ==== shared helpers ====================================================== */

#define ERR(c, v, ...) jc_err_at(&(c)->k, nd((c), (v))->line, nd((c), (v))->col, __VA_ARGS__)
#define ERR_KEY(c, v, ...) \
    jc_err_at(&(c)->k, nd((c), (v))->key_line, nd((c), (v))->key_col, __VA_ARGS__)

uint32_t bld_add_local(Ctx *c, const char *name, uint32_t kind);
bool bld_check_name(Ctx *c, const char *name, uint32_t line, uint32_t col, const char *what);
const char *bld_disp(Ctx *c, const char *s);
bool bld_grow(Ctx *c, void **buf, size_t *cap, size_t need, size_t elem);
const char *bld_kind_name(int k);
uint32_t bld_local_slot(const Ctx *c, const char *name);
const char *bld_name_list(Ctx *c, const char *const *names, size_t n);
const char *bld_name_list_max(Ctx *c, const char *const *names, size_t n, size_t max);
const char *bld_plural(size_t n);
void bld_push_u32(Ctx *c, U32s *s, uint32_t v);
const char *bld_suggest(Ctx *c, const char *s, const char *const *cands, size_t n);
void bld_unknown_var(Ctx *c, uint32_t line, uint32_t col, const char *name);
uint32_t bld_bind_var(Ctx *c, V v);
void bld_bool_value(Ctx *c, V v, bool *out);
uint32_t bld_coro_ref(Ctx *c, V v);
bool bld_count_value(Ctx *c, V v, int64_t *out, const char *what, bool report);
bool bld_duration(Ctx *c, V v, VTime *ns, bool or_null);
ExcType bld_exc_class(Ctx *c, V v, bool raising);
uint32_t bld_group_ref(Ctx *c, V v);
void bld_lower_args(Ctx *c, V args, V at, uint32_t coro, uint32_t *first_ref, uint32_t *n);
uint32_t bld_lower_expr(Ctx *c, V v);
uint32_t bld_obj_ref(Ctx *c, V v, const char *verb, unsigned mask, const char *need);
uint32_t bld_task_var(Ctx *c, V v, const char *verb);
uint32_t bld_template_str(Ctx *c, V v);
void bld_timeout_value(Ctx *c, V v, Stmt *s);

#endif
