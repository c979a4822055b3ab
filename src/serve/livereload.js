// kb serve: live reload and the build-error overlay. Injected into served pages only.
(function () {
  "use strict";
  var overlay = null;

  function hideOverlay() {
    if (overlay) {
      overlay.remove();
      overlay = null;
    }
  }

  // Diagnostics are user content (file names, messages quoting the page): text only.
  function showOverlay(diagnostics) {
    hideOverlay();
    overlay = document.createElement("div");
    overlay.id = "kb-error-overlay";
    overlay.setAttribute("role", "alert");
    overlay.style.cssText =
      "position:fixed;inset:0 0 auto 0;max-height:70vh;overflow:auto;z-index:2147483647;" +
      "background:#2b0d0d;color:#ffe4e4;border-bottom:3px solid #e5484d;padding:1rem 1.25rem;" +
      "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;box-shadow:0 4px 24px #0008";
    var title = document.createElement("strong");
    title.textContent = "kb serve: the site has errors; showing the last good version.";
    overlay.appendChild(title);
    diagnostics.forEach(function (d) {
      var where = String(d.file || "");
      if (d.line) where += ":" + d.line + (d.column ? ":" + d.column : "");
      var item = document.createElement("pre");
      item.className = "kb-diagnostic";
      item.style.cssText = "margin:.75rem 0 0;white-space:pre-wrap";
      item.textContent = where + ": " + (d.severity || "error") + ": " + String(d.message || "") +
        (d.help ? "\n  help: " + String(d.help) : "");
      overlay.appendChild(item);
    });
    (document.body || document.documentElement).appendChild(overlay);
  }

  // Replaces stylesheet links in place, keeping the page: the new link loads before the
  // old one goes, so the page never shows unstyled. `hrefFor` gives a link's new address,
  // or nothing to keep it.
  function swapStylesheets(hrefFor) {
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    Array.prototype.forEach.call(links, function (link) {
      var href = hrefFor(new URL(link.href, location.href).pathname);
      if (!href) return;
      var next = link.cloneNode();
      next.href = href;
      next.onload = function () { link.remove(); };
      link.after(next);
    });
  }

  // The theme's stylesheet has a hashed name (style.<hash>.css): it moves to `href`.
  // Stylesheets rewritten under the same name (`changed`) are fetched again.
  function updateStylesheets(href, changed) {
    var stamp = "kb-reload=" + Date.now();
    swapStylesheets(function (path) {
      if (href && /(^|\/)style\.[0-9a-f]+\.css$/.test(path)) return href;
      if (changed.indexOf(path) !== -1) return path + "?" + stamp;
      return null;
    });
  }

  var delay = 200;
  var connectedBefore = false;
  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + "/__kb/livereload");
    socket.onopen = function () {
      delay = 200;
      // The server restarted while this tab waited: what it shows may be stale.
      if (connectedBefore) location.reload();
      connectedBefore = true;
    };
    socket.onmessage = function (event) {
      var message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      if (message.type === "reload") location.reload();
      else if (message.type === "css") { hideOverlay(); updateStylesheets(message.href, message.changed || []); }
      else if (message.type === "error") showOverlay(message.diagnostics || []);
      else if (message.type === "ok") hideOverlay();
    };
    socket.onclose = function () {
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 5000);
    };
  }
  connect();
})();
