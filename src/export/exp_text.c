/* exp_text.c -- the stage-by-stage log: every micro-step, one line each.
 *
 * Format (stable, for diffing):
 *   # Title
 *   # about text
 *   #  step        t  iter  stage                         what happens
 *       12    1.000     4  3 Execute until await         Task-3 runs print(...)
 *                                                         | B: Finished after 1s
 *                                                         ! Task exception was never retrieved
 * "|" lines are what the step printed, "!" lines what asyncio logged on
 * stderr there (Recording.logs).
 * The words come from core's sim_describe_step and the stage table; this
 * file only lays them out. Reads the Recording, never the live state.
 *
 * Depends on: core.h, out.h.  Used by: main.c (run --stages, export --text), the app.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exp_text.h"
#include "mem.h" /* every allocation can be made to fail in tests (tests/oom) */
#include "obuf.h"
#include "out.h"

typedef OutBuf Buf; /* obuf.h */

/* Text of any length, each of its lines (split at \n, \r\n or \r) after
 * `prefix`, so a multi-line title or print never breaks the log's shape. */
static void put_lines(Buf *b, const char *prefix, const char *z)
{
    for (;;) {
        size_t n = strcspn(z, "\r\n");
        obuf_put(b, prefix, strlen(prefix));
        obuf_put(b, z, n);
        obuf_put(b, "\n", 1);
        z += n;
        if (!*z)
            return;
        z += (z[0] == '\r' && z[1] == '\n') ? 2 : 1;
    }
}

char *exp_text_string(const Sim *s)
{
    const Recording *r = sim_recording(s);
    const Program *p = sim_program(s);
    Buf b = {0};
    if (p->title != PROG_NONE)
        put_lines(&b, "# ", prog_s(p, p->title));
    if (p->about != PROG_NONE)
        put_lines(&b, "# ", prog_s(p, p->about));
    obuf_printf(&b, "#%6s %9s %5s  %-31s %s\n", "step", "t", "iter", "stage", "what happens");
    uint32_t line = 0, log = 0;
    char what[512];
    StepReader *rd = mem_malloc(sizeof *rd);
    if (!rd) {
        free(b.p);
        return NULL;
    }
    rec_reader_init(rd, r);
    for (uint32_t i = 0; i < r->nsteps; i++) {
        const Step *sp = rec_read(rd, i);
        sim_describe(r, p, sp, what, sizeof what);
        char t[32];
        vtime_format(sp->t, 3, t, sizeof t);
        obuf_printf(&b, "%7u %9s %5u  %u %-29s %s\n", i, t, sp->iter, sp->stage,
             stage_name(sp->stage), what);
        while (line < r->nlines && r->lines[line].step <= i) {
            put_lines(&b, "                                                        | ",
                      rec_text(r, r->lines[line].text));
            line++;
        }
        while (log < r->nlogs && r->logs[log].step <= i) { /* asyncio's stderr, marked "!" */
            put_lines(&b, "                                                        ! ",
                      rec_text(r, r->logs[log].text));
            log++;
        }
    }
    mem_free(rd);
    if (r->error_text != SIM_NONE)
        put_lines(&b, "# ", rec_text(r, r->error_text));
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p ? b.p : mem_calloc(1, 1);
}

int exp_text_write(const Sim *s, const char *path, const char *scenario_path, char *err, size_t errn)
{
    char *text = exp_text_string(s);
    int rc = out_save(path, scenario_path, text, text ? strlen(text) : 0, err, errn);
    free(text);
    return rc;
}
