#!/usr/bin/env bash
# What the browser checks need, installed when missing: Debian's chromium (apt, as make
# deps does) and puppeteer-core at the exact version of package-lock.json (npm ci into
# tests/browser/node_modules, git-ignored; again only when the lock file changes).
# Sourced by tests/browser/run.sh and tests/live.sh from the repository's root.
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
