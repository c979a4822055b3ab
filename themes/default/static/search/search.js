// @ts-check
/*!
 * kb search, the engine: loads the search module and the paged index and answers queries.
 * No user interface here: the dialog is dialog.js. Loaded on demand by site.js (together
 * with dialog.js) when the reader opens search; exposes window.kbSearchEngine (see
 * themes/types/kb.d.ts), and to node (tests, benchmarks) createEngine and requestString.
 *
 * Where answers come from:
 *   - `kb serve` (window.__KB_SERVE__): GET /__kb/search?<request>, the live index;
 *   - http(s): fetch 'kb-search.wasm' and 'index.bin' (the head of the paged index) next to
 *     this file;
 *   - file:// (fetch is blocked there): the same bytes from the classic scripts
 *     'kb-search-wasm.js' and 'index.js';
 *   - then, either way, the index pages a query reads, the scripts 'pages/<id>/<n>.js'
 *     that call __kbSearchPage with the page's bytes: fetched and read as bytes over
 *     http(s), run as classic scripts from file://.
 * The scripts hold the bytes as they are in a string, read as windows-1252 (see
 * site_files.rs, byte_string_into).
 * The request string (q=...&area=...&limit=...) and the JSON answer are the same for all
 * three. File and global names are defined in crates/kb-search/src/site_files.rs; a Rust
 * test checks this file uses them.
 */
(function () {
  'use strict';

  /* ---------- the wasm module behind a tiny C ABI (also used by node tests) ---------- */

  /**
   * Instantiates the module and loads the head of the paged index. A query that reads
   * pages the module does not have yet gets their numbers back; loadPage(id, n) fetches
   * page n of index id, and the query is asked again once they are loaded.
   *
   * @param {BufferSource | WebAssembly.Module} wasm the module (compiled, or its bytes)
   * @param {Uint8Array} headBytes the head of the paged index
   * @param {(id: string, n: number) => Uint8Array | Promise<Uint8Array>} loadPage
   * @returns {Promise<KbWasmEngine>}
   */
  function createEngine(wasm, headBytes, loadPage) {
    const enc = new TextEncoder();
    const dec = new TextDecoder();
    /** @type {KbSearchExports} */
    let x;
    /** Pages loading or loaded into the current instance. */
    /** @type {Record<number, Promise<void>>} */
    let pending = {};
    let id = '';
    /** The current instance, once it has the head: every call waits for it. */
    /** @type {Promise<void>} */
    let started;

    /** The module's last output (an answer, page numbers or an error message). */
    function out() {
      return dec.decode(new Uint8Array(x.memory.buffer, x.kb_out_ptr(), x.kb_out_len()));
    }
    /**
     * Calls the export `fn` with `args` and then the bytes copied into the module.
     * @param {'kb_load' | 'kb_add_page' | 'kb_search'} fn
     * @param {Uint8Array} bytes
     * @param {number[]} [args]
     * @returns {number} the export's code: 0 done, 1 error (thrown), 2 pages missing
     */
    function call(fn, bytes, args) {
      const ptr = x.kb_alloc(bytes.length);
      new Uint8Array(x.memory.buffer, ptr, bytes.length).set(bytes);
      const f = /** @type {(...a: number[]) => number} */ (x[fn]);
      const rc = f(...(args || []), ptr, bytes.length);
      x.kb_free(ptr, bytes.length);
      if (rc === 1) throw new Error(out());
      return rc;
    }
    function start() {
      pending = {};
      const instance = wasm instanceof WebAssembly.Module
        ? WebAssembly.instantiate(wasm, {})
        : WebAssembly.instantiate(wasm, {}).then((r) => r.instance);
      started = instance.then((inst) => {
        x = /** @type {KbSearchExports} */ (/** @type {unknown} */ (inst.exports));
        call('kb_load', headBytes);
        if (x.kb_pages_id() !== 0) throw new Error(out());
        id = out();
      });
      return started;
    }
    /** @param {number} n */
    function addPage(n) {
      const into = pending;
      if (!into[n]) {
        into[n] = Promise.resolve(loadPage(id, n)).then((bytes) => {
          // A page that arrives after a restart belongs to the instance that asked for it.
          if (into !== pending) return;
          call('kb_add_page', bytes, [n]);
          engine.pagesLoaded++;
        });
        into[n].catch(() => { if (into === pending) delete pending[n]; });
      }
      return into[n];
    }
    /**
     * @param {string} request
     * @param {() => boolean} wanted false once nobody waits for this answer any more
     * @param {number} round
     * @returns {Promise<string>}
     */
    function answer(request, wanted, round) {
      let rc;
      try {
        rc = call('kb_search', enc.encode(request));
      } catch (e) {
        // A trap leaves the instance unusable: keep its message, start afresh (later
        // calls wait for the new instance).
        const message = e instanceof WebAssembly.RuntimeError ? out() || String(e) : String(e);
        start().catch(() => {});
        return Promise.reject(new Error(message));
      }
      if (rc === 0) return Promise.resolve(out());
      if (round >= 256) return Promise.reject(new Error('search index pages keep missing'));
      // A query typed over by a newer one loads no more pages: on a slow link they would
      // queue in front of the pages the newer query needs.
      if (!wanted()) return Promise.reject(superseded());
      /** @type {number[]} */
      const missing = JSON.parse(out());
      return Promise.all(missing.map(addPage)).then(() => started).then(() => answer(request, wanted, round + 1));
    }
    /** @type {KbWasmEngine} */
    const engine = {
      raw: (request, wanted) => started.then(() => answer(request, wanted || (() => true), 0)),
      search: (request, wanted) => engine.raw(request, wanted).then(JSON.parse),
      pagesLoaded: 0
    };
    return start().then(() => engine);
  }

  /** The error of a query given up for a newer one (`superseded: true`). */
  function superseded() {
    return Object.assign(new Error('superseded by a newer query'), { superseded: true });
  }

  /**
   * The request string every backend understands.
   * @param {string} query
   * @param {string} [area]
   * @param {number} [limit]
   */
  function requestString(query, area, limit) {
    let r = 'q=' + encodeURIComponent(query);
    if (area) r += '&area=' + encodeURIComponent(area);
    if (limit) r += '&limit=' + limit;
    return r;
  }

  /** Longest word worth passing on: the index drops longer tokens (MAX_TOKEN_BYTES). */
  const MAX_WORD = 48;
  /** At most this many words go into a link. */
  const MAX_WORDS = 20;

  /**
   * The words the engine matched on the page at `pageUrl`: the marked runs of the excerpts
   * of its hits (the forms that occur in the text, `timeout` for the query `timeouts`,
   * typo-corrected and prefix-completed words included), then the query's own words.
   * Lowercased, each once, single characters left out. The module has no list of the
   * words it matched on a whole section, so words outside the excerpts are not here.
   *
   * @param {SearchResults} results
   * @param {string} pageUrl
   * @returns {string[]}
   */
  function matchedWords(results, pageUrl) {
    /** @type {string[]} */
    const words = [];
    /** @param {string} w */
    const add = (w) => {
      for (const part of w.toLowerCase().split(/\s+/)) {
        if (part.length > 1 && part.length <= MAX_WORD && words.length < MAX_WORDS && !words.includes(part)) {
          words.push(part);
        }
      }
    };
    for (const hit of results.hits) {
      if (hit.page_url !== pageUrl) continue;
      for (const p of hit.excerpt) if (p.mark) add(p.text);
    }
    for (const w of results.words || []) add(w);
    return words;
  }

  /* ---------- which pages a query will read first (see prefetch.rs) ---------- */

  /** Most pages fetched ahead for one query. */
  const PREFETCH_MAX = 64;
  /** Most dictionary pages fetched ahead for one word in one field. */
  const PREFETCH_PER_WORD = 3;

  /** A compound as the tokenizer sees one: letters, digits and the separators it splits at. */
  const COMPOUND = /[\p{L}\p{N}_.\-/:@]+/gu;
  /**
   * The parts of `compound`, lowercased: split at separators and camelCase humps.
   * @param {string} compound
   */
  function partsOf(compound) {
    return compound.split(/[_.\-/:@]+|(?<=\p{Ll})(?=\p{Lu})/u).map((p) => p.toLowerCase());
  }
  /**
   * A prefix of the word `w` its stem is not shorter than (the English stemmer cuts
   * suffixes: `connection` is looked up as `connect`).
   * @param {string} w
   */
  function stemFloor(w) {
    return w.length > 4 ? w.slice(0, Math.max(4, Math.ceil(w.length / 2))) : w;
  }
  /**
   * Key ranges of the terms a query's words may look up: a guess (the module's tokenizer
   * decides). Each word and each part of an identifier, lowercased, from a prefix its
   * stem is not shorter than (the English stemmer cuts suffixes: `connection` is looked up
   * as `connect`) to the word itself, in every field (its terms are `word tag`, see
   * words.rs); the last word to every term it starts, as it is completed while typed.
   * @param {string} query
   * @returns {[string, string][]}
   */
  function termRanges(query) {
    /** @type {[string, string][]} */
    const ranges = [];
    const compounds = query.match(COMPOUND) || [];
    compounds.forEach((compound, i) => {
      const parts = partsOf(compound);
      const whole = compound.toLowerCase().replace(/^[_.\-/:@]+|[_.\-/:@]+$/g, '');
      const words = parts.length > 1 ? [whole, ...parts] : parts;
      const last = i === compounds.length - 1;
      for (const w of words) {
        if (w.length < 2 || (last && w.length < 3)) continue;
        ranges.push([stemFloor(w), last ? w + '\uffff' : w + ' \uffff']);
      }
    });
    return ranges;
  }
  /**
   * The page of `dict` that holds `key`: the last whose first term is not after it.
   * @param {KbPrefetchDict} dict
   * @param {string} key
   */
  function pageIndex(dict, key) {
    let lo = 0;
    let hi = dict.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (dict.keys[mid] <= key) lo = mid + 1;
      else hi = mid;
    }
    return Math.max(0, lo - 1);
  }
  /** Most pairs of common terms guessed for two words typed side by side. */
  const PREFETCH_PAIRS = 4;
  /**
   * Keys of the word pairs `query` may look up (see pairs.rs): for two plain words typed
   * side by side, each pair of common terms that may be their stems (a term from the
   * word's guessed prefix to the word; the last word's, any term it starts).
   * @param {KbPrefetchPairs} pairs
   * @param {string} query
   * @returns {string[]}
   */
  function pairKeys(pairs, query) {
    // Plain words only: an identifier is several terms, never a pair's.
    const words = (query.match(COMPOUND) || []).map((c) => {
      const parts = partsOf(c);
      return parts.length === 1 ? parts[0] : null;
    });
    /** @param {string | null} w @param {boolean} last */
    const stems = (w, last) => {
      if (!w) return [];
      const from = stemFloor(w);
      return pairs.common.filter((c) => c >= from && (c <= w || (last && c.startsWith(w))));
    };
    /** @type {string[]} */
    const keys = [];
    for (let i = 1; i < words.length; i++) {
      const firsts = stems(words[i - 1], false);
      const seconds = stems(words[i], i === words.length - 1);
      for (const a of firsts) for (const b of seconds) keys.push(`${a} ${b}`);
    }
    return keys.slice(0, PREFETCH_PAIRS * Math.max(1, words.length - 1));
  }
  /**
   * Pages `query` will likely read first: the fields' norms, its words' dictionary pages
   * and its word pairs'.
   * @param {KbPrefetch} list
   * @param {string} query
   * @returns {number[]}
   */
  function pagesAhead(list, query) {
    const ranges = termRanges(query);
    if (!ranges.length) return [];
    /** @type {Set<number>} */
    const pages = new Set(list.always);
    for (const dict of list.dicts) {
      for (const [from, to] of ranges) {
        const last = pageIndex(dict, to);
        const first = Math.max(pageIndex(dict, from), last - PREFETCH_PER_WORD + 1);
        for (let i = first; i <= last; i++) {
          const n = dict.pages[i];
          if (typeof n === 'number') pages.add(n);
        }
      }
    }
    if (list.pairs) {
      for (const key of pairKeys(list.pairs, query)) {
        // A pair's terms in every field follow each other (`first second tag`).
        const last = pageIndex(list.pairs, `${key} \uffff`);
        for (let i = Math.max(pageIndex(list.pairs, key), last - 1); i <= last; i++) {
          const n = list.pairs.pages[i];
          if (typeof n === 'number') pages.add(n);
        }
      }
    }
    return [...pages].slice(0, PREFETCH_MAX);
  }
  /* ---------- the bytes in the data scripts (see site_files.rs, byte_string_into) ---------- */

  /** The characters windows-1252 reads the bytes 0x80-0x9f as; every other byte is its own. */
  const CP1252_HIGH = '\u20ac\x81\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\x8d\u017d\x8f' +
    '\x90\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\x9d\u017e\u0178';
  /** @type {Map<number, number>} */
  const CP1252_BYTE = new Map([...CP1252_HIGH].map((c, i) => [c.charCodeAt(0), 0x80 + i]));

  /**
   * The bytes of a data script's string as the browser read it (windows-1252).
   * @param {string | undefined} text
   * @param {string} what named in the error when the text is missing
   */
  function bytesOfString(text, what) {
    if (typeof text !== 'string') throw new Error('search data missing (' + what + ')');
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      // Latin-1's characters for 0x80-0x9f too, were a browser to read the script so.
      const b = c < 0x80 ? c : CP1252_BYTE.get(c) ?? c;
      if (b > 0xff) throw new Error('search data damaged (' + what + ')');
      bytes[i] = b;
    }
    return bytes;
  }

  /** The escapes a data script's string holds: `\"`, `\\`, `\n` and `\r`. */
  const UNESCAPED = { 0x22: 0x22, 0x5c: 0x5c, 0x6e: 0x0a, 0x72: 0x0d };
  /**
   * The page a page script (`__kbSearchPage(N,"<bytes>");`), fetched as bytes, holds.
   * @param {Uint8Array} script
   * @param {number} n the page it must be
   * @returns {Uint8Array}
   */
  function pageOfScript(script, n) {
    const head = '__kbSearchPage(' + n + ',"';
    let at = head.length;
    for (let i = 0; i < at; i++) {
      if (script[i] !== head.charCodeAt(i)) throw new Error('not the script of page ' + n);
    }
    const bytes = new Uint8Array(script.length - at);
    let len = 0;
    for (; at < script.length && script[at] !== 0x22; at++) {
      let b = script[at];
      if (b === 0x5c) {
        b = UNESCAPED[/** @type {keyof typeof UNESCAPED} */ (script[++at])];
        if (b === undefined) throw new Error('page ' + n + ': unknown escape');
      }
      bytes[len++] = b;
    }
    if (script[at] !== 0x22) throw new Error('page ' + n + ': cut short');
    return bytes.subarray(0, len);
  }

  if (typeof module === 'object' && module.exports) {
    module.exports = { createEngine, requestString, matchedWords, pagesAhead, bytesOfString, pageOfScript };
  }
  if (typeof document === 'undefined') return;

  /* ---------- loading the module and the index in a browser ---------- */

  const here = (document.currentScript instanceof HTMLScriptElement && document.currentScript.src) ||
    new URL((document.querySelector('meta[name="kb-root"]')?.getAttribute('content') || './') + 'search/search.js', location.href).href;
  const searchDir = new URL('./', here);

  /**
   * Runs the data script `name` (relative to this file's folder), read as windows-1252.
   * @param {string} name
   * @returns {Promise<void>}
   */
  function loadScript(name) {
    return new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.charset = 'windows-1252';
      s.src = new URL(name, searchDir).href;
      s.onload = () => resolve();
      s.onerror = () => reject(new Error('could not load ' + s.src));
      document.head.appendChild(s);
    });
  }
  /**
   * Takes the bytes a script left in `global` (and frees it).
   * @param {'__kbSearchWasmBytes' | '__kbSearchIndexBytes'} global
   */
  function fromGlobal(global) {
    const text = window[global];
    window[global] = undefined;
    return bytesOfString(text, global);
  }
  /**
   * The response for `name`: the one site.js asked for when search started loading, once,
   * else (or if that one failed) a new request.
   * @param {string} name
   * @returns {Promise<Response>}
   */
  function fetchFile(name) {
    const early = window.__kbSearchEarly?.[name];
    if (early) delete window.__kbSearchEarly?.[name];
    const request = () => fetch(new URL(name, searchDir).href);
    return (early ? early.then((r) => (r && r.ok ? r : request())) : request()).then((r) => {
      if (!r.ok) throw new Error(r.status + ' ' + r.url);
      return r;
    });
  }
  /** @param {string} name */
  function fetchBytes(name) {
    return fetchFile(name).then((r) => r.arrayBuffer()).then((b) => new Uint8Array(b));
  }
  /**
   * The module, compiled while its bytes arrive where the server says application/wasm
   * (compileStreaming refuses any other type), else compiled once they are all here.
   */
  function fetchModule() {
    return fetchFile('kb-search.wasm').then((r) => {
      const wasmType = /^application\/wasm\b/.test(r.headers.get('content-type') || '');
      return wasmType && WebAssembly.compileStreaming
        ? WebAssembly.compileStreaming(r)
        : r.arrayBuffer().then((b) => WebAssembly.compile(b));
    });
  }
  /** @type {Record<number, string>} */
  const pageScripts = {};
  window.__kbSearchPage = (n, text) => { pageScripts[n] = text; };
  // Page folders are named after one build of the index: a page missing from it means
  // the site was rebuilt since this page loaded the head.
  function stale() {
    return new Error('the site was updated since this page was opened; reload the page to search');
  }
  /**
   * The script of page `n` of index `id`, relative to this file's folder.
   * @param {string} id
   * @param {number} n
   */
  function pageFile(id, n) {
    return 'pages/' + id + '/' + n + '.js';
  }
  /**
   * Page `n` of index `id`, its script run (file://).
   * @param {string} id
   * @param {number} n
   */
  function pageViaScript(id, n) {
    const name = pageFile(id, n);
    // Once more before giving up: on a flaky mobile link a script can fail to load.
    return loadScript(name).catch(() => loadScript(name)).then(() => {
      const bytes = bytesOfString(pageScripts[n], 'page ' + n);
      delete pageScripts[n];
      return bytes;
    }, () => { throw stale(); });
  }
  /**
   * Page `n` of index `id`, its script fetched and read as bytes (http).
   * @param {string} id
   * @param {number} n
   * @returns {Promise<Uint8Array>}
   */
  function pageViaFetch(id, n) {
    const href = new URL(pageFile(id, n), searchDir).href;
    const get = () => fetch(href);
    // Once more before giving up: on a flaky mobile link a request can fail.
    return get().catch(get).then((r) => {
      if (r.status === 404) throw stale();
      if (!r.ok) throw new Error(r.status + ' ' + r.url);
      return r.arrayBuffer();
    }).then((b) => pageOfScript(new Uint8Array(b), n));
  }
  function viaScripts() {
    return Promise.all([loadScript('kb-search-wasm.js'), loadScript('index.js')]).then(() =>
      createEngine(fromGlobal('__kbSearchWasmBytes'), fromGlobal('__kbSearchIndexBytes'), pageViaScript));
  }
  /* ---------- pages fetched while the module loads (see prefetch.rs) ---------- */

  /** @type {Promise<KbPrefetch | null> | null} */
  let prefetchList = null;
  /** Pages fetched ahead, by number, until the engine asks for them. */
  /** @type {Map<number, Promise<Uint8Array>>} */
  const fetchedAhead = new Map();
  /** The engine is ready: it asks for what a query reads itself. */
  let engineStarted = false;

  /**
   * While the module is on its way: fetches the pages `query` will likely read first,
   * so they arrive with the module instead of a round trip after it.
   * @param {string} query
   */
  function fetchAhead(query) {
    if (engineStarted || !prefetchList) return;
    prefetchList.then((list) => {
      if (!list || engineStarted) return;
      for (const n of pagesAhead(list, query)) {
        if (fetchedAhead.has(n)) continue;
        const bytes = pageViaFetch(list.id, n);
        bytes.catch(() => {});
        fetchedAhead.set(n, bytes);
      }
    });
  }
  /**
   * Page `n` of index `id`: the one fetched ahead, else a new request.
   * @param {string} id
   * @param {number} n
   * @returns {Promise<Uint8Array>}
   */
  function pageOf(id, n) {
    const ahead = fetchedAhead.get(n);
    if (!ahead) return pageViaFetch(id, n);
    fetchedAhead.delete(n);
    if (!prefetchList) return pageViaFetch(id, n);
    return prefetchList.then((list) => {
      // Fetched ahead for another index (the site was rebuilt meanwhile): not this page.
      if (!list || list.id !== id) return pageViaFetch(id, n);
      return ahead.catch(() => pageViaFetch(id, n));
    });
  }

  function viaFetch() {
    prefetchList = fetchFile('prefetch.json').then((r) => r.json()).catch(() => null);
    return Promise.all([fetchModule(), fetchBytes('index.bin')]).then((b) =>
      createEngine(b[0], b[1], pageOf)).then((engine) => {
      engineStarted = true;
      return engine;
    });
  }

  /** @typedef {(request: string, wanted: () => boolean) => Promise<SearchResults>} Backend */
  /** @type {Promise<Backend> | null} */
  let backend = null;
  /** The live index of `kb serve`, or the module with the site's index (loaded once). */
  function getBackend() {
    if (backend) return backend;
    if (window.__KB_SERVE__) {
      backend = Promise.resolve((/** @type {string} */ request) =>
        fetch('/__kb/search?' + request).then((r) => {
          if (!r.ok) throw new Error('search endpoint: ' + r.status);
          return r.json();
        }));
    } else {
      const engine = location.protocol === 'file:' ? viaScripts() : viaFetch().catch(viaScripts);
      backend = engine.then((e) => e.search);
      // A failed load (offline, a missing file) may be retried by the next query.
      backend.catch(() => { backend = null; });
    }
    return backend;
  }
  /** Number of the latest search: an older one still loading index pages gives up. */
  let latest = 0;

  window.kbSearchEngine = {
    ready: () => getBackend().then(() => undefined),
    expect: (query) => {
      getBackend().catch(() => {});
      fetchAhead(query);
    },
    search: (query, area, limit) => {
      const mine = ++latest;
      const backend = getBackend();
      fetchAhead(query);
      return backend.then((search) => search(requestString(query, area, limit), () => mine === latest));
    },
    matchedWords
  };
})();
