/*!
 * kb search: the search dialog, the loader of the search engine, and the highlighting of
 * matched words on a page. Loaded on demand by site.js (button, "/" or Ctrl-K, or a
 * ?highlight= URL); exposes window.kbSearch = { open(text), close, highlight }.
 *
 * Where answers come from:
 *   - `kb serve` (window.__KB_SERVE__): GET /__kb/search?<request>, the live index;
 *   - http(s): fetch 'kb-search.wasm' and 'index.bin' (the head of the paged index) next to
 *     this file;
 *   - file:// (fetch is blocked there): the same bytes as base64 from the classic scripts
 *     'kb-search-wasm.js' and 'index.js';
 *   - then, either way, the index pages a query reads, as classic scripts
 *     'pages/<id>/<n>.js' that call __kbSearchPage with the page as base64.
 * The request string (q=...&area=...&limit=...) and the JSON answer are the same for all
 * three. File and global names are defined in crates/kb-search/src/site_files.rs; a Rust
 * test checks this file uses them.
 *
 * Everything from the index (titles, excerpts) and the query is inserted as text, never
 * as HTML.
 */
(function () {
  'use strict';

  var INDEX_GLOBAL = '__kbSearchIndexBase64';
  var WASM_GLOBAL = '__kbSearchWasmBase64';

  /* ---------- engine: the wasm module behind a tiny C ABI (also used by node tests) ---------- */

  /**
   * Instantiates the module and loads the head of the paged index; resolves to
   * { raw(request) -> Promise<JSON text>, search(request) -> Promise<object>, pagesLoaded }.
   * loadPage(id, n) resolves to the bytes of page n of index id ('pages/<id>/<n>.js'): a
   * query that reads pages the module does not have yet gets their numbers back, and is
   * asked again once they are loaded.
   */
  function createEngine(wasmBytes, headBytes, loadPage) {
    var enc = new TextEncoder();
    var dec = new TextDecoder();
    var x = null;
    var pending = {};
    var id = '';

    function out() {
      return dec.decode(new Uint8Array(x.memory.buffer, x.kb_out_ptr(), x.kb_out_len()));
    }
    /** Calls fn(...args, ptr, len) with bytes copied into the module; returns its code. */
    function call(fn, bytes, args) {
      var ptr = x.kb_alloc(bytes.length);
      new Uint8Array(x.memory.buffer, ptr, bytes.length).set(bytes);
      var rc = x[fn].apply(null, (args || []).concat([ptr, bytes.length]));
      x.kb_free(ptr, bytes.length);
      if (rc === 1) throw new Error(out());
      return rc;
    }
    function start() {
      pending = {};
      return WebAssembly.instantiate(wasmBytes, {}).then(function (result) {
        x = result.instance.exports;
        call('kb_load', headBytes);
        if (x.kb_pages_id() !== 0) throw new Error(out());
        id = out();
      });
    }
    function addPage(n) {
      if (!pending[n]) {
        pending[n] = Promise.resolve(loadPage(id, n)).then(function (bytes) {
          call('kb_add_page', bytes, [n]);
          engine.pagesLoaded++;
        });
        pending[n].catch(function () { delete pending[n]; });
      }
      return pending[n];
    }
    function answer(request, round) {
      var rc;
      try {
        rc = call('kb_search', enc.encode(request));
      } catch (e) {
        // A trap leaves the instance unusable: keep its message, start afresh.
        var message = e instanceof WebAssembly.RuntimeError ? out() || String(e) : String(e);
        start();
        return Promise.reject(new Error(message));
      }
      if (rc === 0) return Promise.resolve(out());
      if (round >= 32) return Promise.reject(new Error('search index pages keep missing'));
      return Promise.all(JSON.parse(out()).map(addPage)).then(function () {
        return answer(request, round + 1);
      });
    }
    var engine = {
      /** The JSON text of the answer, byte for byte what kb serve would send. */
      raw: function (request) { return answer(request, 0); },
      search: function (request) { return engine.raw(request).then(JSON.parse); },
      /** Pages loaded so far (for benchmarks and tests). */
      pagesLoaded: 0
    };
    return start().then(function () { return engine; });
  }

  /** The request string every backend understands. */
  function requestString(query, area, limit) {
    var r = 'q=' + encodeURIComponent(query);
    if (area) r += '&area=' + encodeURIComponent(area);
    if (limit) r += '&limit=' + limit;
    return r;
  }

  if (typeof module === 'object' && module.exports) {
    module.exports = { createEngine: createEngine, requestString: requestString };
  }
  if (typeof document === 'undefined') return;

  /* ---------- loading ---------- */

  var here = (document.currentScript && document.currentScript.src) ||
    new URL((document.querySelector('meta[name="kb-root"]') || { content: './' }).content + 'search/search.js', location.href).href;
  var searchDir = new URL('./', here);
  var siteRoot = new URL('../', searchDir);

  function loadScript(name) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement('script');
      s.src = new URL(name, searchDir).href;
      s.onload = resolve;
      s.onerror = function () { reject(new Error('could not load ' + s.src)); };
      document.head.appendChild(s);
    });
  }
  function fromBase64(global) {
    var text = window[global];
    window[global] = undefined;
    return decodeBase64(text, global);
  }
  function decodeBase64(text, what) {
    if (typeof text !== 'string') throw new Error('search data missing (' + what + ')');
    var bin = atob(text);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return bytes;
  }
  function fetchBytes(name) {
    return fetch(new URL(name, searchDir).href).then(function (r) {
      if (!r.ok) throw new Error(r.status + ' ' + r.url);
      return r.arrayBuffer();
    }).then(function (b) { return new Uint8Array(b); });
  }
  var pageScripts = {};
  window.__kbSearchPage = function (n, base64) { pageScripts[n] = base64; };
  // Page folders are named after one build of the index: a page missing from it means
  // the site was rebuilt since this page loaded the head.
  function stale() {
    return new Error('the site was updated since this page was opened; reload the page to search');
  }
  function pageViaScript(id, n) {
    return loadScript('pages/' + id + '/' + n + '.js').then(function () {
      var bytes = decodeBase64(pageScripts[n], 'page ' + n);
      delete pageScripts[n];
      return bytes;
    }, function () { throw stale(); });
  }
  function viaScripts() {
    return Promise.all([loadScript('kb-search-wasm.js'), loadScript('index.js')]).then(function () {
      return createEngine(fromBase64(WASM_GLOBAL), fromBase64(INDEX_GLOBAL), pageViaScript);
    });
  }
  function viaFetch() {
    return Promise.all([fetchBytes('kb-search.wasm'), fetchBytes('index.bin')]).then(function (b) {
      return createEngine(b[0], b[1], pageViaScript);
    });
  }

  var backend = null;
  /** Resolves to function(request) -> Promise<results>. */
  function getBackend() {
    if (backend) return backend;
    if (window.__KB_SERVE__) {
      backend = Promise.resolve(function (request) {
        return fetch('/__kb/search?' + request).then(function (r) {
          if (!r.ok) throw new Error('search endpoint: ' + r.status);
          return r.json();
        });
      });
    } else {
      var engine = location.protocol === 'file:' ? viaScripts() : viaFetch().catch(viaScripts);
      backend = engine.then(function (e) {
        return function (request) { return e.search(request); };
      });
      backend.catch(function () { backend = null; });
    }
    return backend;
  }

  /* ---------- the dialog ---------- */

  var LIMIT = 30;
  var ui = null;
  var seq = 0;
  var timer = 0;
  var lastResults = null;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text != null) e.textContent = text;
    return e;
  }

  function build() {
    var dialog = el('dialog', { 'class': 'kb-search', 'aria-labelledby': 'kb-search-title' });
    var title = el('h2', { id: 'kb-search-title', 'class': 'kb-search__title' }, 'Search');
    var bar = el('div', { 'class': 'kb-search__bar', role: 'search' });
    var label = el('label', { 'for': 'kb-search-input', 'class': 'kb-search__sr' }, 'Search the knowledge base');
    var input = el('input', {
      id: 'kb-search-input', 'class': 'kb-search__input', type: 'search', role: 'combobox',
      'aria-expanded': 'false', 'aria-controls': 'kb-search-results', 'aria-autocomplete': 'list',
      'aria-describedby': 'kb-search-help', autocomplete: 'off', autocapitalize: 'off',
      spellcheck: 'false', enterkeyhint: 'go', placeholder: 'Search…'
    });
    var area = el('select', { id: 'kb-search-area', 'class': 'kb-search__area', 'aria-label': 'Area' });
    area.appendChild(el('option', { value: '' }, 'All areas'));
    var close = el('button', { type: 'button', 'class': 'kb-search__close', 'aria-label': 'Close search' }, 'Esc');
    bar.append(label, input, area, close);
    var status = el('p', { id: 'kb-search-status', 'class': 'kb-search__status', role: 'status', 'aria-live': 'polite' });
    var suggest = el('div', { 'class': 'kb-search__suggest' });
    var list = el('div', { id: 'kb-search-results', 'class': 'kb-search__results', role: 'listbox', 'aria-label': 'Search results' });
    var help = el('p', { id: 'kb-search-help', 'class': 'kb-search__help' },
      '↑ ↓ to choose, Enter to open, Esc to close. "exact phrase", -exclude, title:, tag:, area:');
    dialog.append(title, bar, status, suggest, list, help);
    document.body.appendChild(dialog);

    input.addEventListener('input', schedule);
    input.addEventListener('keydown', onKey);
    area.addEventListener('change', function () { run(); input.focus(); });
    close.addEventListener('click', closeDialog);
    dialog.addEventListener('click', function (e) { if (e.target === dialog) closeDialog(); });
    dialog.addEventListener('close', function () { input.setAttribute('aria-expanded', 'false'); });
    list.addEventListener('click', function (e) {
      var opt = e.target.closest('[role="option"]');
      if (opt) go(opt);
    });
    ui = { dialog: dialog, input: input, area: area, status: status, suggest: suggest, list: list };
  }

  /** Opens the dialog; `text` (typed while this script loaded) becomes the query. */
  function open(text) {
    if (!ui) build();
    if (!ui.dialog.open) ui.dialog.showModal();
    ui.input.focus();
    if (typeof text === 'string' && text) {
      ui.input.value = text;
      ui.input.setSelectionRange(text.length, text.length);
      if (lastResults) schedule();
    } else {
      ui.input.select();
    }
    if (!lastResults) {
      setStatus('Loading search…');
      getBackend().then(function () { run(); }, function (e) { setStatus('Search is unavailable: ' + e.message); });
    }
  }
  function closeDialog() {
    if (ui && ui.dialog.open) ui.dialog.close();
  }
  function setStatus(text) { ui.status.textContent = text; }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(run, window.__KB_SERVE__ ? 120 : 60);
  }

  function run() {
    var query = ui.input.value;
    var mine = ++seq;
    getBackend().then(function (search) {
      return search(requestString(query, ui.area.value, LIMIT));
    }).then(function (results) {
      if (mine === seq) render(results);
    }, function (e) {
      if (mine === seq) setStatus('Search failed: ' + e.message);
    });
  }

  function updateAreas(areas) {
    var current = ui.area.value;
    var total = 0;
    ui.area.textContent = '';
    areas.forEach(function (a) { total += a.count; });
    ui.area.appendChild(el('option', { value: '' }, 'All areas (' + total + ')'));
    // Pages outside any area (the home page) count in "All areas" but are no filter.
    var named = areas.filter(function (a) { return a.area; });
    named.forEach(function (a) {
      ui.area.appendChild(el('option', { value: a.area }, (a.title || a.area) + ' (' + a.count + ')'));
    });
    ui.area.value = current;
    ui.area.hidden = named.length < 2;
  }

  function excerptNode(parts) {
    var span = el('span', { 'class': 'kb-search__excerpt' });
    parts.forEach(function (p) {
      span.appendChild(p.mark ? el('mark', null, p.text) : document.createTextNode(p.text));
    });
    return span;
  }

  function render(results) {
    lastResults = results;
    updateAreas(results.areas);
    var list = ui.list;
    list.textContent = '';
    ui.suggest.textContent = '';
    ui.input.removeAttribute('aria-activedescendant');
    var q = results.query.trim();
    if (!q) {
      ui.input.setAttribute('aria-expanded', 'false');
      setStatus('');
      return;
    }
    var groups = [];
    var byPage = {};
    results.hits.forEach(function (hit) {
      var g = byPage[hit.page_url];
      if (!g) { g = byPage[hit.page_url] = { first: hit, hits: [] }; groups.push(g); }
      g.hits.push(hit);
    });
    var n = 0;
    groups.forEach(function (g, gi) {
      var group = el('div', { role: 'group', 'class': 'kb-search__group', 'aria-label': g.first.page_title });
      var head = el('div', { 'class': 'kb-search__page', 'aria-hidden': 'true' });
      head.append(el('span', { 'class': 'kb-search__page-title' }, g.first.page_title),
        el('span', { 'class': 'kb-search__page-area' }, g.first.area_title));
      group.appendChild(head);
      g.hits.forEach(function (hit, hi) {
        var opt = el('div', { role: 'option', id: 'kb-search-opt-' + (n++), 'class': 'kb-search__hit', 'aria-selected': 'false' });
        opt.kbHit = hit;
        // The top of the page sits right under the page title: no second title line.
        if (hit.heading || hi > 0) {
          opt.appendChild(el('span', { 'class': 'kb-search__hit-title' }, hit.heading || hit.page_title));
        }
        opt.appendChild(excerptNode(hit.excerpt));
        group.appendChild(opt);
      });
      list.appendChild(group);
      if (gi === 0) setActive(group.querySelector('[role="option"]'));
    });
    ui.input.setAttribute('aria-expanded', n > 0 ? 'true' : 'false');
    if (n === 0) {
      setStatus('No results for “' + q + '”.');
      renderSuggestions(results);
    } else {
      var pages = groups.length;
      setStatus(results.total + (results.total === 1 ? ' section' : ' sections') + ' in ' +
        (results.total > results.hits.length ? 'at least ' : '') + pages + (pages === 1 ? ' page' : ' pages') +
        (results.fuzzy ? ' (including similar words)' : '') + '.');
    }
  }

  function renderSuggestions(results) {
    var box = ui.suggest;
    var items = results.suggestions.map(function (s) { return { label: s, query: s, area: ui.area.value }; });
    if (ui.area.value) {
      var elsewhere = 0;
      results.areas.forEach(function (a) { elsewhere += a.count; });
      if (elsewhere > 0) items.unshift({ label: 'all areas (' + elsewhere + ')', query: ui.input.value, area: '' });
    }
    if (!items.length) {
      box.appendChild(el('p', null, 'Try fewer or shorter words, or check the spelling.'));
      return;
    }
    box.appendChild(el('span', null, 'Try: '));
    items.forEach(function (item) {
      var b = el('button', { type: 'button', 'class': 'kb-search__try' }, item.label);
      b.addEventListener('click', function () {
        ui.input.value = item.query;
        ui.area.value = item.area;
        run();
        ui.input.focus();
      });
      box.appendChild(b);
    });
  }

  function options() { return Array.prototype.slice.call(ui.list.querySelectorAll('[role="option"]')); }
  function active() { return ui.list.querySelector('[aria-selected="true"]'); }
  function setActive(opt) {
    var old = active();
    if (old) old.setAttribute('aria-selected', 'false');
    if (!opt) { ui.input.removeAttribute('aria-activedescendant'); return; }
    opt.setAttribute('aria-selected', 'true');
    ui.input.setAttribute('aria-activedescendant', opt.id);
    opt.scrollIntoView({ block: 'nearest' });
  }

  function onKey(e) {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      var opts = options();
      if (!opts.length) return;
      var i = opts.indexOf(active());
      i = e.key === 'ArrowDown' ? Math.min(i + 1, opts.length - 1) : Math.max(i - 1, 0);
      setActive(opts[i]);
      e.preventDefault();
    } else if (e.key === 'Escape') {
      // A search input would swallow the first Esc to clear itself; Esc closes, always.
      e.preventDefault();
      closeDialog();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      clearTimeout(timer);
      var opt = active() || options()[0];
      if (opt) go(opt);
    }
  }

  /** Link to a hit, asking the target page to mark the matched words. */
  function hitHref(hit, results) {
    var words = (results.words || []).slice();
    hit.excerpt.forEach(function (p) {
      var w = p.mark && p.text.toLowerCase();
      if (w && words.indexOf(w) < 0) words.push(w);
    });
    var hash = hit.url.indexOf('#');
    var path = hash < 0 ? hit.url : hit.url.slice(0, hash);
    var anchor = hash < 0 ? '' : hit.url.slice(hash);
    // A downloaded site has no server to turn a folder into its index.html.
    if (location.protocol === 'file:' && (path === '' || path.slice(-1) === '/')) path += 'index.html';
    var url = new URL(path, siteRoot);
    if (words.length) url.searchParams.set('highlight', words.join(' '));
    return url.href + anchor;
  }

  function go(opt) {
    var href = hitHref(opt.kbHit, lastResults);
    closeDialog();
    location.href = href;
  }

  /* ---------- highlighting matched words on the target page ---------- */

  function escapeRegExp(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }

  /** Marks `words` (an array or a space-separated string) inside <main id="content">. */
  function highlight(words) {
    if (typeof words === 'string') words = words.split(/\s+/);
    words = (words || []).map(function (w) { return String(w).toLowerCase().trim(); })
      .filter(function (w) { return w.length > 1; }).slice(0, 20);
    var main = document.getElementById('content');
    if (!main || !words.length) return 0;
    // Loose English stems so "connections" also marks "connection" and "connecting".
    var stems = words.map(function (w) {
      return escapeRegExp(w.length > 4 ? w.replace(/(ions?|ing|ed|es|s)$/, '') : w);
    }).sort(function (a, b) { return b.length - a.length; });
    var re = new RegExp('(?<![\\p{L}\\p{N}])(?:' + stems.join('|') + ')[\\p{L}\\p{N}]*', 'giu');
    var walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT, {
      acceptNode: function (n) {
        var p = n.parentNode && n.parentNode.closest('script,style,textarea,mark,.kb-search');
        return p ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
      }
    });
    var nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    var count = 0;
    nodes.forEach(function (node) {
      var text = node.nodeValue;
      re.lastIndex = 0;
      if (count >= 500 || !re.test(text)) return;
      re.lastIndex = 0;
      var frag = document.createDocumentFragment();
      var at = 0;
      var m;
      while ((m = re.exec(text)) && count < 500) {
        if (!m[0]) { re.lastIndex++; continue; }
        frag.appendChild(document.createTextNode(text.slice(at, m.index)));
        frag.appendChild(el('mark', { 'class': 'kb-highlight' }, m[0]));
        at = m.index + m[0].length;
        count++;
      }
      frag.appendChild(document.createTextNode(text.slice(at)));
      node.parentNode.replaceChild(frag, node);
    });
    if (count && !location.hash) {
      var first = main.querySelector('mark.kb-highlight');
      if (first) first.scrollIntoView({ block: 'center' });
    }
    document.addEventListener('keydown', function clear(e) {
      if (e.key !== 'Escape' || (ui && ui.dialog.open)) return;
      Array.prototype.forEach.call(main.querySelectorAll('mark.kb-highlight'), function (m) {
        m.replaceWith(document.createTextNode(m.textContent));
      });
      main.normalize();
      document.removeEventListener('keydown', clear);
    });
    return count;
  }

  window.kbSearch = { open: open, close: closeDialog, highlight: highlight };
})();
