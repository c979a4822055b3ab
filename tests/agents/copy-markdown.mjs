// The "Copy page as Markdown" button in a real browser (headless Chromium): over http it
// copies the page's twin, reached and pressed with the keyboard; from file://, where the
// browser refuses to fetch the twin, the page keeps its "View as Markdown" link, which
// opens the twin.
//
//   tests/agents/run-browser.sh        (KB=path/to/kb to test another binary)
import { spawn, execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..");
const kb = process.env.KB || join(repo, "target", "debug", "kb");
const TIMEOUT = 60_000;

function check(cond, what) {
  if (!cond) throw new Error(`FAIL: ${what}`);
  console.log(`ok: ${what}`);
}

const site = mkdtempSync(join(tmpdir(), "kb-copy-markdown-"));
cpSync(join(repo, "tests", "fixtures", "basic"), site, { recursive: true });
execFileSync(kb, ["build", "-q", "--root", site], { stdio: "inherit" });
const twin = readFileSync(join(site, "book", "alpha", "one", "index.md"), "utf8");

const server = spawn(kb, ["serve", "--port", "0", "--root", site], { stdio: ["ignore", "pipe", "inherit"] });
let browser;
try {
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("kb serve printed no address")), TIMEOUT);
    let out = "";
    server.stdout.on("data", (chunk) => {
      out += chunk;
      const m = out.match(/Serving .* at (http:\/\/\S+\/)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    server.on("exit", (code) => reject(new Error(`kb serve exited with ${code}`)));
  });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run"],
  });

  // Over http: the button copies the twin.
  const context = await browser.newContext();
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(url).origin });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  await page.goto(url + "alpha/one/");
  const button = page.locator("button.copy-markdown");
  check(await button.innerText() === "Copy page as Markdown", "http: the page has the button");
  // Reached with Tab like any control, pressed with Enter.
  let focused = false;
  for (let i = 0; i < 60 && !focused; i++) {
    await page.keyboard.press("Tab");
    focused = await page.evaluate(() => document.activeElement?.classList.contains("copy-markdown") ?? false);
  }
  check(focused, "http: the button is reached with the keyboard");
  await page.keyboard.press("Enter");
  await page.locator(".copy-markdown-status", { hasText: "Copied" }).waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  check(copied === twin, "http: the clipboard holds the page's Markdown twin");
  await context.close();

  // From file://: no button, and the link opens the twin.
  const local = await browser.newPage();
  await local.goto(pathToFileURL(join(site, "book", "alpha", "one", "index.html")).href);
  check(await local.locator("button.copy-markdown").count() === 0, "file://: no button that could not work");
  const link = local.locator("a[data-kb-copy-markdown]");
  check(await link.getAttribute("href") === "index.md", "file://: the link names the twin beside the page");
  await link.click();
  await local.waitForURL(/alpha\/one\/index\.md$/);
  const shown = await local.evaluate(() => document.body.innerText);
  check(shown.includes("title: \"Pooling <connections>\""), "file://: the link opens the twin");
  console.log("copy-markdown: every check passed");
} finally {
  await browser?.close();
  server.kill();
  rmSync(site, { recursive: true, force: true });
}
