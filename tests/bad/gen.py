#!/usr/bin/env python3
"""gen.py OUTDIR -- writes the large malformed scenarios of tests/bad.

These files are too big to commit (megabytes, or 10,000 levels deep), so
run.sh generates them into a temporary folder on every run. Their expected
diagnostics are committed next to the small cases, as NNN-name.expected.

  901-deep-lists.json    10,000 nested lists: the scanner must stop at 64
                         levels with an error, not overflow its stack
  902-deep-objects.json  the same with 10,000 nested objects
  903-huge-string.json   a 2,000,000-byte string (the limit is 1 MB)
  904-many-tasks.json    100,000 create_task statements, then one unknown
                         variable: the loader must stay fast (linear) and
                         report the right line
"""
import os
import sys


def write(outdir, name, text):
    with open(os.path.join(outdir, name), "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gen.py OUTDIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)

    n = 10000
    write(out, "901-deep-lists.json",
          '{"coroutines": {"main": ' + "[" * n + "]" * n + "}}\n")
    write(out, "902-deep-objects.json",
          '{"coroutines": ' + '{"main": ' * n + "[]" + "}" * n + "}\n")
    write(out, "903-huge-string.json",
          '{\n  "coroutines": {\n    "main": [\n      {"print": "'
          + "a" * 2000000 + '"}\n    ]\n  }\n}\n')

    lines = ['{', '  "coroutines": {',
             '    "worker": {"params": ["n"], "body": [{"sleep": 1}]},',
             '    "main": [']
    for i in range(100000):
        lines.append('      {"create_task": "worker", "args": [%d], "as": "t%d"},' % (i, i))
    lines.append('      {"gather": ["t0", "t99999"], "as": "rs"},')
    lines.append('      {"print": "done: {rs} {total}"}')
    lines += ['    ]', '  }', '}']
    write(out, "904-many-tasks.json", "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
