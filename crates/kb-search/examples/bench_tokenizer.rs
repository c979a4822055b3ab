//! Tokenizer throughput: runs kb's tokenizer, through tantivy's `TokenStream` the way the
//! indexer does, over every Markdown file under a folder, and prints MB/s and ns per token
//! (best of five rounds, one thread). A benchmark, not a test.
//!
//! `cargo run --release -p kb-search --example bench_tokenizer -- CONTENT_DIR`

use std::error::Error;
use std::path::Path;
use std::time::Instant;

use tantivy::tokenizer::{TokenStream, Tokenizer};

fn markdown_files(dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            markdown_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(std::fs::read_to_string(&path)?);
        }
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let dir = std::env::args()
        .nth(1)
        .ok_or("usage: bench_tokenizer CONTENT_DIR")?;
    let mut texts = Vec::new();
    markdown_files(Path::new(&dir), &mut texts)?;
    let bytes: usize = texts.iter().map(String::len).sum();
    let mut tokenizer = kb_search::tokenizer::KbTokenizer::default();
    let mut best = f64::MAX;
    let mut tokens = 0usize;
    let mut checksum = 0usize;
    for _ in 0..5 {
        let start = Instant::now();
        tokens = 0;
        for text in &texts {
            let mut stream = tokenizer.token_stream(text);
            while stream.advance() {
                tokens += 1;
                checksum = checksum.wrapping_add(stream.token().text.len());
            }
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    println!(
        "{} files, {:.1} MB, {tokens} tokens (checksum {checksum}): {:.3} s, {:.0} MB/s, {:.1} ns/token",
        texts.len(),
        bytes as f64 / 1e6,
        best,
        bytes as f64 / 1e6 / best,
        best * 1e9 / tokens as f64
    );
    Ok(())
}
