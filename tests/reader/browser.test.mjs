// Browser tests of the reader experience in headless Chromium, on the built knowledge base:
// keyboard use (skip link, visible focus on every stop, "/", Ctrl-K, Esc, arrow keys), reading
// with JavaScript off, browsing from file://, no sideways scrolling at 320 px, no layout shift,
// the weight of a first visit, the colour theme (system, toggle, remembered), print, the copy
// button on code blocks and the "On this page" list following scrolling.
// Run through run.sh, which builds the site and sets KB_READER_SITE.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { browserSuite } from "../lib/browser.mjs";
import { PAGES } from "./pages.mjs";

const suite = browserSuite("KB_READER_SITE", "a built site");
const { open, site: SITE } = suite;
/** A first visit to any page may transfer at most this much, compressed (search excluded). */
const WEIGHT_BUDGET = 50_000;
const CODE_PAGE = PAGES.find((p) => p.name === "code").path;

/** What the focused element looks like: its outline (or its label's, for the hidden checkbox). */
function focusRing() {
  let el = document.activeElement;
  if (!el || el === document.body) return null;
  if (el.id === "nav-toggle") el = document.querySelector('label[for="nav-toggle"]');
  const s = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  return {
    what: el.tagName + (el.className ? "." + String(el.className).split(" ")[0] : "") + " " + (el.textContent || "").trim().slice(0, 30),
    outline: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2,
    visible: r.width > 0 && r.height > 0,
  };
}

for (const [name, viewport] of [["desktop", { width: 1280, height: 900 }], ["mobile", { width: 375, height: 740 }]]) {
  test(`keyboard (${name}): skip link first, every tab stop has a visible focus ring`, async () => {
    const { context, page, errors } = await open(CODE_PAGE, { viewport });
    await page.keyboard.press("Tab");
    const first = await page.evaluate(() => {
      const a = document.activeElement;
      const r = a.getBoundingClientRect();
      return { cls: a.className, top: r.top, bottom: r.bottom };
    });
    assert.equal(first.cls, "skip-link");
    assert.ok(first.top >= 0 && first.bottom > 0, "the skip link is on screen when focused");
    await page.keyboard.press("Enter");
    assert.equal(await page.evaluate(() => document.activeElement.id), "content", "skip link moves focus to <main>");
    // Walk the first 60 stops from the top: header, menu, sidebar, content.
    await page.evaluate(() => document.activeElement.blur());
    const bad = [];
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press("Tab");
      const ring = await page.evaluate(focusRing);
      if (!ring) continue;
      if (!ring.outline || !ring.visible) bad.push(ring);
    }
    assert.deepEqual(bad, [], "focused elements without a visible focus ring");
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test("keyboard: / and Ctrl-K open search, Esc closes it", async () => {
  const { context, page, errors } = await open(CODE_PAGE);
  const dialogOpen = () => page.evaluate(() => !!document.querySelector("dialog[open]"));
  await page.keyboard.press("/");
  await page.locator("#kb-search-input").waitFor({ state: "visible" });
  assert.equal(await page.evaluate(() => document.activeElement.id), "kb-search-input");
  await page.keyboard.press("Escape");
  await page.waitForFunction(() => !document.querySelector("dialog[open]"));
  await page.keyboard.press("Control+k");
  await page.locator("#kb-search-input").waitFor({ state: "visible" });
  assert.ok(await dialogOpen());
  await page.keyboard.press("Escape");
  await page.waitForFunction(() => !document.querySelector("dialog[open]"));
  assert.deepEqual(errors, []);
  await context.close();
});

test("keyboard: arrow keys turn pages, but not inside a code block", async () => {
  const { context, page } = await open(CODE_PAGE);
  const next = await page.locator('.pager a[rel="next"]').getAttribute("href");
  const prev = await page.locator('.pager a[rel="prev"]').getAttribute("href");
  const start = page.url();
  await page.locator("pre.code").first().focus();
  await page.keyboard.press("ArrowRight");
  await page.waitForTimeout(300);
  assert.equal(page.url(), start, "ArrowRight in a code block scrolls it, it does not leave the page");
  await page.evaluate(() => document.activeElement.blur());
  await Promise.all([page.waitForURL(new URL(next, start).href), page.keyboard.press("ArrowRight")]);
  await Promise.all([page.waitForURL(start), page.keyboard.press("ArrowLeft")]);
  await Promise.all([page.waitForURL(new URL(prev, start).href), page.keyboard.press("ArrowLeft")]);
  await context.close();
});

test("keyboard: Esc closes the mobile menu and focus returns to its button", async () => {
  const { context, page } = await open(CODE_PAGE, { viewport: { width: 375, height: 740 } });
  const sidebar = page.locator("#sidebar");
  assert.equal(await sidebar.isVisible(), false);
  await page.locator("#nav-toggle").focus();
  await page.keyboard.press("Space");
  assert.equal(await sidebar.isVisible(), true, "Space on the menu button opens the menu");
  let inMenu = false;
  for (let i = 0; i < 6 && !inMenu; i++) {
    await page.keyboard.press("Tab");
    inMenu = await page.evaluate(() => !!document.activeElement.closest("#sidebar"));
  }
  assert.ok(inMenu, "Tab reaches the open menu right after the header");
  await page.keyboard.press("Escape");
  assert.equal(await sidebar.isVisible(), false);
  assert.equal(await page.evaluate(() => document.activeElement.id), "nav-toggle");
  await context.close();
});

test("the 404 page keeps in-page links on its own URL despite <base href>", async () => {
  const { context, page } = await open("no/such/page/");
  assert.equal(await page.locator("h1").textContent(), "Page not found");
  assert.equal(await page.locator("#sidebar [aria-current]").count(), 0, "no sidebar link is marked current");
  const skip = await page.locator(".skip-link").evaluate((a) => a.href);
  assert.equal(skip, suite.server.url + "no/such/page/#content");
  const home = await page.locator(".site-title").evaluate((a) => a.href);
  assert.equal(home, suite.server.url, "site links resolve against <base href>");
  await context.close();
});

test("JavaScript off: reading, navigation, TOC and the mobile menu work", async () => {
  const { context, page } = await open(CODE_PAGE, { javaScriptEnabled: false });
  assert.ok((await page.locator("main h1").textContent()).length > 0);
  assert.ok((await page.locator(".toc a").count()) > 3, "the table of contents is there");
  const tocHref = await page.locator(".toc a").nth(1).getAttribute("href");
  await page.locator(".toc a").nth(1).click();
  assert.ok(page.url().endsWith(tocHref), "TOC links jump to their heading");
  assert.equal(await page.locator(".search-button").isVisible(), false, "search needs JS, so its button stays hidden");
  assert.equal(await page.locator(".theme-toggle").isVisible(), false);
  const area = page.locator(".sidebar details:not([open]) summary").first();
  await area.click();
  assert.ok(await page.locator(".sidebar details[open]").count() >= 2, "areas in the sidebar expand");
  await page.locator(".pager a[rel=next]").click();
  await page.waitForLoadState();
  assert.notEqual(page.url(), suite.server.url + CODE_PAGE);
  await page.setViewportSize({ width: 375, height: 740 });
  assert.equal(await page.locator("#sidebar").isVisible(), false);
  await page.locator(".nav-toggle-label").click();
  assert.equal(await page.locator("#sidebar").isVisible(), true, "the menu opens without JS");
  await context.close();
});

test("file://: folder links point at index.html, pages and assets load", async () => {
  const url = pathToFileURL(join(SITE, "index.html")).href;
  const { context, page, errors } = await open(url);
  const hrefs = await page.$$eval("a[href]", (as) => as.map((a) => a.getAttribute("href")));
  const folders = hrefs.filter((h) => !/^[a-z][a-z0-9+.-]*:|^#/i.test(h) && /(^|\/)(#.*)?$/.test(h));
  assert.deepEqual(folders, [], "links still pointing at folders");
  await page.locator(".cards a").first().click();
  await page.waitForLoadState();
  assert.match(page.url(), /\/index\.html$/);
  assert.ok(await page.locator("main h1").isVisible());
  const styled = await page.evaluate(() => getComputedStyle(document.querySelector(".site-header")).position);
  assert.equal(styled, "sticky", "the stylesheet loads from file://");
  assert.deepEqual(errors, []);
  await context.close();
});

test("320 px: no sideways page scroll; code blocks scroll inside themselves", async () => {
  const { context, page } = await open(null, { viewport: { width: 320, height: 640 }, isMobile: true, hasTouch: true });
  const wide = [];
  for (const p of [...PAGES, { name: "tables", path: "cloud/multi-region-dr/" }, { name: "tags", path: "tags/" }]) {
    await page.goto(suite.server.url + p.path);
    for (const menu of [false, true]) {
      if (menu) await page.locator(".nav-toggle-label").click();
      const w = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
      if (w.scroll > w.client) wide.push(`${p.name}${menu ? " (menu open)" : ""}: ${w.scroll} > ${w.client}`);
    }
  }
  assert.deepEqual(wide, []);
  await page.goto(suite.server.url + CODE_PAGE);
  const overflowing = await page.$$eval("pre.code", (pres) => pres.filter((p) => p.scrollWidth > p.clientWidth).length);
  assert.ok(overflowing > 0, "long code lines overflow their block (and scroll there), not the page");
  await context.close();
});

test("no layout shift, no web fonts", async () => {
  for (const [viewport, theme] of [[{ width: 1280, height: 900 }, "dark"], [{ width: 375, height: 740 }, null]]) {
    const { context, page } = await open(null, { viewport });
    if (theme) await context.addInitScript((t) => localStorage.setItem("kb-theme", t), theme);
    const fonts = [];
    page.on("request", (r) => { if (r.resourceType() === "font") fonts.push(r.url()); });
    for (const p of PAGES) {
      await page.goto(suite.server.url + p.path);
      await page.waitForLoadState("load");
      await page.waitForTimeout(400);
      const cls = await page.evaluate(() => new Promise((done) => {
        let sum = 0;
        new PerformanceObserver((list) => { for (const e of list.getEntries()) if (!e.hadRecentInput) sum += e.value; })
          .observe({ type: "layout-shift", buffered: true });
        setTimeout(() => done(sum), 100);
      }));
      // Nothing a reader sees may move. A CI run on a loaded machine once measured 7e-7 on
      // the home page, what a 30 px icon moving by one pixel scores at 1280 px, and twelve
      // loads under full CPU load did not reproduce it; a line of text moving by one pixel
      // scores about 1.2e-5, so the bar is 1e-5.
      assert.ok(cls < 1e-5, `CLS on ${p.name} (${viewport.width} px): ${cls}`);
    }
    assert.deepEqual(fonts, []);
    await context.close();
  }
});

test(`a first visit transfers at most ${WEIGHT_BUDGET} bytes compressed (measured in the browser)`, async () => {
  for (const p of PAGES) {
    const { context, page } = await open(null);
    const responses = [];
    page.on("requestfinished", async (r) => responses.push(r));
    await page.goto(suite.server.url + p.path);
    await page.waitForLoadState("load");
    await page.waitForTimeout(300);
    let total = 0;
    for (const r of responses) {
      if (new URL(r.url()).pathname.startsWith("/search/")) continue;
      const s = await r.sizes();
      total += s.responseBodySize + s.responseHeadersSize;
    }
    assert.ok(total <= WEIGHT_BUDGET, `${p.name}: ${total} bytes`);
    await context.close();
  }
});

test(`every page of the site weighs at most ${WEIGHT_BUDGET} bytes gzipped with its CSS, JS and icon`, async () => {
  const files = await readdir(SITE, { recursive: true });
  const gz = async (f) => gzipSync(await readFile(join(SITE, f)), { level: 9 }).length;
  const shared = (await Promise.all(files.filter((f) => /^(style|site)\.[0-9a-f]+\.(css|js)$|^favicon\.svg$/.test(f)).map(gz)))
    .reduce((a, b) => a + b, 0);
  const heavy = [];
  for (const f of files.filter((f) => f.endsWith(".html"))) {
    const total = shared + (await gz(f));
    if (total > WEIGHT_BUDGET) heavy.push(`${f}: ${total}`);
  }
  assert.deepEqual(heavy, []);
});

test("colour theme: follows the system, the toggle cycles and is remembered", async () => {
  const bg = (page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const { context, page } = await open(CODE_PAGE, { colorScheme: "dark" });
  const dark = await bg(page);
  assert.notEqual(dark, "rgb(255, 255, 255)", "dark system scheme gives a dark page");
  const toggle = page.locator(".theme-toggle");
  await toggle.click(); // system -> light
  assert.equal(await bg(page), "rgb(255, 255, 255)");
  assert.match(await toggle.getAttribute("aria-label"), /light/);
  await page.goto(suite.server.url);
  assert.equal(await bg(page), "rgb(255, 255, 255)", "the choice is remembered on the next page");
  await toggle.click(); // light -> dark
  assert.equal(await bg(page), dark);
  await toggle.click(); // dark -> system
  assert.equal(await page.evaluate(() => document.documentElement.hasAttribute("data-theme")), false);
  assert.equal(await bg(page), dark);
  await context.close();
});

test("print: one column, no chrome, link URLs written out", async () => {
  const { context, page } = await open(CODE_PAGE);
  await page.emulateMedia({ media: "print" });
  const hidden = await page.$$eval(".site-header, .sidebar, .toc, .pager, .site-footer", (els) =>
    els.every((e) => getComputedStyle(e).display === "none"));
  assert.ok(hidden, "header, sidebar, TOC, pager and footer are not printed");
  const after = await page.$eval(".content a[href^='http']", (a) => getComputedStyle(a, "::after").content);
  assert.match(after, /attr\(href\)|http/);
  const mainWidth = await page.$eval("main", (m) => m.getBoundingClientRect().width);
  assert.ok(mainWidth > 600, `main takes the page width when printed (${mainWidth} px)`);
  const wraps = await page.$eval("pre.code", (p) => getComputedStyle(p).whiteSpace);
  assert.equal(wraps, "pre-wrap", "code wraps on paper instead of being cut off");
  await context.close();
});

test("copy button: added by the script, copies the code block's text", async () => {
  const html = await (await fetch(suite.server.url + CODE_PAGE)).text();
  assert.ok(!html.includes("copy-button"), "the served page has no button: it works without JavaScript");
  const { context, page, errors } = await open(CODE_PAGE, { permissions: ["clipboard-read", "clipboard-write"] });
  const button = page.locator("figure.code-block .copy-button").first();
  await button.click();
  await page.waitForFunction(() => document.querySelector("figure.code-block .copy-button").textContent === "Copied");
  const expected = await page.locator("figure.code-block pre").first().evaluate((pre) => pre.textContent);
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, expected);
  assert.ok(copied.includes("\n"), "lines keep their breaks");
  assert.deepEqual(errors, []);
  await context.close();
});

test("On this page follows scrolling", async () => {
  const { context, page } = await open(CODE_PAGE);
  const ids = await page.locator(".content h2[id]").evaluateAll((hs) => hs.map((h) => h.id));
  assert.ok(ids.length >= 4, "the code page has sections");
  for (const id of [ids[3], ids[1]]) {
    await page.evaluate((id) => document.getElementById(id).scrollIntoView(), id);
    await page.waitForFunction(
      (id) => document.querySelector(".toc a.active")?.getAttribute("href") === "#" + id,
      id,
      { timeout: 5000 },
    );
  }
  assert.equal(await page.locator(".toc a.active").count(), 1, "one entry is current");
  await context.close();
});
