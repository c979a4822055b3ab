// The "Copy page as Markdown" button in a real browser (headless Chromium), reached and
// pressed with the keyboard: over http it copies the page's twin (fetched); from file://,
// where the browser refuses to fetch the twin, it copies the same text from the script
// twin `index.md.js`. Each time the clipboard first holds something else, and is read
// back from an http page of the same browser, so a copy that did not happen fails.
//
//   tests/agents/run-browser.sh        (KB=path/to/kb to test another binary)
import { execFileSync } from "node:child_process";
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { kb, launchChromium, repo, serve } from "../kb-serve.mjs";

const TIMEOUT = 60_000;

function check(cond, what) {
  if (!cond) throw new Error(`FAIL: ${what}`);
  console.log(`ok: ${what}`);
}

const site = mkdtempSync(join(tmpdir(), "kb-copy-markdown-"));
cpSync(join(repo, "tests", "fixtures", "basic"), site, { recursive: true });
// Text a script twin could garble: quotes, backslashes, a script end tag, non-ASCII.
appendFileSync(join(site, "content", "alpha", "one.md"),
  '\nQuoted "pool" \\ back\\slash, </script>, naïve café, 連接池 ✓, \u2028 end.\n');
execFileSync(kb, ["build", "-q", "--root", site], { stdio: "inherit" });
const twin = readFileSync(join(site, "book", "alpha", "one", "index.md"), "utf8");
check(twin.includes("連接池 ✓"), "the twin has the appended text");
check(existsSync(join(site, "book", "alpha", "one", "index.md.js")), "the script twin is written beside the twin");

const server = serve(site, TIMEOUT);
let browser;
try {
  const url = await server.url;
  browser = await launchChromium();
  const context = await browser.newContext();
  // Only the http origin may read the clipboard (to check it); file:// gets nothing
  // beyond what a browser gives any page.
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(url).origin });
  const reader = await context.newPage();
  reader.setDefaultTimeout(TIMEOUT);
  await reader.goto(url);
  /** Puts `text` on the clipboard (from the http page). */
  const clipboardHolds = async (text) => {
    await reader.bringToFront();
    await reader.evaluate((t) => navigator.clipboard.writeText(t), text);
  };
  /** What the clipboard holds (read from the http page). */
  const clipboard = async () => {
    await reader.bringToFront();
    return reader.evaluate(() => navigator.clipboard.readText());
  };

  /** Opens `address`, reaches the button with Tab, presses Enter; returns the page. */
  const pressCopy = async (address, where) => {
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    await page.goto(address);
    const button = page.locator("button.copy-markdown");
    check(await button.innerText() === "Copy page as Markdown", `${where}: the page has the button`);
    let focused = false;
    for (let i = 0; i < 60 && !focused; i++) {
      await page.keyboard.press("Tab");
      focused = await page.evaluate(() => document.activeElement?.classList.contains("copy-markdown") ?? false);
    }
    check(focused, `${where}: the button is reached with the keyboard`);
    await page.keyboard.press("Enter");
    await page.locator(".copy-markdown-status", { hasText: "Copied" }).waitFor();
    return page;
  };

  // Over http: the twin is fetched and copied.
  await clipboardHolds("before the http copy");
  const served = await pressCopy(url + "alpha/one/", "http");
  check(await clipboard() === twin, "http: the clipboard holds the page's Markdown twin");
  await served.close();

  // From file://: the page's script twin is run and its text copied.
  await clipboardHolds("before the file:// copy");
  const pageFile = join(site, "book", "alpha", "one", "index.html");
  const local = await pressCopy(pathToFileURL(pageFile).href, "file://");
  check(await clipboard() === twin, "file://: the clipboard holds the page's Markdown twin");
  check(local.url().endsWith("/alpha/one/index.html"), "file://: the page stayed (the twin was not opened instead)");
  check(await local.evaluate(() => window.__kbMarkdownTwin === undefined), "file://: the script twin's global is cleared");
  // The "View as Markdown" link is still there to open the twin.
  const link = local.locator("a[data-kb-copy-markdown]");
  check(await link.getAttribute("href") === "index.md", "file://: the link names the twin beside the page");
  console.log("copy-markdown: every check passed");
} finally {
  await browser?.close();
  server.stop();
  rmSync(site, { recursive: true, force: true });
}
