// Parity: the wasm module in node (V8, as in Chromium) must answer every request with
// exactly the JSON the native build gives, and stay fast and safe on hostile input.
// Run through run-parity.sh, which builds the native answers first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const require = createRequire(import.meta.url);
const { createEngine, requestString, pagesAhead, pageOfScript, bytesOfString } = require(join(root, 'themes/default/static/search/search.js'));
const dir = process.env.KB_PARITY_DIR || join(root, 'target/kb-search-parity');
const wasm = readFileSync(join(root, 'crates/kb-search-wasm/dist/kb_search.wasm'));

/** The bytes a page script (`__kbSearchPage(N,"<bytes>");`) hands to the loader. */
function pageOfFile(file, n) {
  const script = readFileSync(file);
  assert.ok(script.subarray(script.length - 4).equals(Buffer.from('");\n')), `${file} is not a page script`);
  return pageOfScript(script, n);
}

/** An engine over OUT/site/search/ of a dump, loading pages from disk as a browser would. */
async function engineOf(name) {
  const search = join(dir, name, 'site', 'search');
  const head = readFileSync(join(search, 'index.bin'));
  return createEngine(wasm, head, (id, n) => pageOfFile(join(search, 'pages', id, `${n}.js`), n));
}
const native = (name) => JSON.parse(readFileSync(join(dir, name, 'native.json'), 'utf8'));
const engine = await engineOf('small');

async function assertParity(eng, answers) {
  let withHits = 0;
  for (const { request, json } of answers) {
    const got = await eng.raw(request);
    if (got !== json) {
      // Show the hit lists side by side: the usual difference is order or a score.
      const brief = (j) => JSON.parse(j).hits.map((h) => `${h.url} ${h.score}`);
      assert.deepEqual(brief(got), brief(json), `hits differ for ${request}`);
      assert.equal(got, json, `JSON differs for ${request}`);
    }
    if (JSON.parse(json).hits.length) withHits++;
  }
  return withHits;
}

test('wasm answers every request byte-identically to the native build', async () => {
  const answers = native('small');
  assert.ok(answers.length >= 20, `only ${answers.length} requests`);
  const withHits = await assertParity(engine, answers);
  assert.ok(withHits >= 20, `only ${withHits} requests with hits`);
});

test('the data scripts give back every byte, read as bytes or as windows-1252 text', () => {
  // A page script as site_files.rs writes it, holding every byte value (and a few twice).
  const page = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) % 256);
  const escapes = { 0x22: '\\"', 0x5c: '\\\\', 0x0a: '\\n', 0x0d: '\\r' };
  const inside = [...page].flatMap((b) => (escapes[b] ? [...Buffer.from(escapes[b])] : [b]));
  const script = Buffer.concat([Buffer.from('__kbSearchPage(9,"'), Buffer.from(inside), Buffer.from('");\n')]);
  assert.deepEqual(pageOfScript(script, 9), page, 'read as bytes (http)');
  assert.throws(() => pageOfScript(script, 8), /not the script of page 8/);
  assert.throws(() => pageOfScript(script.subarray(0, 40), 9), /cut short/);
  // What a browser's script element gives: the string as windows-1252 text, unescaped
  // (node's TextDecoder reads windows-1252 as Latin-1, which bytesOfString takes too).
  const text = new TextDecoder('windows-1252').decode(page);
  assert.equal(text.length, page.length);
  assert.deepEqual(bytesOfString(text, 'page 9'), page, 'read as text (file://)');
  // windows-1252 as browsers read it (WHATWG's index): 0x80 is the euro sign, 0x81 has
  // no character of its own, 0x99 is the trade mark sign, 0x9f is Y with diaeresis.
  assert.deepEqual(bytesOfString('\u20ac\x81\u2122\u0178\xa0\xff', 'x'), Uint8Array.from([0x80, 0x81, 0x99, 0x9f, 0xa0, 0xff]));
  assert.throws(() => bytesOfString('a\u0100', 'page 9'), /damaged/);
});

test('the paged index of a large site answers the same, loading only some pages', async () => {
  const folder = join(dir, 'paged', 'site', 'search', 'pages');
  const ids = readdirSync(folder);
  assert.equal(ids.length, 1, 'one folder of pages, named after the index');
  const files = readdirSync(join(folder, ids[0]));
  assert.ok(files.every((f) => f.endsWith('.js')), 'pages are scripts only');
  const pages = files;
  assert.ok(pages.length > 10, `only ${pages.length} pages`);
  const paged = await engineOf('paged');
  const withHits = await assertParity(paged, native('paged'));
  assert.ok(withHits >= 20, `only ${withHits} requests with hits`);
  assert.ok(paged.pagesLoaded > 0, 'no answer needed a page');
  assert.ok(paged.pagesLoaded < pages.length, `all ${pages.length} pages were loaded`);
});

test('a site large enough to read its sections sparsely answers the same', async () => {
  // Its norms and the finest layer of its doc store's skip index are read only where the
  // sections shown are (sparse.rs): pages missing there read as zeros, so a wrong path
  // would show as a wrong score or section here, or trap the module.
  const large = await engineOf('large');
  const withHits = await assertParity(large, native('large'));
  assert.ok(withHits >= 20, `only ${withHits} requests with hits`);
  assert.ok(large.pagesLoaded > 0, 'no answer needed a page');
});

/**
 * How well the pages fetched while the module loads (prefetch.json, pagesAhead) match the
 * first round of page loads of each of `queries` on the built site whose search folder is
 * `search`: each query on a fresh engine, as the first search of a visit.
 */
async function prefetchFigures(search, queries) {
  const list = JSON.parse(readFileSync(join(search, 'prefetch.json'), 'utf8'));
  const head = readFileSync(join(search, 'index.bin'));
  const figures = { firstRound: 0, covered: 0, ahead: 0, unused: 0, missed: [], list };
  for (const q of queries) {
    // The pages each round asks for are asked for together, before the loader's first
    // promise settles.
    const rounds = [];
    let open = false;
    const eng = await createEngine(wasm, head, (id, n) => {
      if (!open) {
        rounds.push([]);
        open = true;
        queueMicrotask(() => { open = false; });
      }
      rounds[rounds.length - 1].push(n);
      return pageOfFile(join(search, 'pages', id, `${n}.js`), n);
    });
    await eng.raw(requestString(q));
    const guess = new Set(pagesAhead(list, q));
    const first = rounds[0] || [];
    const read = new Set(rounds.flat());
    figures.firstRound += first.length;
    figures.covered += first.filter((n) => guess.has(n)).length;
    figures.ahead += guess.size;
    figures.unused += [...guess].filter((n) => !read.has(n)).length;
    if (first.some((n) => !guess.has(n))) figures.missed.push(q);
  }
  return figures;
}

test('the pages fetched while the module loads are those a query first reads', async () => {
  // The bundled guide (dictionaries of many pages) with the relevance queries, which are
  // typed as readers type them; and the fixture's plain queries on its paged copy.
  const relevance = readFileSync(join(root, 'tests/search/relevance/queries.tsv'), 'utf8')
    .split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t')[0]);
  const fixture = [...new Set(native('paged').map((a) => new URLSearchParams(a.request).get('q')))]
    .filter((q) => /^[\w .]+$/.test(q) && q.trim().length >= 3);
  for (const [site, queries] of [['guide', relevance], ['paged', fixture]]) {
    assert.ok(queries.length >= 20, `only ${queries.length} queries for ${site}`);
    const f = await prefetchFigures(join(dir, site, 'site', 'search'), queries);
    // The norms of the text fields, and the dictionaries of the tagged words of pages and
    // of sections (words.rs).
    assert.ok(f.list.always.length > 0 && f.list.dicts.length === 2, `${site}: norms and dictionaries listed`);
    // A guess (the module's tokenizer decides what is looked up), so not every page; but
    // most of the first round, and little that the query never reads.
    const what = `${site}: ${f.covered} of ${f.firstRound} first-round pages fetched ahead, ` +
      `${f.unused} of ${f.ahead} never read; missed some in ${f.missed.length} of ${queries.length} queries`;
    console.log(what);
    assert.ok(f.covered >= 0.9 * f.firstRound, what + ': ' + f.missed.slice(0, 20).join(' | '));
    assert.ok(f.unused <= 0.25 * f.ahead, what);
  }
});

test('identifiers, stems and filters find the right sections', async () => {
  const first = async (q, extra = '') => (await engine.search(requestString(q) + extra)).hits[0]?.url;
  assert.equal(await first('max open conns'), 'databases/connection-pools/#go-database-sql-settings');
  assert.equal(await first('SetMaxOpenConns'), 'databases/connection-pools/#go-database-sql-settings');
  assert.equal(await first('context.WithTimeout'), 'databases/connection-pools/#timeouts');
  assert.equal(await first('GOGC'), 'go/gc-tuning/#gogc');
  assert.equal(await first('x/sync/errgroup'), 'go/concurrency/#errgroup');
  assert.equal(await first('databse '), await first('database '), 'typo tolerance');
  const r = await engine.search(requestString('pool', 'caching'));
  assert.equal(r.total, 0);
  assert.ok(r.areas.find((a) => a.area === 'databases').count > 0, 'counts ignore the area filter');
});

test('a 10 KB query is cut and answered quickly', async () => {
  const t0 = performance.now();
  const r = await engine.search(requestString('connection pool '.repeat(700)));
  assert.ok(performance.now() - t0 < 500);
  assert.equal(r.truncated, true);
  assert.ok(r.query.length <= 256);
});

test('hostile input stays text', async () => {
  const r = await engine.search(requestString('<img src=x onerror=window.__kbXss=1>'));
  assert.ok(r.hits.length > 0);
  assert.equal(r.hits[0].page_title, '<img src=x onerror=window.__kbXss=1> escaping test');
  for (const q of ['"', '-', 'title:', '((', '\u0000', '%', 'a'.repeat(5000), '🙂 -"x']) {
    await assert.doesNotReject(() => engine.search(requestString(q)), q);
  }
  await assert.doesNotReject(() => engine.search('q=%E2%82&limit=-1&area=%00'));
});
