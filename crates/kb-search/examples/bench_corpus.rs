//! Benchmark corpus: a deterministic synthetic knowledge base of N pages (5 sections
//! each, prose plus code identifiers), indexed natively. Writes `index.bin` (the whole
//! blob) and the paged site files under `site/search/`, and prints the build and paging
//! (and writing) times;
//! `scripts/bench-search.sh` measures the browser side in node.
//!
//! `cargo run --release -p kb-search --example bench_corpus -- PAGES OUT_DIR [CORPUS.json]`
//! (with CORPUS.json, indexes those sections instead of generating them).

use std::error::Error;
use std::fs;
use std::path::PathBuf;
use std::time::Instant;

use kb_search::{build_index, SearchSettings, SectionDoc};

mod support;

const PROSE: &[&str] = &[
    "cache",
    "connection",
    "pool",
    "database",
    "query",
    "index",
    "latency",
    "throughput",
    "request",
    "response",
    "timeout",
    "retry",
    "backoff",
    "deadline",
    "context",
    "goroutine",
    "channel",
    "mutex",
    "lock",
    "transaction",
    "isolation",
    "replica",
    "primary",
    "shard",
    "partition",
    "consumer",
    "producer",
    "queue",
    "topic",
    "offset",
    "checkpoint",
    "snapshot",
    "metric",
    "histogram",
    "trace",
    "span",
    "log",
    "alert",
    "budget",
    "error",
    "failure",
    "outage",
    "deploy",
    "rollback",
    "canary",
    "container",
    "kubernetes",
    "pod",
    "node",
    "memory",
    "garbage",
    "collector",
    "heap",
    "allocation",
    "profile",
    "benchmark",
    "schema",
    "migration",
    "column",
    "table",
    "row",
    "key",
    "value",
    "token",
    "session",
    "cookie",
    "header",
    "payload",
    "encoding",
    "compression",
    "stream",
    "buffer",
    "service",
    "client",
    "server",
    "handler",
    "middleware",
    "router",
    "endpoint",
    "version",
    "the",
    "a",
    "of",
    "to",
    "and",
    "in",
    "is",
    "for",
    "with",
    "when",
    "that",
    "on",
    "by",
    "how",
    "should",
    "never",
    "always",
    "before",
    "after",
    "because",
    "every",
    "each",
    "only",
    "first",
];
const CODE: &[&str] = &[
    "db.SetMaxOpenConns",
    "context.WithTimeout",
    "errgroup.WithContext",
    "http.Server",
    "sync.WaitGroup",
    "max_connections",
    "GOGC",
    "GOMEMLIMIT",
    "x/sync/singleflight",
    "rate.NewLimiter",
    "json.Unmarshal",
    "sql.ErrNoRows",
    "atomic.Int64",
    "pgxpool.New",
    "redis.NewClient",
    "otel.Tracer",
    "prometheus.NewHistogramVec",
    "grpc.NewClient",
    "time.AfterFunc",
    "os.Getenv",
    "io.Copy",
    "bufio.NewScanner",
    "strings.Builder",
];

/// xorshift64*: the same corpus on every machine.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn pick<'a>(&mut self, words: &[&'a str]) -> &'a str {
        words[(self.next() % words.len() as u64) as usize]
    }
    fn words(&mut self, n: usize, page: usize) -> String {
        let mut out = String::new();
        for i in 0..n {
            if i > 0 {
                out.push(' ');
            }
            match self.next() % 40 {
                0 => out.push_str(self.pick(CODE)),
                // Rare words make the vocabulary grow with the corpus, as real sites do.
                1 => out.push_str(&format!("term{}x{}", page % 997, self.next() % 50)),
                _ => out.push_str(self.pick(PROSE)),
            }
        }
        out
    }
}

fn generate(pages: usize) -> Vec<SectionDoc> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut docs = Vec::with_capacity(pages * 5);
    for p in 0..pages {
        let area = format!("area{:02}", p % 20);
        let area_title = format!("Area {:02}", p % 20);
        let page_url = format!("{area}/page-{p}/");
        let page_title = format!(
            "{} {} {}",
            rng.pick(PROSE),
            rng.pick(PROSE),
            rng.pick(PROSE)
        );
        // From a generator of its own, so the rest of the corpus stays what it was before
        // pages had descriptions (figures stay comparable).
        let description = Rng(0x5EED_0000 + p as u64).words(20, p);
        for s in 0..5 {
            let heading = if s == 0 {
                String::new()
            } else {
                format!("{} {}", rng.pick(PROSE), rng.pick(CODE))
            };
            let url = if s == 0 {
                page_url.clone()
            } else {
                format!("{page_url}#s{s}")
            };
            docs.push(SectionDoc {
                url,
                page_url: page_url.clone(),
                page_title: page_title.clone(),
                description: description.clone(),
                breadcrumb: format!("{area_title} > {page_title} > {heading}"),
                heading,
                body: rng.words(110, p),
                code: if s % 2 == 1 {
                    rng.words(25, p)
                } else {
                    String::new()
                },
                tags: vec![rng.pick(PROSE).to_owned()],
                area: area.clone(),
                area_title: area_title.clone(),
                overview: false,
            });
        }
    }
    docs
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (pages, out, corpus) = match args.as_slice() {
        [n, o] => (n, o, None),
        [n, o, c] => (n, o, Some(c)),
        _ => return Err("usage: bench_corpus PAGES OUT_DIR [CORPUS.json]".into()),
    };
    let docs = match corpus {
        Some(path) => {
            serde_json::from_str(&fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?)?
        }
        None => generate(
            pages
                .parse()
                .map_err(|_| format!("not a number: {pages}"))?,
        ),
    };
    let started = Instant::now();
    let blob = build_index(&docs, &SearchSettings::default())?;
    let took = started.elapsed();
    let out = PathBuf::from(out);
    fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    fs::write(out.join("index.bin"), &blob).map_err(|e| format!("{}: {e}", out.display()))?;
    // The paged files the site gets (head and pages; no module).
    let started = Instant::now();
    support::write_site_files(&out.join("site"), &blob, &[])?;
    let paging = started.elapsed();
    println!(
        "{{\"sections\":{},\"index_bytes\":{},\"build_ms\":{},\"paging_ms\":{}}}",
        docs.len(),
        blob.len(),
        took.as_millis(),
        paging.as_millis()
    );
    Ok(())
}
