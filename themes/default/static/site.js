// kb default theme: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  var doc = document.documentElement;
  var rootMeta = document.querySelector('meta[name="kb-root"]');
  var root = rootMeta ? rootMeta.getAttribute("content") : "./";

  // Opened from disk, a folder link shows a file listing: point folder links at index.html.
  if (location.protocol === "file:") {
    document.querySelectorAll("a[href]").forEach(function (a) {
      var href = a.getAttribute("href");
      if (/^[a-z][a-z0-9+.-]*:|^\/\/|^#/i.test(href)) return;
      var m = href.match(/^([^#?]*)(.*)$/);
      if (m[1] === "" || m[1].slice(-1) === "/") a.setAttribute("href", m[1] + "index.html" + m[2]);
    });
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
  if (toggle) {
    var names = { auto: "system", light: "light", dark: "dark" };
    var current = function () {
      try { return localStorage.getItem("kb-theme") || "auto"; } catch (e) { return "auto"; }
    };
    var label = function (mode) {
      toggle.setAttribute("aria-label", "Colour theme: " + names[mode] + " (change)");
      toggle.title = "Colour theme: " + names[mode];
    };
    label(current());
    toggle.addEventListener("click", function () {
      var next = { auto: "light", light: "dark", dark: "auto" }[current()] || "auto";
      try { localStorage.setItem("kb-theme", next); } catch (e) { /* private mode */ }
      if (next === "auto") doc.removeAttribute("data-theme"); else doc.setAttribute("data-theme", next);
      label(next);
    });
  }

  // Search is loaded only when the reader asks for it.
  var searchLoading = null;
  function loadSearch() {
    if (window.kbSearch) return Promise.resolve(window.kbSearch);
    if (searchLoading) return searchLoading;
    searchLoading = new Promise(function (resolve, reject) {
      var css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = root + "search/search.css";
      document.head.appendChild(css);
      var s = document.createElement("script");
      s.src = root + "search/search.js";
      s.onload = function () { resolve(window.kbSearch); };
      s.onerror = function () { searchLoading = null; reject(new Error("search unavailable")); };
      document.head.appendChild(s);
    });
    return searchLoading;
  }
  // What the reader types while search.js loads (the first time search opens) goes into
  // the search box once it is there; without this the first letters after "/" are lost.
  // A string while loading, false if Escape cancelled the opening, null otherwise.
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
  }
  var highlight = new URLSearchParams(location.search).get("highlight");
  if (highlight && searchButton) {
    loadSearch().then(function (api) { if (api && api.highlight) api.highlight(highlight); }, function () {});
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
    var t = e.target;
    var typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
    if (searchButton && ((e.key === "/" && !typing) || (e.key.toLowerCase() === "k" && (e.ctrlKey || e.metaKey)))) {
      e.preventDefault();
      openSearch();
      return;
    }
    if (e.key === "Escape") {
      var navToggle = document.getElementById("nav-toggle");
      if (navToggle && navToggle.checked) {
        var inMenu = document.activeElement && document.activeElement.closest("#sidebar");
        navToggle.checked = false;
        // Focus was in the menu that just closed: put it back on the menu button.
        if (inMenu) navToggle.focus();
      }
    }
    if (typing || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    // Arrow keys scroll a focused code block or table sideways instead of turning the page.
    if (t && t.closest && t.closest("pre, .table-wrap")) return;
    if (document.querySelector(".kb-search-dialog[open]")) return;
    var rel = e.key === "ArrowLeft" ? "prev" : e.key === "ArrowRight" ? "next" : null;
    if (!rel) return;
    var link = document.querySelector('.pager a[rel="' + rel + '"]');
    if (link) location.href = link.href;
  });

  // Copy buttons on code blocks.
  document.querySelectorAll("figure.code-block").forEach(function (figure) {
    var pre = figure.querySelector("pre");
    if (!pre) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy code to clipboard");
    button.addEventListener("click", function () {
      var text = pre.textContent;
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

  // "On this page" follows scrolling.
  var tocLinks = document.querySelectorAll(".toc a[href^='#']");
  if (tocLinks.length && "IntersectionObserver" in window) {
    var byId = {};
    tocLinks.forEach(function (a) { byId[decodeURIComponent(a.getAttribute("href").slice(1))] = a; });
    var visible = {};
    var headings = Array.prototype.filter.call(document.querySelectorAll(".content h2[id], .content h3[id]"), function (h) { return byId[h.id]; });
    var update = function () {
      var active = null;
      for (var i = 0; i < headings.length; i++) {
        if (visible[headings[i].id]) { active = headings[i].id; break; }
      }
      if (!active) return;
      tocLinks.forEach(function (a) { a.classList.remove("active"); a.removeAttribute("aria-current"); });
      byId[active].classList.add("active");
      byId[active].setAttribute("aria-current", "true");
    };
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) { visible[entry.target.id] = entry.isIntersecting; });
      update();
    }, { rootMargin: "-56px 0px -60% 0px" });
    headings.forEach(function (h) { observer.observe(h); });
  }
})();
