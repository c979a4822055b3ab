// Parity: the wasm module in node (V8, as in Chromium) must answer every request with
// exactly the JSON the native build gives, and stay fast and safe on hostile input.
// Run through run-parity.sh, which builds the native answers first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const require = createRequire(import.meta.url);
const { createEngine, requestString } = require(join(root, 'themes/default/static/search/search.js'));
const dir = process.env.KB_PARITY_DIR || join(root, 'target/kb-search-parity');
const wasm = readFileSync(join(root, 'crates/kb-search-wasm/dist/kb_search.wasm'));
const index = readFileSync(join(dir, 'index.bin'));
const native = JSON.parse(readFileSync(join(dir, 'native.json'), 'utf8'));
const engine = await createEngine(wasm, index);

test('wasm answers every request byte-identically to the native build', () => {
  assert.ok(native.length >= 20, `only ${native.length} requests`);
  let withHits = 0;
  for (const { request, json } of native) {
    const got = engine.raw(request);
    if (got !== json) {
      // Show the hit lists side by side: the usual difference is order or a score.
      const brief = (j) => JSON.parse(j).hits.map((h) => `${h.url} ${h.score}`);
      assert.deepEqual(brief(got), brief(json), `hits differ for ${request}`);
      assert.equal(got, json, `JSON differs for ${request}`);
    }
    if (JSON.parse(json).hits.length) withHits++;
  }
  assert.ok(withHits >= 20, `only ${withHits} requests with hits`);
});

test('identifiers, stems and filters find the right sections', () => {
  const first = (q, extra = '') => engine.search(requestString(q) + extra).hits[0]?.url;
  assert.equal(first('max open conns'), 'databases/connection-pools/#go-database-sql-settings');
  assert.equal(first('SetMaxOpenConns'), 'databases/connection-pools/#go-database-sql-settings');
  assert.equal(first('context.WithTimeout'), 'databases/connection-pools/#timeouts');
  assert.equal(first('GOGC'), 'go/gc-tuning/#gogc');
  assert.equal(first('x/sync/errgroup'), 'go/concurrency/#errgroup');
  assert.equal(first('databse '), engine.search(requestString('database ')).hits[0]?.url, 'typo tolerance');
  const r = engine.search(requestString('pool', 'caching'));
  assert.equal(r.total, 0);
  assert.ok(r.areas.find((a) => a.area === 'databases').count > 0, 'counts ignore the area filter');
});

test('a 10 KB query is cut and answered quickly', () => {
  const t0 = performance.now();
  const r = engine.search(requestString('connection pool '.repeat(700)));
  assert.ok(performance.now() - t0 < 500);
  assert.equal(r.truncated, true);
  assert.ok(r.query.length <= 256);
});

test('hostile input stays text', () => {
  const r = engine.search(requestString('<img src=x onerror=window.__kbXss=1>'));
  assert.ok(r.hits.length > 0);
  assert.equal(r.hits[0].page_title, '<img src=x onerror=window.__kbXss=1> escaping test');
  for (const q of ['"', '-', 'title:', '((', '\u0000', '%', 'a'.repeat(5000), '🙂 -"x']) {
    assert.doesNotThrow(() => engine.search(requestString(q)), q);
  }
  assert.doesNotThrow(() => engine.search('q=%E2%82&limit=-1&area=%00'));
});
