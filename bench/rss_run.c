/* rss_run.c -- runs a command and reports its wall time and peak RSS.
 *
 *   rss_run CMD [ARGS...]
 *
 * Prints "rss_run: SECONDS PEAK_KB STATUS" as the last line on stderr and
 * exits 0 (the command's own exit status is STATUS).
 *
 * Why not measure from bench.py directly: a child's ru_maxrss includes
 * the memory of the process it was forked from (Linux keeps the larger of
 * the pre-exec and post-exec high-water marks), so a child of the Python
 * benchmark never reported less than Python's own ~16 MB, and a small run
 * looked 4x bigger than it is. Forked from this small program, it does not.
 */
#define _DEFAULT_SOURCE /* wait4 */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: rss_run CMD [ARGS...]\n");
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) {
        perror("rss_run: fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[1], argv + 1);
        perror("rss_run: exec");
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0) {
        perror("rss_run: wait4");
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double dt = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    fprintf(stderr, "rss_run: %.6f %ld %d\n", dt, ru.ru_maxrss, code);
    return 0;
}
