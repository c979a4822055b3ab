#!/usr/bin/env python3
"""Deterministic benchmark corpus for kb: N pages in 18 area folders.

Each page has front matter, 3-8 headings, realistic prose, 1-4 code blocks (mostly Go),
a table and links to other pages of the corpus (all valid, so the build succeeds).
The same --pages and --seed always give the same bytes.

    python3 scripts/gen-corpus.py --pages 1000 --out bench/corpus-1k
"""
import argparse
import os
import random
import shutil

AREAS = [
    "databases", "apis", "go-services", "performance", "scaling", "security",
    "caching", "data-modeling", "microservices", "testing", "observability", "containers",
    "cicd", "docker-kubernetes", "grpc", "git", "data-infra", "cloud",
]
WORDS = (
    "connection pool latency throughput request handler context deadline timeout retry backoff "
    "jitter circuit breaker idempotent transaction isolation replica partition shard index query "
    "cache eviction stampede invalidation consumer producer offset broker queue stream schema "
    "migration deployment rollout canary probe readiness liveness container image registry "
    "cluster node scheduler budget error wrapping sentinel goroutine channel mutex worker "
    "benchmark profile allocation escape heap garbage collector memory limit trace span metric "
    "histogram counter label cardinality alert objective service boundary gateway mesh token "
    "certificate secret rotation signature dependency module version release tag branch commit "
    "the a of to and in for with that is on by as it be are this from or an which when must "
    "should can will each every under load production server client backend engineer team"
).split()
HEADINGS = [
    "What to consider", "How it works", "Best practices", "In Go", "Trade-offs",
    "Scalability, performance and security", "References", "Key points",
]
GO_SNIPPETS = [
    'package main\n\nimport (\n\t"context"\n\t"database/sql"\n\t"time"\n)\n\nfunc configure(db *sql.DB) {\n\tdb.SetMaxOpenConns({n})\n\tdb.SetMaxIdleConns({m})\n\tdb.SetConnMaxLifetime({n} * time.Minute)\n}\n\nfunc query(ctx context.Context, db *sql.DB) error {\n\tctx, cancel := context.WithTimeout(ctx, {m}*time.Second)\n\tdefer cancel()\n\treturn db.PingContext(ctx)\n}\n',
    'func retry(ctx context.Context, attempts int, f func() error) error {\n\tvar err error\n\tfor i := range attempts {\n\t\tif err = f(); err == nil {\n\t\t\treturn nil\n\t\t}\n\t\tselect {\n\t\tcase <-ctx.Done():\n\t\t\treturn ctx.Err()\n\t\tcase <-time.After(time.Duration(i*{n}) * time.Millisecond):\n\t\t}\n\t}\n\treturn fmt.Errorf("after %d attempts: %w", attempts, err)\n}\n',
    'mux := http.NewServeMux()\nmux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {\n\tid := r.PathValue("id")\n\tslog.Info("get item", "id", id, "limit", {n})\n\tw.WriteHeader(http.StatusOK)\n})\n',
]
OTHER_SNIPPETS = [
    ("sql", "SELECT id, name FROM items WHERE id > $1 ORDER BY id LIMIT {n};\n"),
    ("yaml", "apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: {m}\n  strategy:\n    rollingUpdate:\n      maxSurge: 1\n"),
    ("bash", "go test -race -count={m} ./...\n"),
]


def fill(template, n, m):
    return template.replace("{n}", str(n)).replace("{m}", str(m))


def sentence(rng):
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 20))]
    words[0] = words[0].capitalize()
    if rng.random() < 0.3:
        words.insert(rng.randint(1, len(words) - 1), "`SetMaxOpenConns`" if rng.random() < 0.5 else "`context.WithTimeout`")
    return " ".join(words) + "."


def paragraph(rng):
    return " ".join(sentence(rng) for _ in range(rng.randint(3, 6)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    if os.path.exists(args.out):
        shutil.rmtree(args.out)
    content = os.path.join(args.out, "content")
    os.makedirs(content)
    with open(os.path.join(args.out, "book.toml"), "w") as f:
        f.write('[book]\ntitle = "Benchmark corpus"\nsrc = "content"\n\n[output.html]\nsite-url = "https://example.org/"\n')
    with open(os.path.join(content, "index.md"), "w") as f:
        f.write("---\ntitle: Benchmark corpus\ndescription: Generated pages for kb benchmarks.\n---\n" + paragraph(rng) + "\n")
    per_area = [args.pages // len(AREAS) + (1 if i < args.pages % len(AREAS) else 0) for i in range(len(AREAS))]
    pages = [(area, f"page-{j:05d}") for area, n in zip(AREAS, per_area) for j in range(n)]
    for i, area in enumerate(AREAS):
        os.makedirs(os.path.join(content, area))
        with open(os.path.join(content, area, "_index.md"), "w") as f:
            f.write(f"---\ntitle: Area {area}\ndescription: Pages about {area}.\nweight: {i + 1}\n---\n{paragraph(rng)}\n")
    for k, (area, slug) in enumerate(pages):
        n_head = rng.randint(3, 8)
        out = [
            "---",
            f'title: "{area} topic {k}: {rng.choice(WORDS)} {rng.choice(WORDS)}"',
            f'description: "{sentence(rng)[:150]}"',
            f"weight: {k}",
            f"tags: [{area}, {rng.choice(['go', 'performance', 'security', 'testing'])}]",
            f"difficulty: {rng.choice(['beginner', 'intermediate', 'advanced'])}",
            "---",
        ]
        n_code = rng.randint(1, 4)
        code_at = set(rng.sample(range(n_head), min(n_code, n_head)))
        for h in range(n_head):
            out.append(f"\n## {HEADINGS[h]}\n")
            for _ in range(rng.randint(1, 3)):
                out.append(paragraph(rng) + "\n")
            if h == 1:
                other_area, other = rng.choice(pages)
                rel = f"../{other_area}/{other}.md" if other_area != area else f"{other}.md"
                out.append(f"See [a related page]({rel}#what-to-consider) and [this section](#how-it-works).\n")
                out.append("| Setting | Default | Notes |\n|---|---|---|\n" + "".join(
                    f"| `{rng.choice(WORDS)}` | {rng.randint(0, 100)} | {sentence(rng)} |\n" for _ in range(rng.randint(2, 5))))
            if h in code_at:
                n, m = rng.randint(2, 100), rng.randint(1, 10)
                if rng.random() < 0.75:
                    snippet = fill(rng.choice(GO_SNIPPETS), n, m)
                    info = "go" if snippet.startswith("package") else "go,fragment"
                    out.append(f"```{info}\n{snippet}```\n")
                else:
                    lang, snippet = rng.choice(OTHER_SNIPPETS)
                    out.append(f"```{lang}\n{fill(snippet, n, m)}```\n")
        with open(os.path.join(content, area, slug + ".md"), "w") as f:
            f.write("\n".join(out))
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(content) for f in fs)
    print(f"wrote {len(pages)} pages ({total / 1e6:.1f} MB of Markdown) to {args.out}")


if __name__ == "__main__":
    main()
