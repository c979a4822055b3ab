// @ts-check
// kb default theme: small progressive enhancements. Every page works without this file.
// Types: themes/types/kb.d.ts; checked by scripts/check-js.sh.
(function () {
  "use strict";
  var doc = document.documentElement;
  var root = document.querySelector('meta[name="kb-root"]')?.getAttribute("content") || "./";

  // Opened from disk, a folder link shows a file listing: point folder links at index.html.
  if (location.protocol === "file:") {
    document.querySelectorAll("a[href]").forEach(function (a) {
      var href = a.getAttribute("href") || "";
      if (/^[a-z][a-z0-9+.-]*:|^\/\/|^#/i.test(href)) return;
      var m = /^([^#?]*)(.*)$/.exec(href);
      if (m && (m[1] === "" || m[1].slice(-1) === "/")) a.setAttribute("href", m[1] + "index.html" + m[2]);
    });
  }

  // Folded chapters ([output.html.fold]) open down to the current page.
  var currentInNav = document.querySelector('.nav-tree a[aria-current="page"]');
  for (var folded = currentInNav?.closest("details"); folded; folded = folded.parentElement?.closest("details")) {
    folded.open = true;
  }

  // The 404 page is served at any path and has <base href>, which would resolve in-page
  // links (the skip link, headings) against the home page: keep them on this page.
  if (document.querySelector("base[href]")) {
    document.querySelectorAll('a[href^="#"]').forEach(function (a) {
      a.setAttribute("href", location.pathname + location.search + a.getAttribute("href"));
    });
  }

  // Colour theme: system, light, dark; remembered across pages.
  var toggle = document.querySelector(".theme-toggle");
  if (toggle instanceof HTMLElement) {
    var themeButton = toggle;
    /** @type {Record<string, string>} */
    var names = { auto: "system", light: "light", dark: "dark" };
    /** @type {Record<string, string>} */
    var nextMode = { auto: "light", light: "dark", dark: "auto" };
    var current = function () {
      try { return localStorage.getItem("kb-theme") || "auto"; } catch (e) { return "auto"; }
    };
    /** @param {string} mode */
    var label = function (mode) {
      themeButton.setAttribute("aria-label", "Colour theme: " + names[mode] + " (change)");
      themeButton.title = "Colour theme: " + names[mode];
    };
    label(current());
    themeButton.addEventListener("click", function () {
      var next = nextMode[current()] || "auto";
      try { localStorage.setItem("kb-theme", next); } catch (e) { /* private mode */ }
      if (next === "auto") doc.removeAttribute("data-theme"); else doc.setAttribute("data-theme", next);
      label(next);
    });
  }

  // Search is loaded only when the reader asks for it, or shows the intent to (see
  // warmSearch below): the engine (search.js) and the dialog (dialog.js) at once, as their
  // order of arrival does not matter. The engine starts fetching the module and the index
  // head as soon as it has loaded, without waiting for the dialog.
  /** @type {Promise<KbSearchDialog | undefined> | null} */
  var searchLoading = null;
  /** @param {string} name a file under search/ */
  function loadScript(name) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = root + "search/" + name;
      s.onload = resolve;
      s.onerror = function () { reject(new Error("search unavailable")); };
      document.head.appendChild(s);
    });
  }
  // The files search.js fetches first over http(s), asked for now rather than once it
  // has arrived: on a slow link that saves the round trip search.js takes. search.js
  // takes each response once (see its fetchFile).
  var EARLY_FILES = ["kb-search.wasm", "index.bin", "prefetch.json"];
  function fetchEarly() {
    if (window.__KB_SERVE__ || window.__kbSearchEarly || !/^https?:$/.test(location.protocol)) return;
    /** @type {Record<string, Promise<Response | null>>} */
    var early = {};
    EARLY_FILES.forEach(function (name) {
      early[name] = fetch(root + "search/" + name).catch(function () { return null; });
    });
    window.__kbSearchEarly = early;
  }
  function loadSearch() {
    if (window.kbSearch) return Promise.resolve(window.kbSearch);
    if (searchLoading) return searchLoading;
    fetchEarly();
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = root + "search/search.css";
    document.head.appendChild(css);
    var engine = loadScript("search.js").then(function () {
      // Errors are the dialog's to show when it asks again.
      window.kbSearchEngine?.ready().catch(function () {});
    });
    searchLoading = Promise.all([engine, loadScript("dialog.js")]).then(function () {
      return window.kbSearch;
    }, function (e) {
      searchLoading = null;
      throw e;
    });
    return searchLoading;
  }
  // What the reader types while search loads (the first time search opens) goes into
  // the search box once it is there; without this the first letters after "/" are lost.
  // A string while loading, false if Escape cancelled the opening, null otherwise.
  /** @type {string | false | null} */
  var typedAhead = null;
  function openSearch() {
    if (window.kbSearch) {
      window.kbSearch.open();
      return;
    }
    if (typeof typedAhead === "string") return; // opening already
    var waiting = typedAhead === false; // cancelled, still loading: open after all
    typedAhead = "";
    if (waiting) return;
    loadSearch().then(function (api) {
      var text = typedAhead;
      typedAhead = null;
      if (api && text !== false) api.open(text || undefined);
    }, function () { typedAhead = null; });
  }
  var searchButton = document.querySelector("[data-kb-search-open]");
  if (searchButton) {
    searchButton.addEventListener("click", openSearch);
    // Intent: a pointer over the button, focus on it, a finger on it. On a slow link the
    // module is on its way before the click; never on page load, for readers who do not
    // search, and not for readers who asked their browser to save data.
    ["pointerenter", "focus", "touchstart"].forEach(function (type) {
      searchButton?.addEventListener(type, warmSearch, { passive: true, once: true });
    });
  }
  function warmSearch() {
    var connection = /** @type {{ saveData?: boolean } | undefined} */ (/** @type {any} */ (navigator).connection);
    if (connection && connection.saveData) return;
    loadSearch().catch(function () {});
  }

  // A search result links here with the words the engine matched in ?highlight=: mark
  // them. The engine already did the stemming (the words are the forms found in the text),
  // so this only finds them again; it loads nothing.
  var highlightWords = (new URLSearchParams(location.search).get("highlight") || "")
    .split(/\s+/).filter(function (w) { return w.length > 1; }).slice(0, 20);
  if (highlightWords.length) {
    // A browser without RegExp lookbehind (Safari before 16.4) throws: no marks, but the
    // rest of this file still runs.
    try { highlight(highlightWords); } catch (e) { /* no marks */ }
  }

  /** @param {string} s */
  function escapeRegExp(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

  /**
   * A pattern matching `word` in any case, without the "i" flag (under which \p{Lu} would
   * match lower case letters too, and camelCase humps could not be told apart).
   * @param {string} word
   */
  function anyCase(word) {
    return Array.from(word, function (c) {
      var lower = c.toLowerCase();
      var upper = c.toUpperCase();
      if (lower === upper || lower.length > 1 || upper.length > 1) return escapeRegExp(c);
      return "[" + lower + upper + "]";
    }).join("");
  }

  /**
   * Marks `words` inside <main id="content"> where the search tokenizer would see them as
   * a word or as a part of one: between non-letters, or at a camelCase hump (the engine
   * matches `timeout` inside `WithTimeout`). Escape takes the marks away again.
   * @param {string[]} words
   * @returns {number} how many were marked
   */
  function highlight(words) {
    var content = document.getElementById("content");
    if (!content) return 0;
    var main = content;
    var hump = "(?<=[\\p{Ll}\\p{N}])(?=\\p{Lu})";
    var alternatives = words.map(anyCase).sort(function (a, b) { return b.length - a.length; });
    var re = new RegExp("(?:(?<![\\p{L}\\p{N}])|" + hump + ")(?:" + alternatives.join("|") + ")(?:(?![\\p{L}\\p{N}])|" + hump + ")", "gu");
    var walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT, {
      acceptNode: function (n) {
        var p = n.parentElement && n.parentElement.closest("script,style,textarea,mark");
        return p ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
      }
    });
    /** @type {Text[]} */
    var nodes = [];
    while (walker.nextNode()) nodes.push(/** @type {Text} */ (walker.currentNode));
    var count = 0;
    nodes.forEach(function (node) {
      var text = node.data;
      re.lastIndex = 0;
      if (count >= 500 || !re.test(text)) return;
      re.lastIndex = 0;
      var frag = document.createDocumentFragment();
      var at = 0;
      var m;
      while ((m = re.exec(text)) && count < 500) {
        frag.appendChild(document.createTextNode(text.slice(at, m.index)));
        var mark = document.createElement("mark");
        mark.className = "kb-highlight";
        mark.textContent = m[0];
        frag.appendChild(mark);
        at = m.index + m[0].length;
        count++;
      }
      frag.appendChild(document.createTextNode(text.slice(at)));
      node.replaceWith(frag);
    });
    if (!count) return 0;
    var first = main.querySelector("mark.kb-highlight");
    if (first && !location.hash) first.scrollIntoView({ block: "center" });
    document.addEventListener("keydown", function clear(e) {
      if (e.key !== "Escape" || document.querySelector("dialog.kb-search[open]")) return;
      main.querySelectorAll("mark.kb-highlight").forEach(function (m) {
        m.replaceWith(document.createTextNode(m.textContent || ""));
      });
      main.normalize();
      document.removeEventListener("keydown", clear);
    });
    return count;
  }

  // Keys: "/" or Ctrl-K search, left and right arrows turn pages, Escape closes the menu.
  document.addEventListener("keydown", function (e) {
    if (typeof typedAhead === "string" && !e.ctrlKey && !e.metaKey && !e.altKey) {
      if (e.key.length === 1) typedAhead += e.key;
      else if (e.key === "Backspace") typedAhead = typedAhead.slice(0, -1);
      else if (e.key === "Escape") typedAhead = false;
      else return;
      e.preventDefault();
      return;
    }
    var t = e.target instanceof HTMLElement ? e.target : null;
    var typing = !!t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
    if (searchButton && ((e.key === "/" && !typing) || (e.key.toLowerCase() === "k" && (e.ctrlKey || e.metaKey)))) {
      e.preventDefault();
      openSearch();
      return;
    }
    if (e.key === "Escape") {
      var navToggle = document.getElementById("nav-toggle");
      if (navToggle instanceof HTMLInputElement && navToggle.checked) {
        var inMenu = document.activeElement && document.activeElement.closest("#sidebar");
        navToggle.checked = false;
        // Focus was in the menu that just closed: put it back on the menu button.
        if (inMenu) navToggle.focus();
      }
    }
    if (typing || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    // Arrow keys scroll a focused code block or table sideways instead of turning the page.
    if (t && t.closest("pre, .table-wrap")) return;
    if (document.querySelector("dialog.kb-search[open]")) return;
    var rel = e.key === "ArrowLeft" ? "prev" : e.key === "ArrowRight" ? "next" : null;
    if (!rel) return;
    var link = document.querySelector('.pager a[rel="' + rel + '"]');
    if (link instanceof HTMLAnchorElement) location.href = link.href;
  });

  // Copy buttons on code blocks, and a button that shows hidden lines (Rust's `# `).
  document.querySelectorAll("figure.code-block").forEach(function (figure) {
    var pre = figure.querySelector("pre");
    if (!pre) return;
    var code = pre;
    if (pre.querySelector(".line.hidden")) {
      var reveal = document.createElement("button");
      reveal.type = "button";
      reveal.className = "hidden-lines-button";
      reveal.textContent = "Show all";
      reveal.setAttribute("aria-pressed", "false");
      reveal.setAttribute("aria-label", "Show hidden lines");
      reveal.addEventListener("click", function () {
        var shown = figure.classList.toggle("show-hidden");
        reveal.setAttribute("aria-pressed", shown ? "true" : "false");
        reveal.textContent = shown ? "Hide" : "Show all";
      });
      figure.appendChild(reveal);
    }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy code to clipboard");
    button.addEventListener("click", function () {
      // What the reader sees: hidden lines only when they are shown.
      var text = "";
      var lines = code.querySelectorAll(".line");
      if (lines.length === 0) text = code.textContent || "";
      lines.forEach(function (line) {
        if (!line.classList.contains("hidden") || figure.classList.contains("show-hidden")) {
          text += line.textContent || "";
        }
      });
      var done = function () {
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = "Copy"; }, 1500);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () {});
      } else {
        var area = document.createElement("textarea");
        area.value = text;
        area.setAttribute("readonly", "");
        area.style.position = "fixed";
        area.style.opacity = "0";
        document.body.appendChild(area);
        area.select();
        try { document.execCommand("copy"); done(); } catch (e) { /* nothing to do */ }
        document.body.removeChild(area);
      }
    });
    figure.appendChild(button);
  });

  // "View as Markdown" becomes "Copy page as Markdown". Over http(s) the twin beside the
  // page is fetched; from file://, where the browser refuses to fetch, its script twin
  // (data-kb-copy-markdown: `index.md.js`, the same text handed to __kbMarkdownTwin) is
  // run instead, as search loads its index there. The clipboard write is asked for within
  // the click, with the text still loading (a ClipboardItem of a promise), so it has the
  // click's user activation however long the load takes; the load starts early anyway,
  // when the pointer or the focus reaches the button. When all fails the twin is opened.
  document.querySelectorAll("a[data-kb-copy-markdown]").forEach(function (link) {
    if (!navigator.clipboard || !window.isSecureContext) return;
    var href = link.getAttribute("href") || "";
    var script = link.getAttribute("data-kb-copy-markdown") || href + ".js";
    /** @type {Promise<string> | null} */
    var markdown = null;
    /** @returns {Promise<string>} */
    var viaScript = function () {
      return new Promise(function (resolve, reject) {
        window.__kbMarkdownTwin = resolve;
        var s = document.createElement("script");
        s.src = new URL(script, location.href).href;
        // onload runs after the script: without the call, the file is not a script twin.
        s.onload = s.onerror = function () {
          s.remove();
          window.__kbMarkdownTwin = undefined;
          reject(new Error("no Markdown in " + s.src));
        };
        document.head.appendChild(s);
      });
    };
    /** @returns {Promise<string>} */
    var viaFetch = function () {
      return fetch(href).then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.text(); });
    };
    var load = function () {
      if (!markdown) {
        markdown = location.protocol === "file:" ? viaScript() : viaFetch().catch(viaScript);
        // A failed load (a file missing, offline) may be retried by the next press.
        markdown.catch(function () { markdown = null; });
      }
      return markdown;
    };
    /** @param {Promise<string>} text */
    var writeText = function (text) {
      return text.then(function (t) { return navigator.clipboard.writeText(t); });
    };
    /** @param {Promise<string>} text */
    var copy = function (text) {
      if (window.ClipboardItem && navigator.clipboard.write) {
        try {
          var blob = text.then(function (t) { return new Blob([t], { type: "text/plain" }); });
          return navigator.clipboard.write([new ClipboardItem({ "text/plain": blob })])
            .catch(function () { return writeText(text); });
        } catch (e) { /* a browser without promises in ClipboardItem: write the text */ }
      }
      return writeText(text);
    };
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-markdown";
    button.textContent = "Copy page as Markdown";
    var status = document.createElement("span");
    status.className = "copy-markdown-status";
    status.setAttribute("role", "status");
    button.addEventListener("pointerenter", load);
    button.addEventListener("focus", load);
    button.addEventListener("click", function () {
      status.textContent = "";
      copy(load()).then(function () { status.textContent = "Copied"; },
        function () { location.href = new URL(href, location.href).href; });
    });
    // After the link, so nothing already drawn moves.
    link.after(button, status);
  });

  // "On this page" follows scrolling.
  var tocLinks = document.querySelectorAll(".toc a[href^='#']");
  if (tocLinks.length && "IntersectionObserver" in window) {
    /** @type {Record<string, Element>} */
    var byId = {};
    tocLinks.forEach(function (a) { byId[decodeURIComponent((a.getAttribute("href") || "").slice(1))] = a; });
    /** @type {Record<string, boolean>} */
    var visible = {};
    var headings = Array.from(document.querySelectorAll(".content h2[id], .content h3[id]")).filter(function (h) { return byId[h.id]; });
    var update = function () {
      var active = null;
      for (var i = 0; i < headings.length; i++) {
        if (visible[headings[i].id]) { active = byId[headings[i].id]; break; }
      }
      if (!active) return;
      tocLinks.forEach(function (a) { a.classList.remove("active"); a.removeAttribute("aria-current"); });
      active.classList.add("active");
      active.setAttribute("aria-current", "true");
    };
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) { visible[entry.target.id] = entry.isIntersecting; });
      update();
    }, { rootMargin: "-56px 0px -60% 0px" });
    headings.forEach(function (h) { observer.observe(h); });
  }
})();
