// Hand-made test site: one HTML page per page of the fixture corpus, honouring the page
// contract of kb's theme (kb-root meta, search button, <main id="content">, data-theme,
// the CSS custom properties). Used by the browser test when `kb build` is not available.
// Usage: node make-site.mjs CORPUS.json SITE_DIR  (SITE_DIR/search/ must hold the
// generated files; this adds the theme's site.js and search files, and the pages).
import { readFileSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const theme = join(here, '../../../themes/default/static');
const [corpusPath, site] = process.argv.slice(2);
const docs = JSON.parse(readFileSync(corpusPath, 'utf8'));
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

mkdirSync(join(site, 'search'), { recursive: true });
for (const f of ['search.js', 'dialog.js', 'search.css']) copyFileSync(join(theme, 'search', f), join(site, 'search', f));
copyFileSync(join(theme, 'site.js'), join(site, 'site.js'));

const css = `
:root, [data-theme="light"] { --bg:#ffffff; --fg:#1f2328; --muted:#57606a; --border:#8c959f; --accent:#0550ae; --code-bg:#f6f8fa; --mark:#fff3a3; }
[data-theme="dark"] { --bg:#0d1117; --fg:#e6edf3; --muted:#9198a1; --border:#6e7681; --accent:#58a6ff; --code-bg:#161b22; --mark:#5c4b00; }
body { background: var(--bg); color: var(--fg); font-family: system-ui, sans-serif; margin: 0 auto; max-width: 50rem; padding: 1rem; }
a { color: var(--accent); } pre { background: var(--code-bg); padding: .5rem; }`;

function page(title, depth, main) {
  const root = depth === 0 ? './' : '../'.repeat(depth);
  return `<!doctype html><html lang="en" data-theme="light"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="kb-root" content="${root}"><title>${esc(title)}</title><style>${css}</style></head>
<body><header><a href="${root}index.html">Fixture</a>
<button type="button" class="search-button" data-kb-search-open aria-keyshortcuts="/ Control+K">Search</button></header>
<main id="content">${main}</main><script src="${root}site.js"></script></body></html>`;
}

const pages = new Map();
for (const d of docs) {
  if (!pages.has(d.page_url)) pages.set(d.page_url, []);
  pages.get(d.page_url).push(d);
}
const links = [];
for (const [url, sections] of pages) {
  const depth = url.split('/').filter(Boolean).length;
  let main = `<h1>${esc(sections[0].page_title)}</h1>`;
  for (const s of sections) {
    const hash = s.url.indexOf('#');
    if (s.heading) main += `<h2 id="${esc(s.url.slice(hash + 1))}">${esc(s.heading)}</h2>`;
    main += `<p>${esc(s.body)}</p>`;
    if (s.code) main += `<pre><code>${esc(s.code)}</code></pre>`;
  }
  mkdirSync(join(site, url), { recursive: true });
  writeFileSync(join(site, url, 'index.html'), page(sections[0].page_title, depth, main));
  links.push(`<li><a href="${url}index.html">${esc(sections[0].page_title)}</a></li>`);
}
writeFileSync(join(site, 'index.html'), page('Fixture', 0, `<h1>Fixture</h1><ul>${links.join('')}</ul>`));
console.log(`hand-made site: ${pages.size} pages in ${site}`);
