/* beside.c -- files that ship beside the executable (see beside.h). */
#include "beside.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

bool beside_exe(const char *const *rel, size_t nrel, char *out, size_t n)
{
    char dir[PATH_MAX];
    ssize_t k = readlink("/proc/self/exe", dir, sizeof dir - 1);
    if (k <= 0)
        k = (ssize_t)snprintf(dir, sizeof dir, ".");
    else {
        dir[k] = '\0';
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = '\0';
    }
    for (size_t i = 0; i < nrel; i++) {
        if ((size_t)snprintf(out, n, "%s/%s", dir, rel[i]) < n && access(out, R_OK) == 0)
            return true;
    }
    if (nrel)
        snprintf(out, n, "%s/%s", dir, rel[0]);
    return false;
}
