// Screenshots of the reader's pages for a human to look at: each page in light and dark, at a
// desktop (1280 px) and a mobile (375 px) width, top of the page only; and the code-heavy
// page printed to PDF (as Chromium prints it) in both schemes, with its first pages as PNGs
// when pdftoppm (poppler-utils) is installed.
//
// Usage: node screenshots.mjs <site dir> <out dir>
import { execFileSync } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { chromium } from "playwright-core";
import { serve } from "./server.mjs";
import { PAGES, CHROMIUM, CHROMIUM_FLAGS } from "./pages.mjs";

const [site, out] = process.argv.slice(2);
if (!site || !out) {
  console.error("usage: node screenshots.mjs <site dir> <out dir>");
  process.exit(2);
}
await mkdir(out, { recursive: true });
const server = await serve(site);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
const VIEWPORTS = {
  desktop: { viewport: { width: 1280, height: 900 } },
  mobile: { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
};
try {
  for (const [vpName, vp] of Object.entries(VIEWPORTS)) {
    for (const scheme of ["light", "dark"]) {
      const context = await browser.newContext({ ...vp, colorScheme: scheme });
      const page = await context.newPage();
      for (const p of PAGES) {
        await page.goto(server.url + p.path);
        const file = `${out}/${p.name}-${scheme}-${vpName}.png`;
        await page.screenshot({ path: file });
        console.log(file);
      }
      await context.close();
    }
  }
  for (const scheme of ["light", "dark"]) {
    const context = await browser.newContext({ colorScheme: scheme });
    // Dark through the remembered toggle: the case a system setting cannot reach in print.
    if (scheme === "dark") await context.addInitScript(() => localStorage.setItem("kb-theme", "dark"));
    const page = await context.newPage();
    const code = PAGES.find((p) => p.name === "code");
    await page.goto(server.url + code.path);
    const pdf = `${out}/print-${scheme}.pdf`;
    await page.pdf({ path: pdf, format: "A4" });
    console.log(pdf);
    try {
      execFileSync("pdftoppm", ["-r", "60", "-l", "4", "-png", pdf, `${out}/print-${scheme}`]);
    } catch {
      console.log("(pdftoppm not found: install poppler-utils to get PNGs of the printed pages)");
    }
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
}
