//! Which index pages a query downloads in the browser: opens a site's search head
//! (`search/index.bin`), answers each query the way the page loader does (round after
//! round of missing pages, read from `search/pages/<id>/<n>.js`), and prints per query the
//! pages loaded, the rounds, and which index files those pages belong to, with their bytes (`.idx`
//! postings, `.pos` positions, `.store` documents, ...). For working on what a query
//! reads; `scripts/bench-search.sh` gives the byte figures.
//!
//! With `--time` first, it loads every page and prints native warm latencies instead
//! (CPU time of each query typed letter by letter, as `scripts/bench-search.mjs` does in
//! wasm). `--rounds` prints the number and file of each page each round asks for, `--json`
//! the answer (to compare with `kb search --json`, which reads the whole blob). `--blob INDEX_BLOB
//! OUT_DIR` pages a blob (`search-index/index.bin`) into `OUT_DIR/search` first, as `kb
//! build` would: for trying page layouts without building the site again.
//!
//! `cargo run --release -p kb-search --example page_reads -- [--time] [--rounds] [--json]
//! [--blob INDEX_BLOB OUT_DIR | SITE/search] QUERY...`

use std::collections::BTreeMap;
use std::error::Error;
use std::fs;
use std::path::Path;

use kb_search::{Answer, SearchIndex};

/// The blob files of the page table of a head: the file each page belongs to.
fn page_files(head: &[u8]) -> Result<Vec<String>, Box<dyn Error>> {
    let u32_at = |at: usize| u32::from_le_bytes(head[at..at + 4].try_into().unwrap_or_default());
    let count = u32_at(20) as usize;
    let mut starts = Vec::with_capacity(count);
    let mut at = 0usize;
    for n in 0..count {
        starts.push(at);
        // The top bit marks a cell page (see paged.rs): the rest is its cell's length.
        at += (u32_at(24 + 4 * n) & !(1 << 31)) as usize;
    }
    // Page 0 (the blob's table of contents) is always in the head, first.
    let toc = &head[24 + 4 * count + 8..];
    let u32_toc = |at: usize| u32::from_le_bytes(toc[at..at + 4].try_into().unwrap_or_default());
    let u64_toc = |at: usize| u64::from_le_bytes(toc[at..at + 8].try_into().unwrap_or_default());
    let files = u32_toc(12) as usize;
    let mut entries = Vec::new();
    let mut at = 16;
    for _ in 0..files {
        let len = u16::from_le_bytes([toc[at], toc[at + 1]]) as usize;
        let name = String::from_utf8_lossy(&toc[at + 2..at + 2 + len]).into_owned();
        at += 2 + len;
        entries.push((name, u64_toc(at) as usize));
        at += 16;
    }
    Ok(starts
        .iter()
        .map(|&s| {
            entries
                .iter()
                .rev()
                .find(|(_, offset)| *offset <= s)
                .map_or_else(|| "toc".to_owned(), |(name, _)| name.clone())
        })
        .collect())
}

/// The bytes of page `n` from its script `__kbSearchPage(n,"<bytes>");`.
fn page(dir: &Path, id: &str, n: u32) -> Result<Vec<u8>, Box<dyn Error>> {
    let script = fs::read(dir.join("pages").join(id).join(format!("{n}.js")))?;
    match kb_search::page_of_script(&script) {
        Some((m, bytes)) if m == n => Ok(bytes),
        _ => Err(format!("page {n}: not its page script").into()),
    }
}

/// Warm latency of every prefix of `queries`, all pages loaded: p50, p95, max and the
/// slowest requests.
fn warm_times(dir: &Path, head: &[u8], queries: Vec<String>) -> Result<(), Box<dyn Error>> {
    let index = SearchIndex::from_head(head)?;
    for n in 0..index.page_count() as u32 {
        if let Ok(data) = page(dir, &index.pages_id(), n) {
            index.add_page(n, &data)?;
        }
    }
    let mut requests = Vec::new();
    for q in &queries {
        for (i, _) in q.char_indices().skip(1).chain([(q.len(), ' ')]) {
            requests.push(format!("q={}&limit=30", encode(&q[..i])));
        }
    }
    let mut times = Vec::new();
    for round in 0..4 {
        for r in &requests {
            let start = cpu_ms();
            let json = index.search_json(r);
            let took = cpu_ms() - start;
            if round > 0 {
                times.push((took, r.clone(), json.len()));
            }
        }
    }
    times.sort_by(|a, b| a.0.total_cmp(&b.0));
    let at = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)].0;
    println!(
        "{} requests: p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        times.len(),
        at(0.5),
        at(0.95),
        at(1.0)
    );
    for (took, r, _) in times.iter().rev().take(12) {
        println!("  {took:.2} ms {r}");
    }
    Ok(())
}

/// CPU time of this thread in milliseconds (Linux): on a machine shared with compilers,
/// wall time measures the scheduler.
fn cpu_ms() -> f64 {
    let stat = fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    let ns: f64 = stat
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0.0);
    ns / 1e6
}

/// `text` as a query-string value.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1).peekable();
    let time = args.next_if_eq("--time").is_some();
    let rounds_too = args.next_if_eq("--rounds").is_some();
    let json_too = args.next_if_eq("--json").is_some();
    let blob = args.next_if_eq("--blob").is_some();
    let dir = args.next().ok_or(
        "usage: page_reads [--time] [--rounds] [--json] [--blob INDEX_BLOB OUT_DIR | SITE/search] QUERY...",
    )?;
    let mut dir = Path::new(&dir).to_path_buf();
    if blob {
        let out = Path::new(&args.next().ok_or("--blob needs OUT_DIR")?).to_path_buf();
        for (path, bytes) in kb_search::site_files(&fs::read(&dir)?, &[])? {
            let path = out.join(path);
            fs::create_dir_all(path.parent().ok_or("no parent")?)?;
            fs::write(path, bytes)?;
        }
        dir = out.join("search");
    }
    let dir = dir.as_path();
    let head = fs::read(dir.join("index.bin"))?;
    let files = page_files(&head)?;
    let mut all: BTreeMap<&str, usize> = BTreeMap::new();
    for file in &files {
        *all.entry(file.rsplit('.').next().unwrap_or(file))
            .or_default() += 1;
    }
    println!("pages per file: {all:?}");
    if time {
        return warm_times(dir, &head, args.collect());
    }
    for query in args {
        let index = SearchIndex::from_head(&head)?;
        let limit = std::env::var("LIMIT").unwrap_or_else(|_| "30".into());
        let request = format!("q={}&limit={limit}", encode(&query));
        // Pages and bytes of each kind of index file.
        let mut per_file: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        let (mut rounds, mut loaded, mut bytes) = (0, 0, 0);
        let hits = loop {
            match index.answer(&request) {
                Answer::Json(json) => {
                    if json_too {
                        println!("{json}");
                    }
                    break json.matches("\"url\"").count();
                }
                Answer::NeedPages(pages) => {
                    rounds += 1;
                    if rounds_too {
                        let exts: Vec<String> = pages
                            .iter()
                            .map(|&n| {
                                let ext = files[n as usize].rsplit('.').next().unwrap_or("");
                                format!("{n}:{ext}")
                            })
                            .collect();
                        println!("  round {rounds}: {exts:?}");
                    }
                    for n in pages {
                        let data = page(dir, &index.pages_id(), n)?;
                        bytes += data.len();
                        index.add_page(n, &data)?;
                        let file = &files[n as usize];
                        let ext = file.rsplit('.').next().unwrap_or(file);
                        let kind = per_file.entry(ext.to_owned()).or_default();
                        kind.0 += 1;
                        kind.1 += data.len();
                        loaded += 1;
                    }
                }
            }
        };
        let kinds: Vec<String> = per_file
            .iter()
            .map(|(ext, (n, b))| format!("{ext} {n} ({} KB)", b / 1000))
            .collect();
        println!(
            "{query:?}: {loaded} of {} pages ({} KB) in {rounds} rounds, {hits} hits; {}",
            files.len(),
            bytes / 1000,
            kinds.join(", ")
        );
    }
    Ok(())
}
