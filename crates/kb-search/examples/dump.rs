//! Parity oracle: builds the index of a corpus natively and answers a list of queries,
//! writing `index.bin` (the whole blob), `native.json` (`[{request, json}]`) and the
//! generated site files (`site_files`: the paged index, and the module when given) under
//! `OUT_DIR/site/`, for the node test that asks the wasm module the same requests through
//! the paged index and compares the bytes, and for the browser test's hand-made pages.
//!
//! `cargo run -p kb-search --example dump -- CORPUS.json QUERIES.json OUT_DIR [MODULE.wasm] [--copies N]`
//!
//! `--copies N` indexes N copies of the corpus (`support::copies`), so the index spans many
//! pages and answers need pages loaded on demand.

use std::error::Error;
use std::fs;
use std::path::PathBuf;

use kb_search::{build_index, SearchIndex, SearchSettings, SectionDoc};

mod support;

fn encode(q: &str) -> String {
    let mut out = String::new();
    for b in q.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut copies = 1;
    if let Some(at) = args.iter().position(|a| a == "--copies") {
        copies = args
            .get(at + 1)
            .and_then(|n| n.parse().ok())
            .ok_or("--copies N")?;
        args.drain(at..at + 2);
    }
    let (corpus, queries, out, wasm) = match args.as_slice() {
        [c, q, o] => (c, q, o, None),
        [c, q, o, w] => (c, q, o, Some(w)),
        _ => return Err("usage: dump CORPUS.json QUERIES.json OUT_DIR [MODULE.wasm]".into()),
    };
    let read = |p: &str| fs::read_to_string(p).map_err(|e| format!("{p}: {e}"));
    let base: Vec<SectionDoc> =
        serde_json::from_str(&read(corpus)?).map_err(|e| format!("{corpus}: {e}"))?;
    let docs = if copies == 1 {
        base
    } else {
        support::copies(&base, copies)
    };
    let queries: Vec<String> =
        serde_json::from_str(&read(queries)?).map_err(|e| format!("{queries}: {e}"))?;
    let blob = build_index(&docs, &SearchSettings::default())?;
    let index = SearchIndex::from_blob(&blob)?;
    let mut requests: Vec<String> = queries.iter().map(|q| format!("q={}", encode(q))).collect();
    // Options travel in the same string: an area filter, a small limit, an unknown area.
    requests.push("q=pool&area=databases".into());
    requests.push("q=context&area=go&limit=2".into());
    requests.push("q=cache&area=nowhere".into());
    requests.push("q=&area=caching".into());
    let answers: Vec<serde_json::Value> = requests
        .iter()
        .map(|r| serde_json::json!({ "request": r, "json": index.search_json(r) }))
        .collect();
    let out = PathBuf::from(out);
    fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    fs::write(out.join("index.bin"), &blob).map_err(|e| format!("{}: {e}", out.display()))?;
    let json = serde_json::to_string_pretty(&answers)?;
    fs::write(out.join("native.json"), json).map_err(|e| format!("{}: {e}", out.display()))?;
    let module = match wasm {
        Some(wasm) => fs::read(wasm).map_err(|e| format!("{wasm}: {e}"))?,
        None => Vec::new(),
    };
    support::write_site_files(&out.join("site"), &blob, &module)?;
    eprintln!(
        "{} sections, {} bytes of index, {} requests",
        docs.len(),
        blob.len(),
        requests.len()
    );
    Ok(())
}
