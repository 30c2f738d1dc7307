/* why.c -- "Why is this here?": the causal chain of a queue item or a step.
 *
 * Every Step names the earlier step that caused it (Step.cause). Walking
 * those links from a selected step back to asyncio.run gives the chain the
 * app lists in words and draws as arrows across the lanes. A ready-queue
 * item (a Handle) starts from the step that queued it and, because the run
 * is fully recorded, ends with the step that will pick (or picked) it.
 * Links must point strictly backwards; a link that does not ends the walk,
 * so a damaged recording cannot loop forever.
 *
 * Depends on: ui_int.h.  Used by: ui.c, panel_why.c, panel_timeline.c.
 */
#include <stdio.h>
#include <string.h>

#include "ui_int.h"

uint32_t why__handle_step(const Recording *r, uint32_t h)
{
    if (!r || h >= r->nhandles)
        return SIM_NONE;
    const HandleInfo *hi = &r->handles[h];
    uint32_t s = hi->queued != SIM_NONE ? hi->queued : hi->created;
    if (s != SIM_NONE && s >= r->nsteps)
        s = r->nsteps ? r->nsteps - 1 : SIM_NONE;
    return s;
}

void why__build(UiCtx *c)
{
    c->nchain = 0;
    c->chain_more = 0;
    const Recording *r = c->v->rec;
    if (!r || c->st->sel_kind == SEL_NONE)
        return;
    uint32_t start = SIM_NONE, tail = SIM_NONE;
    if (c->st->sel_kind == SEL_HANDLE) {
        start = why__handle_step(r, c->st->sel_id);
        if (c->st->sel_id < r->nhandles)
            tail = r->handles[c->st->sel_id].picked;
    } else {
        start = c->st->sel_id;
    }
    if (start == SIM_NONE || start >= r->nsteps)
        return;
    uint32_t rev[UI_CHAIN_MAX];
    int n = 0;
    StepReader rd;
    rec_reader_init(&rd, r);
    uint32_t s = start;
    int room = tail != SIM_NONE && tail < r->nsteps && tail > start ? UI_CHAIN_MAX - 1 : UI_CHAIN_MAX;
    while (s != SIM_NONE && s < r->nsteps) {
        if (n == room) {
            /* count what is left out: once per selection, it is the same
             * every frame and a long chain is many block unpackings */
            UiState *us = c->st;
            if (us->why_rec != (const void *)r || us->why_gen != c->v->doc_gen ||
                us->why_nsteps != r->nsteps || us->why_sel_kind != us->sel_kind ||
                us->why_sel_id != us->sel_id) {
                uint32_t more = 0;
                while (s != SIM_NONE && s < r->nsteps && more < 100000) {
                    uint32_t nx = rec_read(&rd, s)->cause;
                    more++;
                    if (nx != SIM_NONE && nx >= s)
                        break;
                    s = nx;
                }
                us->why_rec = r;
                us->why_gen = c->v->doc_gen;
                us->why_nsteps = r->nsteps;
                us->why_sel_kind = us->sel_kind;
                us->why_sel_id = us->sel_id;
                us->why_more = more;
            }
            c->chain_more = us->why_more;
            break;
        }
        rev[n++] = s;
        uint32_t nx = rec_read(&rd, s)->cause;
        if (nx != SIM_NONE && nx >= s)
            break;
        s = nx;
    }
    for (int i = 0; i < n; i++)
        c->chain[i] = rev[n - 1 - i];
    c->nchain = n;
    if (room < UI_CHAIN_MAX)
        c->chain[c->nchain++] = tail;
}

void why__describe(const UiCtx *c, uint32_t step, char *buf, size_t n)
{
    const Recording *r = c->v->rec;
    if (!r || step >= r->nsteps) {
        snprintf(buf, n, "?");
        return;
    }
    char what[400], t[32];
    sim_describe_step(r, c->v->prog, step, what, sizeof what);
    Step sp = rec_step(r, step);
    vtime_format(sp.t, 3, t, sizeof t);
    snprintf(buf, n, "step %u, t=%s, iteration %u: %s", step, t, sp.iter, what);
}
