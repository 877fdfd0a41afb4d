// The dashboard of `lklab serve` in headless Chromium (docs/live.md "Dashboard"); numbers
// are read from the DOM, never from pixels. Two checks:
//   node check-dashboard.mjs live URL SHOT1.png SHOT2.png
//     during a live run: two screenshots some seconds apart; a Kappa run's batch count
//     and the instant shown must have changed between them.
//   node check-dashboard.mjs slider URL LAMBDA_RUN BEFORE_MS AFTER_MS CUTOFF_MS TRUTH.csv SHOT.png
//     on a finished Lambda run, with the slider: at BEFORE (just before a batch view with
//     that cutoff lands) some window older than CUTOFF - 10 min differs from the truth so
//     far for some group (the speed layer counts duplicates); at AFTER (it has landed) no
//     such window differs for that group, and the page's truth column equals TRUTH.csv
//     (`lklab truth --as-of AFTER`) for the group. Metric: events. First, raw requests for
//     files (/../, %2e%2e, absolute paths, the run's own files: DASH_RUN_DIR) must all be
//     404 and a POST 405: no URL maps to a file.
// Fails (exit 1, one line per problem) also on any console or page error and on any
// request that does not go to URL's origin. Exit 2: usage; 4: no browser.
import { withBrowser } from './browser.mjs';
import { readFileSync } from 'node:fs';
import http from 'node:http';

const [mode, url, ...rest] = process.argv.slice(2);
if (!(mode === 'live' && rest.length === 2) && !(mode === 'slider' && rest.length === 6)) {
  console.error('usage: check-dashboard.mjs live URL SHOT1 SHOT2 | slider URL RUN BEFORE AFTER CUTOFF TRUTH.csv SHOT');
  process.exit(2);
}
let problems = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// the number of completed loads (body[data-loaded]); wait until it passes n
async function loadsPast(page, n, timeout = 30000) {
  await page.waitForFunction((k) => +(document.body.dataset.loaded || 0) > k, { timeout }, n);
  return page.evaluate(() => +document.body.dataset.loaded);
}
const loads = (page) => page.evaluate(() => +(document.body.dataset.loaded || 0));

// what the page shows: the instant, and per run card its fields
function readCards() {
  const cards = {};
  for (const c of document.querySelectorAll('.card')) {
    const f = {};
    for (const b of c.querySelectorAll('b[data-field]')) f[b.dataset.field] = b.textContent;
    cards[c.dataset.run] = f;
  }
  return { now: document.getElementById('now').textContent, cards };
}

async function live(page, shot1, shot2) {
  await loadsPast(page, 0, 60000);
  // wait for a Kappa run with a batch
  await page.waitForFunction(() => [...document.querySelectorAll('b[data-field=batches]')]
    .some((b) => +b.textContent > 0), { timeout: 60000 });
  const a = await page.evaluate(readCards);
  await page.screenshot({ path: shot1, fullPage: true });
  let b = a;
  for (let i = 0; i < 30; i++) { // a batch commits every few seconds at the test's speed
    await sleep(1000);
    b = await page.evaluate(readCards);
    if (i >= 2 && b.now !== a.now && JSON.stringify(b.cards) !== JSON.stringify(a.cards)) break;
  }
  await page.screenshot({ path: shot2, fullPage: true });
  const kappas = Object.keys(a.cards).filter((k) => a.cards[k].batches !== undefined);
  if (b.now === a.now) problems.push(`the instant shown did not change: ${a.now}`);
  if (!kappas.some((k) => b.cards[k] && +b.cards[k].batches > +a.cards[k].batches))
    problems.push(`no Kappa batch count grew: ${JSON.stringify(a.cards)} then ${JSON.stringify(b.cards)}`);
  console.log(`browser: live: ${a.now} -> ${b.now}; ` + kappas.map((k) =>
    `${k} batches ${a.cards[k].batches} -> ${b.cards[k].batches}, late ${a.cards[k].late_events} -> ${b.cards[k].late_events}`).join('; '));
}

// the full table for the current state: [{ws, truth, run}] (text as shown)
function readAll(run) {
  return [...document.querySelectorAll('#all td[data-run=truth]')].map((t) => {
    const c = document.querySelector(`#all td[data-run="${run}"][data-ws="${t.dataset.ws}"]`);
    return { ws: +t.dataset.ws, truth: t.textContent, run: c ? c.textContent : null };
  });
}

async function setSlider(page, at) {
  const n = await loads(page);
  await page.evaluate((v) => {
    document.getElementById('follow').checked = false;
    const s = document.getElementById('slider');
    s.value = v;
    s.dispatchEvent(new Event('change'));
  }, String(at));
  await loadsPast(page, n);
  const shown = await page.evaluate(() => +document.getElementById('slider').value);
  if (shown !== at) problems.push(`slider at ${shown}, wanted ${at} (step or range)`);
}

async function setGroup(page, g) {
  const n = await loads(page);
  await page.select('#group', String(g));
  await loadsPast(page, n);
}

// raw requests (paths sent as written, no URL normalising): nothing outside the API answers
function raw(method, path) {
  const u = new URL(url);
  return new Promise((res) => {
    const req = http.request({ host: u.hostname, port: u.port, method, path }, (r) => {
      let body = '';
      r.on('data', (c) => { body += c; });
      r.on('end', () => res({ status: r.statusCode, body }));
    });
    req.on('error', (e) => res({ status: 0, body: e.message }));
    req.end();
  });
}
async function paths(runDir) {
  const abs = `${process.cwd()}/${runDir}`;
  for (const p of ['/../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/etc/passwd', '//etc/passwd',
                   '/api/../../etc/passwd', '/..%2f..%2fetc%2fpasswd', `${abs}/run.json`, `/${runDir}/run.json`,
                   `/${runDir}/serving.db`, '/api/meta/../../run.json', '/run.json', '/serving.db']) {
    const r = await raw('GET', p);
    if (r.status !== 404 || /root:|SQLite format|"stack"/.test(r.body))
      problems.push(`GET ${p} answered ${r.status}: ${r.body.slice(0, 80)}`);
  }
  const post = await raw('POST', '/api/meta');
  if (post.status !== 405) problems.push(`POST answered ${post.status}, want 405 (read-only)`);
}

async function slider(page, run, before, after, cutoff, truthCsv, shot) {
  await paths(process.env.DASH_RUN_DIR || 'out');
  await loadsPast(page, 0, 60000);
  await page.evaluate(() => { document.getElementById('every').open = true; });
  await page.select('#metric', '0');
  const groups = await page.evaluate(() => [...document.querySelectorAll('#group option')].map((o) => o.textContent));
  const old = (rows) => rows.filter((r) => r.ws < cutoff - 600000 && r.run !== r.truth);
  await setSlider(page, before);
  let g = -1, diffBefore = [];
  for (let i = 0; i < groups.length && g < 0; i++) {
    await setGroup(page, i);
    diffBefore = old(await page.evaluate(readAll, run));
    if (diffBefore.length) g = i;
  }
  if (g < 0) { problems.push(`no group differs from the truth before the batch view at ${before}`); return; }
  await setSlider(page, after);
  const rows = await page.evaluate(readAll, run);
  const diffAfter = old(rows);
  await page.evaluate(() => { document.getElementById('every').open = false; });
  await page.screenshot({ path: shot }); // the viewport: the charts and cards
  if (diffAfter.length) problems.push(`after the batch view, ${run} still differs for ${groups[g]}: ${JSON.stringify(diffAfter.slice(0, 3))}`);
  // the truth column against lklab truth --as-of AFTER
  const lines = readFileSync(truthCsv, 'utf8').trim().split('\n');
  const head = lines[0].split(','), want = new Map();
  const [tenant, type] = groups[g].split('/');
  for (const l of lines.slice(1)) {
    const f = l.split(',');
    if (f[0] === tenant && f[1] === type) want.set(Date.parse(f[2]), f[head.indexOf('events')]);
  }
  const got = new Map(rows.map((r) => [r.ws, r.truth]));
  if (got.size !== want.size || [...want].some(([k, v]) => got.get(k) !== v))
    problems.push(`the page's truth for ${groups[g]} (${got.size} windows) is not lklab truth --as-of (${want.size})`);
  console.log(`browser: slider: ${groups[g]} events: ${diffBefore.length} windows before ${new Date(cutoff - 600000).toISOString()} ` +
              `differ from the truth just before the batch view lands (e.g. ${diffBefore[0].truth} vs ${run} ${diffBefore[0].run}), ` +
              `${diffAfter.length} after; the truth column equals lklab truth --as-of (${want.size} windows)`);
}

await withBrowser(async (browser, found) => {
  problems = found;
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 1000 });
  const origin = new URL(url).origin;
  await page.setRequestInterception(true);
  page.on('request', (req) => {
    if (req.url().startsWith(origin + '/')) req.continue();
    else { problems.push(`request outside the server blocked: ${req.url().slice(0, 120)}`); req.abort('blockedbyclient'); }
  });
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text().slice(0, 200)}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${String(e.message).slice(0, 200)}`));
  await page.goto(url, { waitUntil: 'load', timeout: 60000 });
  if (mode === 'live') await live(page, rest[0], rest[1]);
  else await slider(page, rest[0], +rest[1], +rest[2], +rest[3], rest[4], rest[5]);
});
