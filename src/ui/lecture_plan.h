/* lecture_plan.h -- where a slide's stops fall in its recorded run, and the truths
 * its questions and claim are checked against.
 *
 * A slide's scenario is run to the end once; each stop is then resolved, in
 * order, to a cursor position (steps applied) at or after the previous
 * stop's: a stage stop pauses just after the first step of that stage (for
 * that task) so the stage is lit; a time stop where the clock first reaches
 * t; a line stop just before the step that executes that line; a step stop
 * at that step. A stop that never happens is an error a teacher sees at
 * load time (`loopscope check LECTURE.json`), with the stop's position.
 *
 * Questions: "next_callback" is answered by the next handle the loop picks
 * (it must be in the ready queue at the stop); "next_print" by the next line
 * printed (it must be one of the choices). A claim is compared line by line
 * with the real output; the first differing line leads to the step where
 * the real order was decided: when the claimed line is really printed
 * later, the step that queued the callback that printed it (create_task's
 * call_soon), else the pick of the callback that printed the real line.
 *
 * Pure: no SDL. Ownership: lec_plan_free releases what lec_plan_make made.
 *
 * Depends on: core.h, lecture.h, model.h.  Used by: app.c, main.c, tests.
 */
#ifndef LOOPSCOPE_LECTURE_PLAN_H
#define LOOPSCOPE_LECTURE_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"
#include "lecture.h"

typedef struct LecPlanStop {
    uint32_t pos;          /* the cursor position to pause at */
    uint32_t answer_handle;/* next_callback: the handle picked next */
    uint32_t answer_choice;/* next_print: the index of the right choice */
    uint32_t nready;       /* next_callback: ready-queue length at the stop */
    uint32_t ready[9];     /* next_callback: the first 9 handles of the queue (choices) */
    uint32_t answer_index; /* next_callback: index of the answer in ready[] */
} LecPlanStop;

typedef struct LecPlan {
    LecPlanStop *stops;
    uint32_t nstops;
    int claim_diff;        /* first line where claim and truth differ, -1 when equal / no claim */
    uint32_t claim_pos;    /* seek target for the decision (after the pick), or SIM_NONE */
    uint32_t claim_line_step; /* the step that printed the claimed line (or, when the claimed
                                 line is not printed later, the real line there), or SIM_NONE */
    uint32_t claim_pick_step; /* the pick of the callback that printed it, or SIM_NONE */
    uint32_t claim_queued_step; /* the step that queued that callback (create_task,
                                   call_soon), when earlier than the pick; or SIM_NONE */
} LecPlan;

/* Resolves slide `sl` against sim `s` (run to the end already; its cursor
 * is moved and put back to 0). stmt_line gives the 1-based Python line of
 * each statement (model.h). Returns true, or false with a one-line reason
 * in err and the failing stop's index in *bad_stop (UINT32_MAX: the claim
 * or memory). */
bool lec_plan_make(LecPlan *pl, const LecSlide *sl, Sim *s, const uint32_t *stmt_line,
                   uint32_t nstmt, char *err, size_t errn, uint32_t *bad_stop);
void lec_plan_free(LecPlan *pl);

/* Checks every slide of L (each run once with default limits): appends one
 * "file:line:col: error: $.slides[i].stops[k]: ..." string per problem to
 * out (malloc'd strings, caller frees). Returns the number of problems. */
uint32_t lec_plan_check_all(const Lecture *L, char ***out);

#endif
