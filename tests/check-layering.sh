#!/bin/sh
# check-layering.sh LIBCORE -- the core is pure: no SDL, no cJSON, no I/O, no clock, no globals.
# (style.md 3.1: a machine checks the "data flows one way" rule.)
set -u
lib="$1"
fail=0
bad=$(nm -u "$lib" | awk '{print $2}' | grep -E '^(SDL_|TTF_|IMG_|cJSON_|fopen|fwrite|fread|printf|fprintf|puts|fputs|getenv|time|clock_gettime|gettimeofday|open|read|write)$' || true)
if [ -n "$bad" ]; then echo "check-layering: src/core calls I/O or UI functions: $bad"; fail=1; fi
# writable data sections only (.data.rel.ro holds const tables of pointers)
glob=$(objdump -t "$lib" | awk '$0 ~ / (\.data|\.bss|\*COM\*)[[:space:]]/ && $NF !~ /^\./ {print $NF}' || true)
if [ -n "$glob" ]; then echo "check-layering: src/core has mutable globals: $glob"; fail=1; fi
inc=$(grep -lE '#include *[<"](SDL|cjson/|cJSON)' src/core/* 2>/dev/null || true)
if [ -n "$inc" ]; then echo "check-layering: src/core includes SDL or cJSON: $inc"; fail=1; fi
int=$(grep -lE '#include *"core_int.h"' src/scenario/* src/export/* src/ui/* src/main.c 2>/dev/null || true)
if [ -n "$int" ]; then echo "check-layering: core_int.h included outside src/core: $int"; fail=1; fi
[ $fail = 0 ] && echo "check-layering: ok (core is pure: no SDL/cJSON/I-O/globals)"
exit $fail
