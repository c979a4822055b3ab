#!/usr/bin/env python3
"""Drives the real `kb mcp` binary with the official MCP Python SDK (`mcp` on PyPI, pinned
in scripts/install-deps.sh): initialize, list the tools, call each one, list and read the
page resources, check that `search` gives exactly what the `kb search --json` binary prints
(a separate process) for every query below, and that an edit saved while the server runs
reaches its answers.

    python tests/agents/mcp_client.py --kb target/release/kb [--site content-root]

The site (default: the bundled guide) is copied to a temporary folder first, so the edit
never touches the original. Exits non-zero on the first failed check.
"""

import argparse
import asyncio
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

# Questions a reader of the guide asks, kb's query syntax, and queries that must not
# fail however they are written.
QUERIES = [
    "connection pool size",
    "cache stampede",
    "singleflight",
    "idempotency key",
    "graceful shutdown",
    "context cancellation",
    "rate limiting",
    "circuit breaker",
    "retry with backoff",
    "structured logging",
    "prometheus metrics",
    "keyset pagination",
    "deadlock",
    "transaction isolation",
    "redis eviction",
    "\"cache aside\"",
    "title:migrations",
    "grpc -graphql",
    "tracing opentelemetry",
    "kafka consumer",
    "goroutine leak",
    "errgroup",
    "pprof",
    "http timeouts",
    "conection pooll",  # misspelt: the fuzzy fallback
    "\"unclosed phrase",
    "((( ]]] -- ::: title: tag:",
    "",
    "pool " * 400,  # a very long query
    "zzzzqqqq",
]

TOOLS = {"search", "read_page", "list_pages"}


def check(cond, what):
    if not cond:
        print(f"FAIL: {what}", file=sys.stderr)
        sys.exit(1)
    print(f"ok: {what}")


def text_of(result):
    return "".join(c.text for c in result.content if getattr(c, "type", "") == "text")


def kb_search_json(kb, root, query, extra=()):
    out = subprocess.run(
        [kb, "-q", "search", "--json", "--root", str(root), *extra, "--", query],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.rstrip("\n")


async def call(session, name, args):
    return await session.call_tool(name, args)


async def run(kb, root):
    params = StdioServerParameters(command=kb, args=["-q", "mcp", "--root", str(root)])
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            check(init.server_info.name == "kb", f"initialize: server is kb {init.server_info.version}")

            tools = await session.list_tools()
            names = {t.name for t in tools.tools}
            check(names == TOOLS, f"tools/list: {sorted(names)}")

            # list_pages: every page once.
            listed = json.loads(text_of(await call(session, "list_pages", {})))
            paths = [p["path"] for p in listed["pages"]]
            check(len(paths) == len(set(paths)) and len(paths) > 10, f"list_pages: {len(paths)} pages, each once")
            area = listed["areas"][0]["area"]
            in_area = json.loads(text_of(await call(session, "list_pages", {"area": area})))
            check(
                in_area["pages"] and all(p["area"] == area for p in in_area["pages"]),
                f"list_pages area={area}: {len(in_area['pages'])} pages, all in it",
            )
            bad_area = await call(session, "list_pages", {"area": "no-such-area"})
            check(bad_area.is_error and "no area" in text_of(bad_area), "list_pages: unknown area is a clear error")

            # read_page: whole, by URL, one section, errors.
            page = next(p for p in listed["pages"] if p["depth"] > 0 or p["area"])
            whole = text_of(await call(session, "read_page", {"page": page["path"]}))
            check(whole.startswith("---\ntitle: "), f"read_page {page['path']}: Markdown with front matter")
            by_url = text_of(await call(session, "read_page", {"page": page["url"]}))
            check(by_url == whole, f"read_page by URL {page['url']} gives the same page")
            sections = [line[3:] for line in whole.splitlines() if line.startswith("## ")]
            check(sections, "the page has sections")
            # A section id as the HTML gives it: ask for a wrong one and read the list.
            wrong = await call(session, "read_page", {"page": page["path"], "section": "no-such-section"})
            check(wrong.is_error and "has no section" in text_of(wrong), "read_page: unknown section is a clear error")
            first_id = text_of(wrong).split("its sections are ")[1].split("`")[1]
            part = text_of(await call(session, "read_page", {"page": page["path"], "section": first_id}))
            check(part.startswith("#") and part in whole and len(part) < len(whole), f"read_page section {first_id}: one part of the page")
            missing = await call(session, "read_page", {"page": "no/such-page.md"})
            check(missing.is_error and "no page" in text_of(missing), "read_page: unknown page is a clear error")
            escape = await call(session, "read_page", {"page": "../../etc/passwd"})
            check(escape.is_error, "read_page: a path climbing out is refused")

            # Resources: paginated, each page once, the same Markdown as read_page.
            uris, cursor, lists = [], None, 0
            while True:
                from mcp.types import PaginatedRequestParams

                res = await session.list_resources(params=PaginatedRequestParams(cursor=cursor) if cursor else None)
                uris += [str(r.uri) for r in res.resources]
                lists += 1
                cursor = res.next_cursor
                if not cursor:
                    break
            check(sorted(u.removeprefix("kb://page/") for u in uris) == sorted(paths), f"resources/list: every page once ({lists} list calls)")
            read = await session.read_resource(f"kb://page/{page['path']}")
            check(read.contents[0].text == whole, "resources/read gives the page's Markdown")

            # search == kb search --json, text for text.
            for q in QUERIES:
                got = text_of(await call(session, "search", {"query": q}))
                want = kb_search_json(kb, root, q)
                check(got == want, f"search {q[:40]!r}: {len(json.loads(got)['hits'])} hits, identical to kb search --json")
            got = text_of(await call(session, "search", {"query": "pool", "area": area, "limit": 3}))
            want = kb_search_json(kb, root, "pool", ["--area", area, "--limit", "3"])
            check(got == want, "search with area and limit: identical to kb search --json")

            # An edit while serving: a new page is listed, readable and found.
            new = root / "content" / area / "mcp-fresh-page.md"
            new.write_text("---\ntitle: Quokka handling\ndescription: A page written while kb mcp runs.\n---\n\n## Feeding\n\nQuokkas eat leaves.\n")
            deadline = time.time() + 20
            while time.time() < deadline:
                listed = json.loads(text_of(await call(session, "list_pages", {})))
                if any(p["path"].endswith("mcp-fresh-page.md") for p in listed["pages"]):
                    break
                await asyncio.sleep(0.3)
            check(any(p["path"].endswith("mcp-fresh-page.md") for p in listed["pages"]), "an edit reaches list_pages")
            got = text_of(await call(session, "search", {"query": "quokkas"}))
            hits = json.loads(got)["hits"]
            check(hits and hits[0]["page_title"] == "Quokka handling", "an edit reaches search (the index was refreshed)")
            check(got == kb_search_json(kb, root, "quokkas"), "after the edit, search still equals kb search --json")
            feeding = text_of(await call(session, "read_page", {"page": f"{area}/mcp-fresh-page.md", "section": "feeding"}))
            check(feeding.startswith("## Feeding") and "leaves" in feeding, "an edit reaches read_page")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kb", required=True)
    parser.add_argument("--site", default=str(Path(__file__).resolve().parents[2]))
    args = parser.parse_args()
    kb = str(Path(args.kb).resolve())
    with tempfile.TemporaryDirectory(prefix="kb-mcp-") as tmp:
        root = Path(tmp)
        site = Path(args.site)
        shutil.copy(site / "book.toml", root / "book.toml")
        shutil.copytree(site / "content", root / "content")
        asyncio.run(run(kb, root))
    print("kb mcp: every check passed")


if __name__ == "__main__":
    main()
