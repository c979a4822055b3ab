// Browser-side figures of Pagefind on a built kb site, for comparison with kb search:
// bytes and requests under /pagefind/ before the first 5 results of a query (cold cache,
// counted by the server: files are served as-is, Pagefind's are gzip already), and warm
// query latency (search + data() of the top 5, p50/p95) in headless Chromium.
// Called by bench-pagefind.sh. Usage: node bench-pagefind.mjs BOOK_DIR (with pagefind/ in it)
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { extname, join, resolve } from 'node:path';

const require = createRequire(new URL('../tests/package.json', import.meta.url));
const { chromium } = require('playwright-core');
const SITE = resolve(process.argv[2]);
const COLD = ['connection pool', 'retry backoff jitter', 'goroutine'];
const WARM = [
  'connection pool', 'retry backoff jitter', 'goroutine', 'SetMaxOpenConns', 'context.WithTimeout',
  'garbage collector heap', 'schema migration rollback canary', 'histogram latency', 'kubernetes', 'conn',
];
// What Pagefind's UI does before it shows results: init, search, load the top 5 fragments.
const PAGE = `<!doctype html><meta charset="utf-8"><title>pf</title><script type="module">
const pagefind = await import('/pagefind/pagefind.js');
await pagefind.init();
window.run = async (q) => {
  const r = await pagefind.search(q);
  const data = await Promise.all(r.results.slice(0, 5).map((x) => x.data()));
  return { hits: r.results.length, top: data[0]?.url };
};
window.ready = true;
</script>`;
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' };

let log = [];
const server = createServer(async (req, res) => {
  const url = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  if (url === '/pf-test.html') return res.writeHead(200, { 'content-type': TYPES['.html'] }).end(PAGE);
  try {
    let path = join(SITE, url);
    if (!path.startsWith(SITE)) throw new Error('outside');
    if ((await stat(path)).isDirectory()) path = join(path, 'index.html');
    const body = await readFile(path);
    log.push({ url, bytes: body.length });
    res.writeHead(200, { 'content-type': TYPES[extname(path)] || 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(404).end('not found');
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });

async function open() {
  const context = await browser.newContext(); // fresh context: empty HTTP cache
  const page = await context.newPage();
  page.on('pageerror', (e) => { throw e; });
  await page.goto(origin + '/pf-test.html');
  await page.waitForFunction(() => window.ready === true);
  return { context, page };
}

const kib = (n) => (n / 1024).toFixed(0) + ' KiB';
const result = { site: SITE, first_results: {} };
for (const q of COLD) {
  log = [];
  const { context, page } = await open();
  const r = await page.evaluate((q) => window.run(q), q);
  const pf = log.filter((x) => x.url.startsWith('/pagefind/'));
  const by = (re) => pf.filter((x) => re.test(x.url)).reduce((n, x) => n + x.bytes, 0);
  result.first_results[q] = {
    bytes: pf.reduce((n, x) => n + x.bytes, 0), requests: pf.length, hits: r.hits,
    js: kib(by(/\.js$/)), wasm: kib(by(/wasm\./)), meta: kib(by(/pf_meta$/)),
    index_chunks: `${pf.filter((x) => /pf_index$/.test(x.url)).length} / ${kib(by(/pf_index$/))}`,
    fragments: `${pf.filter((x) => /pf_fragment$/.test(x.url)).length} / ${kib(by(/pf_fragment$/))}`,
  };
  await context.close();
}

const { context, page } = await open();
const times = await page.evaluate(async (queries) => {
  for (const q of queries) await window.run(q); // warm-up: loads every chunk and fragment needed
  const t = [];
  for (let round = 0; round < 5; round++) {
    for (const q of queries) {
      const s = performance.now();
      await window.run(q);
      t.push(performance.now() - s);
    }
  }
  return t;
}, WARM);
await context.close();
times.sort((a, b) => a - b);
const pct = (p) => +times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(2);
Object.assign(result, { warm_queries: times.length, p50_ms: pct(0.5), p95_ms: pct(0.95), max_ms: pct(1) });
console.log(JSON.stringify(result, null, 1));
await browser.close();
server.close();
