// The pages every reader check runs on, and how to start Chromium. One place, so the
// Lighthouse run, the axe run and the browser tests always look at the same pages.

/** Home, an area, a long code-heavy page, and the 404 page (served at a path that does not exist). */
export const PAGES = [
  { name: "home", path: "" },
  { name: "area", path: "databases/" },
  { name: "code", path: "go-services/http-server/" },
  { name: "404", path: "no/such/page/" },
];

export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

/** Flags for a quiet, reproducible headless Chromium (no network calls of its own). */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-dev-shm-usage",
];
