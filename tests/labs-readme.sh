#!/usr/bin/env bash
# tests/labs-readme.sh LABDIR: run the ```sh blocks of LABDIR/README.md, in order, the way a
# student pastes them into one terminal: one bash -euo pipefail session from the repository
# root, with bin/ on PATH (so `lklab` works), STUDENT=ci-student and LAB_DATA=<tmp>/data.
# Blocks fenced ```text are output only and are not run. Fails naming the block that failed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
[ $# -eq 1 ] || { echo "usage: tests/labs-readme.sh LABDIR" >&2; exit 2; }
readme="$1/README.md"
[ -f "$readme" ] || { echo "labs-readme: no '$readme'" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lklab-readme.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# One script: before each block, the block's number and README line; an EXIT trap names
# the block that was running when a command failed.
awk -v readme="$readme" '
    BEGIN { print "__block=0; __line=0"
            print "trap '\''__rc=$?; if [ $__rc -ne 0 ]; then echo \"labs-readme: " readme \
                  ": block $__block (line $__line) failed with exit $__rc\" >&2; fi'\'' EXIT" }
    /^```sh[[:space:]]*$/ { inblock = 1; n++; printf "__block=%d; __line=%d\n", n, NR + 1; next }
    /^```/ && inblock     { inblock = 0; next }
    inblock               { print }
    END { if (n == 0) { print "echo \"labs-readme: " readme " has no sh blocks\" >&2; exit 1" }
          if (inblock) { print "echo \"labs-readme: " readme ": unclosed sh block\" >&2; exit 1" } }
' "$readme" > "$tmp/readme.sh"

cd "$root"
env PATH="$root/bin:$PATH" STUDENT=ci-student LAB_DATA="$tmp/data" \
    bash -euo pipefail "$tmp/readme.sh" > "$tmp/out.log" 2>&1 || {
    rc=$?
    tail -n 30 "$tmp/out.log" >&2
    exit $rc
}
