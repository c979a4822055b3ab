//! Rebuild `kb` when the embedded default theme or search module changes: `include_dir!`
//! and `include_bytes!` of a folder are not tracked file by file on stable Rust.

fn main() {
    println!("cargo:rerun-if-changed=themes/default");
    println!("cargo:rerun-if-changed=crates/kb-search-wasm/dist/kb_search.wasm");
}
