// Prints, for humans, the Lighthouse scores written by lighthouse.mjs and what a first visit
// to each checked page weighs (gzip -9 of the page and of the CSS, JS and icon it loads;
// search is loaded on demand and not counted), plus the heaviest page of the whole site.
//
// Usage: node report.mjs <site dir> <out dir of lighthouse.mjs>
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { PAGES } from "./pages.mjs";

const [site, out] = process.argv.slice(2);
if (!site || !out) {
  console.error("usage: node report.mjs <site dir> <lighthouse out dir>");
  process.exit(2);
}

const table = (head, rows) => {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => "| " + cells.map((c, i) => String(c).padEnd(widths[i])).join(" | ") + " |";
  console.log(line(head));
  console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
  for (const r of rows) console.log(line(r));
};

const lhFile = join(out, "lighthouse.json");
if (existsSync(lhFile)) {
  const results = JSON.parse(await readFile(lhFile, "utf8"));
  console.log("Lighthouse (loopback server, headless Chromium)\n");
  table(
    ["page", "preset", "perf", "a11y", "best practices", "SEO", "FCP ms", "LCP ms", "TBT ms", "CLS"],
    results.map((r) => [
      r.page, r.preset, r.scores.performance, r.scores.accessibility, r.scores["best-practices"], r.scores.seo,
      Math.round(r.metrics.fcp ?? NaN), Math.round(r.metrics.lcp ?? NaN), Math.round(r.metrics.tbt ?? NaN),
      (r.metrics.cls ?? NaN).toFixed(3),
    ]),
  );
  console.log();
} else {
  console.log(`(no ${lhFile}: run tests/reader/lighthouse.mjs first for the scores)\n`);
}

const files = await readdir(site, { recursive: true });
const gz = async (f) => gzipSync(await readFile(join(site, f)), { level: 9 }).length;
const find = (re) => files.find((f) => re.test(f));
const css = await gz(find(/^style\.[0-9a-f]+\.css$/));
const js = await gz(find(/^site\.[0-9a-f]+\.js$/));
const icon = await gz("favicon.svg");
const kb = (n) => (n / 1000).toFixed(1);
const pageFile = (p) => (p.name === "404" ? "404.html" : join(p.path, "index.html"));
const rows = [];
for (const p of PAGES) {
  const html = await gz(pageFile(p));
  rows.push([p.name, kb(html), kb(css), kb(js), kb(icon), kb(html + css + js + icon)]);
}
let heaviest = ["", 0];
for (const f of files.filter((f) => f.endsWith(".html"))) {
  const size = await gz(f);
  if (size > heaviest[1]) heaviest = [f, size];
}
rows.push([`heaviest: ${heaviest[0]}`, kb(heaviest[1]), kb(css), kb(js), kb(icon), kb(heaviest[1] + css + js + icon)]);
console.log("First visit, KB gzipped (budget 50 KB; search not counted)\n");
table(["page", "HTML", "CSS", "JS", "icon", "total"], rows);
