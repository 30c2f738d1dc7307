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

Things deliberately NOT generated (known, documented differences): printing a
task or a TaskGroup variable.
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

    def sub(self, protected=None):
        c = Ctx(self.gen, self.ci, self.env, self.depth + 1, self.groups, self.locks)
        c.protected = self.protected if protected is None else protected
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
            self.objects["sem"] = r.choice(["Semaphore", {"Semaphore": r.choice([0, 1, 2, 2, 3])}])
        if r.random() < 0.6:
            self.objects["q"] = r.choice(["Queue", {"Queue": {}},
                                          {"Queue": {"maxsize": r.choice([0, 1, 1, 2, 3])}}])
        if r.random() < 0.2:
            self.objects["q2"] = {"Queue": {"maxsize": 1}}
        self.cost_left = MAX_COST
        self.main_puts = {}

    # -- names -----------------------------------------------------------
    def fresh(self, prefix):
        self.nvar += 1
        return "%s%d" % (prefix, self.nvar)

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
        vs = ctx.vars_of("val", "exc", "list", "who")
        for _ in range(r.choice([0, 1, 1, 2])):
            if vs:
                parts.append("{%s}" % r.choice(vs))
        if not parts:
            parts.append(r.choice(["x", "ok", "done", "{{lit}}", "it's \"q\""]))
        return " ".join(parts)

    def value(self, ctx, depth=0):
        r = self.r
        c = r.random()
        vs = ctx.vars_of("val", "exc", "list", "who")
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
        return self.r.choice(DUR)

    # -- helpers we may use from coroutine ci -------------------------------
    def callable_helpers(self, ctx):
        out = []
        for j, h in self.helpers.items():
            if j <= ctx.ci:
                continue
            if any(k == "task" for _, k in h["params"]) and not ctx.vars_of("task"):
                continue
            out.append(j)
        return out

    def args_for(self, ctx, j):
        args = []
        for pname, kind in self.helpers[j]["params"]:
            if kind == "task":
                args.append({"var": self.r.choice(ctx.vars_of("task"))})
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
        ts = ctx.vars_of("task")
        hs = self.callable_helpers(ctx)
        if c < 0.3 and ts:
            return r.choice(ts)
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
        return "main" if ci < 0 else "h%d" % ci

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
            cl = {"error": e}
            sub = ctx.sub()
            if r.random() < 0.75:
                ev = self.fresh("e")
                cl["as"] = ev
                sub.env[ev] = "exc"
            cbody = [self.p(sub, "caught " + e)]
            x = r.random()
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
            if r.random() < 0.07:
                fin.append({"return": self.value(sub)})
            st["finally"] = fin
        return st

    def stmt(self, ctx):
        r = self.r
        hs = self.callable_helpers(ctx)
        ts = ctx.vars_of("task")
        kinds = [("print", 8), ("sleep", 10), ("io", 2), ("block", 1),
                 ("call", 6 if hs else 0), ("create_task", 10 if hs else 0),
                 ("await", 6 if ts else 0), ("gather", 6), ("wait_for", 6),
                 ("cancel", 6 if ts else 0), ("raise", 2), ("try", 6 if ctx.depth < 4 else 0),
                 ("event", 4 if self.objs("Event") else 0),
                 ("with", 3 if (self.objs("Lock") or self.objs("Semaphore")) and ctx.depth < 4 else 0),
                 ("queue", 6 if self.objs("Queue") else 0),
                 ("repeat", 3 if ctx.depth < 3 else 0),
                 ("task_group", 4 if ctx.depth < 4 and hs else 0),
                 ("set_var", 2), ("return", 1),
                 ("race", 6 if hs else 0)]
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

    def s_await(self, ctx):
        t = self.r.choice(ctx.vars_of("task"))
        st = {"await": t}
        env0 = dict(ctx.env)
        out = [st]
        if self.maybe_as(st, ctx, "val", "r"):
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
        env0 = dict(ctx.env)
        out = [st]
        if self.maybe_as(st, ctx, "val", "r"):
            out.append(self.p(ctx, "wait_for->{%s}" % st["as"]))
        if r.random() < 0.85:
            out = [self.wrap_try(ctx, out, force_cancel=True, env=env0,
                                 expect=("TimeoutError",))]
        return out

    def s_cancel(self, ctx):
        st = {"cancel": self.r.choice(ctx.vars_of("task"))}
        out = [st]
        if self.maybe_as(st, ctx, "val", "c", 0.6):
            out.append(self.p(ctx, "cancel->{%s}" % st["as"]))
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
        q = r.choice(self.objs("Queue"))
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
            sub = ctx.sub()
            sub.env[rv] = "val"
            out.append(self.wrap_try(ctx, [w, self.p(sub, "raced->{%s}" % rv)], force_cancel=True,
                                     env=dict(ctx.env), expect=("TimeoutError",)))
        else:
            g = {"gather": [t, {"sleep": d}] + ([self.call_aw(ctx)] if r.random() < 0.5 else []),
                 "return_exceptions": r.random() < 0.5}
            gv = self.fresh("g")
            g["as"] = gv
            sub = ctx.sub()
            sub.env[gv] = "list"
            if r.random() < 0.4:
                out.append({"sleep": r.choice([0, d])})
            out.append(self.wrap_try(ctx, [g, self.p(sub, "gathered {%s}" % gv)], force_cancel=True,
                                     env=dict(ctx.env)))
        return out

    def stmts(self, ctx, n):
        out = []
        for _ in range(n):
            out += self.stmt(ctx)
        return out

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
        body = self.stmts(ctx, r.randint(4, 10))
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
        cors["main"] = body
        out = {"title": "diff seed %s" % self.seed}
        if self.objects:
            out["objects"] = self.objects
        out["coroutines"] = cors
        return out


def main():
    argv = sys.argv[1:]
    catch = "--catch-main" in argv
    argv = [a for a in argv if a != "--catch-main"]
    if len(argv) != 2:
        sys.stderr.write("usage: gen.py [--catch-main] SEED OUT.json\n")
        return 2
    seed = int(argv[0])
    prog = Gen(seed, catch).program()
    with open(argv[1], "w") as f:
        json.dump(prog, f, indent=1)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
