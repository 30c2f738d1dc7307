/* printable.h -- Python's str.isprintable() for one code point, and UTF-8.
 *
 * repr() of a str escapes what is not printable (value.c repr_str). The
 * table behind it is generated from CPython 3.11's Unicode database by
 * tools/gen-printable.py (src/core/printable_table.c).
 */
#ifndef LOOPSCOPE_PRINTABLE_H
#define LOOPSCOPE_PRINTABLE_H

#include <stdbool.h>
#include <stdint.h>

/* Whether Python 3.11 prints code point cp as it is in a str's repr. */
bool uni_is_printable(uint32_t cp);
/* The code point of the UTF-8 sequence at p (NUL-terminated: a sequence cut
 * short is not read past its end), its length in *len; a byte that starts no
 * valid sequence is returned alone, with *len 1. */
uint32_t uni_utf8_decode(const unsigned char *p, int *len);
/* Python's escape for cp as repr() writes it: \xhh up to U+00FF, \uhhhh up
 * to U+FFFF, else \Uhhhhhhhh; into buf (at least 11 bytes), NUL-ended. */
void uni_escape(uint32_t cp, char *buf);

/* The generated table (printable_table.c): the code points from U+0080 on
 * that repr() escapes, as uni_nescaped sorted inclusive ranges. */
extern const uint32_t uni_escaped[][2];
extern const uint32_t uni_nescaped;

#endif
