// Browser-side figures of kb search in node (V8, as in Chromium), on the paged index a
// site gets: module compile and head load times; the bytes a reader downloads before the
// first results of a query (module, head, search.js, dialog.js, search.css and the pages
// that query reads, each gzip-compressed as a web server would send it); warm query
// latency (p50/p95/max over a mixed query set, typed letter by letter, all pages loaded).
// Called by bench-search.sh.  Usage: node bench-search.mjs MODULE.wasm SEARCH_DIR
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createEngine, requestString, pageOfScript } = require('../themes/default/static/search/search.js');
const [wasmPath, searchDir] = process.argv.slice(2);
const wasm = readFileSync(wasmPath);
const head = readFileSync(join(searchDir, 'index.bin'));
// The engine and the dialog: site.js loads both when search opens.
const scripts = ['search.js', 'dialog.js'].map((f) => readFileSync(new URL(`../themes/default/static/search/${f}`, import.meta.url)));
const css = readFileSync(new URL('../themes/default/static/search/search.css', import.meta.url));
const [pagesId] = readdirSync(join(searchDir, 'pages'));
const pageFiles = readdirSync(join(searchDir, 'pages', pagesId)).filter((f) => f.endsWith('.js'));
const gz = (b) => gzipSync(b, { level: 9 }).length;
const gzCache = new Map();
// A page is the script `__kbSearchPage(N,"<bytes>");`, sent gzipped as it is.
const pageScript = (id, n) => readFileSync(join(searchDir, 'pages', id, `${n}.js`));
const readPage = (id, n) => pageOfScript(pageScript(id, n), n);
const pageGz = (n) => {
  if (!gzCache.has(n)) gzCache.set(n, gz(pageScript(pagesId, n)));
  return gzCache.get(n);
};
const kib = (n) => (n / 1024).toFixed(0) + ' KiB';
const at = (list, p) => list[Math.min(list.length - 1, Math.floor(p * list.length))];

const t0 = performance.now();
const engine = await createEngine(wasm, head, readPage);
const ready = performance.now() - t0;

const queries = [
  'connection pool', 'SetMaxOpenConns', 'max open conns', 'context.WithTimeout', 'GOGC',
  'x/sync/singleflight', 'garbage collector heap', '"connection pool"', 'timeout -retry',
  'title:cache', 'tag:metric latency', 'area:area03 deploy', 'conn', 'rol', 'kub', 'databse',
  'colector', 'how to size the pool', 'histogram p99 latency', 'rate.NewLimiter', 'term17x3',
  'zzzzqqq', 'c', 'schema migration rollback canary', 'the',
];

// Cold: a reader opens search on a fresh page and types one query; the UI's debounce sends
// the query as typed so far, so count the pages of the whole query and of a prefix.
const fixed = gz(wasm) + gz(head) + scripts.reduce((sum, js) => sum + gz(js), 0) + gz(css);
const cold = [];
for (const q of queries) {
  const loaded = new Set();
  const fresh = await createEngine(wasm, head, (id, n) => { loaded.add(n); return readPage(id, n); });
  for (const typed of [q.slice(0, Math.ceil(q.length / 2)), q]) await fresh.raw(requestString(typed, '', 30));
  let bytes = fixed;
  for (const n of loaded) bytes += pageGz(n);
  cold.push({ q, bytes, pages: loaded.size });
}
const coldBytes = cold.map((c) => c.bytes).sort((a, b) => a - b);

// Warm: every request as typed, letter by letter, all pages loaded.
const requests = [];
for (const q of queries) {
  for (let i = 1; i <= q.length; i++) requests.push(requestString(q.slice(0, i), '', 30));
}
for (const r of requests) await engine.raw(r); // warm-up: loads every page these read
// Wall time, and CPU time of this process: on a busy machine (CI, two cores shared
// with a compiler) wall time measures the scheduler; CPU time measures the query.
const times = [];
const cpu = [];
for (let round = 0; round < 3; round++) {
  for (const r of requests) {
    const c = process.cpuUsage();
    const s = performance.now();
    await engine.raw(r);
    times.push(performance.now() - s);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
}
times.sort((a, b) => a - b);
cpu.sort((a, b) => a - b);
const worst = cold.reduce((a, b) => (b.bytes > a.bytes ? b : a));
let allPages = 0;
for (const f of pageFiles) allPages += gz(readFileSync(join(searchDir, 'pages', pagesId, f)));
console.log(JSON.stringify({
  head: kib(head.length), head_gzip: kib(gz(head)), pages: pageFiles.length,
  whole_index_gzip: kib(gz(head) + allPages),
  wasm: kib(wasm.length), wasm_gzip: kib(gz(wasm)),
  first_results_gzip_p50: kib(at(coldBytes, 0.5)), first_results_gzip_max: kib(worst.bytes),
  first_results_worst_query: worst.q, first_results_pages_p50: at(cold.map((c) => c.pages).sort((a, b) => a - b), 0.5),
  ready_ms: +ready.toFixed(1), queries: times.length,
  p50_ms: +at(times, 0.5).toFixed(2), p95_ms: +at(times, 0.95).toFixed(2), max_ms: +times[times.length - 1].toFixed(2),
  cpu_p50_ms: +at(cpu, 0.5).toFixed(2), cpu_p95_ms: +at(cpu, 0.95).toFixed(2),
}, null, 1));
