// A small static file server for the reader tests: serves a built site on loopback the way a
// typical host does (folder URLs serve index.html, unknown paths serve 404.html with status
// 404, text is gzip-compressed when the browser asks), so that transfer sizes and Lighthouse
// scores measure what a reader would get.
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { gzipSync } from "node:zlib";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".txt": "text/plain; charset=utf-8",
  ".xml": "application/xml",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".ico": "image/x-icon",
};
const COMPRESSIBLE = new Set([".html", ".css", ".js", ".mjs", ".json", ".svg", ".txt", ".xml", ".wasm"]);

async function resolveFile(root, urlPath) {
  let rel;
  try {
    rel = decodeURIComponent(urlPath.split("?")[0].split("#")[0]);
  } catch {
    return null;
  }
  const path = normalize(join(root, rel));
  if (path !== root && !path.startsWith(root + sep)) return null;
  try {
    const s = await stat(path);
    if (s.isDirectory()) {
      if (!rel.endsWith("/")) return { redirect: rel + "/" };
      const index = join(path, "index.html");
      await stat(index);
      return { path: index };
    }
    return { path };
  } catch {
    return null;
  }
}

/**
 * Starts serving `root` on 127.0.0.1; resolves to `{ url, close }`. `port` 0 picks a free one.
 * `notFoundStatus` is the status sent with 404.html for a missing path: 404 as a real host
 * does, or 200 for Lighthouse, which refuses to audit a document that answers 404.
 */
export function serve(root, { port = 0, notFoundStatus = 404 } = {}) {
  root = normalize(root).replace(/[\\/]+$/, "");
  const server = createServer(async (req, res) => {
    const found = await resolveFile(root, req.url);
    if (found && found.redirect) {
      res.writeHead(301, { Location: found.redirect });
      res.end();
      return;
    }
    const status = found ? 200 : notFoundStatus;
    const path = found ? found.path : join(root, "404.html");
    let body;
    try {
      body = await readFile(path);
    } catch {
      res.writeHead(404, { "Content-Type": "text/plain" });
      res.end("not found");
      return;
    }
    const ext = extname(path);
    const headers = {
      "Content-Type": TYPES[ext] || "application/octet-stream",
      // Fingerprinted assets never change; pages are revalidated.
      "Cache-Control": /\.[0-9a-f]{8}\.(css|js)$/.test(path) ? "public, max-age=31536000, immutable" : "no-cache",
      "Vary": "Accept-Encoding",
    };
    if (COMPRESSIBLE.has(ext) && /\bgzip\b/.test(req.headers["accept-encoding"] || "")) {
      body = gzipSync(body, { level: 9 });
      headers["Content-Encoding"] = "gzip";
    }
    headers["Content-Length"] = body.length;
    res.writeHead(status, headers);
    res.end(req.method === "HEAD" ? undefined : body);
  });
  return new Promise((resolve) => {
    server.listen(port, "127.0.0.1", () => {
      const url = `http://127.0.0.1:${server.address().port}/`;
      resolve({ url, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

// Run directly: `node server.mjs <dir> [port]` serves until interrupted.
if (import.meta.url === `file://${process.argv[1]}`) {
  const { url } = await serve(process.argv[2] || ".", { port: Number(process.argv[3] || 0) });
  console.log(`serving ${process.argv[2] || "."} at ${url}`);
}
