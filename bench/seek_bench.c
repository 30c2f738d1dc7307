/* seek_bench.c -- seeking in a long recording (make bench).
 *
 *   seek_bench FILE.json SEEKS
 *
 * Runs the scenario to the end (its recording must be long: bench/gen.py
 * seek), then times SEEKS seeks to random steps (sim_seek: the nearest
 * keyframe and a replay) and, as the reference, a few replays from the
 * start to random steps (a fresh Sim stepped there), and 200 step-backs
 * one step at a time from a random step. Prints "steps run_s
 * seek_ms_median seek_ms_p99 replay_ms_mean back_ms_median back_ms_p99
 * keyframe_bytes".
 * The positions come from a fixed-seed generator: the same run every time.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core.h"
#include "scenario.h"

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static uint64_t rng = 88172645463325252ULL;
static uint32_t next_rand(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    int seeks = atoi(argv[2]);
    Diags d;
    diags_init(&d);
    Program *p = scn_load_file(argv[1], &d);
    diags_free(&d);
    if (!p || seeks < 1)
        return 2;
    SimLimits lim = sim_default_limits();
    lim.max_steps = 100000000;
    lim.max_memory = 8ULL << 30;
    Sim *s = sim_new(p, &lim);
    double t0 = now_ms();
    sim_run_to_end(s);
    double run = now_ms() - t0;
    uint32_t n = sim_recording(s)->nsteps;
    double *ms = malloc((size_t)seeks * sizeof *ms);
    for (int i = 0; i < seeks; i++) {
        uint32_t to = next_rand(n + 1);
        double a = now_ms();
        sim_seek(s, to);
        ms[i] = now_ms() - a;
        if (sim_pos(s) != to)
            return 3;
    }
    qsort(ms, (size_t)seeks, sizeof *ms, cmp);
    /* stepping back: from a random step, 200 times one step back (the app's
     * left arrow), as a median */
    double back[200];
    uint32_t from = n > 400 ? 200 + next_rand(n - 400) : n;
    sim_seek(s, from);
    for (int i = 0; i < 200; i++) {
        uint32_t to = from > (uint32_t)i + 1 ? from - (uint32_t)i - 1 : 0;
        double a = now_ms();
        sim_seek(s, to);
        back[i] = now_ms() - a;
    }
    qsort(back, 200, sizeof *back, cmp);
    /* the reference: replaying from the start, as a simulator without keyframes must */
    double replay = 0;
    int nrep = 3;
    for (int i = 0; i < nrep; i++) {
        uint32_t to = next_rand(n + 1);
        Sim *f = sim_new(p, &lim);
        double a = now_ms();
        for (uint32_t k = 0; k < to && sim_step(f); k++)
            ;
        replay += now_ms() - a;
        sim_free(f);
    }
    printf("%u %.3f %.4f %.4f %.3f %.4f %.4f %llu\n", n, run / 1e3, ms[seeks / 2], ms[(seeks * 99) / 100],
           replay / nrep, back[100], back[197], (unsigned long long)sim_keyframe_bytes(s));
    free(ms);
    sim_free(s);
    prog_free(p);
    return 0;
}
