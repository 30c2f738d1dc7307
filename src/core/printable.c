/* printable.c -- Python's str.isprintable() for one code point, and UTF-8
 * decoding (see printable.h). The table is generated: printable_table.c.
 *
 * Depends on: printable.h.  Used by: value.c (repr), exp_python.c (literals).
 */
#include "printable.h"

#include <stdio.h>

bool uni_is_printable(uint32_t cp)
{
    if (cp < 0x80)
        return cp >= 0x20 && cp < 0x7f;
    uint32_t lo = 0, hi = uni_nescaped;
    while (lo < hi) { /* the first range that ends at or after cp */
        uint32_t mid = lo + (hi - lo) / 2;
        if (uni_escaped[mid][1] < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return !(lo < uni_nescaped && uni_escaped[lo][0] <= cp);
}

uint32_t uni_utf8_decode(const unsigned char *p, int *len)
{
    if (p[0] < 0x80) {
        *len = 1;
        return p[0];
    }
    if (p[0] >= 0xc0 && p[0] < 0xe0 && (p[1] & 0xc0) == 0x80) {
        *len = 2;
        return (uint32_t)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
    }
    if (p[0] >= 0xe0 && p[0] < 0xf0 && (p[1] & 0xc0) == 0x80 && (p[2] & 0xc0) == 0x80) {
        *len = 3;
        return (uint32_t)(p[0] & 0x0f) << 12 | (uint32_t)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
    }
    if (p[0] >= 0xf0 && p[0] < 0xf8 && (p[1] & 0xc0) == 0x80 && (p[2] & 0xc0) == 0x80 &&
        (p[3] & 0xc0) == 0x80) {
        *len = 4;
        return (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3f) << 12 |
               (uint32_t)(p[2] & 0x3f) << 6 | (p[3] & 0x3f);
    }
    *len = 1; /* not UTF-8: the byte alone */
    return p[0];
}

void uni_escape(uint32_t cp, char *buf)
{
    snprintf(buf, 11, cp <= 0xff ? "\\x%02x" : cp <= 0xffff ? "\\u%04x" : "\\U%08x", (unsigned)cp);
}
