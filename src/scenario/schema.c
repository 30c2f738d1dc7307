/* schema.c -- the statement verbs of the scenario format, as one table.
 *
 * A statement is a JSON object with exactly one verb key plus that verb's
 * options. This table is the single list of verbs and of the options each
 * one accepts; build.c uses it to find the verb, to reject unknown options
 * (naming the allowed ones) and to suggest the closest verb for a typo.
 * The meaning of each verb and its checks live in build.c, one function per
 * verb, in the same order as here; docs/scenario-format.md documents them.
 *
 * Depends on: scn_int.h.  Used by: build.c.
 */
#include <string.h>

#include "scn_int.h"

static const VerbInfo verbs[] = {
    {"print", STMT_PRINT, {NULL}},
    {"sleep", STMT_SLEEP, {NULL}},
    {"block", STMT_BLOCK, {NULL}},
    {"io", STMT_IO, {"label", NULL}},
    {"call", STMT_CALL, {"args", "as", NULL}},
    {"create_task", STMT_CREATE_TASK, {"args", "as", "name", "group", NULL}},
    {"await", STMT_AWAIT, {"as", NULL}},
    {"gather", STMT_GATHER, {"as", "return_exceptions", NULL}},
    {"wait_for", STMT_WAIT_FOR, {"timeout", "as", NULL}},
    {"shield", STMT_SHIELD, {"as", NULL}},
    {"as_completed", STMT_AS_COMPLETED, {"as", "body", "timeout", NULL}},
    {"cancel", STMT_CANCEL, {"as", NULL}},
    {"return", STMT_RETURN, {NULL}},
    {"raise", STMT_RAISE, {"message", NULL}},
    {"try", STMT_TRY, {"except", "finally", NULL}},
    {"wait", STMT_WAIT, {NULL}},
    {"set", STMT_SET, {NULL}},
    {"clear", STMT_CLEAR, {NULL}},
    {"with", STMT_WITH, {"body", NULL}},
    {"put", STMT_PUT, {"value", NULL}},
    {"get", STMT_GET, {"as", NULL}},
    {"task_done", STMT_TASK_DONE, {NULL}},
    {"join", STMT_JOIN, {NULL}},
    {"repeat", STMT_REPEAT, {"as", "body", NULL}},
    {"task_group", STMT_TASK_GROUP, {"body", NULL}},
    {"set_var", STMT_ASSIGN, {"value", NULL}},
    {"with_timeout", STMT_WITH_TIMEOUT, {"body", NULL}},
};

const VerbInfo *schema__verb(const char *name)
{
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        if (strcmp(verbs[i].name, name) == 0)
            return &verbs[i];
    return NULL;
}

const VerbInfo *schema__verbs(size_t *n)
{
    *n = sizeof verbs / sizeof verbs[0];
    return verbs;
}

bool schema__is_option(const char *key)
{
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        for (const char *const *o = verbs[i].opts; *o; o++)
            if (strcmp(*o, key) == 0)
                return true;
    return false;
}
