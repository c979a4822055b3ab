// Browser test of kb search in headless Chromium, over http and over file://: the dialog
// opens from "/" and Ctrl-K, results appear as you type with marked excerpts, the ARIA
// combobox works with arrow keys, the area filter, "no results" help, hostile titles and
// queries stay text, axe finds nothing in light and dark, Enter follows a hit and the
// target page marks the words the engine matched (stemmed forms too) without loading
// search; on a large site, queries load index pages on demand. Run through
// run-browser.sh (it builds both sites).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readdir, readFile, rename, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
const AXE = require.resolve('axe-core/axe.min.js');

const SITE = resolve(process.env.KB_SEARCH_SITE || '');
// A generated site large enough that its index is paged: queries load pages on demand.
const LARGE = resolve(process.env.KB_SEARCH_LARGE_SITE || '');
// Both sites are served from their common parent folder.
const SERVE_ROOT = dirname(SITE);
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.bin': 'application/octet-stream', '.json': 'application/json' };

let server;
let browser;
let httpRoot;

before(async () => {
  assert.ok(process.env.KB_SEARCH_SITE, 'set KB_SEARCH_SITE to a built site');
  assert.ok(process.env.KB_SEARCH_LARGE_SITE && dirname(LARGE) === SERVE_ROOT,
    'set KB_SEARCH_LARGE_SITE to a large built site beside KB_SEARCH_SITE');
  server = createServer(async (req, res) => {
    try {
      let path = join(SERVE_ROOT, decodeURIComponent(new URL(req.url, 'http://x').pathname));
      if (!path.startsWith(SERVE_ROOT)) throw new Error('outside');
      if ((await stat(path)).isDirectory()) path = join(path, 'index.html');
      const body = await readFile(path);
      res.writeHead(200, { 'content-type': TYPES[extname(path)] || 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end('not found');
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  httpRoot = `http://127.0.0.1:${server.address().port}/`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

async function openPage(url) {
  const page = await browser.newPage();
  const requests = [];
  const errors = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('dialog', (d) => { errors.push('alert: ' + d.message()); d.dismiss(); });
  await page.goto(url);
  return { page, requests, errors };
}

async function typeQuery(page, text) {
  const input = page.locator('#kb-search-input');
  await input.fill('');
  await input.pressSequentially(text, { delay: 15 });
}

/** Waits until the results shown are those of the query `text` (the list of the query
 * before stays until they come: a check on it would race them). */
async function resultsFor(page, text) {
  await page.waitForFunction((q) => document.querySelector('#kb-search-results')?.getAttribute('data-query') === q, text);
}

/** Types a query and waits until its results are shown, the expected one first. */
async function expectFirst(page, text, pattern) {
  await typeQuery(page, text);
  await resultsFor(page, text);
  assert.match(await page.locator('#kb-search-results [role="option"]').first().textContent(), pattern);
}

async function axe(page) {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const r = await window.axe.run({ include: [['.kb-search']] }, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}

/** Declares the test `name` twice: from `site`'s home page over http and over file://. */
function overHttpAndFile(name, site, run) {
  test(`${name} over http`, () => run(httpRoot + basename(site) + '/index.html', 'http'));
  test(`${name} over file://`, () => run(pathToFileURL(join(site, 'index.html')).href, 'file'));
}

async function scenario(startUrl, transport) {
  const { page, requests, errors } = await openPage(startUrl);
  assert.equal(requests.filter((u) => u.includes('/search/')).length, 0, 'nothing search-related before opening');

  // Escape right after "/", before search.js has loaded: the dialog does not open.
  await page.keyboard.press('/');
  await page.keyboard.type('x');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => window.kbSearch);
  await page.waitForTimeout(200);
  assert.equal(await page.locator('dialog.kb-search[open]').count(), 0, `${transport}: cancelled opening`);

  // "/" opens the dialog with the input focused.
  await page.keyboard.press('/');
  const dialog = page.locator('dialog.kb-search[open]');
  await dialog.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'kb-search-input');

  // Results as you type, grouped by page, with marked excerpts.
  await expectFirst(page, 'max open conns', /Go database\/sql settings/);
  const options = page.locator('#kb-search-results [role="option"]');
  assert.ok((await page.locator('#kb-search-results mark').count()) > 0, 'excerpt marks');
  const input = page.locator('#kb-search-input');
  assert.equal(await input.getAttribute('role'), 'combobox');
  assert.equal(await input.getAttribute('aria-expanded'), 'true');
  const firstId = await options.first().getAttribute('id');
  assert.equal(await input.getAttribute('aria-activedescendant'), firstId);

  // Search-as-you-type on a partial word, then arrow keys move the active option.
  await expectFirst(page, 'conn', /Go database\/sql settings/);
  await page.waitForFunction(() => document.querySelectorAll('#kb-search-results [role="option"]').length > 1);
  await page.keyboard.press('ArrowDown');
  const second = await options.nth(1).getAttribute('id');
  assert.equal(await input.getAttribute('aria-activedescendant'), second);
  assert.equal(await options.nth(1).getAttribute('aria-selected'), 'true');
  await page.keyboard.press('ArrowUp');
  assert.equal(await input.getAttribute('aria-activedescendant'), await options.first().getAttribute('id'));

  // Accessibility, light and dark.
  assert.deepEqual(await axe(page), [], 'axe (light)');
  await page.evaluate(() => document.documentElement.setAttribute('data-theme', 'dark'));
  assert.deepEqual(await axe(page), [], 'axe (dark)');
  await page.evaluate(() => document.documentElement.setAttribute('data-theme', 'light'));

  // Hostile page title and query are shown as text.
  await typeQuery(page, 'escaping test');
  await page.waitForFunction(() => /<img src=x/.test(document.querySelector('#kb-search-results')?.textContent || ''));
  await typeQuery(page, '<img src=x onerror=window.__kbXss=3>');
  await page.waitForFunction(() => /<img src=x onerror/.test(document.querySelector('#kb-search-status')?.textContent + document.querySelector('#kb-search-results')?.textContent));
  assert.equal(await page.locator('.kb-search img, .kb-search script, .kb-search svg').count(), 0);
  assert.equal(await page.evaluate(() => window.__kbXss), undefined);

  // A word no page has is left out, and the dialog says which and what it searched.
  await typeQuery(page, 'pools zzzzqqq');
  await page.waitForFunction(() => /left out zzzzqqq; showing results for pools\./
    .test(document.querySelector('.kb-search__dropped')?.textContent || ''));
  assert.ok(await options.count() > 0, 'results for the words that are kept');
  assert.equal(await page.locator('.kb-search__dropped code').first().textContent(), 'zzzzqqq');

  // No indexed word at all: say so and offer something.
  await typeQuery(page, 'zzzzqqq');
  await page.waitForFunction(() => /No results/.test(document.querySelector('#kb-search-status').textContent));
  assert.equal(await options.count(), 0);
  assert.equal(await input.getAttribute('aria-expanded'), 'false');
  assert.equal(await page.locator('.kb-search__dropped').count(), 0);

  // Area filter: only that area's sections.
  await typeQuery(page, 'index');
  await options.first().waitFor();
  const area = page.locator('#kb-search-area');
  const databases = await area.locator('option').filter({ hasText: /^Database Management/ }).getAttribute('value');
  await area.selectOption(databases);
  await page.waitForFunction(() => document.querySelector('#kb-search-area').value !== '' &&
    [...document.querySelectorAll('.kb-search__page-area')].every((e) => e.textContent === 'Database Management (SQL, NoSQL, NewSQL)'));
  await area.selectOption('');

  // On a phone everything fits the dialog: a long area name (in the results and in the
  // area filter) wraps or shrinks instead of running off the edge.
  await page.setViewportSize({ width: 360, height: 740 });
  await page.waitForFunction(() => document.querySelectorAll('.kb-search__page-area').length > 0);
  const overflowing = await page.evaluate(() => {
    const box = document.querySelector('dialog.kb-search').getBoundingClientRect();
    return [...document.querySelectorAll('dialog.kb-search *:not(.kb-search__sr, .kb-search__title, option)')]
      .filter((e) => e.getBoundingClientRect().right > box.right + 0.5)
      .map((e) => `${e.id || e.className}: ${e.textContent.slice(0, 40)}`);
  });
  assert.deepEqual(overflowing, [], `${transport}: wider than the dialog`);
  await page.setViewportSize({ width: 1280, height: 720 });

  // Esc closes; Ctrl-K opens again.
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('dialog.kb-search').open);
  await page.keyboard.press('Control+k');
  await dialog.waitFor();

  // Enter follows the active hit; the target page marks the matched words.
  await expectFirst(page, 'max open conns', /Go database\/sql settings/);
  await Promise.all([page.waitForURL(/highlight=/), page.keyboard.press('Enter')]);
  const url = new URL(page.url());
  assert.match(url.pathname, /connection-pools/);
  assert.ok(url.hash.length > 1, 'deep link to the section');
  await page.locator('main#content mark.kb-highlight').first().waitFor();
  assert.ok(await page.evaluate((id) => !!document.getElementById(decodeURIComponent(id)), url.hash.slice(1)));

  // The transport: wasm over fetch on http, base64 scripts on file://.
  const used = (name) => requests.some((u) => u.endsWith('/search/' + name));
  if (transport === 'http') assert.ok(used('kb-search.wasm') && used('index.bin') && !used('index.js'));
  else assert.ok(used('kb-search-wasm.js') && used('index.js'));
  assert.deepEqual(errors, []);
  await page.close();
}

overHttpAndFile('search', SITE, scenario);

/** On a large site the head holds no hits: results need index pages, loaded as scripts
 * over http and from file:// alike. */
async function largeSite(startUrl, transport) {
  const { page, requests, errors } = await openPage(startUrl);
  // Typed straight after "/", before search.js has loaded and the box exists: no letter
  // may be lost.
  await page.keyboard.press('/');
  await page.keyboard.type('connection pool');
  await page.locator('dialog.kb-search[open]').waitFor();
  assert.equal(await page.locator('#kb-search-input').inputValue(), 'connection pool', `${transport}: typed ahead`);
  await page.waitForFunction(() => document.querySelectorAll('#kb-search-results [role="option"]').length >= 5);
  assert.ok((await page.locator('#kb-search-results mark').count()) > 0, 'excerpt marks');
  const pages = requests.filter((u) => u.includes('/search/pages/'));
  assert.ok(pages.length > 0 && pages.every((u) => u.endsWith('.js')), `page requests: ${pages.slice(0, 3)}`);
  const [id] = await readdir(join(LARGE, 'search', 'pages'));
  const all = await readdir(join(LARGE, 'search', 'pages', id));
  assert.ok(all.every((f) => f.endsWith('.js')), `${transport}: pages are scripts only`);
  assert.ok(pages.every((u) => u.includes(`/search/pages/${id}/`)), 'pages come from the folder of this index');
  assert.ok(new Set(pages).size < all.length / 2, `loaded ${new Set(pages).size} of ${all.length} pages`);
  await Promise.all([page.waitForURL(/highlight=/), page.keyboard.press('Enter')]);
  await page.locator('main#content mark.kb-highlight').first().waitFor();
  assert.deepEqual(errors, []);
  await page.close();
}

/** Saves `<name>-light.png` and `<name>-dark.png` to $KB_BROWSER_SHOTS, if set. */
async function screenshots(page, name) {
  const folder = process.env.KB_BROWSER_SHOTS;
  if (!folder) return;
  for (const theme of ['light', 'dark']) {
    await page.evaluate((t) => document.documentElement.setAttribute('data-theme', t), theme);
    await page.screenshot({ path: join(folder, `${name}-${theme}.png`) });
  }
}

/** Follows the hit for `timeouts`: the link carries the words the engine matched, the
 * target page marks them (the stemmed form `timeout` too) without loading any of search,
 * and Escape takes the marks away. Saves screenshots of the dialog and the marked page,
 * light and dark, to $KB_BROWSER_SHOTS when set. */
async function highlightOnTarget(startUrl, transport) {
  const { page, requests, errors } = await openPage(startUrl);
  await page.keyboard.press('/');
  await page.locator('dialog.kb-search[open]').waitFor();
  await expectFirst(page, 'timeouts', /Timeouts/);
  await screenshots(page, `dialog-${transport}`);
  const searchRequests = requests.length;
  await Promise.all([page.waitForURL(/highlight=/), page.keyboard.press('Enter')]);
  const url = new URL(page.url());
  assert.match(url.pathname, /connection-pools/);
  const words = url.searchParams.get('highlight').split(' ');
  // `timeout` was never typed: the engine matched it (in `context.WithTimeout`).
  assert.ok(words.includes('timeout'), `${transport}: engine's words in the link: ${words}`);
  await page.locator('main#content mark.kb-highlight').first().waitFor();
  const marked = await page.$$eval('main#content mark.kb-highlight', (ms) => ms.map((m) => m.textContent));
  assert.ok(marked.includes('Timeouts'), `${transport}: the heading is marked: ${marked}`);
  assert.ok(marked.includes('Timeout'), `${transport}: the stemmed form in WithTimeout is marked: ${marked}`);
  assert.deepEqual(marked.filter((t) => !words.includes(t.toLowerCase())), [], 'only the words of the link');
  assert.equal(await page.locator('code mark.kb-highlight').first().textContent(), 'Timeout');
  // The target page loads nothing of search: no module, no index, no search.js.
  const target = requests.slice(searchRequests).filter((u) => u.includes('/search/'));
  assert.deepEqual(target, [], `${transport}: search files requested by the target page`);
  assert.equal(await page.evaluate(() => typeof window.kbSearchEngine), 'undefined');
  await screenshots(page, `highlight-${transport}`);
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('mark.kb-highlight').count(), 0, 'Escape removes the marks');
  assert.match(await page.locator('main#content').textContent(), /context\.WithTimeout bounds/);

  // A word is marked whole or as a camelCase part, never inside another word: `pool`
  // marks "connection pool" but not "pools"; `max` marks `SetMaxOpenConns` and
  // `max_connections`.
  await page.goto(new URL('?highlight=pool+max', url).href);
  await page.locator('main#content mark.kb-highlight').first().waitFor();
  const parts = await page.$$eval('main#content mark.kb-highlight', (ms) => ms.map((m) =>
    (m.previousSibling?.textContent.slice(-8) || '') + '[' + m.textContent + ']' + (m.nextSibling?.textContent.slice(0, 8) || '')));
  assert.ok(parts.some((p) => p.includes('Set[Max]Open')), `marks: ${parts}`);
  assert.ok(parts.some((p) => p.includes('[max]_connect')), `marks: ${parts}`);
  assert.ok(parts.some((p) => p.includes('[pool] bounds')), `marks: ${parts}`);
  // Inside a word: a lower-case letter right after the mark, or a mark starting in lower
  // case right after a letter (a camelCase part starts in upper case).
  assert.ok(parts.every((p) => !/\][a-z]|[A-Za-z]\[[a-z]/.test(p)), `a mark inside a word: ${parts}`);
  assert.deepEqual(errors, []);
  await page.close();
}

overHttpAndFile('highlight on the target page', SITE, highlightOnTarget);

overHttpAndFile('a paged index', LARGE, largeSite);

test('pages of a rebuilt index: a clear message, no wrong results', async () => {
  const { page, errors } = await openPage(httpRoot + basename(LARGE) + '/index.html');
  const folder = join(LARGE, 'search', 'pages');
  const [id] = await readdir(folder);
  await page.keyboard.press('/');
  await page.locator('dialog.kb-search[open]').waitFor();
  // As if the site were rebuilt after this page loaded the head: its pages folder is gone.
  await rename(join(folder, id), join(folder, 'previous-build'));
  try {
    await typeQuery(page, 'connection pool');
    await page.waitForFunction(() => /reload the page/.test(document.querySelector('#kb-search-status').textContent));
    assert.equal(await page.locator('#kb-search-results [role="option"]').count(), 0);
  } finally {
    await rename(join(folder, 'previous-build'), join(folder, id));
  }
  assert.deepEqual(errors, []);
  await page.close();
});

/** Page files of the index among `requests`. */
const indexPages = (requests) => new Set(requests.filter((u) => u.includes('/search/pages/')).map((u) => u.split('/').pop()));

/** Opens search on the large site over http and returns the index pages `query` reads. */
async function pagesRead(query) {
  const { page, requests } = await openPage(httpRoot + basename(LARGE) + '/index.html');
  await page.keyboard.press('/');
  await page.locator('dialog.kb-search[open]').waitFor();
  await typeQuery(page, query);
  await resultsFor(page, query);
  // The results after the first five load once those are on screen: until no page is
  // asked for in half a second.
  let seen = -1;
  while (seen !== requests.length) {
    seen = requests.length;
    await page.waitForTimeout(500);
  }
  await page.close();
  return indexPages(requests);
}

test('the pages a query reads first come while the module loads, and none is asked for twice', async () => {
  const { page, requests, errors } = await openPage(httpRoot + basename(LARGE) + '/index.html');
  /** @type {() => void} */
  let release = () => {};
  const held = new Promise((r) => { release = () => r(undefined); });
  await page.route('**/search/kb-search.wasm', async (route) => { await held; await route.continue(); });
  const query = 'connection pool';
  await page.keyboard.press('/');
  await page.keyboard.type(query);
  for (let i = 0; i < 100 && indexPages(requests).size === 0; i++) await page.waitForTimeout(50);
  const ahead = indexPages(requests);
  assert.ok(ahead.size > 0, 'no index page asked for while the module loads');
  release();
  await resultsFor(page, query);
  assert.ok(await page.locator('#kb-search-results [role="option"]').count() > 0, 'no results');
  let seen = -1;
  while (seen !== requests.length) {
    seen = requests.length;
    await page.waitForTimeout(500);
  }
  const pages = requests.filter((u) => u.includes('/search/pages/'));
  assert.deepEqual(pages.filter((u, i) => pages.indexOf(u) !== i), [], 'pages asked for twice');
  // The pages fetched ahead are among those the same query reads in a visit of its own,
  // give or take a guess.
  const alone = await pagesRead(query);
  const unread = [...ahead].filter((p) => !alone.has(p));
  assert.ok(unread.length <= ahead.size / 4, `${unread.length} of ${ahead.size} pages fetched ahead are never read`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a query typed over loads no more pages, and the newer one answers whatever order pages arrive in', async () => {
  const older = 'connection pool';
  const newer = 'retry backoff jitter';
  const newerAlone = await pagesRead(newer);
  const { page, requests, errors } = await openPage(httpRoot + basename(LARGE) + '/index.html');
  // Every page request is held, then answered in the reverse order (a slow mobile link).
  const held = [];
  await page.route('**/search/pages/**', (route) => { held.push(route); });
  await page.keyboard.press('/');
  await page.locator('dialog.kb-search[open]').waitFor();
  await page.evaluate(() => window.kbSearchEngine.ready());
  await page.locator('#kb-search-input').fill(older);
  while (held.length === 0) await page.waitForTimeout(20);
  await page.waitForTimeout(300); // the whole first round of the older query
  const olderFirstRound = indexPages(requests);
  await page.locator('#kb-search-input').fill(newer);
  await page.waitForTimeout(300); // the newer query's first round, held too
  for (let i = 0; i < 400; i++) {
    const shown = await page.locator('#kb-search-results').getAttribute('data-query');
    if (shown === newer) break;
    await Promise.all(held.splice(0).reverse().map((r) => r.continue()));
    await page.waitForTimeout(50);
  }
  assert.equal(await page.locator('#kb-search-results').getAttribute('data-query'), newer, 'the newer query is answered');
  await page.waitForTimeout(500);
  await Promise.all(held.splice(0).map((r) => r.continue()));
  // The older query stopped after the pages it had asked for: the rest are the newer one's.
  const extra = [...indexPages(requests)].filter((p) => !olderFirstRound.has(p) && !newerAlone.has(p));
  assert.deepEqual(extra, [], 'pages loaded for the query typed over');
  assert.match(await page.locator('#kb-search-status').textContent(), /pages?\./);
  assert.deepEqual(errors, []);
  await page.close();
});

test('search loads on intent (pointer, focus), never on page load, not on intent with Save-Data', async () => {
  const url = httpRoot + basename(SITE) + '/index.html';
  const searchFiles = (requests) => requests.filter((u) => u.includes('/search/'));
  for (const intent of ['hover', 'focus']) {
    const { page, requests, errors } = await openPage(url);
    await page.waitForTimeout(300);
    assert.deepEqual(searchFiles(requests), [], 'nothing of search on page load');
    // The module and the head are on their way before the reader clicks.
    await Promise.all([
      page.waitForRequest(/\/search\/kb-search\.wasm$/),
      page.waitForRequest(/\/search\/index\.bin$/),
      intent === 'hover' ? page.hover('[data-kb-search-open]') : page.focus('[data-kb-search-open]'),
    ]);
    assert.equal(await page.locator('dialog.kb-search[open]').count(), 0, `${intent}: no dialog before the click`);
    await page.click('[data-kb-search-open]');
    await expectFirst(page, 'max open conns', /Go database\/sql settings/);
    assert.deepEqual(errors, []);
    await page.close();
  }
  // A reader who asked to save data loads search only by opening it.
  const page = await browser.newPage();
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.addInitScript(() => Object.defineProperty(navigator, 'connection', { value: { saveData: true } }));
  await page.goto(url);
  await page.hover('[data-kb-search-open]');
  await page.focus('[data-kb-search-open]');
  await page.waitForTimeout(500);
  assert.deepEqual(searchFiles(requests), [], 'Save-Data: nothing on intent');
  await page.keyboard.press('/');
  await expectFirst(page, 'max open conns', /Go database\/sql settings/);
  await page.close();
});
