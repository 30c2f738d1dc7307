/* program.h -- the immutable, validated program a scenario file lowers to.
 *
 * A Program is a plain tree of tables: coroutines own blocks, blocks list
 * statement ids, statements point at expressions, awaitables, handlers and
 * strings by index. Nothing holds a pointer into another table, so the
 * tables can grow while the loader builds them.
 *
 * Ownership: scenario/ builds a Program with the prog_add_* functions and
 * hands it over; from then on it is read-only. A Sim keeps a const pointer
 * to it and must not outlive it. prog_free releases everything.
 *
 * Every statement keeps the line and column of its JSON object in the
 * scenario file, so the app and the diagnostics can point back at it.
 *
 * Depends on: exc.h.  Used by: scenario/, core/, export/.
 */
#ifndef LOOPSCOPE_PROGRAM_H
#define LOOPSCOPE_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exc.h"

#define PROG_NONE UINT32_MAX /* "absent" for every optional index */

/* Virtual time unit: integer nanoseconds. */
typedef int64_t VTime;
#define VTIME_SEC INT64_C(1000000000)

/* ---- expressions (literal values, variables, templates) ---------------- */

typedef enum ExprKind {
    EXPR_NONE,  /* None */
    EXPR_BOOL,  /* True / False */
    EXPR_INT,   /* int */
    EXPR_FLOAT, /* float */
    EXPR_STR,   /* f-string template: "{name}" interpolates str(name) */
    EXPR_VAR,   /* {"var": "x"}: the value of variable x itself */
    EXPR_LIST   /* [e, ...] */
} ExprKind;

typedef struct Expr {
    ExprKind kind;
    bool b;
    int64_t i;
    double f;
    uint32_t str;   /* EXPR_STR: template string id */
    uint32_t var;   /* EXPR_VAR: local slot */
    uint32_t first; /* EXPR_LIST: first index into Program.expr_refs */
    uint32_t count; /* EXPR_LIST: number of items */
} Expr;

/* ---- awaitables (gather items, wait_for's argument) -------------------- */

typedef enum AwKind {
    AW_TASK,  /* a variable holding a task */
    AW_CALL,  /* a coroutine call: becomes a new Task (ensure_future) */
    AW_SLEEP  /* asyncio.sleep(d): becomes a new Task */
} AwKind;

typedef struct Awaitable {
    AwKind kind;
    uint32_t var;        /* AW_TASK */
    uint32_t coro;       /* AW_CALL */
    uint32_t args_first; /* AW_CALL: index into Program.expr_refs */
    uint32_t nargs;
    VTime ns;            /* AW_SLEEP */
    uint32_t line, col;
} Awaitable;

/* ---- statements --------------------------------------------------------- */

typedef enum StmtKind {
    STMT_PRINT,       /* text */
    STMT_SLEEP,       /* ns; 0 = bare yield */
    STMT_BLOCK,       /* ns: time.sleep */
    STMT_IO,          /* ns, text = label */
    STMT_CALL,        /* coro, args, as_var */
    STMT_CREATE_TASK, /* coro, args, as_var, name (string id or NONE), group (slot or NONE) */
    STMT_AWAIT,       /* var, as_var */
    STMT_GATHER,      /* aw_first/aw_count, as_var, flag = return_exceptions */
    STMT_WAIT_FOR,    /* aw_first (one), ns = timeout, as_var, flag = timeout is None */
    STMT_CANCEL,      /* var, as_var (the bool cancel() returned) */
    STMT_RETURN,      /* expr (or NONE: return None) */
    STMT_RAISE,       /* exc, text = message template (or NONE) */
    STMT_TRY,         /* body, handlers, finally (has_finally) */
    STMT_WAIT,        /* obj (Event) */
    STMT_SET,         /* obj (Event) */
    STMT_CLEAR,       /* obj (Event) */
    STMT_WITH,        /* obj (Lock/Semaphore), body */
    STMT_PUT,         /* obj (Queue), expr */
    STMT_GET,         /* obj (Queue), as_var */
    STMT_REPEAT,      /* count, as_var (loop variable or NONE), body */
    STMT_TASK_GROUP,  /* var = group slot, body */
    STMT_ASSIGN,      /* as_var = expr */
    STMT_TASK_DONE,   /* q.task_done(): obj (Queue) */
    STMT_JOIN,        /* await q.join(): obj (Queue) */
    STMT_WITH_TIMEOUT,/* async with asyncio.timeout(d): ns, flag = None, body */
    STMT_SHIELD,      /* aw_first (one), as_var: await asyncio.shield(aw) */
    STMT_AS_COMPLETED,/* aw_first/aw_count, as_var, body, ns = timeout, flag = timeout is None:
                       * for _f in asyncio.as_completed([...]): x = await _f */
    STMT__COUNT
} StmtKind;

typedef struct Block {
    uint32_t first; /* index into Program.block_items */
    uint32_t count;
} Block;

typedef struct Handler {
    ExcType exc;     /* the class this clause catches */
    uint32_t as_var; /* slot or NONE */
    Block body;
    uint32_t line, col;
} Handler;

typedef struct Stmt {
    StmtKind kind;
    uint32_t line, col;   /* position of the statement object in the file */
    uint32_t coro_owner;  /* the coroutine this statement belongs to */
    uint32_t text;        /* print template, io label, raise message */
    VTime ns;             /* sleep/block/io duration, wait_for / with_timeout delay */
    int64_t count;        /* repeat count */
    uint32_t coro;        /* call / create_task target */
    uint32_t args_first;  /* index into Program.expr_refs */
    uint32_t nargs;
    uint32_t as_var;      /* result slot or NONE */
    uint32_t name;        /* create_task name string or NONE */
    uint32_t group;       /* create_task group slot or NONE */
    uint32_t var;         /* await/cancel target slot; task_group slot */
    uint32_t obj;         /* object index */
    uint32_t expr;        /* return/put/assign value or NONE */
    ExcType exc;          /* raise */
    uint32_t aw_first;    /* gather items / wait_for argument */
    uint32_t aw_count;
    bool flag;            /* gather: return_exceptions; wait_for, with_timeout: None */
    Block body;           /* try / with / repeat / task_group / with_timeout */
    uint32_t handlers_first; /* try: index into Program.handlers */
    uint32_t handlers_count;
    bool has_finally;
    Block fin;
} Stmt;

/* ---- objects and coroutines -------------------------------------------- */

typedef enum ObjKind { OBJ_EVENT, OBJ_LOCK, OBJ_SEMAPHORE, OBJ_QUEUE } ObjKind;

typedef struct Object {
    ObjKind kind;
    uint32_t name;   /* string id */
    int64_t value;   /* Semaphore initial value; Queue maxsize (0 = unbounded) */
    uint32_t line, col;
} Object;

typedef struct Coro {
    uint32_t name;        /* string id */
    uint32_t nparams;     /* the first nparams locals are the parameters */
    uint32_t nlocals;
    uint32_t locals_first;/* index into Program.local_names (string ids) */
    Block body;
    uint32_t line, col;
} Coro;

typedef struct Program {
    /* strings: one byte arena of NUL-terminated strings */
    char *strbuf;       size_t strbuf_len, strbuf_cap;
    uint32_t *str_off;  uint32_t nstr, str_cap;

    Expr *exprs;        uint32_t nexprs, exprs_cap;
    uint32_t *expr_refs;uint32_t nexpr_refs, expr_refs_cap;
    Awaitable *aws;     uint32_t naws, aws_cap;
    Stmt *stmts;        uint32_t nstmts, stmts_cap;
    uint32_t *block_items; uint32_t nblock_items, block_items_cap;
    Handler *handlers;  uint32_t nhandlers, handlers_cap;
    Object *objects;    uint32_t nobjects, objects_cap;
    Coro *coros;        uint32_t ncoros, coros_cap;
    uint32_t *local_names; uint32_t nlocal_names, local_names_cap;

    uint32_t title;     /* string id or NONE */
    uint32_t about;     /* string id or NONE */
    uint32_t main;      /* coroutine index of main */
    bool ok;            /* false once any allocation failed (sticky) */
} Program;

/* prog_new returns an empty program, or NULL when out of memory. The caller
 * owns it and frees it with prog_free (which accepts NULL). */
Program *prog_new(void);
void prog_free(Program *p);

/* Adders return the new index, or PROG_NONE when out of memory (and then
 * p->ok is false for good). Pointers into the tables are invalidated by the
 * next add of the same kind: keep indices, not pointers. */
uint32_t prog_str(Program *p, const char *s, size_t len);   /* always appends */
uint32_t prog_cstr(Program *p, const char *s);
uint32_t prog_add_expr(Program *p, Expr e);
uint32_t prog_add_expr_ref(Program *p, uint32_t expr);
uint32_t prog_add_aw(Program *p, Awaitable a);
uint32_t prog_add_stmt(Program *p, Stmt s);
uint32_t prog_add_block_item(Program *p, uint32_t stmt);
uint32_t prog_add_handler(Program *p, Handler h);
uint32_t prog_add_object(Program *p, Object o);
uint32_t prog_add_coro(Program *p, Coro c);
uint32_t prog_add_local_name(Program *p, uint32_t str);

/* Lookups. prog_s returns the string with id `id` ("" for PROG_NONE). */
const char *prog_s(const Program *p, uint32_t id);
uint32_t prog_find_coro(const Program *p, const char *name);   /* or PROG_NONE */
uint32_t prog_find_object(const Program *p, const char *name); /* or PROG_NONE */
const char *prog_local_name(const Program *p, uint32_t coro, uint32_t slot);

/* A zero-initialised statement with every optional index set to PROG_NONE. */
Stmt prog_stmt_blank(StmtKind kind);

#endif
