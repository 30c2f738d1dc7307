/* test_record.c -- every shipped scenario's recording reads back exactly.
 *
 * The packed step format (src/core/record.c) leaves out what a step's
 * handle already says (a PICK's task, future and queuing step), what the
 * kind implies (the stage), the previous task and "the step just before".
 * The unpacker takes them back from the Recording when the step is read,
 * which may be much later: so a handle field that changed after a step
 * naming it was packed would silently change that step. Here every
 * scenario and conformance case is run one step at a time, each step as
 * the scheduler narrated it is kept (Sim.on_step), and at the end every step read back
 * (one at a time and with a StepReader, backwards) must equal it; and every
 * console line's time (rec_line_time, from its step) must be the clock at
 * the moment it was printed, and every timer handle's deadline
 * (rec_handle_when) the clock when it was made plus its delay.
 *
 * test_record_seek_matches_forward: seeking (a keyframe, then a replay that
 * reads the recording's handles, see loop__timer_cancel) gives, at every
 * step, the state that stepping forward from the start gave.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "core_int.h" /* Sim.on_step: every step as it is narrated */
#include "harness.h"
#include "scenario.h"

static bool same_step(const Step *x, const Step *y)
{
    return x->t == y->t && x->t2 == y->t2 && x->iter == y->iter && x->stage == y->stage &&
           x->kind == y->kind && x->aux == y->aux && x->task == y->task &&
           x->handle == y->handle && x->stmt == y->stmt && x->obj == y->obj &&
           x->cause == y->cause;
}

/* Doubles *p's room (of *cap elements of elem bytes) when n reached it. */
static bool room(void **p, uint32_t *cap, uint32_t n, size_t elem)
{
    if (n < *cap)
        return true;
    void *q = realloc(*p, 2 * (size_t)*cap * elem);
    if (!q)
        return false;
    *p = q;
    *cap *= 2;
    return true;
}

/* The steps as narrated, by index (Sim.on_step). */
typedef struct Kept {
    Step *s;
    uint32_t cap, n;
    bool ok;
} Kept;

static void keep_step(void *ctx, uint32_t idx, const Step *sp)
{
    Kept *k = ctx;
    while (k->ok && idx >= k->cap)
        k->ok = room((void **)&k->s, &k->cap, k->cap, sizeof *k->s);
    if (!k->ok)
        return;
    k->s[idx] = *sp; /* (a step that failed to record is narrated again at its index) */
    if (idx + 1 > k->n)
        k->n = idx + 1;
}

static Program *load(const char *path)
{
    Diags d;
    diags_init(&d);
    Program *p = scn_load_file(path, &d);
    diags_free(&d);
    return p;
}

/* Calls fn on every .json file in dir; returns the sum of what it returned,
 * and counts in *files the calls that returned more than 0. */
static uint32_t each_json(const char *dir, uint32_t (*fn)(const char *), uint32_t *files)
{
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    if (!d)
        return 0;
    uint32_t sum = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t k = strlen(e->d_name);
        if (k < 6 || strcmp(e->d_name + k - 5, ".json") != 0)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        uint32_t n = fn(path);
        sum += n;
        *files += n > 0;
    }
    closedir(d);
    return sum;
}

/* Runs `path` step by step; returns the number of steps checked. */
static uint32_t check_file(const char *path)
{
    Program *p = load(path);
    if (!p)
        return 0; /* scenarios/ holds only valid files; each_json counts them */
    SimLimits lim = sim_default_limits();
    lim.max_steps = 300000;
    Sim *s = sim_new(p, &lim);
    CHECK(s != NULL);
    if (!s) {
        prog_free(p);
        return 0;
    }
    uint32_t n = 0, nlines = 0;
    Kept kept = {malloc(1024 * sizeof(Step)), 1024, 0, true};
    kept.ok = kept.s != NULL;
    s->on_step = keep_step;
    s->on_step_ctx = &kept;
    VTime *line_t = malloc(64 * sizeof *line_t);
    uint32_t line_cap = 64;
    const Recording *r = sim_recording(s);
    while (kept.ok && line_t && sim_step(s)) {
        n++;
        for (; nlines < r->nlines; nlines++) { /* lines printed by the work behind it */
            if (!room((void **)&line_t, &line_cap, nlines, sizeof *line_t))
                break;
            line_t[nlines] = s->st.now;
        }
    }
    CHECK(kept.ok);
    CHECK_EQ_INT(kept.n, n);
    Step *want = kept.s;
    CHECK_EQ_INT(r->nsteps, n);
    uint32_t bad = 0;
    for (uint32_t i = 0; i < n && i < r->nsteps; i++) {
        Step one = rec_step(r, i);
        bad += !same_step(&one, &want[i]);
    }
    StepReader *rd = malloc(sizeof *rd);
    if (rd) {
        rec_reader_init(rd, r);
        for (uint32_t i = n; i-- > 0;)
            bad += !same_step(rec_read(rd, i), &want[i]);
    }
    for (uint32_t i = 0; i < nlines && i < r->nlines; i++)
        bad += rec_line_time(r, i) != line_t[i];
    for (uint32_t h = 0; h < r->nhandles; h++) {
        const HandleInfo *hi = &r->handles[h];
        if (!hi->timer)
            continue;
        /* a timer's deadline is the t2 of the REGISTER step that made it,
         * the same deadline its TIMER_DUE step (if it fired) carries */
        Step reg = rec_step(r, hi->created);
        bad += reg.kind != STEP_REGISTER || reg.handle != h || rec_handle_when(r, h) != reg.t2 ||
               rec_handle_when(r, h) < reg.t;
        if (hi->queued != SIM_NONE) {
            Step due = rec_step(r, hi->queued);
            bad += due.kind == STEP_TIMER_DUE && due.t2 != rec_handle_when(r, h);
        }
    }
    if (bad)
        fprintf(stderr, "test_record: %s: %u steps, lines or deadlines differ\n", path, bad);
    CHECK_EQ_INT(bad, 0);
    free(rd);
    free(line_t);
    free(want);
    sim_free(s);
    prog_free(p);
    return n;
}

void test_record_reads_back(void);
void test_record_reads_back(void)
{
    uint32_t files = 0, steps = 0;
    steps += each_json("scenarios", check_file, &files);
    steps += each_json("tests/conformance/cases", check_file, &files);
    /* the unit tests run from the repository's root (make unit) */
    printf("test_record: %u files, %u steps read back\n", files, steps);
    CHECK(files >= 60);
    CHECK(steps > 5000);
}

/* A fingerprint of the state at the cursor: the clock, the ready queue
 * (with the handles cancelled in it) and every task's wait and statement. */
static uint64_t state_print(const Sim *s)
{
    uint64_t h = 1469598103934665603ull;
#define MIX(v) (h = (h ^ (uint64_t)(v)) * 1099511628211ull)
    MIX(sim_pos(s));
    MIX(sim_now(s));
    MIX(sim_ready_len(s));
    for (uint32_t i = 0; i < sim_ready_len(s); i++) {
        MIX(sim_ready_at(s, i));
        MIX(sim_ready_skipped(s, i));
    }
    for (uint32_t t = 0; t < sim_ntasks(s); t++) {
        TaskNow x = sim_task_now(s, t);
        MIX(x.wait);
        MIX(x.stmt);
        MIX(x.done);
    }
#undef MIX
    return h;
}

/* Returns 1 when `path` was checked. */
static uint32_t seek_file(const char *path)
{
    Program *p = load(path);
    if (!p)
        return 0;
    SimLimits lim = sim_default_limits();
    lim.max_steps = 20000;
    Sim *f = sim_new(p, &lim), *a = sim_new(p, &lim);
    uint64_t *want = malloc(((size_t)lim.max_steps + 2) * sizeof *want);
    CHECK(f && a && want);
    uint32_t n = 0, bad = 0;
    if (f && a && want) {
        want[0] = state_print(f);
        while (sim_step(f))
            want[++n] = state_print(f);
        sim_run_to_end(a);
        CHECK_EQ_INT(sim_recording(a)->nsteps, n);
        for (uint32_t k = n + 1; k-- > 0;) { /* backwards: every seek replays */
            sim_seek(a, k);
            bad += state_print(a) != want[k];
        }
        for (uint32_t i = 0, k = 7; i < 200 && n; i++) { /* jumps both ways */
            k = (k * 1103515245u + 12345u) % (n + 1);
            sim_seek(a, k);
            bad += state_print(a) != want[k];
        }
    }
    if (bad)
        fprintf(stderr, "test_record: %s: %u seeks differ from stepping forward\n", path, bad);
    CHECK_EQ_INT(bad, 0);
    free(want);
    sim_free(f);
    sim_free(a);
    prog_free(p);
    return 1;
}

void test_record_seek_matches_forward(void);
void test_record_seek_matches_forward(void)
{
    uint32_t files = 0;
    each_json("tests/conformance/cases", seek_file, &files);
    printf("test_record: %u files, every step sought\n", files);
    CHECK(files >= 45);
}

/* Keyframes share the chunks of their tables that did not change
 * (src/core/keyframe.c): in a fan-out of 3,000 tasks most of the state is
 * the same from one keyframe to the next, so the keyframes together hold
 * far fewer bytes than whole copies would, and they are closer together
 * than whole copies at 32 bytes a step would allow. Seeking to every
 * keyframe and between them must still give the state stepping gave. */
void test_record_keyframes_share(void);
void test_record_keyframes_share(void)
{
    const char *src =
        "{\"objects\": {\"lock\": \"Lock\"}, \"coroutines\": {\"worker\": {\"params\": [\"i\"], \"body\": ["
        "{\"print\": \"worker {i} starts\"}, {\"sleep\": 0.5}, {\"io\": 1, \"label\": \"read {i}\"},"
        "{\"with\": \"lock\", \"body\": [{\"sleep\": 0}]}, {\"return\": {\"var\": \"i\"}}]},"
        "\"main\": [{\"repeat\": 3000, \"as\": \"i\", \"body\": [{\"create_task\": \"worker\", "
        "\"args\": [{\"var\": \"i\"}], \"as\": \"t\"}]}, {\"sleep\": 2}, {\"print\": \"main done\"}]}}";
    Diags d;
    diags_init(&d);
    Program *p = scn_load_text("fanout.json", src, strlen(src), &d);
    diags_free(&d);
    CHECK(p != NULL);
    if (!p)
        return;
    Sim *s = sim_new(p, NULL);
    CHECK(s != NULL);
    if (!s) {
        prog_free(p);
        return;
    }
    sim_run_to_end(s);
    CHECK(sim_outcome(s) == SIM_DONE);
    CHECK(s->nkeys >= 8);
    uint64_t whole = 0, peak = 0;
    uint32_t shared = 0, chunks = 0;
    for (uint32_t i = 0; i < s->nkeys; i++) {
        uint64_t b = keyframe__state_bytes(&s->keys[i].st, s->ncodes);
        whole += b;
        if (b > peak)
            peak = b;
        for (int t = 0; t < KEY_NTABLES; t++) {
            const KeyTable *kt = &s->keys[i].tab[t];
            chunks += kt->nc;
            for (uint32_t c = 0; i > 0 && c < kt->nc && c < s->keys[i - 1].tab[t].nc; c++)
                shared += kt->c[c] == s->keys[i - 1].tab[t].c[c];
        }
    }
    printf("test_record: fan-out of 3,000: %u keyframes, %u of %u chunks shared, %llu of %llu bytes held, "
           "interval %u\n", s->nkeys, shared, chunks, (unsigned long long)s->keys_bytes,
           (unsigned long long)whole, s->key_interval);
    CHECK(shared > chunks / 2);
    CHECK(s->keys_bytes < whole / 2);
    /* as dense as whole copies at 32 bytes a step allowed (one every peak/32
     * steps, rounded up to a power of two), or denser */
    uint32_t old_rule = 256;
    while (old_rule < peak / 32)
        old_rule *= 2;
    CHECK(s->key_interval <= old_rule);
    /* seeks (from the far end, then back) land on what stepping gives: at,
     * just before and just after each keyframe */
    Sim *f = sim_new(p, NULL);
    CHECK(f != NULL);
    for (uint32_t i = 0; f && i < s->nkeys; i++) {
        uint32_t k = s->keys[i].step;
        for (uint32_t at = k > 0 ? k - 1 : 0; at <= k + 1; at++) {
            while (sim_pos(f) < at && sim_step(f)) {
            }
            sim_seek(s, s->rec.nsteps);
            sim_seek(s, at);
            CHECK_EQ_INT(sim_pos(s), sim_pos(f));
            CHECK(state_print(s) == state_print(f));
        }
    }
    sim_free(f);
    sim_free(s);
    prog_free(p);
}
