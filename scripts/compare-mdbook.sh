#!/usr/bin/env bash
# Builds one mdBook book with kb and with mdbook, unmodified, and compares what readers get:
# the chapters (pages written), the sidebar (its links, in order), the internal links of
# every page (do they resolve?), and wall time and peak memory of each build.
#
#   bash scripts/compare-mdbook.sh path/to/book [KB_BINARY] [MDBOOK_BINARY]
#
# The book is copied to a temporary folder first, so neither tool writes into it;
# IN_PLACE=1 builds it where it is instead (output still goes to the temporary folder), for
# a book whose plugins are built from the repository around it (the mdBook guide's
# `cargo run --manifest-path guide-helper/Cargo.toml` is a member of mdBook's workspace). Needs
# `mdbook` (cargo install mdbook) and GNU time. A benchmark script, not a test: it prints
# figures and the differences it found.
set -euo pipefail
book=${1:?usage: compare-mdbook.sh BOOK_DIR [KB] [MDBOOK]}
kb=${2:-target/release/kb}
mdbook=${3:-mdbook}
command -v "$mdbook" >/dev/null || { echo "compare-mdbook: no mdbook binary ($mdbook); cargo install mdbook" >&2; exit 2; }
[ -x "$kb" ] || { echo "compare-mdbook: no kb binary at $kb; cargo build --release" >&2; exit 2; }
kb=$(realpath "$kb")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ "${IN_PLACE:-}" = 1 ]; then
    ln -s "$(realpath "$book")" "$work/kb"
    ln -s "$(realpath "$book")" "$work/mdbook"
else
    cp -r "$book" "$work/kb"
    cp -r "$book" "$work/mdbook"
fi

measure() { # label dir command...
    local label=$1 dir=$2
    shift 2
    (cd "$dir" && /usr/bin/time -f "%e %M" -o "$work/$label.time" "$@" >"$work/$label.log" 2>&1) || {
        echo "$label failed:"; tail -20 "$work/$label.log"; return 1; }
    read -r secs kib <"$work/$label.time"
    printf '%-7s %6.2f s  %6d MB peak\n' "$label" "$secs" $((kib / 1024))
}
echo "== $(basename "$(realpath "$book")")"
measure mdbook "$work/mdbook" "$mdbook" build -d "$work/mdbook-out"
measure kb "$work/kb" "$kb" build --dest "$work/kb-out"
echo "kb: $(tail -n 1 "$work/kb.log")"

python3 - "$work/mdbook-out" "$work/kb-out" <<'PY'
import html.parser, os, posixpath, sys
from urllib.parse import unquote
md_out, kb_out = sys.argv[1], sys.argv[2]
# mdBook writes html output to book/ (or book/html/ when several renderers are configured).
if os.path.isdir(os.path.join(md_out, "html")):
    md_out = os.path.join(md_out, "html")

class Links(html.parser.HTMLParser):
    def __init__(self, scope=None):
        super().__init__(); self.links = []; self.ids = set(); self.scope = scope; self.depth = 0
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"): self.ids.add(a["id"])
        if a.get("name") and tag == "a": self.ids.add(a["name"])
        if self.scope:
            if self.depth: self.depth += 1
            elif tag == self.scope[0] and (not self.scope[1] or self.scope[1] in (a.get("class") or "").split()): self.depth = 1
            if not self.depth: return
        if tag == "a" and a.get("href"): self.links.append(a["href"])
    def handle_endtag(self, tag):
        if self.scope and self.depth: self.depth -= 1

def pages(root, skip):
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            if f.endswith(".html"):
                rel = os.path.relpath(os.path.join(d, f), root)
                if not any(rel == s or rel.startswith(s) for s in skip):
                    out[rel] = open(os.path.join(d, f), encoding="utf-8", errors="replace").read()
    return out

md_skip = ["print.html", "404.html", "toc.html", "searchindex", "FontAwesome", "fonts/", "theme/"]
# Both print pages are left out: each repeats every chapter's links.
kb_skip = ["print.html", "404.html", "tags/", "search/", "__kb/"]
md, kb = pages(md_out, md_skip), pages(kb_out, kb_skip)
# Redirect pages are not chapters.
is_redirect = lambda text: 'http-equiv="refresh"' in text
md = {k: v for k, v in md.items() if not is_redirect(v)}
kb = {k: v for k, v in kb.items() if not is_redirect(v)}
print(f"pages: mdbook {len(md)}, kb {len(kb)}")
for label, a, b in (("only mdbook", md, kb), ("only kb", kb, md)):
    diff = sorted(set(a) - set(b))
    if diff: print(f"  {label} ({len(diff)}): {', '.join(diff[:8])}{' ...' if len(diff) > 8 else ''}")

def sidebar(root, pages, scope, toc_file=None):
    if toc_file and os.path.exists(os.path.join(root, toc_file)):
        p = Links(); p.feed(open(os.path.join(root, toc_file), encoding="utf-8").read())
        links = p.links
    else:
        first = "index.html" if "index.html" in pages else sorted(pages)[0]
        p = Links(scope); p.feed(pages[first]); links = p.links
    return [posixpath.normpath(unquote(l.split("#")[0])) for l in links if l and not l.startswith(("http", "#"))]
md_nav = sidebar(md_out, md, ("ol", "chapter"), "toc.html")
kb_nav = sidebar(kb_out, kb, ("ul", "nav-tree"))
kb_nav = [l for l in kb_nav if not l.startswith("tags")]
print(f"sidebar links: mdbook {len(md_nav)}, kb {len(kb_nav)}; same order: {md_nav == kb_nav}")
if md_nav != kb_nav:
    for i, (x, y) in enumerate(zip(md_nav, kb_nav)):
        if x != y:
            print(f"  first difference at {i}: mdbook {x!r}, kb {y!r}"); break

def check_links(root, pages):
    ids = {}
    for rel, text in pages.items():
        p = Links(); p.feed(text); ids[rel] = p.ids
    broken, total = [], 0
    for rel, text in pages.items():
        p = Links(("main", "")) if "<main" in text else Links(); p.feed(text)
        for href in p.links:
            if href.startswith(("http:", "https:", "mailto:", "javascript:", "//")): continue
            total += 1
            path, _, frag = href.partition("#")
            target = rel if not path else posixpath.normpath(posixpath.join(posixpath.dirname(rel), unquote(path)))
            if target.endswith("/") or os.path.isdir(os.path.join(root, target)): target = posixpath.join(target, "index.html")
            if not os.path.exists(os.path.join(root, target)):
                broken.append(f"{rel}: {href}"); continue
            if frag and target in ids and unquote(frag) not in ids[target]:
                broken.append(f"{rel}: {href} (no #{frag})")
    return total, broken
for label, root, p in (("mdbook", md_out, md), ("kb", kb_out, kb)):
    total, broken = check_links(root, p)
    print(f"internal links ({label}): {total}, broken {len(broken)}")
    for b in broken[:5]: print(f"  {b}")
PY
