#!/bin/sh
# The layering of the sources (docs/layers.md), checked by `make test`: every #include "x.h"
# of a source folder names a header of the same folder or of a folder it may use. An
# include that points up (shared/ including a stack, a stack including compare/, kappa/ and
# lambda/ including each other) fails with one line per include. Also: no file of shared/
# but the run contract (lk_run.h) spells a stack's table or the contract's trigger and mode
# names, so the contract stays the one place they are written.
set -eu
cd "$(dirname "$0")/.."

# folder: the folders it may include from (itself always)
allowed() {
    case $1 in
    shared) echo "" ;;
    datasets | kappa | lambda) echo "shared" ;;
    compare) echo "shared kappa lambda" ;;
    jobs) echo "shared compare" ;;
    plots) echo "shared compare" ;;
    cli) echo "shared datasets kappa lambda compare jobs plots" ;;
    esac
}

bad=0
tmp=$(mktemp)
for dir in shared datasets kappa lambda compare jobs plots cli; do
    ok="$dir $(allowed $dir)"
    for f in "$dir"/*.[ch]; do
        grep -o '^#include "[^"]*"' "$f" | sed 's/^#include "//; s/"$//' | while read -r h; do
            home=""
            for d in shared datasets kappa lambda compare jobs plots cli; do
                [ -f "$d/$h" ] && home=$d
            done
            case " $ok " in
            *" $home "*) ;;
            *) echo "layers: $f includes $h from ${home:-nowhere} (a $dir file may include: $ok)"
               echo x >&3 ;;
            esac
        done
    done
done 3>"$tmp"
[ -s "$tmp" ] && bad=1
rm -f "$tmp"

names=$(grep -rn '"batch_views"\|"speed_delta"\|"available-now"\|"update"' shared/ | grep -v '^shared/lk_run\.[ch]:' || true)
if [ -n "$names" ]; then
    echo "$names" | sed 's/^/layers: outside the run contract (shared\/lk_run.[ch]): /'
    bad=1
fi
[ $bad -eq 0 ] && echo "layers: ok (shared < datasets, kappa, lambda < compare < jobs, plots < cli)"
exit $bad
