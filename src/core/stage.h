/* stage.h -- THE table of the seven stages of an event-loop iteration.
 *
 * The UI legend, the --stages log, the exporters, the docs and the tests all
 * read these names from here (libuv's UV_ERRNO_MAP idea), so they cannot
 * drift apart. How each stage maps onto CPython's code:
 *
 *  1 Initialization   asyncio.run: new loop, main wrapped in Task-1, whose
 *                     __init__ call_soon()s its first step (runners.py).
 *  2 Pick a task      _run_once pops the next handle of the frozen snapshot
 *                     of the ready queue (base_events.py).
 *  3 Execute          Handle._run -> Task.__step -> coro.send(): the
 *                     coroutine runs statement by statement until it awaits.
 *  4 Register         the awaited operation registers itself: a timer
 *                     (call_later), an I/O wait, a waiter future on an
 *                     Event/Lock/Queue, a done callback on a task/future.
 *  5 Suspend          __step returns to the loop, which moves on.
 *  6 Resume           a due timer enters the ready queue, or a future
 *                     completes and call_soon()s its waiters' wakeups.
 *  7 Repeat           the iteration ends; the loop checks whether it must
 *                     stop, polls (the clock jumps when nothing is ready).
 *
 * Depends on: nothing.  Used by: everything that shows a stage.
 */
#ifndef LOOPSCOPE_STAGE_H
#define LOOPSCOPE_STAGE_H

/*  id               n  short name                   explanation */
#define STAGE_TABLE(X)                                                               \
    X(STAGE_INIT,     1, "Initialization",            "asyncio.run creates the event loop and wraps main() in a Task; its first step is queued.") \
    X(STAGE_PICK,     2, "Pick a task",               "The loop takes the next callback from the head of the ready queue.") \
    X(STAGE_EXECUTE,  3, "Execute until await",       "The task's coroutine runs, statement by statement, until it awaits something not yet done.") \
    X(STAGE_REGISTER, 4, "Register the awaited operation", "The awaited operation is registered: a timer, an I/O wait, a waiter on an Event/Lock/Queue, or a done-callback on a task.") \
    X(STAGE_SUSPEND,  5, "Suspend and move on",       "The task gives control back to the loop, which moves on to the next ready callback.") \
    X(STAGE_RESUME,   6, "Resume completed tasks",    "An expired timer, completed I/O or finished future puts its waiter's wakeup into the ready queue.") \
    X(STAGE_REPEAT,   7, "Repeat",                    "The iteration ends; the loop checks whether to stop, waits for the next timer if nothing is ready, and starts again.")

typedef enum Stage {
    STAGE__NONE = 0,
#define STAGE_ENUM(id, n, name, text) id = n,
    STAGE_TABLE(STAGE_ENUM)
#undef STAGE_ENUM
    STAGE__COUNT = 8
} Stage;

/* The short name of stage n (1..7), "?" otherwise. */
const char *stage_name(int n);
/* The one-sentence explanation of stage n (1..7), "" otherwise. */
const char *stage_text(int n);

#endif
