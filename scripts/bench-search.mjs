// Browser-side figures of kb search in node (V8, as in Chromium): module compile and
// index load times, warm query latency (p50/p95/max over a mixed query set), and the
// bytes a reader downloads before the first results. Called by bench-search.sh.
// Usage: node bench-search.mjs MODULE.wasm INDEX.bin
import { readFileSync } from 'node:fs';
import { gzipSync, brotliCompressSync } from 'node:zlib';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createEngine, requestString } = require('../themes/default/static/search/search.js');
const [wasmPath, indexPath] = process.argv.slice(2);
const wasm = readFileSync(wasmPath);
const index = readFileSync(indexPath);
const js = readFileSync(new URL('../themes/default/static/search/search.js', import.meta.url));
const css = readFileSync(new URL('../themes/default/static/search/search.css', import.meta.url));

const t0 = performance.now();
const engine = await createEngine(wasm, index);
const ready = performance.now() - t0;

const queries = [
  'connection pool', 'SetMaxOpenConns', 'max open conns', 'context.WithTimeout', 'GOGC',
  'x/sync/singleflight', 'garbage collector heap', '"connection pool"', 'timeout -retry',
  'title:cache', 'tag:metric latency', 'area:area03 deploy', 'conn', 'rol', 'kub', 'databse',
  'colector', 'how to size the pool', 'histogram p99 latency', 'rate.NewLimiter', 'term17x3',
  'zzzzqqq', 'c', 'schema migration rollback canary', 'the',
];
const requests = [];
for (const q of queries) {
  // As typed: every prefix of the query, then the query.
  for (let i = 1; i <= q.length; i++) requests.push(requestString(q.slice(0, i), '', 30));
}
for (const r of requests) engine.raw(r); // warm-up
// Wall time, and CPU time of this process: on a busy machine (CI, two cores shared
// with a compiler) wall time measures the scheduler; CPU time measures the query.
const times = [];
const cpu = [];
for (let round = 0; round < 3; round++) {
  for (const r of requests) {
    const c = process.cpuUsage();
    const s = performance.now();
    engine.raw(r);
    times.push(performance.now() - s);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
}
times.sort((a, b) => a - b);
cpu.sort((a, b) => a - b);
const at = (list, p) => list[Math.min(list.length - 1, Math.floor(p * list.length))];
const pct = (p) => at(times, p);
const kb = (n) => (n / 1024).toFixed(0) + ' KiB';
const firstRaw = wasm.length + index.length + js.length + css.length;
const firstGz = [wasm, index, js, css].reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0);
const firstBr = [wasm, index, js, css].reduce((n, b) => n + brotliCompressSync(b).length, 0);
console.log(JSON.stringify({
  index: kb(index.length), index_gzip: kb(gzipSync(index, { level: 9 }).length),
  wasm: kb(wasm.length), wasm_gzip: kb(gzipSync(wasm, { level: 9 }).length),
  first_results_download: kb(firstRaw), first_results_gzip: kb(firstGz), first_results_brotli: kb(firstBr),
  ready_ms: +ready.toFixed(1), queries: times.length,
  p50_ms: +pct(0.5).toFixed(2), p95_ms: +pct(0.95).toFixed(2), max_ms: +times[times.length - 1].toFixed(2),
  cpu_p50_ms: +at(cpu, 0.5).toFixed(2), cpu_p95_ms: +at(cpu, 0.95).toFixed(2),
}, null, 1));
