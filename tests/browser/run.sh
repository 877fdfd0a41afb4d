#!/usr/bin/env bash
# make browser: a sweep's report.html rendered in headless Chromium (check-report.mjs says
# what is checked). Installs what is missing first: Debian's chromium (apt, as make deps
# does) and puppeteer-core at the exact version of package-lock.json (npm ci into
# tests/browser/node_modules, git-ignored; again only when the lock file changes).
# BROWSER_SWEEP=S checks S's report (e.g. out/demo/sweep); default: the hand-made fixture
# sweep tests/fixtures/sweep, copied to out/browser/sweep. Writes out/browser/report.html
# and the screenshot out/browser/report.png.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=tests/browser
if ! command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null; then
  echo "make browser: installing chromium"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
command -v npm >/dev/null && command -v node >/dev/null ||
  { echo "make browser: needs node and npm (Node.js >= 18)" >&2; exit 1; }
if [ ! -f $here/node_modules/.package-lock.json ] ||
   [ $here/package-lock.json -nt $here/node_modules/.package-lock.json ]; then
  echo "make browser: npm ci (puppeteer-core, pinned in $here/package-lock.json)"
  (cd $here && npm ci --no-audit --no-fund --loglevel=error)
fi
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
