/* test_core.c -- the core on hand-built programs (no loader involved).
 *
 * The seed tutorial's program, built with the prog_add_* API, must print
 * what CPython 3.11 prints (checked against python3 by the conformance
 * suite for scenarios/two_tasks.json; here the same facts are pinned at the
 * level of the Recording: the order of lines, their virtual times, the stage
 * of every step, determinism and exact seeking).
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "core_int.h" /* rec__append_step: the step packer, tested directly */
#include "harness.h"

static uint32_t add_block(Program *p, const uint32_t *stmts, uint32_t n, Block *b)
{
    b->first = p->nblock_items;
    b->count = n;
    for (uint32_t i = 0; i < n; i++)
        prog_add_block_item(p, stmts[i]);
    return b->first;
}

static uint32_t expr_str(Program *p, const char *z)
{
    Expr e;
    memset(&e, 0, sizeof e);
    e.kind = EXPR_STR;
    e.str = prog_cstr(p, z);
    return prog_add_expr(p, e);
}

static uint32_t expr_int(Program *p, int64_t v)
{
    Expr e;
    memset(&e, 0, sizeof e);
    e.kind = EXPR_INT;
    e.i = v;
    return prog_add_expr(p, e);
}

/* async def task(name, delay): print; await sleep(delay); print
 * (delay is fixed per call here: the loader maps sleep to a literal). */
static Program *seed_program(void)
{
    Program *p = prog_new();
    /* coroutine 0: task(name, delay) with sleep taking the literal from args is
     * not expressible; use two coroutines taskA (sleep 2) and taskB (sleep 1). */
    uint32_t coro_ids[3];
    for (int c = 0; c < 2; c++) {
        Coro co;
        memset(&co, 0, sizeof co);
        co.name = prog_cstr(p, c == 0 ? "task_a" : "task_b");
        co.nparams = 1;
        co.nlocals = 1;
        co.locals_first = p->nlocal_names;
        prog_add_local_name(p, prog_cstr(p, "name"));
        Stmt s1 = prog_stmt_blank(STMT_PRINT);
        s1.text = prog_cstr(p, "{name}: Started");
        s1.coro_owner = (uint32_t)c;
        Stmt s2 = prog_stmt_blank(STMT_SLEEP);
        s2.ns = (c == 0 ? 2 : 1) * VTIME_SEC;
        s2.coro_owner = (uint32_t)c;
        Stmt s3 = prog_stmt_blank(STMT_PRINT);
        s3.text = prog_cstr(p, c == 0 ? "{name}: Finished after 2s" : "{name}: Finished after 1s");
        s3.coro_owner = (uint32_t)c;
        uint32_t ids[3] = {prog_add_stmt(p, s1), prog_add_stmt(p, s2), prog_add_stmt(p, s3)};
        add_block(p, ids, 3, &co.body);
        coro_ids[c] = prog_add_coro(p, co);
    }
    Coro m;
    memset(&m, 0, sizeof m);
    m.name = prog_cstr(p, "main");
    m.locals_first = p->nlocal_names;
    Stmt a = prog_stmt_blank(STMT_PRINT);
    a.text = prog_cstr(p, "Main: Starting tasks...");
    a.coro_owner = 2;
    Stmt b = prog_stmt_blank(STMT_CREATE_TASK);
    b.coro = coro_ids[0];
    b.args_first = p->nexpr_refs;
    b.nargs = 1;
    prog_add_expr_ref(p, expr_str(p, "A"));
    b.coro_owner = 2;
    Stmt c = prog_stmt_blank(STMT_CREATE_TASK);
    c.coro = coro_ids[1];
    c.args_first = p->nexpr_refs;
    c.nargs = 1;
    prog_add_expr_ref(p, expr_str(p, "B"));
    c.coro_owner = 2;
    Stmt d = prog_stmt_blank(STMT_PRINT);
    d.text = prog_cstr(p, "Main: All tasks started!");
    d.coro_owner = 2;
    Stmt e = prog_stmt_blank(STMT_SLEEP);
    e.ns = 3 * VTIME_SEC;
    e.coro_owner = 2;
    Stmt f = prog_stmt_blank(STMT_PRINT);
    f.text = prog_cstr(p, "Main: Exiting");
    f.coro_owner = 2;
    uint32_t ids[6] = {prog_add_stmt(p, a), prog_add_stmt(p, b), prog_add_stmt(p, c),
                       prog_add_stmt(p, d), prog_add_stmt(p, e), prog_add_stmt(p, f)};
    add_block(p, ids, 6, &m.body);
    p->main = prog_add_coro(p, m);
    (void)expr_int;
    return p;
}

/* Steps compared field by field: a struct copy need not copy padding. */
static bool step_equal(const Step *x, const Step *y)
{
    return x->t == y->t && x->t2 == y->t2 && x->iter == y->iter && x->stage == y->stage &&
           x->kind == y->kind && x->aux == y->aux && x->task == y->task &&
           x->handle == y->handle && x->stmt == y->stmt && x->obj == y->obj &&
           x->cause == y->cause;
}

/* Two recordings hold the same steps: byte for byte packed, and unpacked. */
static bool steps_equal(const Recording *a, const Recording *b)
{
    if (a->nsteps != b->nsteps || a->nsbytes != b->nsbytes ||
        memcmp(a->sbytes, b->sbytes, a->nsbytes) != 0)
        return false;
    for (uint32_t i = 0; i < a->nsteps; i++) {
        Step x = rec_step(a, i), y = rec_step(b, i);
        if (!step_equal(&x, &y))
            return false;
    }
    return true;
}

void test_core_seed_order(void);
void test_core_seed_order(void)
{
    Program *p = seed_program();
    CHECK(p->ok);
    Sim *s = sim_new(p, NULL);
    CHECK(s != NULL);
    CHECK_EQ_INT(sim_run_to_end(s), SIM_DONE);
    const Recording *r = sim_recording(s);
    static const char *const want[] = {
        "Main: Starting tasks...", "Main: All tasks started!", "A: Started", "B: Started",
        "B: Finished after 1s", "A: Finished after 2s", "Main: Exiting",
    };
    static const int64_t want_t[] = {0, 0, 0, 0, 1, 2, 3};
    CHECK_EQ_INT(r->nlines, 7);
    for (uint32_t i = 0; i < r->nlines && i < 7; i++) {
        CHECK_EQ_STR(rec_text(r, r->lines[i].text), want[i]);
        CHECK_EQ_INT(rec_line_time(r, i), want_t[i] * VTIME_SEC);
    }
    /* every step carries a stage 1..7; the first is stage 1 */
    CHECK_EQ_INT(rec_step(r, 0).stage, 1);
    for (uint32_t i = 0; i < r->nsteps; i++)
        CHECK(rec_step(r, i).stage >= 1 && rec_step(r, i).stage <= 7);
    /* shutdown tasks: Task-1 main, Task-2 A, Task-3 B, Task-4/5 asyncio's own */
    CHECK_EQ_INT(r->ntasks, 5);
    CHECK_EQ_STR(rec_text(r, r->tasks[4].name), "Task-5");
    sim_free(s);
    prog_free(p);
}

void test_core_determinism_and_seek(void);
void test_core_determinism_and_seek(void)
{
    Program *p = seed_program();
    Sim *a = sim_new(p, NULL), *b = sim_new(p, NULL);
    sim_run_to_end(a);
    sim_run_to_end(b);
    const Recording *ra = sim_recording(a), *rb = sim_recording(b);
    CHECK_EQ_INT(ra->nsteps, rb->nsteps);
    CHECK(steps_equal(ra, rb));
    /* seek back to every step and compare the view with a fresh run */
    uint32_t n = ra->nsteps;
    for (uint32_t k = 0; k <= n; k += 3) {
        sim_seek(a, k);
        Sim *f = sim_new(p, NULL);
        for (uint32_t i = 0; i < k; i++)
            sim_step(f);
        CHECK_EQ_INT(sim_pos(a), k);
        CHECK_EQ_INT(sim_now(a), sim_now(f));
        CHECK_EQ_INT(sim_ready_len(a), sim_ready_len(f));
        for (uint32_t i = 0; i < sim_ready_len(a); i++)
            CHECK_EQ_INT(sim_ready_at(a, i), sim_ready_at(f, i));
        for (uint32_t t = 0; t < sim_ntasks(f); t++) {
            TaskNow x = sim_task_now(a, t), y = sim_task_now(f, t);
            CHECK_EQ_INT(x.wait, y.wait);
            CHECK_EQ_INT(x.stmt, y.stmt);
        }
        sim_free(f);
    }
    /* the recording is unchanged by seeking */
    CHECK_EQ_INT(ra->nsteps, n);
    CHECK(steps_equal(ra, rb));
    sim_free(a);
    sim_free(b);
    prog_free(p);
}

/* The packed steps give back exactly what was recorded: random steps with
 * every field at its edges (SIM_NONE, 0, UINT32_MAX - 1, huge and negative
 * times, causes after the step, time going back), read one at a time, in
 * order, backwards and at random; and the clock marks give every step's time. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static uint32_t rnd_u32(uint32_t prev)
{
    switch (rnd() % 8) {
    case 0: return SIM_NONE;
    case 1: return 0;
    case 2: return UINT32_MAX - 1;
    case 3: return prev;
    case 4: return prev + 1;
    case 5: return prev - (uint32_t)(rnd() % 1000);
    case 6: return (uint32_t)(rnd() % 200);
    default: return (uint32_t)rnd();
    }
}

static VTime rnd_time(VTime prev)
{
    switch (rnd() % 6) {
    case 0: return 0;
    case 1: return prev;
    case 2: return (VTime)((uint64_t)prev + rnd() % 5000000000ull); /* wraps: no signed overflow */
    case 3: return INT64_MAX - (VTime)(rnd() % 3);
    case 4: return INT64_MIN + (VTime)(rnd() % 3);
    default: return (VTime)rnd();
    }
}

void test_core_step_packing(void);
void test_core_step_packing(void)
{
    Program *p = seed_program();
    Sim *s = sim_new(p, NULL);
    CHECK(s != NULL);
    if (!s) {
        prog_free(p);
        return;
    }
    enum { N = 20000, NH = 300 };
    /* handles for steps to name: a step whose fields are its handle's is
     * packed without them (record.c, F_HANDLE_SAYS) */
    for (uint32_t k = 0; k < NH; k++) {
        uint32_t h = rec__handle(s, (HandleKind)(rnd() % 4), rnd_u32(k), rnd_u32(k), SIM_NONE,
                                 rnd_u32(k), rnd() % 2);
        CHECK(h != SIM_NONE && h < s->rec.nhandles);
        if (h < s->rec.nhandles) {
            s->rec.handles[h].created = rnd_u32(k * 7);
            s->rec.handles[h].queued = rnd_u32(k * 7);
        }
    }
    Step *want = calloc(N, sizeof *want);
    Step prev;
    memset(&prev, 0, sizeof prev);
    for (uint32_t i = 0; i < N && want; i++) {
        Step *w = &want[i];
        w->t = rnd() % 3 ? prev.t : rnd_time(prev.t);
        w->t2 = rnd() % 2 ? 0 : rnd_time(w->t);
        w->iter = rnd() % 4 ? prev.iter : rnd_u32(prev.iter);
        w->stage = (uint8_t)(1 + rnd() % 7);
        w->kind = (uint8_t)(rnd() % STEP__COUNT);
        w->aux = rnd() % 2 ? 0 : (uint8_t)rnd();
        w->task = rnd_u32(prev.task);
        w->handle = rnd_u32(prev.handle);
        w->stmt = rnd_u32(prev.stmt);
        w->obj = rnd_u32(prev.obj);
        w->cause = rnd() % 3 ? i - (uint32_t)(rnd() % 40) : rnd_u32(i);
        if (rnd() % 2) { /* name a real handle, and take some of its fields */
            w->handle = (uint32_t)(rnd() % s->rec.nhandles);
            const HandleInfo *hi = &s->rec.handles[w->handle];
            w->task = rnd() % 4 ? hi->task : w->task;
            w->stmt = rnd() % 4 ? hi->stmt : w->stmt;
            w->obj = rnd() % 4 ? hi->fut : w->obj;
            w->cause = rnd() % 3 == 0 ? hi->queued : rnd() % 2 ? hi->created : w->cause;
        }
        CHECK(rec__append_step(s, w));
        prev = *w;
    }
    const Recording *r = sim_recording(s);
    CHECK_EQ_INT(r->nsteps, N);
    uint32_t bad = 0;
    StepReader *rd = malloc(sizeof *rd);
    if (want && rd) {
        rec_reader_init(rd, r);
        for (uint32_t i = 0; i < N; i++) { /* in order */
            Step one = rec_step(r, i);
            bad += !step_equal(&one, &want[i]) || !step_equal(rec_read(rd, i), &want[i]) ||
                   rec_step_time(r, i) != want[i].t;
        }
        for (uint32_t i = N; i-- > 0;) /* backwards */
            bad += !step_equal(rec_read(rd, i), &want[i]);
        for (uint32_t k = 0; k < N; k++) { /* at random */
            uint32_t i = (uint32_t)(rnd() % N);
            bad += !step_equal(rec_read(rd, i), &want[i]);
        }
        CHECK_EQ_INT(bad, 0);
        /* it is packed: the seed run's real steps take far less than a Step each */
        CHECK(r->nsbytes < (uint64_t)N * sizeof(Step));
    }
    free(rd);
    free(want);
    sim_free(s);
    /* a real run: under 12 bytes a step */
    s = sim_new(p, NULL);
    sim_run_to_end(s);
    r = sim_recording(s);
    CHECK(r->nsteps > 20 && r->nsbytes < 12u * r->nsteps);
    sim_free(s);
    prog_free(p);
}

/* val__fmt_int prints what "%lld" prints (it replaced snprintf on the
 * print path), at the edges too. */
void test_core_fmt_int(void);
void test_core_fmt_int(void)
{
    const int64_t v[] = {0, 1, -1, 9, 10, -10, 1234567890, -987654321012345678ll, INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char a[32], b[32];
        size_t n = val__fmt_int(a, v[i]);
        snprintf(b, sizeof b, "%lld", (long long)v[i]);
        CHECK_EQ_STR(a, b);
        CHECK_EQ_INT(n, strlen(b));
    }
}
