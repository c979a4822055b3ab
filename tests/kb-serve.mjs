// What the browser tests that drive `kb serve` share: the kb binary under test, the
// server started on a free port, and headless Chromium.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

/** The repository's root folder. */
export const repo = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The kb binary under test: $KB, else the debug build. */
export const kb = process.env.KB || join(repo, "target", "debug", "kb");

/**
 * Starts `kb serve --port 0` on the site in `root`. `url` resolves with the address it
 * prints (ending in `/`) once the first build is done, and rejects if it exits first or
 * prints none within `timeout`
 * ms; call `stop()` when done, whether or not it started.
 * @param {string} root
 * @param {number} timeout
 */
export function serve(root, timeout) {
  const server = spawn(kb, ["serve", "--port", "0", "--root", root], { stdio: ["ignore", "pipe", "inherit"] });
  /** @type {Promise<string>} */
  const url = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("kb serve printed no address")), timeout);
    let out = "";
    server.stdout.on("data", (chunk) => {
      out += chunk;
      const m = out.match(/Serving .* at (http:\/\/\S+\/)/);
      if (m) { clearTimeout(timer); resolve(built(m[1], timeout)); }
    });
    server.on("exit", (code) => { clearTimeout(timer); reject(new Error(`kb serve exited with ${code}`)); });
  });
  return { url, stop: () => server.kill() };
}

/**
 * Resolves to `url` once the server's first build is done (`/__kb/status`): until then it
 * serves previews, which the tests do not compare.
 * @param {string} url
 * @param {number} timeout
 * @returns {Promise<string>}
 */
async function built(url, timeout) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    const status = await fetch(`${url}__kb/status`).then((r) => r.json()).catch(() => null);
    if (status && status.building === false) return url;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("kb serve did not finish its first build");
}

/** Headless Chromium ($CHROMIUM, else /usr/bin/chromium), quiet in the background. */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}
