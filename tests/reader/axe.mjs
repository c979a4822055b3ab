// axe-core over the built knowledge base: every page of `pages.mjs` in the light and dark
// colour schemes, at a desktop and a mobile width, in four states: as loaded, with the mobile
// menu open, with search open, and with search results shown. Prints each violation with its
// rule id and selectors and exits non-zero if there is any.
//
// Usage: node axe.mjs <site dir>
import { createRequire } from "node:module";
import { chromium } from "playwright-core";
import { serve } from "./server.mjs";
import { PAGES, CHROMIUM, CHROMIUM_FLAGS } from "./pages.mjs";

const require = createRequire(import.meta.url);
const AXE = require.resolve("axe-core/axe.min.js");

const [site] = process.argv.slice(2);
if (!site) {
  console.error("usage: node axe.mjs <site dir>");
  process.exit(2);
}

const VIEWPORTS = {
  desktop: { width: 1280, height: 900 },
  mobile: { width: 375, height: 740 },
};

/** The states a page is checked in; each gets a freshly loaded page. */
const STATES = {
  loaded: async () => {},
  "menu open": async (page, viewport) => {
    if (viewport === "mobile") await page.locator(".nav-toggle-label").click();
  },
  "search open": async (page) => {
    await page.keyboard.press("/");
    await page.locator("#kb-search-input").waitFor({ state: "visible" });
  },
  "search results": async (page) => {
    await page.keyboard.press("/");
    await page.locator("#kb-search-input").waitFor({ state: "visible" });
    await page.locator("#kb-search-input").pressSequentially("pool", { delay: 20 });
    await page.locator('#kb-search-results [role="option"]').first().waitFor();
  },
};

async function runAxe(page) {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
    }));
  });
}

const server = await serve(site);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
let count = 0;
let runs = 0;
try {
  for (const [vpName, viewport] of Object.entries(VIEWPORTS)) {
    for (const scheme of ["light", "dark"]) {
      // Dark comes from the system setting on mobile and from the remembered toggle (with a
      // light system) on desktop, so both ways of turning it on are checked.
      const toggled = scheme === "dark" && vpName === "desktop";
      const context = await browser.newContext({ viewport, colorScheme: toggled ? "light" : scheme, reducedMotion: "reduce" });
      if (toggled) await context.addInitScript(() => localStorage.setItem("kb-theme", "dark"));
      for (const p of PAGES) {
        for (const [stateName, enter] of Object.entries(STATES)) {
          if (stateName === "menu open" && vpName !== "mobile") continue;
          const page = await context.newPage();
          await page.goto(server.url + p.path);
          await enter(page, vpName);
          const violations = await runAxe(page);
          runs++;
          const where = `${p.name} ${scheme} ${vpName} ${stateName}`;
          for (const v of violations) {
            count++;
            console.log(`FAIL ${where}: ${v.id} (${v.help})`);
            for (const n of v.nodes.slice(0, 8)) console.log(`       ${n.target}\n         ${n.summary.replace(/\n/g, "\n         ")}`);
            if (v.nodes.length > 8) console.log(`       …and ${v.nodes.length - 8} more`);
          }
          await page.close();
        }
      }
      await context.close();
    }
  }
} finally {
  await browser.close();
  await server.close();
}
console.log(`axe: ${runs} runs, ${count} violation${count === 1 ? "" : "s"}`);
process.exit(count ? 1 : 0);
