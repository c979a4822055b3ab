// kb serve in a real browser (headless Chromium): a page reloads after an edit, a build
// error shows an overlay (text, never HTML) that goes away when the file is fixed,
// search answers from the live index (not the wasm module), its results marking the
// matched words on the target page, and a stylesheet edit is swapped in without a reload.
//
//   tests/serve/run-browser.sh        (KB=path/to/kb to test another binary)
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { launchChromium, repo, serve } from "../kb-serve.mjs";

const TIMEOUT = 60_000; // a loaded CI machine is slow; everything polls up to this

const site = mkdtempSync(join(tmpdir(), "kb-serve-browser-"));
cpSync(join(repo, "tests", "fixtures", "basic"), site, { recursive: true });
// A theme of the site's own, whose stylesheet step 5 edits (a copy of the default one).
const cssPath = join(site, "themes", "mine", "static", "style.css");
const css = readFileSync(join(repo, "themes", "default", "static", "style.css"), "utf8");
mkdirSync(dirname(cssPath), { recursive: true });
writeFileSync(cssPath, css);
appendFileSync(join(site, "book.toml"), '\n[kb]\ntheme = "mine"\n');
const pagePath = join(site, "content", "alpha", "one.md");
const good = readFileSync(pagePath, "utf8");
function save(path, text) {
  // Like an editor: write a temporary file, rename it over the page.
  writeFileSync(path + ".tmp~", text);
  renameSync(path + ".tmp~", path);
}

const server = serve(site, TIMEOUT);
let browser;
try {
  const url = await server.url;
  browser = await launchChromium();
  const page = await browser.newPage();
  page.setDefaultTimeout(TIMEOUT);
  // Wait for each page load's live-reload greeting before editing, so no message is missed.
  let greeted;
  const nextGreeting = () => new Promise((resolve) => { greeted = resolve; });
  page.on("websocket", (ws) => ws.on("framereceived", () => greeted && greeted()));

  let greeting = nextGreeting();
  await page.goto(url + "alpha/one/");
  await greeting;
  if (!(await page.evaluate(() => window.__KB_SERVE__ === true))) throw new Error("__KB_SERVE__ is not set");

  // 1. An edit reloads the page.
  await page.evaluate(() => { window.__beforeReload = true; });
  greeting = nextGreeting();
  save(pagePath, good.replace("Call `db.SetMaxOpenConns`", "Zanzibar. Call `db.SetMaxOpenConns`"));
  await page.waitForFunction(() => !window.__beforeReload && document.body.innerText.includes("Zanzibar"));
  await greeting;
  console.log("ok: the page reloaded after an edit");

  // 2. A build error shows the overlay with file, line, column and message, as text.
  save(pagePath, good.replace("[below](#in-go)", "[below](../alpha/<b>bold</b>.md)"));
  const overlay = page.locator("#kb-error-overlay");
  await overlay.waitFor({ state: "visible" });
  const text = await overlay.innerText();
  if (!/content\/alpha\/one\.md:\d+:\d+: error: broken link/.test(text)) throw new Error("overlay text: " + text);
  if (!text.includes("<b>bold</b>")) throw new Error("the message is not shown as text: " + text);
  if ((await overlay.locator("b").count()) !== 0) throw new Error("the message was inserted as HTML");
  if (!(await page.evaluate(() => document.body.innerText.includes("Zanzibar")))) throw new Error("the last good page is gone");
  console.log("ok: the error overlay shows file:line:column and the message, as text");

  // 3. Fixing the file removes the overlay (the page reloads).
  await page.evaluate(() => { window.__beforeReload = true; });
  save(pagePath, good);
  await page.waitForFunction(() => !window.__beforeReload && !document.getElementById("kb-error-overlay"));
  if (await page.evaluate(() => document.body.innerText.includes("Zanzibar"))) throw new Error("the fixed page is not shown");
  console.log("ok: fixing the file removed the overlay");

  // 4. Search asks kb serve's live index; the hit's page marks the matched words.
  const requests = [];
  page.on("request", (r) => requests.push(new URL(r.url()).pathname));
  await page.keyboard.press("/");
  await page.locator("#kb-search-input").pressSequentially("pooling", { delay: 15 });
  await page.locator('#kb-search-results [role="option"]').first().waitFor();
  if (!requests.some((p) => p === "/__kb/search")) throw new Error("no request to /__kb/search: " + requests);
  if (requests.some((p) => p.endsWith(".wasm") || p.startsWith("/search/pages/"))) throw new Error("serve loaded the module or index: " + requests);
  const before = requests.length;
  await Promise.all([page.waitForURL(/highlight=/), page.keyboard.press("Enter")]);
  await page.locator("main#content mark.kb-highlight").first().waitFor();
  const words = new URL(page.url()).searchParams.get("highlight").split(" ");
  const marked = await page.locator("main#content mark.kb-highlight").allTextContents();
  if (!marked.some((t) => t === "Pooling") || !marked.every((t) => words.includes(t.toLowerCase()))) {
    throw new Error(`marked: ${marked}; words of the link: ${words}`);
  }
  const target = requests.slice(before).filter((p) => p.startsWith("/search/") || p === "/__kb/search");
  if (target.length) throw new Error("the target page loaded search: " + target);
  console.log("ok: search answers from the live index and the target page marks the words");

  // 5. A stylesheet edit swaps the stylesheet in place: the page is not reloaded.
  await page.evaluate(() => { window.__beforeReload = true; });
  const oldHref = await page.evaluate(() => document.querySelector('link[rel="stylesheet"][href*="style."]').href);
  save(cssPath, css + "\nbody { outline: 3px solid rgb(1, 2, 3); }\n");
  await page.waitForFunction(() => getComputedStyle(document.body).outlineColor === "rgb(1, 2, 3)");
  if (!(await page.evaluate(() => window.__beforeReload === true))) throw new Error("the page reloaded for a stylesheet edit");
  const newHref = await page.evaluate(() => document.querySelector('link[rel="stylesheet"][href*="style."]').href);
  if (newHref === oldHref) throw new Error("the stylesheet link was not replaced: " + newHref);
  console.log("ok: a stylesheet edit swapped the stylesheet without a reload");
} finally {
  if (browser) await browser.close();
  server.stop();
  rmSync(site, { recursive: true, force: true });
}
