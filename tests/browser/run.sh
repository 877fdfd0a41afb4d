#!/usr/bin/env bash
# make browser: a sweep's report.html rendered in headless Chromium (check-report.mjs says
# what is checked), then the dashboard's time slider on a finished Lambda run
# (check-dashboard.mjs). Installs what is missing first (tests/browser/setup.sh).
# BROWSER_SWEEP=S checks S's report (e.g. out/demo/sweep); default: the hand-made fixture
# sweep tests/fixtures/sweep, copied to out/browser/sweep. Writes out/browser/report.html
# and the screenshot out/browser/report.png.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=tests/browser
. $here/setup.sh
mkdir -p out/browser
sweep="${BROWSER_SWEEP:-}"
if [ -z "$sweep" ]; then
  rm -rf out/browser/sweep
  cp -r tests/fixtures/sweep out/browser/sweep
  sweep=out/browser/sweep
fi
bin/lklab report --sweep "$sweep" --out out/browser >/dev/null
# the six charts must all be there (a sweep without gnuplot fails here, as it should)
node $here/check-report.mjs out/browser/report.html out/browser/report.png 6

# the dashboard (lklab serve) on a finished Lambda run and a Kappa run: the slider just
# before and just after the first batch view lands (check-dashboard.mjs slider)
D=out/browser/dash
rm -rf $D && mkdir -p $D
bin/lklab gen --scenario clickstream --events 8000 --seed 11 --out $D/ds 2> /dev/null
bin/lklab lambda --data $D/ds --pipeline revenue --out $D/lambda --quiet
bin/lklab kappa --data $D/ds --pipeline revenue --out $D/kappa --trigger 1m --watermark 10m \
    --output-mode update --change-feed --durability process --quiet
# the first batch view: its cutoff (trigger_time) and when it became visible
IFS=, read -r _ _ cutoff visible _ < <(bin/lklab results --run $D/lambda --table progress --out - | grep -m1 '^batch,')
bin/lklab truth --data $D/ds --pipeline revenue --as-of "$(date -u -d @$((visible / 1000)).$(printf %03d $((visible % 1000))) +%Y-%m-%dT%H:%M:%S.%3NZ)" \
    --out $D/truth-after.csv --quiet
# usage: no --runs is exit 2, a run directory that does not exist exit 3 (one line each)
bin/lklab serve --port 0 2> $D/err && exit 1; [ $? = 2 ] && [ "$(wc -l < $D/err)" = 1 ] || { echo "serve without --runs: $(cat $D/err)"; exit 1; }
bin/lklab serve --runs $D/nothing --port 0 2> $D/err && exit 1; [ $? = 3 ] && [ "$(wc -l < $D/err)" = 1 ] || { echo "serve on a missing run: $(cat $D/err)"; exit 1; }
bin/lklab serve --runs $D/kappa $D/lambda --port 0 > $D/url 2> $D/serve.err &
serve=$!
trap 'kill $serve 2> /dev/null' EXIT
for _ in $(seq 50); do [ -s $D/url ] && break; sleep 0.1; done
DASH_RUN_DIR=$D/lambda node $here/check-dashboard.mjs slider "$(cat $D/url)" lambda $((visible - 1)) $visible $cutoff \
    $D/truth-after.csv out/browser/dashboard.png
kill $serve; wait $serve 2> /dev/null || true
trap - EXIT
rm -rf $D
