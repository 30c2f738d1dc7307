/* value.c -- runtime values: strings, lists, exceptions, and Python's str()/repr().
 *
 * Values are small tagged structs (core_int.h). Strings, lists and
 * exceptions made at run time live in append-only arenas of the SimState, so
 * a keyframe only records their lengths.
 *
 * Formatting follows CPython 3.11 exactly where a scenario can observe it:
 * str() of None/True/ints, float repr (the shortest string that round-trips,
 * scientific notation below 1e-4 and from 1e16), list repr with repr() of the
 * items, string repr with Python's quote choice and escapes, and str()/repr()
 * of exceptions (KeyError's str is the repr of its argument; CancelledError
 * from gather carries an empty message: CancelledError('')).
 *
 * Depends on: core_int.h.  Used by: interp.c, task.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_int.h"
#include "printable.h"

/* ---- growable byte buffer -------------------------------------------------- */

static void sbuf_reserve(SBuf *b, size_t extra)
{
    if (b->oom)
        return;
    if (b->n + extra + 1 <= b->cap)
        return;
    size_t ncap = b->cap ? b->cap * 2 : 64;
    while (ncap < b->n + extra + 1)
        ncap *= 2;
    char *np = mem_realloc(b->p, ncap);
    if (!np) {
        b->oom = true;
        return;
    }
    b->p = np;
    b->cap = ncap;
}

void sbuf_putn(SBuf *b, const char *z, size_t n)
{
    sbuf_reserve(b, n);
    if (b->oom)
        return;
    memcpy(b->p + b->n, z, n);
    b->n += n;
    b->p[b->n] = '\0';
}

void sbuf_putc(SBuf *b, char c) { sbuf_putn(b, &c, 1); }

SBuf *core__scratch(Sim *s)
{
    s->scratch.n = 0;
    s->scratch.oom = false;
    if (s->scratch.p)
        s->scratch.p[0] = '\0';
    return &s->scratch;
}

size_t val__fmt_int(char *buf, int64_t v)
{
    char tmp[24];
    size_t n = 0, len = 0;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v; /* INT64_MIN too */
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        buf[len++] = '-';
    while (n)
        buf[len++] = tmp[--n];
    buf[len] = '\0';
    return len;
}
void sbuf_puts(SBuf *b, const char *z) { sbuf_putn(b, z, strlen(z)); }

/* ---- arenas ------------------------------------------------------------------ */

uint32_t val__new_str(Sim *s, const char *text, size_t len)
{
    SimState *st = &s->st;
    if (len > UINT32_MAX / 2 || (uint64_t)st->sbuf_len + len + 1 > UINT32_MAX) {
        sim__fail_nomem(s);
        return SIM_NONE;
    }
    if (!GROW(s, st->sbuf, st->sbuf_cap, st->sbuf_len + (uint32_t)len + 1) ||
        !GROW(s, st->str_off, st->str_cap, st->nstr + 1))
        return SIM_NONE;
    memcpy(st->sbuf + st->sbuf_len, text, len);
    st->sbuf[st->sbuf_len + len] = '\0';
    st->str_off[st->nstr] = st->sbuf_len;
    st->sbuf_len += (uint32_t)len + 1;
    return st->nstr++;
}

const char *val__str(const Sim *s, uint32_t id)
{
    if (id == SIM_NONE || id >= s->st.nstr)
        return "";
    return s->st.sbuf + s->st.str_off[id];
}

uint32_t val__new_list_room(Sim *s, uint32_t n, Value **items)
{
    SimState *st = &s->st;
    *items = NULL;
    if (!GROW(s, st->litems, st->litems_cap, st->nlitems + n) ||
        !GROW(s, st->lists, st->lists_cap, st->nlists + 1))
        return SIM_NONE;
    *items = n ? st->litems + st->nlitems : NULL; /* (litems may still be NULL) */
    st->lists[st->nlists] = (ListRec){st->nlitems, n};
    st->nlitems += n;
    return st->nlists++;
}

uint32_t val__new_list(Sim *s, const Value *items, uint32_t n)
{
    Value *room;
    uint32_t id = val__new_list_room(s, n, &room);
    if (id != SIM_NONE && n)
        memcpy(room, items, n * sizeof *items);
    for (uint32_t i = 0; id != SIM_NONE && i < n; i++)
        task__escape(s, items[i]); /* a task in a list: holders.c */
    return id;
}

uint32_t val__new_exc(Sim *s, ExcType t, uint32_t msg, uint32_t children)
{
    SimState *st = &s->st;
    if (!GROW(s, st->excs, st->excs_cap, st->nexcs + 1) || !GROW(s, st->xkept, st->xkept_cap, st->nexcs + 1))
        return SIM_NONE;
    /* a new exception is raised in the step that makes it, so the
     * exception being handled now is its __context__ */
    uint32_t ctx = st->phase == PH_HANDLE ? exc__handled(s, st->cur_task) : SIM_NONE;
    st->excs[st->nexcs] = (ExcRec){t, msg, children, ctx};
    st->xkept[st->nexcs] = 0;
    st->nxkept = st->nexcs + 1;
    return st->nexcs++;
}

/* ---- formatting ------------------------------------------------------------- */

/* Python's float repr: the shortest digits that round-trip, 'r' format. */
void val__format_float(SBuf *b, double f)
{
    char buf[64];
    if (isnan(f)) {
        sbuf_puts(b, "nan");
        return;
    }
    if (isinf(f)) {
        sbuf_puts(b, f < 0 ? "-inf" : "inf");
        return;
    }
    int prec = 1;
    for (; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec - 1, f);
        if (strtod(buf, NULL) == f)
            break;
    }
    /* buf = d.ddddde[+-]XX ; extract digits and exponent */
    char digits[32];
    int nd = 0;
    const char *q = buf;
    bool neg = false;
    if (*q == '-') {
        neg = true;
        q++;
    }
    for (; *q && *q != 'e'; q++)
        if (*q >= '0' && *q <= '9')
            digits[nd++] = *q;
    int exp10 = atoi(q + 1);
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    digits[nd] = '\0';
    if (neg)
        sbuf_putc(b, '-');
    if (exp10 < -4 || exp10 >= 16) {
        sbuf_putc(b, digits[0]);
        if (nd > 1) {
            sbuf_putc(b, '.');
            sbuf_puts(b, digits + 1);
        }
        snprintf(buf, sizeof buf, "e%c%02d", exp10 < 0 ? '-' : '+', abs(exp10));
        sbuf_puts(b, buf);
    } else if (exp10 < 0) {
        sbuf_puts(b, "0.");
        for (int i = -1; i > exp10; i--)
            sbuf_putc(b, '0');
        sbuf_puts(b, digits);
    } else {
        for (int i = 0; i <= exp10; i++)
            sbuf_putc(b, i < nd ? digits[i] : '0');
        sbuf_putc(b, '.');
        if (nd > exp10 + 1)
            sbuf_puts(b, digits + exp10 + 1);
        else
            sbuf_putc(b, '0');
    }
}

void float_repr(double f, char *buf, size_t n)
{
    /* No allocation: the SBuf writes into a stack buffer that is always big
     * enough (the longest repr, "-1.2345678901234567e-308", is 24 bytes), so
     * it never reallocs. An allocating version fell back to "%.17g" when
     * memory ran out and exported "sleep(0.10000000000000001)" (tests/oom). */
    char tmp[64];
    SBuf b = {tmp, 0, sizeof tmp, false};
    tmp[0] = '\0';
    val__format_float(&b, f);
    snprintf(buf, n, "%s", tmp);
}

/* Python's repr() of a str (unicode_repr): the quote it picks, backslash
 * escapes for the quote, backslash, \n \r \t, and \xhh / \uhhhh /
 * \Uhhhhhhhh for every character str.isprintable() rejects, non-ASCII ones
 * included (U+00A0, U+2028, U+200B: printable.c). */
void val__repr_cstr(SBuf *b, const char *z)
{
    bool has_sq = strchr(z, '\'') != NULL, has_dq = strchr(z, '"') != NULL;
    char quote = (has_sq && !has_dq) ? '"' : '\'';
    sbuf_putc(b, quote);
    for (const unsigned char *p = (const unsigned char *)z; *p;) {
        unsigned char c = *p;
        char esc[16];
        if (c == (unsigned char)quote || c == '\\') {
            sbuf_putc(b, '\\');
            sbuf_putc(b, (char)c);
        } else if (c == '\n') {
            sbuf_puts(b, "\\n");
        } else if (c == '\r') {
            sbuf_puts(b, "\\r");
        } else if (c == '\t') {
            sbuf_puts(b, "\\t");
        } else if (c < 0x20 || c == 0x7f) {
            uni_escape(c, esc);
            sbuf_puts(b, esc);
        } else if (c >= 0x80) {
            int len;
            uint32_t cp = uni_utf8_decode(p, &len);
            if (len > 1 && uni_is_printable(cp))
                sbuf_putn(b, (const char *)p, (size_t)len);
            else {
                uni_escape(cp, esc);
                sbuf_puts(b, esc);
            }
            p += len;
            continue;
        } else {
            sbuf_putc(b, (char)c);
        }
        p++;
    }
    sbuf_putc(b, quote);
}

static const char *value_cstr(const Sim *s, Value v)
{
    return v.type == V_PSTR ? prog_s(s->prog, v.id) : val__str(s, v.id);
}

/* type(v).__name__ */
const char *val__type_name(const Sim *s, Value v)
{
    switch (v.type) {
    case V_NONE: return "NoneType";
    case V_BOOL: return "bool";
    case V_INT: return "int";
    case V_FLOAT: return "float";
    case V_PSTR:
    case V_STR: return "str";
    case V_LIST: return "list";
    case V_TASK: return "Task";
    case V_EXC: return exc_name(s->st.excs[v.id].type);
    case V_GROUP: return "TaskGroup";
    default: return "unbound";
    }
}

static void format_exc(const Sim *s, SBuf *b, uint32_t id, bool repr)
{
    const ExcRec *e = &s->st.excs[id];
    const char *msg = e->msg == SIM_NONE ? NULL : val__str(s, e->msg);
    if (e->type == EXC_EXC_GROUP || e->type == EXC_BASE_EXC_GROUP) {
        uint32_t n = e->children == SIM_NONE ? 0 : s->st.lists[e->children].count;
        if (repr) {
            sbuf_puts(b, exc_name(e->type));
            sbuf_putc(b, '(');
            val__repr_cstr(b, msg ? msg : "");
            sbuf_puts(b, ", [");
            for (uint32_t i = 0; i < n; i++) {
                if (i)
                    sbuf_puts(b, ", ");
                val__format(s, b, s->st.litems[s->st.lists[e->children].first + i], true);
            }
            sbuf_puts(b, "])");
        } else {
            char tail[64];
            sbuf_puts(b, msg ? msg : "");
            snprintf(tail, sizeof tail, " (%u sub-exception%s)", n, n == 1 ? "" : "s");
            sbuf_puts(b, tail);
        }
        return;
    }
    if (repr) {
        sbuf_puts(b, exc_name(e->type));
        sbuf_putc(b, '(');
        if (msg)
            val__repr_cstr(b, msg);
        sbuf_putc(b, ')');
    } else if (msg) {
        if (e->type == EXC_KEY)
            val__repr_cstr(b, msg);
        else
            sbuf_puts(b, msg);
    }
}

/* taskgroups.TaskGroup.__repr__: "<TaskGroup tasks=1 errors=1 cancelling>". */
void val__group_repr(const Sim *s, SBuf *b, uint32_t g)
{
    const Group *gr = &s->st.groups[g];
    char buf[64];
    sbuf_puts(b, "<TaskGroup");
    if (gr->ntasks) {
        snprintf(buf, sizeof buf, " tasks=%u", gr->ntasks);
        sbuf_puts(b, buf);
    }
    if (gr->nerrors) {
        snprintf(buf, sizeof buf, " errors=%u", gr->nerrors);
        sbuf_puts(b, buf);
    }
    if (gr->aborting)
        sbuf_puts(b, " cancelling");
    else if (gr->entered)
        sbuf_puts(b, " entered");
    sbuf_putc(b, '>');
}

void val__format(const Sim *s, SBuf *b, Value v, bool repr)
{
    char buf[64];
    switch (v.type) {
    case V_NONE: sbuf_puts(b, "None"); break;
    case V_BOOL: sbuf_puts(b, v.u.i ? "True" : "False"); break;
    case V_INT:
        sbuf_putn(b, buf, val__fmt_int(buf, v.u.i));
        break;
    case V_FLOAT: val__format_float(b, v.u.f); break;
    case V_PSTR:
    case V_STR:
        if (repr)
            val__repr_cstr(b, value_cstr(s, v));
        else
            sbuf_puts(b, value_cstr(s, v));
        break;
    case V_LIST: {
        const ListRec *l = &s->st.lists[v.id];
        sbuf_putc(b, '[');
        for (uint32_t i = 0; i < l->count; i++) {
            if (i)
                sbuf_puts(b, ", ");
            val__format(s, b, s->st.litems[l->first + i], true);
        }
        sbuf_putc(b, ']');
        break;
    }
    case V_TASK:
        sbuf_puts(b, "<Task ");
        sbuf_puts(b, rec_text(&s->rec, s->rec.tasks[v.id].name));
        sbuf_putc(b, '>');
        break;
    case V_EXC: format_exc(s, b, v.id, repr); break;
    case V_GROUP: val__group_repr(s, b, v.id); break;
    default: sbuf_puts(b, "<unbound>"); break;
    }
}

bool val__template_buf(Sim *s, uint32_t tmpl, uint32_t frame, uint32_t code, SBuf *b,
                      uint32_t *bad_slot)
{
    const char *z = prog_s(s->prog, tmpl);
    const Code *c = &s->codes[code];
    *bad_slot = SIM_NONE;
    for (const char *p = z; *p; p++) {
        if (p[0] == '{' && p[1] == '{') {
            sbuf_putc(b, '{');
            p++;
        } else if (p[0] == '}' && p[1] == '}') {
            sbuf_putc(b, '}');
            p++;
        } else if (p[0] == '{') {
            const char *end = strchr(p, '}');
            if (!end)
                break;
            size_t n = (size_t)(end - p - 1);
            uint32_t slot = SIM_NONE;
            if (c->coro != PROG_NONE) {
                const Coro *co = &s->prog->coros[c->coro];
                for (uint32_t i = 0; i < co->nlocals; i++) {
                    const char *nm = prog_local_name(s->prog, c->coro, i);
                    if (strlen(nm) == n && memcmp(nm, p + 1, n) == 0) {
                        slot = i;
                        break;
                    }
                }
            }
            if (slot == SIM_NONE)
                return false;
            Value v = s->st.slots[s->st.frames[frame].slots + slot];
            if (v.type == V_UNBOUND) {
                *bad_slot = slot;
                return false;
            }
            val__format(s, b, v, false);
            p = end;
        } else { /* a run of plain text, up to the next brace */
            size_t k = strcspn(p, "{}");
            if (k == 0)
                k = 1; /* a lone '}' */
            sbuf_putn(b, p, k);
            p += k - 1;
        }
    }
    return true;
}

uint32_t val__template(Sim *s, uint32_t tmpl, uint32_t frame, uint32_t code, bool *unbound,
                       uint32_t *bad_var)
{
    SBuf *b = core__scratch(s);
    *unbound = !val__template_buf(s, tmpl, frame, code, b, bad_var);
    if (*unbound || b->oom) {
        if (b->oom)
            sim__fail_nomem(s);
        return SIM_NONE;
    }
    return val__new_str(s, b->p ? b->p : "", b->n);
}
