/* fuzz_scenario.c -- libFuzzer target: untrusted bytes through the whole pipeline.
 *
 * An input with a top-level "slides" member is a lecture: lec_load_text
 * (the lecture checker, and the loads of the scenarios its slides name).
 * Every other input is treated as a scenario file: scn_load_text (the loader and
 * checker), then, when it loads, a run with small limits (so one input costs
 * milliseconds, not minutes), a few sim_seek positions compared field by
 * field with a fresh simulation stepped to the same place (seek must equal a
 * fresh run: determinism is the app's back button), and the exporters
 * (exp_text_string: the --stages log, exp_chrome_string: the Chrome trace,
 * exp_svg_string: the SVG timeline, exp_python_source: the Python program). Anything the sanitizers report, or a failed comparison
 * (__builtin_trap), is a crash that libFuzzer saves.
 *
 * Built by tests/fuzz/run.sh with clang -fsanitize=fuzzer,address,undefined;
 * with -DFUZZ_STANDALONE it is a plain program that replays files given on
 * the command line (the regression mode, no libFuzzer needed).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "exp_chrome.h"
#include "exp_svg.h"
#include "exp_text.h"
#include "export.h"
#include "lecture.h"
#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "fuzz: check failed: %s (line %d)\n", #c, __LINE__); __builtin_trap(); } } while (0)

/* The state at the cursor of a and b must be the same. */
static void same_state(const Sim *a, const Sim *b)
{
    CHECK(sim_pos(a) == sim_pos(b));
    CHECK(sim_now(a) == sim_now(b));
    CHECK(sim_iter(a) == sim_iter(b));
    CHECK(sim_ready_len(a) == sim_ready_len(b));
    for (uint32_t i = 0; i < sim_ready_len(a); i++)
        CHECK(sim_ready_at(a, i) == sim_ready_at(b, i));
    CHECK(sim_ntasks(a) == sim_ntasks(b));
    CHECK(sim_current_task(a) == sim_current_task(b));
    for (uint32_t t = 0; t < sim_ntasks(a); t++) {
        TaskNow x = sim_task_now(a, t), y = sim_task_now(b, t);
        CHECK(x.exists == y.exists && x.done == y.done && x.running == y.running);
        CHECK(x.wait == y.wait && x.wait_obj == y.wait_obj && x.wait_handle == y.wait_handle);
        CHECK(x.since == y.since && x.since_step == y.since_step);
        CHECK(x.stmt == y.stmt && x.depth == y.depth);
    }
}

/* A lecture: loaded as if it lived in scenarios/lectures/, so its slides can
 * name the real lecture scenarios (basics/seed.json) as well as bad ones. */
static void fuzz_lecture(const uint8_t *data, size_t size)
{
    Diags d;
    diags_init(&d);
    Lecture *L = lec_load_text("scenarios/lectures/fuzz.json", (const char *)data, size, &d);
    for (size_t i = 0; i < d.n; i++) {
        char buf[512];
        diag_format(&d.items[i], buf, sizeof buf);
    }
    diags_free(&d);
    if (L) {
        CHECK(L->nslides > 0);
        for (uint32_t i = 0; i < L->nslides; i++)
            CHECK(L->slides[i].prog != NULL && L->slides[i].title && L->slides[i].narration);
    }
    lec_free(L);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (lec_sniff_text((const char *)data, size)) {
        fuzz_lecture(data, size);
        return 0;
    }
    Diags d;
    diags_init(&d);
    Program *p = scn_load_text("fuzz.json", (const char *)data, size, &d);
    for (size_t i = 0; i < d.n; i++) {     /* formatting must cope with every diagnostic */
        char buf[512];
        diag_format(&d.items[i], buf, sizeof buf);
    }
    diags_free(&d);
    if (!p)
        return 0;

    SimLimits lim = sim_default_limits();
    lim.max_steps = 20000;
    lim.max_tasks = 500;
    lim.max_memory = 64u << 20;
    Sim *s = sim_new(p, &lim);
    if (s) {
        sim_run_to_end(s);
        const Recording *r = sim_recording(s);
        uint32_t n = r->nsteps;
        char line[512];
        for (uint32_t i = 0; i < n && i < 200; i++)
            sim_describe_step(r, p, i, line, sizeof line);
        for (uint32_t i = 0; i < r->nhandles && i < 200; i++)
            sim_describe_handle(r, p, i, line, sizeof line);

        char *txt = exp_text_string(s);
        free(txt);
        /* the timeline exports: Chrome trace JSON and SVG */
        size_t tl = 0;
        char *tr = exp_chrome_string(s, &tl);
        CHECK(!tr || strlen(tr) == tl);
        free(tr);
        char *svg = exp_svg_string(s, &tl);
        CHECK(!svg || strlen(svg) == tl);
        free(svg);

        /* seek: a few positions, in an order that goes back and forth */
        uint32_t pos[5] = { n, n / 2, 0, n / 3 + 1, n > 0 ? n - 1 : 0 };
        for (int k = 0; k < 5; k++) {
            uint32_t at = pos[k] > n ? n : pos[k];
            sim_seek(s, at);
            Sim *f = sim_new(p, &lim);
            if (!f)
                break;
            for (uint32_t i = 0; i < at; i++)
                if (!sim_step(f))
                    break;
            same_state(s, f);
            sim_free(f);
        }
        sim_free(s);
    }
    uint32_t *sl = NULL, *cl = NULL;
    char *py = exp_python_source(p, &sl, &cl);
    free(py);
    free(sl);
    free(cl);
    prog_free(p);
    return 0;
}

#ifdef FUZZ_STANDALONE
/* Regression mode: fuzz_scenario FILE... runs each file once. */
int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) { perror(argv[i]); return 2; }
        size_t cap = 1 << 16, n = 0, k;
        uint8_t *buf = malloc(cap);
        while (buf && (k = fread(buf + n, 1, cap - n, f)) > 0) {
            n += k;
            if (n == cap) { uint8_t *nb = realloc(buf, cap *= 2); if (!nb) { free(buf); buf = NULL; } else buf = nb; }
        }
        fclose(f);
        if (!buf) return 2;
        LLVMFuzzerTestOneInput(buf, n);
        free(buf);
    }
    printf("fuzz regress: %d file(s) ok\n", argc - 1);
    return 0;
}
#endif
