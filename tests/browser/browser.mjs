// What the browser checks share: headless Chromium (CHROMIUM names the binary, default
// Debian's /usr/bin/chromium) driven by puppeteer-core, and the report of problems.
//   await withBrowser(async (browser, problems) => { ... problems.push('...') ... })
// runs the check, closes the browser, prints one line per problem and exits: 0 none,
// 1 some (a thrown error is one), 4 the browser could not be started.
import puppeteer from 'puppeteer-core';

export async function withBrowser(check) {
  const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
  const problems = [];
  let browser;
  try {
    browser = await puppeteer.launch({
      executablePath: chromium,
      headless: true,
      // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
             '--disable-background-networking', '--disable-component-update'],
    });
  } catch (e) {
    console.error(`browser: cannot start ${chromium}: ${e.message.split('\n')[0]}`);
    process.exit(4);
  }
  try {
    await check(browser, problems);
  } catch (e) {
    problems.push(`browser: ${e.message.split('\n')[0]}`);
  } finally {
    await browser.close();
  }
  for (const p of problems) console.error(`browser: FAIL ${p}`);
  process.exit(problems.length ? 1 : 0);
}
