/* out.c -- write a file through a temporary and rename (see out.h).
 *
 * The temporary lives in the target's directory so rename(2) is atomic
 * and never crosses file systems. "Same file as the scenario" is decided
 * by device and inode when the target exists, so "./a.json" and
 * "dir/../a.json" are caught alike.
 */
#include "out.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void fail(Out *o, const char *fmt, ...)
{
    if (o->failed)
        return;
    o->failed = true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->error, sizeof o->error, fmt, ap);
    va_end(ap);
}

static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (stat(a, &sa) != 0 || stat(b, &sb) != 0)
        return false;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int out_open_file(Out *o, const char *path, const char *refuse)
{
    memset(o, 0, sizeof *o);
    if (refuse && same_file(path, refuse)) {
        fail(o, "refusing to write %s: it is the scenario file itself", path);
        return -1;
    }
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        fail(o, "cannot write %s: it is a directory", path);
        return -1;
    }
    size_t n = strlen(path);
    o->path = malloc(n + 1);
    o->tmp = malloc(n + 16);
    if (!o->path || !o->tmp) {
        fail(o, "cannot write %s: out of memory", path);
        goto fail;
    }
    memcpy(o->path, path, n + 1);
    snprintf(o->tmp, n + 16, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(o->tmp);
    if (fd < 0) {
        fail(o, "cannot write %s: %s", path, strerror(errno));
        goto fail;
    }
    /* mkstemp makes 0600; an export is an ordinary file. */
    mode_t um = umask(0);
    umask(um);
    (void)fchmod(fd, 0666 & ~um);
    o->f = fdopen(fd, "wb");
    if (!o->f) {
        fail(o, "cannot write %s: %s", path, strerror(errno));
        close(fd);
        remove(o->tmp);
        goto fail;
    }
    return 0;
fail:
    free(o->path);
    free(o->tmp);
    o->path = o->tmp = NULL;
    return -1;
}

void out_write(Out *o, const void *buf, size_t n)
{
    if (o->failed || !o->f || n == 0)
        return;
    if (fwrite(buf, 1, n, o->f) != n)
        fail(o, "cannot write %s: %s", o->path, strerror(errno));
}

void out_puts(Out *o, const char *z) { out_write(o, z, strlen(z)); }

int out_close(Out *o)
{
    if (o->f) {
        if (fflush(o->f) != 0 || ferror(o->f))
            fail(o, "cannot write %s: %s", o->path, strerror(errno));
        if (fclose(o->f) != 0)
            fail(o, "cannot write %s: %s", o->path, strerror(errno));
        o->f = NULL;
        if (!o->failed && rename(o->tmp, o->path) != 0)
            fail(o, "cannot write %s: %s", o->path, strerror(errno));
        if (o->failed)
            remove(o->tmp);
    }
    free(o->path);
    free(o->tmp);
    o->path = o->tmp = NULL;
    return o->failed ? -1 : 0;
}

const char *out_error(const Out *o) { return o->error; }

int out_save(const char *path, const char *refuse, const char *text, size_t n, char *err,
             size_t errn)
{
    if (!text) {
        snprintf(err, errn, "cannot write %s: out of memory", path);
        return -1;
    }
    Out o;
    int rc = out_open_file(&o, path, refuse);
    if (rc == 0) {
        out_write(&o, text, n);
        rc = out_close(&o);
    }
    if (rc != 0)
        snprintf(err, errn, "%s", out_error(&o));
    return rc == 0 ? 0 : -1;
}
