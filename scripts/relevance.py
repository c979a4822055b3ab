#!/usr/bin/env python3
"""Relevance of kb search on the bundled guide, measured with the committed suite.

Runs every query of tests/search/relevance/queries.tsv through `kb search --json` (the
same engine and JSON as the browser and `kb serve`), ranks the distinct pages of the hits
in order, and prints:

    top-1   share of queries whose first page is an expected page
    top-3   share whose expected page is among the first three pages
    MRR     mean of 1/rank of the first expected page (0 when not in the results)

then every query whose expected page is not first (a "miss"), with what came first.

    python3 scripts/relevance.py --kb target/release/kb            # print the figures
    python3 scripts/relevance.py --kb target/release/kb --check    # also fail below the floor
    python3 scripts/relevance.py --kb target/release/kb --write-floor

The floor (tests/search/relevance/floor.txt) is a regression floor, not a target: --check
fails when a figure drops below it, and --write-floor records the current figures.
"""
import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUITE = os.path.join(ROOT, "tests", "search", "relevance", "queries.tsv")
FLOOR = os.path.join(ROOT, "tests", "search", "relevance", "floor.txt")
# The areas of content/: the suite must cover each of them.
AREAS = sorted(
    d for d in os.listdir(os.path.join(ROOT, "content"))
    if os.path.isdir(os.path.join(ROOT, "content", d))
)
MIN_QUERIES = 150
# Results asked per query: as many as the browser shows by default.
LIMIT = 30
METRICS = ("top1", "top3", "mrr")


def load_suite(path):
    """(line number, query, [expected page ids]) for every line that is not a comment."""
    cases = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            query, sep, pages = line.partition("\t")
            expected = pages.split()
            if not sep or not query.strip() or not expected:
                sys.exit(f"{path}:{n}: expected `QUERY<TAB>PAGE [PAGE...]`, found {line!r}")
            for page in expected:
                if not os.path.isfile(os.path.join(ROOT, "content", page + ".md")):
                    sys.exit(f"{path}:{n}: no page content/{page}.md")
            cases.append((n, query, expected))
    return cases


def page_id(page_url):
    """The content path of a page URL without `.md`: `caching/stampedes/` (or `.html`) ->
    `caching/stampedes`, an area's `caching/` -> `caching/_index`, the home page -> `index`."""
    url = page_url.strip("/")
    for suffix in (".html", "/index", "index"):
        if url.endswith(suffix):
            url = url[: -len(suffix)].rstrip("/")
    if not url:
        return "index"
    if os.path.isfile(os.path.join(ROOT, "content", url, "_index.md")):
        return url + "/_index"
    return url


def ranked_pages(kb, root, query):
    """The distinct pages of the hits, best first, and the results' JSON."""
    out = subprocess.run(
        [kb, "search", "--quiet", "--root", root, "--json", "--limit", str(LIMIT), "--", query],
        check=True, capture_output=True, text=True,
    ).stdout
    results = json.loads(out)
    pages = []
    for hit in results["hits"]:
        page = page_id(hit["page_url"])
        if page not in pages:
            pages.append(page)
    return pages, results


def measure(kb, root, cases):
    ranks, misses = [], []
    for n, query, expected in cases:
        pages, results = ranked_pages(kb, root, query)
        rank = next((i + 1 for i, p in enumerate(pages) if p in expected), 0)
        ranks.append(rank)
        if rank != 1:
            misses.append((n, query, expected, rank, pages[:3], results))
    count = len(ranks)
    figures = {
        "top1": sum(r == 1 for r in ranks) / count,
        "top3": sum(1 <= r <= 3 for r in ranks) / count,
        "mrr": sum(1 / r for r in ranks if r) / count,
    }
    return figures, misses


def read_floor(path):
    floor = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                key, value = line.split()
                floor[key] = float(value)
    return floor


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kb", default=os.path.join(ROOT, "target", "release", "kb"), help="the kb binary")
    ap.add_argument("--root", default=ROOT, help="the site (default: the bundled guide)")
    ap.add_argument("--suite", default=SUITE)
    ap.add_argument("--check", action="store_true", help="fail when a figure is below the floor")
    ap.add_argument("--write-floor", action="store_true", help="record the figures as the floor")
    args = ap.parse_args()

    cases = load_suite(args.suite)
    if len(cases) < MIN_QUERIES:
        sys.exit(f"{args.suite}: {len(cases)} queries, the suite needs at least {MIN_QUERIES}")
    covered = {page.split("/")[0] for _, _, expected in cases for page in expected}
    if args.root == ROOT and set(AREAS) - covered:
        sys.exit(f"{args.suite}: no query expects a page of {sorted(set(AREAS) - covered)}")

    figures, misses = measure(args.kb, args.root, cases)
    print(f"Misses (expected page not first), {len(misses)} of {len(cases)}:")
    for n, query, expected, rank, top, results in misses:
        where = f"rank {rank}" if rank else "not found"
        dropped = results.get("dropped") or []
        note = f"  (left out: {' '.join(dropped)})" if dropped else ""
        print(f"  line {n}: {query!r}: {where}; want {' '.join(expected)}; got {', '.join(top) or 'nothing'}{note}")
    print()
    print(f"{len(cases)} queries over {len(covered)} areas")
    for key in METRICS:
        print(f"  {key:5} {figures[key]:.3f}")

    if args.write_floor:
        with open(FLOOR, "w", encoding="utf-8") as f:
            f.write("# Relevance floor of the bundled guide: scripts/relevance.py --check fails below it.\n")
            f.write("# Written by scripts/relevance.py --write-floor; raise it when ranking improves.\n")
            for key in METRICS:
                f.write(f"{key} {figures[key]:.3f}\n")
        print(f"wrote {os.path.relpath(FLOOR, ROOT)}")
    if args.check:
        floor = read_floor(FLOOR)
        low = [k for k in METRICS if round(figures[k], 3) < floor.get(k, 0.0)]
        if low:
            for k in low:
                print(f"relevance: {k} {figures[k]:.3f} is below the floor {floor[k]:.3f}", file=sys.stderr)
            sys.exit(1)
        print("relevance: at or above the floor " + ", ".join(f"{k} {floor.get(k, 0.0):.3f}" for k in METRICS))


if __name__ == "__main__":
    main()
