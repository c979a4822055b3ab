// Lighthouse over the built knowledge base: four kinds of page (home, area, a long code-heavy
// page, the 404 page) on the mobile and desktop presets, in headless Debian Chromium against
// a loopback server. Writes the scores to `<out>/lighthouse.json` and exits non-zero when any
// category is below the target (100), listing the audits that cost points.
//
// Usage: node lighthouse.mjs <site dir> <out dir>
import { mkdir, writeFile } from "node:fs/promises";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import desktopConfig from "lighthouse/core/config/desktop-config.js";
import { serve } from "./server.mjs";
import { PAGES, CHROMIUM, CHROMIUM_FLAGS } from "./pages.mjs";

const [site, out] = process.argv.slice(2);
if (!site || !out) {
  console.error("usage: node lighthouse.mjs <site dir> <out dir>");
  process.exit(2);
}
const TARGET = Number(process.env.KB_LIGHTHOUSE_TARGET || 100);
const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"];
const PRESETS = { mobile: undefined, desktop: desktopConfig };

await mkdir(out, { recursive: true });
// Lighthouse stops with ERRORED_DOCUMENT_REQUEST on a document that answers 404, so here the
// 404 page is served at its missing path with status 200; the other checks use a real 404.
const server = await serve(site, { notFoundStatus: 200 });
const chrome = await chromeLauncher.launch({
  chromePath: CHROMIUM,
  chromeFlags: CHROMIUM_FLAGS,
});

const results = [];
let failed = false;
try {
  for (const page of PAGES) {
    for (const [preset, config] of Object.entries(PRESETS)) {
      // KB_LIGHTHOUSE_ONLY=code:mobile runs one pair, for working on one finding.
      const only = process.env.KB_LIGHTHOUSE_ONLY;
      if (only && only !== `${page.name}:${preset}`) continue;
      const url = server.url + page.path;
      const run = () =>
        lighthouse(url, { port: chrome.port, output: "json", logLevel: "error", onlyCategories: CATEGORIES }, config);
      const score = (lhr, c) => (lhr.categories[c].score === null ? null : Math.round(lhr.categories[c].score * 100));
      let runner = await run();
      let lhr = runner.lhr;
      const scores = Object.fromEntries(CATEGORIES.map((c) => [c, score(lhr, c)]));
      // Performance is timed, so it varies with the machine's load (simulated 4x CPU slowdown
      // on mobile). Lighthouse's advice is to take the median of several runs: below target,
      // run twice more and keep the median run.
      let perfRuns = [scores.performance];
      if (scores.performance !== null && scores.performance < TARGET) {
        const runs = [runner, await run(), await run()];
        runs.sort((a, b) => score(a.lhr, "performance") - score(b.lhr, "performance"));
        perfRuns = runs.map((r) => score(r.lhr, "performance"));
        runner = runs[1];
        lhr = runner.lhr;
        scores.performance = score(lhr, "performance");
      }
      await writeFile(`${out}/lighthouse-${page.name}-${preset}.json`, runner.report);
      const lost = [];
      for (const c of CATEGORIES) {
        for (const ref of lhr.categories[c].auditRefs) {
          const audit = lhr.audits[ref.id];
          if (ref.weight > 0 && audit.score !== null && audit.score < 1) {
            lost.push(`${c}: ${ref.id} (${audit.displayValue || audit.score})`);
          }
        }
      }
      if (lhr.runtimeError) lost.push(`runtime error: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
      const metrics = {
        fcp: lhr.audits["first-contentful-paint"]?.numericValue,
        lcp: lhr.audits["largest-contentful-paint"]?.numericValue,
        cls: lhr.audits["cumulative-layout-shift"]?.numericValue,
        tbt: lhr.audits["total-blocking-time"]?.numericValue,
      };
      results.push({ page: page.name, path: page.path, preset, scores, perfRuns, metrics, lost });
      const below = CATEGORIES.filter((c) => scores[c] === null || scores[c] < TARGET);
      if (below.length) failed = true;
      const line = CATEGORIES.map((c) => `${c}=${scores[c]}`).join(" ");
      const median = perfRuns.length > 1 ? ` (performance runs ${perfRuns.join(", ")}, median kept)` : "";
      console.log(`${below.length ? "FAIL" : "ok  "} ${page.name.padEnd(5)} ${preset.padEnd(7)} ${line}${median}`);
      for (const l of lost) console.log(`       lost points: ${l}`);
    }
  }
} finally {
  await chrome.kill();
  await server.close();
}
await writeFile(`${out}/lighthouse.json`, JSON.stringify(results, null, 2) + "\n");
process.exit(failed ? 1 : 0);
