/* test_scenario.c -- the scenario loader (src/scenario) on in-memory texts.
 *
 * What is pinned here: the example lowers to the right statement
 * kinds, lines, slots, awaitables and objects; every class of error gives
 * its message at the right line:col and JSON path; positions stay right
 * deep in the tree, after multi-byte characters, CRLF line ends and a BOM;
 * the diagnostics cap; file errors; and, when built with
 * -DLOOPSCOPE_FAILALLOC, that every allocation failure is reported as
 * "out of memory" and never crashes or leaks (run it under `make asan`).
 *
 * Expected positions are computed from the test text itself by pos_of(),
 * an independent character count, so the expectations do not repeat the
 * loader's arithmetic. The end-to-end messages are also pinned by the
 * tests/bad corpus.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "mem.h"
#include "scenario.h"
#include "scn_int.h"

/* The example from the issue, verbatim. Lines matter (see the checks). */
static const char example[] =
    "{\n"
    "  \"title\": \"create_task only schedules\",\n"
    "  \"about\": \"Shown in the app and in --stages output.\",\n"
    "  \"main\": \"main\",\n"
    "  \"objects\": {\"ready\": \"Event\", \"lock\": \"Lock\", \"sem\": {\"Semaphore\": 2}, "
    "\"q\": {\"Queue\": {\"maxsize\": 2}}},\n"
    "  \"coroutines\": {\n"
    "    \"fetch\": {\"params\": [\"user\"], \"body\": [\n"
    "      {\"print\": \"fetching {user}\"},\n"
    "      {\"io\": 1.5, \"label\": \"GET /users/{user}\"},\n"
    "      {\"return\": \"data for {user}\"}\n"
    "    ]},\n"
    "    \"main\": [\n"
    "      {\"create_task\": \"fetch\", \"args\": [\"ann\"], \"as\": \"t\", \"name\": "
    "\"fetch-ann\"},\n"
    "      {\"call\": \"fetch\", \"args\": [\"bob\"], \"as\": \"r\"},\n"
    "      {\"gather\": [\"t\", {\"call\": \"fetch\", \"args\": [\"cy\"]}, {\"sleep\": 1}], "
    "\"as\": \"rs\"},\n"
    "      {\"print\": \"{r} / {rs}\"}\n"
    "    ]\n"
    "  }\n"
    "}\n";

/* Line and column (1-based, code points) of the first occurrence of
 * `needle` in `text`, plus `skip` characters. */
static void pos_of(const char *text, const char *needle, size_t skip, uint32_t *line,
                   uint32_t *col)
{
    const char *at = strstr(text, needle);
    *line = 0;
    *col = 0;
    if (!at)
        return;
    at += skip;
    uint32_t l = 1, c = 1;
    for (const char *p = text; p < at; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '\n') {
            l++;
            c = 1;
        } else if ((ch & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

static Program *load(const char *text, Diags *d)
{
    diags_init(d);
    return scn_load_text("t.json", text, strlen(text), d);
}

/* All diagnostics of loading `text`, formatted, one per line. */
static char *load_errors(const char *text)
{
    Diags d;
    Program *p = load(text, &d);
    prog_free(p);
    size_t cap = 16 + d.n * 1024, n = 0;
    char *out = malloc(cap);
    out[0] = '\0';
    for (size_t i = 0; i < d.n; i++) {
        char buf[1024];
        diag_format(&d.items[i], buf, sizeof buf);
        n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? "\n" : "", buf);
    }
    if (p && d.n == 0)
        snprintf(out, cap, "ok");
    diags_free(&d);
    return out;
}

#define CHECK_ERRORS(text, expected)                                                    \
    do {                                                                               \
        char *got_ = load_errors(text);                                                \
        CHECK_EQ_STR(got_, expected);                                                  \
        free(got_);                                                                    \
    } while (0)

/* Loads `text`, expects exactly one diagnostic with message `msg` and path
 * `path`, located at `needle` (+ skip characters) in the text. */
static void check_one(const char *text, const char *needle, size_t skip, const char *path,
                      const char *msg)
{
    Diags d;
    Program *p = load(text, &d);
    CHECK(p == NULL);
    CHECK_EQ_INT(d.n, 1);
    if (d.n >= 1) {
        uint32_t line, col;
        pos_of(text, needle, skip, &line, &col);
        CHECK_EQ_INT(d.items[0].line, line);
        CHECK_EQ_INT(d.items[0].col, col);
        CHECK_EQ_STR(d.items[0].path ? d.items[0].path : "", path);
        CHECK_EQ_STR(d.items[0].msg, msg);
        CHECK_EQ_STR(d.items[0].file, "t.json");
    }
    prog_free(p);
    diags_free(&d);
}

static const Stmt *stmt_of(const Program *p, uint32_t coro, uint32_t i)
{
    const Block *b = &p->coros[coro].body;
    return &p->stmts[p->block_items[b->first + i]];
}

/* ---- the example ------------------------------------------------------- */

void test_scenario_example(void);
void test_scenario_example(void)
{
    Diags d;
    Program *p = load(example, &d);
    CHECK(p != NULL);
    CHECK_EQ_INT(d.n, 0);
    diags_free(&d);
    if (!p)
        return;
    CHECK_EQ_STR(prog_s(p, p->title), "create_task only schedules");
    CHECK_EQ_STR(prog_s(p, p->about), "Shown in the app and in --stages output.");
    CHECK_EQ_INT(p->ncoros, 2);
    CHECK_EQ_INT(p->main, 1);
    CHECK_EQ_STR(prog_s(p, p->coros[0].name), "fetch");
    CHECK_EQ_STR(prog_s(p, p->coros[1].name), "main");
    CHECK_EQ_INT(p->coros[0].line, 7);
    CHECK_EQ_INT(p->coros[0].col, 5);

    /* objects, in document order */
    CHECK_EQ_INT(p->nobjects, 4);
    CHECK_EQ_INT(p->objects[0].kind, OBJ_EVENT);
    CHECK_EQ_INT(p->objects[1].kind, OBJ_LOCK);
    CHECK_EQ_INT(p->objects[2].kind, OBJ_SEMAPHORE);
    CHECK_EQ_INT(p->objects[2].value, 2);
    CHECK_EQ_INT(p->objects[3].kind, OBJ_QUEUE);
    CHECK_EQ_INT(p->objects[3].value, 2);
    CHECK_EQ_STR(prog_s(p, p->objects[3].name), "q");
    CHECK_EQ_INT(prog_find_object(p, "sem"), 2);

    /* locals: params first, then names in order of first appearance */
    CHECK_EQ_INT(p->coros[0].nparams, 1);
    CHECK_EQ_INT(p->coros[0].nlocals, 1);
    CHECK_EQ_STR(prog_local_name(p, 0, 0), "user");
    CHECK_EQ_INT(p->coros[1].nparams, 0);
    CHECK_EQ_INT(p->coros[1].nlocals, 3);
    CHECK_EQ_STR(prog_local_name(p, 1, 0), "t");
    CHECK_EQ_STR(prog_local_name(p, 1, 1), "r");
    CHECK_EQ_STR(prog_local_name(p, 1, 2), "rs");

    /* fetch's statements */
    CHECK_EQ_INT(p->coros[0].body.count, 3);
    const Stmt *s = stmt_of(p, 0, 0);
    CHECK_EQ_INT(s->kind, STMT_PRINT);
    CHECK_EQ_INT(s->line, 8);
    CHECK_EQ_INT(s->col, 7);
    CHECK_EQ_INT(s->coro_owner, 0);
    CHECK_EQ_STR(prog_s(p, s->text), "fetching {user}");
    s = stmt_of(p, 0, 1);
    CHECK_EQ_INT(s->kind, STMT_IO);
    CHECK_EQ_INT(s->line, 9);
    CHECK_EQ_INT(s->ns, 1500000000);
    CHECK_EQ_STR(prog_s(p, s->text), "GET /users/{user}");
    s = stmt_of(p, 0, 2);
    CHECK_EQ_INT(s->kind, STMT_RETURN);
    CHECK_EQ_INT(p->exprs[s->expr].kind, EXPR_STR);
    CHECK_EQ_STR(prog_s(p, p->exprs[s->expr].str), "data for {user}");

    /* main's statements */
    CHECK_EQ_INT(p->coros[1].body.count, 4);
    s = stmt_of(p, 1, 0);
    CHECK_EQ_INT(s->kind, STMT_CREATE_TASK);
    CHECK_EQ_INT(s->line, 13);
    CHECK_EQ_INT(s->col, 7);
    CHECK_EQ_INT(s->coro_owner, 1);
    CHECK_EQ_INT(s->coro, 0);
    CHECK_EQ_INT(s->nargs, 1);
    CHECK_EQ_STR(prog_s(p, p->exprs[p->expr_refs[s->args_first]].str), "ann");
    CHECK_EQ_INT(s->as_var, 0);
    CHECK_EQ_STR(prog_s(p, s->name), "fetch-ann");
    CHECK_EQ_INT(s->group, PROG_NONE);
    s = stmt_of(p, 1, 1);
    CHECK_EQ_INT(s->kind, STMT_CALL);
    CHECK_EQ_INT(s->line, 14);
    CHECK_EQ_INT(s->as_var, 1);
    CHECK_EQ_INT(s->nargs, 1);
    s = stmt_of(p, 1, 2);
    CHECK_EQ_INT(s->kind, STMT_GATHER);
    CHECK_EQ_INT(s->line, 15);
    CHECK_EQ_INT(s->as_var, 2);
    CHECK_EQ_INT(s->aw_count, 3);
    CHECK(!s->flag);
    const Awaitable *a = &p->aws[s->aw_first];
    uint32_t line, col;
    pos_of(example, "[\"t\", {\"call\"", 1, &line, &col);
    CHECK_EQ_INT(a[0].kind, AW_TASK);
    CHECK_EQ_INT(a[0].var, 0);
    CHECK_EQ_INT(a[0].line, line);
    CHECK_EQ_INT(a[0].col, col);
    CHECK_EQ_INT(a[1].kind, AW_CALL);
    CHECK_EQ_INT(a[1].coro, 0);
    CHECK_EQ_INT(a[1].nargs, 1);
    CHECK_EQ_STR(prog_s(p, p->exprs[p->expr_refs[a[1].args_first]].str), "cy");
    CHECK_EQ_INT(a[2].kind, AW_SLEEP);
    CHECK_EQ_INT(a[2].ns, 1000000000);
    s = stmt_of(p, 1, 3);
    CHECK_EQ_INT(s->kind, STMT_PRINT);
    CHECK_EQ_INT(s->line, 16);

    /* statement ids are in document order */
    for (uint32_t i = 0; i < p->nstmts; i++)
        CHECK(i == 0 || p->stmts[i].line >= p->stmts[i - 1].line);
    prog_free(p);
}

/* ---- lowering details -------------------------------------------------- */

void test_scenario_lowering(void);
void test_scenario_lowering(void)
{
    static const char text[] =
        "{\"objects\": {\"lock\": \"Lock\", \"q\": \"Queue\", \"ev\": \"Event\"},\n"
        " \"coroutines\": {\n"
        "  \"job\": {\"params\": [\"a\", \"b\"], \"body\": [{\"return\": [{\"var\": \"b\"}, "
        "[1, 2.5, null, true]]}]},\n"
        "  \"main\": [\n"
        "   {\"print\": \"{i} {e}\"},\n"
        "   {\"task_group\": \"tg\", \"body\": [\n"
        "     {\"create_task\": \"job\", \"args\": [1, \"x\"], \"group\": \"tg\", "
        "\"as\": \"t\"}]},\n"
        "   {\"repeat\": 3, \"as\": \"i\", \"body\": [{\"sleep\": 0}]},\n"
        "   {\"try\": [{\"await\": \"t\", \"as\": \"v\"}],\n"
        "    \"except\": [{\"error\": \"TimeoutError\", \"as\": \"e\", \"body\": [\n"
        "       {\"try\": [], \"except\": [{\"error\": \"KeyError\", \"body\": []}]}]},\n"
        "                {\"error\": \"CancelledError\", \"body\": [{\"raise\": "
        "\"CancelledError\"}]}],\n"
        "    \"finally\": [{\"set_var\": \"n\", \"value\": -7}]},\n"
        "   {\"wait_for\": {\"sleep\": 0.3}, \"timeout\": null, \"as\": \"w\"},\n"
        "   {\"wait_for\": \"t\", \"timeout\": 1e-9},\n"
        "   {\"with\": \"lock\", \"body\": [{\"put\": \"q\", \"value\": {\"var\": \"n\"}}, "
        "{\"get\": \"q\", \"as\": \"g\"}]},\n"
        "   {\"wait\": \"ev\"}, {\"set\": \"ev\"}, {\"clear\": \"ev\"}, {\"task_done\": \"q\"}, "
        "{\"join\": \"q\"},\n"
        "   {\"cancel\": \"t\", \"as\": \"ok\"}, {\"block\": 0.000000001}, "
        "{\"raise\": \"ValueError\", "
        "\"message\": \"bad {n}\"},\n"
        "   {\"gather\": [], \"return_exceptions\": true}\n"
        "  ]}}\n";
    Diags d;
    Program *p = load(text, &d);
    CHECK(p != NULL);
    for (size_t i = 0; i < d.n; i++)
        fprintf(stderr, "unexpected: %s\n", d.items[i].msg);
    diags_free(&d);
    if (!p)
        return;
    /* main's locals: bindings in order of first appearance, bodies included
     * (the uses in the first print do not count) */
    const char *want[] = {"tg", "t", "i", "v", "e", "n", "w", "g", "ok"};
    CHECK_EQ_INT(p->coros[1].nlocals, 9);
    for (uint32_t k = 0; k < 9 && k < p->coros[1].nlocals; k++)
        CHECK_EQ_STR(prog_local_name(p, 1, k), want[k]);
    CHECK_EQ_INT(p->coros[0].nparams, 2);

    /* job returns [b, [1, 2.5, None, True]] */
    const Stmt *s = stmt_of(p, 0, 0);
    const Expr *e = &p->exprs[s->expr];
    CHECK_EQ_INT(e->kind, EXPR_LIST);
    CHECK_EQ_INT(e->count, 2);
    CHECK_EQ_INT(p->exprs[p->expr_refs[e->first]].kind, EXPR_VAR);
    CHECK_EQ_INT(p->exprs[p->expr_refs[e->first]].var, 1);
    const Expr *inner = &p->exprs[p->expr_refs[e->first + 1]];
    CHECK_EQ_INT(inner->kind, EXPR_LIST);
    CHECK_EQ_INT(inner->count, 4);
    CHECK_EQ_INT(p->exprs[p->expr_refs[inner->first]].kind, EXPR_INT);
    CHECK_EQ_INT(p->exprs[p->expr_refs[inner->first]].i, 1);
    CHECK_EQ_INT(p->exprs[p->expr_refs[inner->first + 1]].kind, EXPR_FLOAT);
    CHECK(p->exprs[p->expr_refs[inner->first + 1]].f == 2.5);
    CHECK_EQ_INT(p->exprs[p->expr_refs[inner->first + 2]].kind, EXPR_NONE);
    CHECK_EQ_INT(p->exprs[p->expr_refs[inner->first + 3]].kind, EXPR_BOOL);
    CHECK(p->exprs[p->expr_refs[inner->first + 3]].b);

    /* task_group and its create_task */
    s = stmt_of(p, 1, 1);
    CHECK_EQ_INT(s->kind, STMT_TASK_GROUP);
    CHECK_EQ_INT(s->var, 0);
    CHECK_EQ_INT(s->body.count, 1);
    const Stmt *ct = &p->stmts[p->block_items[s->body.first]];
    CHECK_EQ_INT(ct->kind, STMT_CREATE_TASK);
    CHECK_EQ_INT(ct->group, 0);
    CHECK_EQ_INT(ct->as_var, 1);
    CHECK_EQ_INT(ct->name, PROG_NONE);
    CHECK_EQ_INT(ct->nargs, 2);

    s = stmt_of(p, 1, 2);
    CHECK_EQ_INT(s->kind, STMT_REPEAT);
    CHECK_EQ_INT(s->count, 3);
    CHECK_EQ_INT(s->as_var, 2);
    CHECK_EQ_INT(p->stmts[p->block_items[s->body.first]].ns, 0);

    /* try: two handlers, contiguous, the nested try's handler elsewhere */
    s = stmt_of(p, 1, 3);
    CHECK_EQ_INT(s->kind, STMT_TRY);
    CHECK_EQ_INT(s->handlers_count, 2);
    CHECK(s->has_finally);
    CHECK_EQ_INT(s->fin.count, 1);
    const Handler *h = &p->handlers[s->handlers_first];
    CHECK_EQ_INT(h[0].exc, EXC_TIMEOUT);
    CHECK_EQ_INT(h[0].as_var, 4);
    CHECK_EQ_INT(h[0].line, 10);
    CHECK_EQ_INT(h[1].exc, EXC_CANCELLED);
    CHECK_EQ_INT(h[1].as_var, PROG_NONE);
    CHECK_EQ_INT(h[1].line, 12);
    const Stmt *nested = &p->stmts[p->block_items[h[0].body.first]];
    CHECK_EQ_INT(nested->kind, STMT_TRY);
    CHECK_EQ_INT(nested->handlers_count, 1);
    CHECK_EQ_INT(p->handlers[nested->handlers_first].exc, EXC_KEY);
    CHECK(!nested->has_finally);
    const Stmt *fin = &p->stmts[p->block_items[s->fin.first]];
    CHECK_EQ_INT(fin->kind, STMT_ASSIGN);
    CHECK_EQ_INT(fin->as_var, 5);
    CHECK_EQ_INT(p->exprs[fin->expr].i, -7);

    /* wait_for: timeout None / 1 ns; sleep 0.3 s exactly 300,000,000 ns */
    s = stmt_of(p, 1, 4);
    CHECK_EQ_INT(s->kind, STMT_WAIT_FOR);
    CHECK(s->flag);
    CHECK_EQ_INT(s->aw_count, 1);
    CHECK_EQ_INT(p->aws[s->aw_first].kind, AW_SLEEP);
    CHECK_EQ_INT(p->aws[s->aw_first].ns, 300000000);
    CHECK_EQ_INT(s->as_var, 6);
    s = stmt_of(p, 1, 5);
    CHECK(!s->flag);
    CHECK_EQ_INT(s->ns, 1);
    CHECK_EQ_INT(p->aws[s->aw_first].kind, AW_TASK);
    CHECK_EQ_INT(p->aws[s->aw_first].var, 1);

    s = stmt_of(p, 1, 6);
    CHECK_EQ_INT(s->kind, STMT_WITH);
    CHECK_EQ_INT(s->obj, 0);
    CHECK_EQ_INT(p->stmts[p->block_items[s->body.first]].kind, STMT_PUT);
    CHECK_EQ_INT(p->stmts[p->block_items[s->body.first]].obj, 1);
    CHECK_EQ_INT(p->stmts[p->block_items[s->body.first + 1]].kind, STMT_GET);
    CHECK_EQ_INT(p->stmts[p->block_items[s->body.first + 1]].as_var, 7);

    StmtKind kinds[] = {STMT_WAIT, STMT_SET, STMT_CLEAR, STMT_TASK_DONE, STMT_JOIN,
                        STMT_CANCEL, STMT_BLOCK, STMT_RAISE, STMT_GATHER};
    for (uint32_t k = 0; k < 9; k++)
        CHECK_EQ_INT(stmt_of(p, 1, 7 + k)->kind, kinds[k]);
    CHECK_EQ_INT(stmt_of(p, 1, 7)->obj, 2);
    CHECK_EQ_INT(stmt_of(p, 1, 12)->var, 1);
    CHECK_EQ_INT(stmt_of(p, 1, 12)->as_var, 8);
    CHECK_EQ_INT(stmt_of(p, 1, 13)->ns, 1);
    CHECK_EQ_INT(stmt_of(p, 1, 14)->exc, EXC_VALUE);
    CHECK_EQ_STR(prog_s(p, stmt_of(p, 1, 14)->text), "bad {n}");
    CHECK(stmt_of(p, 1, 15)->flag);
    CHECK_EQ_INT(stmt_of(p, 1, 15)->aw_count, 0);
    prog_free(p);
}

/* ---- one test per error class ------------------------------------------ */

#define MAIN(body) "{\"coroutines\": {\"main\": [" body "]}}"
#define MAIN_OBJS(objs, body) "{\"objects\": " objs ", \"coroutines\": {\"main\": [" body "]}}"

void test_scenario_error_classes(void);
void test_scenario_error_classes(void)
{
    check_one("[1]", "[", 0, "$",
              "expected an object like {\"coroutines\": {\"main\": [...]}} at the top level, "
              "got a list");
    check_one("{\"title\": \"x\", \"coroutines\": {\"main\": []}, \"x\": 1}", "\"x\":", 0, "$.x",
              "unknown key \"x\"; allowed: title, about, main, objects, coroutines");
    check_one("{\"title\": \"x\"}", "{", 0, "$",
              "missing \"coroutines\" (an object mapping each coroutine name to its statements)");
    check_one("{\"coroutines\": {}}", "{}", 0, "$.coroutines",
              "no coroutines are defined; expected at least the main coroutine \"main\"");
    check_one("{\"coroutines\": {\"fetch\": []}}", "{\"fetch", 0, "$.coroutines",
              "main coroutine \"main\" is not defined; defined: fetch");
    check_one("{\"coroutines\": {\"main\": {\"params\": [\"u\"], \"body\": []}}}", "[\"u\"]", 0,
              "$.coroutines.main.params",
              "the main coroutine \"main\" must not take parameters (it is started as "
              "asyncio.run(main())), got 1");
    check_one(MAIN("{\"slep\": 2}"), "\"slep", 0, "$.coroutines.main[0].slep",
              "unknown verb \"slep\"; did you mean \"sleep\"?");
    check_one(MAIN("{\"sleep\": 1, \"print\": \"x\"}"), "\"print", 0,
              "$.coroutines.main[0].print", "statement has two verbs: \"sleep\" and \"print\"");
    check_one(MAIN("{\"as\": \"x\"}"), "{\"as", 0, "$.coroutines.main[0]",
              "statement has no verb; expected one of: print, sleep, block, io, call, "
              "create_task, await, gather, wait_for, shield, as_completed, cancel, return, raise, try, wait, set, "
              "clear, with, put, get, task_done, join, repeat, task_group, set_var, with_timeout");
    check_one(MAIN("{\"print\": 3}"), "3", 0, "$.coroutines.main[0].print",
              "expected a string, got 3");
    check_one(MAIN("{\"sleep\": \"two\"}"), "\"two", 0, "$.coroutines.main[0].sleep",
              "expected a number of seconds >= 0, got \"two\"");
    check_one(MAIN("{\"sleep\": -0.5}"), "-0.5", 0, "$.coroutines.main[0].sleep",
              "expected a number of seconds >= 0, got -0.5");
    check_one(MAIN("{\"io\": 1e12}"), "1e12", 0, "$.coroutines.main[0].io",
              "expected at most 1e9 seconds, got 1e12");
    check_one(MAIN("{\"sleep\": 1e400}"), "1e400", 0, "$.coroutines.main[0].sleep",
              "number 1e400 is too large (it overflows to infinity)");
    check_one(MAIN("{\"call\": \"nope\"}"), "\"nope", 0, "$.coroutines.main[0].call",
              "unknown coroutine \"nope\"; defined: main");
    check_one("{\"coroutines\": {\"f\": {\"params\": [\"user\"], \"body\": []}, \"main\": "
              "[{\"call\": \"f\", \"args\": [1, 2]}]}}",
              "[1, 2]", 0, "$.coroutines.main[0].args", "f() takes 1 argument (user), got 2");
    check_one(MAIN("{\"print\": \"{x}\"}"), "{x}", 0, "$.coroutines.main[0].print",
              "unknown variable \"x\" in coroutine \"main\", which has no variables");
    check_one(MAIN("{\"call\": \"main\", \"as\": \"t\"}, {\"cancel\": \"q\"}"), "\"q", 0,
              "$.coroutines.main[1].cancel",
              "unknown variable \"q\" in coroutine \"main\"; did you mean \"t\"?");
    check_one(MAIN("{\"call\": \"main\", \"as\": \"r\"}, {\"await\": \"r\"}"), "\"r\"}]", 0,
              "$.coroutines.main[1].await",
              "\"r\" holds the result of a call, not a task; await needs a task created with "
              "create_task");
    check_one(MAIN_OBJS("{\"lock\": \"Lock\"}", "{\"wait\": \"lock\"}"),
              "\"lock\"}", 0, "$.coroutines.main[0].wait",
              "\"lock\" is a Lock; wait needs an Event");
    check_one(MAIN_OBJS("{\"lock\": \"Lock\"}", "{\"with\": \"lok\", \"body\": []}"),
              "\"lok", 0, "$.coroutines.main[0].with",
              "unknown object \"lok\"; did you mean \"lock\"?");
    check_one(MAIN("{\"raise\": \"VaueError\"}"), "\"Vaue", 0, "$.coroutines.main[0].raise",
              "unknown exception class \"VaueError\"; did you mean \"ValueError\"?");
    check_one(MAIN("{\"create_task\": \"main\", \"group\": \"g\", \"as\": \"g\"}"), "\"g\",", 0,
              "$.coroutines.main[0].group",
              "\"g\" is not an enclosing task_group; \"group\" must name a {\"task_group\": ...} "
              "whose body contains this create_task");
    check_one(MAIN("{\"set_var\": \"class\", \"value\": 1}"), "\"class", 0,
              "$.coroutines.main[0].set_var",
              "\"class\" is a Python keyword; choose another variable name");
    check_one("{\"coroutines\": {\"main\": [], \"f\": {\"params\": [\"a\", \"a\"], \"body\": []}}}",
              "\"a\"]", 0, "$.coroutines.f.params[1]", "parameter \"a\" appears twice");
    check_one("{\"objects\": {\"main\": \"Lock\"}, \"coroutines\": {\"main\": []}}",
              "\"main\": \"L", 0, "$.objects.main",
              "object \"main\" has the same name as a coroutine; choose another name");
    check_one(MAIN("{\"io\": 1, \"lable\": \"x\"}"), "\"lable", 0, "$.coroutines.main[0].lable",
              "unknown option \"lable\" for io; did you mean \"label\"?");
    check_one(MAIN("{\"repeat\": 2.0, \"body\": []}"), "2.0", 0, "$.coroutines.main[0].repeat",
              "expected a repeat count (a whole number from 0 to 1000000000), got 2.0");
    check_one(MAIN("{\"gather\": []}, {\"print\": \"a}b\"}"), "a}b", 1,
              "$.coroutines.main[1].print",
              "single '}' in the text (write '}}' for a literal brace)");
    /* a recursive coroutine is legal: the run-time limits catch it */
    CHECK_ERRORS(MAIN("{\"call\": \"main\"}"), "ok");
    /* empty gather, sleep 0, empty bodies are legal */
    CHECK_ERRORS(MAIN("{\"gather\": []}, {\"sleep\": 0}, {\"repeat\": 0, \"body\": []}"), "ok");
}

void test_scenario_syntax_errors(void);
void test_scenario_syntax_errors(void)
{
    check_one("", "", 0, "",
              "empty file; expected a JSON object like {\"coroutines\": {\"main\": [...]}}");
    check_one("{\"coroutines\": {\"main\": [", "[", 1, "$.coroutines.main",
              "expected a value or ']', got end of file");
    check_one("{\"a\": 1} x", "x", 0, "",
              "expected end of file after the top-level value, got 'x'");
    check_one("{\"a\": 1 \"b\": 2}", "\"b", 0, "$",
              "expected ',' or '}' after an object member, got '\"' (is a ',' missing?)");
    check_one("{\"a\": [1,]}", "]", 0, "$.a",
              "expected a value after ',', got ']' (JSON does not allow a comma before ']')");
    check_one("{\"a\": 1, \"a\": 2}", "\"a\": 2", 0, "$.a", "duplicate key \"a\" (first at line 1, "
              "col 2)");
    check_one("{\"a\": \"\xff\"}", "\xff", 0, "$.a",
              "invalid UTF-8 (byte 0xff) in a string; save the file as UTF-8");
    check_one("{\"a\": \"\xc0\xaf\"}", "\xc0", 0, "$.a",
              "invalid UTF-8 (byte 0xc0) in a string; save the file as UTF-8");
    check_one("{\"a\": nul}", "nul", 0, "$.a",
              "expected a value after ':', got 'nul' (strings need double quotes)");
    check_one("{\"a\": \"\\u12\"}", "\\u", 0, "$.a", "expected 4 hex digits after \\u in a string");
    check_one("{\"a\": \"\\udc00\"}", "\\u", 0, "$.a",
              "unpaired surrogate \\uDC00 in a string (a low surrogate must follow a high one, "
              "\\uD800-\\uDBFF)");

    /* nesting: 64 levels are fine, 65 are not, 100,000 do not crash */
    char deep[200001];
    size_t n = 0;
    for (int i = 0; i < 64; i++)
        deep[n++] = '[';
    for (int i = 0; i < 64; i++)
        deep[n++] = ']';
    deep[n] = '\0';
    CHECK_ERRORS(deep, "t.json:1:1: error: $: expected an object like {\"coroutines\": "
                       "{\"main\": [...]}} at the top level, got a list");
    n = 0;
    for (int i = 0; i < 100000; i++)
        deep[n++] = '[';
    for (int i = 0; i < 100000; i++)
        deep[n++] = ']';
    deep[n] = '\0';
    Diags d;
    Program *p = load(deep, &d);
    CHECK(p == NULL);
    CHECK_EQ_INT(d.n, 1);
    if (d.n) {
        CHECK_EQ_INT(d.items[0].col, 65);
        CHECK_EQ_STR(d.items[0].msg,
                     "nesting is too deep: more than 64 levels of lists and objects");
    }
    diags_free(&d);

    /* the scanner accepts everything cJSON needs, including escapes and
     * surrogate pairs, and they reach the Program decoded */
    p = load(MAIN("{\"print\": \"tab\\t\\\"q\\\" \\u00e9 \\ud83d\\ude00 \\/\"}"), &d);
    CHECK(p != NULL);
    if (p)
        CHECK_EQ_STR(prog_s(p, stmt_of(p, 0, 0)->text), "tab\t\"q\" \xc3\xa9 \xf0\x9f\x98\x80 /");
    prog_free(p);
    diags_free(&d);
}

/* ---- positions --------------------------------------------------------- */

void test_scenario_positions(void);
void test_scenario_positions(void)
{
    /* a value deep in the tree */
    static const char deep[] =
        "{\"objects\": {\"lock\": \"Lock\"},\n"
        " \"coroutines\": {\"main\": [\n"
        "  {\"try\": [\n"
        "    {\"repeat\": 2, \"body\": [\n"
        "      {\"with\": \"lock\", \"body\": [{\"print\": \"ok\"}, {\"sleep\": \"x\"}]}\n"
        "    ]}\n"
        "  ], \"finally\": []}\n"
        "]}}\n";
    check_one(deep, "\"x\"", 0, "$.coroutines.main[0].try[0].body[0].body[1].sleep",
              "expected a number of seconds >= 0, got \"x\"");

    /* columns count characters, not bytes; tabs count one */
    check_one("{\"title\": \"\xc3\xa9t\xc3\xa9 \xe2\x9c\x93\",\t\"x\": 1, \"coroutines\": "
              "{\"main\": []}}",
              "\"x\"", 0, "$.x", "unknown key \"x\"; allowed: title, about, main, objects, "
                                 "coroutines");
    /* CRLF and lone CR end lines */
    Diags d;
    Program *p = load("{\r\n\"coroutines\":\r{\"main\": [\r\n{\"sleep\": true}]}}", &d);
    CHECK(d.n == 1 && d.items[0].line == 4 && d.items[0].col == 11);
    prog_free(p);
    diags_free(&d);

    /* a BOM is skipped and takes no column */
    p = load("\xef\xbb\xbf{\"x\": 1, \"coroutines\": {\"main\": []}}", &d);
    CHECK(p == NULL);
    CHECK(d.n == 1 && d.items[0].line == 1 && d.items[0].col == 2);
    prog_free(p);
    diags_free(&d);

    /* a template error points into the string, after escapes and UTF-8 */
    static const char tmpl[] = MAIN("{\"print\": \"\\t\\u00e9\xc3\xa9 \\ud83d\\ude00 {nope}\"}");
    check_one(tmpl, "{nope}", 0, "$.coroutines.main[0].print",
              "unknown variable \"nope\" in coroutine \"main\", which has no variables");

    /* the position index is addressable by JSON path */
    JsonLoc jl;
    DiagCtx dc;
    diags_init(&d);
    CHECK(diag__begin(&dc, &d, "t.json"));
    CHECK(jsonloc__scan(&jl, example, strlen(example), &dc));
    CHECK(diag__end(&dc));
    uint32_t line, col;
    uint32_t k = jsonloc__find(&jl, "$.coroutines.main[3]");
    CHECK(k != JL_NONE);
    if (k != JL_NONE) {
        CHECK_EQ_INT(jl.nodes[k].line, 16);
        CHECK_EQ_INT(jl.nodes[k].col, 7);
    }
    k = jsonloc__find(&jl, "$.coroutines.main[2].gather[1].args[0]");
    pos_of(example, "\"cy\"", 0, &line, &col);
    CHECK(k != JL_NONE && jl.nodes[k].line == line && jl.nodes[k].col == col);
    k = jsonloc__find(&jl, "$.objects.q.Queue.maxsize");
    pos_of(example, "\"maxsize\": 2", 11, &line, &col);
    CHECK(k != JL_NONE && jl.nodes[k].line == line && jl.nodes[k].col == col);
    if (k != JL_NONE) {
        pos_of(example, "\"maxsize\"", 0, &line, &col);
        CHECK_EQ_INT(jl.nodes[k].key_line, line);
        CHECK_EQ_INT(jl.nodes[k].key_col, col);
    }
    CHECK_EQ_INT(jsonloc__find(&jl, "$"), 0);
    CHECK_EQ_INT(jsonloc__find(&jl, "$.coroutines.main[4]"), JL_NONE);
    CHECK_EQ_INT(jsonloc__find(&jl, "$.nope"), JL_NONE);
    CHECK_EQ_INT(jsonloc__find(&jl, "$.title[0]"), JL_NONE);
    jsonloc__free(&jl);
    diags_free(&d);

    static const char odd[] = "{\"a b\": {\"\\u00e9\": [true]}}";
    diags_init(&d);
    CHECK(diag__begin(&dc, &d, "t.json"));
    CHECK(jsonloc__scan(&jl, odd, strlen(odd), &dc));
    diag__end(&dc);
    k = jsonloc__find(&jl, "$[\"a b\"][\"\xc3\xa9\"][0]");
    CHECK(k != JL_NONE && jl.nodes[k].col == 21 && jl.nodes[k].type == JL_TRUE);
    jsonloc__free(&jl);
    diags_free(&d);
}

/* ---- the cap, formatting, files ---------------------------------------- */

void test_scenario_diag_cap(void);
void test_scenario_diag_cap(void)
{
    char text[8192];
    size_t n = (size_t)snprintf(text, sizeof text, "{\"coroutines\": {\"main\": [\n");
    for (int i = 0; i < 150; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%s{\"sleep\": -%d}\n", i ? "," : "",
                              i + 1);
    snprintf(text + n, sizeof text - n, "]}}\n");
    Diags d;
    Program *p = load(text, &d);
    CHECK(p == NULL);
    CHECK_EQ_INT(d.n, SCN_MAX_DIAGS + 1);
    CHECK_EQ_INT(d.dropped, 50);
    if (d.n == SCN_MAX_DIAGS + 1) {
        CHECK_EQ_INT(d.items[0].line, 2);
        CHECK_EQ_INT(d.items[99].line, 101);
        CHECK_EQ_STR(d.items[99].msg, "expected a number of seconds >= 0, got -100");
        char buf[256];
        diag_format(&d.items[100], buf, sizeof buf);
        CHECK_EQ_STR(buf, "t.json: error: and 50 more errors");
    }
    /* a second load appends to the same Diags, with its own cap */
    Program *q = scn_load_text("u.json", "{}", 2, &d);
    CHECK(q == NULL);
    CHECK_EQ_INT(d.n, SCN_MAX_DIAGS + 2);
    if (d.n == SCN_MAX_DIAGS + 2)
        CHECK_EQ_STR(d.items[101].file, "u.json");
    diags_free(&d);
    CHECK_EQ_INT(d.n, 0);
}

void test_scenario_diag_format(void);
void test_scenario_diag_format(void)
{
    char file[] = "a.json", path[] = "$.coroutines.main[3]",
         msg[] = "expected a number of seconds >= 0, got \"two\"";
    Diag g = {file, 4, 17, path, msg};
    char buf[256];
    diag_format(&g, buf, sizeof buf);
    CHECK_EQ_STR(buf, "a.json:4:17: error: $.coroutines.main[3]: expected a number of seconds "
                      ">= 0, got \"two\"");
    g.path = NULL;
    diag_format(&g, buf, sizeof buf);
    CHECK_EQ_STR(buf, "a.json:4:17: error: expected a number of seconds >= 0, got \"two\"");
    g.line = 0;
    diag_format(&g, buf, sizeof buf);
    CHECK_EQ_STR(buf, "a.json: error: expected a number of seconds >= 0, got \"two\"");
    diag_format(&g, buf, 8);
    CHECK_EQ_STR(buf, "a.json:");
    Diag empty = {0};
    diag_format(&empty, buf, sizeof buf);
    CHECK_EQ_STR(buf, "<input>: error: out of memory");
}

void test_scenario_files(void);
void test_scenario_files(void)
{
    Diags d;
    diags_init(&d);
    CHECK(scn_load_file("/nonexistent/loopscope/x.json", &d) == NULL);
    CHECK_EQ_INT(d.n, 1);
    if (d.n) {
        CHECK_EQ_INT(d.items[0].line, 0);
        CHECK_EQ_STR(d.items[0].msg, "cannot open the file: No such file or directory");
    }
    diags_free(&d);
    CHECK(scn_load_file("/", &d) == NULL);
    CHECK(d.n == 1 && strstr(d.items[0].msg, "cannot read the file") != NULL);
    diags_free(&d);

    /* a real file round trip */
    char tmpl[] = "/tmp/loopscope-test-XXXXXX";
    int fd = mkstemp(tmpl);
    CHECK(fd >= 0);
    if (fd >= 0) {
        FILE *f = fdopen(fd, "w");
        fputs(example, f);
        fclose(f);
        Program *p = scn_load_file(tmpl, &d);
        CHECK(p != NULL);
        CHECK_EQ_INT(d.n, 0);
        prog_free(p);
        remove(tmpl);
    }
    diags_free(&d);

    /* over the size limit: refused before scanning */
    size_t big = (size_t)SCN_MAX_FILE + 1;
    char *huge = calloc(big, 1);
    CHECK(huge != NULL);
    if (huge) {
        CHECK(scn_load_text("big.json", huge, big, &d) == NULL);
        CHECK(d.n == 1 && d.items[0].line == 0 &&
              strcmp(d.items[0].msg, "file is too large (67108865 bytes; at most 64 MB)") == 0);
        free(huge);
    }
    diags_free(&d);
}

/* Every prefix of a valid scenario is an error (never a crash), and so is
 * every single-byte corruption from a small set. */
void test_scenario_never_crashes(void);
void test_scenario_never_crashes(void)
{
    size_t len = strlen(example);
    int bad = 0;
    for (size_t n = 0; n < len; n++) {
        Diags d;
        diags_init(&d);
        Program *p = scn_load_text("t.json", example, n, &d);
        /* only trailing white space may be dropped */
        bool ok_prefix = n >= len - 1;
        if ((p != NULL) != ok_prefix || (p == NULL && d.n == 0)) {
            fprintf(stderr, "prefix %zu: %s\n", n, p ? "accepted" : "no diagnostics");
            bad++;
        }
        prog_free(p);
        diags_free(&d);
    }
    CHECK_EQ_INT(bad, 0);
    static const char subst[] = {'\0', '"', '{', '}', '[', ']', ',', ':', '\\', 'x', '\xff', '\n'};
    char *buf = malloc(len);
    for (size_t i = 0; i < len; i++) {
        for (size_t k = 0; k < sizeof subst; k++) {
            memcpy(buf, example, len);
            buf[i] = subst[k];
            Diags d;
            diags_init(&d);
            Program *p = scn_load_text("t.json", buf, len, &d);
            if (!p && d.n == 0) {
                fprintf(stderr, "corrupt byte %zu = 0x%02x: NULL without diagnostics\n", i,
                        (unsigned char)subst[k]);
                bad++;
            }
            for (size_t j = 0; j < d.n; j++)
                /* 19 lines; EOF is on line 20, or 21 when a byte became '\n' */
                if (d.items[j].line > 21 || !d.items[j].msg) {
                    fprintf(stderr, "corrupt byte %zu: diagnostic at line %u\n", i,
                            (unsigned)d.items[j].line);
                    bad++;
                }
            prog_free(p);
            diags_free(&d);
        }
    }
    free(buf);
    CHECK_EQ_INT(bad, 0);
}

#ifdef LOOPSCOPE_FAILALLOC
/* Allocation n fails (and every later one): the load returns NULL with an
 * "out of memory" diagnostic, or succeeds; it never crashes or leaks. */
static int fail_each_allocation(const char *text, bool valid, long *tries)
{
    int bad = 0;
    bool succeeded = false;
    long n = 1;
    for (; n < 20000 && !succeeded; n++) {
        Diags d;
        diags_init(&d);
        mem_fail_after(n);
        Program *p = scn_load_text("t.json", text, strlen(text), &d);
        mem_fail_after(0);
        bool oom = d.oom || (d.n > 0 && d.items[d.n - 1].msg &&
                             strcmp(d.items[d.n - 1].msg, "out of memory") == 0);
        if (p) {
            succeeded = true;
            if (!valid || d.n != 0)
                bad++;
        } else if (!oom) {
            /* no allocation failed this time: the load ran to completion */
            succeeded = true;
            if (valid)
                bad++;
        }
        prog_free(p);
        diags_free(&d);
    }
    if (!succeeded)
        bad++;
    *tries = n - 1;
    return bad;
}

void test_scenario_out_of_memory(void);
void test_scenario_out_of_memory(void)
{
    long tries = 0;
    CHECK_EQ_INT(fail_each_allocation(example, true, &tries), 0);
    CHECK(tries > 50); /* the example needs that many allocations */
    CHECK_EQ_INT(fail_each_allocation(MAIN("{\"slep\": 1}, {\"print\": \"{x}\"}, "
                                           "{\"call\": \"nope\", \"args\": [1, [2]]}"),
                                      false, &tries),
                 0);
    CHECK(tries > 20);
    CHECK_EQ_INT(fail_each_allocation("{\"a\": 1, \"a\": [1e400, 2]}", false, &tries), 0);
    CHECK_EQ_INT(fail_each_allocation("{\"a\": [1, }", false, &tries), 0);
    CHECK_EQ_INT(fail_each_allocation("{\"coroutines\": 1}", false, &tries), 0);
}
#endif
