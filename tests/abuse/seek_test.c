/* seek_test.c -- 10,000 random seeks per scenario must land on exactly the
 * state a fresh run reaches, and stepping on from there must go on exactly
 * as the fresh run did (the app's back button, scrubbing and "seek to n then
 * forward" rely on this).
 *
 * For every scenario on the command line: a fresh simulation is stepped
 * from 0 to the end, taking a fingerprint (a hash of everything the
 * read-only queries show: time, iteration, ready queue, every task) after
 * each step. Then the recorded simulation is sought to 10,000 random
 * positions (with a fixed seed; including 0, the end, and runs of single
 * steps back past the start, which clamp at 0), each compared to the
 * fingerprint of that position, and every 16th seek is followed by a few
 * sim_step calls forward, compared too. Prints one line per scenario.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "scenario.h"

static uint64_t mix(uint64_t h, uint64_t v) { return (h ^ v) * 0x100000001b3ull; }

static uint64_t fingerprint(const Sim *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    h = mix(h, sim_pos(s));
    h = mix(h, (uint64_t)sim_now(s));
    h = mix(h, sim_iter(s));
    h = mix(h, sim_current_task(s));
    for (uint32_t i = 0; i < sim_ready_len(s); i++)
        h = mix(h, sim_ready_at(s, i));
    h = mix(h, sim_ntasks(s));
    for (uint32_t t = 0; t < sim_ntasks(s); t++) {
        TaskNow x = sim_task_now(s, t);
        h = mix(h, (uint64_t)x.exists | (uint64_t)x.done << 1 | (uint64_t)x.running << 2);
        h = mix(h, (uint64_t)x.wait << 32 | x.wait_obj);
        h = mix(h, (uint64_t)x.wait_handle << 32 | x.stmt);
        h = mix(h, (uint64_t)x.since);
        h = mix(h, (uint64_t)x.since_step << 32 | x.depth);
    }
    return h;
}

static uint64_t rng = 88172645463325252ull;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return n ? (uint32_t)(rng % n) : 0;
}

int main(int argc, char **argv)
{
    int bad = 0;
    for (int a = 1; a < argc; a++) {
        Diags d;
        diags_init(&d);
        Program *p = scn_load_file(argv[a], &d);
        diags_free(&d);
        if (!p) {
            printf("FAIL %s: does not load\n", argv[a]);
            bad++;
            continue;
        }
        SimLimits lim = sim_default_limits();
        lim.max_steps = 50000; /* keeps the runaway cases to seconds */
        Sim *fresh = sim_new(p, &lim), *s = sim_new(p, &lim);
        if (!fresh || !s) {
            printf("FAIL %s: out of memory\n", argv[a]);
            return 1;
        }
        sim_run_to_end(s);
        uint32_t n = sim_recording(s)->nsteps;
        uint64_t *ref = malloc((n + 1) * sizeof *ref);
        ref[0] = fingerprint(fresh);
        for (uint32_t i = 1; i <= n; i++) {
            sim_step(fresh);
            ref[i] = fingerprint(fresh);
        }
        int errs = 0;
        uint32_t at = n;
        for (int k = 0; k < 10000 && errs < 5; k++) {
            int mode = rnd(8);
            if (mode == 0)
                at = 0;
            else if (mode == 1)
                at = n;
            else if (mode == 2)
                at = at > 3 ? at - 3 : 0;          /* step back, past the start */
            else
                at = rnd(n + 1);
            uint32_t from = sim_pos(s);
            sim_seek(s, at);
            if (sim_pos(s) != at || fingerprint(s) != ref[at]) {
                printf("FAIL %s: seek %u -> %u (seek #%d) differs from a fresh run\n", argv[a], from, at, k);
                errs++;
            }
            if (k % 16 == 0) {
                for (int j = 0; j < 5 && sim_pos(s) < n; j++) {
                    sim_step(s);
                    if (fingerprint(s) != ref[sim_pos(s)]) {
                        printf("FAIL %s: seek %u then %d steps forward differs from a fresh run\n",
                               argv[a], at, j + 1);
                        errs++;
                        break;
                    }
                }
                at = sim_pos(s);
            }
        }
        printf("%s %s: %u steps, 10000 random seeks\n", errs ? "FAIL" : "ok  ", argv[a], n);
        bad += errs != 0;
        free(ref);
        sim_free(s);
        sim_free(fresh);
        prog_free(p);
    }
    return bad ? 1 : 0;
}
