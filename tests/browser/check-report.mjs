// make browser: render a report.html in headless Chromium and check what a reader sees.
//   node tests/browser/check-report.mjs REPORT.html SCREENSHOT.png [MIN_IMAGES]
// Fails (exit 1, one line per problem) when an <img> did not decode (naturalWidth 0), when
// fewer than MIN_IMAGES images are on the page, on any console error or page error, and on
// any request that is not file: or data: (every such request is blocked before it leaves).
// Saves a full-page screenshot to SCREENSHOT.png either way. Exit 2: bad usage; 4: the
// browser could not be started (CHROMIUM names the binary, default /usr/bin/chromium).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { withBrowser } from './browser.mjs';

const [html, shot, minArg] = process.argv.slice(2);
if (!html || !shot || !existsSync(html)) {
  console.error('usage: node check-report.mjs REPORT.html SCREENSHOT.png [MIN_IMAGES]' +
                (html && !existsSync(html) ? ` (no file '${html}')` : ''));
  process.exit(2);
}
const minImages = Number(minArg ?? 1);
await withBrowser(async (browser, problems) => {
  const page = await browser.newPage();
  await page.setViewport({ width: 1200, height: 900 });
  await page.setRequestInterception(true);
  page.on('request', (req) => {
    const url = req.url();
    if (url.startsWith('file:') || url.startsWith('data:')) {
      req.continue();
    } else {
      problems.push(`external request blocked: ${url.slice(0, 120)}`);
      req.abort('blockedbyclient');
    }
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text().slice(0, 200)}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${String(e.message).slice(0, 200)}`));
  page.on('requestfailed', (req) => {
    if (req.url().startsWith('file:'))
      problems.push(`failed to load: ${req.url().slice(0, 120)}`);
  });

  await page.goto(pathToFileURL(resolve(html)).href, { waitUntil: 'load', timeout: 60000 });
  const imgs = await page.evaluate(async () => {
    const all = [...document.images];
    await Promise.all(all.map((i) => (i.complete ? null : i.decode().catch(() => null))));
    return all.map((i) => ({ alt: i.alt, src: i.getAttribute('src').slice(0, 40),
                             w: i.naturalWidth, h: i.naturalHeight }));
  });
  for (const i of imgs)
    if (!(i.w > 0)) problems.push(`image not decoded: alt '${i.alt}' src '${i.src}...'`);
  if (imgs.length < minImages)
    problems.push(`${imgs.length} images on the page, expected at least ${minImages}`);
  await page.screenshot({ path: shot, fullPage: true });
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  console.log(`browser: ${imgs.filter((i) => i.w > 0).length} of ${imgs.length} images decoded` +
              ` (${imgs.map((i) => `${i.w}x${i.h}`).join(' ')}), page ${height} px high;` +
              ` screenshot ${shot}`);
});
