// The first search on a phone, kb against Pagefind on the same built site: headless Chromium
// with CDP network emulation (Lighthouse's mobile link: 1.6 Mbps down, 750 kbps up, 150 ms
// latency), a cold cache (a fresh browser context per run), and the time from the moment the
// reader presses `/` (kb) or the search starts (Pagefind, whose default UI loads on demand
// too) to the first result on screen (kb) or the first results with the top 5 results' data
// (what Pagefind's UI shows), plus the bytes on the wire and the requests made in that time.
// Median of RUNS runs (a first run, which fills the server's compression cache, is dropped).
//
// The server compresses as a CDN does: gzip for every file that is not compressed already
// (Pagefind's index files are gzip already and are sent as they are); with ENCODING=br it
// sends a file's `.br` twin where the site has one (else gzip), so the two figures show
// what pre-compressed brotli buys.
//
// PROTOCOL=h2 serves over HTTP/2 (TLS with a throwaway self-signed certificate, as browsers
// speak HTTP/2 only over TLS), as CDNs and most static hosts do: every request of a round
// shares one connection, where over HTTP/1.1 Chromium opens six and queues the rest.
// Called by bench-first-search.sh. A benchmark, not a test.
// Usage: node bench-first-search.mjs BOOK_DIR [kb|pagefind]...
//   env: RUNS (5), ENCODING (gzip|br), PROTOCOL (http1|h2), QUERY ('connection pool'),
//   TYPE_DELAY_MS (0: the query typed at once; >0: typed key by key, search-as-you-type),
//   TIMEOUT_MS (60000), WATERFALL (set: print each run's requests, start and end in ms after `/`, to stderr).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createSecureServer } from 'node:http2';
import { tmpdir } from 'node:os';
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { extname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const require = createRequire(new URL('../tests/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const SITE = resolve(process.argv[2]);
const ENGINES = process.argv.slice(3).length ? process.argv.slice(3) : ['kb', 'pagefind'];
const RUNS = Number(process.env.RUNS || 5);
const ENCODING = process.env.ENCODING || 'gzip';
const PROTOCOL = process.env.PROTOCOL || 'http1';
const QUERY = process.env.QUERY || 'connection pool';
const TYPE_DELAY_MS = Number(process.env.TYPE_DELAY_MS || 0);
const TIMEOUT_MS = Number(process.env.TIMEOUT_MS || 60000);
// Lighthouse's "slow 4G" mobile throttling, as DevTools applies it.
const LINK = process.env.LINK ? JSON.parse(process.env.LINK) : { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 };

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.css': 'text/css', '.json': 'application/json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml',
  '.txt': 'text/plain', '.xml': 'application/xml',
};
// What Pagefind's UI does before it shows results: load, init, search, the top 5 fragments.
const PAGEFIND_PAGE = `<!doctype html><meta charset="utf-8"><title>pf</title><script>
window.run = async (q) => {
  const pagefind = await import('/pagefind/pagefind.js');
  await pagefind.init();
  const r = await pagefind.search(q);
  const data = await Promise.all(r.results.slice(0, 5).map((x) => x.data()));
  return { hits: r.results.length, top: data[0]?.url };
};
</script>`;

/** Compressed bodies by path and encoding: compressing once keeps the server's CPU out of
 * the timings (the first run fills this cache and is dropped). */
const cache = new Map();
async function body(path, encoding) {
  const key = path + ' ' + encoding;
  if (!cache.has(key)) {
    let data;
    if (encoding === 'br') data = await readFile(path + '.br');
    else if (encoding === 'gzip') data = gzipSync(await readFile(path), { level: 6 });
    else data = await readFile(path);
    cache.set(key, data);
  }
  return cache.get(key);
}
async function exists(path) {
  try { return (await stat(path)).isFile(); } catch { return false; }
}

const serve = async (req, res) => {
  const url = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  if (url === '/pf-bench.html') return res.writeHead(200, { 'content-type': TYPES['.html'] }).end(PAGEFIND_PAGE);
  try {
    let path = join(SITE, url);
    if (!path.startsWith(SITE)) throw new Error('outside');
    if ((await stat(path)).isDirectory()) path = join(path, 'index.html');
    const accepts = String(req.headers['accept-encoding'] || '');
    const pagefindData = /\.pf_[a-z]+$|\.pagefind$/.test(path); // gzip already
    let encoding = null;
    if (ENCODING === 'br' && /\bbr\b/.test(accepts) && await exists(path + '.br')) encoding = 'br';
    else if (!pagefindData && /\bgzip\b/.test(accepts) && !/\.(png|jpe?g|gif|webp|woff2?)$/.test(path)) encoding = 'gzip';
    const data = await body(path, encoding);
    const headers = { 'content-type': TYPES[extname(path)] || 'application/octet-stream', 'cache-control': 'no-cache' };
    if (encoding) headers['content-encoding'] = encoding;
    res.writeHead(200, headers).end(data);
  } catch {
    res.writeHead(404).end('not found');
  }
};

/** A key and a self-signed certificate for 127.0.0.1, made for this run only. */
function throwawayCertificate() {
  const dir = mkdtempSync(join(tmpdir(), 'kb-bench-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
      '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!['http1', 'h2'].includes(PROTOCOL)) throw new Error(`PROTOCOL is http1 or h2, not ${PROTOCOL}`);
const server = PROTOCOL === 'h2' ? createSecureServer(throwawayCertificate(), serve) : createServer(serve);
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `${PROTOCOL === 'h2' ? 'https' : 'http'}://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run',
    ...(PROTOCOL === 'h2' ? ['--ignore-certificate-errors'] : [])],
});

/** One cold run: a fresh context (empty cache), the link throttled from the start. */
async function coldRun(engine) {
  const context = await browser.newContext({ ignoreHTTPSErrors: PROTOCOL === 'h2' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', LINK);
  // Counted by Playwright, which sees the requests of workers too (Pagefind searches in one).
  const requests = [];
  let counting = false;
  context.on('request', (r) => { if (counting) requests.push({ request: r, url: r.url(), bytes: 0, at: Date.now() }); });
  context.on('requestfinished', (r) => { const x = requests.find((q) => q.request === r); if (x) x.done = Date.now(); });
  await page.goto(origin + (engine === 'kb' ? '/index.html' : '/pf-bench.html'), { waitUntil: 'load', timeout: 120000 });
  await page.waitForTimeout(300); // the page settles (late fonts, images)
  counting = true;
  const t0 = Date.now();
  let ms = null;
  try {
    if (engine === 'kb') {
      await page.keyboard.press('/');
      await page.keyboard.type(QUERY, { delay: TYPE_DELAY_MS });
      await page.waitForFunction((q) => document.querySelector('#kb-search-input')?.value === q &&
        document.querySelector('#kb-search-results [role="option"]') &&
        // The results shown are the query's (older code has no data-query: typed at once,
        // its first results are the whole query's).
        [null, q].includes(document.querySelector('#kb-search-results').getAttribute('data-query')), QUERY,
      { timeout: TIMEOUT_MS, polling: 20 });
    } else {
      await page.evaluate((q) => window.run(q), QUERY);
    }
    ms = Date.now() - t0;
  } catch (e) {
    errors.push('no result within ' + TIMEOUT_MS + ' ms: ' + String(e).split('\n')[0]);
  }
  counting = false;
  const list = requests;
  for (const r of list) {
    // Bytes on the wire: headers and the (compressed) body.
    const sizes = await r.request.sizes().catch(() => null);
    if (sizes) r.bytes = sizes.responseHeadersSize + sizes.responseBodySize;
    r.at -= t0;
    if (r.done) r.done -= t0;
    delete r.request;
  }
  const status = engine === 'kb' ? await page.evaluate(() => document.querySelector('#kb-search-status')?.textContent || '') : '';
  await context.close();
  if (process.env.WATERFALL) {
    for (const r of list) console.error(`${String(r.at).padStart(6)} ${String(r.done ?? '-').padStart(6)} ${String(r.bytes).padStart(7)} ${r.url.replace(origin, '')}`);
    console.error(`first result at ${ms} ms`);
  }
  return { ms, bytes: list.reduce((n, r) => n + r.bytes, 0), requests: list.length, list, errors, status };
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)] : null; };
const kb = (n) => (n / 1024).toFixed(0) + ' KB';
for (const engine of ENGINES) {
  const runs = [];
  for (let i = 0; i <= RUNS; i++) {
    const r = await coldRun(engine);
    if (i > 0) runs.push(r);
  }
  const done = runs.filter((r) => r.ms !== null);
  const last = done[done.length - 1] || runs[runs.length - 1];
  // Where the bytes went, by kind of file (of the last completed run).
  const kinds = {};
  for (const r of last.list) {
    const k = /\.wasm|wasm\.js|wasm\.[a-z]+\.pagefind/.test(r.url) ? 'module'
      : /search\/index\.(bin|js)$|pf_meta$/.test(r.url) ? 'head'
        : /search\/pages\/|pf_index$/.test(r.url) ? 'index pages'
          : /pf_fragment$/.test(r.url) ? 'fragments' : 'scripts, css';
    kinds[k] = kinds[k] || { requests: 0, bytes: 0 };
    kinds[k].requests++;
    kinds[k].bytes += r.bytes;
  }
  for (const k in kinds) kinds[k] = `${kinds[k].requests} / ${kb(kinds[k].bytes)}`;
  const noModule = last.list.filter((r) => !/\.wasm|wasm\.js|wasm\.[a-z]+\.pagefind/.test(r.url)).reduce((n, r) => n + r.bytes, 0);
  console.log(JSON.stringify({
    engine, site: SITE, encoding: ENCODING, protocol: PROTOCOL, query: QUERY, type_delay_ms: TYPE_DELAY_MS,
    runs: runs.length, stalled: runs.length - done.length,
    median_ms: median(done.map((r) => r.ms)), all_ms: runs.map((r) => r.ms), all_requests: runs.map((r) => r.requests),
    median_bytes: kb(median(done.map((r) => r.bytes)) || 0), median_requests: median(done.map((r) => r.requests)),
    bytes_without_module: kb(noModule), by_kind: kinds,
    errors: [...new Set(runs.flatMap((r) => r.errors.concat(r.ms === null ? ['status: ' + r.status] : [])))].slice(0, 5),
  }));
}
await browser.close();
server.close();
