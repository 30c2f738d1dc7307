/* lecture.h -- a lecture file in, a checked Lecture out (slides, stops, questions).
 *
 * A lecture (docs/lecture-format.md) is an ordered list of slides; each
 * names a scenario (a path relative to the lecture file, which must stay
 * inside the lecture's folder, or an inline scenario object), a title, its
 * narration and optional stops: "pause when stage N happens (for task T)",
 * "pause at virtual time t", "pause before line L of coroutine C", "pause at
 * step n". A stop may ask a question ("which callback runs next?", "what is
 * printed next?"); a slide may hold a claimed output to set against the
 * truth. Rules, the sentences a wrong answer names, live in one table here.
 *
 * Loading checks the whole file like a scenario (file:line:col, the JSON
 * path, what was expected and what was found) and loads every slide's
 * scenario, whose diagnostics keep their own file and position (for an
 * inline scenario: positions in the lecture file, paths under the slide).
 * Whether a stop can happen at all needs a run: that is lecture_plan (ui/).
 *
 * Ownership: lec_load_file returns a Lecture owned by the caller
 * (lec_free), which owns every string and Program in it.
 *
 * Depends on: scenario.h, program.h.  Used by: main.c, ui/app.c, ui/lecture_plan.c, tests.
 */
#ifndef LOOPSCOPE_LECTURE_H
#define LOOPSCOPE_LECTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "program.h"
#include "scenario.h"

typedef enum LecStopKind { LSTOP_STAGE, LSTOP_TIME, LSTOP_LINE, LSTOP_STEP } LecStopKind;
typedef enum LecQuestion { LQ_NONE, LQ_NEXT_CALLBACK, LQ_NEXT_PRINT } LecQuestion;

typedef struct LecStop {
    uint8_t kind;       /* LecStopKind */
    uint8_t question;   /* LecQuestion */
    uint8_t stage;      /* LSTOP_STAGE: 1..7 */
    char *task;         /* LSTOP_STAGE: the task's name, or NULL for any task */
    double time;        /* LSTOP_TIME: seconds of virtual time */
    uint32_t line;      /* LSTOP_LINE: line of the Python source (as the Source panel numbers it) */
    uint32_t coro;      /* LSTOP_LINE: coroutine index in the slide's Program */
    uint32_t step;      /* LSTOP_STEP */
    char *say;          /* a sentence shown while paused here, or NULL */
    char **choices;     /* LQ_NEXT_PRINT: the choices offered */
    uint32_t nchoices;
    int rule;           /* the rule a wrong answer names (index in the table), or -1 */
    /* where the stop is written, for diagnostics found later (lecture_plan) */
    uint32_t at_line, at_col;
    char *at_path;
} LecStop;

typedef struct LecSlide {
    char *title;
    char *narration;     /* paragraphs separated by "\n\n"; `code` and *emphasis* */
    char *scenario_file; /* the scenario file as written in the lecture, or NULL (inline) */
    char *scenario_path; /* the path that was opened (lecture folder + file), or NULL */
    Program *prog;       /* the slide's scenario, loaded and checked */
    LecStop *stops;
    uint32_t nstops;
    char **claim;        /* a claimed output, one string per printed line, or NULL */
    uint32_t nclaim;
    char *claim_by;      /* who claims it ("the tutorial"), or NULL */
    int claim_rule;      /* the rule that explains the difference, or -1 */
    uint32_t at_line, at_col; /* where the slide is written */
    char *at_path;
} LecSlide;

typedef struct Lecture {
    char *file;          /* the lecture file's path as given */
    char *title;
    char *about;         /* or NULL */
    LecSlide *slides;
    uint32_t nslides;
} Lecture;

/* True when the file at `path` is a lecture (a JSON object with a
 * top-level "slides" member); anything else is treated as a scenario. */
bool lec_sniff_file(const char *path);
/* The same on text already read. */
bool lec_sniff_text(const char *text, size_t len);

/* Reads, checks and loads the lecture at `path` and every slide's
 * scenario. Returns NULL when there is any error (then d holds at least one
 * diagnostic, unless d->oom). */
Lecture *lec_load_file(const char *path, Diags *d);
Lecture *lec_load_text(const char *path, const char *text, size_t len, Diags *d);
void lec_free(Lecture *L);

/* ---- the rules a wrong answer names (one table) ------------------------- */

typedef struct LecRule {
    const char *id;       /* "create_task_schedules" */
    const char *sentence; /* one short sentence */
} LecRule;

/* The table, and its size. */
const LecRule *lec_rules(size_t *n);
/* The rule named `id`, or -1. */
int lec_rule_find(const char *id);
/* The sentence of rule i ("" for -1). */
const char *lec_rule_sentence(int i);
const char *lec_rule_id(int i);

#endif
