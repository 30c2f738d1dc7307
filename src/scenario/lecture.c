/* lecture.c -- loads and checks a lecture file (see lecture.h and
 * docs/lecture-format.md).
 *
 * The same three stages as a scenario: jsonloc.c scans the text (syntax,
 * positions), cJSON parses it, and a walk over both trees checks every
 * member, reporting every problem it can with file:line:col and the JSON
 * path. The slides' scenarios are loaded afterwards, each as a load of its
 * own (diag.c sorts diagnostics per load): a file through scn_load_file; an
 * inline scenario through scn_load_text on a copy of the lecture in which
 * everything but that object is blanked to spaces (newlines kept), so its
 * diagnostics carry true lecture positions; their paths get the slide's
 * prefix ("$.slides[2].scenario.coroutines.main[0]").
 *
 * A scenario path is relative to the lecture's folder and must stay in it
 * (no absolute path, no "..", no symlink out): a lecture copied from the
 * internet cannot make the app read other files.
 *
 * Depends on: lecture.h, scn_int.h, mem.h, cJSON.  Used by: main.c, ui/.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jcheck.h"
#include "lecture.h"
#include "mem.h"
#include "scn_int.h"

/* ==== the rules (one table) ============================================== */

static const LecRule rules[] = {
    {"fifo", "The ready queue is first in, first out: callbacks run in the order they were queued."},
    {"create_task_schedules",
     "create_task only schedules the task: it starts when the loop picks it, after its creator "
     "yields at an await."},
    {"await_coroutine_inline",
     "Awaiting a coroutine runs it inline, in the same task: nothing else runs until something "
     "really waits."},
    {"sleep_yields",
     "await asyncio.sleep() suspends the task: every other ready callback runs before it resumes."},
    {"sleep0_yields", "sleep(0) yields exactly once: the task goes to the back of the ready queue."},
    {"blocking_blocks",
     "A blocking call (time.sleep) freezes the whole loop: no task runs and no timer fires until "
     "it returns."},
    {"timers_by_deadline",
     "Timers fire in deadline order; equal deadlines fire in the order they were scheduled."},
    {"iteration_snapshot",
     "An iteration runs only the callbacks that were ready when it began; callbacks queued "
     "meanwhile wait for the next iteration."},
    {"wakeup_via_loop",
     "A finished future never resumes its waiter directly: it queues the wakeup with call_soon, "
     "and the wakeup waits its turn."},
    {"gather_order",
     "gather returns results in the order of its arguments, whatever order the tasks finish in."},
    {"gather_schedules",
     "gather wraps each coroutine in a task; the tasks start in argument order once the caller "
     "waits."},
    {"cancel_is_request",
     "cancel() only asks: CancelledError is thrown into the task when it next resumes, where it "
     "can clean up."},
    {"wait_for_cancels",
     "On timeout wait_for cancels the inner task and waits for it to end before raising "
     "TimeoutError."},
    {"as_completed_order",
     "as_completed hands out results in the order the tasks finish, each two iterations after its "
     "task ended: its done callback fills a queue, then the loop's wakeup takes from it."},
    {"shield_cancels_outer",
     "Cancelling a task that awaits shield(aw) cancels only the shield's outer future: the task "
     "gets CancelledError at once, and aw's task runs on."},
    {"stages_order",
     "Each iteration: due timers join the ready queue, then the queued callbacks run one by one, "
     "each until its task awaits."},
};
#define NRULES (sizeof rules / sizeof rules[0])

const LecRule *lec_rules(size_t *n)
{
    *n = NRULES;
    return rules;
}

int lec_rule_find(const char *id)
{
    for (size_t i = 0; i < NRULES; i++)
        if (strcmp(rules[i].id, id) == 0)
            return (int)i;
    return -1;
}

const char *lec_rule_sentence(int i) { return i >= 0 && (size_t)i < NRULES ? rules[i].sentence : ""; }
const char *lec_rule_id(int i) { return i >= 0 && (size_t)i < NRULES ? rules[i].id : ""; }

/* ==== small helpers ===================================================== */

static char *dup(const char *s)
{
    size_t n = strlen(s);
    char *r = mem_malloc(n + 1);
    if (r)
        memcpy(r, s, n + 1);
    return r;
}

typedef struct Ctx {
    JCheck k;           /* the document, its path, quoted values (jcheck.h) */
    Lecture *L;
    const char *what;   /* the object being checked, for "X needs ..." */
} Ctx;

static const JlNode *nd(const Ctx *c, V v) { return jc_nd(&c->k, v); }
static JlType ty(const Ctx *c, V v) { return jc_ty(&c->k, v); }
static V first(const Ctx *c, V v) { return jc_first(&c->k, v); }
static V next(const Ctx *c, V v) { return jc_next(&c->k, v); }
static V member(const Ctx *c, V o, const char *name) { return jc_member(&c->k, o, name); }
static size_t path_key(Ctx *c, const char *name) { return jc_path_key(&c->k, name); }
static size_t path_index(Ctx *c, size_t i) { return jc_path_index(&c->k, i); }
static void path_pop(Ctx *c, size_t old) { jc_path_pop(&c->k, old); }
static const char *q(Ctx *c, const char *s) { return jc_q(&c->k, s); }
static const char *got(Ctx *c, V v) { return jc_got(&c->k, v); }

/* A diagnostic at v (at its key when at_key), with the current path. */
static void err_v(Ctx *c, V v, bool at_key, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static void err_v(Ctx *c, V v, bool at_key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const JlNode *n = nd(c, v);
    diag__vadd(c->k.dc, at_key ? n->key_line : n->line, at_key ? n->key_col : n->col,
               c->k.path.s, fmt, ap);
    va_end(ap);
}

/* Reports members of object o whose key is not in `allowed` (NULL-ended). */
static void unknown_keys(Ctx *c, V o, const char *const *allowed, const char *what)
{
    for (V m = first(c, o); has(m); m = next(c, m)) {
        bool ok = false;
        size_t n = 0;
        for (; allowed[n]; n++)
            if (strcmp(allowed[n], key(m)) == 0)
                ok = true;
        if (ok)
            continue;
        long s = names__closest(key(m), allowed, n);
        size_t old = path_key(c, key(m));
        if (s >= 0)
            err_v(c, m, true, "unknown member %s in %s (did you mean \"%s\"?)", q(c, key(m)), what,
                  allowed[s]);
        else {
            SBuf b = {0};
            for (size_t i = 0; i < n; i++)
                sbuf__printf(&b, "%s\"%s\"", i ? ", " : "", allowed[i]);
            err_v(c, m, true, "unknown member %s in %s (expected one of %s)", q(c, key(m)), what,
                  b.oom ? "..." : b.s);
            sbuf__free(&b);
        }
        path_pop(c, old);
    }
}

/* A required or optional string member; returns a copy or NULL. `text`
 * allows an array of strings, joined with "\n\n" (paragraphs). */
static char *get_string(Ctx *c, V o, const char *k, bool required, bool text, const char *what)
{
    V m = member(c, o, k);
    if (!has(m)) {
        if (required)
            err_v(c, o, false, "%s needs \"%s\": %s", c->what ? c->what : "this object", k, what);
        return NULL;
    }
    size_t old = path_key(c, k);
    char *r = NULL;
    if (ty(c, m) == JL_STRING) {
        if (required && !str(m)[0])
            err_v(c, m, false, "expected %s, got an empty string", what);
        else if (!(r = dup(str(m))))
            c->k.oom = true;
    } else if (text && ty(c, m) == JL_ARRAY && nd(c, m)->count > 0) {
        SBuf b = {0};
        size_t i = 0;
        bool bad = false;
        for (V e = first(c, m); has(e); e = next(c, e), i++) {
            if (ty(c, e) != JL_STRING) {
                size_t o2 = path_index(c, i);
                err_v(c, e, false, "expected a paragraph (a string), got %s", got(c, e));
                path_pop(c, o2);
                bad = true;
                continue;
            }
            sbuf__printf(&b, "%s%s", i ? "\n\n" : "", str(e));
        }
        if (b.oom)
            c->k.oom = true;
        else if (!bad)
            r = dup(b.s ? b.s : "");
        sbuf__free(&b);
    } else {
        err_v(c, m, false, "expected %s%s, got %s", what, text ? " (a string or a list of paragraphs)" : "",
              got(c, m));
    }
    path_pop(c, old);
    return r;
}

/* A whole number in [lo, hi] at member k of o. */
static bool get_uint(Ctx *c, V m, const char *what, int64_t lo, int64_t hi, int64_t *out)
{
    double d;
    int64_t i;
    if (ty(c, m) != JL_NUMBER || !nd(c, m)->is_int || !jsonloc__number(c->k.jl, m.n, &d, &i) ||
        i < lo || i > hi) {
        err_v(c, m, false, "expected %s (a whole number from %lld to %lld), got %s", what,
              (long long)lo, (long long)hi, got(c, m));
        return false;
    }
    *out = i;
    return true;
}

static int get_rule(Ctx *c, V o)
{
    V m = member(c, o, "rule");
    if (!has(m))
        return -1;
    size_t old = path_key(c, "rule");
    int r = -1;
    if (ty(c, m) == JL_STRING)
        r = lec_rule_find(str(m));
    if (r < 0) {
        size_t n;
        const LecRule *t = lec_rules(&n);
        const char *ids[NRULES];
        for (size_t i = 0; i < n; i++)
            ids[i] = t[i].id;
        long s = ty(c, m) == JL_STRING ? names__closest(str(m), ids, n) : -1;
        if (s >= 0)
            err_v(c, m, false, "unknown rule %s (did you mean \"%s\"?)", got(c, m), ids[s]);
        else
            err_v(c, m, false, "expected the id of a rule (see docs/lecture-format.md, e.g. \"fifo\", "
                  "\"create_task_schedules\"), got %s", got(c, m));
    }
    path_pop(c, old);
    return r;
}

static char **get_lines(Ctx *c, V m, const char *what, uint32_t *count)
{
    *count = 0;
    if (ty(c, m) != JL_ARRAY || nd(c, m)->count == 0) {
        err_v(c, m, false, "expected %s (a non-empty list of strings), got %s", what,
              ty(c, m) == JL_ARRAY ? "an empty list" : got(c, m));
        return NULL;
    }
    uint32_t n = nd(c, m)->count;
    char **r = mem_calloc(n, sizeof *r);
    if (!r) {
        c->k.oom = true;
        return NULL;
    }
    uint32_t i = 0;
    for (V e = first(c, m); has(e); e = next(c, e), i++) {
        if (ty(c, e) != JL_STRING) {
            size_t old = path_index(c, i);
            err_v(c, e, false, "expected a line of text (a string), got %s", got(c, e));
            path_pop(c, old);
            continue;
        }
        if (!(r[i] = dup(str(e))))
            c->k.oom = true;
    }
    *count = n;
    return r;
}

static void free_lines(char **v, uint32_t n)
{
    if (!v)
        return;
    for (uint32_t i = 0; i < n; i++)
        mem_free(v[i]);
    mem_free(v);
}

/* ==== stops, slides, the lecture ======================================== */

static void check_stop(Ctx *c, V o, LecStop *s)
{
    static const char *const allowed[] = {"stage", "task", "time", "line", "coroutine", "step",
                                          "say", "question", "choices", "rule", NULL};
    s->rule = -1;
    s->coro = UINT32_MAX;
    s->at_line = nd(c, o)->line;
    s->at_col = nd(c, o)->col;
    s->at_path = dup(c->k.path.s ? c->k.path.s : "$");
    if (ty(c, o) != JL_OBJECT) {
        err_v(c, o, false, "expected a stop (an object such as {\"stage\": 3, \"task\": \"main\"} or "
              "{\"time\": 1.0}), got %s", got(c, o));
        return;
    }
    unknown_keys(c, o, allowed, "a stop");
    c->what = "this stop";
    static const char *const trig[] = {"stage", "time", "line", "step"};
    int ntrig = 0;
    for (int i = 0; i < 4; i++)
        ntrig += has(member(c, o, trig[i]));
    if (ntrig != 1) {
        err_v(c, o, false, "a stop needs exactly one of \"stage\", \"time\", \"line\" or \"step\", got %d",
              ntrig);
        return;
    }
    V m;
    int64_t iv;
    if (has(m = member(c, o, "stage"))) {
        s->kind = LSTOP_STAGE;
        size_t old = path_key(c, "stage");
        if (get_uint(c, m, "a stage", 1, 7, &iv))
            s->stage = (uint8_t)iv;
        path_pop(c, old);
        V t = member(c, o, "task");
        if (has(t)) {
            old = path_key(c, "task");
            if (ty(c, t) != JL_STRING || !str(t)[0])
                err_v(c, t, false, "expected a task's name (a string such as \"main\"), got %s", got(c, t));
            else if (!(s->task = dup(str(t))))
                c->k.oom = true;
            path_pop(c, old);
        }
    } else if (has(m = member(c, o, "time"))) {
        s->kind = LSTOP_TIME;
        size_t old = path_key(c, "time");
        double d = -1;
        int64_t i;
        if (ty(c, m) == JL_NUMBER)
            jsonloc__number(c->k.jl, m.n, &d, &i);
        if (ty(c, m) != JL_NUMBER || !(d >= 0) || d > SCN_MAX_SECONDS)
            err_v(c, m, false, "expected a virtual time in seconds (a number from 0 to 1e9), got %s",
                  got(c, m));
        else
            s->time = d;
        path_pop(c, old);
    } else if (has(m = member(c, o, "line"))) {
        s->kind = LSTOP_LINE;
        size_t old = path_key(c, "line");
        if (get_uint(c, m, "a line of the Python source", 1, 1000000, &iv))
            s->line = (uint32_t)iv;
        path_pop(c, old);
        if (!has(member(c, o, "coroutine")))
            err_v(c, o, false, "a \"line\" stop needs \"coroutine\": the coroutine the line is in");
    } else {
        m = member(c, o, "step");
        s->kind = LSTOP_STEP;
        size_t old = path_key(c, "step");
        if (get_uint(c, m, "a step number", 0, 4000000000LL, &iv))
            s->step = (uint32_t)iv;
        path_pop(c, old);
    }
    if (s->kind != LSTOP_STAGE && has(m = member(c, o, "task"))) {
        size_t old = path_key(c, "task");
        err_v(c, m, true, "\"task\" goes only with a \"stage\" stop");
        path_pop(c, old);
    }
    if (s->kind != LSTOP_LINE && has(m = member(c, o, "coroutine"))) {
        size_t old = path_key(c, "coroutine");
        err_v(c, m, true, "\"coroutine\" goes only with a \"line\" stop");
        path_pop(c, old);
    }
    s->say = get_string(c, o, "say", false, true, "a sentence to show at this stop");
    s->rule = get_rule(c, o);
    V qv = member(c, o, "question");
    if (has(qv)) {
        size_t old = path_key(c, "question");
        if (ty(c, qv) == JL_STRING && strcmp(str(qv), "next_callback") == 0)
            s->question = LQ_NEXT_CALLBACK;
        else if (ty(c, qv) == JL_STRING && strcmp(str(qv), "next_print") == 0)
            s->question = LQ_NEXT_PRINT;
        else
            err_v(c, qv, false, "expected \"next_callback\" (the student picks from the ready queue) or "
                  "\"next_print\" (the student picks from \"choices\"), got %s", got(c, qv));
        path_pop(c, old);
    }
    V ch = member(c, o, "choices");
    if (s->question == LQ_NEXT_PRINT && !has(ch))
        err_v(c, o, false, "a \"next_print\" question needs \"choices\": the lines the student picks from");
    if (has(ch)) {
        size_t old = path_key(c, "choices");
        if (s->question != LQ_NEXT_PRINT)
            err_v(c, ch, true, "\"choices\" goes only with \"question\": \"next_print\"");
        else {
            s->choices = get_lines(c, ch, "the choices", &s->nchoices);
            if (s->nchoices > 9)
                err_v(c, ch, false, "at most 9 choices (keys 1-9), got %u", s->nchoices);
        }
        path_pop(c, old);
    }
}

static void check_slide(Ctx *c, V o, LecSlide *sl, uint32_t index)
{
    static const char *const allowed[] = {"title", "scenario", "narration", "stops", "claim", NULL};
    sl->claim_rule = -1;
    sl->at_line = nd(c, o)->line;
    sl->at_col = nd(c, o)->col;
    sl->at_path = dup(c->k.path.s ? c->k.path.s : "$");
    (void)index;
    if (ty(c, o) != JL_OBJECT) {
        err_v(c, o, false, "expected a slide (an object with \"title\", \"scenario\" and \"narration\"), got %s",
              got(c, o));
        return;
    }
    unknown_keys(c, o, allowed, "a slide");
    c->what = "this slide";
    sl->title = get_string(c, o, "title", true, false, "the slide's title (a string)");
    sl->narration = get_string(c, o, "narration", true, true, "the narration");
    V sc = member(c, o, "scenario");
    if (!has(sc))
        err_v(c, o, false, "this slide needs \"scenario\": a scenario file (relative to the lecture) or an inline scenario object");
    else {
        size_t old = path_key(c, "scenario");
        if (ty(c, sc) == JL_STRING) {
            if (!str(sc)[0])
                err_v(c, sc, false, "expected a scenario file name, got an empty string");
            else if (!(sl->scenario_file = dup(str(sc))))
                c->k.oom = true;
        } else if (ty(c, sc) != JL_OBJECT) {
            err_v(c, sc, false, "expected a scenario file (a string) or an inline scenario (an object), got %s",
                  got(c, sc));
        }
        path_pop(c, old);
    }
    V st = member(c, o, "stops");
    if (has(st)) {
        size_t old = path_key(c, "stops");
        if (ty(c, st) != JL_ARRAY)
            err_v(c, st, false, "expected a list of stops, got %s", got(c, st));
        else if (nd(c, st)->count > 0) {
            sl->stops = mem_calloc(nd(c, st)->count, sizeof *sl->stops);
            if (!sl->stops)
                c->k.oom = true;
            else {
                uint32_t i = 0;
                for (V e = first(c, st); has(e); e = next(c, e), i++) {
                    size_t o2 = path_index(c, i);
                    check_stop(c, e, &sl->stops[i]);
                    sl->nstops = i + 1;
                    path_pop(c, o2);
                }
            }
        }
        path_pop(c, old);
    }
    V cl = member(c, o, "claim");
    if (has(cl)) {
        size_t old = path_key(c, "claim");
        if (ty(c, cl) != JL_OBJECT) {
            err_v(c, cl, false, "expected a claimed output ({\"by\": \"the tutorial\", \"lines\": [...], "
                  "\"rule\": \"create_task_schedules\"}), got %s", got(c, cl));
        } else {
            static const char *const ca[] = {"by", "lines", "rule", NULL};
            unknown_keys(c, cl, ca, "a claim");
            c->what = "this claim";
            sl->claim_by = get_string(c, cl, "by", false, false, "who claims it (a string)");
            V ln = member(c, cl, "lines");
            if (!has(ln))
                err_v(c, cl, false, "a claim needs \"lines\": the output it claims, one string per line");
            else {
                size_t o2 = path_key(c, "lines");
                sl->claim = get_lines(c, ln, "the claimed lines", &sl->nclaim);
                path_pop(c, o2);
            }
            sl->claim_rule = get_rule(c, cl);
        }
        path_pop(c, old);
    }
}

/* The end offset of the JSON value starting at off (the text is valid). */
static size_t value_end(const char *t, size_t len, size_t off)
{
    int depth = 0;
    bool in_str = false;
    for (size_t i = off; i < len; i++) {
        char ch = t[i];
        if (in_str) {
            if (ch == '\\')
                i++;
            else if (ch == '"')
                in_str = false;
            continue;
        }
        if (ch == '"')
            in_str = true;
        else if (ch == '{' || ch == '[')
            depth++;
        else if (ch == '}' || ch == ']') {
            if (--depth == 0)
                return i + 1;
        }
    }
    return len;
}

/* Lexically: the relative path stays inside its folder. */
static bool stays_inside(const char *p)
{
    if (p[0] == '/')
        return false;
    int depth = 0;
    const char *s = p;
    while (*s) {
        const char *e = strchr(s, '/');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n == 2 && s[0] == '.' && s[1] == '.') {
            if (--depth < 0)
                return false;
        } else if (n > 0 && !(n == 1 && s[0] == '.')) {
            depth++;
        }
        s += n;
        if (*s == '/')
            s++;
    }
    return true;
}

/* Adds one diagnostic as a load of its own. */
static void lone_diag(Diags *d, const char *file, uint32_t line, uint32_t col, const char *path,
                      const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;
static void lone_diag(Diags *d, const char *file, uint32_t line, uint32_t col, const char *path,
                      const char *fmt, ...)
{
    DiagCtx dc;
    if (!diag__begin(&dc, d, file))
        return;
    va_list ap;
    va_start(ap, fmt);
    diag__vadd(&dc, line, col, path, fmt, ap);
    va_end(ap);
    diag__end(&dc);
}

/* Rewrites the JSON paths of diagnostics [from, n) that start with "$" to
 * start with `prefix` (an inline scenario's diagnostics). */
static void prefix_paths(Diags *d, size_t from, const char *prefix)
{
    for (size_t i = from; i < d->n; i++) {
        Diag *g = &d->items[i];
        if (!g->path || g->path[0] != '$')
            continue;
        size_t a = strlen(prefix), b = strlen(g->path + 1);
        char *np = mem_malloc(a + b + 1);
        if (!np)
            continue;
        memcpy(np, prefix, a);
        memcpy(np + a, g->path + 1, b + 1);
        mem_free(g->path);
        g->path = np;
    }
}

/* The folder part of path ("." when none), malloc'd. */
static char *folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return dup(".");
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    char *r = mem_malloc(n + 1);
    if (r) {
        memcpy(r, path, n);
        r[n] = '\0';
    }
    return r;
}

/* Loads every slide's scenario; returns false when any fails. */
static bool load_scenarios(Lecture *L, const JsonLoc *jl, const cJSON *root, const char *text,
                           size_t len, Diags *d)
{
    bool ok = true;
    char *dir = folder_of(L->file);
    if (!dir) { /* found by tests/oom */
        d->oom = true;
        return false;
    }
    char real_dir[PATH_MAX];
    bool have_real = dir && realpath(dir, real_dir) != NULL;
    const cJSON *slides = cJSON_GetObjectItemCaseSensitive(root, "slides");
    uint32_t sn = jl->nodes[0].first; /* the "slides" member (the last one wins, as in cJSON) */
    for (uint32_t m = sn; m != JL_NONE; m = jl->nodes[m].next)
        if (strncmp(jl->text + jl->nodes[m].key_off, "\"slides\"", 8) == 0)
            sn = m;
    uint32_t en = sn != JL_NONE ? jl->nodes[sn].first : JL_NONE;
    const cJSON *e = slides ? slides->child : NULL;
    for (uint32_t i = 0; i < L->nslides && e && en != JL_NONE; i++, e = e->next, en = jl->nodes[en].next) {
        LecSlide *sl = &L->slides[i];
        char spath[64];
        snprintf(spath, sizeof spath, "$.slides[%u].scenario", i);
        const cJSON *sc = cJSON_GetObjectItemCaseSensitive(e, "scenario");
        /* the scenario's node */
        uint32_t scn = JL_NONE;
        for (uint32_t m = jl->nodes[en].first; m != JL_NONE; m = jl->nodes[m].next)
            if (strncmp(jl->text + jl->nodes[m].key_off, "\"scenario\"", 10) == 0)
                scn = m;
        if (!sc || scn == JL_NONE)
            continue;
        const JlNode *sv = &jl->nodes[scn];
        if (cJSON_IsObject(sc)) {
            size_t a = sv->off, b = value_end(text, len, a);
            char *blank = mem_malloc(len + 1);
            if (!blank) {
                d->oom = true;
                ok = false;
                continue;
            }
            for (size_t k = 0; k < len; k++) {
                char ch = text[k];
                blank[k] = (k >= a && k < b) || k < jl->start || ch == '\n' || ch == '\r' ? ch : ' ';
            }
            blank[len] = '\0';
            size_t before = d->n;
            sl->prog = scn_load_text(L->file, blank, len, d);
            mem_free(blank);
            prefix_paths(d, before, spath);
            if (!sl->prog)
                ok = false;
            continue;
        }
        const char *f = sl->scenario_file;
        if (!f)
            continue;
        if (!stays_inside(f)) {
            lone_diag(d, L->file, sv->line, sv->col, spath,
                      "the scenario \"%s\" is outside the lecture's folder: a lecture may only use "
                      "files in its own folder or below it", f);
            ok = false;
            continue;
        }
        size_t n = strlen(dir) + strlen(f) + 2;
        sl->scenario_path = mem_malloc(n);
        if (!sl->scenario_path) {
            d->oom = true;
            ok = false;
            continue;
        }
        snprintf(sl->scenario_path, n, "%s/%s", dir, f);
        struct stat st;
        if (stat(sl->scenario_path, &st) != 0) {
            lone_diag(d, L->file, sv->line, sv->col, spath, "cannot open the scenario \"%s\": %s", f,
                      strerror(errno));
            ok = false;
            continue;
        }
        if (!S_ISREG(st.st_mode)) {
            lone_diag(d, L->file, sv->line, sv->col, spath, "the scenario \"%s\" is not a file", f);
            ok = false;
            continue;
        }
        char real_f[PATH_MAX];
        if (have_real && realpath(sl->scenario_path, real_f)) {
            size_t k = strlen(real_dir);
            if (strncmp(real_f, real_dir, k) != 0 || (real_f[k] != '/' && real_dir[k - 1] != '/')) {
                lone_diag(d, L->file, sv->line, sv->col, spath,
                          "the scenario \"%s\" leads outside the lecture's folder (through a link)", f);
                ok = false;
                continue;
            }
        }
        Diags sd;
        diags_init(&sd);
        sl->prog = scn_load_file(sl->scenario_path, &sd);
        if (!sl->prog) {
            lone_diag(d, L->file, sv->line, sv->col, spath,
                      "the scenario \"%s\" has %zu error%s (listed below)", f, sd.n,
                      sd.n == 1 ? "" : "s");
            /* move its diagnostics over, in order */
            for (size_t k = 0; k < sd.n; k++) {
                if (d->n == d->cap) {
                    size_t nc = d->cap ? d->cap * 2 : 16;
                    Diag *ni = mem_realloc(d->items, nc * sizeof *ni);
                    if (!ni)
                        break;
                    d->items = ni;
                    d->cap = nc;
                }
                d->items[d->n++] = sd.items[k];
                memset(&sd.items[k], 0, sizeof sd.items[k]);
            }
            if (sd.oom)
                d->oom = true;
            ok = false;
        }
        diags_free(&sd);
    }
    mem_free(dir);
    return ok;
}

/* After the scenarios load: coroutine names of "line" stops. */
static bool check_coroutines(Lecture *L, const JsonLoc *jl, const cJSON *root, Diags *d)
{
    bool ok = true;
    const cJSON *slides = cJSON_GetObjectItemCaseSensitive(root, "slides");
    const cJSON *e = slides ? slides->child : NULL;
    for (uint32_t i = 0; i < L->nslides && e; i++, e = e->next) {
        LecSlide *sl = &L->slides[i];
        const cJSON *stops = cJSON_GetObjectItemCaseSensitive(e, "stops");
        const cJSON *s = stops ? stops->child : NULL;
        for (uint32_t k = 0; k < sl->nstops && s; k++, s = s->next) {
            LecStop *st = &sl->stops[k];
            if (st->kind != LSTOP_LINE || !sl->prog)
                continue;
            const cJSON *cv = cJSON_GetObjectItemCaseSensitive(s, "coroutine");
            if (!cv)
                continue;
            char path[128];
            snprintf(path, sizeof path, "%s.coroutine", st->at_path ? st->at_path : "$");
            const Program *p = sl->prog;
            if (cJSON_IsString(cv))
                for (uint32_t c2 = 0; c2 < p->ncoros; c2++)
                    if (strcmp(prog_s(p, p->coros[c2].name), cv->valuestring) == 0)
                        st->coro = c2;
            if (st->coro == UINT32_MAX) {
                SBuf b = {0};
                for (uint32_t c2 = 0; c2 < p->ncoros; c2++)
                    sbuf__printf(&b, "%s%s", c2 ? ", " : "", prog_s(p, p->coros[c2].name));
                lone_diag(d, L->file, st->at_line, st->at_col, path,
                          "expected a coroutine of this slide's scenario (%s), got %s%s%s",
                          b.oom || !b.s ? "?" : b.s, cJSON_IsString(cv) ? "\"" : "",
                          cJSON_IsString(cv) ? cv->valuestring : "a value that is not a string",
                          cJSON_IsString(cv) ? "\"" : "");
                sbuf__free(&b);
                ok = false;
            }
        }
    }
    (void)jl;
    return ok;
}

static bool check_lecture(Ctx *c, V root)
{
    static const char *const allowed[] = {"title", "about", "slides", NULL};
    Lecture *L = c->L;
    if (ty(c, root) != JL_OBJECT) {
        err_v(c, root, false, "expected a lecture (an object with \"title\" and \"slides\"), got %s",
              got(c, root));
        return false;
    }
    unknown_keys(c, root, allowed, "the lecture");
    c->what = "the lecture";
    L->title = get_string(c, root, "title", true, false, "the lecture's title (a string)");
    L->about = get_string(c, root, "about", false, true, "a few words about the lecture");
    V sl = member(c, root, "slides");
    if (!has(sl)) {
        err_v(c, root, false, "the lecture needs \"slides\": a list of slides");
        return false;
    }
    size_t old = path_key(c, "slides");
    if (ty(c, sl) != JL_ARRAY || nd(c, sl)->count == 0) {
        err_v(c, sl, false, "expected a non-empty list of slides, got %s",
              ty(c, sl) == JL_ARRAY ? "an empty list" : got(c, sl));
        path_pop(c, old);
        return false;
    }
    if (nd(c, sl)->count > 10000) {
        err_v(c, sl, false, "at most 10000 slides, got %u", nd(c, sl)->count);
        path_pop(c, old);
        return false;
    }
    L->slides = mem_calloc(nd(c, sl)->count, sizeof *L->slides);
    if (!L->slides) {
        c->k.oom = true;
        path_pop(c, old);
        return false;
    }
    uint32_t i = 0;
    for (V e = first(c, sl); has(e); e = next(c, e), i++) {
        size_t o2 = path_index(c, i);
        check_slide(c, e, &L->slides[i], i);
        L->nslides = i + 1;
        path_pop(c, o2);
    }
    path_pop(c, old);
    return true;
}

Lecture *lec_load_text(const char *path, const char *text, size_t len, Diags *d)
{
    Lecture *L = mem_calloc(1, sizeof *L);
    if (!L || !(L->file = dup(path))) {
        mem_free(L);
        d->oom = true;
        return NULL;
    }
    DiagCtx dc;
    if (!diag__begin(&dc, d, path)) {
        lec_free(L);
        return NULL;
    }
    JsonLoc jl;
    cJSON *root = NULL;
    Ctx c;
    memset(&c, 0, sizeof c);
    c.k.dc = &dc;
    c.k.jl = &jl;
    c.L = L;
    bool ok = false;
    if (!jsonloc__scan(&jl, text, len, &dc)) {
        jsonloc__free(&jl);
        diag__end(&dc);
        lec_free(L);
        return NULL;
    }
    cJSON_Hooks hooks = {mem_malloc, mem_free};
    cJSON_InitHooks(&hooks);
    root = cJSON_ParseWithLengthOpts(text + jl.start, len - jl.start, NULL, false);
    if (!root) {
        dc.oom = true;
    } else {
        sbuf__puts(&c.k.path, "$");
        V rv = {root, 0};
        check_lecture(&c, rv);
        if (c.k.oom || c.k.path.oom)
            dc.oom = true;
    }
    jc_free(&c.k);
    ok = diag__end(&dc);
    if (ok)
        ok = load_scenarios(L, &jl, root, text, len, d);
    if (ok)
        ok = check_coroutines(L, &jl, root, d);
    cJSON_Delete(root);
    jsonloc__free(&jl);
    if (!ok) {
        lec_free(L);
        return NULL;
    }
    return L;
}

Lecture *lec_load_file(const char *path, Diags *d)
{
    size_t len = 0;
    int err = 0;
    const char *what = "";
    char *text = scn_read_file(path, &len, &what, &err);
    if (!text) {
        lone_diag(d, path, 0, 0, NULL, "%s: %s", what, strerror(err));
        return NULL;
    }
    Lecture *L = lec_load_text(path, text, len, d);
    mem_free(text);
    return L;
}

bool lec_sniff_text(const char *text, size_t len)
{
    /* a cheap look: the first non-space character is '{' and a top-level
     * key "slides" exists (a scan with a throwaway diagnostic context) */
    Diags d;
    diags_init(&d);
    DiagCtx dc;
    bool r = false;
    if (!diag__begin(&dc, &d, "sniff"))
        return false;
    JsonLoc jl;
    if (jsonloc__scan(&jl, text, len, &dc) && jl.n && jl.nodes[0].type == JL_OBJECT) {
        for (uint32_t m = jl.nodes[0].first; m != JL_NONE; m = jl.nodes[m].next)
            if (strncmp(jl.text + jl.nodes[m].key_off, "\"slides\"", 8) == 0)
                r = true;
    }
    jsonloc__free(&jl);
    diag__end(&dc);
    diags_free(&d);
    return r;
}

bool lec_sniff_file(const char *path)
{
    size_t len = 0;
    int err = 0;
    const char *what = "";
    char *text = scn_read_file(path, &len, &what, &err);
    if (!text)
        return false;
    bool r = lec_sniff_text(text, len);
    mem_free(text);
    return r;
}

static void free_stop(LecStop *s)
{
    mem_free(s->task);
    mem_free(s->say);
    mem_free(s->at_path);
    free_lines(s->choices, s->nchoices);
}

void lec_free(Lecture *L)
{
    if (!L)
        return;
    for (uint32_t i = 0; i < L->nslides; i++) {
        LecSlide *sl = &L->slides[i];
        mem_free(sl->title);
        mem_free(sl->narration);
        mem_free(sl->scenario_file);
        mem_free(sl->scenario_path);
        prog_free(sl->prog);
        for (uint32_t k = 0; k < sl->nstops; k++)
            free_stop(&sl->stops[k]);
        mem_free(sl->stops);
        free_lines(sl->claim, sl->nclaim);
        mem_free(sl->claim_by);
        mem_free(sl->at_path);
    }
    mem_free(L->slides);
    mem_free(L->title);
    mem_free(L->about);
    mem_free(L->file);
    mem_free(L);
}
