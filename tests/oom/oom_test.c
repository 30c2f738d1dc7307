/* oom_test.c -- every allocation of load + run + export fails once, in turn.
 *
 * Built with -DLOOPSCOPE_FAILALLOC (and ASan+UBSan by tests/oom/run.sh). For
 * each scenario given on the command line it first does the whole job once
 * to count the allocations N (mem_alloc_count) and record the good results,
 * then for k = 1..N makes allocation k and every later one fail
 * (mem_fail_after) and does the job again. At every k the job must end
 * with a clear "out of memory" outcome and nothing else:
 *   - load fails  -> Diags.oom or a diagnostic that says "out of memory"
 *   - sim_new     -> NULL
 *   - the run     -> the good outcome, or SIM_NOMEM with a recording that
 *                    is a prefix of the good one
 *   - an export   -> NULL, or exactly the good text
 * and ASan's leak checker must find nothing when the program exits (every
 * partial structure was freed). A lecture file (a "slides" member) is
 * loaded with lec_load_text instead, its slides' scenarios included: at
 * every k it loads as in the good run or fails saying "out of memory".
 * Prints "oom: FILE: N allocations, N failure points, 0 problems".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "exp_text.h"
#include "export.h"
#include "lecture.h"
#include "mem.h"
#include "scenario.h"

static int failures;

#define EXPECT(c, ...) do { if (!(c)) { failures++; fprintf(stderr, "FAIL k=%lu: ", k); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

typedef struct Good {
    SimOutcome outcome;
    uint32_t nsteps;
    char *text, *py;
} Good;

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return b;
}

/* One whole job. good == NULL: record into *out. Returns allocations made. */
static void job(const char *name, const char *src, size_t len, unsigned long k, const Good *good, Good *out)
{
    Diags d;
    diags_init(&d);
    Program *p = scn_load_text(name, src, len, &d);
    if (!p) {
        int said = d.oom;
        for (size_t i = 0; i < d.n; i++)
            if (d.items[i].msg && strstr(d.items[i].msg, "out of memory"))
                said = 1;
        EXPECT(good && said, "load failed without saying out of memory (%zu diags%s%s)", d.n,
               d.n ? ": " : "", d.n && d.items[0].msg ? d.items[0].msg : "");
        diags_free(&d);
        return;
    }
    diags_free(&d);
    SimLimits lim = sim_default_limits();
    Sim *s = sim_new(p, &lim);
    if (s) {
        SimOutcome o = sim_run_to_end(s);
        const Recording *r = sim_recording(s);
        if (!good) {
            out->outcome = o;
            out->nsteps = r->nsteps;
        } else if (o != good->outcome) {
            EXPECT(o == SIM_NOMEM, "run ended with outcome %d, expected %d or SIM_NOMEM", (int)o, (int)good->outcome);
            EXPECT(r->nsteps <= good->nsteps, "out-of-memory run recorded more steps than the good one");
        } else {
            EXPECT(r->nsteps == good->nsteps, "same outcome, %u steps instead of %u", r->nsteps, good->nsteps);
        }
        char *t = exp_text_string(s);
        if (!good)
            out->text = t;
        else {
            if (t && o == good->outcome)
                EXPECT(strcmp(t, good->text) == 0, "exp_text_string differs from the good run");
            free(t);
        }
        if (good && o != good->outcome && o == SIM_NOMEM) {
            /* the recording up to the failure must still be seekable */
            sim_seek(s, r->nsteps / 2);
            sim_seek(s, 0);
        }
        sim_free(s);
    } else {
        EXPECT(good != NULL, "sim_new failed without allocation failure");
    }
    uint32_t *sl = NULL, *cl = NULL;
    char *py = exp_python_source(p, &sl, &cl);
    if (!good)
        out->py = py;
    else {
        if (py)
            EXPECT(strcmp(py, good->py) == 0, "exp_python_source differs from the good one");
        else
            EXPECT(sl == NULL && cl == NULL, "exp_python_source failed but left line arrays");
        free(py);
    }
    free(sl);
    free(cl);
    prog_free(p);
}

/* The lecture job: load it (and its slides' scenarios). */
static void lecture_job(const char *name, const char *src, size_t len, unsigned long k, uint32_t *nslides)
{
    Diags d;
    diags_init(&d);
    Lecture *L = lec_load_text(name, src, len, &d);
    if (!L) {
        int said = d.oom;
        for (size_t i = 0; i < d.n; i++)
            if (d.items[i].msg && strstr(d.items[i].msg, "out of memory"))
                said = 1;
        EXPECT(k > 0 && said, "lecture load failed without saying out of memory (%zu diags%s%s)", d.n,
               d.n ? ": " : "", d.n && d.items[0].msg ? d.items[0].msg : "");
    } else if (k == 0) {
        *nslides = L->nslides;
    } else {
        EXPECT(L->nslides == *nslides, "lecture loaded with %u slides instead of %u", L->nslides, *nslides);
    }
    lec_free(L);
    diags_free(&d);
}

int main(int argc, char **argv)
{
    for (int a = 1; a < argc; a++) {
        size_t len;
        char *src = slurp(argv[a], &len);
        if (!src) {
            perror(argv[a]);
            return 2;
        }
        unsigned long k = 0;
        if (lec_sniff_text(src, len)) {
            uint32_t nslides = 0;
            mem_fail_after(0);
            lecture_job(argv[a], src, len, 0, &nslides);
            unsigned long n = mem_alloc_count();
            int before = failures;
            for (k = 1; k <= n; k++) {
                mem_fail_after((long)k);
                lecture_job(argv[a], src, len, k, &nslides);
                mem_fail_after(0);
            }
            printf("oom: %s: %lu allocations, %lu failure points, %d problems\n", argv[a], n, n,
                   failures - before);
            free(src);
            continue;
        }
        Good good = {0};
        mem_fail_after(0);
        job(argv[a], src, len, 0, NULL, &good);
        unsigned long n = mem_alloc_count();
        if (!good.text || !good.py) {
            fprintf(stderr, "FAIL: %s: the job fails without allocation failures\n", argv[a]);
            return 1;
        }
        int before = failures;
        for (k = 1; k <= n; k++) {
            mem_fail_after((long)k);
            job(argv[a], src, len, k, &good, NULL);
            mem_fail_after(0);
        }
        printf("oom: %s: %lu allocations, %lu failure points, %d problems\n", argv[a], n, n,
               failures - before);
        free(good.text);
        free(good.py);
        free(src);
    }
    return failures ? 1 : 0;
}
