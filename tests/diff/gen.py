#!/usr/bin/env python3
"""gen.py -- random (but valid) loopscope scenarios for differential testing.

    python3 tests/diff/gen.py [--catch-main] SEED OUT.json

Writes one scenario, fully determined by SEED, that mixes most of the scenario
format (docs/scenario-format.md): helper coroutines that call each other and are
started as tasks, sleeps/io/block with colliding deadlines, cancel, gather
(return_exceptions both ways, nested), wait_for with timeouts equal to sleeps,
Event/Lock/Semaphore/Queue, TaskGroup (failing, nested), try/except/finally,
raise, return, repeat, set_var.  The call graph is acyclic (helper i only uses
helpers j > i) and every loop is bounded, and a rough cost model keeps the
whole run to a few hundred steps, so every program terminates quickly (a
deadlock or an uncaught exception is a legitimate outcome: verify compares it).

A second random stream (seed-derived) switches on, per program, the wider
constructs: bounded recursion (rec: `call` of itself; rect: one task per level,
sometimes in a TaskGroup; every level sleeps >= 0.1 s and the only entry is a
wait_for with a timeout <= 1.5 s); non-task values (int, str, list, None, an
awaited result) where a task is awaited/gathered/waited/cancelled; a task that
cancels itself, awaits/gathers/wait_fors itself, or cancels its parent, and two
tasks that cancel/await each other (the task is passed in through the queue
qbox and boxer()); one task awaited by several waiter tasks, gathered twice,
wait_for'd, then cancelled or failing; cancel twice / of a done task; cancel
racing Lock/Semaphore/Queue/Event waits (objects slk, ssem, sq, sev); raise in
finally and in handlers, re-raise, return in finally; task_done too often;
floats, big/negative ints, unicode and control characters in text; odd
durations (1e-9, 86400.5, ...); names that are soft keywords or builtins; a
renamed main, `about`, odd titles, an empty coroutine; raw UTF-8 or ASCII-escaped
JSON.

A third stream adds, to some programs, a swarm: 60 to 200 tasks started in a
repeat from main, doing wait_for with timeouts that tie with sleeps, with a live
timer scheduled first; sometimes a TaskGroup of dozens of sleepers that one
child fails, and a cancel.  That puts more than 100 timers in the heap with
many of them cancelled, where base_events._run_once sweeps cancelled timers out
(_MIN_SCHEDULED_TIMER_HANDLES), and cancelled timers that fall due behind a
live one and are skipped in the ready queue: rules that small programs never
reach.  Programs without a swarm are the same as before it was added.

A fourth stream (self.tr) switches on, in half of the programs, `with_timeout`
(async with asyncio.timeout(T)): a statement kind of its own, one often at the
start of main, and in a swarm sometimes in place of wait_for.  Half of the time
T ties with a deadline in the body (the end of a sleep, io, block or gather, a
wait_for's or an inner with_timeout's timeout: which timer was scheduled first
decides), else 0 (call_soon), None, shorter or longer.  Bodies: random
statements (sometimes ending in return or raise); one thing that waits
(wait_for, gather, TaskGroup, Lock/Semaphore, Queue get/put/join, Event, a
call); a nested with_timeout; a try that catches the CancelledError and goes
on, re-raises, raises something else or returns.  And races: a task inside a
with_timeout that main cancels (or wait_fors, or a killer task cancels) at
about its expiry, a task that cancels itself there or whose child (sometimes in
a TaskGroup) cancels it, and a task waiting there for an Event or a Queue (tev,
tq) that main wakes after a block to or past the deadline, so the wakeup is
queued before the timeout's handler and __aexit__ may cancel that handler in
the ready queue (a skip).  The choices are drawn from the main stream, so only
after the fourth stream has switched the feature on: programs without it are
the same as before it was added.

A fifth stream (self.sh) switches on, in half of the programs, `shield`
(await asyncio.shield(aw)): about one statement in ten becomes one (and half
of the time one early in main).  Shields of a task variable, of a call of a
helper and of a sleep (a task shielded twice, a done task shielded again); a
task or several (sh_wt, sh_wc_*) awaiting a shield of one inner task (sh_in*,
a fixed sleep recorded in sh_info, then return, raise or catch its own
cancel), and main, a killer task or a wait_for cancelling a waiter, or
cancelling the inner task itself, at about the moment the inner task ends
(ties with its sleep), then awaiting, gathering or shielding what is left;
an inner task that fails after its waiter was cancelled (nobody retrieves
that); a task that shields itself until main cancels it; wait_for of a
coroutine that shields (sh_wf, sh_wfs: on the timeout the shielded work runs
on); a shield inside with_timeout (T tied with the shielded sleep, or in the
fourth stream's focus bodies) and in the swarm's jobs; TaskGroups whose child
awaits a shield while a sibling fails, or whose body shields a group task, a
call or a sleep; a shield of an int, None, a list, ... (a parameter, sh_bad:
check refuses a set_var variable there) or of an awaited value, under except
TypeError.  Whether a statement is a shield is drawn from the fifth stream
alone, so a program without a shield is byte-identical to before it was
added (checked on seeds 0:3000, both modes).

A sixth stream (self.ac) switches on, in half of the programs,
`as_completed` (for _ in asyncio.as_completed([aw, ...], timeout=T): x =
await _; body): about one statement in ten becomes one (and half of the time
one early in main; in a swarm sometimes in place of wait_for; in the fourth
stream's focus bodies).  Items: task variables (up to three made earlier,
sometimes listed twice or awaited to their end first; tasks of dedicated jobs ac_j* made
just before, sometimes cancelled before they start), calls of jobs (a fixed
sleep recorded in ac_info, then return, raise or catch their own cancel) and
of helpers, sleeps; empty lists.  T: none, tied with an item's sleep (the
loop's timer was scheduled first), 0, None, shorter, longer.  Bodies that
print the result, sleep (results queue up), raise, return, cancel a listed
task, or hold a nested as_completed, gather, shield or with_timeout.  A task
iterating (ac_it*, ac_itp with two task parameters) that main, a killer task
(ac_kill_*: sleep(d), then 0 to 3 sleep(0)s, then cancel: as the item ends,
after its _on_completion, after the iterating task woke) or a wait_for
cancels at about the moment an item ends; wait_for of such a coroutine;
as_completed in TaskGroups (the body iterating group tasks while a sibling
fails, or a child iterating) and in with_timeout (T tied with an item or with
the loop's own timeout); an int, None, a list, ... among the items (a
parameter of ac_bad, or an awaited value) under except TypeError.  Whether a
statement is an as_completed is drawn from the sixth stream alone, and
generate() makes a program again with the stream off when none was left in
it (wrap_try can drop the clauses it generated) or when it nested deeper
than CPython compiles (blocks()), so a program without an as_completed is
byte-identical to before it was added (checked on seeds 0:3000, both modes).

Things deliberately NOT generated (known, documented differences): printing a
task or a TaskGroup variable.  (Several tasks already done when an as_completed
starts are generated: CPython adds _on_completion to them in the order of
set(fs), their addresses, which changes from run to run; loopscope and, since
235ab3f, the harness use argument order, a documented known difference.)
"""

import json
import random
import sys

DUR = [0, 0, 0.5, 1, 1, 1, 1, 2, 2, 0.25, 0.1, 0.2, 0.3, 1.5]
TIMEOUTS = [0, 0.5, 1, 1, 1, 2, 2, None, 0.3, 1.5]
RAISE = ["ValueError", "ValueError", "KeyError", "RuntimeError", "TypeError", "OSError",
         "TimeoutError", "ConnectionError", "IndexError", "ZeroDivisionError",
         "CancelledError", "CancelledError", "LookupError", "ArithmeticError", "NameError",
         "UnboundLocalError", "RecursionError", "Exception"]
CATCH = ["ValueError", "KeyError", "RuntimeError", "OSError", "TimeoutError", "LookupError",
         "Exception", "Exception", "BaseException", "BaseException", "CancelledError",
         "CancelledError", "CancelledError", "ExceptionGroup", "ExceptionGroup",
         "BaseExceptionGroup", "ArithmeticError", "NameError", "TypeError"]

# Extra values (floats, big and negative ints, unicode and escapes in text).
FLOATS = [1.5, 0.1, 2.0, -0.5, 1e16, 1e-05, 1e22, 123.456, -0.0, 1e300, 5e-324,
          0.30000000000000004, 1.7976931348623157e308, 2.5e-07, 100.0, 1e15,
          12345678901234567.0, 0.3333333333333333, -1e-300, 1234.5e10]
BIGINTS = [9223372036854775807, -9223372036854775808, 9007199254740993, -1, 10 ** 18,
           -42, 0, -9007199254740993, 4294967296]
TEXTS = ["h\u00e9llo", "\u4e2d\u6587", "\U0001F600 emoji", "zero\u200bwidth", "nb\u00a0sp",
         "tab\there", "back\\slash", "quote'single", 'dq"double', "both'\"",
         "del\x7f", "e\u0301", "{{braces}}", "\u00fc'\"\\", "esc\x1b[0m", "", " ",
         "soft\u00adhyphen", "rtl\u202eltr", "\ufeffbom", "a\u0085nel", "line\nbreak",
         "ls\u2028sep", "cr\rret", "ff\x0cfeed", "\u3000ideo", "\U0001F468\u200d\U0001F469"]
# text with characters that are awkward inside a title/about comment
TITLE_TEXT = ["diff seed %s", "diff seed %s \u00e9\u4e2d", "diff seed %s\nsecond line",
              "diff seed %s\r\nwindows", "diff seed %s \\ \"q\" {x}", "diff seed %s\u2028ls",
              "diff seed %s\x0cff", "diff seed %s\rcr only"]
VARNAMES = ["match", "case", "_", "type", "id", "str", "list", "len", "self", "Task", "loop",
            "x", "e", "i", "repr", "sorted", "exit", "input", "open", "gather", "sleep", "q1",
            "TaskGroup", "ExceptionGroup2", "async_", "print_", "f", "fut"]
DUR_X = [1e-09, 2e-09, 5e-10, 1.5e-09, 0.30000000000000004, 0.1, 0.7, 1e-06, 0.3333333333333333,
         86400.5, 100000, 2.0000000001, 0.0000000015]

# asyncio.timeout(seconds) when no deadline in the body is picked to tie with
TO_SECS = [0, 0, None, 0.1, 0.25, 0.3, 0.5, 0.5, 1, 1, 1, 1.5, 2, 3]

# asyncio.shield's sleeps (a shield of a sleep, and what ties with it)
SH_DUR = [0, 0.5, 0.5, 1, 1, 1, 2, 0.25]

# asyncio.as_completed's sleeps (its items' and its bodies', and what ties with them)
AC_DUR = [0, 0.5, 0.5, 1, 1, 1, 2, 0.25, 1.5]

MAX_COST = 260          # rough budget of steps for the whole program


class Ctx:
    """Where a statement list is being generated."""

    def __init__(self, gen, ci, env, depth=0, groups=(), locks=()):
        self.gen = gen
        self.ci = ci                  # coroutine index (main = -1)
        self.env = dict(env)          # var -> kind: val, exc, task, list
        self.depth = depth
        self.groups = list(groups)    # enclosing task_group names
        self.locks = list(locks)      # locks held (avoid trivial self-deadlock mostly)
        self.protected = False        # inside a try body

    def sub(self, protected=None, bind=None):
        """A nested context; bind=(var, kind) declares a variable in it."""
        c = Ctx(self.gen, self.ci, self.env, self.depth + 1, self.groups, self.locks)
        c.protected = self.protected if protected is None else protected
        if bind:
            c.env[bind[0]] = bind[1]
        return c

    def vars_of(self, *kinds):
        return [v for v, k in self.env.items() if k in kinds]


class Gen:
    def __init__(self, seed, catch_main=False):
        # catch_main: half of the time, wrap main's body in try/except
        # BaseException (decided by a second random stream), so that fewer runs
        # end at main's first uncaught exception.
        self.catch_main = catch_main and random.Random(seed * 7919 + 1).random() < 0.5
        self.r = random.Random(seed)
        self.seed = seed
        self.nvar = 0
        self.nprint = 0
        r = self.r
        self.nhelpers = r.randint(2, 6)
        self.helpers = {}        # index -> dict(name, params[(name, kind)], cost)
        self.objects = {}
        # objects
        if r.random() < 0.7:
            self.objects["ev"] = "Event"
        if r.random() < 0.3:
            self.objects["ev2"] = "Event"
        if r.random() < 0.5:
            self.objects["lk"] = "Lock"
        if r.random() < 0.4:
            self.objects["sem"] = r.choice(["Semaphore", {"Semaphore": r.choice([0, 1, 2, 2, 3, 1000000000])}])
        if r.random() < 0.6:
            self.objects["q"] = r.choice(["Queue", {"Queue": {}},
                                          {"Queue": {"maxsize": r.choice([0, 1, 1, 2, 3, 1000000000])}}])
        if r.random() < 0.2:
            self.objects["q2"] = {"Queue": {"maxsize": 1}}
        self.cost_left = MAX_COST
        self.main_puts = {}
        self.big_durs = 0
        # -- wider coverage (a second stream decides which extras a program has)
        x = random.Random(seed * 104729 + 17)
        self.odd_names = x.random() < 0.3
        self.used_names = set()
        self.ascii_json = x.random() < 0.5
        self.x_values = x.random() < 0.5        # floats, big ints, unicode text
        self.x_dur = x.random() < 0.15          # odd durations (1e-9, 86400.5, ...)
        self.x_nontask = x.random() < 0.4       # non-task values where a task goes
        self.x_rec = x.random() < 0.35          # a recursive coroutine
        self.x_self = x.random() < 0.3          # self-cancel / cancel the parent
        self.x_shared = x.random() < 0.4        # one task awaited from several places
        self.x_sync = x.random() < 0.4          # cancel racing Lock/Semaphore/Queue/Event
        self.x_exc = x.random() < 0.5           # raise in finally/except, return in finally
        self.x_misc = x.random() < 0.3          # empty coroutine, renamed main, about, ...
        self.main_name = "main"
        if self.x_misc and x.random() < 0.5:
            self.main_name = x.choice(["entry", "amain", "main2", "_main"])
        self.extra_cors = {}                    # name -> coroutine (dict or list)
        self.cnames = {}
        if self.x_self:
            self.objects["qbox"] = "Queue"
        if self.x_sync:
            for n, d in (("slk", "Lock"), ("ssem", {"Semaphore": x.choice([0, 1, 1, 2])}),
                         ("sq", {"Queue": {"maxsize": x.choice([0, 1, 1, 2])}}), ("sev", "Event")):
                if x.random() < 0.6:
                    self.objects[n] = d
        self.xr = x
        z = random.Random(seed * 15485863 + 29)  # the swarm (see swarm())
        self.zr = z if z.random() < 0.2 else None
        w = random.Random(seed * 32452843 + 41)  # with_timeout (see s_timeout())
        self.tr = w if w.random() < 0.5 else None
        self.to_info = {}                       # dedicated coroutine -> its timeout
        v = random.Random(seed * 49979687 + 53)  # asyncio.shield (see s_shield())
        self.sh = v if v.random() < 0.5 else None
        self.sh_info = {}                       # dedicated coroutine -> its sleep
        u = random.Random(seed * 67867967 + 71)  # asyncio.as_completed (see s_ascomp())
        self.ac = u if u.random() < 0.5 else None
        self.ac_info = {}                       # dedicated coroutine -> its sleep(s)

    # -- names -----------------------------------------------------------
    def fresh(self, prefix):
        self.nvar += 1
        if self.odd_names and self.r.random() < 0.08:
            left = [n for n in VARNAMES if n not in self.used_names]
            if left:
                n = self.r.choice(left)
                self.used_names.add(n)
                return n
        return "%s%d" % (prefix, self.nvar)

    def plain_queues(self):
        # qbox carries tasks to boxer(): nobody else may take from it (a task
        # that reached a print would show a task's repr, a known difference)
        return [q for q in self.objs("Queue") if q != "qbox"]

    def objs(self, kind):
        out = []
        for n, d in self.objects.items():
            k = d if isinstance(d, str) else next(iter(d))
            if k == kind:
                out.append(n)
        return out

    # -- values ----------------------------------------------------------
    def template(self, ctx, prefix=""):
        r = self.r
        parts = [prefix] if prefix else []
        vs = ctx.vars_of("val", "exc", "list", "who", "aval")
        for _ in range(r.choice([0, 1, 1, 2])):
            if vs:
                parts.append("{%s}" % r.choice(vs))
        if not parts:
            parts.append(r.choice(["x", "ok", "done", "{{lit}}", "it's \"q\""]))
        if self.x_values and r.random() < 0.25:
            parts.insert(r.randint(0, len(parts)), r.choice(TEXTS))
        return " ".join(parts)

    def value(self, ctx, depth=0):
        r = self.r
        c = r.random()
        vs = ctx.vars_of("val", "exc", "list", "who", "aval")
        if self.x_values and r.random() < 0.35:
            y = r.random()
            if y < 0.3:
                return r.choice(FLOATS)
            if y < 0.5:
                return r.choice(BIGINTS)
            t = r.choice(TEXTS)
            if vs and r.random() < 0.5:
                t += " {%s}" % r.choice(vs)
            return t
        if c < 0.3:
            return r.choice([0, 1, 2, 7, -3, 42])
        if c < 0.45:
            return r.choice([None, True, False, 1.5, 0.1])
        if c < 0.7:
            return self.template(ctx, r.choice(["r", "v", "res"]))
        if c < 0.85 and vs:
            return {"var": r.choice(vs)}
        if depth < 2:
            return [self.value(ctx, depth + 1) for _ in range(r.randint(0, 3))]
        return "leaf"

    def dur(self):
        if self.x_dur and self.r.random() < 0.12:
            d = self.r.choice(DUR_X)
            if d > 1000:
                if self.big_durs >= 2:
                    return 1
                self.big_durs += 1
            return d
        return self.r.choice(DUR)

    # -- helpers we may use from coroutine ci -------------------------------
    def callable_helpers(self, ctx):
        out = []
        for j, h in self.helpers.items():
            if j <= ctx.ci:
                continue
            if any(k == "task" for _, k in h["params"]) and not ctx.vars_of("task") \
                    and not self.x_nontask:
                continue
            out.append(j)
        return out

    def args_for(self, ctx, j):
        args = []
        for pname, kind in self.helpers[j]["params"]:
            if kind == "task":
                ts = ctx.vars_of("task")
                if not ts or (self.x_nontask and self.r.random() < 0.3):
                    args.append(self.r.choice([3, -1, "str", [1, "a"], [], None, 1.5, True,
                                               self.value(ctx)]))
                else:
                    args.append({"var": self.r.choice(ts)})
            elif pname == "who":
                args.append(self.fresh("w"))
            else:
                args.append(self.value(ctx))
        return args

    def spend(self, n):
        if self.cost_left < n:
            return False
        self.cost_left -= n
        return True

    def call_aw(self, ctx):
        """An awaitable for gather/wait_for: task var, call, or sleep."""
        r = self.r
        c = r.random()
        ts = ctx.vars_of("task") + (ctx.vars_of("aval") if self.x_nontask else [])
        hs = self.callable_helpers(ctx)
        if c < 0.3 and ts:
            return self.task_var(ctx)
        if c < 0.75 and hs:
            j = r.choice(hs)
            if self.spend(self.helpers[j]["cost"] + 2):
                aw = {"call": self.helpers[j]["name"]}
                args = self.args_for(ctx, j)
                if args or r.random() < 0.2:
                    aw["args"] = args
                return aw
        return {"sleep": self.dur()}

    # -- statements ----------------------------------------------------------
    def p(self, ctx, what=""):
        self.nprint += 1
        pre = "%s#%d" % (self.cname(ctx.ci), self.nprint)
        if "who" in ctx.env:
            pre += " {who}"
        if what:
            pre += " " + what
        return {"print": self.template(ctx, pre)}

    def cname(self, ci):
        if ci >= 1000:
            return self.cnames[ci]
        return self.main_name if ci < 0 else "h%d" % ci

    def maybe_as(self, st, ctx, kind, prefix="v", prob=0.7):
        if self.r.random() < prob:
            v = self.fresh(prefix)
            st["as"] = v
            ctx.env[v] = kind
            return v
        return None

    def wrap_try(self, ctx, body, force_cancel=False, env=None, expect=()):
        """try: body except ...: print; finally?

        env: the variables bound before the body (the handlers see only those,
        and so does what follows the try)."""
        r = self.r
        if env is not None:
            ctx.env = dict(env)
        st = {"try": body}
        clauses = []
        n = r.choice([1, 1, 2, 3])
        picks = r.sample(CATCH, n)
        for x in expect:
            if x not in picks and r.random() < 0.75:
                picks.insert(r.randint(0, len(picks)), x)
        if force_cancel and "CancelledError" not in picks and r.random() < 0.7:
            picks.insert(0, "CancelledError")
        for e in picks:
            cl, sub = self.clause(ctx, e, 0.75)
            cbody = [self.p(sub, "caught " + e)]
            x = r.random()
            if self.x_exc and r.random() < 0.3:
                y = r.random()
                if y < 0.35:     # re-raise the same class, with the caught one's text
                    cbody.append({"raise": e if e in RAISE else "RuntimeError",
                                  "message": "re {%s}" % cl["as"] if "as" in cl else "re"})
                elif y < 0.6:    # an exception raised and caught inside the handler
                    inner = self.wrap_try(sub.sub(), [{"raise": r.choice(RAISE), "message": "inner"}])
                    cbody.append(inner)
                elif y < 0.8:    # raise inside a nested finally of the handler
                    cbody.append({"try": [self.p(sub, "h-try")],
                                  "finally": [{"raise": r.choice(RAISE), "message": "from finally"}]})
                else:
                    cbody.append({"return": self.value(sub)})
                x = 1.0
            if x < 0.15:
                cbody.append({"raise": r.choice(RAISE), "message": self.template(sub, "re")})
            elif x < 0.25 and e in ("CancelledError", "BaseException"):
                cbody.append({"raise": "CancelledError"})
            elif x < 0.4 and sub.depth < 4:
                cbody += self.stmts(sub, r.randint(1, 2))
            elif x < 0.5:
                cbody.append({"return": self.value(sub)})
            cl["body"] = cbody
            clauses.append(cl)
        if r.random() < 0.85:
            st["except"] = clauses
        if "except" not in st or r.random() < 0.35:
            sub = ctx.sub()
            fin = [self.p(sub, "finally")]
            if r.random() < 0.3:
                fin += self.stmts(sub, 1)
            if r.random() < (0.2 if self.x_exc else 0.07):
                fin.append({"return": self.value(sub)})
            elif self.x_exc and r.random() < 0.25:
                fin.append({"raise": r.choice(RAISE), "message": self.template(sub, "fin")})
            elif self.x_exc and r.random() < 0.15 and sub.depth < 5:
                fin.append(self.wrap_try(sub, [{"raise": r.choice(RAISE)}]))
            st["finally"] = fin
        return st

    def stmt(self, ctx):
        if self.sh and self.sh.random() < (0.1 if ctx.depth < 4 else 0.03):
            return self.s_shield(ctx)   # (drawn from self.sh: the rest stays the same)
        if self.ac and self.ac.random() < (0.1 if ctx.depth < 4 else 0.03):
            return self.s_ascomp(ctx)   # (drawn from self.ac: the rest stays the same)
        r = self.r
        hs = self.callable_helpers(ctx)
        ts = ctx.vars_of("task") + (ctx.vars_of("aval") if self.x_nontask else [])
        kinds = [("print", 8), ("sleep", 10), ("io", 2), ("block", 1),
                 ("call", 6 if hs else 0), ("create_task", 10 if hs else 0),
                 ("await", 6 if ts else 0), ("gather", 6), ("wait_for", 6),
                 ("cancel", 6 if ts else 0), ("raise", 2), ("try", 6 if ctx.depth < 4 else 0),
                 ("event", 4 if self.objs("Event") else 0),
                 ("with", 3 if (self.objs("Lock") or self.objs("Semaphore")) and ctx.depth < 4 else 0),
                 ("queue", 6 if self.plain_queues() else 0),
                 ("repeat", 3 if ctx.depth < 3 else 0),
                 ("task_group", 4 if ctx.depth < 4 and hs else 0),
                 ("set_var", 2), ("return", 1),
                 ("race", 6 if hs else 0),
                 ("recurse", 3 if self.x_rec and ctx.ci < 1000 and ctx.depth < 3 else 0),
                 ("selfc", 3 if self.x_self and ctx.ci < 1000 and ctx.depth < 3 else 0),
                 ("shared", 3 if self.x_shared and ctx.ci < 1000 and ctx.depth < 3 else 0),
                 ("sync", 4 if self.x_sync and ctx.ci < 1000 and ctx.depth < 3 else 0)]
        if self.tr:             # (only then: the choice stays the same without it)
            kinds.append(("timeout", 9 if ctx.depth < 4 else 2))
        tot = sum(w for _, w in kinds)
        x = r.uniform(0, tot)
        for k, w in kinds:
            x -= w
            if x <= 0 and w > 0:
                break
        return getattr(self, "s_" + k)(ctx)

    def s_print(self, ctx):
        return [self.p(ctx)]

    def s_sleep(self, ctx):
        self.spend(1)
        return [{"sleep": self.dur()}]

    def s_io(self, ctx):
        self.spend(1)
        st = {"io": self.dur()}
        if self.r.random() < 0.6:
            st["label"] = self.template(ctx, "io")
        return [st]

    def s_block(self, ctx):
        return [{"block": self.r.choice([0, 0.5, 1, 0.1])}]

    def s_call(self, ctx):
        hs = self.callable_helpers(ctx)
        j = self.r.choice(hs)
        if not self.spend(self.helpers[j]["cost"] + 1):
            return self.s_sleep(ctx)
        st = {"call": self.helpers[j]["name"]}
        args = self.args_for(ctx, j)
        if args or self.r.random() < 0.2:
            st["args"] = args
        env0 = dict(ctx.env)
        out = [st]
        if self.maybe_as(st, ctx, "val", "r"):
            out.append(self.p(ctx, "call->{%s}" % st["as"]))
        if self.r.random() < (0.65 if ctx.ci < 0 and not ctx.protected else 0.35):
            out = [self.wrap_try(ctx, out, env=env0)]
        return out

    def s_create_task(self, ctx, group=None):
        r = self.r
        hs = self.callable_helpers(ctx)
        if not hs:
            return self.s_sleep(ctx)
        j = r.choice(hs)
        if not self.spend(self.helpers[j]["cost"] + 2):
            return self.s_sleep(ctx)
        st = {"create_task": self.helpers[j]["name"]}
        args = self.args_for(ctx, j)
        if args or r.random() < 0.2:
            st["args"] = args
        if r.random() < 0.3:
            st["name"] = self.template(ctx, "task")
        if group is None and ctx.groups and r.random() < 0.7:
            group = r.choice(ctx.groups)
        if group:
            st["group"] = group
        self.maybe_as(st, ctx, "task", "t", 0.85)
        return [st]

    def task_var(self, ctx):
        """A variable for await/cancel/gather/wait_for: usually a task; with
        x_nontask sometimes the result of an earlier await (an int, a list, ...)."""
        ts = ctx.vars_of("task")
        av = ctx.vars_of("aval")
        if av and self.x_nontask and (not ts or self.r.random() < 0.2):
            return self.r.choice(av)
        return self.r.choice(ts)

    def s_await(self, ctx):
        t = self.task_var(ctx)
        st = {"await": t}
        env0 = dict(ctx.env)
        out = [st]
        if self.r.random() < 0.1:
            out.insert(0, {"await": t})     # awaited twice
        if self.maybe_as(st, ctx, "aval", "r"):
            out.append(self.p(ctx, "await->{%s}" % st["as"]))
        if self.r.random() < 0.6:
            out = [self.wrap_try(ctx, out, force_cancel=True, env=env0)]
        return out

    def gather_st(self, ctx, depth=0):
        r = self.r
        items = []
        for _ in range(r.choice([0, 1, 2, 2, 3, 3, 4])):
            items.append(self.call_aw(ctx))
        st = {"gather": items}
        if r.random() < 0.6:
            st["return_exceptions"] = r.random() < 0.5
        return st

    def s_gather(self, ctx):
        st = self.gather_st(ctx)
        env0 = dict(ctx.env)
        out = [st]
        if self.maybe_as(st, ctx, "list", "g", 0.8):
            out.append(self.p(ctx, "gather->{%s}" % st["as"]))
        if self.r.random() < 0.65:
            out = [self.wrap_try(ctx, out, force_cancel=True, env=env0)]
        return out

    def s_wait_for(self, ctx):
        r = self.r
        st = {"wait_for": self.call_aw(ctx), "timeout": r.choice(TIMEOUTS)}
        if self.x_dur and r.random() < 0.3:
            st["timeout"] = self.dur()
        env0 = dict(ctx.env)
        out = [st]
        if self.maybe_as(st, ctx, "aval", "r"):
            out.append(self.p(ctx, "wait_for->{%s}" % st["as"]))
        if r.random() < 0.85:
            out = [self.wrap_try(ctx, out, force_cancel=True, env=env0,
                                 expect=("TimeoutError",))]
        return out

    def s_cancel(self, ctx):
        r = self.r
        t = self.task_var(ctx)
        st = {"cancel": t}
        out = [st]
        if self.maybe_as(st, ctx, "val", "c", 0.6):
            out.append(self.p(ctx, "cancel->{%s}" % st["as"]))
        x = r.random()
        if x < 0.15:            # cancel twice
            st2 = {"cancel": t}
            out.append(st2)
            if self.maybe_as(st2, ctx, "val", "c", 0.7):
                out.append(self.p(ctx, "cancel again->{%s}" % st2["as"]))
        elif x < 0.3:           # let it finish (or be cancelled), then cancel the done task
            out.append(self.wrap_try(ctx, [{"await": t}], force_cancel=True, env=dict(ctx.env)))
            st2 = {"cancel": t, "as": self.fresh("c")}
            ctx.env[st2["as"]] = "val"
            out += [st2, self.p(ctx, "cancel done->{%s}" % st2["as"])]
        return out

    def s_raise(self, ctx):
        if ctx.ci < 0 and not ctx.protected and self.r.random() < 0.9:
            return self.s_print(ctx)
        st = {"raise": self.r.choice(RAISE)}
        if self.r.random() < 0.8:
            st["message"] = self.template(ctx, "boom")
        return [st]

    def s_try(self, ctx):
        sub = ctx.sub(protected=True)
        body = self.stmts(sub, self.r.randint(1, 3))
        return [self.wrap_try(ctx, body, expect=("CancelledError",) if self.r.random() < 0.3 else ())]

    def s_event(self, ctx):
        r = self.r
        ev = r.choice(self.objs("Event"))
        x = r.random()
        if ctx.ci < 0 and x < 0.45 and r.random() < 0.8:
            x = 0.5
        if x < 0.45:
            out = [{"wait": ev}, self.p(ctx, "woke")]
            if r.random() < 0.3:
                out = [self.wrap_try(ctx, out, force_cancel=True)]
            return out
        if x < 0.85:
            return [{"set": ev}]
        return [{"clear": ev}]

    def s_with(self, ctx):
        r = self.r
        choices = [o for o in self.objs("Lock") if o not in ctx.locks] + self.objs("Semaphore")
        if r.random() < 0.05:
            choices = self.objs("Lock") + self.objs("Semaphore")
        if not choices:
            return self.s_sleep(ctx)
        o = r.choice(choices)
        sub = ctx.sub()
        sub.locks.append(o)
        body = [self.p(sub, "in " + o)] + self.stmts(sub, r.randint(1, 2))
        return [{"with": o, "body": body}]

    def s_queue(self, ctx):
        r = self.r
        q = r.choice(self.plain_queues())
        x = r.random()
        if ctx.ci < 0 and self.main_puts.get(q, 0) == 0 and r.random() < 0.85:
            x = 0
        if x < 0.4:
            if ctx.ci < 0:
                self.main_puts[q] = self.main_puts.get(q, 0) + 1
            out = [{"put": q, "value": self.value(ctx)}]
        elif x < 0.8:
            st = {"get": q}
            env0 = dict(ctx.env)
            out = [st]
            if self.maybe_as(st, ctx, "val", "x", 0.8):
                out.append(self.p(ctx, "got {%s}" % st["as"]))
            if r.random() < 0.3:
                out.append({"task_done": q})
                if self.x_exc and r.random() < 0.3:
                    out.append({"task_done": q})          # once too often
        elif x < 0.92:
            out = [{"task_done": q}]
        else:
            out = [{"join": q}]
        if r.random() < 0.3:
            out = [self.wrap_try(ctx, out, force_cancel=True, env=env0 if 0.4 <= x < 0.8 else None)]
        return out

    def s_repeat(self, ctx):
        r = self.r
        n = r.choice([0, 1, 2, 2, 3])
        st = {"repeat": n}
        sub = ctx.sub()
        if r.random() < 0.6:
            v = self.fresh("i")
            st["as"] = v
            sub.env[v] = "val"
        saved = self.cost_left
        body = self.stmts(sub, r.randint(1, 3))
        used = saved - self.cost_left
        self.cost_left -= used * max(0, n - 1)
        st["body"] = body
        return [st]

    def s_task_group(self, ctx):
        r = self.r
        g = self.fresh("tg")
        sub = ctx.sub()
        sub.groups.append(g)
        body = []
        for _ in range(r.randint(1, 3)):
            body += self.s_create_task(sub, group=g)
        for _ in range(r.randint(0, 2)):
            body += self.stmt(sub)
        if r.random() < 0.5:
            body.append(self.p(sub, "tg body end"))
        if r.random() < 0.2:
            shuffled = list(body)
            r.shuffle(shuffled)
            body = shuffled
        st = {"task_group": g, "body": body}
        out = [st, self.p(ctx, "after " + g)]
        if r.random() < 0.75:
            out = [self.wrap_try(ctx, out, expect=("ExceptionGroup",))]
        return out

    def s_set_var(self, ctx):
        v = self.fresh("s")
        val = self.value(ctx)
        ctx.env[v] = "list" if isinstance(val, list) else "val"
        return [{"set_var": v, "value": val}]

    def s_return(self, ctx):
        return [{"return": self.value(ctx)}]

    def s_race(self, ctx):
        """Idioms: cancellation racing completion at equal deadlines, etc."""
        r = self.r
        hs = self.callable_helpers(ctx)
        j = r.choice(hs)
        if not self.spend(self.helpers[j]["cost"] + 3):
            return self.s_sleep(ctx)
        t = self.fresh("t")
        st = {"create_task": self.helpers[j]["name"], "as": t}
        args = self.args_for(ctx, j)
        if args:
            st["args"] = args
        ctx.env[t] = "task"
        d = self.helpers[j]["first_sleep"] if r.random() < 0.7 else self.dur()
        out = [st]
        x = r.random()
        if x < 0.4:
            out += [{"sleep": d}, {"cancel": t, "as": self.fresh("c")}]
            ctx.env[out[-1]["as"]] = "val"
            out.append(self.p(ctx, "cancel->{%s}" % out[-1]["as"]))
            aw = {"await": t}
            if r.random() < 0.5:
                aw["as"] = self.fresh("r")
            out.append(self.wrap_try(ctx, [aw], force_cancel=True, env=dict(ctx.env)))
        elif x < 0.7:
            w = {"wait_for": t, "timeout": d if d is not None else 1}
            rv = self.fresh("r")
            w["as"] = rv
            sub = ctx.sub(bind=(rv, "val"))
            out.append(self.wrap_try(ctx, [w, self.p(sub, "raced->{%s}" % rv)], force_cancel=True,
                                     env=dict(ctx.env), expect=("TimeoutError",)))
        else:
            g = {"gather": [t, {"sleep": d}] + ([self.call_aw(ctx)] if r.random() < 0.5 else []),
                 "return_exceptions": r.random() < 0.5}
            gv = self.fresh("g")
            g["as"] = gv
            sub = ctx.sub(bind=(gv, "list"))
            if r.random() < 0.4:
                out.append({"sleep": r.choice([0, d])})
            out.append(self.wrap_try(ctx, [g, self.p(sub, "gathered {%s}" % gv)], force_cancel=True,
                                     env=dict(ctx.env)))
        return out

    # -- wider coverage ---------------------------------------------------------
    def dedicated(self, name, params, make):
        """A coroutine used by the new constructs: made once, by make(ctx) -> body.
        Its statements never call the helpers (ci >= 1000), so the call graph
        stays acyclic apart from the bounded recursion of rec/rect."""
        if name in self.extra_cors:
            return name
        self.extra_cors[name] = None          # reserve (and stop re-entry)
        ci = 1000 + len(self.extra_cors)
        self.cnames[ci] = name
        env = {p: k for p, k in params}
        ctx = Ctx(self, ci, env)
        saved = self.cost_left
        self.cost_left = 40
        body = make(ctx)
        self.cost_left = saved
        if params or self.r.random() < 0.2:
            self.extra_cors[name] = {"params": [p for p, _ in params], "body": body}
        else:
            self.extra_cors[name] = body
        return name

    def clause(self, ctx, e, p_as):
        """An except clause for class e, binding the exception (`as`) with
        probability p_as; returns it with the context of its body."""
        cl = {"error": e}
        sub = ctx.sub()
        if self.r.random() < p_as:
            ev = self.fresh("e")
            cl["as"] = ev
            sub.env[ev] = "exc"
        return cl, sub

    def handler_try(self, ctx, body, picks, fin=True):
        """try body / except picks (print, sometimes swallow-return or re-raise) / finally."""
        r = self.r
        clauses = []
        for e in picks:
            cl, sub = self.clause(ctx, e, 0.6)
            cb = [self.p(sub, "caught " + e)]
            x = r.random()
            if x < 0.2:
                cb.append({"raise": e if e in RAISE else "RuntimeError",
                           "message": self.template(sub, "again")})
            elif x < 0.35:
                cb.append({"return": self.value(sub)})
            elif x < 0.45:
                cb.append({"sleep": r.choice([0, 0.1])})
            cl["body"] = cb
            clauses.append(cl)
        st = {"try": body}
        if clauses:
            st["except"] = clauses
        if fin and (not clauses or r.random() < 0.4):
            sub = ctx.sub()
            f = [self.p(sub, "finally")]
            if self.x_exc and r.random() < 0.25:
                f.append({"return": self.value(sub)})
            st["finally"] = f
        return st

    def pos_sleep(self):
        d = self.r.choice([0.1, 0.2, 0.25, 0.3, 0.5])
        return {"sleep": d} if self.r.random() < 0.7 else {"io": d, "label": "lvl"}

    def make_rec(self, ctx):
        """rec(n, who): sleep, then call rec([n], who) -- bounded only by the
        wait_for that starts it (every level waits >= 0.1 s; timeouts <= 1.5 s)."""
        r = self.r
        body = [self.p(ctx, "rec {n}")]
        pre = [self.pos_sleep()]
        for _ in range(r.choice([0, 0, 1, 2])):
            y = r.random()
            if y < 0.4:
                pre.append(self.p(ctx, "pre"))
            elif y < 0.55:
                pre.append({"block": r.choice([0, 0.1])})
            elif y < 0.75:
                v = self.fresh("s")
                ctx.env[v] = "val"
                pre.append({"set_var": v, "value": self.value(ctx)})
            elif y < 0.85:
                pre.append({"sleep": 0})
            elif y < 0.93:
                pre.append({"raise": r.choice(RAISE), "message": "deep {n}"})
            else:
                pre.append({"return": "bottom {n}"})
        r.shuffle(pre)
        body += pre
        arg = [{"var": "n"}] if r.random() < 0.6 else "{n}<"
        core = [{"call": "rec", "args": [arg, {"var": "who"}], "as": "rr"}]
        sub = ctx.sub(bind=("rr", "val"))
        core.append(self.p(sub, "rec {n} got {rr}"))
        locks = self.objs("Lock") + self.objs("Semaphore")
        if locks and r.random() < 0.3:
            core = [{"with": r.choice(locks), "body": core}]
        if r.random() < 0.75:
            picks = r.sample(["CancelledError", "BaseException", "Exception", "ValueError",
                              "CancelledError", "TimeoutError"], r.choice([0, 1, 1, 2]))
            core = [self.handler_try(ctx, core, picks)]
        body += core
        body += self.stmts(ctx.sub(), r.choice([0, 0, 1, 2]))
        body.append({"return": r.choice(["up {n}", {"var": "n"}, None, 7])})
        return body

    def make_rect(self, ctx):
        """rect(n, who): the same, one task per level (create_task + await)."""
        r = self.r
        body = [self.p(ctx, "rect {n}"), self.pos_sleep()]
        if r.random() < 0.1:
            body.append({"return": "flat"})
        core = [{"create_task": "rect", "args": [[{"var": "n"}], {"var": "who"}], "as": "tt"}]
        if r.random() < 0.3:
            core.append({"sleep": 0})
        if r.random() < 0.25:
            core[0]["group"] = "tgr"
            core = [{"task_group": "tgr", "body": core + [self.p(ctx, "rect group body end")]},
                    {"await": "tt", "as": "rr"}]
        elif r.random() < 0.2:
            core.append({"gather": ["tt", "tt"], "as": "rr"})
        else:
            core.append({"await": "tt", "as": "rr"})
        sub = ctx.sub(bind=("rr", "val"))
        core.append(self.p(sub, "rect {n} got {rr}"))
        if r.random() < 0.7:
            core = [self.handler_try(ctx, core, r.sample(
                ["CancelledError", "BaseException", "Exception"], r.choice([0, 1, 1, 2])))]
        body += core
        body.append({"return": r.choice(["up {n}", {"var": "n"}, None])})
        return body

    def s_recurse(self, ctx):
        r = self.r
        self.spend(15)
        name = self.dedicated("rec", [("n", "val"), ("who", "who")], self.make_rec) \
            if r.random() < 0.65 else \
            self.dedicated("rect", [("n", "val"), ("who", "who")], self.make_rect)
        args = [r.choice([0, [], "", "n"]), self.fresh("w")]
        T = r.choice([0.3, 0.5, 1, 1, 1.5, 0])
        out = []
        if r.random() < 0.5:
            aw = {"call": name, "args": args}
        else:
            aw = self.fresh("t")
            out.append({"create_task": name, "args": args, "as": aw})
            ctx.env[aw] = "task"
        env0 = dict(ctx.env)
        rv = self.fresh("r")
        sub = ctx.sub(bind=(rv, "val"))
        out.append(self.wrap_try(ctx, [{"wait_for": aw, "timeout": T, "as": rv},
                                       self.p(sub, "rec->{%s}" % rv)],
                                 force_cancel=True, env=env0, expect=("TimeoutError",)))
        return out

    def make_boxer(self, ctx):
        return [{"get": "qbox", "as": "x"}, {"return": {"var": "x"}}]

    def make_selfish(self, ctx):
        r = self.r
        body = [self.p(ctx, "start"), {"await": "box", "as": "me"}]
        ctx.env["me"] = "box"
        v = r.random()
        if v < 0.55:
            body.append({"cancel": "me", "as": "c1"})
            ctx.env["c1"] = "val"
            body.append(self.p(ctx, "self-cancel {c1}"))
            if r.random() < 0.3:
                body += [{"cancel": "me", "as": "c2"}, {"print": "again {c2}"}]
            y = r.random()
            if y < 0.2:
                pass
            elif y < 0.35:
                body.append({"sleep": 0})
            elif y < 0.45:
                body.append({"block": 0.1})
            elif y < 0.85:
                body.append(self.handler_try(ctx, [r.choice([{"sleep": 0}, {"sleep": 0.5},
                                                             {"gather": [{"sleep": 0}]},
                                                             {"wait_for": {"sleep": 1}, "timeout": 0.5}]),
                                                   self.p(ctx, "not cancelled?")],
                                             r.sample(["CancelledError", "BaseException", "TimeoutError"],
                                                      r.choice([1, 1, 2]))))
            else:
                body.append({"await": "me"})
        elif v < 0.7:
            body.append({"try": [{"await": "me"}], "except": [
                {"error": "RuntimeError", "body": [self.p(ctx, "self-await refused")]}]})
        elif v < 0.85:
            body.append({"try": [{"wait_for": "me", "timeout": r.choice([0, 0.5, 1])}],
                         "except": [{"error": r.choice(["BaseException", "CancelledError"]),
                                     "body": [self.p(ctx, "self wait_for ended")]}]})
        else:
            body.append({"try": [{"gather": ["me", {"sleep": r.choice([0, 0.5])}],
                                  "return_exceptions": r.random() < 0.5}],
                         "except": [{"error": "BaseException",
                                     "body": [self.p(ctx, "self gather ended")]}]})
        body += self.stmts(ctx.sub(), r.choice([0, 1]))
        body.append({"return": self.value(ctx)})
        return body

    def make_child(self, ctx):
        r = self.r
        body = []
        if r.random() < 0.5:
            body.append({"sleep": r.choice([0, 0, 0.5])})
        body += [{"cancel": "par", "as": "c"}, self.p(ctx, "cancelled parent {c}")]
        ctx.env["c"] = "val"
        if r.random() < 0.2:
            body.append({"cancel": "par"})
        if r.random() < 0.6:
            body.append(self.handler_try(ctx, [{"sleep": r.choice([0, 0.5])}, self.p(ctx, "child on")],
                                         r.sample(["CancelledError", "BaseException"], r.choice([0, 1]))))
        body.append({"return": "child done"})
        return body

    def make_parent(self, ctx):
        r = self.r
        self.dedicated("child", [("who", "who"), ("par", "task")], self.make_child)
        body = [self.p(ctx, "start"), {"await": "box", "as": "me"},
                {"create_task": "child", "args": [{"var": "who"}, {"var": "me"}], "as": "tc"}]
        ctx.env["tc"] = "task"
        if r.random() < 0.35:
            body[-1]["group"] = "tgp"
            inner = [body.pop()]
            if r.random() < 0.5:
                inner.append({"create_task": "child", "args": ["sib", {"var": "me"}], "group": "tgp"})
            inner.append(r.choice([{"sleep": r.choice([0, 0.5, 1])}, self.p(ctx, "group body")]))
            body.append(self.handler_try(ctx, [{"task_group": "tgp", "body": inner},
                                               self.p(ctx, "group done")],
                                         r.sample(["CancelledError", "ExceptionGroup", "BaseException"],
                                                  r.choice([0, 1, 2]))))
            body.append({"return": "parent group done"})
            return body
        y = r.random()
        if y < 0.4:
            w = {"await": "tc", "as": "pr"}
        elif y < 0.6:
            w = {"gather": ["tc", {"sleep": r.choice([0, 1])}], "as": "pr",
                 "return_exceptions": r.random() < 0.5}
        elif y < 0.8:
            w = {"wait_for": "tc", "timeout": r.choice([0.5, 1, None]), "as": "pr"}
        else:
            w = {"sleep": r.choice([0, 0.5, 1])}
        sub = ctx.sub(bind=("pr", "val"))
        inner = [w] + ([self.p(sub, "parent got {pr}")] if "as" in w else [])
        body.append(self.handler_try(ctx, inner, r.sample(["CancelledError", "BaseException"],
                                                          r.choice([0, 1, 1]))))
        body.append(self.p(ctx, "parent end"))
        body.append({"return": "parent done"})
        return body

    def s_selfc(self, ctx):
        r = self.r
        if r.random() < 0.25:
            return self.s_duel(ctx)
        self.spend(10)
        self.dedicated("boxer", [], self.make_boxer)
        name = self.dedicated("selfish", [("who", "who"), ("box", "box")], self.make_selfish) \
            if r.random() < 0.5 else \
            self.dedicated("parent", [("who", "who"), ("box", "box")], self.make_parent)
        tb = self.fresh("tb")
        ctx.env[tb] = "box"
        t = self.fresh("t")
        out = [{"create_task": "boxer", "as": tb},
               {"create_task": name, "args": [self.fresh("w"), {"var": tb}], "as": t},
               {"put": "qbox", "value": {"var": t}}]
        ctx.env[t] = "task"
        y = r.random()
        if y < 0.5:
            rv = self.fresh("r")
            sub = ctx.sub(bind=(rv, "val"))
            out.append(self.wrap_try(ctx, [{"await": t, "as": rv}, self.p(sub, "selfc->{%s}" % rv)],
                                     force_cancel=True, env=dict(ctx.env)))
        elif y < 0.7:
            out.append({"sleep": r.choice([0, 0.5, 1])})
        return out

    def make_duel(self, ctx):
        r = self.r
        body = [self.p(ctx, "start"), {"await": "box", "as": "other"}]
        ctx.env["other"] = "box"
        d = r.choice([0, 0, 0.5, 1])
        body.append(self.handler_try(ctx, [{"sleep": d}, {"cancel": "other", "as": "dc"},
                                           {"print": "duel {who} cancelled other: {dc}"},
                                           {"sleep": r.choice([0, 0.5])}, self.p(ctx, "survived")],
                                     r.sample(["CancelledError", "BaseException"], r.choice([0, 1, 1]))))
        if r.random() < 0.3:
            body.append({"try": [{"await": "other", "as": "dr"}, {"print": "duel {who} saw {dr}"}],
                         "except": [{"error": "BaseException", "body": [self.p(ctx, "other failed")]}]})
        body.append({"return": "duel {who}"})
        return body

    def s_duel(self, ctx):
        self.spend(10)
        self.dedicated("boxer", [], self.make_boxer)
        self.dedicated("duel", [("who", "who"), ("box", "box")], self.make_duel)
        b1, b2, t1, t2 = self.fresh("tb"), self.fresh("tb"), self.fresh("t"), self.fresh("t")
        ctx.env[b1] = ctx.env[b2] = "box"
        ctx.env[t1] = ctx.env[t2] = "task"
        return [{"create_task": "boxer", "as": b1}, {"create_task": "boxer", "as": b2},
                {"create_task": "duel", "args": ["A", {"var": b1}], "as": t1},
                {"create_task": "duel", "args": ["B", {"var": b2}], "as": t2},
                {"put": "qbox", "value": {"var": t2}}, {"put": "qbox", "value": {"var": t1}}]

    def make_target(self, ctx, bad):
        r = self.r
        body = [self.p(ctx, "target"), {"sleep": r.choice([0, 0.5, 1, 1])}]
        if bad:
            body.append({"raise": r.choice(RAISE), "message": "target failed"})
        else:
            body.append({"return": self.value(ctx)})
        return body

    def make_waiter(self, ctx, how):
        r = self.r
        if how == "await":
            w = {"await": "tk", "as": "wr"}
        elif how == "wait_for":
            w = {"wait_for": "tk", "timeout": r.choice([0.5, 1, None, 0]), "as": "wr"}
        else:
            w = {"gather": ["tk", "tk"] if r.random() < 0.7 else ["tk", {"sleep": 0.5}],
                 "as": "wr", "return_exceptions": r.random() < 0.5}
        sub = ctx.sub(bind=("wr", "val"))
        return [self.handler_try(ctx, [w, self.p(sub, "waited {wr}")],
                                 r.sample(["CancelledError", "TimeoutError", "Exception",
                                           "BaseException", "ValueError"], r.choice([1, 2, 3]))),
                {"return": "waiter {who}"}]

    def s_shared(self, ctx):
        r = self.r
        self.spend(12)
        hs = self.callable_helpers(ctx)
        t = self.fresh("t")
        out = []
        made = self.s_create_task(ctx) if hs and r.random() < 0.3 else [{}]
        if "create_task" in made[-1]:
            out += made
            if "as" not in out[-1]:
                out[-1]["as"] = t
                ctx.env[t] = "task"
            t = out[-1]["as"]
        else:
            bad = r.random() < 0.5
            name = self.dedicated("tbad" if bad else "tok", [("who", "who")],
                                  lambda c: self.make_target(c, bad))
            out.append({"create_task": name, "args": [self.fresh("w")], "as": t})
            ctx.env[t] = "task"
        for _ in range(r.choice([1, 2, 2, 3])):
            how = r.choice(["await", "wait_for", "gather"])
            name = self.dedicated("wait_" + how, [("who", "who"), ("tk", "task")],
                                  lambda c: self.make_waiter(c, how))
            wv = self.fresh("t")
            out.append({"create_task": name, "args": [self.fresh("w"), {"var": t}], "as": wv})
            ctx.env[wv] = "task"
        y = r.random()
        if y < 0.25:
            gv = self.fresh("g")
            sub = ctx.sub(bind=(gv, "list"))
            out.append(self.wrap_try(ctx, [{"gather": [t, t], "as": gv,
                                            "return_exceptions": r.random() < 0.5},
                                           self.p(sub, "twice {%s}" % gv)],
                                     force_cancel=True, env=dict(ctx.env)))
        elif y < 0.45:
            out.append(self.wrap_try(ctx, [{"wait_for": t, "timeout": r.choice([0.5, 1, 0])}],
                                     force_cancel=True, env=dict(ctx.env), expect=("TimeoutError",)))
        elif y < 0.8:
            out.append({"sleep": r.choice([0, 0.5, 1])})
            out.append({"cancel": t})
            if r.random() < 0.4:
                out.append({"cancel": t})
            if r.random() < 0.6:
                out.append(self.wrap_try(ctx, [{"await": t}], force_cancel=True, env=dict(ctx.env)))
        return out

    def make_syncw(self, ctx, kind, obj):
        r = self.r
        if kind in ("Lock", "Semaphore"):
            core = [{"with": obj, "body": [self.p(ctx, "in " + obj), {"sleep": r.choice([0, 0.5])}]}]
        elif kind == "get":
            sub = ctx.sub(bind=("gx", "val"))
            core = [{"get": obj, "as": "gx"}, self.p(sub, "got {gx}")]
            if r.random() < 0.5:
                core.append({"task_done": obj})
        elif kind == "put":
            core = [{"put": obj, "value": "{who}"}, self.p(ctx, "put done")]
        else:
            core = [{"wait": obj}, self.p(ctx, "woke")]
        return [self.handler_try(ctx, core, r.sample(["CancelledError", "BaseException"],
                                                     r.choice([0, 1, 1]))),
                {"return": "{who} ok"}]

    def s_sync(self, ctx):
        r = self.r
        cands = [o for o in ("slk", "ssem", "sq", "sev") if o in self.objects]
        if not cands:
            return self.s_sleep(ctx)
        o = r.choice(cands)
        self.spend(12)
        if o == "slk":
            kind = "Lock"
        elif o == "ssem":
            kind = "Semaphore"
        elif o == "sq":
            kind = r.choice(["get", "get", "put"])
        else:
            kind = "Event"
        name = self.dedicated("sw_%s_%s" % (o, kind.lower()), [("who", "who")],
                              lambda c: self.make_syncw(c, kind, o))
        out = []
        ts = []
        maxsize = 0
        if o == "sq":
            maxsize = self.objects["sq"]["Queue"]["maxsize"]
            if kind == "put":
                out += [{"put": "sq", "value": i} for i in range(maxsize)]
        for _ in range(r.choice([1, 2, 3])):
            t = self.fresh("t")
            out.append({"create_task": name, "args": [self.fresh("w")], "as": t})
            ctx.env[t] = "task"
            ts.append(t)

        def ops(n):
            res = []
            for _ in range(n):
                y = r.random()
                if y < 0.3:
                    res.append({"sleep": r.choice([0, 0, 0.5])})
                elif y < 0.6:
                    c = self.fresh("c")
                    res += [{"cancel": r.choice(ts), "as": c}, {"print": "sync cancel {%s}" % c}]
                    ctx.env[c] = "val"
                elif o == "sev":
                    res.append({"set": "sev"} if r.random() < 0.7 else {"clear": "sev"})
                elif o == "sq" and kind == "get":
                    res.append({"put": "sq", "value": r.choice([1, "a", None])})
                elif o == "sq" and kind == "put":
                    res.append({"try": [{"wait_for": {"sleep": 0}, "timeout": 1}], "finally": []}
                               if False else {"sleep": 0})
                else:
                    res.append({"sleep": 0})
            return res
        if o in ("slk", "ssem") and o not in ctx.locks and r.random() < 0.7:
            out += ops(r.choice([0, 1]))
            out.append({"with": o, "body": [{"sleep": 0}] + ops(r.choice([1, 2, 3]))})
            out += ops(r.choice([1, 2, 3]))
        else:
            out += ops(r.choice([2, 3, 4, 5]))
        if o == "sq" and kind == "put":
            gx = self.fresh("x")
            ctx.env[gx] = "val"
            out += [{"get": "sq", "as": gx}, {"cancel": r.choice(ts)}, {"print": "sync got {%s}" % gx}]
        if r.random() < 0.6:
            gv = self.fresh("g")
            out += [{"gather": list(ts), "return_exceptions": True, "as": gv},
                    {"print": "sync gathered {%s}" % gv}]
            ctx.env[gv] = "list"
        return out

    def stmts(self, ctx, n):
        out = []
        for _ in range(n):
            out += self.stmt(ctx)
        return out

    # -- asyncio.timeout (only when self.tr switched it on) -------------------
    def timeline(self, body, t, out):
        """Walk body as if nothing raised, from virtual time t; add to out the
        times at which something in it falls due (a sleep, io or block ends, a
        wait_for or an inner timeout expires).  -> the time at its end, or None
        from the first statement whose duration is unknown on."""
        for st in body:
            if t is None:
                return None
            if not isinstance(st, dict):
                continue
            if "sleep" in st or "io" in st or "block" in st:
                d = st.get("sleep", st.get("io", st.get("block")))
                t += d
                out.append(t)
            elif "wait_for" in st:
                to = st.get("timeout")
                if to is not None:
                    out.append(t + to)
                aw = st["wait_for"]
                if isinstance(aw, dict) and "sleep" in aw:
                    t += aw["sleep"] if to is None else min(aw["sleep"], to)
                    out.append(t)
                else:
                    t = None
            elif "gather" in st:
                items = st["gather"]
                if all(isinstance(a, dict) and "sleep" in a for a in items):
                    ends = [t + a["sleep"] for a in items]
                    out += ends
                    t = max(ends + [t])
                else:
                    t = None
            elif "with_timeout" in st:
                if st["with_timeout"] is not None:
                    out.append(t + st["with_timeout"])
                t = self.timeline(st["body"], t, out)
            elif "try" in st:
                t = self.timeline(st["try"], t, out)
            elif "with" in st:
                t = self.timeline(st["body"], t, out)
            elif "task_group" in st:
                self.timeline(st["body"], t, out)
                t = None
            elif "repeat" in st:
                for _ in range(min(st["repeat"], 3)):
                    t = self.timeline(st["body"], t, out)
            elif "shield" in st:
                aw = st["shield"]
                if isinstance(aw, dict) and "sleep" in aw:
                    t += aw["sleep"]
                    out.append(t)
                else:
                    t = None
            elif "as_completed" in st:
                items = st["as_completed"]
                to = st.get("timeout")
                if to is not None and items:
                    out.append(t + to)
                out += [t + a["sleep"] for a in items if isinstance(a, dict) and "sleep" in a]
                t = None
            elif any(k in st for k in ("call", "await", "get", "put", "wait", "join")):
                t = None
        return t

    def to_secs(self, body=None):
        """The seconds of a with_timeout: half of the time one that ties with
        a deadline in its body (the scheduling order decides), else 0, None,
        shorter or longer."""
        r = self.r
        cands = []
        if body is not None:
            self.timeline(body, 0, cands)
        cands = [c for c in cands if 0 <= c <= 200000]
        x = r.random()
        if cands and x < 0.5:
            return r.choice(cands)
        if self.x_dur and x < 0.6:
            return self.dur()
        return r.choice(TO_SECS)

    def s_timeout(self, ctx):
        """async with asyncio.timeout(T): body."""
        r = self.r
        self.spend(1)
        x = r.random()
        if x < 0.2 and ctx.ci < 1000 and ctx.depth < 3:
            return self.s_to_race(ctx)
        env0 = dict(ctx.env)
        sub = ctx.sub()
        if x < 0.45:
            body = self.to_plain_body(sub)
        elif x < 0.7:
            body = self.to_focus_body(sub)
        elif x < 0.85 and ctx.depth < 4:
            body = self.to_nested_body(sub)
        else:
            body = self.to_catch_body(sub)
        out = [{"with_timeout": self.to_secs(body), "body": body}]
        if r.random() < 0.6:
            out.append(self.p(ctx, "after timeout"))
        if r.random() < (0.9 if ctx.ci < 0 and not ctx.protected else 0.6):
            out = [self.wrap_try(ctx, out, force_cancel=r.random() < 0.5, env=env0,
                                 expect=("TimeoutError",) if r.random() < 0.8 else ("OSError",))]
        return out

    def to_plain_body(self, sub):
        r = self.r
        body = []
        if r.random() < 0.5:
            body.append(self.p(sub, "in timeout"))
        if r.random() < 0.6:
            d = self.dur()
            body.append(r.choice([{"sleep": d}, {"io": d, "label": "to io"}, {"sleep": 0}]))
        body += self.stmts(sub, r.randint(1, 3))
        y = r.random()
        if y < 0.12:
            body.append({"return": self.value(sub)})
        elif y < 0.2:
            body.append({"raise": r.choice(RAISE), "message": "in timeout"})
        elif y < 0.5:
            body.append(self.p(sub, "timeout body end"))
        return body

    def to_focus_body(self, sub):
        """A body around one thing that waits: wait_for, gather, TaskGroup,
        Lock/Semaphore, Queue, Event, sleep/io/block."""
        r = self.r
        opts = ["wait_for", "wait_for", "gather", "sleep", "io", "block"]
        if self.callable_helpers(sub):
            opts += ["task_group", "task_group", "call", "create"]
        if self.objs("Lock") or self.objs("Semaphore"):
            opts += ["with", "with"]
        if self.plain_queues():
            opts += ["queue", "queue"]
        if self.objs("Event"):
            opts += ["event", "event"]
        k = r.choice(opts)
        d = self.dur()
        csub = sub.sub()            # what the core binds (not seen by the handlers)
        if self.sh and self.sh.random() < 0.2:
            k = "shield"
        if self.ac and self.ac.random() < 0.2:
            k = "ascomp"
        if k == "ascomp":
            core = self.ac_plain(csub, wrap=False, d=d)
        elif k == "shield":
            core = self.sh_plain(csub, self.sh_aw(csub, d), wrap=False)
        elif k == "wait_for":
            aw = {"sleep": d} if r.random() < 0.5 else self.call_aw(csub)
            st = {"wait_for": aw, "timeout": r.choice([d, d, self.dur(), None, 0])}
            core = [st]
            if self.maybe_as(st, csub, "aval", "r", 0.5):
                core.append(self.p(csub, "wait_for->{%s}" % st["as"]))
        elif k == "gather":
            st = self.gather_st(csub)
            if not st["gather"] or r.random() < 0.4:
                st["gather"].append({"sleep": d})
            core = [st]
            if self.maybe_as(st, csub, "list", "g", 0.5):
                core.append(self.p(csub, "gather->{%s}" % st["as"]))
        elif k == "task_group":
            core = self.s_task_group(csub)
        elif k == "call":
            core = self.s_call(csub)
        elif k == "create":
            core = self.s_create_task(csub) + [{"sleep": d}]
        elif k == "with":
            core = self.s_with(csub)
        elif k == "queue":
            q = r.choice(self.plain_queues())
            y = r.random()
            if y < 0.5:
                core = [{"get": q, "as": self.fresh("x")}]
                csub.env[core[0]["as"]] = "val"
                core.append(self.p(csub, "got {%s}" % core[0]["as"]))
            elif y < 0.85:
                core = [{"put": q, "value": self.value(csub)}, self.p(csub, "put")]
            else:
                core = [{"join": q}, self.p(csub, "joined")]
        elif k == "event":
            core = [{"wait": r.choice(self.objs("Event"))}, self.p(csub, "woke")]
        elif k == "block":
            core = [{"block": r.choice([0, 0.5, 1, 0.1])}, {"sleep": 0}]
        elif k == "io":
            core = [{"io": d, "label": "focus io"}]
        else:
            core = [{"sleep": d}]
        if r.random() < 0.3:
            core = [self.handler_try(sub, core, r.sample(
                ["CancelledError", "TimeoutError", "BaseException", "Exception"], r.choice([0, 1, 1, 2])))]
        if r.random() < 0.3:
            core += self.stmts(sub, 1)
        return core

    def to_nested_body(self, sub):
        """An inner with_timeout (shorter, longer or equal: to_secs sees it)."""
        r = self.r
        isub = sub.sub()
        inner = self.to_plain_body(isub) if r.random() < 0.5 else self.to_focus_body(isub)
        T2 = self.to_secs(inner)
        body = []
        if r.random() < 0.3:
            body.append({"sleep": r.choice([0, 0.1, 0.5, T2 if T2 is not None else 1])})
        blk = [{"with_timeout": T2, "body": inner}]
        if r.random() < 0.5:
            blk = [self.handler_try(sub, blk + [self.p(sub, "inner done")], r.sample(
                ["TimeoutError", "CancelledError", "BaseException", "Exception"], r.choice([1, 1, 2])))]
        body += blk
        if r.random() < 0.5:
            body.append(self.p(sub, "outer goes on"))
        if r.random() < 0.5:
            body.append({"sleep": r.choice([0, 0.5, 1])})
        return body

    def to_catch_body(self, sub):
        """A body that catches the CancelledError itself: goes on (and awaits
        again), re-raises, raises something else, returns."""
        r = self.r
        d = self.dur()
        core = [r.choice([{"sleep": d}, {"io": d, "label": "c io"},
                          {"wait_for": {"sleep": d}, "timeout": r.choice([d, None, 0.5])},
                          {"gather": [{"sleep": d}, {"sleep": self.dur()}]}]),
                self.p(sub, "not timed out")]
        cl, csub = self.clause(sub, r.choice(["CancelledError", "CancelledError", "BaseException"]), 0.6)
        cb = [self.p(csub, "caught in timeout")]
        y = r.random()
        if y < 0.3:
            cb.append({"sleep": r.choice([0, 0.1, 0.5])})
        elif y < 0.5:
            cb.append({"raise": "CancelledError"})
        elif y < 0.6:
            cb.append({"raise": r.choice(RAISE), "message": "other"})
        elif y < 0.7:
            cb.append({"return": self.value(csub)})
        elif y < 0.8:
            cb += self.stmts(csub, 1)
        cl["body"] = cb
        st = {"try": core, "except": [cl]}
        if r.random() < 0.3:
            st["finally"] = [self.p(sub, "fin in timeout")] + ([{"sleep": 0}] if r.random() < 0.3 else [])
        body = [st]
        if r.random() < 0.6:
            body.append(self.p(sub, "after catch"))
        if r.random() < 0.4:
            body.append({"sleep": r.choice([0, 0.5, 1, d])})
        return body

    def make_to_victim(self, ctx, name):
        """A task inside a with_timeout, which someone else cancels (s_to_race)."""
        r = self.r
        T = r.choice([0.5, 1, 1, 1, 0, None, 2, 0.25])
        d = r.choice([T if T is not None else 1, 1, 2, 0.5, 0])
        self.to_info[name] = (T, d)
        inner = [self.p(ctx, "victim in"),
                 r.choice([{"sleep": d}, {"io": d, "label": "vio"}, {"block": d},
                           {"wait_for": {"sleep": d}, "timeout": r.choice([d, d, None, 0.5])}])]
        if r.random() < 0.35:
            inner = [self.handler_try(ctx, inner, r.sample(["CancelledError", "BaseException"], 1),
                                      fin=r.random() < 0.5)]
            if r.random() < 0.5:
                inner.append({"sleep": r.choice([0, 0.5])})
        inner.append(self.p(ctx, "victim body end"))
        if r.random() < 0.15:
            inner.append({"return": "early {who}"})
        body = [{"with_timeout": T, "body": inner}, self.p(ctx, "victim after")]
        if r.random() < 0.2:
            body.insert(0, {"sleep": 0})
        body = [self.handler_try(ctx, body, r.sample(
            ["TimeoutError", "CancelledError", "BaseException", "OSError", "Exception"],
            r.choice([0, 1, 1, 2])))]
        body.append({"return": "victim {who}"})
        return body

    def make_to_killer(self, ctx):
        r = self.r
        return [{"sleep": r.choice([0, 0.5, 1, 1, 2])}, {"cancel": "tk", "as": "kc"},
                {"print": "killer {who}: {kc}"}, {"return": "killed"}]

    def make_to_kid(self, ctx):
        r = self.r
        body = [{"sleep": r.choice([0, 0.5, 1, 1])}, {"cancel": "par", "as": "kc"},
                {"print": "kid {who} cancelled parent: {kc}"}]
        if r.random() < 0.3:
            body.append({"sleep": r.choice([0, 0.5])})
        return body + [{"return": "kid done"}]

    def make_to_self(self, ctx):
        """A task that cancels itself (or whose child cancels it) inside a with_timeout."""
        r = self.r
        body = [self.p(ctx, "start"), {"await": "box", "as": "me"}]
        ctx.env["me"] = "box"
        T = r.choice([0.5, 1, 1, 0, None, 0.25])
        a = r.choice([0, 0, 0.5, 1, T if T is not None else 1])
        sub = ctx.sub()
        if r.random() < 0.5:
            inner = [{"sleep": a}] if r.random() < 0.7 else []
            inner += [{"cancel": "me", "as": "c1"}, {"print": "self-cancel {c1}"}]
            sub.env["c1"] = "val"
            if r.random() < 0.2:
                inner.append({"cancel": "me"})
            rest = [r.choice([{"sleep": 0}, {"sleep": 0.5}, {"io": a, "label": "sio"},
                              {"wait_for": {"sleep": 1}, "timeout": 0.5}, {"gather": [{"sleep": 0}]},
                              {"block": 0.5}]), self.p(sub, "not cancelled?")]
            if r.random() < 0.5:
                rest = [self.handler_try(sub, rest, r.sample(["CancelledError", "BaseException"], 1))]
                if r.random() < 0.5:
                    rest.append({"sleep": r.choice([0, 0.5, 1])})
            inner += rest
        else:
            self.dedicated("to_kid", [("who", "who"), ("par", "task")], self.make_to_kid)
            kid = {"create_task": "to_kid", "args": [{"var": "who"}, {"var": "me"}]}
            w = r.choice([{"sleep": a}, {"sleep": 1}, {"io": 1, "label": "pio"},
                          {"sleep": 2}, {"wait_for": {"sleep": 2}, "timeout": a}])
            if r.random() < 0.35:
                kid["group"] = "tgk"
                inner = [{"task_group": "tgk", "body": [kid, w]}]
            else:
                inner = [kid, w]
            inner.append(self.p(sub, "parent woke"))
        body.append(self.handler_try(ctx, [{"with_timeout": T, "body": inner}, self.p(ctx, "self after")],
                                     r.sample(["TimeoutError", "CancelledError", "BaseException",
                                               "ExceptionGroup"], r.choice([1, 1, 2]))))
        body.append({"return": self.value(ctx)})
        return body

    def make_to_waiter(self, ctx):
        r = self.r
        T = r.choice([0, 0.5, 1, 1, 0.25])
        self.to_info["to_waiter"] = T
        inner = [self.p(ctx, "waiter in"), r.choice([{"wait": "tev"}, {"wait": "tev"}, {"get": "tq"}])]
        inner.append(self.p(ctx, "waiter woke"))
        if r.random() < 0.4:
            inner.append({"sleep": 0})
        if r.random() < 0.3:
            inner = [self.handler_try(ctx, inner, ["CancelledError"], fin=False)]
        body = [self.handler_try(ctx, [{"with_timeout": T, "body": inner}, self.p(ctx, "waiter after")],
                                 r.sample(["TimeoutError", "CancelledError", "BaseException"],
                                          r.choice([1, 1, 2])))]
        return body + [{"return": "waiter {who}"}]

    def to_blocker(self, ctx):
        """A task waits for an Event or a Queue inside a with_timeout; main
        blocks the loop (time.sleep) to or past its deadline, then wakes it:
        the wakeup is queued before the timeout's handler falls due, and
        __aexit__ may cancel that handler in the ready queue."""
        r = self.r
        self.objects.setdefault("tev", "Event")
        self.objects.setdefault("tq", "Queue")
        self.dedicated("to_waiter", [("who", "who")], self.make_to_waiter)
        T = self.to_info["to_waiter"]
        t = self.fresh("t")
        out = [{"clear": "tev"}, {"create_task": "to_waiter", "args": [self.fresh("w")], "as": t}]
        ctx.env[t] = "task"
        if r.random() < 0.85:
            out.append({"sleep": 0})
        out.append({"block": r.choice([T, T, T + 0.5, 0.5, 1])})
        if r.random() < 0.9:
            wake = [{"set": "tev"}, {"put": "tq", "value": 1}]
            r.shuffle(wake)
            out += wake
        if r.random() < 0.3:
            out.append({"sleep": 0})
        if r.random() < 0.3:
            c = self.fresh("c")
            out += [{"cancel": t, "as": c}, self.p(ctx, "cancel->{%s}" % c)]
            ctx.env[c] = "val"
        rv = self.fresh("r")
        sub = ctx.sub(bind=(rv, "val"))
        out.append(self.wrap_try(ctx, [{"await": t, "as": rv}, self.p(sub, "waiter->{%s}" % rv)],
                                 force_cancel=True, env=dict(ctx.env), expect=("TimeoutError",)))
        return out

    def s_to_race(self, ctx):
        """Another task cancels a task inside a with_timeout (at about its
        expiry), or the task cancels itself / its child cancels it there."""
        r = self.r
        self.spend(10)
        out = []
        y = r.random()
        if y < 0.2:
            return self.to_blocker(ctx)
        if y < 0.7:
            name = r.choice(["to_v1", "to_v2"])
            self.dedicated(name, [("who", "who")], lambda c: self.make_to_victim(c, name))
            T, d = self.to_info[name]
            t = self.fresh("t")
            out.append({"create_task": name, "args": [self.fresh("w")], "as": t})
            ctx.env[t] = "task"
            base = T if T is not None else d
            S = r.choice([base, base, base, d, 0, 0.5, 1])
            if r.random() < 0.3:
                out.append({"sleep": 0})     # the victim's timer is scheduled first
            how = r.random()
            if how < 0.6:
                if r.random() < 0.85:
                    out.append({"sleep": S})
                c = self.fresh("c")
                out += [{"cancel": t, "as": c}, self.p(ctx, "cancel->{%s}" % c)]
                ctx.env[c] = "val"
                if r.random() < 0.2:
                    out.append({"cancel": t})
            elif how < 0.85:
                out.append(self.wrap_try(ctx, [{"wait_for": t, "timeout": S}], force_cancel=True,
                                         env=dict(ctx.env), expect=("TimeoutError",)))
            else:
                self.dedicated("to_killer", [("who", "who"), ("tk", "task")], self.make_to_killer)
                out.append({"create_task": "to_killer", "args": [self.fresh("w"), {"var": t}]})
            rv = self.fresh("r")
            sub = ctx.sub(bind=(rv, "val"))
            out.append(self.wrap_try(ctx, [{"await": t, "as": rv}, self.p(sub, "victim->{%s}" % rv)],
                                     force_cancel=True, env=dict(ctx.env), expect=("TimeoutError",)))
            return out
        self.objects.setdefault("qbox", "Queue")
        self.dedicated("boxer", [], self.make_boxer)
        self.dedicated("to_self", [("who", "who"), ("box", "box")], self.make_to_self)
        tb = self.fresh("tb")
        ctx.env[tb] = "box"
        t = self.fresh("t")
        out = [{"create_task": "boxer", "as": tb},
               {"create_task": "to_self", "args": [self.fresh("w"), {"var": tb}], "as": t},
               {"put": "qbox", "value": {"var": t}}]
        ctx.env[t] = "task"
        if r.random() < 0.6:
            rv = self.fresh("r")
            sub = ctx.sub(bind=(rv, "val"))
            out.append(self.wrap_try(ctx, [{"await": t, "as": rv}, self.p(sub, "to_self->{%s}" % rv)],
                                     force_cancel=True, env=dict(ctx.env), expect=("TimeoutError",)))
        return out

    # -- asyncio.shield (only when self.sh switched it on) -------------------
    def sh_aw(self, ctx, d=None):
        """What a shield awaits: a task variable, a call of a helper, a sleep."""
        s = self.sh
        x = s.random()
        ts = ctx.vars_of("task")
        if x < 0.35 and ts:
            return s.choice(ts)
        hs = self.callable_helpers(ctx)
        if x < 0.7 and hs:
            j = s.choice(hs)
            if self.spend(self.helpers[j]["cost"] + 2):
                aw = {"call": self.helpers[j]["name"]}
                args = self.args_for(ctx, j)
                if args or s.random() < 0.2:
                    aw["args"] = args
                return aw
        return {"sleep": d if d is not None else s.choice(SH_DUR)}

    def s_shield(self, ctx):
        """x = await asyncio.shield(aw), in one of several settings."""
        s = self.sh
        self.spend(2)
        x = s.random()
        if ctx.ci >= 1000 or ctx.depth >= 3:
            x = 0.6 + 0.4 * x          # no new tasks or dedicated coroutines there
        if x < 0.35:
            return self.sh_race(ctx)
        if x < 0.47:
            return self.sh_wait_for(ctx)
        if x < 0.6:
            return self.sh_group(ctx)
        if x < 0.72:
            return self.sh_timeout(ctx)
        if x < 0.82:
            return self.sh_nontask(ctx)
        return self.sh_plain(ctx)

    def sh_plain(self, ctx, aw=None, wrap=True):
        s = self.sh
        env0 = dict(ctx.env)
        st = {"shield": aw if aw is not None else self.sh_aw(ctx)}
        out = [st]
        if s.random() < 0.6:
            v = self.fresh("r")
            st["as"] = v
            ctx.env[v] = "aval"
            out.append(self.p(ctx, "shield->{%s}" % v))
        if isinstance(st["shield"], str) and s.random() < 0.15:
            out.insert(0, {"shield": st["shield"]})      # the same task shielded twice
        if wrap and s.random() < (0.85 if ctx.ci < 0 and not ctx.protected else 0.55):
            out = [self.wrap_try(ctx, out, force_cancel=True, env=env0)]
        return out

    def sh_nontask(self, ctx):
        """asyncio.shield of an int, None, a list, ...: TypeError.  (Only a
        parameter or an awaited result may hold one: check refuses set_var.)"""
        s = self.sh
        av = ctx.vars_of("aval")
        if av and s.random() < 0.25:
            body = [{"shield": s.choice(av)}, self.p(ctx, "shielded a value?")]
            e = self.fresh("e")
            sub = ctx.sub(bind=(e, "exc"))
            return [{"try": body, "except": [{"error": s.choice(["TypeError", "Exception", "BaseException"]),
                                              "as": e, "body": [self.p(sub, "shield refused: {%s}" % e)]}]}]
        raw = s.random() < 0.4

        def make(c):
            body = [{"shield": "x", "as": "sx"}, {"print": "sh_bad {who} shielded {sx}"}]
            if raw:
                return body
            cl = {"error": s.choice(["TypeError", "TypeError", "Exception", "BaseException"]),
                  "as": "e", "body": [{"print": "sh_bad {who} refused: {e}"}]}
            if s.random() < 0.3:
                cl["body"].append({"return": "refused {who}"})
            return [{"try": body, "except": [cl]}, {"return": "sh_bad {who}"}]
        name = self.dedicated("sh_bad_raw" if raw else "sh_bad", [("who", "who"), ("x", "task")], make)
        val = s.choice([3, None, [1, "a"], [], "txt", 1.5, True, -1, 0])
        st = {"call": name, "args": [self.fresh("w"), val]}
        if raw or s.random() < 0.3:
            e = self.fresh("e")
            sub = ctx.sub(bind=(e, "exc"))
            return [{"try": [st], "except": [{"error": s.choice(["TypeError", "TypeError", "Exception"]),
                                              "as": e, "body": [self.p(sub, "shield refused: {%s}" % e)]}]}]
        return [st]

    def sh_inner(self, ctx_unused=None):
        """A dedicated coroutine to shield (made once per name, with a fixed
        sleep, recorded in sh_info so that others can tie with it): it
        returns, raises, or catches its own cancellation."""
        s = self.sh
        name = s.choice(["sh_in1", "sh_in2", "sh_in3", "sh_in4"])

        def make(ctx):
            d = s.choice([0, 0.5, 1, 1, 1, 2, 0.25])
            self.sh_info[name] = d
            w = s.choice([{"sleep": d}, {"sleep": d}, {"io": d, "label": "inner io"}])
            core = [self.p(ctx, "inner start"), w, self.p(ctx, "inner slept")]
            y = s.random()
            if y < 0.3:
                core.append({"raise": s.choice(RAISE[:10]), "message": "inner {who} failed"})
            elif y < 0.4:
                core.append({"raise": "CancelledError"})
            if s.random() < 0.3:
                cb = [self.p(ctx, "inner cancelled")]
                z = s.random()
                if z < 0.3:
                    cb.append({"raise": "CancelledError"})
                elif z < 0.5:
                    cb.append({"return": "inner {who} swallowed"})
                elif z < 0.7:
                    cb.append({"sleep": s.choice([0, 0.5])})
                core = [{"try": core, "except": [{"error": "CancelledError", "body": cb}]}]
            if s.random() < 0.2:
                core += self.stmts(ctx.sub(), 1)
            return core + [{"return": s.choice(["inner {who}", 7, None, [1, "{who}"]])}]
        self.dedicated(name, [("who", "who")], make)
        return name

    def sh_waiter(self, inner):
        """A dedicated coroutine that awaits a shield of its task tk (sh_wt) or
        of a call of inner (sh_wc_...), and handles the CancelledError."""
        s = self.sh
        by_call = inner is not None
        name = "sh_wc_" + inner if by_call else "sh_wt"

        def make(ctx):
            aw = {"call": inner, "args": [{"var": "who"}]} if by_call else "tk"
            core = [self.p(ctx, "waiter start"), {"shield": aw, "as": "wr"},
                    {"print": "waiter {who} got {wr}"}]
            cb = [self.p(ctx, "waiter cancelled")]
            z = s.random()
            if z < 0.2:
                cb.append({"raise": "CancelledError"})
            elif z < 0.35:
                cb.append({"return": "waiter {who} swallowed"})
            elif z < 0.5:
                cb += [{"sleep": s.choice([0, 0.5, 1])}, self.p(ctx, "waiter still here")]
            elif z < 0.7 and not by_call:
                cb.append({"try": [{"await": "tk", "as": "late"}, {"print": "waiter {who} late {late}"}],
                           "except": [{"error": "BaseException", "as": "le",
                                       "body": [{"print": "waiter {who} late failed {le}"}]}]})
            clauses = [{"error": s.choice(["CancelledError", "CancelledError", "BaseException"]),
                        "body": cb}]
            if s.random() < 0.5:
                clauses.append({"error": s.choice(["Exception", "ValueError", "KeyError"]), "as": "we",
                                "body": [{"print": "waiter {who} saw {we}"}]})
            if s.random() < 0.3:
                clauses.reverse()
            st = {"try": core, "except": clauses}
            if s.random() < 0.25:
                st["finally"] = [self.p(ctx, "waiter finally")]
            return [st, {"return": "waiter {who}"}]
        self.dedicated(name, [("who", "who")] + ([] if by_call else [("tk", "task")]), make)
        return name

    def sh_killer(self):
        s = self.sh

        def make(ctx):
            k = s.choice([0, 0.5, 1, 1, 2])
            self.sh_info["sh_killer"] = k
            return [{"sleep": k}, {"cancel": "tk", "as": "kc"},
                    {"print": "sh killer {who}: {kc}"}, {"return": "killed"}]
        return self.dedicated("sh_killer", [("who", "who"), ("tk", "task")], make)

    def sh_fail(self):
        s = self.sh

        def make(ctx):
            f = s.choice([0, 0.5, 1, 1, 2, 0.25])
            self.sh_info["sh_fail"] = f
            return [{"sleep": f}, {"raise": s.choice(["ValueError", "KeyError", "OSError"]),
                                   "message": "sh fail {who}"}]
        return self.dedicated("sh_fail", [("who", "who")], make)

    def sh_ties(self, d):
        s = self.sh
        return s.choice([d, d, d, 0, 0.5, 1, d + 0.5 if d is not None else 2])

    def sh_race(self, ctx):
        """A task (or several) awaits a shield of an inner task; the waiter or
        the inner task is cancelled by main or a killer task at about the
        moment the inner task ends; a shield of itself; of a done task."""
        s = self.sh
        self.spend(12)
        if s.random() < 0.08:
            return self.sh_self(ctx)
        inner = self.sh_inner()
        d = self.sh_info[inner]
        out = []
        t = None
        if s.random() < 0.75:
            t = self.fresh("t")
            out.append({"create_task": inner, "args": [self.fresh("w")], "as": t})
            ctx.env[t] = "task"
            if s.random() < 0.15:     # done before it is shielded
                out.append({"try": [{"await": t}], "except": [
                    {"error": "BaseException", "body": [self.p(ctx, "inner ended")]}]})
        if s.random() < 0.3:
            out.append({"sleep": 0})
        waiters = []
        for _ in range(s.choice([1, 1, 2, 3]) if t else 1):
            wv = self.fresh("t")
            if t:
                out.append({"create_task": self.sh_waiter(None), "args": [self.fresh("w"), {"var": t}],
                            "as": wv})
            else:
                out.append({"create_task": self.sh_waiter(inner), "args": [self.fresh("w")], "as": wv})
            ctx.env[wv] = "task"
            waiters.append(wv)
        S = self.sh_ties(d)
        y = s.random()
        if y < 0.4:
            if s.random() < 0.85:
                out.append({"sleep": S})
            for wv in (waiters if s.random() < 0.3 else [s.choice(waiters)]):
                c = self.fresh("c")
                out += [{"cancel": wv, "as": c}, self.p(ctx, "cancel waiter->{%s}" % c)]
                ctx.env[c] = "val"
            if s.random() < 0.15:
                out.append({"cancel": waiters[0]})
        elif y < 0.55 and t:
            if s.random() < 0.85:
                out.append({"sleep": S})
            c = self.fresh("c")
            out += [{"cancel": t, "as": c}, self.p(ctx, "cancel inner->{%s}" % c)]
            ctx.env[c] = "val"
        elif y < 0.7:
            out.append({"create_task": self.sh_killer(),
                        "args": [self.fresh("w"), {"var": t if t and s.random() < 0.4 else s.choice(waiters)}]})
        elif y < 0.85:
            out.append(self.wrap_try(ctx, [{"wait_for": s.choice(waiters), "timeout": S}], force_cancel=True,
                                     env=dict(ctx.env), expect=("TimeoutError",)))
        if s.random() < 0.3:
            gv = self.fresh("g")
            sub = ctx.sub(bind=(gv, "list"))
            out.append(self.wrap_try(ctx, [{"gather": list(waiters), "return_exceptions": s.random() < 0.7,
                                            "as": gv}, self.p(sub, "waiters {%s}" % gv)],
                                     force_cancel=True, env=dict(ctx.env)))
        else:
            for wv in waiters[:s.choice([1, len(waiters)])]:
                rv = self.fresh("r")
                sub = ctx.sub(bind=(rv, "val"))
                out.append(self.wrap_try(ctx, [{"await": wv, "as": rv}, self.p(sub, "waiter->{%s}" % rv)],
                                         force_cancel=True, env=dict(ctx.env)))
        if t and s.random() < 0.6:
            rv = self.fresh("r")
            sub = ctx.sub(bind=(rv, "val"))
            how = {"await": t, "as": rv} if s.random() < 0.5 else {"shield": t, "as": rv}
            if s.random() < 0.3:
                out.append({"sleep": s.choice([0, 0.5, 1, 2])})
            out.append(self.wrap_try(ctx, [how, self.p(sub, "inner->{%s}" % rv)],
                                     force_cancel=True, env=dict(ctx.env)))
        return out

    def sh_self(self, ctx):
        """A task that awaits a shield of itself, until main cancels it."""
        s = self.sh
        self.objects.setdefault("qbox", "Queue")
        self.dedicated("boxer", [], self.make_boxer)

        def make(ctx2):
            cb = [self.p(ctx2, "self-shield cancelled")]
            if s.random() < 0.4:
                cb.append({"raise": "CancelledError"})
            return [self.p(ctx2, "start"), {"await": "box", "as": "me"},
                    {"try": [{"shield": "me", "as": "sr"}, {"print": "self-shield {sr}"}],
                     "except": [{"error": "CancelledError", "body": cb}]},
                    {"return": "self-shield {who}"}]
        self.dedicated("sh_selfie", [("who", "who"), ("box", "box")], make)
        tb = self.fresh("tb")
        ctx.env[tb] = "box"
        t = self.fresh("t")
        out = [{"create_task": "boxer", "as": tb},
               {"create_task": "sh_selfie", "args": [self.fresh("w"), {"var": tb}], "as": t},
               {"put": "qbox", "value": {"var": t}}, {"sleep": s.choice([0, 0, 0.5, 1])}]
        ctx.env[t] = "task"
        if s.random() < 0.8:
            out.append({"cancel": t})
        rv = self.fresh("r")
        sub = ctx.sub(bind=(rv, "val"))
        out.append(self.wrap_try(ctx, [{"await": t, "as": rv}, self.p(sub, "selfie->{%s}" % rv)],
                                 force_cancel=True, env=dict(ctx.env)))
        return out

    def sh_wait_for(self, ctx):
        """wait_for of a coroutine that shields: on the timeout wait_for
        cancels that coroutine's task, and the shielded work runs on."""
        s = self.sh
        self.spend(10)
        out = []
        y = s.random()
        t = None
        if y < 0.5:
            inner = self.sh_inner()
            d = self.sh_info[inner]
            t = self.fresh("t")
            out.append({"create_task": inner, "args": [self.fresh("w")], "as": t})
            ctx.env[t] = "task"

            def make(c):
                return [self.p(c, "sh_wf start"), {"shield": "tk", "as": "r"},
                        {"print": "sh_wf {who} got {r}"}, {"return": {"var": "r"}}]
            self.dedicated("sh_wf", [("who", "who"), ("tk", "task")], make)
            aw = {"call": "sh_wf", "args": [self.fresh("w"), {"var": t}]}
        elif y < 0.75:
            inner = self.sh_inner()
            d = self.sh_info[inner]
            aw = {"call": self.sh_waiter(inner), "args": [self.fresh("w")]}
        else:
            def make(c):
                d2 = s.choice([0, 0.5, 1, 1, 2])
                self.sh_info["sh_wfs"] = d2
                return [{"shield": {"sleep": d2}, "as": "r"}, self.p(c, "sh_wfs slept"),
                        {"return": "sh_wfs {who}"}]
            self.dedicated("sh_wfs", [("who", "who")], make)
            d = self.sh_info["sh_wfs"]
            aw = {"call": "sh_wfs", "args": [self.fresh("w")]}
        T = s.choice([d, d, d, 0, 0.5, 1, None])
        rv = self.fresh("r")
        sub = ctx.sub(bind=(rv, "val"))
        out.append(self.wrap_try(ctx, [{"wait_for": aw, "timeout": T, "as": rv},
                                       self.p(sub, "sh wait_for->{%s}" % rv)],
                                 force_cancel=True, env=dict(ctx.env), expect=("TimeoutError",)))
        if s.random() < 0.5:
            out.append({"sleep": s.choice([0, 0.5, 1, 2])})
        if t and s.random() < 0.6:
            rv = self.fresh("r")
            sub = ctx.sub(bind=(rv, "val"))
            out.append(self.wrap_try(ctx, [{"await": t, "as": rv}, self.p(sub, "ran on->{%s}" % rv)],
                                     force_cancel=True, env=dict(ctx.env)))
        return out

    def sh_timeout(self, ctx):
        """A shield inside async with asyncio.timeout(T), T often tied with
        the shielded sleep."""
        s = self.sh
        env0 = dict(ctx.env)
        d = s.choice(SH_DUR)
        sub = ctx.sub()
        aw = self.sh_aw(sub, d)
        inner = self.sh_plain(sub, aw, wrap=False)
        if s.random() < 0.3:
            cb = [self.p(sub, "shield timed out")]
            z = s.random()
            if z < 0.4:
                cb.append({"raise": "CancelledError"})
            elif z < 0.6:
                cb.append({"sleep": s.choice([0, 0.5])})
            inner = [{"try": inner, "except": [{"error": s.choice(["CancelledError", "BaseException"]),
                                                "body": cb}]}]
        if s.random() < 0.3:
            inner.insert(0, self.p(sub, "in timeout"))
        T = self.sh_ties(d) if isinstance(aw, dict) and "sleep" in aw else s.choice(TO_SECS)
        out = [{"with_timeout": T, "body": inner}]
        if s.random() < 0.5:
            out.append(self.p(ctx, "after shield timeout"))
        if s.random() < (0.9 if ctx.ci < 0 and not ctx.protected else 0.6):
            out = [self.wrap_try(ctx, out, force_cancel=s.random() < 0.5, env=env0,
                                 expect=("TimeoutError",))]
        if isinstance(aw, str) and s.random() < 0.4:      # the task ran on
            out.append(self.wrap_try(ctx, [{"await": aw}, self.p(ctx, "ran on")], force_cancel=True,
                                     env=dict(ctx.env)))
        return out

    def sh_group(self, ctx):
        """Shields in TaskGroups: a child awaiting a shield that a failing
        sibling cancels; the body shielding a group task, a call or a sleep."""
        s = self.sh
        self.spend(12)
        g = self.fresh("tg")
        sub = ctx.sub()
        sub.groups.append(g)
        inner = self.sh_inner()
        d = self.sh_info[inner]
        out = []
        body = []
        y = s.random()
        t = None
        if y < 0.45:
            t = self.fresh("t")
            out.append({"create_task": inner, "args": [self.fresh("w")], "as": t})
            ctx.env[t] = "task"
            sub.env[t] = "task"
            for _ in range(s.choice([1, 1, 2])):
                body.append({"create_task": self.sh_waiter(None), "args": [self.fresh("w"), {"var": t}],
                             "group": g})
        elif y < 0.75:
            t2 = self.fresh("t")
            body.append({"create_task": inner, "args": [self.fresh("w")], "group": g, "as": t2})
            sub.env[t2] = "task"
            body += self.sh_plain(sub, t2, wrap=False)
        else:
            body.append({"create_task": self.sh_waiter(inner), "args": [self.fresh("w")], "group": g})
            body += self.sh_plain(sub, s.choice([{"call": inner, "args": [self.fresh("w")]},
                                                 {"sleep": d}]), wrap=False)
        if s.random() < 0.7:
            body.insert(s.randint(0, len(body)), {"create_task": self.sh_fail(), "args": [self.fresh("w")],
                                                  "group": g})
        if s.random() < 0.3:
            body.append({"sleep": s.choice([0, 0.5, 1])})
        st = {"task_group": g, "body": body}
        picks = s.sample(["ExceptionGroup", "BaseExceptionGroup", "CancelledError", "BaseException",
                          "Exception"], s.choice([1, 1, 2]))
        clauses = []
        for e in picks:
            cl, csub = self.clause(ctx, e, 0.7)
            cl["body"] = [self.p(csub, "sh group " + e + (" {%s}" % cl["as"] if "as" in cl else ""))]
            clauses.append(cl)
        out.append({"try": [st, self.p(ctx, "after " + g)], "except": clauses})
        if t and s.random() < 0.7:
            rv = self.fresh("r")
            sub2 = ctx.sub(bind=(rv, "val"))
            out.append(self.wrap_try(ctx, [{"await": t, "as": rv}, self.p(sub2, "ran on->{%s}" % rv)],
                                     force_cancel=True, env=dict(ctx.env)))
        return out

    # -- asyncio.as_completed (only when self.ac switched it on) -------------
    def s_ascomp(self, ctx):
        """for _ in asyncio.as_completed([...], timeout=T): x = await _; body --
        in one of several settings."""
        a = self.ac
        self.spend(2)
        x = a.random()
        if ctx.ci >= 1000 or ctx.depth >= 3:
            x = 0.5 + 0.5 * x          # no new tasks or iterating coroutines there
        if x < 0.25:
            return self.ac_race(ctx)
        if x < 0.35:
            return self.ac_wait_for(ctx)
        if x < 0.5:
            return self.ac_group(ctx)
        if x < 0.62:
            return self.ac_timeout(ctx)
        if x < 0.7:
            return self.ac_nontask(ctx)
        return self.ac_plain(ctx)

    def ac_job(self):
        """A dedicated coroutine for as_completed's items (made once per name,
        with a fixed sleep recorded in ac_info, so that timeouts, other items
        and cancels can tie with it): it returns, raises, or catches its own
        cancellation."""
        a = self.ac
        name = a.choice(["ac_j1", "ac_j2", "ac_j3", "ac_j4"])

        def make(ctx):
            d = a.choice(AC_DUR)
            self.ac_info[name] = d
            w = a.choice([{"sleep": d}, {"sleep": d}, {"io": d, "label": "job io"}])
            core = [self.p(ctx, "job start"), w]
            y = a.random()
            if y < 0.3:
                core.append({"raise": a.choice(RAISE[:10]), "message": "job {who} failed"})
            elif y < 0.37:
                core.append({"raise": "CancelledError"})
            if a.random() < 0.25:
                cb = [self.p(ctx, "job cancelled")]
                z = a.random()
                if z < 0.35:
                    cb.append({"raise": "CancelledError"})
                elif z < 0.6:
                    cb.append({"return": "job {who} swallowed"})
                elif z < 0.8:
                    cb.append({"sleep": a.choice([0, 0.5])})
                core = [{"try": core, "except": [{"error": "CancelledError", "body": cb}]}]
            return core + [{"return": a.choice(["job {who}", 7, None, [1, "{who}"], "{who}"])}]
        self.dedicated(name, [("who", "who")], make)
        return name

    def ac_items(self, ctx, d=None, fresh=True, settle=True):
        """-> (pre, items, durs, tvars): the items of an as_completed (task
        variables, calls, sleeps), the statements that make its new tasks
        just before it (nothing awaits in between, so they are pending), the
        known sleeps of the items (to tie with), the task variables listed.

        Up to three tasks made earlier are listed (maybe twice, maybe
        awaited to their end just before): tasks already done at the first
        next() put their _on_completion calls into the ready queue in the
        order of CPython's set(fs) -- their addresses; loopscope and the
        harness (since 235ab3f) use argument order, a known difference."""
        a = self.ac
        pre, items, durs, tvars = [], [], [], []
        olds = ctx.vars_of("task")
        if self.x_nontask and ctx.vars_of("aval") and a.random() < 0.1:
            olds = ctx.vars_of("aval")
        nold = a.choice([1, 1, 2, 3])
        new_ok = fresh and ctx.ci < 1000 and ctx.depth < 5
        for _ in range(a.choice([0, 1, 1, 2, 2, 3, 3, 3, 4])):
            y = a.random()
            if y < 0.2 and olds and nold > 0:
                nold -= 1
                old = a.choice(olds)
                items.append(old)
                tvars.append(old)
                if a.random() < 0.15:
                    items.append(old)                       # the same task twice
                if settle and a.random() < 0.2 and old in ctx.vars_of("task"):
                    pre.insert(0, {"try": [{"await": old}], "except": [      # done already
                        {"error": "BaseException", "body": [self.p(ctx, "old task ended")]}]})
            elif y < 0.42 and new_ok:
                name = self.ac_job()
                if not self.spend(4):
                    items.append({"sleep": a.choice(AC_DUR)})
                    durs.append(items[-1]["sleep"])
                    continue
                tv = self.fresh("t")
                pre.append({"create_task": name, "args": [self.fresh("w")], "as": tv})
                ctx.env[tv] = "task"
                items.append(tv)
                tvars.append(tv)
                durs.append(self.ac_info.get(name, 1))
                if a.random() < 0.12:
                    pre.append({"cancel": tv})                # cancelled before it starts
                if a.random() < 0.1:
                    items.append(tv)
            elif y < 0.6 and new_ok:
                name = self.ac_job()
                self.spend(4)
                items.append({"call": name, "args": [self.fresh("w")]})
                durs.append(self.ac_info.get(name, 1))
            elif y < 0.72 and self.callable_helpers(ctx):
                j = a.choice(self.callable_helpers(ctx))
                if self.spend(self.helpers[j]["cost"] + 2):
                    aw = {"call": self.helpers[j]["name"]}
                    args = self.args_for(ctx, j)
                    if args or a.random() < 0.2:
                        aw["args"] = args
                    items.append(aw)
            else:
                s = d if d is not None and a.random() < 0.5 else a.choice(AC_DUR)
                items.append({"sleep": s})
                durs.append(s)
        if len(items) > 1 and a.random() < 0.3:
            a.shuffle(items)
        return pre, items, durs, tvars

    def ac_secs(self, durs, st=None):
        """A timeout: tied with an item's sleep (the as_completed's timer was
        scheduled first), 0, None, shorter, longer, or none at all."""
        a = self.ac
        y = a.random()
        if y < 0.3:
            return
        if y < 0.6 and durs:
            T = a.choice(durs)
        elif y < 0.68:
            T = 0
        elif y < 0.78:
            T = None
        else:
            T = a.choice([0.25, 0.5, 0.5, 1, 1, 1.5, 3])
        if st is not None:
            st["timeout"] = T
        return T

    def ac_body(self, sub, tvars, rv, durs):
        """The loop's body: print the result, sleep (the results queue up),
        raise, return, cancel one of the listed tasks, a nested as_completed,
        gather, shield or with_timeout, random statements, nothing."""
        a = self.ac
        r = self.r
        body = []
        if rv and a.random() < 0.8:
            body.append(self.p(sub, "ac got {%s}" % rv))
        elif a.random() < 0.4:
            body.append(self.p(sub, "ac turn"))
        y = a.random()
        if y < 0.2:
            body.append({"sleep": a.choice(AC_DUR + durs)})
        elif y < 0.28:
            body.append({"raise": a.choice(RAISE), "message": "ac body"})
        elif y < 0.36:
            body.append({"return": self.value(sub)})
        elif y < 0.5 and tvars:
            c = self.fresh("c")
            body += [{"cancel": a.choice(tvars), "as": c}, {"print": "ac cancel -> {%s}" % c}]
            sub.env[c] = "val"
            if a.random() < 0.4:
                body.append({"sleep": a.choice([0, 0.5])})
        elif y < 0.6 and sub.depth < 4:
            body += self.ac_plain(sub, wrap=a.random() < 0.5)
        elif y < 0.66:
            body.append({"gather": [{"sleep": a.choice(AC_DUR)} for _ in range(a.choice([0, 1, 2]))]})
        elif y < 0.71:
            body.append({"shield": {"sleep": a.choice(AC_DUR + durs)}})
        elif y < 0.78:
            body.append({"with_timeout": a.choice([0, 0.5, 1, None] + durs),
                         "body": [{"sleep": a.choice(AC_DUR)}, self.p(sub, "ac inner timeout")]})
        elif y < 0.88 and sub.depth < 5:
            body += self.stmts(sub, r.randint(1, 2))
        return body

    def ac_plain(self, ctx, wrap=True, d=None):
        a = self.ac
        env0 = dict(ctx.env)
        pre, items, durs, tvars = self.ac_items(ctx, d)
        st = {"as_completed": items}
        rv = None
        if a.random() < 0.75:
            rv = self.fresh("r")
            st["as"] = rv
        self.ac_secs(durs + ([d] if d is not None else []), st)
        sub = ctx.sub(bind=(rv, "aval") if rv else None)
        st["body"] = self.ac_body(sub, tvars, rv, durs)
        core = [st]
        if a.random() < 0.5:
            core.append(self.p(ctx, "after as_completed"))
        if wrap and a.random() < (0.9 if ctx.ci < 0 and not ctx.protected else 0.6):
            core = [self.wrap_try(ctx, core, force_cancel=a.random() < 0.5, env=dict(ctx.env),
                                  expect=("TimeoutError",) if a.random() < 0.7 else ())]
        out = pre + core
        if tvars and ctx.ci < 1000 and a.random() < 0.3:     # what became of a listed task
            t = a.choice(tvars)
            rv2 = self.fresh("r")
            sub2 = ctx.sub(bind=(rv2, "val"))
            out.append(self.wrap_try(ctx, [{"await": t, "as": rv2}, self.p(sub2, "listed->{%s}" % rv2)],
                                     force_cancel=True, env=dict(ctx.env)))
        del env0
        return out

    def ac_iter(self, with_params=False):
        """A dedicated coroutine that iterates an as_completed (its items'
        sleeps recorded in ac_info), and handles a CancelledError there."""
        a = self.ac
        name = "ac_itp" if with_params else a.choice(["ac_it1", "ac_it2"])

        def make(ctx):
            items, durs = [], []
            if with_params:
                items += ["ta", "tb"]
            for _ in range(a.choice([1, 2, 2, 3]) - (1 if with_params else 0)):
                if a.random() < 0.6:
                    j = self.ac_job()
                    items.append({"call": j, "args": [{"var": "who"}]})
                    durs.append(self.ac_info.get(j, 1))
                else:
                    s = a.choice(AC_DUR)
                    items.append({"sleep": s})
                    durs.append(s)
            if a.random() < 0.2:
                a.shuffle(items)
            st = {"as_completed": items, "as": "ir"}
            self.ac_secs(durs, st)
            sub = ctx.sub(bind=("ir", "aval"))
            body = [{"print": "it {who} got {ir}"}]
            y = a.random()
            if y < 0.3:
                body.append({"sleep": a.choice(AC_DUR)})
            elif y < 0.4:
                body.append({"return": "it {who} first {ir}"})
            elif y < 0.5 and with_params:
                body.append({"cancel": a.choice(["ta", "tb"])})
            elif y < 0.58:
                body += self.stmts(sub, 1)
            st["body"] = body
            self.ac_info[name] = durs
            cb = [self.p(ctx, "it cancelled")]
            z = a.random()
            if z < 0.35:
                cb.append({"raise": "CancelledError"})
            elif z < 0.5:
                cb.append({"return": "it {who} swallowed"})
            elif z < 0.7:
                cb += [{"sleep": a.choice([0, 0.5, 1])}, self.p(ctx, "it still here")]
            clauses = [{"error": a.choice(["CancelledError", "CancelledError", "BaseException"]), "body": cb}]
            if a.random() < 0.6:
                clauses.append({"error": a.choice(["TimeoutError", "Exception", "ValueError"]), "as": "ie",
                                "body": [{"print": "it {who} saw {ie}"}]})
            if a.random() < 0.3:
                clauses.reverse()
            tr = {"try": [self.p(ctx, "it start"), st, self.p(ctx, "it loop done")], "except": clauses}
            if a.random() < 0.2:
                tr["finally"] = [self.p(ctx, "it finally")]
            return [tr, {"return": "it {who}"}]
        self.dedicated(name, [("who", "who")] + ([("ta", "task"), ("tb", "task")] if with_params else []),
                       make)
        return name

    def ac_killer(self, k, nz):
        """cancel(tk) after sleep(k) and nz sleep(0)s: with k tied with an
        item's end, the cancel comes as the task ends, after its
        _on_completion, or after the loop's task woke."""
        name = "ac_kill_%d_%d" % (round(k * 100), nz)

        def make(ctx):
            return [{"sleep": k}] + [{"sleep": 0}] * nz + [
                {"cancel": "tk", "as": "kc"}, {"print": "ac killer {who}: {kc}"}, {"return": "killed"}]
        return self.dedicated(name, [("who", "who"), ("tk", "task")], make)

    def ac_race(self, ctx):
        """A task iterating an as_completed, cancelled by main, a killer task
        or a wait_for at about the moment an item ends (ties with its sleep,
        then 0 to 3 sleep(0)s: before, between and after the item's
        _on_completion and the iterating task's wakeup)."""
        a = self.ac
        self.spend(14)
        out = []
        args = [self.fresh("w")]
        durs0 = []
        if a.random() < 0.3:
            it = self.ac_iter(True)
            for k in range(2):                 # its two task parameters, made just before it
                j = self.ac_job()
                tv = self.fresh("t")
                out.append({"create_task": j, "args": [self.fresh("w")], "as": tv})
                ctx.env[tv] = "task"
                args.append({"var": tv})
                durs0.append(self.ac_info.get(j, 1))
            if a.random() < 0.2:
                out.append({"cancel": args[1 + a.randint(0, 1)]["var"]})   # one only (see ac_items)
        else:
            it = self.ac_iter()
        durs = durs0 + list(self.ac_info.get(it, []))
        t = self.fresh("t")
        out.append({"create_task": it, "args": args, "as": t})
        ctx.env[t] = "task"
        S = a.choice(durs + durs + [0, 0.5, 1]) if durs else a.choice([0, 0.5, 1])
        nz = a.choice([0, 0, 1, 2, 2, 3])
        y = a.random()
        if y < 0.45:
            if a.random() < 0.9:
                out.append({"sleep": S})
            out += [{"sleep": 0}] * nz
            c = self.fresh("c")
            out += [{"cancel": t, "as": c}, self.p(ctx, "cancel it->{%s}" % c)]
            ctx.env[c] = "val"
            if a.random() < 0.15:
                out.append({"cancel": t})
        elif y < 0.75:
            out.append({"create_task": self.ac_killer(S, nz), "args": [self.fresh("w"), {"var": t}]})
        elif y < 0.9:
            out.append(self.wrap_try(ctx, [{"wait_for": t, "timeout": S}], force_cancel=True,
                                     env=dict(ctx.env), expect=("TimeoutError",)))
        rv = self.fresh("r")
        sub = ctx.sub(bind=(rv, "val"))
        if a.random() < 0.2:
            out.append({"sleep": a.choice([0, 0.5, 1, 2])})
        out.append(self.wrap_try(ctx, [{"await": t, "as": rv}, self.p(sub, "it->{%s}" % rv)],
                                 force_cancel=True, env=dict(ctx.env)))
        for v in args[1:]:
            if a.random() < 0.4:
                rv = self.fresh("r")
                sub = ctx.sub(bind=(rv, "val"))
                out.append(self.wrap_try(ctx, [{"await": v["var"], "as": rv}, self.p(sub, "param->{%s}" % rv)],
                                         force_cancel=True, env=dict(ctx.env)))
        return out

    def ac_wait_for(self, ctx):
        """wait_for of a coroutine that iterates an as_completed, its timeout
        tied with an item's end: wait_for cancels it in the loop."""
        a = self.ac
        self.spend(12)
        it = self.ac_iter()
        durs = self.ac_info.get(it, [])
        T = a.choice(durs + durs + [0, 0.5, 1, None]) if durs else a.choice([0, 0.5, 1, None])
        rv = self.fresh("r")
        sub = ctx.sub(bind=(rv, "val"))
        out = [self.wrap_try(ctx, [{"wait_for": {"call": it, "args": [self.fresh("w")]}, "timeout": T, "as": rv},
                                   self.p(sub, "ac wait_for->{%s}" % rv)],
                             force_cancel=True, env=dict(ctx.env), expect=("TimeoutError",))]
        if a.random() < 0.4:
            out.append({"sleep": a.choice([0, 0.5, 1, 2])})    # the items' tasks run on
        return out

    def ac_fail(self):
        a = self.ac

        def make(ctx):
            f = a.choice([0, 0.5, 1, 1, 2, 0.25])
            self.ac_info["ac_fail"] = f
            return [{"sleep": f}, {"raise": a.choice(["ValueError", "KeyError", "OSError"]),
                                   "message": "ac fail {who}"}]
        return self.dedicated("ac_fail", [("who", "who")], make)

    def ac_group(self, ctx):
        """as_completed in a TaskGroup: the body iterating group tasks (and
        calls, sleeps), or a child iterating while a sibling fails."""
        a = self.ac
        self.spend(12)
        g = self.fresh("tg")
        sub = ctx.sub()
        sub.groups.append(g)
        body = []
        if a.random() < 0.6:
            tvs = []
            for _ in range(a.choice([1, 2, 2, 3])):
                tv = self.fresh("t")
                body.append({"create_task": self.ac_job(), "args": [self.fresh("w")], "group": g, "as": tv})
                sub.env[tv] = "task"
                tvs.append(tv)
            if a.random() < 0.5:
                body.append({"create_task": self.ac_fail(), "args": [self.fresh("w")], "group": g})
            pre, items, durs, tv2 = self.ac_items(sub, settle=False)   # (tvs must stay pending)
            body += pre
            items = tvs + items
            if len(items) > 1 and a.random() < 0.4:
                a.shuffle(items)
            st = {"as_completed": items, "as": self.fresh("r")}
            self.ac_secs(durs + [self.ac_info.get(n["create_task"], 1) for n in body
                                 if n.get("create_task", "").startswith("ac_j")], st)
            bsub = sub.sub(bind=(st["as"], "aval"))
            st["body"] = self.ac_body(bsub, tvs + tv2, st["as"], durs)
            body.append(st)
        else:
            it = self.ac_iter()
            body.append({"create_task": it, "args": [self.fresh("w")], "group": g})
            if a.random() < 0.8:
                body.append({"create_task": self.ac_fail(), "args": [self.fresh("w")], "group": g})
            if a.random() < 0.4:
                body.append({"sleep": a.choice([0, 0.5, 1])})
        if a.random() < 0.4:
            body.append(self.p(sub, "ac group body end"))
        st = {"task_group": g, "body": body}
        picks = a.sample(["ExceptionGroup", "BaseExceptionGroup", "CancelledError", "BaseException",
                          "Exception", "TimeoutError"], a.choice([1, 1, 2]))
        clauses = []
        for e in picks:
            cl, csub = self.clause(ctx, e, 0.7)
            cl["body"] = [self.p(csub, "ac group " + e + (" {%s}" % cl["as"] if "as" in cl else ""))]
            clauses.append(cl)
        return [{"try": [st, self.p(ctx, "after " + g)], "except": clauses}]

    def ac_timeout(self, ctx):
        """An as_completed inside async with asyncio.timeout(T), T tied with an
        item's end or with the as_completed's own timeout."""
        a = self.ac
        env0 = dict(ctx.env)
        sub = ctx.sub()
        pre, items, durs, tvars = self.ac_items(sub)
        st = {"as_completed": items}
        rv = None
        if a.random() < 0.7:
            rv = self.fresh("r")
            st["as"] = rv
        own = self.ac_secs(durs, st)
        bsub = sub.sub(bind=(rv, "aval") if rv else None)
        st["body"] = self.ac_body(bsub, tvars, rv, durs)
        inner = [st]
        if a.random() < 0.3:
            cb = [self.p(sub, "ac timed out")]
            z = a.random()
            if z < 0.4:
                cb.append({"raise": "CancelledError"})
            elif z < 0.6:
                cb.append({"sleep": a.choice([0, 0.5])})
            inner = [{"try": inner, "except": [{"error": a.choice(["CancelledError", "BaseException"]),
                                                "body": cb}]}]
        if a.random() < 0.3:
            inner.insert(0, self.p(sub, "in timeout"))
        T = a.choice(durs + durs + ([own] if own is not None else []) + [0, 0.5, 1, None])
        out = pre + [{"with_timeout": T, "body": inner}]
        if a.random() < 0.5:
            out.append(self.p(ctx, "after ac timeout"))
        if a.random() < (0.9 if ctx.ci < 0 and not ctx.protected else 0.6):
            out = [self.wrap_try(ctx, out, force_cancel=a.random() < 0.5, env=env0,
                                 expect=("TimeoutError",))]
        return out

    def ac_nontask(self, ctx):
        """as_completed of an int, None, a list, ... (a parameter: check
        refuses a set_var variable there, or an awaited value): TypeError at
        the first next(); a list before any task is made (set(fs)), the
        others after the items before it became tasks."""
        a = self.ac
        av = ctx.vars_of("aval")
        if av and a.random() < 0.25:
            items = [a.choice(av)]
            if a.random() < 0.5:
                items.insert(a.randint(0, 1), {"sleep": a.choice(AC_DUR)})
            body = [{"as_completed": items, "body": [self.p(ctx, "ac of a value?")]}]
            e = self.fresh("e")
            sub = ctx.sub(bind=(e, "exc"))
            return [{"try": body, "except": [{"error": a.choice(["TypeError", "Exception", "BaseException"]),
                                              "as": e, "body": [self.p(sub, "ac refused: {%s}" % e)]}]}]
        raw = a.random() < 0.4

        def make(c):
            items = ["x"]
            for _ in range(a.choice([0, 1, 2])):
                items.insert(a.randint(0, len(items)), {"sleep": a.choice(AC_DUR)})
            body = [{"as_completed": items, "as": "ax", "body": [{"print": "ac_bad {who} got {ax}"}]},
                    {"print": "ac_bad {who} looped"}]
            if raw:
                return body
            cl = {"error": a.choice(["TypeError", "TypeError", "Exception", "BaseException"]),
                  "as": "e", "body": [{"print": "ac_bad {who} refused: {e}"}]}
            if a.random() < 0.3:
                cl["body"].append({"return": "refused {who}"})
            return [{"try": body, "except": [cl]}, {"return": "ac_bad {who}"}]
        name = self.dedicated("ac_bad_raw" if raw else "ac_bad", [("who", "who"), ("x", "task")], make)
        val = a.choice([3, None, [1, "a"], [], "txt", 1.5, True, -1, 0])
        st = {"call": name, "args": [self.fresh("w"), val]}
        if raw or a.random() < 0.3:
            e = self.fresh("e")
            sub = ctx.sub(bind=(e, "exc"))
            return [{"try": [st], "except": [{"error": a.choice(["TypeError", "TypeError", "Exception"]),
                                              "as": e, "body": [self.p(sub, "ac refused: {%s}" % e)]}]}]
        return [st]

    # -- the swarm (its own random stream, self.zr) -----------------------
    def swarm(self):
        """Coroutines and main statements for 60-200 tasks in a repeat."""
        z = self.zr
        d = [0.5, 1, 1, 1.5, 2]
        sl = z.choice(d)                   # the sleepers' time ...
        t = sl if z.random() < 0.7 else z.choice(d)  # ... often wait_for's timeout too
        job = z.choice([x for x in d if x < t] or d) if z.random() < 0.8 else z.choice(d)
        cors = {
            "sw_job": [{"sleep": job}, {"return": 1}],
            "sw_wf": [{"try": [{"wait_for": {"call": "sw_job"}, "timeout": t, "as": "swr"}],
                       "except": [{"error": "TimeoutError", "body": [{"print": "sw timeout"}]}]}],
            "sw_sl": [{"sleep": sl}],
            "sw_fail": [{"sleep": z.choice(d)}, {"raise": "ValueError", "message": "sw"}],
        }
        if self.tr and self.tr.random() < 0.5:   # asyncio.timeout in place of wait_for
            cors["sw_wf"] = [{"try": [{"with_timeout": t, "body": [{"call": "sw_job", "as": "swr"}]}],
                              "except": [{"error": "TimeoutError", "body": [{"print": "sw timeout"}]}]}]
        if self.sh and self.sh.random() < 0.3:   # the job shielded (it runs on after the timeout)
            cors["sw_shj"] = [{"shield": {"call": "sw_job"}, "as": "x"}, {"return": {"var": "x"}}]
            cors["sw_wf"][0]["try"][0] = {"wait_for": {"call": "sw_shj"}, "timeout": t, "as": "swr"} \
                if self.sh.random() < 0.7 else {"with_timeout": t, "body": [{"call": "sw_shj", "as": "swr"}]}
        if self.ac and self.ac.random() < 0.3:   # as_completed([job], timeout=t) in place of wait_for
            cors["sw_wf"][0]["try"][0] = {"as_completed": [{"call": "sw_job"}], "timeout": t, "as": "swr",
                                          "body": []}
        if z.random() < 0.3:                # (more live timers: often no sweep)
            cors["sw_wf"].append({"sleep": z.choice(d)})
        body = []
        if z.random() < 0.8:              # a live timer scheduled first, to tie with
            body += [{"create_task": "sw_sl", "as": "sw_t"}, {"sleep": 0}]
        body.append({"repeat": z.randint(60, 200), "body": [{"create_task": "sw_wf"}]})
        if z.random() < 0.5:
            body.append({"try": [{"task_group": "sw_g", "body": [
                {"repeat": z.randint(30, 120), "body": [{"create_task": "sw_sl", "group": "sw_g"}]},
                {"create_task": "sw_fail", "group": "sw_g"}]}],
                "except": [{"error": "ExceptionGroup", "body": [{"print": "sw group failed"}]}]})
        if "sw_t" in [st.get("as") for st in body] and z.random() < 0.5:
            body += [{"sleep": z.choice([0, 0.5, 1])}, {"cancel": "sw_t"}]
        if z.random() < 0.7:
            body.append({"sleep": z.choice(d + [3])})
        body.append({"print": "sw done"})
        return cors, body

    # -- whole program -----------------------------------------------------
    def helper(self, j):
        r = self.r
        params = [("who", "val")]
        if r.random() < 0.3:
            params.append(("arg", "val"))
        later_has_task_param = False
        if r.random() < 0.25:
            params.append(("victim", "task"))
        name = "h%d" % j
        self.helpers_pending = (j, name, params)
        env = {p: ("who" if p == "who" else k) for p, k in params}
        ctx = Ctx(self, j, env)
        before = self.cost_left
        self.cost_left = 80       # local budget for the body
        body = []
        fs = self.dur()
        if r.random() < 0.6:
            body.append({"sleep": fs})
        n = r.randint(1, 5)
        body += self.stmts(ctx, n)
        if ("victim", "task") in params and r.random() < 0.7:
            body.insert(r.randint(0, len(body)), {"cancel": "victim"})
        if r.random() < 0.6:
            body.append({"return": self.value(ctx)})
        cost = 80 - self.cost_left + 2
        self.cost_left = before
        return {"name": name, "params": params, "cost": cost, "body": body,
                "first_sleep": fs}

    def program(self):
        r = self.r
        for j in reversed(range(self.nhelpers)):
            self.helpers[j] = self.helper(j)
        ctx = Ctx(self, -1, {})
        self.cost_left = MAX_COST
        body = []
        if self.x_misc and self.xr.random() < 0.5:
            # an empty coroutine (exported as `pass`), called and started
            self.extra_cors["noop"] = [] if self.xr.random() < 0.5 else {"params": [], "body": []}
            body += [{"call": "noop", "args": [], "as": "nr"}, {"print": "noop gave {nr}"},
                     {"create_task": "noop", "as": "tnoop"}]
            ctx.env["tnoop"] = "task"
            ctx.env["nr"] = "val"
        if self.tr and self.tr.random() < 0.5:
            body += self.s_timeout(ctx)         # one early in main, where most runs get
        if self.sh and self.sh.random() < 0.5:
            body += self.s_shield(ctx)          # (the same for a shield)
        if self.ac and self.ac.random() < 0.5:
            body += self.s_ascomp(ctx)          # (and for as_completed)
        body += self.stmts(ctx, r.randint(4, 10))
        if self.zr:
            sw_cors, sw_body = self.swarm()
            self.extra_cors.update(sw_cors)
            at = self.zr.randint(0, len(body))
            body[at:at] = sw_body
        # main often joins everything it started at the end
        ts = ctx.vars_of("task")
        if ts and r.random() < 0.5:
            g = {"gather": r.sample(ts, min(len(ts), 3)), "return_exceptions": True, "as": "final"}
            body.append(g)
            body.append({"print": "main final {final}"})
        if r.random() < 0.3:
            body.append({"sleep": r.choice([0, 1, 3])})
        body.append({"print": "main end"})
        if self.catch_main:
            body = [{"try": body, "except": [{"error": "BaseException", "as": "main_exc", "body": [
                {"set_var": "main_l", "value": [{"var": "main_exc"}]},
                {"print": "main caught {main_l}"}]}]},
                {"sleep": 0}, {"print": "main really ends"}]
        cors = {}
        for j in range(self.nhelpers):
            h = self.helpers[j]
            cors[h["name"]] = {"params": [p for p, _ in h["params"]], "body": h["body"]}
        for n, c in self.extra_cors.items():
            cors[n] = c
        cors[self.main_name] = body
        out = {"title": "diff seed %s" % self.seed}
        if self.x_misc:
            out["title"] = self.xr.choice(TITLE_TEXT) % self.seed
            if self.xr.random() < 0.6:
                out["about"] = self.xr.choice(["About: {x} \u00e9", "two\nlines\n", "cr\rhere",
                                               "tab\tand \\ back", "ls\u2028ps\u2029",
                                               "\"\"\" triple", "# hash", "nel\u0085x"])
        if self.main_name != "main":
            out["main"] = self.main_name
        if self.objects:
            out["objects"] = self.objects
        out["coroutines"] = cors
        return out


def has_key(x, key):
    if isinstance(x, dict):
        return key in x or any(has_key(v, key) for v in x.values())
    if isinstance(x, list):
        return any(has_key(v, key) for v in x)
    return False


def blocks(body, d=0):
    """The deepest nesting of CPython's compiler blocks (fblocks: a for, an
    async with, a try, an except handler and its cleanup, a finally) in a
    body, as loopscope exports it.  CPython refuses to compile more than 20
    ("too many statically nested blocks"); loopscope's limit is 32 levels of
    bodies, so it runs such a program.  (Matches compile() on 150 random
    nestings of try/except/finally, for, async with.)"""
    m = d
    for st in body:
        if not isinstance(st, dict):
            continue
        if "try" in st:
            both = "except" in st and "finally" in st
            m = max(m, blocks(st["try"], d + (2 if both else 1)))
            for cl in st.get("except", []):
                m = max(m, blocks(cl["body"], d + (3 if both else 2)))
            if "finally" in st:
                m = max(m, blocks(st["finally"], d + 1))
        elif any(k in st for k in ("repeat", "with", "with_timeout", "task_group", "as_completed")):
            m = max(m, blocks(st["body"], d + 1))
    return m


def generate(seed, catch_main=False):
    """-> (program, gen).  An as_completed can be made and then dropped (in
    the except clauses that wrap_try leaves out), having used the main stream
    all the same: a program that ends up without one is made again with the
    sixth stream off, so that it is the same as before the stream was added.
    So is one that the sixth stream nested deeper than CPython compiles
    (blocks() > 20; the other streams can do that too, rarely, and are left
    as they were)."""
    gen = Gen(seed, catch_main)
    prog = gen.program()
    too_deep = any(blocks(c["body"] if isinstance(c, dict) else c) > 20
                   for c in prog["coroutines"].values())
    if gen.ac and (too_deep or not has_key(prog["coroutines"], "as_completed")):
        gen = Gen(seed, catch_main)
        gen.ac = None
        prog = gen.program()
    return prog, gen


def main():
    argv = sys.argv[1:]
    catch = "--catch-main" in argv
    argv = [a for a in argv if a != "--catch-main"]
    if len(argv) != 2:
        sys.stderr.write("usage: gen.py [--catch-main] SEED OUT.json\n")
        return 2
    seed = int(argv[0])
    prog, gen = generate(seed, catch)
    with open(argv[1], "w", encoding="utf-8") as f:
        json.dump(prog, f, indent=1, ensure_ascii=gen.ascii_json)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
