/* interp_int.h -- what the interpreter's files share (interp*.c).
 *
 * interp.c runs a task's step op by op (interp__run) and holds the ops of
 * the language itself; interp_wait.c (gather, wait_for, shield), interp_ac.c
 * (as_completed), interp_sync.c
 * (Event, Lock, Semaphore, Queue), interp_group.c (TaskGroup) and
 * interp_timeout.c (asyncio.timeout) hold the
 * library coroutines they model. An op returns one of the R_* results
 * below; the small helpers every op uses are inline here, the shared ones
 * carry an ip_ prefix.
 *
 * Depends on: core_int.h.  Used by: interp.c, interp_wait.c, interp_sync.c,
 * interp_group.c, interp_timeout.c.
 */
#ifndef LOOPSCOPE_INTERP_INT_H
#define LOOPSCOPE_INTERP_INT_H

#include "core_int.h"

/* What running an op did: go on with the next op (R_CONT), a visible op
 * ran, so the micro-step ends (R_VIS), the task suspended (R_SUSP), the
 * task ended (R_DONE), the run must stop (R_ABORT: out of memory or a
 * limit). */
enum { R_CONT, R_VIS, R_SUSP, R_DONE, R_ABORT };

#define TSK(id) (&s->st.tasks[(id)])
#define FRM(id) (&s->st.frames[(id)])

static inline Value *slot_at(Sim *s, uint32_t frame, uint32_t i)
{
    return &s->st.slots[s->st.frames[frame].slots + i];
}

/* Writes a frame slot, keeping Task.refs (holders.c). */
static inline void slot_put(Sim *s, uint32_t frame, uint32_t i, Value v)
{
    Value *p = slot_at(s, frame, i), old = *p;
    if (v.type == V_TASK)
        task__ref(s, v);
    *p = v;
    if (old.type == V_TASK)
        task__unref(s, old, rec__next_index(s) - 1);
}

static inline Value v_none(void) { Value v = {0}; v.type = V_NONE; return v; }
static inline Value v_bool(bool b) { Value v = {0}; v.type = V_BOOL; v.u.i = b; return v; }
static inline Value v_int(int64_t i) { Value v = {0}; v.type = V_INT; v.u.i = i; return v; }
static inline Value v_id(uint32_t type, uint32_t id) { Value v = {0}; v.type = type; v.id = id; return v; }

/* Narrates the op's EXEC step (stage 3), with its aux (TimeoutStep for with_timeout); returns its index. */
static inline uint32_t narrate_exec_aux(Sim *s, uint32_t task, const Op *op, uint8_t aux)
{
    TSK(task)->stmt = op->stmt;
    return rec__step(s, STAGE_EXECUTE, STEP_EXEC, task, SIM_NONE, op->stmt, SIM_NONE,
                     s->st.exec_cause, aux, 0);
}

static inline uint32_t narrate_exec(Sim *s, uint32_t task, const Op *op)
{
    return narrate_exec_aux(s, task, op, 0);
}

static inline const Stmt *stmt_of(const Sim *s, const Op *op)
{
    return op->stmt == SIM_NONE ? NULL : &s->prog->stmts[op->stmt];
}

static inline bool ip_is_cancel(const Sim *s, uint32_t exc)
{
    return exc != SIM_NONE && s->st.excs[exc].type == EXC_CANCELLED;
}

/* ---- interp.c ---- */

/* Raises exc at the current pc of the task's innermost frame. */
int ip_do_raise(Sim *s, uint32_t task, uint32_t exc);
int ip_raise_new(Sim *s, uint32_t task, ExcType t, const char *msg);
/* Evaluates expression e in frame f; false with *r set when it raised. */
bool ip_eval(Sim *s, uint32_t task, uint32_t f, uint32_t e, Value *out, int *r);
bool ip_eval_args(Sim *s, uint32_t task, uint32_t f, uint32_t first, uint32_t n, Value *out,
                  int *r);
/* The task awaits pending future fut: REGISTER + SUSPEND, the wakeup. */
int ip_suspend_on(Sim *s, uint32_t task, uint32_t fut, WaitKind w, uint32_t obj,
                  uint32_t handle, VTime deadline, uint32_t cause);
int ip_start_sleep(Sim *s, uint32_t task, uint32_t f, VTime ns, bool io, uint32_t cause);
int ip_resume_sleep(Sim *s, uint32_t task, uint32_t f, uint32_t exc);
int ip_do_call(Sim *s, uint32_t task, uint32_t f, uint32_t coro, uint32_t args_first,
               uint32_t nargs, uint8_t phase);
uint32_t ip_ensure_future(Sim *s, uint32_t task, uint32_t f, const Awaitable *aw,
                          const Value *args, bool retrieves, int *r);
/* loop.call_later(ns, handle h) for a library's timer (wait_for's, asyncio.timeout's,
 * as_completed's), and the REGISTER step that narrates it: that step's index,
 * with the timer in *tm; SIM_NONE when out of memory. */
uint32_t ip_call_later(Sim *s, uint32_t task, uint32_t h, uint32_t stmt, VTime ns, uint32_t cause,
                       uint32_t *tm);
/* Stores fut.result() in the `as` variable (as_var), or raises. */
int ip_take_result(Sim *s, uint32_t task, uint32_t f, uint32_t fut, uint32_t as_var);
/* `await t` for the task in local `var`: raises UnboundLocalError when it has
 * no value and TypeError when it is not a task; takes the result when the
 * task is done; R_CONT with *fut when it must suspend on it. */
int ip_await_task_var(Sim *s, uint32_t task, uint32_t f, uint32_t var, uint32_t as_var,
                      uint32_t *fut);
/* Reads local `var` of frame f, as evaluating its name does: true with
 * *out, or false with UnboundLocalError raised (*r) when it has no value. */
bool ip_local(Sim *s, uint32_t task, uint32_t f, uint32_t var, Value *out, int *r);
/* Raises, in the task, the RecursionError of a cancel that went round a
 * cycle of waits or down a chain too deep (Sim.cancel_recursion, which it
 * clears). */
int ip_raise_cancel_recursion(Sim *s, uint32_t task);

/* ---- interp_wait.c: tasks.gather, tasks.wait_for ---- */
int ip_op_gather(Sim *s, uint32_t task, uint32_t f, const Op *op, uint32_t cause);
int ip_op_wait_for(Sim *s, uint32_t task, uint32_t f, const Op *op, uint32_t cause);
int ip_resume_wait_for(Sim *s, uint32_t task, uint32_t f, const Op *op, uint32_t exc,
                       uint32_t cause);
/* Evaluates the arguments of a statement's awaitables, as Python does before
 * gather(...) or as_completed([...]) runs: the call awaitables' arguments, in
 * order, into *vals (NULL when there are none; the caller frees it), and the
 * task variables (UnboundLocalError). false with *r set when one raised. */
bool ip_eval_aws(Sim *s, uint32_t task, uint32_t f, const Stmt *st, Value **vals, int *r);
/* tasks.shield; the await of its outer future resumes as OP_AWAIT's does */
int ip_op_shield(Sim *s, uint32_t task, uint32_t f, const Op *op, uint32_t cause);

/* ---- interp_sync.c: locks.py, queues.py ---- */
int ip_op_sync(Sim *s, uint32_t task, uint32_t f, const Op *op);
int ip_resume_sync(Sim *s, uint32_t task, uint32_t f, const Op *op, uint32_t exc);

/* ---- interp_group.c: taskgroups.py ---- */
int ip_op_tg(Sim *s, uint32_t task, uint32_t f, const Op *op);
int ip_resume_tg_exit(Sim *s, uint32_t task, uint32_t f, uint32_t exc, uint32_t cause);
void ip_group_add(Sim *s, uint32_t g, uint32_t t);

/* ---- interp_ac.c: tasks.as_completed ---- */
int ip_op_ac(Sim *s, uint32_t task, uint32_t f, const Op *op);
int ip_resume_ac(Sim *s, uint32_t task, uint32_t f, const Op *op, uint32_t exc);

/* ---- interp_timeout.c: timeouts.py ---- */
int ip_op_timeout(Sim *s, uint32_t task, uint32_t f, const Op *op);

#endif
