// @ts-check
/*!
 * kb search, the dialog: the search box, the results as you type, the keyboard (arrow keys,
 * Enter, Escape) and the links to the hits. Answers come from window.kbSearchEngine
 * (search.js, loaded beside this file by site.js); exposes window.kbSearch =
 * { open(text), close }.
 *
 * A link to a hit carries the words the engine matched on that page in `?highlight=`;
 * site.js marks them when the page opens, without loading any of this.
 *
 * Everything from the index (titles, excerpts) and the query is inserted as text, never
 * as HTML.
 */
(function () {
  'use strict';

  const LIMIT = 30;
  /**
   * Results shown first: the sections of the first five are all a first search downloads
   * before it shows them (each result's excerpt reads a block of stored text: on the
   * guide, on a phone's link, ten took 15 KB and about 0.1 s more than five); the rest
   * follow once those are on screen. Five fill a phone's screen. The first five are the
   * same whatever the limit, so the list only grows.
   */
  const FIRST = 5;
  /** The site root: this file is search/dialog.js under it. */
  const siteRoot = document.currentScript instanceof HTMLScriptElement && document.currentScript.src
    ? new URL('../', document.currentScript.src)
    : new URL(document.querySelector('meta[name="kb-root"]')?.getAttribute('content') || './', location.href);

  /**
   * @typedef {object} Ui
   * @property {HTMLDialogElement} dialog
   * @property {HTMLInputElement} input
   * @property {HTMLSelectElement} area
   * @property {HTMLElement} status
   * @property {HTMLElement} suggest
   * @property {HTMLElement} list
   */
  /** @type {Ui | null} */
  let ui = null;
  /** Number of the latest query: answers to older ones are dropped. */
  let seq = 0;
  let timer = 0;
  /** @type {SearchResults | null} */
  let lastResults = null;
  /** The hit each option stands for. */
  const hitOf = new WeakMap();

  function engine() {
    const e = window.kbSearchEngine;
    if (!e) throw new Error('search.js is not loaded');
    return e;
  }

  /**
   * An element with attributes and, if given, text.
   * @template {keyof HTMLElementTagNameMap} K
   * @param {K} tag
   * @param {Record<string, string> | null} [attrs]
   * @param {string | null} [text]
   * @returns {HTMLElementTagNameMap[K]}
   */
  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    if (attrs) for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text != null) e.textContent = text;
    return e;
  }

  /** @returns {Ui} */
  function build() {
    const dialog = el('dialog', { 'class': 'kb-search', 'aria-labelledby': 'kb-search-title' });
    const title = el('h2', { id: 'kb-search-title', 'class': 'kb-search__title' }, 'Search');
    const bar = el('div', { 'class': 'kb-search__bar', role: 'search' });
    const label = el('label', { 'for': 'kb-search-input', 'class': 'kb-search__sr' }, 'Search the knowledge base');
    const input = el('input', {
      id: 'kb-search-input', 'class': 'kb-search__input', type: 'search', role: 'combobox',
      'aria-expanded': 'false', 'aria-controls': 'kb-search-results', 'aria-autocomplete': 'list',
      'aria-describedby': 'kb-search-help', autocomplete: 'off', autocapitalize: 'off',
      spellcheck: 'false', enterkeyhint: 'go', placeholder: 'Search…'
    });
    const area = el('select', { id: 'kb-search-area', 'class': 'kb-search__area', 'aria-label': 'Area' });
    area.appendChild(el('option', { value: '' }, 'All areas'));
    const close = el('button', { type: 'button', 'class': 'kb-search__close', 'aria-label': 'Close search' }, 'Esc');
    bar.append(label, input, area, close);
    const status = el('p', { id: 'kb-search-status', 'class': 'kb-search__status', role: 'status', 'aria-live': 'polite' });
    const suggest = el('div', { 'class': 'kb-search__suggest' });
    const list = el('div', { id: 'kb-search-results', 'class': 'kb-search__results', role: 'listbox', 'aria-label': 'Search results' });
    const help = el('p', { id: 'kb-search-help', 'class': 'kb-search__help' },
      '↑ ↓ to choose, Enter to open, Esc to close. "exact phrase", -exclude, title:, tag:, area:');
    dialog.append(title, bar, status, suggest, list, help);
    document.body.appendChild(dialog);

    input.addEventListener('input', schedule);
    input.addEventListener('keydown', onKey);
    area.addEventListener('change', () => { run(); input.focus(); });
    close.addEventListener('click', closeDialog);
    dialog.addEventListener('click', (e) => { if (e.target === dialog) closeDialog(); });
    dialog.addEventListener('close', () => { input.setAttribute('aria-expanded', 'false'); });
    list.addEventListener('click', (e) => {
      const opt = e.target instanceof Element && e.target.closest('[role="option"]');
      if (opt) go(opt);
    });
    return { dialog, input, area, status, suggest, list };
  }

  /**
   * Opens the dialog; `text` (typed while the scripts loaded) becomes the query.
   * @param {string} [text]
   */
  function open(text) {
    const u = ui || (ui = build());
    if (!u.dialog.open) u.dialog.showModal();
    u.input.focus();
    if (typeof text === 'string' && text) {
      u.input.value = text;
      u.input.setSelectionRange(text.length, text.length);
      if (lastResults) schedule();
    } else {
      u.input.select();
    }
    if (!lastResults) {
      setStatus(u, 'Loading search…');
      if (u.input.value) engine().expect(u.input.value);
      const before = seq;
      // Once the engine is ready, the first query runs: unless one typed since has run.
      engine().ready().then(() => { if (seq === before) run(); },
        (e) => setStatus(u, 'Search is unavailable: ' + e.message));
    }
  }
  function closeDialog() {
    if (ui && ui.dialog.open) ui.dialog.close();
  }
  /**
   * @param {Ui} u
   * @param {string} text
   */
  function setStatus(u, text) { u.status.textContent = text; }

  function schedule() {
    clearTimeout(timer);
    timer = window.setTimeout(run, window.__KB_SERVE__ ? 120 : 60);
  }

  function run() {
    if (!ui) return;
    const u = ui;
    const mine = ++seq;
    const query = u.input.value;
    const area = u.area.value;
    /** @param {unknown} e */
    const failed = (e) => {
      const superseded = e instanceof Error && /** @type {{ superseded?: boolean }} */ (e).superseded;
      if (mine === seq && !superseded) setStatus(u, 'Search failed: ' + (e instanceof Error ? e.message : String(e)));
    };
    // kb serve answers from its own index, with nothing to download: all at once.
    const first = window.__KB_SERVE__ ? LIMIT : FIRST;
    engine().search(query, area, first).then((results) => {
      if (mine !== seq) return;
      render(u, results);
      if (results.hits.length < first) return;
      // The rest once the first are on screen: their pages would share the link with
      // what the first still need.
      requestAnimationFrame(() => setTimeout(() => {
        if (mine !== seq) return;
        engine().search(query, area, LIMIT).then((all) => {
          if (mine === seq) render(u, all);
        }, failed);
      }, 0));
    }, failed);
  }

  /**
   * @param {Ui} u
   * @param {AreaCount[]} areas
   */
  function updateAreas(u, areas) {
    const current = u.area.value;
    let total = 0;
    u.area.textContent = '';
    areas.forEach((a) => { total += a.count; });
    u.area.appendChild(el('option', { value: '' }, 'All areas (' + total + ')'));
    // Pages outside any area (the home page) count in "All areas" but are no filter.
    const named = areas.filter((a) => a.area);
    named.forEach((a) => {
      u.area.appendChild(el('option', { value: a.area }, (a.title || a.area) + ' (' + a.count + ')'));
    });
    u.area.value = current;
    u.area.hidden = named.length < 2;
  }

  /** @param {ExcerptPart[]} parts */
  function excerptNode(parts) {
    const span = el('span', { 'class': 'kb-search__excerpt' });
    parts.forEach((p) => {
      span.appendChild(p.mark ? el('mark', null, p.text) : document.createTextNode(p.text));
    });
    return span;
  }

  /**
   * @param {Ui} u
   * @param {SearchResults} results
   */
  function render(u, results) {
    // The same answer again (the same query run twice) keeps the option the reader chose.
    const again = !!lastResults && lastResults.query === results.query && u.list.getAttribute('data-area') === u.area.value;
    const keep = again ? options(u).indexOf(/** @type {Element} */ (active(u))) : -1;
    lastResults = results;
    updateAreas(u, results.areas);
    const list = u.list;
    // Which query the list shows (tests and benchmarks wait for it).
    list.setAttribute('data-query', results.query);
    list.setAttribute('data-area', u.area.value);
    list.textContent = '';
    u.suggest.textContent = '';
    u.input.removeAttribute('aria-activedescendant');
    const q = results.query.trim();
    if (!q) {
      u.input.setAttribute('aria-expanded', 'false');
      setStatus(u, '');
      return;
    }
    /** @type {{ first: SearchHit, hits: SearchHit[] }[]} */
    const groups = [];
    /** @type {Record<string, { first: SearchHit, hits: SearchHit[] }>} */
    const byPage = {};
    results.hits.forEach((hit) => {
      let g = byPage[hit.page_url];
      if (!g) { g = byPage[hit.page_url] = { first: hit, hits: [] }; groups.push(g); }
      g.hits.push(hit);
    });
    let n = 0;
    groups.forEach((g, gi) => {
      const group = el('div', { role: 'group', 'class': 'kb-search__group', 'aria-label': g.first.page_title });
      const head = el('div', { 'class': 'kb-search__page', 'aria-hidden': 'true' });
      head.append(el('span', { 'class': 'kb-search__page-title' }, g.first.page_title),
        el('span', { 'class': 'kb-search__page-area' }, g.first.area_title));
      group.appendChild(head);
      g.hits.forEach((hit, hi) => {
        const opt = el('div', { role: 'option', id: 'kb-search-opt-' + (n++), 'class': 'kb-search__hit', 'aria-selected': 'false' });
        hitOf.set(opt, hit);
        // The top of the page sits right under the page title: no second title line.
        if (hit.heading || hi > 0) {
          opt.appendChild(el('span', { 'class': 'kb-search__hit-title' }, hit.heading || hit.page_title));
        }
        opt.appendChild(excerptNode(hit.excerpt));
        group.appendChild(opt);
      });
      list.appendChild(group);
      if (gi === 0) setActive(u, group.querySelector('[role="option"]'));
    });
    if (keep > 0 && keep < n) setActive(u, options(u)[keep]);
    u.input.setAttribute('aria-expanded', n > 0 ? 'true' : 'false');
    if (n === 0) {
      setStatus(u, 'No results for “' + q + '”.');
      renderSuggestions(u, results);
    } else {
      setStatus(u, results.total + (results.total === 1 ? ' page' : ' pages') +
        (results.fuzzy ? ' (including similar words)' : '') + '.');
      if (results.dropped.length) renderLeftOut(u, results);
    }
  }

  /**
   * Names the words no page has with the others, and what the results are for.
   * @param {Ui} u
   * @param {SearchResults} results
   */
  function renderLeftOut(u, results) {
    let kept = results.query;
    results.dropped.forEach((w) => { kept = kept.replace(w, ''); });
    const p = el('p', { 'class': 'kb-search__dropped' }, 'No page has all the words: left out ');
    results.dropped.forEach((w, i) => {
      if (i > 0) p.appendChild(document.createTextNode(', '));
      p.appendChild(el('code', null, w));
    });
    p.appendChild(document.createTextNode('; showing results for '));
    p.appendChild(el('code', null, kept.split(/\s+/).filter(Boolean).join(' ')));
    p.appendChild(document.createTextNode('.'));
    u.suggest.appendChild(p);
  }

  /**
   * @param {Ui} u
   * @param {SearchResults} results
   */
  function renderSuggestions(u, results) {
    const box = u.suggest;
    const items = results.suggestions.map((s) => ({ label: s, query: s, area: u.area.value }));
    if (u.area.value) {
      let elsewhere = 0;
      results.areas.forEach((a) => { elsewhere += a.count; });
      if (elsewhere > 0) items.unshift({ label: 'all areas (' + elsewhere + ')', query: u.input.value, area: '' });
    }
    if (!items.length) {
      box.appendChild(el('p', null, 'Try fewer or shorter words, or check the spelling.'));
      return;
    }
    box.appendChild(el('span', null, 'Try: '));
    items.forEach((item) => {
      const b = el('button', { type: 'button', 'class': 'kb-search__try' }, item.label);
      b.addEventListener('click', () => {
        u.input.value = item.query;
        u.area.value = item.area;
        run();
        u.input.focus();
      });
      box.appendChild(b);
    });
  }

  /** @param {Ui} u */
  function options(u) { return Array.from(u.list.querySelectorAll('[role="option"]')); }
  /** @param {Ui} u */
  function active(u) { return u.list.querySelector('[aria-selected="true"]'); }
  /**
   * @param {Ui} u
   * @param {Element | null} opt
   */
  function setActive(u, opt) {
    const old = active(u);
    if (old) old.setAttribute('aria-selected', 'false');
    if (!opt) { u.input.removeAttribute('aria-activedescendant'); return; }
    opt.setAttribute('aria-selected', 'true');
    u.input.setAttribute('aria-activedescendant', opt.id);
    opt.scrollIntoView({ block: 'nearest' });
  }

  /** @param {KeyboardEvent} e */
  function onKey(e) {
    if (!ui) return;
    const u = ui;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      const opts = options(u);
      if (!opts.length) return;
      const current = active(u);
      let i = current ? opts.indexOf(current) : -1;
      i = e.key === 'ArrowDown' ? Math.min(i + 1, opts.length - 1) : Math.max(i - 1, 0);
      setActive(u, opts[i]);
      e.preventDefault();
    } else if (e.key === 'Escape') {
      // A search input would swallow the first Esc to clear itself; Esc closes, always.
      e.preventDefault();
      closeDialog();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      clearTimeout(timer);
      const opt = active(u) || options(u)[0];
      if (opt) go(opt);
    }
  }

  /**
   * Link to a hit, with the words the engine matched on its page for site.js to mark.
   * @param {SearchHit} hit
   * @param {SearchResults} results
   */
  function hitHref(hit, results) {
    const words = engine().matchedWords(results, hit.page_url);
    const hash = hit.url.indexOf('#');
    let path = hash < 0 ? hit.url : hit.url.slice(0, hash);
    const anchor = hash < 0 ? '' : hit.url.slice(hash);
    // A downloaded site has no server to turn a folder into its index.html.
    if (location.protocol === 'file:' && (path === '' || path.slice(-1) === '/')) path += 'index.html';
    const url = new URL(path, siteRoot);
    if (words.length) url.searchParams.set('highlight', words.join(' '));
    return url.href + anchor;
  }

  /** @param {Element} opt */
  function go(opt) {
    const hit = hitOf.get(opt);
    if (!hit || !lastResults) return;
    const href = hitHref(hit, lastResults);
    closeDialog();
    location.href = href;
  }

  window.kbSearch = { open, close: closeDialog };
})();
