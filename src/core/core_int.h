/* core_int.h -- declarations shared by the files of src/core, and nothing else.
 *
 * The simulation state (SimState) is a value made of flat tables that refer
 * to each other by index, never by pointer (SameBoy's save states): copying
 * the tables is a snapshot. Tables fall in two groups:
 *   - mutable tables (tasks, futures, frames, slots, timers, the ready ring,
 *     objects, callback and waiter nodes, gathers, groups) are copied whole
 *     into a keyframe;
 *   - append-only arenas (runtime strings, lists, exceptions) only grow and
 *     are never changed in place, so a keyframe keeps their lengths and a
 *     restore truncates them (a replay recreates the same entries).
 *
 * Only files in src/core include this header.
 */
#ifndef LOOPSCOPE_CORE_INT_H
#define LOOPSCOPE_CORE_INT_H

#include <stddef.h>
#include <string.h>

#include "core.h"
#include "mem.h"

/* ---- values ---------------------------------------------------------------- */

typedef enum VType {
    V_UNBOUND = 0, /* a local that was never assigned */
    V_NONE, V_BOOL, V_INT, V_FLOAT,
    V_PSTR,        /* a Program string (id into the Program) */
    V_STR,         /* a runtime string (id into SimState.str_off) */
    V_LIST,        /* id into SimState.lists */
    V_TASK,        /* task id */
    V_EXC,         /* exception id */
    V_GROUP        /* task group id */
} VType;

typedef struct Value {
    uint32_t type;
    uint32_t id;
    union {
        int64_t i;
        double f;
    } u;
} Value;

typedef struct ListRec {
    uint32_t first; /* into SimState.litems */
    uint32_t count;
} ListRec;

typedef struct ExcRec {
    ExcType type;
    uint32_t msg;      /* runtime string id or SIM_NONE (no argument) */
    uint32_t children; /* list id for exception groups, else SIM_NONE */
    uint32_t context;  /* __context__: the exception being handled where this one
                        * was made (and raised: in the same step), or SIM_NONE */
} ExcRec;

/* ---- futures, tasks, handles ----------------------------------------------- */

typedef enum FutState { FUT_PENDING, FUT_CANCELLED, FUT_FINISHED } FutState;

/* FUT_OWN_FREE: in SimState.futs_free, its owner field the next free one */
typedef enum FutOwner { FUT_OWN_NONE, FUT_OWN_TASK, FUT_OWN_GATHER, FUT_OWN_FREE } FutOwner;

typedef struct Fut {
    uint8_t state;         /* FutState */
    bool cancel_requested; /* _GatheringFuture._cancel_requested */
    uint8_t owner_kind;    /* FutOwner: a task's own future, or a gather's outer */
    uint32_t exc;          /* exception id (FINISHED with exception), the saved
                              CancelledError of a CANCELLED task (_cancelled_exc),
                              or SIM_NONE */
    Value result;
    uint32_t cb_last;      /* done callbacks, in registration order: a ring of
                              CbNodes; this is the last one, whose next is the
                              first (adding one is O(1) however many wait) */
    uint32_t owner;        /* the task or the gather (owner_kind); one field for
                              both keeps a future at 32 bytes (4 a task) */
} Fut;

/* The task whose own future f is, or SIM_NONE. */
static inline uint32_t fut_task(const Fut *f)
{
    return f->owner_kind == FUT_OWN_TASK ? f->owner : SIM_NONE;
}
/* The gather f is the outer future of, or SIM_NONE. */
static inline uint32_t fut_gather(const Fut *f)
{
    return f->owner_kind == FUT_OWN_GATHER ? f->owner : SIM_NONE;
}

/* A done callback registered on a future: what call_soon will queue. */
typedef struct CbNode {
    uint8_t kind;  /* HandleKind */
    uint32_t a;    /* task / gather / group / waiter future, by kind */
    uint32_t next;
} CbNode;

typedef enum TaskKind {
    TK_CORO,       /* runs a coroutine of the Program */
    TK_SLEEP,      /* ensure_future(asyncio.sleep(d)) inside gather/wait_for */
    TK_NOOP        /* asyncio's shutdown_asyncgens / shutdown_default_executor */
} TaskKind;

typedef struct Task {      /* 72 bytes: the small fields are kept together */
    uint32_t fut;          /* the task's own future */
    uint32_t frame;        /* innermost frame, SIM_NONE when done */
    uint32_t fut_waiter;   /* the future it waits on, or SIM_NONE */
    bool must_cancel;
    bool started;          /* its coroutine received its first send() */
    uint8_t kind;          /* TaskKind */
    uint8_t wait;          /* what the app shows: WaitKind */
    uint32_t num_cancels;  /* cancelling() */
    uint32_t wait_obj;
    uint32_t wait_handle;
    uint32_t since_step;
    VTime since;
    uint32_t stmt;         /* last statement executed / being executed */
    uint32_t depth;
    uint32_t span_s0;
    uint8_t span_state;    /* the open span's SpanState, 0xff = none */
    uint8_t span_wait;
    bool cancelling_now;   /* inside its own cancel() (task__cancel); false between steps */
    uint8_t hold;          /* HOLD_*: what keeps it besides variables (holders.c) */
    uint32_t refs;         /* frame slots holding it (holders.c) */
    uint32_t tg_exc;       /* the exception that last left a frame of this task
                            * holding one of its TaskGroups, or SIM_NONE: its
                            * traceback keeps the group, which keeps the task */
    uint32_t timeout;      /* the innermost asyncio.timeout block it is in (a
                            * TimeoutRec, whose `outer` is the next), or SIM_NONE */
    uint32_t to_exc;       /* the last TimeoutError one of its asyncio.timeout blocks
                            * raised, or SIM_NONE: its traceback keeps __aexit__'s
                            * frame, whose Timeout keeps the task (holders.c) */
} Task;

/* A frame of a running coroutine. */
typedef struct Frame {
    uint32_t code;    /* index into Sim.codes */
    uint32_t pc;
    uint32_t parent;  /* caller frame or SIM_NONE */
    uint32_t slots;   /* first slot in SimState.slots */
    uint8_t phase;    /* resumption phase of the op at pc (0 = not suspended in it) */
    bool kept;        /* an exception that outlives it passed through: its
                       * traceback keeps the frame's variables (holders.c) */
    uint32_t r[5];    /* op scratch: futures, timers (with their handle), counters */
    Value tmp;        /* op scratch value (a saved exception, a result) */
    uint32_t next_free;
} Frame;

/* A timer heap entry carries its ordering key, so sifting compares
 * neighbouring entries instead of chasing ids into the timer table (with
 * 100,000 timers that chase was a seventh of a replay). */
typedef struct HeapEnt {
    VTime when;
    uint32_t seq;     /* scheduling sequence: ties fire in scheduling order.
                       * 32 bits are enough: every timer has its own handle,
                       * and handle ids are 32-bit */
    uint32_t timer;
} HeapEnt;

/* A timer's deadline and sequence are its heap entry's (HeapEnt). */
typedef struct Timer {
    uint32_t handle;    /* the HandleInfo it will queue */
    uint32_t next_free; /* the free list, while the slot is free */
    bool cancelled;
    bool in_heap;
} Timer;

/* ---- synchronisation objects ---------------------------------------------- */

typedef struct WNode { /* a waiter future in a deque */
    uint32_t fut;
    uint32_t next;
} WNode;

typedef struct Deque { uint32_t head, tail; } Deque;

typedef struct ObjState {
    uint8_t kind;        /* ObjKind */
    bool flag;           /* Event: set; Lock: locked */
    int64_t value;       /* Semaphore value; Queue maxsize */
    Deque waiters;       /* Event/Lock/Semaphore waiters; Queue getters */
    Deque putters;       /* Queue putters */
    uint32_t items_head, items_tail; /* Queue items (INode list) */
    int64_t nitems;
    int64_t unfinished;  /* Queue._unfinished_tasks */
    bool finished;       /* Queue._finished Event flag */
    Deque fin_waiters;   /* Queue._finished waiters */
} ObjState;

typedef struct INode { Value v; uint32_t next; } INode;

typedef struct Gather {
    uint32_t outer;        /* the _GatheringFuture */
    uint32_t children;     /* first index into SimState.gchild */
    uint32_t nchildren;    /* one per argument (duplicates repeat) */
    uint32_t nfuts;        /* distinct children */
    uint32_t nfinished;
    bool return_exceptions;
} Gather;

typedef struct Group {
    uint32_t parent;         /* the task in `async with` */
    uint32_t tasks;          /* first GNode of the child list, creation order; a
                                child that ends stays in it (done children are
                                skipped where it is read), so adding and ending
                                are O(1) with 100,000 children */
    uint32_t tasks_last;     /* last GNode of that list */
    uint32_t ntasks;         /* children not done yet: len(self._tasks) */
    uint32_t completed_fut;  /* _on_completed_fut or SIM_NONE */
    uint32_t errors;         /* first GNode of the error list (exception ids) */
    uint32_t errors_last;
    uint32_t nerrors;
    uint32_t base_error;     /* exception id or SIM_NONE */
    bool entered, exiting, aborting, parent_cancel_requested;
} Group;

typedef struct GNode { uint32_t v; uint32_t next; } GNode;

/* timeouts._State, as far as a Timeout that was entered goes */
typedef enum TimeoutState { TO_ENTERED, TO_EXPIRING, TO_EXPIRED, TO_EXITED } TimeoutState;

/* An asyncio.timeout(d) context manager (timeouts.Timeout, 3.11), from its
 * __aenter__ on; a hidden slot of the frame holds its id. Never freed. */
typedef struct TimeoutRec {
    uint32_t task;       /* self._task */
    uint32_t cancelling; /* self._cancelling: task.cancelling() at __aenter__ */
    uint32_t timer;      /* self._timeout_handler's timer (call_at), or SIM_NONE */
    uint32_t handle;     /* that handler's handle (call_at or call_soon), or SIM_NONE */
    uint32_t outer;      /* the task's enclosing timeout block (Task.timeout), or SIM_NONE */
    uint8_t state;       /* TimeoutState */
} TimeoutRec;

/* An asyncio.as_completed(fs) generator (tasks.py, 3.11.7), from its first
 * next() on; a hidden slot of the frame holds its id. Its futures are items
 * [items, items + n) of SimState.acitems, in argument order, and its done
 * Queue is acq[items + qhead .. items + qhead + qlen): each future enters
 * it once, or a None (SIM_NONE) in its place when the timeout fires, so n
 * slots are room enough. Never freed. */
typedef struct AsComp {
    uint32_t items, n;   /* its futures (todo was built from them) */
    uint32_t ntodo;      /* len(todo) */
    uint32_t left;       /* _wait_for_one()s still to yield */
    uint32_t qhead, qlen;/* the done Queue */
    uint32_t getter;     /* the done Queue's waiting getter future, or SIM_NONE */
    uint32_t timer;      /* timeout_handle's timer (call_later), or SIM_NONE */
    uint32_t handle;     /* its handle, or SIM_NONE */
} AsComp;

typedef struct AcItem {
    uint32_t fut;        /* the future (a task's) */
    uint32_t ac;         /* its AsComp */
    bool in_todo;
} AcItem;

/* ---- the compiled code ----------------------------------------------------- */

typedef enum OpCode {
    OP_NOP,
    OP_PRINT, OP_SLEEP, OP_IO, OP_BLOCK, OP_CALL, OP_CREATE_TASK, OP_AWAIT,
    OP_GATHER, OP_WAIT_FOR, OP_CANCEL, OP_RETURN, OP_RAISE, OP_ASSIGN,
    OP_EVENT_WAIT, OP_EVENT_SET, OP_EVENT_CLEAR,
    OP_ACQUIRE, OP_RELEASE, OP_PUT, OP_GET, OP_TASK_DONE, OP_JOIN,
    OP_LOOP_INIT, OP_LOOP_NEXT, OP_JUMP,
    OP_EXC_MATCH, OP_EXC_BIND, OP_UNBIND, OP_RERAISE, OP_STASH_RET, OP_RET_STASHED,
    OP_TG_ENTER, OP_TG_EXIT, OP_TG_EXIT_EXC,
    OP_TO_ENTER, OP_TO_EXIT, OP_TO_EXIT_EXC, /* async with asyncio.timeout(d) */
    OP_SHIELD,     /* await asyncio.shield(aw) */
    OP_AC_START, OP_AC_NEXT, /* for _f in asyncio.as_completed([...]): x = await _f */
    OP_SLEEP_NS,      /* internal sleep tasks: sleep(a) */
    OP_RETURN_NONE    /* end of a body */
} OpCode;

typedef struct Op {
    uint8_t op;
    bool vis;       /* a user-visible statement: its execution is a step */
    uint32_t stmt;  /* statement or SIM_NONE */
    uint32_t a, b, c;
    uint32_t handling; /* the slot of the exception being handled at this op (an
                        * except clause, a finally or __aexit__ run for an
                        * exception), or SIM_NONE: what __context__ a new one gets */
    VTime ns;
} Op;

typedef struct ExcEntry {
    uint32_t start, end; /* [start, end) */
    uint32_t handler;
    uint32_t slot;       /* where the exception is stored */
} ExcEntry;

typedef struct Code {
    Op *ops; uint32_t nops, ops_cap;
    ExcEntry *exc; uint32_t nexc, exc_cap;
    uint32_t nslots;     /* locals + hidden slots */
    uint32_t nparams;
    uint32_t coro;       /* Program coroutine or SIM_NONE */
} Code;

/* ---- the whole state -------------------------------------------------------- */

typedef enum Phase {
    PH_START,       /* before asyncio.run */
    PH_ITER_BEGIN,  /* cleanup + select */
    PH_TIMERS,      /* moving due timers to the ready queue */
    PH_RUN,         /* running the frozen snapshot */
    PH_HANDLE,      /* inside a task step (one statement per micro-step) */
    PH_ITER_END,
    PH_SHUTDOWN,    /* between run_until_complete calls */
    PH_FINISHED
} Phase;


/* The bit of a ready-queue entry that says its handle was cancelled (a
 * timer that fell due cancelled, or was cancelled while it waited there):
 * `if handle._cancelled: continue` in _run_once. Handle ids stay below it. */
#define READY_SKIP 0x80000000u

typedef struct SimState {
    /* clock and loop */
    VTime now;
    uint32_t iter;
    uint32_t nsteps;          /* steps applied */
    uint8_t phase;            /* Phase */
    uint8_t runner;           /* which run_until_complete: 0 main, 1 cancel, 2 asyncgens, 3 executor */
    bool stopping;
    uint32_t ntodo;
    uint32_t cur_task;        /* task running in PH_HANDLE */
    uint32_t cur_handle;
    uint32_t main_task;
    uint32_t runner_fut;      /* future run_until_complete waits on */
    uint32_t task_counter;    /* asyncio's Task-N counter */
    uint32_t timer_seq;
    uint32_t tcancelled;      /* loop._timer_cancelled_count: +1 when a timer in the heap is
                               * cancelled, -1 when a cancelled top is popped, 0 after a
                               * sweep; a cancelled timer that falls due leaves it as it is */
    uint8_t outcome;          /* SimOutcome */
    uint32_t last_resolve;    /* step index of the latest RESOLVE/cause (scratch) */
    uint32_t exec_cause;      /* cause for the next EXEC step of the current task */
    bool first_unit;          /* the next PH_HANDLE unit starts a Task.__step */
    uint32_t main_exc;        /* exception main raised, or SIM_NONE */
    uint32_t nhandles_rec;    /* recording counters (behind rec.* while replaying) */
    uint32_t nlines_rec;
    uint32_t nlogs_rec;
    uint32_t shutdown_step;   /* the STEP_SHUTDOWN that began _cancel_all_tasks, or SIM_NONE */
    uint32_t nspans_rec;

    /* narration: a unit of work records its steps as it narrates them
     * (rec__step); sim_step then applies them one by one. npend are the
     * steps recorded past nsteps, not applied yet. */
    uint32_t npend;

    /* mutable tables */
    Task *tasks;      uint32_t ntasks, tasks_cap;
    Fut *futs;        uint32_t nfuts, futs_cap, futs_free; /* (fut__free) */
    CbNode *cbs;      uint32_t ncbs, cbs_cap, cbs_free;
    Frame *frames;    uint32_t nframes, frames_cap, frames_free;
    Value *slots;     uint32_t nslots, slots_cap;
    uint32_t *slots_free;     /* per code: free list of slot blocks */
    Timer *timers;    uint32_t ntimers, timers_cap, timers_free;
    HeapEnt *heap;    uint32_t nheap, heap_cap;      /* timers, (when, seq) ordered */
    uint32_t *ready;  uint32_t ready_cap, ready_head, ready_len; /* ring of handle ids;
                               * READY_SKIP set: cancelled there, _run_once skips it */
    ObjState *objs;   uint32_t nobjs;
    WNode *wnodes;    uint32_t nwnodes, wnodes_cap, wnodes_free;
    INode *inodes;    uint32_t ninodes, inodes_cap, inodes_free;
    Gather *gathers;  uint32_t ngathers, gathers_cap;
    uint32_t *gchild; uint32_t ngchild, gchild_cap;
    Group *groups;    uint32_t ngroups, groups_cap;
    GNode *gnodes;    uint32_t ngnodes, gnodes_cap;   /* never freed (gnode_push) */
    TimeoutRec *touts;uint32_t ntouts, touts_cap;     /* never freed (interp_timeout.c) */
    AsComp *acs;      uint32_t nacs, acs_cap;         /* never freed (interp_ac.c) */
    AcItem *acitems;  uint32_t nacitems, acitems_cap;
    uint32_t *acq;    uint32_t nacq, acq_cap;         /* done Queues: as acitems */

    /* append-only arenas */
    char *sbuf;       uint32_t sbuf_len, sbuf_cap;
    uint32_t *str_off;uint32_t nstr, str_cap;
    Value *litems;    uint32_t nlitems, litems_cap;
    ListRec *lists;   uint32_t nlists, lists_cap;
    ExcRec *excs;     uint32_t nexcs, excs_cap;
    uint8_t *xkept;   uint32_t nxkept, xkept_cap; /* by exception: it outlives the
                                                   * frames it passes (holders.c) */
} SimState;

/* A growing text buffer (value.c: sbuf_*). */
typedef struct SBuf { char *p; size_t n, cap; bool oom; } SBuf;

/* ---- keyframes (keyframe.c) ------------------------------------------------ */

typedef struct KeyChunk KeyChunk; /* a reference-counted piece of a table */
typedef struct KeyTable { KeyChunk **c; uint32_t nc; } KeyTable;
#define KEY_NTABLES 18 /* the plain tables of a SimState (keyframe.c STATE_TABLES) */

typedef struct Keyframe {
    uint32_t step;
    SimState st;      /* scalars and counts; ready (linear), objs, slots_free copied;
                       * arenas by length only; the plain tables are in tab */
    KeyTable tab[KEY_NTABLES];
} Keyframe;

/* What a keyframe cost: the bytes it allocated, and those of them that
 * replace chunks of the keyframe before it (the rest is the state's growth). */
typedef struct KeyCost { uint64_t fresh, changed; } KeyCost;
/* Snapshots src into k, sharing the chunks of ref (the keyframe before, or
 * NULL) that did not change; *cost (if not NULL) says what that took. False
 * when out of memory (k then holds nothing). */
bool keyframe__save(Keyframe *k, const SimState *src, uint32_t ncodes, const Keyframe *ref,
                    KeyCost *cost);
/* Puts k back into the live state st in place, reusing its tables; the
 * arenas are kept, truncated to k's lengths. False when out of memory (st
 * is then unchanged). */
bool keyframe__restore(SimState *st, const Keyframe *k, uint32_t ncodes);
void keyframe__free(Keyframe *k);
/* The bytes of st's mutable part: what a keyframe would copy if it shared
 * nothing. */
uint64_t keyframe__state_bytes(const SimState *st, uint32_t ncodes);
/* Frees the live state's mutable tables (not its arenas). */
void keyframe__free_tables(SimState *st);

/* What CPython's RecursionError says when a cancel goes round a cycle of
 * waits, or down a chain too long (Sim.cancel_recursion). */
#define CANCEL_RECURSION_MSG "maximum recursion depth exceeded in comparison"

/* How deep Task.cancel, _GatheringFuture.cancel and Future.cancel may call
 * each other before CPython's recursion limit (1000) raises RecursionError:
 * the levels left below the caller's own frames, measured with the harness
 * (tests/conformance/cases/cancel_chain_depth.json). Each level is one
 * cancel. A task's `call` frames come off the room, and one more when
 * Task.__wakeup resumed it (it calls __step) rather than __step itself.
 * Plain python3 (the C Task) allows about ten levels more. */
#define CANCEL_ROOM_STMT 980u     /* t.cancel() in a coroutine */
#define CANCEL_ROOM_WAIT_FOR 978u /* wait_for's timeout: _cancel_and_wait */
#define CANCEL_ROOM_SHUTDOWN 987u /* runners._cancel_all_tasks */

struct Sim {
    const Program *prog;
    SimLimits limits;
    Code *codes;      uint32_t ncodes;
    uint32_t code_sleep, code_noop;  /* internal codes */
    SimState st;
    Recording rec;
    uint32_t rec_len;         /* steps in rec that are "final" (the full run) */
    bool replaying;           /* re-stepping over an already recorded part */
    Keyframe *keys;   uint32_t nkeys, keys_cap;
    uint32_t key_interval;    /* a power of two (save_keyframe sets it) */
    uint64_t keys_bytes;      /* what the keyframes hold (KeyCost.fresh) */
    /* two extra keyframes a little before where long seeks landed, so the
     * step-backs that follow replay a few hundred steps, not a whole
     * keyframe interval (see sim_seek) */
    Keyframe eph[2];
    bool eph_ok[2];
    uint8_t eph_next;
    uint64_t mem_used;        /* approximate bytes of state */
    bool oom;
    /* a step could not be recorded (out of memory or over --max-memory):
     * the unit's later steps are dropped with it, so the recording stays a
     * prefix of the run, until work() records how the run ended */
    bool rec_failed;
    /* a cancel went round a cycle of waits (a task awaiting, or gathering, a
     * task that awaits it), or down a chain deeper than cancel_limit:
     * CPython's Task.cancel and _GatheringFuture.cancel call each other until
     * RecursionError. task__cancel sets this and unwinds; the caller raises
     * RecursionError (cancel, wait_for, asyncio.run's shutdown) or stops the
     * run (task__cancel_recursion_stop). */
    bool cancel_recursion;
    /* the cancel levels now active, and how many may be (task__cancel_room) */
    uint32_t cancel_depth, cancel_limit;
    /* the text of a print or an I/O label being built: reused, so printing
     * allocates nothing once it has grown (core__scratch) */
    SBuf scratch;
    /* tests only: called with every step as it is narrated, before it is
     * packed (tests/unit/test_record.c reads the run back against it) */
    void (*on_step)(void *ctx, uint32_t idx, const Step *sp);
    void *on_step_ctx;
};

/* ---- internal API ---------------------------------------------------------- */

/* alloc.c: growth with sticky OOM */
bool core__grow(Sim *s, void **buf, uint32_t *cap, uint32_t need, size_t elem);
/* The fast path (room already there) is inline: GROW runs for every step. */
#define GROW(s, arr, cap, need) \
    ((uint32_t)(need) <= (cap) || core__grow((s), (void **)&(arr), &(cap), (need), sizeof *(arr)))

/* Takes an entry of a table whose free entries are chained through an index
 * field (at link_off): the latest freed one, else a new one at the end. Its
 * id, or SIM_NONE when out of memory. Frames, timers and the callback,
 * waiter and queue-item nodes are recycled this way (TAKE). */
static inline uint32_t core__take(Sim *s, void **arr, uint32_t *n, uint32_t *cap,
                                  uint32_t *free_head, size_t elem, size_t link_off)
{
    uint32_t id = *free_head;
    if (id != SIM_NONE) {
        memcpy(free_head, (char *)*arr + (size_t)id * elem + link_off, sizeof id);
        return id;
    }
    if (*n >= *cap && !core__grow(s, arr, cap, *n + 1, elem))
        return SIM_NONE;
    return (*n)++;
}
#define TAKE(s, arr, n, cap, free_head, type, link)                                     \
    core__take((s), (void **)&(arr), &(n), &(cap), &(free_head), sizeof(type),           \
               offsetof(type, link))

/* value.c */
uint32_t val__new_str(Sim *s, const char *text, size_t len);
const char *val__str(const Sim *s, uint32_t id);
uint32_t val__new_list(Sim *s, const Value *items, uint32_t n);
/* A new list of n items that the caller fills in through *items (valid
 * until the state's next allocation); SIM_NONE when out of memory. */
uint32_t val__new_list_room(Sim *s, uint32_t n, Value **items);
uint32_t val__new_exc(Sim *s, ExcType t, uint32_t msg, uint32_t children);
/* Appends str(v) (repr when `repr`) to the growing buffer. */
void sbuf_putc(SBuf *b, char c);
void sbuf_puts(SBuf *b, const char *z);
void sbuf_putn(SBuf *b, const char *z, size_t n);
/* Writes v in decimal (as "%lld") to buf (at least 21 bytes), with a NUL;
 * returns its length. The printf family was a tenth of a print-heavy run. */
size_t val__fmt_int(char *buf, int64_t v);
/* The Sim's scratch buffer, emptied (its room kept). One user at once:
 * the text is copied out (rec__line, rec__text, val__new_str) before the
 * next statement runs. */
SBuf *core__scratch(Sim *s);
void val__format(const Sim *s, SBuf *b, Value v, bool repr);
/* Python's repr() of the str z. */
void val__repr_cstr(SBuf *b, const char *z);
void val__format_float(SBuf *b, double f);
void val__group_repr(const Sim *s, SBuf *b, uint32_t g);
/* Interpolates a template with the frame's locals; returns a runtime string id. */
uint32_t val__template(Sim *s, uint32_t tmpl, uint32_t frame, uint32_t code, bool *unbound, uint32_t *bad_var);
const char *val__type_name(const Sim *s, Value v);
bool val__template_buf(Sim *s, uint32_t tmpl, uint32_t frame, uint32_t code, SBuf *b,
                      uint32_t *bad_slot);

/* record.c */
/* Records a narrated step (rec__step's slow half). */
uint32_t rec__record(Sim *s, const Step *sp);
/* Narrates a step at the state's now (virtual): records it (packed) unless the
 * recording already holds it (a replay), and counts it as pending for
 * sim_step. Returns its index. Nothing is recorded once the run is out of
 * memory or over --max-memory (Sim.rec_failed), until work() records how
 * the run ended. Inline: it runs for every step, mostly with constants. */
static inline uint32_t rec__step(Sim *s, Stage stage, StepKind kind, uint32_t task,
                                 uint32_t handle, uint32_t stmt, uint32_t obj, uint32_t cause,
                                 uint8_t aux, VTime t2)
{
    uint32_t idx = s->st.nsteps + s->st.npend;
    if (idx < s->rec.nsteps) { /* a replay: recorded already, and the same */
        s->st.npend++;
        return idx;
    }
    Step sp = {s->st.now, t2, s->st.iter, (uint8_t)stage, (uint8_t)kind, aux, 0,
               task, handle, stmt, obj, cause};
    return rec__record(s, &sp);
}
uint32_t rec__handle(Sim *s, HandleKind kind, uint32_t task, uint32_t fut, uint32_t other,
                     uint32_t stmt, bool timer);
uint32_t rec__task(Sim *s, uint32_t name_text, uint32_t coro, uint32_t parent, bool internal, uint32_t fut);
uint32_t rec__text(Sim *s, const char *z, size_t n);
void rec__line(Sim *s, uint32_t task, const char *z, size_t n);

/* Who holds a task (holders.c): R47's moment. */
enum { HOLD_STICKY = 1, HOLD_AWAITED = 2, HOLD_LOGGED = 4 };
void task__ref(Sim *s, Value v);
void task__unref(Sim *s, Value v, uint32_t step);
void task__escape(Sim *s, Value v);
/* The exception the task's code is handling right now (sys.exc_info():
 * the innermost frame in an except clause, a finally or an __aexit__ run
 * for an exception, walking out through `call` frames), or SIM_NONE. */
uint32_t exc__handled(const Sim *s, uint32_t task);
/* Exception exc outlives the frames it passes (SimState.xkept). */
void exc__outlives(Sim *s, uint32_t exc);
bool exc__kept(const Sim *s, uint32_t exc);
/* Value v is stored beyond a handler (a variable, a result, a queue, a
 * list) by frame f (or SIM_NONE): a task HOLD_STICKY, an exception kept,
 * and f with it. */
void val__stored(Sim *s, Value v, uint32_t f);
void task__awaited(Sim *s, uint32_t task);
void task__maybe_log(Sim *s, uint32_t task, uint32_t step);
/* Lets go of the variables of `task`'s frame f: a return (exc SIM_NONE)
 * releases its tasks; exception exc, unwinding it, keeps the frame in its
 * traceback, so they become HOLD_STICKY, and a TaskGroup of the task there
 * makes a cycle (Task.tg_exc). */
void frame__release(Sim *s, uint32_t task, uint32_t f, uint32_t exc, uint32_t step);
/* Logs asyncio's default exception handler's message about a task that
 * ended with exception exc: "message\nkey: <Task finished name='Task-2'
 * coro=<boom() done> exception=ValueError('boom')>". CPython's repr also
 * says where the coroutine is defined (", defined at FILE:LINE"); the file
 * is the exported program's, so it is left out. */
void rec__log_task(Sim *s, const char *message, const char *key, uint32_t task, uint32_t step, uint32_t exc);
void rec__task_span(Sim *s, uint32_t task, SpanState state, WaitKind wait);
void rec__task_span_close(Sim *s, uint32_t task);
void rec__block_span(Sim *s, uint32_t task, VTime t0, VTime t1);
/* Packs step into the recording (after its last step); false when out of
 * memory or over --max-memory, and then the recording is unchanged. */
bool rec__append_step(Sim *s, const Step *step);
/* The index the next narrated step will get. */
static inline uint32_t rec__next_index(const Sim *s) { return s->st.nsteps + s->st.npend; }

/* task.c: futures, tasks and the ready queue */
uint32_t fut__new(Sim *s);
/* Gives back a done future that nothing can reach any more (a sleep's, or
 * a Lock/Event/Queue waiter's, once its task resumed): fut__new hands its
 * slot out again. A future still pending, with callbacks or with an owner is
 * kept. */
void fut__free(Sim *s, uint32_t fut);
void fut__add_cb(Sim *s, uint32_t fut, HandleKind kind, uint32_t a);
void fut__remove_cb(Sim *s, uint32_t fut, HandleKind kind, uint32_t a);
void fut__set_result(Sim *s, uint32_t fut, Value v, uint32_t cause);
void fut__set_exception(Sim *s, uint32_t fut, uint32_t exc, uint32_t cause);
bool fut__cancel(Sim *s, uint32_t fut, uint32_t cause);
bool fut__cancel_plain(Sim *s, uint32_t fut, uint32_t cause);
uint32_t loop__heap_pop(Sim *s, bool *cancelled);
/* _run_once's sweep: every cancelled timer leaves the heap, tcancelled = 0. */
void loop__heap_sweep(Sim *s);
bool fut__done(const Sim *s, uint32_t fut);
/* Python's future.result(): returns true with *out, or false with *exc set. */
bool fut__result(Sim *s, uint32_t fut, Value *out, uint32_t *exc);
/* futures.Future._make_cancelled_error: the CancelledError to raise for fut. */
uint32_t fut__cancelled_error(Sim *s, uint32_t fut);
void loop__call_soon(Sim *s, uint32_t handle);
uint32_t loop__call_later(Sim *s, VTime delay, uint32_t handle);
void loop__timer_cancel(Sim *s, uint32_t timer, uint32_t handle);
/* Marks handle, which sits in the ready queue, as cancelled: _run_once
 * skips it (READY_SKIP). Looks from the tail, where a timer that fell due
 * cancelled was just put. */
void loop__mark_cancelled(Sim *s, uint32_t handle);
/* After a cancel whose RecursionError loopscope does not raise (a
 * TaskGroup's abort, a cancel made by a task's own step): when it went round
 * a cycle or down a chain too deep (Sim.cancel_recursion), the run stops
 * with LIMIT_CANCEL_RECURSION. */
void task__cancel_recursion_stop(Sim *s);
/* Sets how deep the next cancel may recurse (CANCEL_ROOM_*), less the
 * frames of the task that cancels (SIM_NONE: not a task). */
void task__cancel_room(Sim *s, uint32_t room, uint32_t task);
uint32_t task__new(Sim *s, TaskKind kind, uint32_t code, const Value *args, uint32_t nargs,
                   uint32_t name_str, VTime sleep_ns, uint32_t stmt);
bool task__cancel(Sim *s, uint32_t task, uint32_t cause);
/* Task.uncancel(): one cancel request fewer; returns how many are left. */
uint32_t task__uncancel(Sim *s, uint32_t task);
/* Timeout._on_timeout for the Timeout `id` (interp_timeout.c). */
void timeout__on_timeout(Sim *s, uint32_t id, uint32_t cause);
void task__set_wait(Sim *s, uint32_t task, WaitKind w, uint32_t obj, uint32_t handle);
uint32_t exc__cancelled(Sim *s);
/* Runs a non-task callback handle (timer callbacks, gather, group, runner). */
void cb__run(Sim *s, uint32_t handle, uint32_t pick_step);

/* interp.c */
bool interp__compile(Sim *s);
void interp__free_codes(Sim *s);
/* Runs the current task (s->st.cur_task) for one unit: until a visible
 * statement ran, or the task suspended or finished. `exc` is thrown in
 * (SIM_NONE for a normal send). Returns true when the task is still in the
 * middle of its step (more units to run). */
bool interp__run(Sim *s, uint32_t exc, bool first_unit);
uint32_t frame__new(Sim *s, uint32_t code, uint32_t parent);
void frame__free(Sim *s, uint32_t f);

/* group callbacks (interp.c) */
void group__on_task_done(Sim *s, uint32_t group, uint32_t task, uint32_t cause);
void gather__on_child_done(Sim *s, uint32_t gather, uint32_t child_fut, uint32_t cause);
/* as_completed's _on_completion(f) (item: f's AcItem) and _on_timeout (interp_ac.c) */
void ac__on_completion(Sim *s, uint32_t item, uint32_t cause);
void ac__on_timeout(Sim *s, uint32_t ac, uint32_t cause);
/* shield's _inner_done_callback: inner is done; pass its outcome to outer */
void shield__inner_done(Sim *s, uint32_t inner, uint32_t outer, uint32_t cause);

/* sim.c */
void sim__fail_nomem(Sim *s);

#endif
