/* scenario.c -- scn_load_file and scn_load_text: the loader's front door.
 *
 * One load is: read the file (scn_load_file only); scan it with jsonloc.c,
 * which reports syntax and value errors with positions; only when the scan
 * is clean, parse the same bytes with cJSON; check that cJSON's tree has
 * exactly the shape of the scanner's node table (so build.c can walk both
 * in step); lower with build.c; finally order and cap the diagnostics
 * (diag.c). Any diagnostic means NULL: a Program is only ever returned
 * whole and checked.
 *
 * cJSON allocates through hooks that are global to the process. We point
 * them at mem_malloc/mem_free at the start of every load (always the same
 * two functions); nothing else in loopscope uses cJSON. Because of that
 * global, loads must not run on two threads at once. Since the scanner has already accepted the text, and it
 * rejects everything cJSON 1.7 would (numbers over 63 characters, \u0000,
 * unpaired surrogates), a NULL from cJSON can only mean out of memory.
 *
 * Depends on: scn_int.h, jsonloc.c, build.c, diag.c, mem.h, cJSON.
 * Used by: main.c, ui/app.c, tests.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"
#include "scn_int.h"

/* True when cJSON value j and jsonloc node n have the same type and, for
 * containers, the same children (recursion depth <= SCN_MAX_DEPTH). */
static bool same_shape(const JsonLoc *jl, const cJSON *j, uint32_t n)
{
    const JlNode *nd = &jl->nodes[n];
    int t = j->type & 0xFF;
    switch ((JlType)nd->type) {
    case JL_NULL: return t == cJSON_NULL;
    case JL_FALSE: return t == cJSON_False;
    case JL_TRUE: return t == cJSON_True;
    case JL_NUMBER: return t == cJSON_Number;
    case JL_STRING: return t == cJSON_String && j->valuestring != NULL;
    case JL_ARRAY:
    case JL_OBJECT:
        if (t != (nd->type == JL_ARRAY ? cJSON_Array : cJSON_Object))
            break;
        {
            const cJSON *cj = j->child;
            uint32_t cn = nd->first;
            while (cj && cn != JL_NONE) {
                if (nd->type == JL_OBJECT && !cj->string)
                    return false;
                if (!same_shape(jl, cj, cn))
                    return false;
                cj = cj->next;
                cn = jl->nodes[cn].next;
            }
            return !cj && cn == JL_NONE;
        }
    }
    return false;
}

Program *scn_load_text(const char *filename, const char *text, size_t len, Diags *d)
{
    DiagCtx dc;
    if (!diag__begin(&dc, d, filename))
        return NULL;
    JsonLoc jl;
    cJSON *root = NULL;
    Program *p = NULL;
    if (!jsonloc__scan(&jl, text, len, &dc))
        goto done;
    cJSON_Hooks hooks = {mem_malloc, mem_free};
    cJSON_InitHooks(&hooks);
    root = cJSON_ParseWithLengthOpts(text + jl.start, len - jl.start, NULL, false);
    if (!root) {
        dc.oom = true;
        goto done;
    }
    if (!same_shape(&jl, root, 0)) {
        diag__add(&dc, 1, 1, NULL,
                  "internal error: cJSON read this file differently from loopscope's scanner; "
                  "please report it with the file");
        goto done;
    }
    p = build__program(&jl, root, &dc);
done:
    cJSON_Delete(root);
    jsonloc__free(&jl);
    if (!diag__end(&dc)) {
        prog_free(p);
        return NULL;
    }
    return p;
}

/* Adds one file-level diagnostic as a complete load of its own. */
static void file_error(Diags *d, const char *path, const char *what, int err)
{
    DiagCtx dc;
    if (!diag__begin(&dc, d, path))
        return;
    diag__add(&dc, 0, 0, NULL, "%s: %s", what, strerror(err));
    diag__end(&dc);
}

char *scn_read_file(const char *path, size_t *len, const char **what, int *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *what = "cannot open the file";
        *err = errno;
        return NULL;
    }
    *what = "cannot read the file";
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n > SCN_MAX_FILE) /* enough to say "too large" */
            break;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 65536;
            char *nb = mem_realloc(buf, ncap + 1);
            if (!nb) {
                mem_free(buf);
                fclose(f);
                *err = ENOMEM;
                return NULL;
            }
            buf = nb;
            cap = ncap;
        }
        size_t k = fread(buf + n, 1, cap - n, f);
        n += k;
        if (k == 0)
            break;
    }
    if (ferror(f)) {
        *err = errno ? errno : EIO;
        mem_free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    if (!buf && !(buf = mem_malloc(1))) {
        *err = ENOMEM;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

Program *scn_load_file(const char *path, Diags *d)
{
    size_t n = 0;
    const char *what = "";
    int err = 0;
    char *buf = scn_read_file(path, &n, &what, &err);
    if (!buf) {
        file_error(d, path, what, err);
        return NULL;
    }
    Program *p = scn_load_text(path, buf, n, d);
    mem_free(buf);
    return p;
}
