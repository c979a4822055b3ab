// The set-up every node:test browser suite of a built site shares: serve the folder named by
// an environment variable on loopback (tests/reader/server.mjs), launch headless Chromium
// once for the file, close both at the end, and open fresh pages with their errors collected.
import { before, after } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { chromium } from "playwright-core";
import { serve } from "../reader/server.mjs";
import { CHROMIUM, CHROMIUM_FLAGS } from "../reader/pages.mjs";

/**
 * Registers the suite's `before`/`after` hooks for the site in `process.env[siteVar]`.
 * `server` and `browser` are set once `before` has run.
 * @param {string} siteVar the environment variable naming the built site's folder
 * @param {string} what what that folder holds, for the message when it is not set
 */
export function browserSuite(siteVar, what) {
  const suite = {
    /** The served folder, absolute. */
    site: resolve(process.env[siteVar] || ""),
    /** @type {{ url: string, close: () => Promise<void> } | undefined} */
    server: undefined,
    /** @type {import("playwright-core").Browser | undefined} */
    browser: undefined,
    /**
     * A fresh context and page at `path` of the served site (a `file:` URL as it is, no
     * navigation for `null`); `errors` collects uncaught page errors.
     * @param {string | null} path
     * @param {import("playwright-core").BrowserContextOptions} [options]
     */
    async open(path, options = {}) {
      assert.ok(suite.browser && suite.server, "the suite has started");
      const context = await suite.browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
      const page = await context.newPage();
      /** @type {string[]} */
      const errors = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      if (path !== null) await page.goto(path.startsWith("file:") ? path : suite.server.url + path);
      return { context, page, errors };
    },
  };
  before(async () => {
    assert.ok(process.env[siteVar], `set ${siteVar} to ${what}`);
    suite.server = await serve(suite.site);
    suite.browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  });
  after(async () => {
    await suite.browser?.close();
    await suite.server?.close();
  });
  return suite;
}
