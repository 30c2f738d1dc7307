/* main.c -- the command line: parse argv, dispatch, map outcomes to exit codes.
 *
 *   loopscope [FILE.json]                 open the app (built-in default scenario if none)
 *   loopscope run [OPTIONS] FILE          print what the program prints
 *       --timestamps            prefix each line with "[%7.3f] " (virtual seconds)
 *       --stages                narrate every micro-step with its stage (1-7)
 *       --trace-callbacks OUT   write the callbacks the loop ran (conformance log)
 *       --max-steps N --max-time S --max-tasks N --max-depth N --max-memory BYTES
 *   loopscope check FILE...               validate; diagnostics as file:line:col
 *   loopscope export --python OUT FILE    the scenario as a runnable asyncio program
 *   loopscope export --text OUT FILE      the stage-by-stage log (what run --stages prints)
 *   loopscope export --chrome-trace OUT FILE   Trace Event JSON (Perfetto, speedscope)
 *   loopscope export --svg OUT FILE       the timeline as an SVG picture
 *   loopscope export --png OUT [--step N] [--size WxH] FILE   the app's frame (as shot)
 *   loopscope verify FILE                 run the export under python3 on a virtual clock, compare
 *   loopscope shot FILE --step N --size WxH -o OUT.png
 *
 * Exit status: 0 ok; 1 main raised; 2 invalid input or usage; 3 deadlock;
 * 4 a safety limit; 5 verify found a difference. Only the scenario's prints
 * go to stdout for `run`; everything else goes to stderr.
 *
 * This file is thin: loading is scenario/, running is core/, writing is
 * export/, drawing is ui/.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "appmod.h"
#include "beside.h"
#include "core.h"
#include "export.h"
#include "exp_chrome.h"
#include "exp_svg.h"
#include "exp_text.h"
#include "out.h"
#include "lecture.h"
#include "lecture_plan.h"
#include "scenario.h"

extern char **environ;

enum { EXIT_OK = 0, EXIT_RAISED = 1, EXIT_USAGE = 2, EXIT_DEADLOCK = 3, EXIT_LIMIT = 4, EXIT_DIFFERS = 5 };

static void usage(FILE *f)
{
    fputs("usage: loopscope [FILE.json]                      open the app\n"
          "       loopscope run [--timestamps] [--stages] [--trace-callbacks OUT]\n"
          "                     [--max-steps N] [--max-time SECONDS] [--max-tasks N]\n"
          "                     [--max-depth N] [--max-memory BYTES] FILE.json\n"
          "       loopscope check FILE.json...\n"
          "       loopscope export [--python OUT.py] [--text OUT.txt] [--chrome-trace OUT.trace.json]\n"
          "                        [--svg OUT.svg] [--png OUT.png [--step N] [--size WxH]] FILE.json\n"
          "       loopscope verify FILE.json\n"
          "       loopscope shot FILE.json [--step N] [--size WxH] -o OUT.png\n"
          "       loopscope LECTURE.json                            open a lecture (PageDown/PageUp)\n"
          "       loopscope lecture (--pdf OUT.pdf | --png-dir DIR | --stops) [--size WxH] LECTURE.json\n",
          f);
}

/* Loads a scenario, printing its diagnostics. NULL when invalid. */
static Program *load(const char *path)
{
    Diags d;
    diags_init(&d);
    Program *p = scn_load_file(path, &d);
    char buf[2048];
    for (size_t i = 0; i < d.n; i++) {
        diag_format(&d.items[i], buf, sizeof buf);
        fprintf(stderr, "%s\n", buf);
    }
    if (!p && d.n == 0)
        fprintf(stderr, "%s: error: %s\n", path,
                d.oom ? "out of memory while loading the scenario" : "cannot load the scenario");
    else if (d.oom)
        fprintf(stderr, "%s: error: out of memory: some errors may not be listed\n", path);
    diags_free(&d);
    return p;
}

static bool parse_u64(const char *z, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(z, &end, 10);
    if (errno || !end || *end || z[0] == '-' || z[0] == '\0')
        return false;
    *out = v;
    return true;
}

/* Parses a limits flag at argv[*i]; returns 1 if consumed, 0 if not a limit
 * flag, -1 on a bad value. */
static int parse_limit(int argc, char **argv, int *i, SimLimits *lim)
{
    const char *a = argv[*i];
    if (strncmp(a, "--max-", 6) != 0)
        return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "loopscope: %s needs a value\n", a);
        return -1;
    }
    const char *v = argv[++*i];
    uint64_t n = 0;
    if (strcmp(a, "--max-time") == 0) {
        char *end = NULL;
        double d = strtod(v, &end);
        if (!end || *end || !isfinite(d) || d <= 0 || d > 9e9) {
            fprintf(stderr, "loopscope: --max-time: expected seconds > 0, got \"%s\"\n", v);
            return -1;
        }
        lim->max_time = (VTime)llround(d * 1e9);
        return 1;
    }
    if (!parse_u64(v, &n) || n == 0) {
        fprintf(stderr, "loopscope: %s: expected a positive integer, got \"%s\"\n", a, v);
        return -1;
    }
    if (strcmp(a, "--max-steps") == 0)
        lim->max_steps = n;
    else if (strcmp(a, "--max-tasks") == 0)
        lim->max_tasks = n > SIM_MAX_TASKS ? SIM_MAX_TASKS : (uint32_t)n;
    else if (strcmp(a, "--max-depth") == 0)
        lim->max_depth = n > 100000 ? 100000 : (uint32_t)n;
    else if (strcmp(a, "--max-memory") == 0)
        lim->max_memory = n;
    else {
        fprintf(stderr, "loopscope: unknown option %s\n", a);
        return -1;
    }
    return 1;
}

/* One printed line, as `print` wrote it; with `stamps` every line of its
 * text starts with "[%7.3f] ", as the conformance harness's --timestamps
 * writes them (a text with a newline in it makes several lines). */
static void put_line(FILE *f, const char *text, VTime t, bool stamps)
{
    if (!stamps) {
        fputs(text, f);
        fputc('\n', f);
        return;
    }
    char stamp[32];
    snprintf(stamp, sizeof stamp, "[%7.3f] ", (double)t / 1e9);
    fputs(stamp, f);
    for (const char *nl; (nl = strchr(text, '\n')) != NULL; text = nl + 1) {
        fwrite(text, 1, (size_t)(nl - text) + 1, f);
        fputs(stamp, f);
    }
    fputs(text, f);
    fputc('\n', f);
}

static int outcome_status(const Sim *s)
{
    const Recording *r = sim_recording(s);
    const char *why = rec_text(r, r->error_text);
    switch (r->outcome) {
    case SIM_DONE: return EXIT_OK;
    case SIM_RAISED:
        fprintf(stderr, "%s\n", why);
        return EXIT_RAISED;
    case SIM_DEADLOCK:
        fprintf(stderr, "deadlock: the loop would wait forever: %s\n", why);
        return EXIT_DEADLOCK;
    case SIM_LIMIT:
        fprintf(stderr, "stopped: %s\n", why);
        return EXIT_LIMIT;
    default:
        fprintf(stderr, "stopped: %s\n", why[0] ? why : "out of memory");
        return EXIT_LIMIT;
    }
}

/* One line per callback the loop ran, and one per cancelled handle it
 * skipped ("skip <kind> <name>"), in the conformance harness's format. */
static bool write_callbacks(const Sim *s, const char *path)
{
    const Recording *r = sim_recording(s);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "loopscope: cannot write %s: %s\n", path, strerror(errno));
        return false;
    }
    StepReader rd;
    rec_reader_init(&rd, r);
    for (uint32_t i = 0; i < r->nsteps; i++) {
        const Step *sp = rec_read(&rd, i);
        if (sp->kind != STEP_PICK && sp->kind != STEP_SKIP)
            continue;
        const HandleInfo *h = &r->handles[sp->handle];
        const char *name = "-";
        switch ((HandleKind)h->kind) {
        case H_TASK_STEP:
        case H_TASK_WAKEUP:
        case H_GATHER_DONE:
        case H_GROUP_DONE:
        case H_SHIELD_INNER:
        case H_AC_DONE:
            name = rec_text(r, r->tasks[h->task].name);
            break;
        default:
            break;
        }
        fprintf(f, "%.9f %s%s %s\n", (double)sp->t / 1e9, sp->kind == STEP_SKIP ? "skip " : "",
                handle_kind_name((HandleKind)h->kind), name);
    }
    bool ok = fflush(f) == 0 && !ferror(f);
    ok = fclose(f) == 0 && ok;
    return ok;
}

static int cmd_run(int argc, char **argv)
{
    bool stamps = false, stages = false;
    const char *cb_path = NULL, *path = NULL;
    SimLimits lim = sim_default_limits();
    for (int i = 0; i < argc; i++) {
        int l = parse_limit(argc, argv, &i, &lim);
        if (l < 0)
            return EXIT_USAGE;
        if (l > 0)
            continue;
        if (strcmp(argv[i], "--timestamps") == 0)
            stamps = true;
        else if (strcmp(argv[i], "--stages") == 0)
            stages = true;
        else if (strcmp(argv[i], "--trace-callbacks") == 0 && i + 1 < argc)
            cb_path = argv[++i];
        else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "loopscope run: unknown option %s\n", argv[i]);
            usage(stderr);
            return EXIT_USAGE;
        } else if (!path)
            path = argv[i];
        else {
            fprintf(stderr, "loopscope run: one scenario at a time (got %s and %s)\n", path, argv[i]);
            return EXIT_USAGE;
        }
    }
    if (!path) {
        usage(stderr);
        return EXIT_USAGE;
    }
    Program *p = load(path);
    if (!p)
        return EXIT_USAGE;
    lim.keyframes = false; /* the run only goes forward */
    Sim *s = sim_new(p, &lim);
    if (!s) {
        fprintf(stderr, "loopscope: out of memory\n");
        prog_free(p);
        return EXIT_LIMIT;
    }
    sim_run_to_end(s);
    const Recording *r = sim_recording(s);
    if (stages) {
        char *text = exp_text_string(s);
        if (text)
            fputs(text, stdout);
        free(text);
    } else {
        /* asyncio's stderr messages (Recording.logs) in their place among the
         * printed lines, as a terminal shows the two streams */
        for (uint32_t i = 0, k = 0; i < r->nlines || k < r->nlogs;) {
            if (rec_log_first(r, i, k)) {
                fflush(stdout);
                fprintf(stderr, "%s\n", rec_text(r, r->logs[k++].text));
                fflush(stderr);
            } else {
                put_line(stdout, rec_text(r, r->lines[i].text), stamps ? rec_line_time(r, i) : 0, stamps);
                i++;
            }
        }
    }
    fflush(stdout);
    int status = outcome_status(s);
    if (cb_path && !write_callbacks(s, cb_path))
        status = EXIT_USAGE;
    sim_free(s);
    prog_free(p);
    return status;
}

static int cmd_check(int argc, char **argv)
{
    if (argc == 0) {
        usage(stderr);
        return EXIT_USAGE;
    }
    int status = EXIT_OK;
    for (int i = 0; i < argc; i++) {
        if (lec_sniff_file(argv[i])) { /* a lecture: its slides' scenarios and stops too */
            if (appmod_lecture_check(argv[i]) != 0)
                status = EXIT_USAGE;
            else
                printf("%s: ok\n", argv[i]);
            continue;
        }
        Program *p = load(argv[i]);
        if (!p) {
            status = EXIT_USAGE;
            continue;
        }
        printf("%s: ok\n", argv[i]);
        prog_free(p);
    }
    return status;
}

static int cmd_export(int argc, char **argv)
{
    const char *py = NULL, *txt = NULL, *chrome = NULL, *svg = NULL, *png = NULL, *path = NULL;
    uint32_t step = UINT32_MAX;
    int w = 1600, h = 1000;
    SimLimits lim = sim_default_limits();
    for (int i = 0; i < argc; i++) {
        int l = parse_limit(argc, argv, &i, &lim);
        if (l < 0)
            return EXIT_USAGE;
        if (l > 0)
            continue;
        if (strcmp(argv[i], "--python") == 0 && i + 1 < argc)
            py = argv[++i];
        else if (strcmp(argv[i], "--text") == 0 && i + 1 < argc)
            txt = argv[++i];
        else if (strcmp(argv[i], "--chrome-trace") == 0 && i + 1 < argc)
            chrome = argv[++i];
        else if (strcmp(argv[i], "--svg") == 0 && i + 1 < argc)
            svg = argv[++i];
        else if (strcmp(argv[i], "--png") == 0 && i + 1 < argc)
            png = argv[++i];
        else if (strcmp(argv[i], "--step") == 0 && i + 1 < argc) {
            uint64_t n = 0;
            if (!parse_u64(argv[++i], &n)) {
                fprintf(stderr, "loopscope export: --step: expected a step number, got \"%s\"\n", argv[i]);
                return EXIT_USAGE;
            }
            step = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
        } else if (strcmp(argv[i], "--size") == 0 && i + 1 < argc) {
            char extra = 0;
            if (sscanf(argv[++i], "%dx%d%c", &w, &h, &extra) != 2 || w < 320 || h < 200 || w > 8192 ||
                h > 8192) {
                fprintf(stderr, "loopscope export: --size: expected WxH between 320x200 and 8192x8192, got \"%s\"\n",
                        argv[i]);
                return EXIT_USAGE;
            }
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "loopscope export: unknown or incomplete option %s\n", argv[i]);
            usage(stderr);
            return EXIT_USAGE;
        } else if (!path)
            path = argv[i];
        else {
            fprintf(stderr, "loopscope export: one scenario at a time (got %s and %s)\n", path, argv[i]);
            return EXIT_USAGE;
        }
    }
    if (!path || (!py && !txt && !chrome && !svg && !png)) {
        usage(stderr);
        return EXIT_USAGE;
    }
    Program *p = load(path);
    if (!p)
        return EXIT_USAGE;
    char err[1024] = "";
    int status = EXIT_OK;
    if (py && exp_python_write(p, py, path, err, sizeof err) != 0) {
        fprintf(stderr, "loopscope export: %s\n", err);
        status = EXIT_USAGE;
    }
    if ((txt || chrome || svg) && status == EXIT_OK) {
        lim.keyframes = false; /* the exporters read the recording; nothing seeks */
        Sim *s = sim_new(p, &lim);
        if (!s) {
            fprintf(stderr, "loopscope: out of memory\n");
            status = EXIT_LIMIT;
        } else {
            sim_run_to_end(s);
            if (txt && exp_text_write(s, txt, path, err, sizeof err) != 0) {
                fprintf(stderr, "loopscope export: %s\n", err);
                status = EXIT_USAGE;
            }
            if (chrome && status == EXIT_OK && exp_chrome_write(s, chrome, path, err, sizeof err) != 0) {
                fprintf(stderr, "loopscope export: %s\n", err);
                status = EXIT_USAGE;
            }
            if (svg && status == EXIT_OK && exp_svg_write(s, svg, path, err, sizeof err) != 0) {
                fprintf(stderr, "loopscope export: %s\n", err);
                status = EXIT_USAGE;
            }
            sim_free(s);
        }
    }
    prog_free(p);
    if (png && status == EXIT_OK) {
        /* the app's frame, drawn by `shot`'s own code (appmod_shot), into the
         * temporary file of an Out, so the usual rules hold: the scenario is
         * never overwritten and a failure leaves the old file as it was */
        Out o;
        if (out_open_file(&o, png, path) != 0) {
            fprintf(stderr, "loopscope export: %s\n", out_error(&o));
            return EXIT_USAGE;
        }
        int rc = appmod_shot(path, step, w, h, o.tmp, err, sizeof err);
        if (rc != 0) {
            o.failed = true;
            snprintf(o.error, sizeof o.error, "%.500s", err);
        }
        if (out_close(&o) != 0) {
            fprintf(stderr, "loopscope export: %s\n", out_error(&o));
            status = EXIT_USAGE;
        }
    }
    return status;
}

static bool find_harness(char *out, size_t n)
{
    const char *env = getenv("LOOPSCOPE_HARNESS");
    if (env && access(env, R_OK) == 0) {
        snprintf(out, n, "%s", env);
        return true;
    }
    static const char *const rel[] = {"share/vt_asyncio.py", "../share/loopscope/vt_asyncio.py",
                                      "../tests/conformance/vt_asyncio.py"};
    return beside_exe(rel, sizeof rel / sizeof rel[0], out, n);
}

static bool have_python(void)
{
    const char *path = getenv("PATH");
    if (!path)
        return false;
    char *copy = strdup(path);
    bool found = false;
    for (char *tok = strtok(copy, ":"); tok && !found; tok = strtok(NULL, ":")) {
        char cand[PATH_MAX];
        snprintf(cand, sizeof cand, "%s/python3", tok);
        found = access(cand, X_OK) == 0;
    }
    free(copy);
    return found;
}

static int cmd_verify(int argc, char **argv)
{
    if (argc != 1) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *path = argv[0];
    if (!have_python()) {
        fprintf(stderr, "loopscope verify: python3 was not found on PATH; install Python 3.11+ "
                        "to compare with CPython (everything else works without it)\n");
        return EXIT_USAGE;
    }
    char harness[PATH_MAX];
    if (!find_harness(harness, sizeof harness)) {
        fprintf(stderr, "loopscope verify: the harness vt_asyncio.py was not found beside the "
                        "program (set LOOPSCOPE_HARNESS to its path)\n");
        return EXIT_USAGE;
    }
    Program *p = load(path);
    if (!p)
        return EXIT_USAGE;
    char dir[] = "/tmp/loopscope-verify-XXXXXX";
    if (!mkdtemp(dir)) {
        fprintf(stderr, "loopscope verify: cannot make a temporary directory: %s\n", strerror(errno));
        prog_free(p);
        return EXIT_USAGE;
    }
    char py[PATH_MAX], out[PATH_MAX], cbs[PATH_MAX], err[512];
    snprintf(py, sizeof py, "%s/scenario.py", dir);
    snprintf(out, sizeof out, "%s/loopscope.out", dir);
    snprintf(cbs, sizeof cbs, "%s/loopscope.callbacks", dir);
    int status = EXIT_USAGE;
    Sim *s = NULL;
    if (exp_python_write(p, py, path, err, sizeof err) != 0) {
        fprintf(stderr, "loopscope verify: %s\n", err);
        goto done;
    }
    s = sim_new(p, NULL);
    if (!s)
        goto done;
    sim_run_to_end(s);
    {
        const Recording *r = sim_recording(s);
        FILE *f = fopen(out, "w");
        if (!f)
            goto done;
        for (uint32_t i = 0; i < r->nlines; i++)
            put_line(f, rec_text(r, r->lines[i].text), rec_line_time(r, i), true);
        fclose(f);
        if (!write_callbacks(s, cbs))
            goto done;
        int own = 0;
        switch (r->outcome) {
        case SIM_DONE: own = 0; break;
        case SIM_RAISED: own = 1; break;
        case SIM_DEADLOCK: own = 3; break;
        default: own = 4; break;
        }
        char st_arg[16];
        snprintf(st_arg, sizeof st_arg, "%d", own);
        /* what main raised must be what CPython says it raised */
        char *error = (char *)rec_text(r, r->error_text);
        char *args[] = {(char *)"python3", harness, (char *)"--compare", (char *)"--expect-output",
                        out, (char *)"--expect-callbacks", cbs, (char *)"--expect-status", st_arg,
                        py, NULL, NULL, NULL};
        if (own == 1) {
            args[9] = (char *)"--expect-error";
            args[10] = error;
            args[11] = py;
        }
        pid_t pid;
        if (posix_spawnp(&pid, "python3", NULL, NULL, args, environ) != 0) {
            fprintf(stderr, "loopscope verify: cannot start python3\n");
            goto done;
        }
        int ws = 0;
        waitpid(pid, &ws, 0);
        status = WIFEXITED(ws) ? WEXITSTATUS(ws) : EXIT_USAGE;
        /* the known difference a finished run can show: say it when it may
         * be the one (docs/scenario-format.md, Known differences) */
        char note[400];
        if (status == EXIT_DIFFERS && sim_describe_pending(r, note, sizeof note))
            fprintf(stderr,
                    "loopscope verify: note: %s. If the difference is lines CPython prints after all of "
                    "loopscope's, they come from those finally blocks (docs/scenario-format.md, Known "
                    "differences).\n",
                    note);
    }
done:
    sim_free(s);
    prog_free(p);
    unlink(py);
    unlink(out);
    unlink(cbs);
    rmdir(dir);
    return status;
}

static int cmd_shot(int argc, char **argv)
{
    const char *path = NULL, *out = NULL;
    uint32_t step = UINT32_MAX;
    int w = 1600, h = 1000;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--step") == 0 && i + 1 < argc) {
            uint64_t n = 0;
            if (!parse_u64(argv[++i], &n)) {
                fprintf(stderr, "loopscope shot: --step: expected a step number, got \"%s\"\n", argv[i]);
                return EXIT_USAGE;
            }
            step = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
        } else if (strcmp(argv[i], "--size") == 0 && i + 1 < argc) {
            if (sscanf(argv[++i], "%dx%d", &w, &h) != 2 || w < 320 || h < 200 || w > 8192 || h > 8192) {
                fprintf(stderr, "loopscope shot: --size: expected WxH between 320x200 and 8192x8192, got \"%s\"\n", argv[i]);
                return EXIT_USAGE;
            }
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            out = argv[++i];
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "loopscope shot: unknown or incomplete option %s\n", argv[i]);
            return EXIT_USAGE;
        } else {
            path = argv[i];
        }
    }
    if (!path || !out) {
        usage(stderr);
        return EXIT_USAGE;
    }
    char err[512] = "";
    int rc = appmod_shot(path, step, w, h, out, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "loopscope shot: %s\n", err);
    return rc;
}

/* Prints where every stop of every slide falls (loopscope lecture --stops). */
static int print_stops(const char *path)
{
    if (appmod_lecture_check(path) != 0)
        return EXIT_USAGE;
    Diags d;
    diags_init(&d);
    Lecture *L = lec_load_file(path, &d);
    diags_free(&d);
    if (!L)
        return EXIT_USAGE;
    int status = EXIT_OK;
    for (uint32_t i = 0; i < L->nslides; i++) {
        const LecSlide *sl = &L->slides[i];
        SimLimits lim = sim_default_limits();
        lim.max_steps = 2000000;
        Sim *s = sim_new(sl->prog, &lim);
        uint32_t *stmt_line = NULL;
        char *src = s ? exp_python_source(sl->prog, &stmt_line, NULL) : NULL;
        LecPlan pl;
        char err[600];
        uint32_t bad;
        if (!s || !src || (sim_run_to_end(s), !lec_plan_make(&pl, sl, s, stmt_line, sl->prog->nstmts, err,
                                                             sizeof err, &bad))) {
            fprintf(stderr, "loopscope lecture: slide %u: %s\n", i + 1, s && src ? err : "out of memory");
            status = EXIT_USAGE;
        } else {
            const Recording *r = sim_recording(s);
            printf("slide %u: %s (%u steps)\n", i + 1, sl->title, r->nsteps);
            for (uint32_t k = 0; k < pl.nstops; k++) {
                uint32_t pos = pl.stops[k].pos;
                char t[32], what[512] = "the start";
                if (pos > 0)
                    sim_describe_step(r, sl->prog, pos - 1, what, sizeof what);
                Step last = rec_step(r, pos > 0 ? pos - 1 : 0);
                const Step *ls = pos > 0 ? &last : NULL;
                vtime_format(!ls ? 0 : ls->kind == STEP_POLL ? ls->t2 : ls->t, 3, t, sizeof t);
                printf("  stop %u: after step %u: stage %u, iteration %u, t=%s: %s\n", k + 1, pos,
                       pos > 0 ? last.stage : 0, pos > 0 ? last.iter : 0, t, what);
            }
            if (pl.claim_diff >= 0)
                printf("  claim: line %d differs; decided after step %u\n", pl.claim_diff + 1, pl.claim_pos);
            lec_plan_free(&pl);
        }
        free(src);
        free(stmt_line);
        sim_free(s);
    }
    lec_free(L);
    return status;
}

/* loopscope lecture (--pdf OUT.pdf | --png-dir DIR | --stops) [--size WxH] LECTURE.json */
static int cmd_lecture(int argc, char **argv)
{
    const char *pdf = NULL, *dir = NULL, *path = NULL;
    int w = 1600, h = 1000;
    bool stops = false;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--stops") == 0)
            stops = true;
        else if (strcmp(argv[i], "--pdf") == 0 && i + 1 < argc)
            pdf = argv[++i];
        else if (strcmp(argv[i], "--png-dir") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (strcmp(argv[i], "--size") == 0 && i + 1 < argc) {
            if (sscanf(argv[++i], "%dx%d", &w, &h) != 2) {
                fprintf(stderr, "loopscope lecture: --size: expected WxH, got \"%s\"\n", argv[i]);
                return EXIT_USAGE;
            }
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "loopscope lecture: unknown or incomplete option %s\n", argv[i]);
            usage(stderr);
            return EXIT_USAGE;
        } else
            path = argv[i];
    }
    if (!path || (!pdf && !dir && !stops)) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (!lec_sniff_file(path)) {
        fprintf(stderr, "loopscope lecture: %s is not a lecture (a JSON object with \"slides\")\n", path);
        return EXIT_USAGE;
    }
    if (stops && !pdf && !dir)
        return print_stops(path);
    char err[1024] = "";
    int rc = appmod_lecture_handouts(path, dir, pdf, w, h, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "loopscope lecture: %s\n", err);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc >= 2) {
        const char *cmd = argv[1];
        if (strcmp(cmd, "run") == 0)
            return cmd_run(argc - 2, argv + 2);
        if (strcmp(cmd, "check") == 0)
            return cmd_check(argc - 2, argv + 2);
        if (strcmp(cmd, "export") == 0)
            return cmd_export(argc - 2, argv + 2);
        if (strcmp(cmd, "verify") == 0)
            return cmd_verify(argc - 2, argv + 2);
        if (strcmp(cmd, "shot") == 0)
            return cmd_shot(argc - 2, argv + 2);
        if (strcmp(cmd, "lecture") == 0)
            return cmd_lecture(argc - 2, argv + 2);
        if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
            usage(stdout);
            return EXIT_OK;
        }
        if (cmd[0] == '-') {
            fprintf(stderr, "loopscope: unknown option %s\n", cmd);
            usage(stderr);
            return EXIT_USAGE;
        }
        if (argc > 2) {
            usage(stderr);
            return EXIT_USAGE;
        }
        return appmod_app_main(cmd);
    }
    return appmod_app_main(NULL);
}
