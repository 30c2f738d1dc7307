/* test_export.c -- src/export: the safe output file, the Python exporter, the text log.
 *
 * What is pinned here:
 *   - out.c: a file written through an Out has exactly the bytes written; an
 *     Out refuses to write over the scenario file, however it is spelled
 *     (absolute, "./x", "sub/../x", a hard link, a symlink); every failure
 *     (missing directory, target is a directory, a write error, a rename
 *     error) returns -1 with a message naming the path, leaves no stray
 *     "*.tmp-*" file, and leaves an existing target untouched; a success
 *     replaces the target.
 *   - exp_python.c: checked structurally, never against a hand-typed whole
 *     output. Every statement's reported line holds the Python spelling of
 *     its verb at the indentation of its nesting depth, lines follow the
 *     document order, every coroutine's line is its `async def`; the program
 *     ends with asyncio.run(MAIN()) under the __main__ guard; durations are
 *     the shortest floats; empty bodies become `pass`; strings survive
 *     quotes, backslashes, control characters and braces. That last one is
 *     checked by real CPython when `python3` is on PATH: the exported file
 *     must compile (py_compile, and a strict UTF-8 read), and running it must
 *     print exactly the lines loopscope's Recording holds. Without python3
 *     those checks are reported as SKIPPED and count as nothing.
 *   - exp_text.c: one line per recorded step, each with its stage number and
 *     stage name, and one "| " line per printed line.
 *
 * Files are made in a fresh mkdtemp directory under /tmp, removed at the end.
 */
#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"
#include "exp_text.h"
#include "export.h"
#include "harness.h"
#include "out.h"
#include "scenario.h"

/* ==== helpers =========================================================== */

/* A new empty directory "/tmp/loopscope-export-XXXXXX" (static buffer). */
static const char *make_tmpdir(void)
{
    static char dir[64];
    snprintf(dir, sizeof dir, "/tmp/loopscope-export-XXXXXX");
    return mkdtemp(dir);
}

/* "dir/name" in a malloc'd string. */
static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *s = malloc(n);
    snprintf(s, n, "%s/%s", dir, name);
    return s;
}

static bool write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    size_t n = strlen(text);
    bool ok = fwrite(text, 1, n, f) == n;
    return fclose(f) == 0 && ok;
}

/* The whole file as a NUL-terminated malloc'd string, or NULL. */
static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *s = malloc(cap);
    size_t k;
    while (s && (k = fread(s + n, 1, cap - n - 1, f)) > 0) {
        n += k;
        if (cap - n - 1 == 0) {
            char *ns = realloc(s, cap * 2);
            if (!ns) {
                free(s);
                s = NULL;
                break;
            }
            s = ns;
            cap *= 2;
        }
    }
    fclose(f);
    if (s)
        s[n] = '\0';
    return s;
}

/* Number of entries of `dir` whose name contains ".tmp-" (stray temporaries). */
static int count_tmp(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strstr(e->d_name, ".tmp-"))
            n++;
    closedir(d);
    return n;
}

/* Removes `dir` and everything in it (one level of subdirectories). */
static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *p = join(dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(p);
        else
            remove(p);
        free(p);
    }
    closedir(d);
    rmdir(dir);
}

static Program *load_ok(const char *text)
{
    Diags d;
    diags_init(&d);
    Program *p = scn_load_text("t.json", text, strlen(text), &d);
    for (size_t i = 0; i < d.n; i++) {
        char buf[1024];
        diag_format(&d.items[i], buf, sizeof buf);
        fprintf(stderr, "%s: unexpected diagnostic: %s\n", th_current, buf);
    }
    CHECK(p != NULL);
    CHECK_EQ_INT(d.n, 0);
    diags_free(&d);
    return p;
}

/* The source split into lines: lines[i] is line i+1 (1-based), NUL-ended.
 * The returned array and its strings live in one allocation. */
typedef struct Lines {
    char **v;
    size_t n;
    char *buf;
} Lines;

static Lines split_lines(const char *src)
{
    Lines l = {0};
    size_t len = strlen(src), n = 0;
    for (size_t i = 0; i < len; i++)
        if (src[i] == '\n')
            n++;
    l.buf = malloc(len + 1);
    l.v = malloc((n + 1) * sizeof *l.v);
    memcpy(l.buf, src, len + 1);
    char *p = l.buf;
    while (*p) {
        char *nl = strchr(p, '\n');
        l.v[l.n++] = p;
        if (!nl)
            break;
        *nl = '\0';
        p = nl + 1;
    }
    return l;
}

static void free_lines(Lines *l)
{
    free(l->v);
    free(l->buf);
}

/* Line `line` (1-based), or "" when out of range. */
static const char *line_at(const Lines *l, uint32_t line)
{
    return line >= 1 && line <= l->n ? l->v[line - 1] : "";
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* True when s is well-formed UTF-8 (no overlongs, no surrogates). */
static bool valid_utf8(const char *z)
{
    const unsigned char *s = (const unsigned char *)z;
    while (*s) {
        unsigned c = *s;
        int k;
        unsigned min;
        if (c < 0x80) {
            s++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            k = 1;
            min = 0x80;
            c &= 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            k = 2;
            min = 0x800;
            c &= 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            k = 3;
            min = 0x10000;
            c &= 0x07;
        } else {
            return false;
        }
        for (int i = 1; i <= k; i++) {
            if ((s[i] & 0xC0) != 0x80)
                return false;
            c = (c << 6) | (s[i] & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return false;
        s += k + 1;
    }
    return true;
}

static bool have_python3(void)
{
    static int have = -1;
    if (have < 0)
        have = system("python3 -c pass >/dev/null 2>&1") == 0;
    return have == 1;
}

/* ==== out.c ============================================================= */

void test_export_out_writes(void);
void test_export_out_writes(void)
{
    const char *dir = make_tmpdir();
    CHECK(dir != NULL);
    if (!dir)
        return;
    char *path = join(dir, "out.txt");

    /* a new file: exactly the bytes written, in order, NULs included */
    Out o;
    CHECK_EQ_INT(out_open_file(&o, path, NULL), 0);
    CHECK_EQ_INT(count_tmp(dir), 1); /* the bytes go to a temporary first */
    out_puts(&o, "hello ");
    out_write(&o, "world\n", 6);
    out_write(&o, "", 0);
    out_puts(&o, "second line\n");
    CHECK(access(path, F_OK) != 0); /* nothing at the target before close */
    CHECK_EQ_INT(out_close(&o), 0);
    char *got = read_file(path);
    CHECK_EQ_STR(got, "hello world\nsecond line\n");
    free(got);
    CHECK_EQ_INT(count_tmp(dir), 0);

    /* an existing file is untouched until close, then replaced */
    CHECK_EQ_INT(out_open_file(&o, path, NULL), 0);
    out_puts(&o, "replaced\n");
    got = read_file(path);
    CHECK_EQ_STR(got, "hello world\nsecond line\n");
    free(got);
    CHECK_EQ_INT(out_close(&o), 0);
    got = read_file(path);
    CHECK_EQ_STR(got, "replaced\n");
    free(got);
    CHECK_EQ_INT(count_tmp(dir), 0);

    /* an empty export makes an empty file */
    CHECK_EQ_INT(out_open_file(&o, path, NULL), 0);
    CHECK_EQ_INT(out_close(&o), 0);
    got = read_file(path);
    CHECK_EQ_STR(got, "");
    free(got);

    /* refuse names another file: no objection */
    char *other = join(dir, "other.json");
    CHECK(write_file(other, "{}"));
    CHECK_EQ_INT(out_open_file(&o, path, other), 0);
    out_puts(&o, "ok");
    CHECK_EQ_INT(out_close(&o), 0);
    got = read_file(path);
    CHECK_EQ_STR(got, "ok");
    free(got);
    got = read_file(other);
    CHECK_EQ_STR(got, "{}");
    free(got);

    free(other);
    free(path);
    remove_tree(dir);
}

/* Expects out_open_file(path, refuse) to refuse, naming `path`. */
static void check_refused(const char *path, const char *refuse)
{
    Out o;
    int rc = out_open_file(&o, path, refuse);
    CHECK_EQ_INT(rc, -1);
    if (rc == 0) {
        out_close(&o);
        return;
    }
    const char *msg = out_error(&o);
    if (!strstr(msg, "refusing") || !strstr(msg, path)) {
        fprintf(stderr, "%s: message for %s: \"%s\"\n", th_current, path, msg);
        CHECK(false);
    }
    CHECK(out_close(&o) == -1); /* closing a refused Out is harmless */
}

void test_export_out_refuses_scenario(void);
void test_export_out_refuses_scenario(void)
{
    const char *dir = make_tmpdir();
    CHECK(dir != NULL);
    if (!dir)
        return;
    char *scn = join(dir, "a.json");
    char *sub = join(dir, "sub");
    CHECK(write_file(scn, "{\"coroutines\": {\"main\": []}}"));
    CHECK_EQ_INT(mkdir(sub, 0700), 0);

    char cwd[4096];
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    CHECK_EQ_INT(chdir(dir), 0);
    check_refused("a.json", scn);
    check_refused("./a.json", scn);
    check_refused("sub/../a.json", scn);
    check_refused("./sub/.././a.json", "a.json");
    check_refused(scn, "./a.json");
    /* another name for the same inode */
    CHECK_EQ_INT(link("a.json", "hard.json"), 0);
    check_refused("hard.json", scn);
    CHECK_EQ_INT(symlink("a.json", "soft.json"), 0);
    check_refused("soft.json", scn);
    CHECK_EQ_INT(chdir(cwd), 0);

    /* the scenario is untouched and nothing was left behind */
    char *got = read_file(scn);
    CHECK_EQ_STR(got, "{\"coroutines\": {\"main\": []}}");
    free(got);
    CHECK_EQ_INT(count_tmp(dir), 0);
    CHECK_EQ_INT(count_tmp(sub), 0);

    /* the exporters pass the refusal on */
    Program *p = load_ok("{\"coroutines\": {\"main\": [{\"print\": \"hi\"}]}}");
    if (p) {
        char err[600] = "";
        CHECK_EQ_INT(exp_python_write(p, scn, scn, err, sizeof err), -1);
        CHECK(strstr(err, "refusing") != NULL && strstr(err, scn) != NULL);
        Sim *s = sim_new(p, NULL);
        CHECK(s != NULL);
        if (s) {
            sim_run_to_end(s);
            err[0] = '\0';
            CHECK_EQ_INT(exp_text_write(s, scn, scn, err, sizeof err), -1);
            CHECK(strstr(err, "refusing") != NULL && strstr(err, scn) != NULL);
            sim_free(s);
        }
        got = read_file(scn);
        CHECK_EQ_STR(got, "{\"coroutines\": {\"main\": []}}");
        free(got);
    }
    prog_free(p);
    CHECK_EQ_INT(count_tmp(dir), 0);

    free(scn);
    free(sub);
    remove_tree(dir);
}

/* Expects out_open_file(path) to fail with a message naming path. */
static void check_open_fails(const char *path, const char *why)
{
    Out o;
    int rc = out_open_file(&o, path, NULL);
    CHECK_EQ_INT(rc, -1);
    if (rc == 0) {
        out_close(&o);
        return;
    }
    const char *msg = out_error(&o);
    if (!strstr(msg, path) || !strstr(msg, why)) {
        fprintf(stderr, "%s: message for %s: \"%s\" (expected the path and \"%s\")\n",
                th_current, path, msg, why);
        CHECK(false);
    }
    CHECK_EQ_INT(out_close(&o), -1);
}

void test_export_out_failures(void);
void test_export_out_failures(void)
{
    const char *dir = make_tmpdir();
    CHECK(dir != NULL);
    if (!dir)
        return;
    char *missing = join(dir, "no/such/dir/x.py");
    char *subdir = join(dir, "adir");
    char *target = join(dir, "target.py");
    CHECK_EQ_INT(mkdir(subdir, 0700), 0);
    CHECK(write_file(target, "old contents\n"));

    /* the target's directory does not exist */
    check_open_fails(missing, "No such file or directory");
    /* the target is a directory (with and without a trailing slash) */
    check_open_fails(subdir, "directory");
    char *slash = join(subdir, "");
    check_open_fails(slash, "directory");
    free(slash);
    CHECK_EQ_INT(count_tmp(dir), 0);
    CHECK_EQ_INT(count_tmp(subdir), 0);

    /* the exporters report the same */
    Program *p = load_ok("{\"coroutines\": {\"main\": [{\"print\": \"hi\"}]}}");
    if (p) {
        char err[600] = "";
        CHECK_EQ_INT(exp_python_write(p, missing, NULL, err, sizeof err), -1);
        CHECK(strstr(err, missing) != NULL);
        CHECK_EQ_INT(exp_python_write(p, subdir, NULL, err, sizeof err), -1);
        CHECK(strstr(err, subdir) != NULL && strstr(err, "directory") != NULL);
    }

    /* a write error after a good open (the file size limit): -1, the path in
     * the message, the temporary removed, the old target untouched */
    struct rlimit old_lim;
    bool lim_ok = getrlimit(RLIMIT_FSIZE, &old_lim) == 0;
    if (lim_ok) {
        struct rlimit lim = old_lim;
        lim.rlim_cur = 1000;
        void (*old_sig)(int) = signal(SIGXFSZ, SIG_IGN);
        Out o;
        int rc = out_open_file(&o, target, NULL);
        CHECK_EQ_INT(rc, 0);
        if (rc == 0) {
            lim_ok = setrlimit(RLIMIT_FSIZE, &lim) == 0;
            static char big[65536];
            memset(big, 'x', sizeof big);
            out_write(&o, big, sizeof big);
            out_write(&o, big, sizeof big);
            char *mid = read_file(target);
            CHECK_EQ_STR(mid, "old contents\n");
            free(mid);
            rc = out_close(&o);
            setrlimit(RLIMIT_FSIZE, &old_lim);
            if (lim_ok) {
                CHECK_EQ_INT(rc, -1);
                CHECK(strstr(out_error(&o), target) != NULL);
                CHECK(strstr(out_error(&o), "File too large") != NULL);
            } else {
                printf("test_export_out_failures: SKIPPED the write-error case (setrlimit "
                       "failed)\n");
            }
        }
        signal(SIGXFSZ, old_sig);
        if (lim_ok) {
            char *got = read_file(target);
            CHECK_EQ_STR(got, "old contents\n");
            free(got);
        }
        CHECK_EQ_INT(count_tmp(dir), 0);
    }

    /* a rename error at close (the target became a directory meanwhile) */
    char *late = join(dir, "late.py");
    Out o;
    CHECK_EQ_INT(out_open_file(&o, late, NULL), 0);
    out_puts(&o, "print('x')\n");
    CHECK_EQ_INT(mkdir(late, 0700), 0);
    CHECK_EQ_INT(out_close(&o), -1);
    CHECK(strstr(out_error(&o), late) != NULL);
    struct stat st;
    CHECK(stat(late, &st) == 0 && S_ISDIR(st.st_mode));
    CHECK_EQ_INT(count_tmp(dir), 0);

    /* after all that, an ordinary export still replaces the target */
    if (p) {
        char err[600] = "";
        CHECK_EQ_INT(exp_python_write(p, target, NULL, err, sizeof err), 0);
        char *got = read_file(target);
        char *want = exp_python_source(p, NULL, NULL);
        CHECK_EQ_STR(got, want);
        free(got);
        free(want);
    }
    prog_free(p);
    CHECK_EQ_INT(count_tmp(dir), 0);

    free(late);
    free(missing);
    free(subdir);
    free(target);
    remove_tree(dir);
}

/* ==== exp_python: statement lines ======================================= */

/* Every verb at least once, nested, with and without "as". */
static const char every_verb[] =
    "{\n"
    "  \"title\": \"every verb\",\n"
    "  \"about\": \"one of each, nested\",\n"
    "  \"objects\": {\"ev\": \"Event\", \"lock\": \"Lock\", \"sem\": {\"Semaphore\": 2},\n"
    "              \"q\": {\"Queue\": {\"maxsize\": 1}}, \"uq\": \"Queue\"},\n"
    "  \"coroutines\": {\n"
    "    \"worker\": {\"params\": [\"who\", \"n\"], \"body\": [\n"
    "      {\"print\": \"{who} waits {n}\"},\n"
    "      {\"wait\": \"ev\"},\n"
    "      {\"with\": \"lock\", \"body\": [{\"sleep\": 0.1}]},\n"
    "      {\"with\": \"sem\", \"body\": []},\n"
    "      {\"io\": 1.5, \"label\": \"GET /{who}\"},\n"
    "      {\"io\": 2},\n"
    "      {\"block\": 0.25},\n"
    "      {\"return\": [\"{who}\", {\"var\": \"n\"}, 1.5, 2, true, null]}\n"
    "    ]},\n"
    "    \"fail\": [{\"sleep\": 0.5}, {\"raise\": \"ValueError\", \"message\": \"bad\"}],\n"
    "    \"slow\": [{\"sleep\": 10}, {\"return\": null}],\n"
    "    \"empty\": [],\n"
    "    \"prod\": [\n"
    "      {\"repeat\": 3, \"as\": \"i\", \"body\": [{\"put\": \"q\", \"value\": {\"var\": \"i\"}}]},\n"
    "      {\"put\": \"uq\", \"value\": \"x\"}\n"
    "    ],\n"
    "    \"cons\": [\n"
    "      {\"repeat\": 3, \"body\": [{\"get\": \"q\", \"as\": \"item\"}, {\"get\": \"uq\"},\n"
    "        {\"task_done\": \"q\"}]}\n"
    "    ],\n"
    "    \"main\": [\n"
    "      {\"create_task\": \"worker\", \"args\": [\"ann\", 1], \"as\": \"t\", \"name\": \"w\"},\n"
    "      {\"create_task\": \"empty\"},\n"
    "      {\"sleep\": 0},\n"
    "      {\"set\": \"ev\"},\n"
    "      {\"clear\": \"ev\"},\n"
    "      {\"set\": \"ev\"},\n"
    "      {\"await\": \"t\", \"as\": \"r\"},\n"
    "      {\"await\": \"t\"},\n"
    "      {\"call\": \"worker\", \"args\": [\"bob\", 2], \"as\": \"r2\"},\n"
    "      {\"call\": \"empty\"},\n"
    "      {\"gather\": [{\"call\": \"fail\"}, {\"sleep\": 0.1}, \"t\"], \"return_exceptions\": "
    "true, \"as\": \"rs\"},\n"
    "      {\"gather\": []},\n"
    "      {\"try\": [\n"
    "        {\"wait_for\": {\"call\": \"slow\"}, \"timeout\": 1, \"as\": \"x\"},\n"
    "        {\"try\": [{\"raise\": \"KeyError\"}], \"finally\": []}\n"
    "      ], \"except\": [\n"
    "        {\"error\": \"TimeoutError\", \"as\": \"e\", \"body\": [{\"print\": \"timeout\"}]},\n"
    "        {\"error\": \"LookupError\", \"body\": []}\n"
    "      ], \"finally\": [{\"print\": \"finally\"}]},\n"
    "      {\"wait_for\": {\"sleep\": 0.5}, \"timeout\": null},\n"
    "      {\"create_task\": \"slow\", \"as\": \"s\"},\n"
    "      {\"cancel\": \"s\", \"as\": \"c\"},\n"
    "      {\"cancel\": \"s\"},\n"
    "      {\"try\": [{\"await\": \"s\"}], \"except\": [{\"error\": \"CancelledError\", \"body\": "
    "[{\"print\": \"s cancelled\"}]}]},\n"
    "      {\"create_task\": \"cons\"},\n"
    "      {\"create_task\": \"prod\"},\n"
    "      {\"join\": \"q\"},\n"
    "      {\"try\": [\n"
    "        {\"task_group\": \"tg\", \"body\": [\n"
    "          {\"create_task\": \"fail\", \"group\": \"tg\"},\n"
    "          {\"create_task\": \"slow\", \"group\": \"tg\", \"as\": \"gt\"},\n"
    "          {\"repeat\": 2, \"as\": \"k\", \"body\": [{\"with\": \"lock\", \"body\": [\n"
    "            {\"create_task\": \"empty\", \"group\": \"tg\"}]}]}\n"
    "        ]}\n"
    "      ], \"except\": [{\"error\": \"ExceptionGroup\", \"as\": \"eg\", \"body\": []}]},\n"
    "      {\"with_timeout\": 2, \"body\": [{\"sleep\": 0.1}]},\n"
    "      {\"with_timeout\": null, \"body\": []},\n"
    "      {\"create_task\": \"slow\", \"as\": \"sh\"},\n"
    "      {\"shield\": \"sh\", \"as\": \"shr\"},\n"
    "      {\"shield\": {\"sleep\": 0.5}},\n"
    "      {\"as_completed\": [\"sh\", {\"call\": \"slow\"}, {\"sleep\": 0.1}], \"as\": \"acr\", \"timeout\": 2,\n"
    "       \"body\": [{\"print\": \"{acr}\"}]},\n"
    "      {\"as_completed\": [], \"body\": []},\n"
    "      {\"set_var\": \"v\", \"value\": \"{{literal}} {v}\"},\n"
    "      {\"return\": {\"var\": \"v\"}}\n"
    "    ]\n"
    "  }\n"
    "}\n";

/* Depth of every statement (1 = directly in a coroutine body), by walking
 * the blocks; each statement must be reached exactly once. */
static void walk_depth(const Program *p, Block b, int depth, int *depths, int *visits)
{
    for (uint32_t i = 0; i < b.count; i++) {
        uint32_t id = p->block_items[b.first + i];
        const Stmt *s = &p->stmts[id];
        depths[id] = depth;
        visits[id]++;
        if (s->kind == STMT_TRY) {
            walk_depth(p, s->body, depth + 1, depths, visits);
            for (uint32_t h = 0; h < s->handlers_count; h++)
                walk_depth(p, p->handlers[s->handlers_first + h].body, depth + 1, depths,
                           visits);
            if (s->has_finally)
                walk_depth(p, s->fin, depth + 1, depths, visits);
        } else if (s->kind == STMT_WITH || s->kind == STMT_REPEAT ||
                   s->kind == STMT_TASK_GROUP || s->kind == STMT_WITH_TIMEOUT ||
                   s->kind == STMT_AS_COMPLETED) {
            walk_depth(p, s->body, depth + 1, depths, visits);
        }
    }
}

/* Checks that `code` (a statement's line, indentation removed) is the
 * Python for statement s; complains with the line on failure. */
static void check_stmt_code(const Program *p, uint32_t id, const char *code)
{
    const Stmt *s = &p->stmts[id];
    uint32_t co = s->coro_owner;
    char want[256];
    const char *rest = code;
    bool ok = true;
    /* "x = " first when the statement binds its result */
    if (s->kind != STMT_ASSIGN && s->kind != STMT_REPEAT && s->kind != STMT_AS_COMPLETED &&
        s->as_var != PROG_NONE) {
        snprintf(want, sizeof want, "%s = ", prog_local_name(p, co, s->as_var));
        ok = starts_with(rest, want);
        rest += ok ? strlen(want) : 0;
    }
    const char *obj = s->obj != PROG_NONE && s->obj < p->nobjects
                          ? prog_s(p, p->objects[s->obj].name)
                          : "?";
    want[0] = '\0';
    switch (s->kind) {
    case STMT_PRINT: snprintf(want, sizeof want, "print("); break;
    case STMT_SLEEP: snprintf(want, sizeof want, "await asyncio.sleep("); break;
    case STMT_BLOCK: snprintf(want, sizeof want, "time.sleep("); break;
    case STMT_IO: snprintf(want, sizeof want, "await io_read("); break;
    case STMT_CALL:
        snprintf(want, sizeof want, "await %s(", prog_s(p, p->coros[s->coro].name));
        break;
    case STMT_CREATE_TASK:
        if (s->group != PROG_NONE)
            snprintf(want, sizeof want, "%s.create_task(%s(", prog_local_name(p, co, s->group),
                     prog_s(p, p->coros[s->coro].name));
        else
            snprintf(want, sizeof want, "asyncio.create_task(%s(",
                     prog_s(p, p->coros[s->coro].name));
        break;
    case STMT_AWAIT:
        snprintf(want, sizeof want, "await %s", prog_local_name(p, co, s->var));
        ok = ok && strcmp(rest, want) == 0;
        break;
    case STMT_GATHER: snprintf(want, sizeof want, "await asyncio.gather("); break;
    case STMT_WAIT_FOR: snprintf(want, sizeof want, "await asyncio.wait_for("); break;
    case STMT_SHIELD: snprintf(want, sizeof want, "await asyncio.shield("); break;
    case STMT_AS_COMPLETED: /* for _ in ...: (underscores) and `x = await _` on the next line */
        snprintf(want, sizeof want, "for _");
        ok = ok && strstr(rest, " in asyncio.as_completed([") != NULL;
        break;
    case STMT_CANCEL:
        snprintf(want, sizeof want, "%s.cancel()", prog_local_name(p, co, s->var));
        ok = ok && strcmp(rest, want) == 0;
        break;
    case STMT_RETURN: snprintf(want, sizeof want, "return"); break;
    case STMT_RAISE:
        snprintf(want, sizeof want, "raise %s%s(", s->exc == EXC_CANCELLED ? "asyncio." : "",
                 exc_name(s->exc));
        break;
    case STMT_TRY:
        snprintf(want, sizeof want, "try:");
        ok = ok && strcmp(rest, want) == 0;
        break;
    case STMT_WAIT: snprintf(want, sizeof want, "await %s.wait()", obj); break;
    case STMT_SET: snprintf(want, sizeof want, "%s.set()", obj); break;
    case STMT_CLEAR: snprintf(want, sizeof want, "%s.clear()", obj); break;
    case STMT_WITH:
        snprintf(want, sizeof want, "async with %s:", obj);
        ok = ok && strcmp(rest, want) == 0;
        break;
    case STMT_PUT: snprintf(want, sizeof want, "await %s.put(", obj); break;
    case STMT_GET: snprintf(want, sizeof want, "await %s.get()", obj); break;
    case STMT_TASK_DONE: snprintf(want, sizeof want, "%s.task_done()", obj); break;
    case STMT_JOIN: snprintf(want, sizeof want, "await %s.join()", obj); break;
    case STMT_REPEAT: {
        snprintf(want, sizeof want, "for ");
        char tail[64];
        snprintf(tail, sizeof tail, " in range(%lld):", (long long)s->count);
        size_t n = strlen(rest), t = strlen(tail);
        ok = ok && n > t && strcmp(rest + n - t, tail) == 0;
        if (s->as_var != PROG_NONE)
            snprintf(want, sizeof want, "for %s in range(", prog_local_name(p, co, s->as_var));
        break;
    }
    case STMT_TASK_GROUP:
        snprintf(want, sizeof want, "async with asyncio.TaskGroup() as %s:",
                 prog_local_name(p, co, s->var));
        ok = ok && strcmp(rest, want) == 0;
        break;
    case STMT_ASSIGN:
        snprintf(want, sizeof want, "%s = ", prog_local_name(p, co, s->as_var));
        break;
    case STMT_WITH_TIMEOUT:
        if (s->flag)
            snprintf(want, sizeof want, "async with asyncio.timeout(None):");
        else
            snprintf(want, sizeof want, "async with asyncio.timeout(%.17g):", (double)s->ns / 1e9);
        ok = ok && strcmp(rest, want) == 0;
        break;
    case STMT__COUNT: break;
    }
    ok = ok && want[0] && starts_with(rest, want);
    if (!ok)
        fprintf(stderr, "%s: statement %u (kind %d): line \"%s\", expected \"%s\"\n",
                th_current, (unsigned)id, (int)s->kind, code, want);
    CHECK(ok);
}

/* Runs every structural check on the export of p. */
static void check_structure(const Program *p, const char *main_name)
{
    uint32_t *sl = NULL, *cl = NULL;
    char *src = exp_python_source(p, &sl, &cl);
    CHECK(src != NULL && sl != NULL && cl != NULL);
    if (!src || !sl || !cl) {
        free(src);
        free(sl);
        free(cl);
        return;
    }
    Lines l = split_lines(src);
    int *depths = calloc(p->nstmts + 1, sizeof *depths);
    int *visits = calloc(p->nstmts + 1, sizeof *visits);
    for (uint32_t c = 0; c < p->ncoros; c++) {
        /* async def NAME(params): at column 0, after the previous coroutine */
        char want[256];
        snprintf(want, sizeof want, "async def %s(", prog_s(p, p->coros[c].name));
        CHECK(starts_with(line_at(&l, cl[c]), want));
        if (c > 0)
            CHECK(cl[c] > cl[c - 1]);
        if (p->coros[c].body.count == 0)
            CHECK_EQ_STR(line_at(&l, cl[c] + 1), "    pass");
        walk_depth(p, p->coros[c].body, 1, depths, visits);
    }
    for (uint32_t i = 0; i < p->nstmts; i++) {
        CHECK_EQ_INT(visits[i], 1);
        const char *text = line_at(&l, sl[i]);
        size_t ind = strspn(text, " ");
        CHECK_EQ_INT(ind, 4 * (size_t)depths[i]);
        check_stmt_code(p, i, text + ind);
        /* ids are in document order, and so are the lines */
        if (i > 0)
            CHECK(sl[i] > sl[i - 1]);
        /* each statement is inside its own coroutine's def */
        uint32_t co = p->stmts[i].coro_owner;
        CHECK(sl[i] > cl[co]);
        if (co + 1 < p->ncoros)
            CHECK(sl[i] < cl[co + 1]);
        /* a block header with an empty body is followed by `pass` */
        const Stmt *s = &p->stmts[i];
        if ((s->kind == STMT_WITH || s->kind == STMT_REPEAT || s->kind == STMT_TASK_GROUP ||
             s->kind == STMT_TRY || s->kind == STMT_WITH_TIMEOUT) &&
            s->body.count == 0) {
            const char *next = line_at(&l, sl[i] + 1);
            CHECK_EQ_INT(strspn(next, " "), ind + 4);
            CHECK_EQ_STR(next + strspn(next, " "), "pass");
        }
    }
    /* the end: the __main__ guard and asyncio.run(MAIN()) */
    char want[256];
    snprintf(want, sizeof want, "    asyncio.run(%s())", main_name);
    CHECK(l.n >= 2);
    if (l.n >= 2) {
        CHECK_EQ_STR(l.v[l.n - 2], "if __name__ == \"__main__\":");
        CHECK_EQ_STR(l.v[l.n - 1], want);
    }
    size_t len = strlen(src);
    CHECK(len > 0 && src[len - 1] == '\n');
    CHECK(valid_utf8(src));
    free(depths);
    free(visits);
    free_lines(&l);
    free(src);
    free(sl);
    free(cl);
}

void test_export_python_lines(void);
void test_export_python_lines(void)
{
    Program *p = load_ok(every_verb);
    if (!p)
        return;
    /* the scenario does use every verb */
    bool seen[STMT__COUNT] = {false};
    for (uint32_t i = 0; i < p->nstmts; i++)
        seen[p->stmts[i].kind] = true;
    for (int k = 0; k < STMT__COUNT; k++)
        if (!seen[k]) {
            fprintf(stderr, "%s: statement kind %d not covered\n", th_current, k);
            CHECK(false);
        }
    check_structure(p, "main");

    /* the except clauses and finally of a try sit at its indentation */
    uint32_t *sl = NULL;
    char *src = exp_python_source(p, &sl, NULL);
    CHECK(src != NULL);
    if (src) {
        Lines l = split_lines(src);
        int excepts = 0, finallys = 0;
        for (size_t i = 0; i < l.n; i++) {
            const char *t = l.v[i] + strspn(l.v[i], " ");
            if (starts_with(t, "except "))
                excepts++;
            if (strcmp(t, "finally:") == 0)
                finallys++;
        }
        CHECK_EQ_INT(excepts, 4);
        CHECK_EQ_INT(finallys, 2);
        CHECK(strstr(src, "    except TimeoutError as e:\n") != NULL);
        CHECK(strstr(src, "    except asyncio.CancelledError:\n") != NULL);
        CHECK(strstr(src, "    except ExceptionGroup as eg:\n") != NULL);
        CHECK(strstr(src, "return_exceptions=True)") != NULL);
        CHECK(strstr(src, "await asyncio.gather()\n") != NULL);
        CHECK(strstr(src, "timeout=None)") != NULL);
        CHECK(strstr(src, "sem = asyncio.Semaphore(2)\n") != NULL);
        CHECK(strstr(src, "q = asyncio.Queue(maxsize=1)\n") != NULL);
        CHECK(strstr(src, "uq = asyncio.Queue()\n") != NULL);
        free_lines(&l);
    }
    free(src);
    free(sl);
    prog_free(p);

    /* a main coroutine with another name, and the scenarios of other tests */
    p = load_ok("{\"main\": \"start\", \"coroutines\": {\"helper\": [], \"start\": "
                "[{\"call\": \"helper\"}]}}");
    if (p)
        check_structure(p, "start");
    prog_free(p);
}

/* ==== exp_python: values, escapes, durations ============================ */

/* Text that stresses the string literal: quotes of both kinds, backslashes
 * (also before a quote and at the end), control characters, braces (literal
 * and interpolated), non-ASCII. In JSON source form. */
#define NASTY "q\\\" s' bs\\\\ bsq\\\\\\\" nl\\n tab\\t cr\\r crlf\\r\\n bell\\u0007 del\\u007f " \
              "caf\\u00e9 \\u20ac {{lit}} {{}} }} {{ end\\\\"
/* Line and paragraph separators: line breaks for str.splitlines, not for
 * Python source; printed with str() only (see the report on repr below). */
#define SEPARATORS "nel\\u0085 ls\\u2028 ps\\u2029 vt\\u000b ff\\u000c fs\\u001c"

static const char escapes[] =
    "{\n"
    "  \"title\": \"Title with \\\"quotes\\\" and a\\rcarriage return\\r\\nand \\\\ "
    "backslash\",\n"
    "  \"about\": \"\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac"
    "\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac"
    "\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac"
    "\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac\\u20ac\\n\\nsecond paragraph\\r\",\n"
    "  \"coroutines\": {\n"
    "    \"echo\": {\"params\": [\"x\"], \"body\": [\n"
    "      {\"print\": \"echo {x}\"},\n"
    "      {\"io\": 0, \"label\": \"" NASTY " {x}\"},\n"
    "      {\"return\": [\"" NASTY "\", {\"var\": \"x\"}]}\n"
    "    ]},\n"
    "    \"failing\": [{\"raise\": \"ValueError\", \"message\": \"" NASTY "\"}],\n"
    "    \"main\": [\n"
    "      {\"print\": \"" NASTY "\"},\n"
    "      {\"print\": \"no braces: \\\"\\\\\"},\n"
    "      {\"print\": \"" SEPARATORS "\"},\n"
    "      {\"set_var\": \"w\", \"value\": \"{{" SEPARATORS "}}\"},\n"
    "      {\"print\": \"{w}\"},\n"
    "      {\"set_var\": \"v\", \"value\": \"" NASTY "\"},\n"
    "      {\"print\": \"v={v}|\"},\n"
    "      {\"call\": \"echo\", \"args\": [\"" NASTY "\"], \"as\": \"r\"},\n"
    "      {\"print\": \"r={r}\"},\n"
    "      {\"create_task\": \"echo\", \"args\": [[\"a\\\"b\", 1.5, -0.0, 1e-07, 1e16, null, "
    "false]], \"as\": \"t\", \"name\": \"" NASTY "\"},\n"
    "      {\"await\": \"t\", \"as\": \"tr\"},\n"
    "      {\"print\": \"tr={tr}\"},\n"
    "      {\"try\": [{\"call\": \"failing\"}], \"except\": [{\"error\": \"ValueError\", "
    "\"as\": \"e\", \"body\": [\n"
    "        {\"print\": \"caught [{e}]\"}\n"
    "      ]}]},\n"
    "      {\"set_var\": \"_\", \"value\": \"kept\"},\n"
    "      {\"repeat\": 2, \"body\": [{\"print\": \"{_}\"}]},\n"
    "      {\"print\": \"{_}\"}\n"
    "    ]\n"
    "  }\n"
    "}\n";

/* Runs `cmd` through the shell; true when it exits 0. */
static bool run_ok(const char *cmd)
{
    int rc = system(cmd);
    return rc == 0;
}

void test_export_python_escapes(void);
void test_export_python_escapes(void)
{
    Program *p = load_ok(escapes);
    if (!p)
        return;
    check_structure(p, "main");
    char *src = exp_python_source(p, NULL, NULL);
    CHECK(src != NULL);
    if (!src) {
        prog_free(p);
        return;
    }
    /* every raw carriage return is gone: a lone "\r" ends a line in Python,
     * so in a comment it would turn the rest of the title into code */
    CHECK(strchr(src, '\r') == NULL);
    CHECK(strchr(src, '\x07') == NULL && strchr(src, '\x7f') == NULL);
    /* the header comment: every line before the imports is a comment */
    Lines l = split_lines(src);
    size_t i = 0;
    for (; i < l.n && strcmp(l.v[i], "import asyncio") != 0; i++)
        CHECK(l.v[i][0] == '#');
    CHECK(i < l.n);
    free_lines(&l);
    /* braces make an f-string; no braces, a plain one */
    CHECK(strstr(src, "print(\"no braces: \\\"\\\\\")\n") != NULL);
    CHECK(strstr(src, "print(f\"v={v}|\")\n") != NULL);
    /* the repeat without "as" must not overwrite the scenario's `_` */
    CHECK(strstr(src, "for _ in range(2):") == NULL);
    CHECK(strstr(src, "for __ in range(2):") != NULL);

    /* real CPython: it compiles, and it prints what loopscope recorded */
    if (!have_python3()) {
        printf("test_export_python_escapes: SKIPPED the python3 compile and run checks "
               "(python3 not found)\n");
    } else {
        const char *dir = make_tmpdir();
        CHECK(dir != NULL);
        if (dir) {
            char *py = join(dir, "escapes.py");
            char *outp = join(dir, "stdout.txt");
            char err[600] = "";
            CHECK_EQ_INT(exp_python_write(p, py, NULL, err, sizeof err), 0);
            char cmd[1024];
            snprintf(cmd, sizeof cmd, "python3 -m py_compile '%s'", py);
            CHECK(run_ok(cmd));
            snprintf(cmd, sizeof cmd,
                     "python3 -c 'import sys; compile(open(sys.argv[1], encoding=\"utf-8\", "
                     "newline=\"\").read(), sys.argv[1], \"exec\")' '%s'",
                     py);
            CHECK(run_ok(cmd));
            snprintf(cmd, sizeof cmd, "cd '%s' && python3 '%s' > '%s'", dir, py, outp);
            CHECK(run_ok(cmd));
            /* loopscope's own run of the same program */
            Sim *s = sim_new(p, NULL);
            CHECK(s != NULL);
            if (s) {
                CHECK_EQ_INT(sim_run_to_end(s), SIM_DONE);
                const Recording *r = sim_recording(s);
                size_t cap = 1, n = 0;
                for (uint32_t k = 0; k < r->nlines; k++)
                    cap += strlen(rec_text(r, r->lines[k].text)) + 1;
                char *want = malloc(cap);
                want[0] = '\0';
                for (uint32_t k = 0; k < r->nlines; k++)
                    n += (size_t)snprintf(want + n, cap - n, "%s\n",
                                          rec_text(r, r->lines[k].text));
                char *got = read_file(outp);
                CHECK_EQ_STR(got, want);
                CHECK_EQ_INT(r->nlines, 13);
                free(got);
                free(want);
                sim_free(s);
            }
            free(py);
            free(outp);
            remove_tree(dir);
        }
    }
    free(src);
    prog_free(p);
}

void test_export_python_durations(void);
void test_export_python_durations(void)
{
    Program *p = load_ok(
        "{\"coroutines\": {\"main\": [\n"
        "  {\"sleep\": 0.1}, {\"sleep\": 2}, {\"sleep\": 1.5}, {\"sleep\": 0.00001},\n"
        "  {\"sleep\": 2.0}, {\"sleep\": 0}, {\"sleep\": 1e-9}, {\"sleep\": 0.3},\n"
        "  {\"sleep\": 86400}, {\"sleep\": 1e9}, {\"sleep\": 0.123456789},\n"
        "  {\"block\": 0.25}, {\"io\": 3}, {\"io\": 0.05, \"label\": \"x\"},\n"
        "  {\"wait_for\": {\"sleep\": 0.1}, \"timeout\": 0.5},\n"
        "  {\"gather\": [{\"sleep\": 1e-05}, {\"sleep\": 7}]},\n"
        "  {\"set_var\": \"f\", \"value\": [0.1, 2.0, 1e-05, 1e16, 12345678901234567890.0, 3]}\n"
        "]}}");
    if (!p)
        return;
    char *src = exp_python_source(p, NULL, NULL);
    CHECK(src != NULL);
    if (src) {
        static const char *const want[] = {
            "await asyncio.sleep(0.1)\n",  "await asyncio.sleep(2)\n",
            "await asyncio.sleep(1.5)\n",  "await asyncio.sleep(1e-05)\n",
            "await asyncio.sleep(0)\n",    "await asyncio.sleep(1e-09)\n",
            "await asyncio.sleep(0.3)\n",  "await asyncio.sleep(86400)\n",
            "await asyncio.sleep(1000000000)\n", "await asyncio.sleep(0.123456789)\n",
            "time.sleep(0.25)",            "await io_read(3)\n",
            "await io_read(0.05, \"x\")\n", "asyncio.wait_for(asyncio.sleep(0.1), timeout=0.5)\n",
            "asyncio.gather(asyncio.sleep(1e-05), asyncio.sleep(7))\n",
            "f = [0.1, 2.0, 1e-05, 1e+16, 1.2345678901234567e+19, 3]\n",
        };
        for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
            if (!strstr(src, want[i])) {
                fprintf(stderr, "%s: missing \"%s\"\n", th_current, want[i]);
                CHECK(false);
            }
        /* a whole number of seconds is an int, never "2.0" */
        CHECK(strstr(src, "sleep(2.0)") == NULL);
        CHECK(strstr(src, "sleep(0.0)") == NULL);
        CHECK(strstr(src, "0.30000000000000004") == NULL);
        /* "2" and "2.0" are two statements with the same duration */
        const char *a = strstr(src, "await asyncio.sleep(2)\n");
        CHECK(a != NULL && strstr(a + 1, "await asyncio.sleep(2)\n") != NULL);
    }
    free(src);
    prog_free(p);
}

void test_export_python_empty_bodies(void);
void test_export_python_empty_bodies(void)
{
    Program *p = load_ok("{\"objects\": {\"lock\": \"Lock\"}, \"coroutines\": {\n"
                         "  \"nothing\": [],\n"
                         "  \"nothing_either\": {\"params\": [\"a\", \"b\"], \"body\": []},\n"
                         "  \"main\": [\n"
                         "    {\"with\": \"lock\", \"body\": []},\n"
                         "    {\"repeat\": 0, \"body\": []},\n"
                         "    {\"task_group\": \"tg\", \"body\": []},\n"
                         "    {\"try\": [], \"except\": [{\"error\": \"Exception\", \"body\": []}],"
                         " \"finally\": []}\n"
                         "  ]}}");
    if (!p)
        return;
    check_structure(p, "main");
    char *src = exp_python_source(p, NULL, NULL);
    CHECK(src != NULL);
    if (src) {
        CHECK(strstr(src, "async def nothing():\n    pass\n") != NULL);
        CHECK(strstr(src, "async def nothing_either(a, b):\n    pass\n") != NULL);
        CHECK(strstr(src, "    async with lock:\n        pass\n") != NULL);
        CHECK(strstr(src, "    for _ in range(0):\n        pass\n") != NULL);
        CHECK(strstr(src, "    async with asyncio.TaskGroup() as tg:\n        pass\n") != NULL);
        CHECK(strstr(src, "    try:\n        pass\n    except Exception:\n        pass\n"
                          "    finally:\n        pass\n") != NULL);
        if (have_python3()) {
            const char *dir = make_tmpdir();
            if (dir) {
                char *py = join(dir, "empty.py");
                char err[600] = "";
                CHECK_EQ_INT(exp_python_write(p, py, NULL, err, sizeof err), 0);
                char cmd[1024];
                snprintf(cmd, sizeof cmd, "python3 '%s'", py);
                CHECK(run_ok(cmd));
                free(py);
                remove_tree(dir);
            }
        } else {
            printf("test_export_python_empty_bodies: SKIPPED the python3 run (python3 not "
                   "found)\n");
        }
    }
    free(src);
    prog_free(p);
}

/* ==== exp_text ========================================================== */

static const char two_tasks[] =
    "{\n"
    "  \"title\": \"Two tasks\",\n"
    "  \"about\": \"create_task only schedules\",\n"
    "  \"coroutines\": {\n"
    "    \"task_a\": [{\"print\": \"A: Started\"}, {\"sleep\": 2}, {\"print\": \"A: done\"}],\n"
    "    \"task_b\": [{\"print\": \"B: Started\"}, {\"sleep\": 1}, {\"print\": \"B: done\"}],\n"
    "    \"main\": [\n"
    "      {\"print\": \"Main: Starting tasks...\"},\n"
    "      {\"create_task\": \"task_a\", \"as\": \"a\"},\n"
    "      {\"create_task\": \"task_b\", \"as\": \"b\"},\n"
    "      {\"print\": \"Main: All tasks started!\"},\n"
    "      {\"sleep\": 3},\n"
    "      {\"print\": \"Main: Exiting\"}\n"
    "    ]\n"
    "  }\n"
    "}\n";

void test_export_text_log(void);
void test_export_text_log(void)
{
    Program *p = load_ok(two_tasks);
    if (!p)
        return;
    Sim *s = sim_new(p, NULL);
    CHECK(s != NULL);
    if (!s) {
        prog_free(p);
        return;
    }
    CHECK_EQ_INT(sim_run_to_end(s), SIM_DONE);
    const Recording *r = sim_recording(s);
    char *text = exp_text_string(s);
    CHECK(text != NULL);
    if (text) {
        Lines l = split_lines(text);
        /* "# title", "# about", the column header; then steps and prints */
        CHECK(l.n >= 3);
        CHECK_EQ_STR(l.v[0], "# Two tasks");
        CHECK_EQ_STR(l.v[1], "# create_task only schedules");
        CHECK(l.v[2][0] == '#' && strstr(l.v[2], "stage") != NULL);
        uint32_t steps = 0, prints = 0, other = 0;
        bool stages_seen[8] = {false};
        for (size_t i = 3; i < l.n; i++) {
            const char *t = l.v[i];
            unsigned num = 0, iter = 0, stage = 0;
            double secs = -1;
            int used = 0;
            if (sscanf(t, "%u %lf %u %u %n", &num, &secs, &iter, &stage, &used) == 4) {
                /* one line per step, numbered in order, with its stage */
                CHECK_EQ_INT(num, steps);
                if (steps < r->nsteps) {
                    Step sp_ = rec_step(r, steps);
                    const Step *sp = &sp_;
                    CHECK_EQ_INT(stage, sp->stage);
                    CHECK_EQ_INT(iter, sp->iter);
                    CHECK(secs * 1e9 > (double)sp->t - 1e6 && secs * 1e9 < (double)sp->t + 1e6);
                    CHECK(starts_with(t + used, stage_name((int)sp->stage)));
                }
                CHECK(stage >= 1 && stage <= 7);
                if (stage <= 7)
                    stages_seen[stage] = true;
                steps++;
            } else if (strchr(t, '|') && strspn(t, " ") == 56) {
                if (prints < r->nlines)
                    CHECK_EQ_STR(t + 58, rec_text(r, r->lines[prints].text));
                prints++;
            } else {
                fprintf(stderr, "%s: unexpected line \"%s\"\n", th_current, t);
                other++;
            }
        }
        CHECK_EQ_INT(steps, r->nsteps);
        CHECK_EQ_INT(prints, r->nlines);
        CHECK_EQ_INT(prints, 7);
        CHECK_EQ_INT(other, 0);
        CHECK_EQ_INT(l.n, 3 + r->nsteps + r->nlines);
        /* a finished run with sleeps goes through every stage */
        for (int k = 1; k <= 7; k++)
            CHECK(stages_seen[k]);
        free_lines(&l);

        /* exp_text_write writes the same bytes */
        const char *dir = make_tmpdir();
        CHECK(dir != NULL);
        if (dir) {
            char *path = join(dir, "log.txt");
            char err[600] = "";
            CHECK_EQ_INT(exp_text_write(s, path, NULL, err, sizeof err), 0);
            char *got = read_file(path);
            CHECK_EQ_STR(got, text);
            free(got);
            CHECK_EQ_INT(count_tmp(dir), 0);
            free(path);
            remove_tree(dir);
        }
    }
    free(text);
    sim_free(s);
    prog_free(p);
}
