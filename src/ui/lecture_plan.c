/* lecture_plan.c -- resolves a slide's stops, questions and claim against its run
 * (see lecture_plan.h). Pure: reads the Recording, seeks the Sim.
 *
 * Depends on: lecture_plan.h, ui_int.h (source__python).  Used by: app.c, main.c, tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lecture_plan.h"
#include "ui_int.h"

static const char *task_name(const Recording *r, uint32_t t)
{
    return t < r->ntasks ? rec_text(r, r->tasks[t].name) : "";
}

/* The clock after `pos` steps. */
static VTime time_after(const Recording *r, uint32_t pos)
{
    if (pos == 0 || pos > r->nsteps)
        return pos == 0 ? 0 : r->end_time;
    Step st = rec_step(r, pos - 1);
    return st.kind == STEP_POLL ? st.t2 : st.t;
}

static bool resolve(const LecStop *sp, const Recording *r, const Program *p,
                    const uint32_t *stmt_line, uint32_t nstmt, uint32_t from, uint32_t *pos,
                    char *err, size_t errn)
{
    StepReader rd;
    rec_reader_init(&rd, r);
    switch ((LecStopKind)sp->kind) {
    case LSTOP_STAGE:
        for (uint32_t i = from; i < r->nsteps; i++) {
            const Step *st = rec_read(&rd, i);
            if (st->stage != sp->stage)
                continue;
            if (sp->task && (st->task == SIM_NONE || strcmp(task_name(r, st->task), sp->task) != 0))
                continue;
            *pos = i + 1;
            return true;
        }
        if (sp->task) {
            bool exists = false;
            for (uint32_t t = 0; t < r->ntasks; t++)
                if (strcmp(task_name(r, t), sp->task) == 0)
                    exists = true;
            if (!exists) {
                snprintf(err, errn, "no task is named \"%s\" in this slide's run", sp->task);
                return false;
            }
        }
        snprintf(err, errn, "this stop never happens: no stage-%u step%s%s%s after step %u (the run has %u steps)",
                 sp->stage, sp->task ? " of task \"" : "", sp->task ? sp->task : "",
                 sp->task ? "\"" : "", from, r->nsteps);
        return false;
    case LSTOP_TIME: {
        VTime t = (VTime)(sp->time * (double)VTIME_SEC + 0.5);
        for (uint32_t k = from; k <= r->nsteps; k++)
            if (time_after(r, k) >= t) {
                *pos = k;
                return true;
            }
        char a[32], b[32];
        vtime_format(t, 3, a, sizeof a);
        vtime_format(r->end_time, 3, b, sizeof b);
        snprintf(err, errn, "this stop never happens: the run ends at t=%s, before t=%s", b, a);
        return false;
    }
    case LSTOP_LINE: {
        bool exists = false;
        for (uint32_t k = 0; k < nstmt && k < p->nstmts; k++)
            if (stmt_line && stmt_line[k] == sp->line && p->stmts[k].coro_owner == sp->coro)
                exists = true;
        if (!exists) {
            snprintf(err, errn, "line %u of the Python source is not a statement of coroutine %s "
                     "(the Source panel numbers the lines)", sp->line,
                     sp->coro < p->ncoros ? prog_s(p, p->coros[sp->coro].name) : "?");
            return false;
        }
        for (uint32_t i = from; i < r->nsteps; i++) {
            const Step *st = rec_read(&rd, i);
            if (st->kind != STEP_EXEC || st->stmt == SIM_NONE || st->stmt >= nstmt)
                continue;
            if (stmt_line[st->stmt] == sp->line && p->stmts[st->stmt].coro_owner == sp->coro) {
                *pos = i;
                return true;
            }
        }
        snprintf(err, errn, "this stop never happens: line %u does not run after step %u", sp->line, from);
        return false;
    }
    case LSTOP_STEP:
        if (sp->step > r->nsteps || sp->step < from) {
            snprintf(err, errn, "step %u is outside %u..%u (the run has %u steps; stops go in order)",
                     sp->step, from, r->nsteps, r->nsteps);
            return false;
        }
        *pos = sp->step;
        return true;
    }
    snprintf(err, errn, "unknown stop");
    return false;
}

bool lec_plan_make(LecPlan *pl, const LecSlide *sl, Sim *s, const uint32_t *stmt_line,
                   uint32_t nstmt, char *err, size_t errn, uint32_t *bad_stop)
{
    memset(pl, 0, sizeof *pl);
    pl->claim_diff = -1;
    pl->claim_pos = SIM_NONE;
    pl->claim_line_step = SIM_NONE;
    pl->claim_pick_step = SIM_NONE;
    pl->claim_queued_step = SIM_NONE;
    *bad_stop = UINT32_MAX;
    const Recording *r = sim_recording(s);
    const Program *p = sim_program(s);
    if (sl->nstops) {
        pl->stops = calloc(sl->nstops, sizeof *pl->stops);
        if (!pl->stops) {
            snprintf(err, errn, "out of memory");
            return false;
        }
    }
    uint32_t from = 0;
    for (uint32_t k = 0; k < sl->nstops; k++) {
        const LecStop *sp = &sl->stops[k];
        LecPlanStop *ps = &pl->stops[k];
        if (!resolve(sp, r, p, stmt_line, nstmt, from, &ps->pos, err, errn)) {
            *bad_stop = k;
            lec_plan_free(pl);
            return false;
        }
        from = ps->pos;
        pl->nstops = k + 1;
        ps->answer_handle = SIM_NONE;
        ps->answer_choice = UINT32_MAX;
        ps->answer_index = UINT32_MAX;
        if (sp->question == LQ_NEXT_CALLBACK) {
            StepReader rd;
            rec_reader_init(&rd, r);
            for (uint32_t i = ps->pos; i < r->nsteps; i++)
                if (rec_read(&rd, i)->kind == STEP_PICK) {
                    ps->answer_handle = rec_read(&rd, i)->handle;
                    break;
                }
            sim_seek(s, ps->pos);
            ps->nready = sim_ready_len(s);
            for (uint32_t i = 0; i < ps->nready && i < 9; i++) {
                ps->ready[i] = sim_ready_at(s, i);
                if (ps->ready[i] == ps->answer_handle)
                    ps->answer_index = i;
            }
            sim_seek(s, 0);
            if (ps->answer_index == UINT32_MAX) {
                snprintf(err, errn, ps->nready ? "the callback picked next is not among the first 9 in the ready "
                         "queue at this stop: ask this question at another stop"
                         : "the ready queue is empty at this stop: there is nothing to pick from");
                *bad_stop = k;
                lec_plan_free(pl);
                return false;
            }
        } else if (sp->question == LQ_NEXT_PRINT) {
            const char *next = NULL;
            for (uint32_t i = 0; i < r->nlines; i++)
                if (r->lines[i].step >= ps->pos) {
                    next = rec_text(r, r->lines[i].text);
                    break;
                }
            if (!next) {
                snprintf(err, errn, "nothing is printed after this stop: the question has no answer");
                *bad_stop = k;
                lec_plan_free(pl);
                return false;
            }
            for (uint32_t c = 0; c < sp->nchoices; c++)
                if (sp->choices[c] && strcmp(sp->choices[c], next) == 0)
                    ps->answer_choice = c;
            if (ps->answer_choice == UINT32_MAX) {
                snprintf(err, errn, "none of the choices is what is printed next: \"%.200s\"", next);
                *bad_stop = k;
                lec_plan_free(pl);
                return false;
            }
        }
    }
    if (sl->nclaim) {
        uint32_t n = sl->nclaim < r->nlines ? sl->nclaim : r->nlines;
        uint32_t k = 0;
        while (k < n && sl->claim[k] && strcmp(sl->claim[k], rec_text(r, r->lines[k].text)) == 0)
            k++;
        if (k < n || sl->nclaim != r->nlines) {
            pl->claim_diff = (int)k;
            /* the claimed line k, if it is really printed later: the
             * callback that printed it, where it was queued and picked */
            uint32_t j = UINT32_MAX;
            for (uint32_t i = k + 1; k < sl->nclaim && sl->claim[k] && i < r->nlines; i++)
                if (strcmp(sl->claim[k], rec_text(r, r->lines[i].text)) == 0) {
                    j = i;
                    break;
                }
            uint32_t line = j != UINT32_MAX ? j : k < r->nlines ? k : UINT32_MAX;
            if (line != UINT32_MAX) {
                uint32_t st = r->lines[line].step;
                pl->claim_line_step = st;
                uint32_t i = st;
                StepReader rd;
                rec_reader_init(&rd, r);
                while (i > 0 && rec_read(&rd, i)->kind != STEP_PICK)
                    i--;
                pl->claim_pick_step = i;
                pl->claim_pos = i + 1;
                uint32_t h = rec_read(&rd, i)->handle;
                if (j != UINT32_MAX && h < r->nhandles && r->handles[h].queued != SIM_NONE &&
                    r->handles[h].queued < i) {
                    pl->claim_queued_step = r->handles[h].queued;
                    pl->claim_pos = r->handles[h].queued + 1;
                }
            }
        }
    }
    return true;
}

void lec_plan_free(LecPlan *pl)
{
    free(pl->stops);
    pl->stops = NULL;
    pl->nstops = 0;
}

static bool push(char ***out, uint32_t *n, const char *s)
{
    char **nv = realloc(*out, (*n + 1) * sizeof *nv);
    if (!nv)
        return false;
    *out = nv;
    nv[*n] = strdup(s);
    if (nv[*n])
        (*n)++;
    return true;
}

uint32_t lec_plan_check_all(const Lecture *L, char ***out)
{
    uint32_t n = 0;
    *out = NULL;
    for (uint32_t i = 0; i < L->nslides; i++) {
        const LecSlide *sl = &L->slides[i];
        if (!sl->prog)
            continue;
        SimLimits lim = sim_default_limits();
        lim.max_steps = 2000000;
        Sim *s = sim_new(sl->prog, &lim);
        char line[1024], err[600] = "";
        if (!s) {
            snprintf(line, sizeof line, "%s: error: out of memory", L->file);
            push(out, &n, line);
            continue;
        }
        sim_run_to_end(s);
        char *src = NULL;
        uint32_t *stmt_line = NULL;
        source__python(sl->prog, &src, &stmt_line);
        LecPlan pl;
        uint32_t bad;
        if (!lec_plan_make(&pl, sl, s, stmt_line, stmt_line ? sl->prog->nstmts : 0, err, sizeof err, &bad)) {
            if (bad < sl->nstops) {
                const LecStop *sp = &sl->stops[bad];
                snprintf(line, sizeof line, "%s:%u:%u: error: %s: %s", L->file, sp->at_line, sp->at_col,
                         sp->at_path ? sp->at_path : "$", err);
            } else {
                snprintf(line, sizeof line, "%s:%u:%u: error: %s: %s", L->file, sl->at_line, sl->at_col,
                         sl->at_path ? sl->at_path : "$", err);
            }
            push(out, &n, line);
        } else {
            lec_plan_free(&pl);
        }
        free(src);
        free(stmt_line);
        sim_free(s);
    }
    return n;
}
