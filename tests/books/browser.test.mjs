// Browser tests of mdBook books built by kb, in headless Chromium (run through
// run-browser.sh, which builds the fixture books and sets KB_BOOKS_SITE):
// - the print page: chrome hidden on paper, a chapter per sheet, screenshots to look at;
// - the "Show all" button of a Rust block with hidden `# ` lines: the lines are not shown at
//   first, are after a click (mouse or keyboard), and Copy leaves out what is not shown.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { chromium } from "playwright-core";
import { serve } from "../reader/server.mjs";
import { CHROMIUM, CHROMIUM_FLAGS } from "../reader/pages.mjs";

const SITE = resolve(process.env.KB_BOOKS_SITE || "");

let server;
let browser;

before(async () => {
  assert.ok(process.env.KB_BOOKS_SITE, "set KB_BOOKS_SITE to the folder of built books");
  server = await serve(SITE);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** A fresh context and page at `path` of the served books; `errors` collects page errors. */
async function open(path, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(server.url + path);
  return { context, page, errors };
}

/** The first Rust block of the hidden-lines chapter. */
const RUST_BLOCK = 'figure.code-block:has(pre[data-lang="rust"])';

/** Texts of the block's hidden lines that are laid out (have a box), and of all of them. */
async function hiddenLines(page) {
  return page.locator(`${RUST_BLOCK} .line.hidden`).evaluateAll((lines) => ({
    all: lines.map((l) => l.textContent),
    visible: lines.filter((l) => l.getClientRects().length > 0 && l.offsetHeight > 0).map((l) => l.textContent),
  }));
}

test("Show all: hidden Rust lines appear on click and hide again", async () => {
  const { context, page, errors } = await open("includes/hidden.html");
  const block = page.locator(RUST_BLOCK);
  const before = await hiddenLines(page);
  assert.ok(before.all.some((t) => t.includes("let hidden = 2;")), `the fixture has hidden lines: ${before.all}`);
  assert.deepEqual(before.visible, [], "hidden lines are not shown at first");
  assert.ok(await block.getByText("let shown = 1;").isVisible(), "the other lines are");
  const button = block.locator(".hidden-lines-button");
  assert.equal(await button.textContent(), "Show all");
  assert.equal(await button.getAttribute("aria-pressed"), "false");
  await button.click();
  const after = await hiddenLines(page);
  assert.deepEqual(after.visible, after.all, "every hidden line is shown after the click");
  assert.ok(await block.getByText("let hidden = 2;").isVisible());
  assert.equal(await button.getAttribute("aria-pressed"), "true");
  assert.equal(await button.textContent(), "Hide");
  await button.click();
  assert.deepEqual((await hiddenLines(page)).visible, [], "a second click hides them again");
  // Blocks without hidden lines get no button; the Python block with `~` lines gets one.
  assert.equal(await page.locator('figure.code-block:has(pre[data-lang="text"]) .hidden-lines-button').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test("Show all is operable from the keyboard", async () => {
  const { context, page, errors } = await open("includes/hidden.html");
  const button = page.locator(`${RUST_BLOCK} .hidden-lines-button`);
  // Tab from the code block (focusable for scrolling) reaches the button.
  await page.locator(`${RUST_BLOCK} pre`).focus();
  let reached = false;
  for (let i = 0; i < 5 && !reached; i++) {
    await page.keyboard.press("Tab");
    reached = await button.evaluate((b) => b === document.activeElement);
  }
  assert.ok(reached, "Tab reaches the Show all button");
  const outline = await button.evaluate((b) => getComputedStyle(b).outlineStyle);
  assert.notEqual(outline, "none", "the focused button shows its focus");
  await page.keyboard.press("Enter");
  assert.equal(await button.getAttribute("aria-pressed"), "true", "Enter presses it");
  const shown = await hiddenLines(page);
  assert.deepEqual(shown.visible, shown.all);
  await page.keyboard.press("Space");
  assert.equal(await button.getAttribute("aria-pressed"), "false", "Space presses it again");
  assert.deepEqual((await hiddenLines(page)).visible, []);
  assert.deepEqual(errors, []);
  await context.close();
});

test("Copy copies what is shown: without hidden lines, with them once shown", async () => {
  const { context, page, errors } = await open("includes/hidden.html", {
    permissions: ["clipboard-read", "clipboard-write"],
  });
  const block = page.locator(RUST_BLOCK);
  const copy = async () => {
    await page.evaluate(() => navigator.clipboard.writeText(""));
    await block.locator(".copy-button").click();
    await page.waitForFunction((sel) => document.querySelector(sel + " .copy-button").textContent === "Copied", RUST_BLOCK);
    const text = await page.evaluate(() => navigator.clipboard.readText());
    // Let the label return to "Copy" before the next click.
    await page.waitForFunction((sel) => document.querySelector(sel + " .copy-button").textContent === "Copy", RUST_BLOCK);
    return text;
  };
  const short = await copy();
  assert.equal(short, "let shown = 1;\n# not hidden: an escaped hash\n", "hidden lines are left out");
  await block.locator(".hidden-lines-button").click();
  const full = await copy();
  assert.ok(full.includes("fn main() {") && full.includes("let hidden = 2;"), `shown lines are copied: ${JSON.stringify(full)}`);
  assert.ok(!full.includes("# fn main"), "the hiding prefix is not copied");
  assert.deepEqual(errors, []);
  await context.close();
});

test("print.html: printed without the site's chrome, a chapter a sheet; screenshots", async () => {
  const { context, page, errors } = await open("mdbook/print.html");
  const shots = process.env.KB_BOOKS_SHOTS;
  for (const theme of ["light", "dark"]) {
    await page.evaluate((t) => document.documentElement.setAttribute("data-theme", t), theme);
    if (shots) await page.screenshot({ path: `${shots}/print-${theme}.png` });
  }
  await page.emulateMedia({ media: "print" });
  assert.equal(await page.locator(".sidebar").isVisible(), false, "no sidebar on paper");
  assert.equal(await page.locator(".print-note").isVisible(), false);
  const breaks = await page.locator(".print-chapter").evaluateAll((s) => s.map((e) => getComputedStyle(e).breakBefore));
  assert.ok(breaks.length > 3, "the book's chapters are there");
  assert.deepEqual(breaks.slice(1), breaks.slice(1).map(() => "page"), "each chapter after the first starts a sheet");
  if (shots) await page.screenshot({ path: `${shots}/print-paper.png`, fullPage: false });
  assert.deepEqual(errors, []);
  await context.close();
});
