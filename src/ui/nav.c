/* nav.c -- where the navigation keys go: iteration and stage jumps.
 *
 * The Recording is complete when the app shows it, so every target can be
 * computed from it: the UI turns "next iteration" into a seek to a step
 * number and app.c only ever seeks. A position is a step boundary ("after
 * n steps"); the step just applied is n - 1, and its stage is the one lit.
 *
 * Depends on: ui_int.h.  Used by: ui.c, tests.
 */
#include "ui_int.h"

int nav__stage_at(const Recording *r, uint32_t pos)
{
    if (!r || pos == 0 || pos > r->nsteps)
        return 0;
    return rec_step(r, pos - 1).stage;
}

/* The boundary after the first step of iteration i. */
static uint32_t iter_target(const UiModel *m, uint32_t i)
{
    uint32_t s = model_iter_start(m, i);
    uint32_t n = m->rec ? m->rec->nsteps : 0;
    return s < n ? s + 1 : n;
}

/* The first iteration i in [0, niters + 1] whose target is above pos (or
 * at least pos, with `or_equal`), niters + 2 if none. Targets never go down
 * as i grows, so this is a binary search, not a walk over 200,000
 * iterations a key press. */
static uint32_t first_iter_above(const UiModel *m, uint32_t pos, bool or_equal)
{
    uint32_t lo = 0, hi = m->niters + 2;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        uint32_t t = iter_target(m, mid);
        if (t > pos || (or_equal && t == pos))
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

uint32_t nav__next_iter(const UiModel *m, uint32_t pos)
{
    if (!m->rec)
        return pos;
    uint32_t i = first_iter_above(m, pos, false);
    return i <= m->niters + 1 ? iter_target(m, i) : m->rec->nsteps;
}

uint32_t nav__prev_iter(const UiModel *m, uint32_t pos)
{
    if (!m->rec)
        return pos;
    /* the last target below pos, or 0 */
    uint32_t i = first_iter_above(m, pos, true);
    return i > 0 ? iter_target(m, i - 1) : 0;
}

uint32_t nav__next_stage(const UiModel *m, uint32_t pos, int stage)
{
    const Recording *r = m->rec;
    if (!r)
        return pos;
    StepReader rd;
    rec_reader_init(&rd, r);
    for (uint32_t j = pos; j < r->nsteps; j++)
        if (rec_read(&rd, j)->stage == stage)
            return j + 1;
    return pos;
}

uint32_t nav__prev_stage(const UiModel *m, uint32_t pos, int stage)
{
    const Recording *r = m->rec;
    if (!r || pos < 2)
        return pos;
    uint32_t top = pos - 1 < r->nsteps ? pos - 1 : r->nsteps;
    StepReader rd;
    rec_reader_init(&rd, r);
    for (uint32_t j = top; j-- > 0;)
        if (rec_read(&rd, j)->stage == stage)
            return j + 1;
    return pos;
}
