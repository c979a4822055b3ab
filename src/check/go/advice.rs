//! Advice under compile, vet and load errors: what to do about the messages samples most
//! often trip over (a forgotten import, an unused variable, an internal package).

/// Advice for the compiler and vet messages samples most often trip over.
pub(crate) fn compile_help(message: &str) -> String {
    if let Some(name) = message.strip_prefix("undefined: ") {
        let paths: Vec<String> = std_packages_named(name)
            .map(|p| format!("\"{p}\""))
            .collect();
        return match paths.len() {
            0 => format!("declare `{name}` in the sample or add the missing import; if the sample relies on code shown elsewhere on the page, mark it ```go,fragment"),
            _ => format!("add the missing import: import {}", paths.join(" or ")),
        };
    }
    if message.contains("imported and not used") {
        return "remove the unused import, or use it".to_string();
    }
    if message.starts_with("declared and not used") {
        return "use the variable, remove it, or assign it to `_`".to_string();
    }
    if message.contains("format %")
        || message.contains("call has arguments but no formatting directives")
        || message.contains("call needs")
    {
        return "make the format verbs match the arguments".to_string();
    }
    "fix the sample so it compiles and passes `go vet`; if it deliberately shows broken code, mark it ```go,ignore".to_string()
}

/// Standard-library import paths whose package is called `name`, for a sample that forgot
/// the import (`rand` is both `math/rand/v2` and `crypto/rand`).
fn std_packages_named(name: &str) -> impl Iterator<Item = &'static str> + '_ {
    // The packages samples use most; a name missing here just gets the general advice.
    const PACKAGES: &[&str] = &[
        "bufio",
        "bytes",
        "cmp",
        "compress/gzip",
        "container/heap",
        "container/list",
        "context",
        "crypto/hmac",
        "crypto/sha256",
        "crypto/tls",
        "database/sql",
        "embed",
        "encoding/base64",
        "encoding/binary",
        "encoding/csv",
        "encoding/hex",
        "encoding/json",
        "encoding/xml",
        "errors",
        "expvar",
        "flag",
        "fmt",
        "hash/crc32",
        "hash/fnv",
        "io",
        "io/fs",
        "iter",
        "log",
        "log/slog",
        "maps",
        "math",
        "math/big",
        "math/rand/v2",
        "crypto/rand",
        "net",
        "net/http",
        "net/http/httptest",
        "net/http/httputil",
        "net/netip",
        "net/url",
        "os",
        "os/exec",
        "os/signal",
        "path/filepath",
        "reflect",
        "regexp",
        "runtime",
        "runtime/debug",
        "runtime/pprof",
        "runtime/trace",
        "slices",
        "sort",
        "strconv",
        "strings",
        "sync",
        "sync/atomic",
        "syscall",
        "testing",
        "text/template",
        "time",
        "unicode",
        "unicode/utf8",
    ];
    // A package is referred to by its last path element, except for a major version
    // suffix: `math/rand/v2` is `rand`.
    PACKAGES.iter().copied().filter(move |path| {
        let base = path.trim_end_matches("/v2");
        base.rsplit('/').next() == Some(name)
    })
}

/// Advice for a package `go list` could not load.
pub(crate) fn load_error_help(message: &str) -> String {
    if message.contains("use of internal package") {
        "samples can only import exported standard-library packages; mark the block ```go,ignore if it shows Go's own source".to_string()
    } else if message.contains("pattern") && message.contains("no matching files") {
        "files embedded with //go:embed are not available to sample checks; mark the block ```go,fragment or ```go,ignore".to_string()
    } else {
        "fix the package so `go build` can load it, or mark the block ```go,ignore".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_library_names_for_missing_imports() {
        let named = |name| std_packages_named(name).collect::<Vec<_>>();
        assert_eq!(named("http"), ["net/http"]);
        assert_eq!(named("rand"), ["math/rand/v2", "crypto/rand"]);
        assert_eq!(named("fmt"), ["fmt"]);
        assert_eq!(named("myThing"), Vec::<&str>::new());
        assert_eq!(
            compile_help("undefined: rand"),
            "add the missing import: import \"math/rand/v2\" or \"crypto/rand\""
        );
    }
}
