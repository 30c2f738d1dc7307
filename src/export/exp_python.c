/* exp_python.c -- a Program as the Python asyncio program it stands for.
 *
 * The one place that knows how each scenario verb is spelled in Python:
 *
 *   print        print(f"...")              sleep   await asyncio.sleep(d)
 *   block        time.sleep(d)              io      await io_read(d, f"label")
 *   call         x = await c(args)          await   x = await t
 *   create_task  t = asyncio.create_task(c(args), name=f"n")  (tg.create_task in a group)
 *   gather       xs = await asyncio.gather(a, b, return_exceptions=True)
 *   wait_for     x = await asyncio.wait_for(aw, timeout=d)
 *   cancel       x = t.cancel()             return / raise E(f"msg")
 *   try          try: / except E as e: / finally:
 *   wait/set/clear  await ev.wait() / ev.set() / ev.clear()
 *   with         async with lock:           put/get  await q.put(v) / x = await q.get()
 *   task_done / join   q.task_done() / await q.join()
 *   repeat       for i in range(n):         task_group  async with asyncio.TaskGroup() as tg:
 *   set_var      x = value                  with_timeout  async with asyncio.timeout(d):
 *
 * `io_read` is a coroutine that awaits asyncio.sleep: awaiting a coroutine
 * runs it inline, so its scheduling is exactly a sleep's (one timer, one
 * future), which is what the core does for {"io": ...}. Objects (Event,
 * Lock, Semaphore, Queue) are module globals, created before asyncio.run;
 * since 3.10 they bind to the running loop on first use. Durations print
 * as the shortest float that rounds back to the same nanosecond count.
 *
 * Names need no mangling: the loader only accepts identifiers that are not
 * Python keywords nor the names this file uses (asyncio, time, print,
 * io_read, range).
 *
 * Depends on: program.h, core.h (float_repr), out.h.  Used by: main.c, ui.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "export.h"
#include "mem.h" /* every allocation can be made to fail in tests (tests/oom) */
#include "obuf.h"
#include "out.h"
#include "printable.h" /* which characters repr() escapes: so do the literals */

typedef struct Py {
    const Program *p;
    OutBuf b;           /* the program text */
    uint32_t line;      /* the line being written, 1-based */
    uint32_t *stmt_line;
    uint32_t *coro_line;
} Py;

static void put(Py *y, const char *z, size_t n)
{
    obuf_put(&y->b, z, n);
    for (size_t i = 0; i < n && !y->b.oom; i++)
        if (z[i] == '\n')
            y->line++;
}

static void puts_(Py *y, const char *z) { put(y, z, strlen(z)); }

static void indent(Py *y, int depth)
{
    for (int i = 0; i < depth; i++)
        puts_(y, "    ");
}

/* A Python string literal for text; an f-string when it has braces (the
 * template syntax is Python's own: {name}, {{ and }}). Characters that
 * repr() would escape are written as escapes, so the source shows them
 * (U+2028 or U+00A0 written raw look like a line break or a space). */
static void str_lit(Py *y, uint32_t id)
{
    const char *z = prog_s(y->p, id);
    if (strchr(z, '{') || strchr(z, '}'))
        puts_(y, "f");
    puts_(y, "\"");
    for (const unsigned char *c = (const unsigned char *)z; *c;) {
        char esc[16];
        int len = 1;
        uint32_t cp = uni_utf8_decode(c, &len);
        switch (cp) {
        case '\\': puts_(y, "\\\\"); break;
        case '"': puts_(y, "\\\""); break;
        case '\n': puts_(y, "\\n"); break;
        case '\r': puts_(y, "\\r"); break;
        case '\t': puts_(y, "\\t"); break;
        default:
            if (uni_is_printable(cp) && (cp < 0x80 || len > 1)) {
                put(y, (const char *)c, (size_t)len);
            } else {
                uni_escape(cp, esc);
                puts_(y, esc);
            }
        }
        c += len;
    }
    puts_(y, "\"");
}

static void seconds(Py *y, VTime ns)
{
    char b[64];
    if (ns % VTIME_SEC == 0) {
        snprintf(b, sizeof b, "%" PRId64, ns / VTIME_SEC);
    } else {
        float_repr((double)ns / 1e9, b, sizeof b);
    }
    puts_(y, b);
}

/* A timeout argument: seconds, or None (wait_for, with_timeout: Stmt.flag). */
static void timeout_arg(Py *y, const Stmt *s)
{
    if (s->flag)
        puts_(y, "None");
    else
        seconds(y, s->ns);
}

static const char *local(Py *y, uint32_t coro, uint32_t slot)
{
    return prog_local_name(y->p, coro, slot);
}

static void expr(Py *y, uint32_t coro, uint32_t e)
{
    if (e == PROG_NONE) {
        puts_(y, "None");
        return;
    }
    const Expr *x = &y->p->exprs[e];
    char b[64];
    switch (x->kind) {
    case EXPR_NONE: puts_(y, "None"); break;
    case EXPR_BOOL: puts_(y, x->b ? "True" : "False"); break;
    case EXPR_INT:
        snprintf(b, sizeof b, "%" PRId64, x->i);
        puts_(y, b);
        break;
    case EXPR_FLOAT:
        float_repr(x->f, b, sizeof b);
        puts_(y, b);
        break;
    case EXPR_STR: str_lit(y, x->str); break;
    case EXPR_VAR: puts_(y, local(y, coro, x->var)); break;
    case EXPR_LIST:
        puts_(y, "[");
        for (uint32_t i = 0; i < x->count; i++) {
            if (i)
                puts_(y, ", ");
            expr(y, coro, y->p->expr_refs[x->first + i]);
        }
        puts_(y, "]");
        break;
    }
}

static void call(Py *y, uint32_t owner, uint32_t target, uint32_t first, uint32_t n)
{
    puts_(y, prog_s(y->p, y->p->coros[target].name));
    puts_(y, "(");
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            puts_(y, ", ");
        expr(y, owner, y->p->expr_refs[first + i]);
    }
    puts_(y, ")");
}

static void awaitable(Py *y, uint32_t owner, uint32_t a)
{
    const Awaitable *w = &y->p->aws[a];
    switch (w->kind) {
    case AW_TASK: puts_(y, local(y, owner, w->var)); break;
    case AW_CALL: call(y, owner, w->coro, w->args_first, w->nargs); break;
    case AW_SLEEP:
        puts_(y, "asyncio.sleep(");
        seconds(y, w->ns);
        puts_(y, ")");
        break;
    }
}

static const char *exc_py(ExcType t)
{
    return t == EXC_CANCELLED ? "asyncio.CancelledError" : exc_name(t);
}

static void target(Py *y, const Stmt *s)
{
    if (s->as_var != PROG_NONE) {
        puts_(y, local(y, s->coro_owner, s->as_var));
        puts_(y, " = ");
    }
}

static const char *obj(Py *y, const Stmt *s)
{
    return prog_s(y->p, y->p->objects[s->obj].name);
}

/* True when a name the code of coroutine `coro` can see (one of its
 * variables, a coroutine, an object) is `k` underscores. */
static bool underscores_taken(Py *y, uint32_t coro, size_t k)
{
    const Program *p = y->p;
    for (uint32_t i = 0; i < p->coros[coro].nlocals; i++) {
        const char *z = prog_local_name(p, coro, i);
        if (strspn(z, "_") == k && z[k] == '\0')
            return true;
    }
    for (uint32_t i = 0; i < p->ncoros; i++) {
        const char *z = prog_s(p, p->coros[i].name);
        if (strspn(z, "_") == k && z[k] == '\0')
            return true;
    }
    for (uint32_t i = 0; i < p->nobjects; i++) {
        const char *z = prog_s(p, p->objects[i].name);
        if (strspn(z, "_") == k && z[k] == '\0')
            return true;
    }
    return false;
}

/* The loop variable of a repeat without "as": "_", or "__", "___", ... when
 * that name is taken, so the loop neither overwrites a variable of the
 * scenario nor hides a coroutine or an object named "_". */
/* Writes the name of an unnamed loop variable; returns how many underscores it has. */
static size_t loop_var(Py *y, uint32_t coro)
{
    size_t k = 1;
    while (underscores_taken(y, coro, k))
        k++;
    for (size_t i = 0; i < k; i++)
        puts_(y, "_");
    return k;
}

static void block(Py *y, Block b, int depth);

static void stmt(Py *y, uint32_t id, int depth)
{
    const Stmt *s = &y->p->stmts[id];
    uint32_t co = s->coro_owner;
    if (y->stmt_line)
        y->stmt_line[id] = y->line;
    indent(y, depth);
    switch (s->kind) {
    case STMT_PRINT:
        puts_(y, "print(");
        str_lit(y, s->text);
        puts_(y, ")\n");
        break;
    case STMT_SLEEP:
        puts_(y, "await asyncio.sleep(");
        seconds(y, s->ns);
        puts_(y, ")\n");
        break;
    case STMT_BLOCK:
        puts_(y, "time.sleep(");
        seconds(y, s->ns);
        puts_(y, ")  # blocks the whole loop\n");
        break;
    case STMT_IO:
        puts_(y, "await io_read(");
        seconds(y, s->ns);
        if (s->text != PROG_NONE) {
            puts_(y, ", ");
            str_lit(y, s->text);
        }
        puts_(y, ")\n");
        break;
    case STMT_CALL:
        target(y, s);
        puts_(y, "await ");
        call(y, co, s->coro, s->args_first, s->nargs);
        puts_(y, "\n");
        break;
    case STMT_CREATE_TASK:
        target(y, s);
        if (s->group != PROG_NONE) {
            puts_(y, local(y, co, s->group));
            puts_(y, ".create_task(");
        } else {
            puts_(y, "asyncio.create_task(");
        }
        call(y, co, s->coro, s->args_first, s->nargs);
        if (s->name != PROG_NONE) {
            puts_(y, ", name=");
            str_lit(y, s->name);
        }
        puts_(y, ")\n");
        break;
    case STMT_AWAIT:
        target(y, s);
        puts_(y, "await ");
        puts_(y, local(y, co, s->var));
        puts_(y, "\n");
        break;
    case STMT_GATHER:
        target(y, s);
        puts_(y, "await asyncio.gather(");
        for (uint32_t i = 0; i < s->aw_count; i++) {
            if (i)
                puts_(y, ", ");
            awaitable(y, co, s->aw_first + i);
        }
        if (s->flag)
            puts_(y, s->aw_count ? ", return_exceptions=True" : "return_exceptions=True");
        puts_(y, ")\n");
        break;
    case STMT_WAIT_FOR:
        target(y, s);
        puts_(y, "await asyncio.wait_for(");
        awaitable(y, co, s->aw_first);
        puts_(y, ", timeout=");
        timeout_arg(y, s);
        puts_(y, ")\n");
        break;
    case STMT_SHIELD:
        target(y, s);
        puts_(y, "await asyncio.shield(");
        awaitable(y, co, s->aw_first);
        puts_(y, ")\n");
        break;
    case STMT_CANCEL:
        target(y, s);
        puts_(y, local(y, co, s->var));
        puts_(y, ".cancel()\n");
        break;
    case STMT_RETURN:
        puts_(y, "return");
        if (s->expr != PROG_NONE) {
            puts_(y, " ");
            expr(y, co, s->expr);
        }
        puts_(y, "\n");
        break;
    case STMT_RAISE:
        puts_(y, "raise ");
        puts_(y, exc_py(s->exc));
        puts_(y, "(");
        if (s->text != PROG_NONE)
            str_lit(y, s->text);
        puts_(y, ")\n");
        break;
    case STMT_TRY:
        puts_(y, "try:\n");
        block(y, s->body, depth + 1);
        for (uint32_t i = 0; i < s->handlers_count; i++) {
            const Handler *h = &y->p->handlers[s->handlers_first + i];
            indent(y, depth);
            puts_(y, "except");
            if (h->exc != EXC__NONE) {
                puts_(y, " ");
                puts_(y, exc_py(h->exc));
                if (h->as_var != PROG_NONE) {
                    puts_(y, " as ");
                    puts_(y, local(y, co, h->as_var));
                }
            }
            puts_(y, ":\n");
            block(y, h->body, depth + 1);
        }
        if (s->has_finally) {
            indent(y, depth);
            puts_(y, "finally:\n");
            block(y, s->fin, depth + 1);
        }
        break;
    case STMT_WAIT:
        puts_(y, "await ");
        puts_(y, obj(y, s));
        puts_(y, ".wait()\n");
        break;
    case STMT_SET:
        puts_(y, obj(y, s));
        puts_(y, ".set()\n");
        break;
    case STMT_CLEAR:
        puts_(y, obj(y, s));
        puts_(y, ".clear()\n");
        break;
    case STMT_WITH:
        puts_(y, "async with ");
        puts_(y, obj(y, s));
        puts_(y, ":\n");
        block(y, s->body, depth + 1);
        break;
    case STMT_PUT:
        puts_(y, "await ");
        puts_(y, obj(y, s));
        puts_(y, ".put(");
        expr(y, co, s->expr);
        puts_(y, ")\n");
        break;
    case STMT_GET:
        target(y, s);
        puts_(y, "await ");
        puts_(y, obj(y, s));
        puts_(y, ".get()\n");
        break;
    case STMT_TASK_DONE:
        puts_(y, obj(y, s));
        puts_(y, ".task_done()\n");
        break;
    case STMT_JOIN:
        puts_(y, "await ");
        puts_(y, obj(y, s));
        puts_(y, ".join()\n");
        break;
    case STMT_REPEAT: {
        char b[32];
        snprintf(b, sizeof b, "%" PRId64, s->count);
        puts_(y, "for ");
        if (s->as_var != PROG_NONE)
            puts_(y, local(y, co, s->as_var));
        else
            loop_var(y, co);
        puts_(y, " in range(");
        puts_(y, b);
        puts_(y, "):\n");
        block(y, s->body, depth + 1);
        break;
    }
    case STMT_AS_COMPLETED: {
        puts_(y, "for ");
        size_t k = loop_var(y, co); /* the coroutine _wait_for_one() */
        puts_(y, " in asyncio.as_completed([");
        for (uint32_t i = 0; i < s->aw_count; i++) {
            if (i)
                puts_(y, ", ");
            awaitable(y, co, s->aw_first + i);
        }
        puts_(y, "]");
        if (!s->flag) {
            puts_(y, ", timeout=");
            timeout_arg(y, s);
        }
        puts_(y, "):\n");
        indent(y, depth + 1);
        if (s->as_var != PROG_NONE) {
            puts_(y, local(y, co, s->as_var));
            puts_(y, " = ");
        }
        puts_(y, "await ");
        for (size_t i = 0; i < k; i++)
            puts_(y, "_");
        puts_(y, "\n");
        if (s->body.count) /* (the await is a body already) */
            block(y, s->body, depth + 1);
        break;
    }
    case STMT_TASK_GROUP:
        puts_(y, "async with asyncio.TaskGroup() as ");
        puts_(y, local(y, co, s->var));
        puts_(y, ":\n");
        block(y, s->body, depth + 1);
        break;
    case STMT_WITH_TIMEOUT:
        puts_(y, "async with asyncio.timeout(");
        timeout_arg(y, s);
        puts_(y, "):\n");
        block(y, s->body, depth + 1);
        break;
    case STMT_ASSIGN:
        puts_(y, local(y, co, s->as_var));
        puts_(y, " = ");
        expr(y, co, s->expr);
        puts_(y, "\n");
        break;
    case STMT__COUNT:
        puts_(y, "pass\n");
        break;
    }
}

static void block(Py *y, Block b, int depth)
{
    if (b.count == 0) {
        indent(y, depth);
        puts_(y, "pass\n");
        return;
    }
    for (uint32_t i = 0; i < b.count; i++)
        stmt(y, y->p->block_items[b.first + i], depth);
}

/* Text as comment lines, wrapped near 78 columns at spaces. A lone "\r"
 * ends a line in Python source just as "\n" and "\r\n" do, so all three
 * start a new comment line (a title "a\rcode" must not become code). */
static void comment(Py *y, const char *z)
{
    while (*z) {
        size_t len = strcspn(z, "\r\n");
        size_t take = len;
        if (take > 76) {
            take = 76;
            while (take > 20 && z[take] != ' ')
                take--;
            if (z[take] != ' ') {
                /* no space: cut at 76 bytes, but never inside a UTF-8 character */
                take = 76;
                while (take > 1 && ((unsigned char)z[take] & 0xC0) == 0x80)
                    take--;
            }
        }
        puts_(y, take ? "# " : "#");
        put(y, z, take);
        puts_(y, "\n");
        z += take;
        while (*z == ' ')
            z++;
        if (take == len && *z == '\r')
            z += z[1] == '\n' ? 2 : 1;
        else if (take == len && *z == '\n')
            z++;
    }
}

char *exp_python_source(const Program *p, uint32_t **stmt_line, uint32_t **coro_line)
{
    Py y = {.p = p, .line = 1};
    if (stmt_line)
        *stmt_line = NULL;
    if (coro_line)
        *coro_line = NULL;
    y.stmt_line = mem_calloc(p->nstmts ? p->nstmts : 1, sizeof *y.stmt_line);
    y.coro_line = mem_calloc(p->ncoros ? p->ncoros : 1, sizeof *y.coro_line);
    if (!y.stmt_line || !y.coro_line)
        goto oom;

    if (p->title != PROG_NONE) {
        comment(&y, prog_s(p, p->title));
        puts_(&y, "#\n");
    }
    if (p->about != PROG_NONE) {
        comment(&y, prog_s(p, p->about));
        puts_(&y, "#\n");
    }
    bool io = false, blocks = false;
    for (uint32_t i = 0; i < p->nstmts; i++) {
        io |= p->stmts[i].kind == STMT_IO;
        blocks |= p->stmts[i].kind == STMT_BLOCK;
    }
    puts_(&y, "# Exported by loopscope: the scenario as a real asyncio program.\n"
              "import asyncio\n");
    if (blocks)
        puts_(&y, "import time\n");
    if (io)
        puts_(&y, "\n\n"
                  "async def io_read(seconds, label=\"\"):\n"
                  "    # A network read that completes after `seconds`: awaiting it is\n"
                  "    # awaiting one timer, exactly as loopscope's {\"io\": ...} does.\n"
                  "    await asyncio.sleep(seconds)\n");
    if (p->nobjects)
        puts_(&y, "\n\n");
    for (uint32_t i = 0; i < p->nobjects; i++) {
        const Object *o = &p->objects[i];
        char b[64];
        puts_(&y, prog_s(p, o->name));
        switch (o->kind) {
        case OBJ_EVENT: puts_(&y, " = asyncio.Event()\n"); break;
        case OBJ_LOCK: puts_(&y, " = asyncio.Lock()\n"); break;
        case OBJ_SEMAPHORE:
            snprintf(b, sizeof b, " = asyncio.Semaphore(%" PRId64 ")\n", o->value);
            puts_(&y, b);
            break;
        case OBJ_QUEUE:
            if (o->value)
                snprintf(b, sizeof b, " = asyncio.Queue(maxsize=%" PRId64 ")\n", o->value);
            else
                snprintf(b, sizeof b, " = asyncio.Queue()\n");
            puts_(&y, b);
            break;
        }
    }
    for (uint32_t c = 0; c < p->ncoros; c++) {
        const Coro *k = &p->coros[c];
        puts_(&y, "\n\n");
        y.coro_line[c] = y.line;
        puts_(&y, "async def ");
        puts_(&y, prog_s(p, k->name));
        puts_(&y, "(");
        for (uint32_t i = 0; i < k->nparams; i++) {
            if (i)
                puts_(&y, ", ");
            puts_(&y, prog_local_name(p, c, i));
        }
        puts_(&y, "):\n");
        block(&y, k->body, 1);
    }
    puts_(&y, "\n\nif __name__ == \"__main__\":\n    asyncio.run(");
    puts_(&y, prog_s(p, p->coros[p->main].name));
    puts_(&y, "())\n");
    if (y.b.oom)
        goto oom;
    if (stmt_line)
        *stmt_line = y.stmt_line;
    else
        free(y.stmt_line);
    if (coro_line)
        *coro_line = y.coro_line;
    else
        free(y.coro_line);
    return y.b.p;
oom:
    free(y.b.p);
    free(y.stmt_line);
    free(y.coro_line);
    return NULL;
}

int exp_python_write(const Program *p, const char *path, const char *scenario_path,
                     char *err, size_t errn)
{
    char *src = exp_python_source(p, NULL, NULL);
    int rc = out_save(path, scenario_path, src, src ? strlen(src) : 0, err, errn);
    free(src);
    return rc;
}
