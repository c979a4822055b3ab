// @ts-check
// Browser test of `[output.html] raw-html` in headless Chromium: one page of XSS payloads
// (OWASP cheat-sheet style, tests/fixtures/hostile_html/payloads.txt), each as a block and
// inline, plus Markdown links with dangerous schemes, built by `kb build` in each mode and
// opened over file://. With `sanitize` and `escape` no dialog fires, even after clicking
// every hostile link; in every mode no link the browser resolves is `javascript:`,
// `vbscript:` or `data:`, and clicking every link fires no dialog of theirs. `allow` is
// mdBook's (raw HTML runs): there the payloads' dialogs must fire, which shows the
// detector works. Run through run-browser.sh.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');

const HERE = dirname(fileURLToPath(import.meta.url));
const KB = process.env.KB || '';
const OUT = process.env.KB_RAW_HTML_OUT || '';
const PAYLOADS = readFileSync(join(HERE, '../fixtures/hostile_html/payloads.txt'), 'utf8')
  .split('\n')
  .filter((line) => line !== '');
const DANGEROUS = ['javascript:', 'vbscript:', 'data:'];
/** Links whose only dialog says "link", so a click's dialog is told from the payloads'. */
const LINKS = [
  "javascript:alert('link')",
  "JaVaScRiPt:alert('link')",
  " javascript:alert('link')",
  "java&#09;script:alert('link')",
  "&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert('link')",
  "javascript&colon;alert('link')",
  "data:text/html,<script>alert('link')</script>",
];

/** @type {import('playwright-core').Browser} */
let browser;

/** Builds the payload page with `raw-html = mode`; returns the page's file URL. */
function build(mode) {
  const src = join(OUT, `src-${mode}`);
  rmSync(src, { recursive: true, force: true });
  mkdirSync(join(src, 'content'), { recursive: true });
  writeFileSync(join(src, 'book.toml'), `[book]\ntitle = "Hostile"\n\n[output.html]\nraw-html = "${mode}"\n`);
  let page = '# Hostile\n\n[md-js](javascript:alert(\'link\')) [md-data](data:text/html,x)\n\n';
  page += LINKS.map((href, i) => `<a href="${href}">link-${i}</a>`).join(' ') + '\n\n';
  for (const payload of PAYLOADS) page += `${payload}\n\ntext ${payload} inline\n\n`;
  writeFileSync(join(src, 'content', 'index.md'), page);
  // `<img src=x>` is a link kb checks: give it its file.
  writeFileSync(join(src, 'content', 'x'), '');
  const dest = join(OUT, mode);
  execFileSync(KB, ['build', '--root', src, '--dest', dest], { stdio: 'pipe' });
  return pathToFileURL(join(dest, 'index.html')).href;
}

before(async () => {
  assert.ok(KB && OUT, 'set KB (a kb binary) and KB_RAW_HTML_OUT (a scratch folder)');
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
});

/** Opens `url`, clicks every link of the page's article, and reports what happened. */
async function visit(url) {
  const page = await browser.newPage();
  /** @type {string[]} */
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  await page.goto(url);
  await page.waitForTimeout(500);
  // Every link and form target as the browser resolved it.
  const targets = await page.evaluate(() => [
    ...[...document.querySelectorAll('a[href], area[href]')].map((a) => /** @type {HTMLAnchorElement} */ (a).href),
    ...[...document.querySelectorAll('form')].map((f) => f.action),
    ...[...document.querySelectorAll('[formaction]')].map((b) => /** @type {HTMLButtonElement} */ (b).formAction),
    ...[...document.querySelectorAll('iframe[src], embed[src]')].map((e) => /** @type {HTMLIFrameElement} */ (e).src),
  ]);
  const mdLink = await page.locator('main a', { hasText: 'md-js' }).getAttribute('href');
  const hrefs = await page.$$eval('main a[href]', (as) => as.map((a) => a.getAttribute('href') || ''));
  for (const [i, href] of hrefs.entries()) {
    // Links within the page or to the site are not the hostile ones.
    if (href.startsWith('#') || href.startsWith('http')) continue;
    await page.locator('main a[href]').nth(i).click({ force: true, noWaitAfter: true, timeout: 2000 }).catch(() => {});
    await page.waitForTimeout(50);
    if (page.url() !== url) await page.goto(url);
  }
  await page.waitForTimeout(300);
  await page.close();
  return { dialogs, fromLinks: dialogs.filter((m) => m === 'link'), targets, mdLink, clicked: hrefs.length };
}

function assertNoDangerousTargets(mode, { targets, mdLink }) {
  // The Markdown link to `javascript:` is there in every mode, made inert.
  assert.equal(mdLink, 'about:invalid#kb-unsafe-url', `${mode}: the Markdown javascript: link`);
  for (const target of targets) {
    assert.ok(!DANGEROUS.some((scheme) => target.toLowerCase().startsWith(scheme)), `${mode}: ${target} is clickable`);
  }
}

for (const mode of ['sanitize', 'escape']) {
  test(`raw-html = ${mode}: no dialog fires and no link runs code`, async () => {
    const seen = await visit(build(mode));
    assert.deepEqual(seen.dialogs, [], `${mode}: dialogs fired`);
    assertNoDangerousTargets(mode, seen);
  });
}

test('raw-html = allow: raw HTML runs (as in mdBook) but no link runs code when clicked', async () => {
  const seen = await visit(build('allow'));
  assert.ok(seen.dialogs.length > 0, 'allowed raw HTML runs its handlers: the dialog detector works');
  // The payloads' own links (javascript:, entity-encoded, vbscript:, data:...) were clicked.
  assert.ok(seen.clicked >= 12 + LINKS.length, `allow: ${seen.clicked} links clicked`);
  assert.deepEqual(seen.fromLinks, [], 'clicking the links fired a dialog');
  assertNoDangerousTargets('allow', seen);
});
