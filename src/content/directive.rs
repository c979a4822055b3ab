//! The directives of mdBook's `links` preprocessor as written in a page: where they are
//! and what each asks for. Finding them is pure text work, kept apart from reading files
//! ([`super::includes`]).

/// The part of an included file a directive asks for.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Range {
    /// 0-based start, exclusive end (`None`: to the end).
    Lines(usize, Option<usize>),
    Anchor(String),
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Kind {
    Escaped,
    Include { path: String, range: Range },
    RustdocInclude { path: String, range: Range },
    Playground { path: String, attrs: Vec<String> },
    Title(String),
}

/// One directive found in a text: its byte range and what it asks for.
#[derive(Debug)]
pub(super) struct Directive<'t> {
    pub start: usize,
    pub end: usize,
    pub text: &'t str,
    pub kind: Kind,
}

/// `file.rs`, `file.rs:anchor`, `file.rs:10`, `file.rs:5:20`, `file.rs::20`, `file.rs:5:`.
fn parse_target(target: &str) -> (String, Range) {
    let (path, spec) = target.split_once(':').unwrap_or((target, ""));
    let mut parts = spec.splitn(2, ':');
    let first = parts.next().unwrap_or("");
    let second = parts.next();
    let range = match (first.parse::<usize>(), second) {
        (Ok(start), None) => Range::Lines(start.saturating_sub(1), Some(start)),
        (Ok(start), Some(end)) => Range::Lines(start.saturating_sub(1), end.parse().ok()),
        (Err(_), _) if first.is_empty() => Range::Lines(0, second.and_then(|end| end.parse().ok())),
        (Err(_), _) => Range::Anchor(first.to_string()),
    };
    (path.to_string(), range)
}

/// The directives of `text`, in order: `{{ #name args }}` (mdBook's pattern: the arguments
/// run to the first `}`), and `\{{#...}}` escapes, which run to the last `}}` of the line.
pub(super) fn find(text: &str) -> Vec<Directive<'_>> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(at) = text[i..].find("{{").map(|k| k + i) {
        if at > 0 && bytes[at - 1] == b'\\' && text[at + 2..].starts_with('#') {
            let line_end = text[at..].find('\n').map_or(text.len(), |k| k + at);
            if let Some(close) = text[at..line_end].rfind("}}") {
                let end = at + close + 2;
                found.push(Directive {
                    start: at - 1,
                    end,
                    text: &text[at - 1..end],
                    kind: Kind::Escaped,
                });
                i = end;
                continue;
            }
        }
        match parse_directive(&text[at..]) {
            Some((len, kind)) => {
                found.push(Directive {
                    start: at,
                    end: at + len,
                    text: &text[at..at + len],
                    kind,
                });
                i = at + len;
            }
            None => i = at + 2,
        }
    }
    found
}

/// A directive at the start of `s` (which starts with `{{`): its length and kind.
fn parse_directive(s: &str) -> Option<(usize, Kind)> {
    let rest = &s[2..];
    let after_space = rest.trim_start();
    let name_part = after_space.strip_prefix('#')?;
    let name_len = name_part
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(name_part.len());
    let name = &name_part[..name_len];
    let args_part = &name_part[name_len..];
    if name.is_empty() || !args_part.starts_with(char::is_whitespace) {
        return None;
    }
    let close = args_part.find('}')?;
    if !args_part[close..].starts_with("}}") {
        return None;
    }
    let args = &args_part[..close];
    if args.trim().is_empty() {
        return None;
    }
    let len = s.len() - args_part.len() + close + 2;
    let mut words = args.split_whitespace();
    let first = words.next()?;
    let kind = match name {
        "title" => Kind::Title(args.trim().to_string()),
        "include" => {
            let (path, range) = parse_target(first);
            Kind::Include { path, range }
        }
        "rustdoc_include" => {
            let (path, range) = parse_target(first);
            Kind::RustdocInclude { path, range }
        }
        "playground" | "playpen" => Kind::Playground {
            path: first.to_string(),
            attrs: words.map(str::to_string).collect(),
        },
        _ => return None,
    };
    Some((len, kind))
}
