/* core.h -- the public face of the simulation core: Sim, Recording, views.
 *
 * The core runs a Program (program.h) on a deterministic model of CPython
 * 3.11's asyncio event loop, one micro-step at a time. Every micro-step is
 * appended to a Recording as a Step tagged with its stage (stage.h). The UI
 * and the exporters read only the Recording and the read-only queries below;
 * they never change the simulation's rules.
 *
 * Life cycle:
 *   Sim *s = sim_new(prog, &limits);    // prog must outlive s
 *   sim_run_to_end(s);                  // records the whole run (or up to a limit)
 *   sim_seek(s, n);                     // state after n steps: keyframe + replay
 *   ... sim_ready_*, sim_task_*, sim_now ... read the state at the cursor
 *   sim_free(s);
 *
 * The core has no I/O, no globals and no clock: a run is a pure function of
 * the Program and the limits, and two runs record byte-identical Steps.
 *
 * Depends on: program.h, stage.h.  Used by: scenario/ (no), export/, ui/, main.
 */
#ifndef LOOPSCOPE_CORE_H
#define LOOPSCOPE_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "program.h"
#include "stage.h"

#define SIM_NONE UINT32_MAX

/* ---- how a run ended ---------------------------------------------------- */

typedef enum SimOutcome {
    SIM_RUNNING = 0,  /* not finished yet */
    SIM_DONE,         /* asyncio.run returned main's result */
    SIM_RAISED,       /* main raised: asyncio.run re-raises (exit status 1) */
    SIM_DEADLOCK,     /* nothing ready, no timer: the loop would wait forever (3) */
    SIM_LIMIT,        /* a safety limit stopped the run (4) */
    SIM_NOMEM         /* an allocation failed; the recording up to here is kept */
} SimOutcome;

typedef enum SimLimitKind {
    LIMIT_NONE = 0,
    LIMIT_STEPS,      /* --max-steps */
    LIMIT_TIME,       /* --max-time, in virtual seconds */
    LIMIT_TASKS,      /* --max-tasks */
    LIMIT_DEPTH,      /* --max-depth (nested calls, RecursionError in Python) */
    LIMIT_MEMORY,     /* --max-memory (bytes of simulation state) */
    LIMIT_CANCEL_RECURSION /* a cancel went round a cycle of waits, or down a chain
                        * too long (RecursionError in Python) where loopscope
                        * does not raise it */
} SimLimitKind;

/* The most tasks a run can have (sim_new lowers a larger max_tasks to it):
 * a recorded span keeps its task id in 26 bits (SpanRec). */
#define SIM_MAX_TASKS ((1u << 26) - 64u)

typedef struct SimLimits {
    uint64_t max_steps;   /* default 50,000,000 */
    VTime max_time;       /* default 1e6 s */
    uint32_t max_tasks;   /* default 1,000,000; at most SIM_MAX_TASKS */
    uint32_t max_depth;   /* default 900 (Python's recursion limit is 1000) */
    uint64_t max_memory;  /* default 2 GiB */
    bool keyframes;       /* default true: keep keyframes while recording, so
                           * seeking anywhere is fast. A run that only goes
                           * forward (the CLI's run and export) turns them off:
                           * it saves their memory and copies, and a seek
                           * still works, replaying from step 0. */
} SimLimits;

/* The generous defaults. */
SimLimits sim_default_limits(void);

/* ---- the recording ------------------------------------------------------ */

typedef enum StepKind {
    STEP_START,        /* 1: asyncio.run: loop created, main Task created */
    STEP_POLL,         /* 7: select(): nothing ready -> the clock jumps to the next timer (t2 = new time) */
    STEP_TIMER_DUE,    /* 6: a due timer's callback enters the ready queue (handle; aux = 1:
                        * the timer was cancelled, so it will be skipped) */
    STEP_PICK,         /* 2: the head of the ready queue is popped (handle) */
    STEP_SKIP,         /* 2: a cancelled handle is popped and skipped */
    STEP_EXEC,         /* 3: a statement of a task ran (stmt; aux = TimeoutStep for with_timeout,
                        *    AcStep for as_completed) */
    STEP_CALLBACK,     /* 3: a plain callback ran (handle): timer callback, gather's _done_callback, ...
                        *    (aux = ShieldStep for shield's callbacks, AcStep for as_completed's) */
    STEP_REGISTER,     /* 4: an awaited operation was registered (aux = WaitKind, t2 = deadline for timers) */
    STEP_SUSPEND,      /* 5: the task yielded back to the loop */
    STEP_RESOLVE,      /* 6: a future completed; its callbacks were queued with call_soon (fut) */
    STEP_TASK_END,     /* 5: a task finished (aux = TaskEnd) */
    STEP_ITER_END,     /* 7: the iteration's snapshot is done; the loop checks whether to stop */
    STEP_SHUTDOWN,     /* 7: asyncio.run's shutdown: cancel what is left, shut down, close */
    STEP_FINISH,       /* 7: the run is over (aux = SimOutcome) */
    STEP__COUNT
} StepKind;

/* What an EXEC step of `async with asyncio.timeout(d)` did (its aux). */
typedef enum TimeoutStep {
    TOS_ENTER = 0,     /* __aenter__: the handler is scheduled (or not, for None) */
    TOS_EXIT,          /* __aexit__ before it expired: the handler is cancelled */
    TOS_EXIT_RAISE,    /* __aexit__ before it expired, an exception going on up */
    TOS_TIMEOUT,       /* expired: the CancelledError becomes TimeoutError */
    TOS_CANCEL_ON,     /* expired, but another cancel is pending: CancelledError goes on */
    TOS_EXPIRED_EXIT,  /* expired, the body ended without an exception (it caught the cancel) */
    TOS_EXPIRED_RAISE  /* expired, the body raised something else: it goes on up */
} TimeoutStep;

/* What a CALLBACK step of shield's _inner_done_callback / _outer_done_callback did (its aux). */
typedef enum ShieldStep {
    SHS_NONE = 0,
    SHS_RESULT,        /* inner: outer.set_result(inner.result()) */
    SHS_EXCEPTION,     /* inner: outer.set_exception(inner.exception()) */
    SHS_CANCEL,        /* inner was cancelled: outer.cancel() */
    SHS_RETRIEVED,     /* inner: outer was cancelled first; only inner.exception() (retrieved) */
    SHS_REMOVE,        /* outer: inner still runs; inner.remove_done_callback(_inner_done_callback) */
    SHS_INNER_DONE     /* outer: inner is done already: nothing */
} ShieldStep;

/* What a CALLBACK step of as_completed's _on_completion did (its aux), and
 * which await an EXEC step of its loop is (AC_EXEC_NEXT: `x = await _f`). */
typedef enum AcStep {
    ACS_NONE = 0,
    ACS_QUEUED,        /* the future went into the done Queue; nothing waits there */
    ACS_WAKE,          /* ... and the waiting getter gets its result: the task's wakeup is queued */
    ACS_LATE,          /* _on_timeout was here first: nothing */
    AC_EXEC_NEXT = 1   /* (EXEC) the loop's `await _f` */
} AcStep;

typedef enum WaitKind {
    WAIT_NONE = 0,
    WAIT_TIMER,     /* asyncio.sleep(d): a timer and a future */
    WAIT_IO,        /* an I/O read registered with the selector */
    WAIT_TASK,      /* await task (done callback) */
    WAIT_GATHER,    /* await gather(...) */
    WAIT_WAIT_FOR,  /* wait_for's waiter future */
    WAIT_EVENT,     /* Event.wait */
    WAIT_LOCK,      /* Lock.acquire / Semaphore.acquire */
    WAIT_QUEUE_GET, /* Queue.get on an empty queue */
    WAIT_QUEUE_PUT, /* Queue.put on a full queue */
    WAIT_QUEUE_JOIN,/* Queue.join */
    WAIT_GROUP,     /* TaskGroup.__aexit__ waiting for its children */
    WAIT_READY,     /* not waiting: its step is in the ready queue (bare yield) */
    WAIT_SHIELD,    /* await asyncio.shield(aw): shield's outer future */
    WAIT_AS_COMPLETED, /* await as_completed's next: its done Queue's getter */
    WAIT__COUNT
} WaitKind;

typedef enum TaskEnd {
    TASK_END_NONE = 0, /* still pending when the run stopped */
    TASK_END_RESULT,   /* returned */
    TASK_END_RAISED,   /* raised an exception */
    TASK_END_CANCELLED /* ended cancelled */
} TaskEnd;

typedef struct Step {
    VTime t;          /* virtual time when the step happened */
    VTime t2;         /* kind-specific: POLL new time, REGISTER deadline */
    uint32_t iter;    /* loop iteration (1-based; 0 before the first) */
    uint8_t stage;    /* 1..7 */
    uint8_t kind;     /* StepKind */
    uint8_t aux;      /* WaitKind / TaskEnd / SimOutcome / cancelled, by kind */
    uint8_t pad;
    uint32_t task;    /* the task concerned or SIM_NONE */
    uint32_t handle;  /* the handle concerned or SIM_NONE */
    uint32_t stmt;    /* the statement executed or SIM_NONE */
    uint32_t obj;     /* object / future / other task concerned, by kind */
    uint32_t cause;   /* the earlier step that caused this one, or SIM_NONE */
} Step;

/* What a ready-queue entry (a Handle) will do when the loop runs it. */
typedef enum HandleKind {
    H_TASK_STEP,      /* Task.__step: first step, or after a bare yield */
    H_TASK_WAKEUP,    /* Task.__wakeup: the awaited future completed */
    H_SLEEP_DONE,     /* timer: futures._set_result_unless_cancelled (sleep) */
    H_IO_DONE,        /* I/O completion: the read's future gets its result */
    H_RELEASE_WAITER, /* wait_for's _release_waiter (timer or done callback) */
    H_GATHER_DONE,    /* gather's _done_callback for one child */
    H_GROUP_DONE,     /* TaskGroup._on_task_done */
    H_RUN_UNTIL_DONE, /* run_until_complete's _run_until_complete_cb: stop the loop */
    H_TIMEOUT,        /* asyncio.timeout's Timeout._on_timeout: cancel the task */
    H_SHIELD_INNER,   /* shield's _inner_done_callback: inner done -> outer */
    H_SHIELD_OUTER,   /* shield's _outer_done_callback: outer done -> forget inner */
    H_AC_DONE,        /* as_completed's _on_completion: a future done -> its done Queue */
    H_AC_TIMEOUT,     /* as_completed's _on_timeout: a None for each future left */
    H__COUNT
} HandleKind;

typedef struct HandleInfo {
    uint8_t kind;      /* HandleKind */
    bool timer;        /* it was scheduled through the timer heap */
    uint32_t task;     /* the task it steps/wakes, or whose group/gather it serves */
    uint32_t fut;      /* the future involved */
    uint32_t other;    /* the child task (gather/group); for H_IO_DONE the I/O's label
                        * with its variables filled in (offset in Recording.text);
                        * or SIM_NONE */
    uint32_t stmt;     /* the statement that created it (sleep/io/wait_for), or SIM_NONE */
    uint32_t created;  /* step that created it (queued it or registered the timer) */
    uint32_t queued;   /* step that put it in the ready queue */
    uint32_t picked;   /* step that popped it, or SIM_NONE */
    /* a timer's deadline is not stored here (40 -> 32 bytes, 7 handles a
     * task): it is the t2 of the REGISTER step that created it, see
     * rec_handle_when */
} HandleInfo;

typedef struct TaskInfo {
    uint32_t name;     /* string id in the recording's arena */
    uint32_t coro;     /* coroutine index, or SIM_NONE for asyncio's own tasks */
    uint32_t parent;   /* the task that created it, or SIM_NONE */
    uint32_t created;  /* step that created it */
    uint32_t ended;    /* step at which it finished, or SIM_NONE */
    uint8_t end;       /* TaskEnd */
    bool internal;     /* asyncio's own (gather's sleep child, shutdown tasks) */
    uint32_t freed_log; /* failed and never retrieved: the step of its LOG_NEVER_RETRIEVED
                         * message, or FREED_BY_GC(_TIMEOUT) when a reference cycle keeps it
                         * (its exception's traceback holds its TaskGroup), so CPython
                         * logs it when the cyclic GC runs, a moment no simulation
                         * can know (R55); else SIM_NONE (holders.c) */
    uint32_t fut;      /* the task's own future */
} TaskInfo;

#define FREED_BY_GC 0xfffffffeu         /* through its TaskGroup */
#define FREED_BY_GC_TIMEOUT 0xfffffffdu /* through the Timeout of its asyncio.timeout */
/* The first line of each message asyncio logs (Recording.logs). */
#define LOG_NEVER_RETRIEVED "Task exception was never retrieved"
#define LOG_SHUTDOWN_FAILURE "unhandled exception during asyncio.run() shutdown"

/* A stretch of one task's life in one state. RUNNING, READY and WAITING
 * spans tile the task's life from creation to its end; BLOCKED spans are the
 * loop-wide freezes caused by blocking calls (task = the one that blocked). */
typedef enum SpanState { SPAN_RUNNING, SPAN_READY, SPAN_WAITING, SPAN_BLOCKED } SpanState;

typedef struct Span {
    uint32_t task;
    uint8_t state;     /* SpanState */
    uint8_t wait;      /* WaitKind for SPAN_WAITING */
    VTime t0, t1;
    uint32_t s0, s1;   /* step range [s0, s1) */
} Span;

/* A span as the Recording keeps it (rec_span gives the whole Span): its
 * times are those of its steps, t0 the time of step s0 and t1 of step s1
 * (the run's end_time past the last step); a BLOCKED span's times, which
 * fall inside one step, are kept in Recording.blocks. 12 bytes, not 32:
 * the task id shares a word with the state and the wait kind. */
typedef struct SpanRec {
    unsigned task : 26;  /* < SIM_MAX_TASKS */
    unsigned state : 2;  /* SpanState */
    unsigned wait : 4;   /* WaitKind */
    uint32_t s0, s1;
} SpanRec;

typedef struct BlockTimes {
    uint32_t span;     /* the BLOCKED span's index */
    VTime t0, t1;
} BlockTimes;

typedef struct ConsoleLine {
    uint32_t step;     /* the step that printed it (its time: rec_line_time) */
    uint32_t task;
    uint32_t text;     /* string id in the recording's arena */
} ConsoleLine;

/* A step where the virtual clock moved: every step from `step` on, up to
 * the next mark, happened at time `t`. */
typedef struct TimeMark {
    uint32_t step;
    VTime t;
} TimeMark;

/* Steps are stored packed (record.c), about 8 bytes each instead of the 48
 * of a Step: in blocks of REC_BLOCK steps, each step a header byte pair and
 * varint deltas from the step before it in the block. Read one step with
 * rec_step, many (in any order, best in runs) with a StepReader. */
#define REC_BLOCK 32u

typedef struct Recording {
    uint32_t nsteps;
    uint8_t *sbytes;      uint32_t nsbytes, sbytes_cap;  /* the packed steps */
    uint32_t *sblock;     uint32_t nsblock, sblock_cap;  /* byte offset of each block */
    TimeMark *tmarks;     uint32_t ntmarks, tmarks_cap;  /* where the clock moved */
    Step enc;             /* the packer's context: the block's previous step */
    HandleInfo *handles;  uint32_t nhandles, handles_cap;
    TaskInfo *tasks;      uint32_t ntasks, tasks_cap;
    SpanRec *spans;       uint32_t nspans, spans_cap;   /* in closing order */
    BlockTimes *blocks;   uint32_t nblocks, blocks_cap; /* by span index */
    ConsoleLine *lines;   uint32_t nlines, lines_cap;
    /* what asyncio logs on stderr, in step order, each message's first two
     * lines: "Task exception was never retrieved\nfuture: <Task finished
     * ...>" when a failed task that nothing holds is freed (R47) */
    ConsoleLine *logs;    uint32_t nlogs, logs_cap;
    char *text;           size_t ntext, text_cap;       /* NUL-terminated strings */
    uint32_t niters;
    SimOutcome outcome;
    SimLimitKind limit;   /* for SIM_LIMIT */
    uint32_t error_text;  /* SIM_RAISED: "ValueError: boom"; DEADLOCK: waiters; LIMIT: message */
    bool shutdown_cut;    /* asyncio.run's shutdown raised RecursionError while it
                           * cancelled the pending tasks, leaving some pending */
    VTime end_time;
} Recording;

const char *rec_text(const Recording *r, uint32_t id);

/* Span i (i < r->nspans), with its times. */
Span rec_span(const Recording *r, uint32_t i);

/* Step i (i < r->nsteps), unpacked: O(REC_BLOCK). */
Step rec_step(const Recording *r, uint32_t i);
/* The virtual time of step i (its .t), from the clock marks: O(log marks). */
VTime rec_step_time(const Recording *r, uint32_t i);
/* A timer handle's deadline (HandleInfo.timer): the t2 of the REGISTER step
 * that created it (its `created` step), or 0 for another handle. */
VTime rec_handle_when(const Recording *r, uint32_t h);
/* The virtual time console line i was printed at: its step's. */
VTime rec_line_time(const Recording *r, uint32_t i);
/* The printed lines and asyncio's log messages merged, as a terminal shows
 * the two streams: with line i and log j the next of each not yet shown,
 * whether log j comes first (a line goes before a log of the same step).
 * Either may be past its end. */
bool rec_log_first(const Recording *r, uint32_t i, uint32_t j);

/* Reads steps in any order, unpacking a whole block at a time: reading a run
 * of steps, forwards or backwards, costs O(1) a step. */
typedef struct StepReader {
    const Recording *r;
    uint32_t block;    /* the block in s[], UINT32_MAX for none */
    uint32_t n;        /* steps of it in s[] */
    Step s[REC_BLOCK];
} StepReader;

void rec_reader_init(StepReader *rd, const Recording *r);
/* Step i (i < r->nsteps); the pointer is valid until the next rec_read. */
const Step *rec_read(StepReader *rd, uint32_t i);

/* ---- the simulation ----------------------------------------------------- */

typedef struct Sim Sim;

/* Creates a simulation of `prog` (which must outlive it), positioned before
 * step 0. Returns NULL when out of memory. */
Sim *sim_new(const Program *prog, const SimLimits *limits);
void sim_free(Sim *s);

/* Advances one micro-step, appending it to the recording. Returns false when
 * the run is over (then sim_outcome says why). */
bool sim_step(Sim *s);
/* Steps until the run is over. */
SimOutcome sim_run_to_end(Sim *s);
/* Puts the state back to "after n steps" (n <= recorded steps): restores the
 * nearest keyframe at or before n and replays. Exact and deterministic. */
void sim_seek(Sim *s, uint32_t n);

SimOutcome sim_outcome(const Sim *s);
const Recording *sim_recording(const Sim *s);
const Program *sim_program(const Sim *s);
uint32_t sim_pos(const Sim *s);      /* steps applied to the current state */
/* The bytes the keyframes (what seeking starts from) hold: a cost of the
 * app beyond the Recording (make bench reports it). */
uint64_t sim_keyframe_bytes(const Sim *s);
VTime sim_now(const Sim *s);
uint32_t sim_iter(const Sim *s);

/* ---- read-only queries on the state at the cursor (sim_pos) ------------ */

uint32_t sim_ready_len(const Sim *s);
uint32_t sim_ready_at(const Sim *s, uint32_t i);   /* handle id, head first */
/* Whether the i-th ready handle was cancelled: the loop will skip it (a
 * timer that fell due cancelled, or TimerHandle.cancel() while it waited). */
bool sim_ready_skipped(const Sim *s, uint32_t i);

/* A task as it is now. */
typedef struct TaskNow {
    bool exists;       /* created at or before the cursor */
    bool done;
    bool running;      /* it is the task executing right now */
    WaitKind wait;     /* WAIT_NONE when running or done */
    uint32_t wait_obj; /* object index / awaited task / SIM_NONE */
    uint32_t wait_handle; /* timer handle (sleep/io/wait_for) or SIM_NONE */
    VTime since;       /* when it started waiting */
    uint32_t since_step;
    uint32_t stmt;     /* statement it is at (current line), SIM_NONE if none */
    uint32_t depth;    /* call depth */
    uint32_t timeout_handle; /* the asyncio.timeout block it is in that expires
                              * first: its handler's handle (a timer, or a
                              * call_soon for timeout(0)), or SIM_NONE */
} TaskNow;

uint32_t sim_ntasks(const Sim *s);     /* tasks created so far */
TaskNow sim_task_now(const Sim *s, uint32_t task);
uint32_t sim_current_task(const Sim *s); /* running task or SIM_NONE */

/* ---- words -------------------------------------------------------------- */

const char *step_kind_name(StepKind k);
const char *wait_kind_name(WaitKind k);
const char *handle_kind_name(HandleKind k);

/* Describes a ready-queue entry in plain words ("step Task fetch-ann",
 * "timer: sleep(1) done -> resolve future"). Writes at most n bytes. */
void sim_describe_handle(const Recording *r, const Program *p, uint32_t h, char *buf, size_t n);
/* Narrates step i in one line for --stages and the app. */
void sim_describe_step(const Recording *r, const Program *p, uint32_t i, char *buf, size_t n);
/* The same for a step already read (a StepReader's, in a loop over steps). */
void sim_describe(const Recording *r, const Program *p, const Step *sp, char *buf, size_t n);
/* When a finished run (asyncio.run returned or main raised) left tasks
 * pending: names them and what CPython does with them at exit, and returns
 * true; else buf is "" and false. The run's last step says it too. */
bool sim_describe_pending(const Recording *r, char *buf, size_t n);
/* Formats a virtual time as seconds with `decimals` places ("2.000"). */
void vtime_format(VTime t, int decimals, char *buf, size_t n);
/* Python's repr() of a float (the shortest digits that round-trip: "0.1",
 * "2.0", "1e-05"), NUL-terminated in buf (64 bytes are always enough). */
void float_repr(double f, char *buf, size_t n);

#endif
