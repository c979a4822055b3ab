//! Rebuild `kb` when the embedded default theme or search module changes: `include_dir!`
//! and `include_bytes!` of a folder are not tracked file by file on stable Rust. Also
//! writes into `OUT_DIR` the module's pre-compressed twins (brotli at its best quality
//! takes seconds: once per change of the module, not on every `kb build`) and the copy of
//! the default theme that `kb` embeds, its scripts and stylesheets minified.

use std::io::Write;
use std::path::{Path, PathBuf};

const MODULE: &str = "crates/kb-search-wasm/dist/kb_search.wasm";

fn main() {
    println!("cargo:rerun-if-changed=themes/default");
    println!("cargo:rerun-if-changed={MODULE}");
    let wasm = std::fs::read(MODULE).unwrap_or_else(|e| panic!("{MODULE}: {e}"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    embedded_theme(Path::new("themes/default"), &out.join("default-theme"));

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

/// Copies the default theme to `dest` (which `src/render/theme.rs` embeds), every `.js` and
/// `.css` under `static/` minified: the sources keep the comments their type check reads
/// (`scripts/check-js.sh`), the reader downloads none of them. Templates are copied as they
/// are. `dest` is made anew, so a file deleted from the theme leaves the binary too.
fn embedded_theme(theme: &Path, dest: &Path) {
    if dest.exists() {
        std::fs::remove_dir_all(dest).unwrap_or_else(|e| panic!("{}: {e}", dest.display()));
    }
    copy_minified(theme, dest, false);
}

fn copy_minified(from: &Path, to: &Path, in_static: bool) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    let entries = std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    for entry in entries {
        let entry = entry.unwrap_or_else(|e| panic!("{}: {e}", from.display()));
        let (path, target) = (entry.path(), to.join(entry.file_name()));
        if path.is_dir() {
            let in_static = in_static || entry.file_name() == "static";
            copy_minified(&path, &target, in_static);
            continue;
        }
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let ext = path.extension().and_then(|e| e.to_str());
        let bytes = match ext {
            Some(ext @ ("js" | "css")) if in_static => {
                let text = String::from_utf8(bytes)
                    .unwrap_or_else(|e| panic!("{}: not UTF-8: {e}", path.display()));
                minify(&text, ext).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            }
            _ => bytes,
        };
        std::fs::write(&target, bytes).unwrap_or_else(|e| panic!("{}: {e}", target.display()));
    }
}

/// The minified text of a script (`ext` "js") or a stylesheet ("css"). minifier keeps
/// `/*! ... */` comments, meant for licences; the theme's are its files' headers, so they
/// go too (the writer spaces tokens by their neighbours, so dropping one is safe).
fn minify(text: &str, ext: &str) -> Result<Vec<u8>, &'static str> {
    Ok(if ext == "js" {
        let tokens = minifier::js::simple_minify(text)?.apply(minifier::js::clean_tokens);
        let kept: Vec<_> = tokens.into_iter().filter(|t| !t.is_license()).collect();
        minifier::js::Tokens::from(kept).to_string().into_bytes()
    } else {
        minifier::css::minify(text)?
            .to_string()
            .trim_start()
            .as_bytes()
            .to_vec()
    })
}
