//! Data blocks: fenced YAML, JSON, TOML and Protocol Buffers samples must parse.
//!
//! A reader copies these blocks into real configuration files, so a block that does not
//! parse is a bug in the page. Each parser's error position (in the block) is moved to the
//! Markdown line and column it came from.

use serde::Deserialize;

use crate::check::sample::CodeSample;
use crate::diagnostic::{Diagnostic, Location};
use crate::position::{char_column, line_col};

/// The data formats whose blocks must parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DataLanguage {
    Yaml,
    Json,
    Toml,
    Proto,
}

/// The data format of a code block's language, if it is one.
pub(crate) fn data_language(lang: &str) -> Option<DataLanguage> {
    match lang.to_ascii_lowercase().as_str() {
        "yaml" | "yml" => Some(DataLanguage::Yaml),
        "json" => Some(DataLanguage::Json),
        "toml" => Some(DataLanguage::Toml),
        "proto" | "protobuf" | "proto3" => Some(DataLanguage::Proto),
        _ => None,
    }
}

/// Checks that a data block parses in its language. Blocks in other languages, and blocks
/// flagged `ignore`, give no diagnostics. Brackets nested deeper than `max_nesting` are an
/// error before any parser (they recurse on nesting) sees them.
pub(crate) fn check_data_block(sample: &CodeSample, max_nesting: usize) -> Vec<Diagnostic> {
    if sample.has_flag("ignore") {
        return Vec::new();
    }
    let language = data_language(&sample.lang);
    if language.is_some() {
        if let Some(offset) = crate::limits::too_deep(&sample.code, max_nesting) {
            let (line, column) = line_col(&sample.code, offset);
            return vec![Diagnostic::error(
                at(sample, line, column),
                crate::limits::too_deep_message(
                    &format!("this {} block", sample.lang),
                    max_nesting,
                ),
            )
            .with_help(crate::limits::HELP)];
        }
    }
    match language {
        Some(DataLanguage::Yaml) => check_yaml(sample),
        Some(DataLanguage::Json) => check_json(sample),
        Some(DataLanguage::Toml) => check_toml(sample),
        Some(DataLanguage::Proto) => check_proto(sample),
        None => Vec::new(),
    }
}

/// An error position inside a block: 1-based line, 1-based column in characters.
fn at(sample: &CodeSample, line: usize, column: usize) -> Location {
    Location::new(&sample.file, sample.markdown_line(line), column.max(1))
}

/// The general advice: fix it, or opt the block out (in the language it was written as).
fn ignore_help(sample: &CodeSample, language: &str) -> String {
    format!(
        "fix the {language} so it parses, or mark the block ```{},ignore if it is deliberately incomplete",
        sample.lang
    )
}

fn check_yaml(sample: &CodeSample) -> Vec<Diagnostic> {
    // A block may hold a `---`-separated stream (several Kubernetes objects, for example);
    // every document in it must parse.
    for document in serde_yaml::Deserializer::from_str(&sample.code) {
        let Err(error) = serde_yaml::Value::deserialize(document) else {
            continue;
        };
        // serde_yaml's location is 1-based and counts characters.
        let (line, column) = error.location().map_or((1, 1), |l| (l.line(), l.column()));
        let text = error.to_string();
        // The message ends with " at line L column C", which would point into the block
        // rather than the page; the diagnostic carries the page position instead.
        let message = strip_position_suffix(&text);
        let source_line = sample
            .code
            .lines()
            .nth(line.saturating_sub(1))
            .unwrap_or("");
        let help = if source_line.contains("{{") || sample.code.contains("{{") {
            "this looks like a template (Helm or Go text/template), which is not YAML until it is rendered; mark the block ```yaml,ignore".to_string()
        } else {
            ignore_help(sample, "YAML")
        };
        // Parsing stops at the first error: later documents cannot be read reliably.
        return vec![Diagnostic::error(
            at(sample, line, column),
            format!("invalid YAML: {message}"),
        )
        .with_help(help)];
    }
    Vec::new()
}

fn check_json(sample: &CodeSample) -> Vec<Diagnostic> {
    let Err(error) = serde_json::from_str::<serde_json::Value>(&sample.code) else {
        return Vec::new();
    };
    let line = error.line().max(1);
    // serde_json counts the column in bytes; the diagnostic counts characters.
    let column = sample
        .code
        .lines()
        .nth(line - 1)
        .map_or(1, |text| char_column(text, error.column()));
    let text = error.to_string();
    let message = strip_position_suffix(&text);
    let help = if sample.code.contains("//") || sample.code.contains("...") {
        "JSON has no comments or `...` placeholders; remove them, or mark the block ```json,ignore (or use ```jsonc) if it is deliberately not JSON".to_string()
    } else {
        ignore_help(sample, "JSON")
    };
    vec![
        Diagnostic::error(at(sample, line, column), format!("invalid JSON: {message}"))
            .with_help(help),
    ]
}

fn check_toml(sample: &CodeSample) -> Vec<Diagnostic> {
    let Err(error) = toml::from_str::<toml::Table>(&sample.code) else {
        return Vec::new();
    };
    let (line, column) = error
        .span()
        .map_or((1, 1), |span| line_col(&sample.code, span.start));
    let message = error.message().trim_end();
    vec![
        Diagnostic::error(at(sample, line, column), format!("invalid TOML: {message}"))
            .with_help(ignore_help(sample, "TOML")),
    ]
}

fn check_proto(sample: &CodeSample) -> Vec<Diagnostic> {
    // Pages usually show a message or service without the file header. Without a `syntax`
    // statement protoc (and protox-parse) assume proto2, which rejects every proto3 field
    // without a label, so a headerless block is read as proto3, the syntax people write
    // today. The extra line is taken off every position below.
    let (source, added_lines) = if declares_syntax(&sample.code) {
        (sample.code.clone(), 0)
    } else {
        (format!("syntax = \"proto3\";\n{}", sample.code), 1)
    };
    let Err(error) = protox_parse::parse("sample.proto", &source) else {
        return Vec::new();
    };
    let mut diagnostics = Vec::new();
    let mut report =
        |span: Option<std::ops::Range<usize>>, message: String, help: Option<String>| {
            // Errors without a span are about the end of the file (unexpected end of input) or
            // the whole file, so they point at the block's last line.
            let (line, column) = match span {
                Some(span) => missing_semicolon_position(&source, &message, span.start)
                    .unwrap_or_else(|| line_col(&source, span.start)),
                None => (source.lines().count().max(1), 1),
            };
            let line = line.saturating_sub(added_lines).max(1);
            let help = help.unwrap_or_else(|| {
                if message.starts_with("expected ';'") {
                    "end the statement with `;`".to_string()
                } else {
                    ignore_help(sample, "Protocol Buffers definition")
                }
            });
            diagnostics.push(
                Diagnostic::error(
                    at(sample, line, column),
                    format!("invalid Protocol Buffers: {message}"),
                )
                .with_help(help),
            );
        };
    use miette::Diagnostic as _;
    report(
        error.span(),
        error.to_string(),
        error.help().map(|h| h.to_string()),
    );
    // protox-parse recovers from an error and keeps going, so further errors are usually
    // independent problems worth reporting in the same run.
    if let Some(related) = error.related() {
        for other in related {
            let span = other
                .labels()
                .and_then(|mut labels| labels.next())
                .map(|label| label.offset()..label.offset() + label.len());
            report(span, other.to_string(), other.help().map(|h| h.to_string()));
        }
    }
    diagnostics
}

/// Where a missing `;` belongs: the parser notices it at the next token, usually on the
/// next line, but the fix is at the end of the statement, as compilers report it.
fn missing_semicolon_position(
    source: &str,
    message: &str,
    offset: usize,
) -> Option<(usize, usize)> {
    if !message.starts_with("expected ';'") {
        return None;
    }
    let before = source.get(..offset)?;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    // Only when the unexpected token starts its line; otherwise its own position is clearer.
    if !before[line_start..].trim().is_empty() {
        return None;
    }
    let end = before.trim_end().len();
    (end > 0).then(|| line_col(source, end))
}

/// Whether a proto file states its syntax or edition (outside comments, at the top level).
fn declares_syntax(code: &str) -> bool {
    code.lines().any(|line| {
        let line = line.trim_start();
        ["syntax", "edition"].iter().any(|keyword| {
            line.strip_prefix(keyword)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
    })
}

/// Drops the " at line L column C" that serde_yaml and serde_json append to messages.
fn strip_position_suffix(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(i) => &message[..i],
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(lang: &str, code: &str) -> CodeSample {
        CodeSample {
            file: "content/a.md".into(),
            fence_line: 10,
            lang: lang.into(),
            flags: Vec::new(),
            code: code.into(),
        }
    }

    fn one(lang: &str, code: &str) -> Diagnostic {
        let mut diagnostics = check_data_block(&sample(lang, code), 256);
        assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
        diagnostics.remove(0)
    }

    #[test]
    fn valid_blocks_pass() {
        let cases = [
            ("yaml", "a: 1\nb: [x, y]\n"),
            ("yml", "apiVersion: v1\nkind: Service\n---\napiVersion: v1\nkind: Pod\n"),
            ("json", "{\"a\": [1, 2, {\"b\": null}]}\n"),
            ("toml", "[server]\nport = 8080\nhosts = [\"a\", \"b\"]\n"),
            (
                "protobuf",
                "syntax = \"proto3\";\npackage shop.v1;\n\nimport \"google/protobuf/timestamp.proto\";\n\nmessage Order {\n  string id = 1;\n  google.protobuf.Timestamp created = 2;\n}\n\nservice Orders {\n  rpc Get(GetRequest) returns (Order);\n}\n",
            ),
            ("proto", "message Item {\n  string name = 1;\n  repeated int32 ids = 2;\n}\n"),
            ("go", "this is not checked here"),
        ];
        for (lang, code) in cases {
            assert_eq!(
                check_data_block(&sample(lang, code), 256),
                vec![],
                "{lang}: {code}"
            );
        }
    }

    #[test]
    fn toml_block_100k_deep_is_an_error_at_its_place() {
        let d = one("toml", &format!("x = 1\na = {}\n", "[".repeat(100_000)));
        assert!(
            d.message.contains("nests brackets more than 256 deep"),
            "{}",
            d.message
        );
        assert_eq!((d.line, d.column), (Some(12), Some(261)));
    }

    #[test]
    fn json_block_of_100k_brackets_is_an_error() {
        let d = one("json", &"[".repeat(100_000));
        assert!(
            d.message.contains("this json block nests brackets"),
            "{}",
            d.message
        );
        assert_eq!((d.line, d.column), (Some(11), Some(257)));
    }

    #[test]
    fn ignore_flag_skips_the_block() {
        let mut s = sample("json", "{ not json");
        s.flags.push("ignore".into());
        assert!(check_data_block(&s, 256).is_empty());
    }

    #[test]
    fn yaml_error_points_at_the_markdown_line() {
        let d = one("yaml", "a: 1\nb: [1, 2\nc: 3\n");
        assert!(d.message.starts_with("invalid YAML: "), "{}", d.message);
        assert_eq!(d.file, std::path::Path::new("content/a.md"));
        // The unclosed flow sequence is noticed at line 3 of the block.
        assert_eq!((d.line, d.column), (Some(13), Some(2)));
    }

    #[test]
    fn yaml_error_in_second_document_of_a_stream() {
        let d = one("yaml", "a: 1\n---\nb: 2\n  c: 3\n");
        assert_eq!(d.line, Some(14), "{d}");
    }

    #[test]
    fn yaml_template_gets_template_help() {
        let d = one(
            "yaml",
            "{{- if .Values.enabled }}\napiVersion: v1\n{{- end }}\n",
        );
        assert!(d.help.as_deref().unwrap_or("").contains("template"), "{d}");
    }

    #[test]
    fn json_error_has_line_and_character_column() {
        let d = one("json", "{\n  \"é\": 1,\n  \"b\": 2,\n}\n");
        assert_eq!(d.message, "invalid JSON: trailing comma");
        assert_eq!((d.line, d.column), (Some(14), Some(1)));
        let d = one("json", "{\"é\": x}");
        // "x" is the 7th character (but the 8th byte).
        assert_eq!((d.line, d.column), (Some(11), Some(7)), "{d}");
    }

    #[test]
    fn json_with_comments_says_json_has_no_comments() {
        let d = one("json", "{\n  \"a\": 1,\n}\n");
        assert_eq!(
            d.help.as_deref(),
            Some("fix the JSON so it parses, or mark the block ```json,ignore if it is deliberately incomplete")
        );
        let d = one("json", "{\n  // the port\n  \"port\": 1\n}\n");
        assert_eq!(d.line, Some(12));
        assert!(
            d.help.as_deref().unwrap_or("").contains("no comments"),
            "{d}"
        );
    }

    #[test]
    fn toml_error_has_position() {
        let d = one("toml", "[a]\nx = 1\ny = \n");
        assert!(d.message.starts_with("invalid TOML: "), "{}", d.message);
        assert_eq!((d.line, d.column), (Some(13), Some(5)), "{d}");
    }

    #[test]
    fn proto_missing_semicolon() {
        let d = one(
            "protobuf",
            "syntax = \"proto3\";\n\nmessage A {\n  string a = 1\n  int32 b = 2;\n}\n",
        );
        assert!(
            d.message
                .starts_with("invalid Protocol Buffers: expected ';'"),
            "{d}"
        );
        // Noticed at `int32` on line 5, reported after the `1` that needs the `;`.
        assert_eq!((d.line, d.column), (Some(14), Some(15)), "{d}");
        assert_eq!(d.help.as_deref(), Some("end the statement with `;`"));
    }

    #[test]
    fn proto_unbalanced_brace_reports_end_of_block() {
        let code = "message A {\n  string a = 1;\n";
        let d = one("proto", code);
        assert!(d.message.contains("end of file"), "{d}");
        assert_eq!(d.line, Some(12), "{d}");
    }

    #[test]
    fn proto_headerless_positions_are_not_shifted() {
        let d = one("proto", "message A {\n  string a = ;\n}\n");
        assert_eq!((d.line, d.column), (Some(12), Some(14)), "{d}");
    }

    #[test]
    fn proto2_file_requires_labels() {
        let d = one(
            "proto",
            "syntax = \"proto2\";\nmessage A {\n  string a = 1;\n}\n",
        );
        assert_eq!(d.line, Some(13), "{d}");
        assert!(d.help.is_some());
    }
}
