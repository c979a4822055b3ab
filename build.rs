//! Rebuild `kb` when the embedded default theme or search module changes: `include_dir!`
//! and `include_bytes!` of a folder are not tracked file by file on stable Rust. Also
//! writes the module's pre-compressed twins into `OUT_DIR` (brotli at its best quality
//! takes seconds: once per change of the module, not on every `kb build`).

use std::io::Write;
use std::path::PathBuf;

const MODULE: &str = "crates/kb-search-wasm/dist/kb_search.wasm";

fn main() {
    println!("cargo:rerun-if-changed=themes/default");
    println!("cargo:rerun-if-changed={MODULE}");
    let wasm = std::fs::read(MODULE).unwrap_or_else(|e| panic!("{MODULE}: {e}"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));

    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 24,
        ..Default::default()
    };
    let mut br = Vec::new();
    brotli::BrotliCompress(&mut &wasm[..], &mut br, &params).expect("brotli into memory");
    std::fs::write(out.join("kb_search.wasm.br"), br).expect("write OUT_DIR");

    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&wasm).expect("gzip into memory");
    std::fs::write(
        out.join("kb_search.wasm.gz"),
        gz.finish().expect("gzip into memory"),
    )
    .expect("write OUT_DIR");
}
