// Browser tests of mdBook books built by kb, in headless Chromium (run through
// run-browser.sh, which builds the fixture books and sets KB_BOOKS_SITE):
// - the print page: chrome hidden on paper, a chapter per sheet, screenshots to look at;
// - the "Show all" button of a Rust block with hidden `# ` lines: the lines are not shown at
//   first, are after a click (mouse or keyboard), and Copy leaves out what is not shown.
import { test } from "node:test";
import assert from "node:assert/strict";
import { browserSuite } from "../lib/browser.mjs";

const suite = browserSuite("KB_BOOKS_SITE", "the folder of built books");
const { open } = suite;

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

test("kitchen sink: a nested chapter, a part title, an included listing and the print page, light and dark", async () => {
  const shots = process.env.KB_BOOKS_SHOTS;
  for (const theme of ["light", "dark"]) {
    const { context, page, errors } = await open("kitchen-sink/format/deep/nested.html", { colorScheme: theme });
    await page.evaluate((t) => document.documentElement.setAttribute("data-theme", t), theme);
    // The nested chapter is the current one in the sidebar, under its part's title.
    const current = page.locator('.sidebar a[aria-current="page"]');
    assert.ok(await current.isVisible(), "the current chapter is shown in the sidebar");
    assert.match(await current.textContent(), /2\.2\.1\.\s*The deepest chapter/);
    const part = page.locator(".sidebar .nav-part", { hasText: "The format" });
    assert.ok(await part.isVisible(), "the part title is shown");
    assert.ok(await page.locator("main img").evaluate((img) => img.complete && img.naturalWidth > 0), "the image loads");
    if (shots) await page.screenshot({ path: `${shots}/sink-nested-${theme}.png` });

    await page.goto(new URL("../includes.html", page.url()).href);
    await page.evaluate((t) => document.documentElement.setAttribute("data-theme", t), theme);
    const listing = page.locator("figure.code-block").first();
    assert.ok(await listing.getByText("struct Counter {").isVisible(), "the included listing is shown");
    if (shots) await page.screenshot({ path: `${shots}/sink-includes-${theme}.png` });
    await page.locator("#including-a-file-but-initially-hiding-all-except-specified-lines").scrollIntoViewIfNeeded();
    if (shots) await page.screenshot({ path: `${shots}/sink-rustdoc-include-${theme}.png` });

    await page.goto(new URL("../print.html", page.url()).href);
    await page.evaluate((t) => document.documentElement.setAttribute("data-theme", t), theme);
    assert.ok((await page.locator(".print-chapter").count()) >= 10, "every chapter is on the print page");
    if (shots) await page.screenshot({ path: `${shots}/sink-print-${theme}.png` });
    assert.deepEqual(errors, []);
    await context.close();
  }
});
