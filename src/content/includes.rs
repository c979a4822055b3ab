//! mdBook's `links` preprocessor, as one pass over a page's Markdown when it is loaded (so
//! `kb build`, `kb serve` and `kb check` all see the expanded text):
//!
//! - `{{#include file}}`, `{{#include file:anchor}}`, `file:10`, `file:5:20`, `file::20`,
//!   `file:5:` (1-based, inclusive), with `ANCHOR: name` / `ANCHOR_END: name` marker lines
//!   (marker lines inside the taken part are dropped, as mdBook drops them);
//! - `{{#rustdoc_include file...}}`: the whole file, the lines outside the range or anchor
//!   kept as hidden `# ` lines;
//! - `{{#playground file attrs...}}`: the file in a ```` ```rust,attrs ```` block;
//! - `{{#title Some Title}}`: the page's title (removed from the text);
//! - `\{{#...}}`: printed literally without the backslash.
//!
//! Included text is expanded in turn, relative to the included file, up to
//! [`MAX_DEPTH`] deep; a file that includes itself (directly or not) is an error. Every
//! include path is resolved relative to the including file and read through
//! [`crate::confine::existing`] below the book's repository root, so neither `..` nor a
//! symlink can read outside it. Each included line is prefixed with what precedes the
//! directive on its line (a blockquote's `> `, a list item's indent), as mdBook does.
//!
//! **Line numbers.** Expansion changes the page's lines, but diagnostics must name the line
//! of the file the author wrote. The pass returns a [`LineMap`] alongside the text: every
//! line of the expanded body maps back to its line in the original body, and a line that
//! came from an included file maps to the line (and column) of the top-level directive
//! that brought it in. The Markdown pass locates everything through it.

use std::path::{Path, PathBuf};

use super::directive::{find, Directive, Kind, Range};
use crate::confine::{self, Why};
use crate::diagnostic::{Diagnostic, Location};

/// How deep includes may nest (mdBook's limit).
const MAX_DEPTH: usize = 10;

/// What expansion did to a page, beyond its new text.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Included {
    /// Files the page's text was made from besides its own, relative to the content
    /// folder (`listing.rs`, `../listings/ch01/main.rs`), in the order first met.
    pub files: Vec<String>,
    /// Expanded body lines back to the page's own lines.
    pub lines: LineMap,
}

/// Maps lines of an expanded body (1-based) to lines of the body as written.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct LineMap {
    /// Sorted by `from`: from expanded line `from` on, lines map to `source` (plus the
    /// distance from `from` when `own`, else all to `source` at `column`).
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Segment {
    from: usize,
    source: usize,
    own: bool,
    column: usize,
}

impl LineMap {
    /// The line and column of the written body for `line`, `column` of the expanded one.
    pub(crate) fn locate(&self, line: usize, column: usize) -> (usize, usize) {
        let at = self.segments.partition_point(|s| s.from <= line);
        match at.checked_sub(1).map(|i| self.segments[i]) {
            None => (line, column),
            Some(s) if s.own => (s.source + (line - s.from), column),
            // Text before the directive on its own line keeps its column.
            Some(s) if line == s.from && column < s.column => (s.source, column),
            Some(s) => (s.source, s.column),
        }
    }
}

/// The book's repository: where includes may read from.
#[derive(Debug, Clone)]
pub(crate) struct Includes {
    /// Canonical repository root: the nearest ancestor of the site root with `.git`, else
    /// the site root.
    root: PathBuf,
    /// The content folder relative to `root` (`src`; empty when it is the root).
    content: String,
}

/// A page after expansion.
#[derive(Debug)]
pub(crate) struct Expanded {
    pub body: String,
    pub included: Included,
    /// Set by `{{#title}}`.
    pub title: Option<String>,
}

impl Includes {
    /// Includes for a site rooted at `site_root` whose pages are in `content_dir`.
    pub(crate) fn new(site_root: &Path, content_dir: &Path) -> Includes {
        let site = site_root
            .canonicalize()
            .unwrap_or_else(|_| site_root.to_path_buf());
        let root = site
            .ancestors()
            .find(|dir| dir.join(".git").exists())
            .unwrap_or(&site)
            .to_path_buf();
        let content = content_dir
            .canonicalize()
            .ok()
            .and_then(|dir| relative_to_root(&root, &dir))
            .unwrap_or_default();
        Includes { root, content }
    }

    /// `rel` (relative to the repository root) relative to the content folder.
    fn content_relative(&self, rel: &str) -> String {
        if self.content.is_empty() {
            return rel.to_string();
        }
        match rel.strip_prefix(&self.content) {
            Some(inner) if inner.starts_with('/') => inner[1..].to_string(),
            _ => format!("{}{rel}", "../".repeat(self.content.split('/').count())),
        }
    }

    /// Expands the directives of `body`, the text of the page at `source` from line
    /// `body_line` on; diagnostics name `file` (the page as the user sees it).
    pub(crate) fn expand(
        &self,
        source: &Path,
        file: &Path,
        body: &str,
        body_line: usize,
    ) -> Result<Expanded, Diagnostic> {
        // The common case costs one search.
        if !body.contains("{{") {
            return Ok(Expanded {
                body: body.to_string(),
                included: Included::default(),
                title: None,
            });
        }
        let at = |line: usize, column: usize| Location::new(file, line + body_line - 1, column);
        let canonical = source.canonicalize().map_err(|e| {
            Diagnostic::file_error(file, format!("cannot resolve the page's path: {e}"))
        })?;
        let dir = match canonical.strip_prefix(&self.root) {
            Ok(rel) => parent_of(&rel.to_string_lossy().replace('\\', "/")),
            Err(_) => String::new(),
        };
        let mut state = State {
            includes: self,
            stack: vec![canonical],
            files: Vec::new(),
            title: None,
        };
        let mut splices = Vec::new();
        let body = state
            .expand(body, &dir, 0, Some(&mut splices))
            .map_err(|e| {
                let (line, column) = e.at;
                Diagnostic::error(at(line, column), e.message).with_help(e.help)
            })?;
        Ok(Expanded {
            body,
            included: Included {
                files: state.files,
                lines: line_map(&splices),
            },
            title: state.title,
        })
    }
}

/// Where one top-level directive was replaced.
struct Splice {
    /// 1-based line and column of the directive in the written body.
    line: usize,
    column: usize,
    /// Newlines in the directive and in what replaced it.
    directive_newlines: usize,
    inserted_newlines: usize,
}

fn line_map(splices: &[Splice]) -> LineMap {
    let mut segments = Vec::new();
    let mut shift: isize = 0;
    for s in splices {
        if s.directive_newlines == 0 && s.inserted_newlines == 0 {
            continue;
        }
        let from = (s.line as isize + shift) as usize;
        segments.push(Segment {
            from,
            source: s.line,
            own: false,
            column: s.column,
        });
        segments.push(Segment {
            from: from + s.inserted_newlines + 1,
            source: s.line + s.directive_newlines + 1,
            own: true,
            column: 1,
        });
        shift += s.inserted_newlines as isize - s.directive_newlines as isize;
    }
    LineMap { segments }
}

/// A failed expansion: where in the page's written body, what, and what to do.
struct Failure {
    at: (usize, usize),
    message: String,
    help: String,
}

struct State<'a> {
    includes: &'a Includes,
    /// Canonical paths of the files being expanded, the page first.
    stack: Vec<PathBuf>,
    files: Vec<String>,
    title: Option<String>,
}

impl State<'_> {
    /// Expands `text`, which lives in folder `dir` (relative to the repository root).
    /// Top-level calls pass `splices` and get failures located in `text`; nested calls'
    /// failures are relocated by their caller.
    fn expand(
        &mut self,
        text: &str,
        dir: &str,
        depth: usize,
        mut splices: Option<&mut Vec<Splice>>,
    ) -> Result<String, Failure> {
        let mut out = String::with_capacity(text.len());
        let mut done = 0;
        for directive in find(text) {
            out.push_str(&text[done..directive.start]);
            done = directive.end;
            let (line, column) = crate::position::line_col(text, directive.start);
            // A failure names this directive; a nested one has put its own place in the
            // message already.
            let replacement = self.replace(&directive, dir, depth).map_err(|f| Failure {
                at: (line, column),
                ..f
            })?;
            // Every included line after the first starts with what precedes the directive.
            let prefix = out.rsplit('\n').next().unwrap_or("").to_string();
            let replacement = match directive.kind {
                Kind::Escaped | Kind::Title(_) => replacement,
                _ => replacement
                    .lines()
                    .collect::<Vec<_>>()
                    .join(&format!("\n{prefix}")),
            };
            if let Some(splices) = splices.as_deref_mut() {
                splices.push(Splice {
                    line,
                    column,
                    directive_newlines: text[directive.start..directive.end].matches('\n').count(),
                    inserted_newlines: replacement.matches('\n').count(),
                });
            }
            out.push_str(&replacement);
        }
        out.push_str(&text[done..]);
        Ok(out)
    }

    fn replace(
        &mut self,
        directive: &Directive,
        dir: &str,
        depth: usize,
    ) -> Result<String, Failure> {
        let fail = |message: String, help: &str| Failure {
            at: (0, 0),
            message,
            help: help.to_string(),
        };
        let (path, taken) = match &directive.kind {
            Kind::Escaped => return Ok(directive.text[1..].to_string()),
            Kind::Title(title) => {
                self.title = Some(title.trim().to_string());
                return Ok(String::new());
            }
            Kind::Include { path, range } => (path, read_range(range, false)),
            Kind::RustdocInclude { path, range } => (path, read_range(range, true)),
            Kind::Playground { path, .. } => (path, Take::Whole),
        };
        let rel = resolve(dir, path).map_err(|e| {
            let help = match e.why {
                Why::Unresolvable(_) => "check the path: it is relative to the file that includes it",
                _ => "an include may read only inside the book's repository; use a path relative to the including file that stays inside it",
            };
            fail(format!("cannot include {e}"), help)
        })?;
        let canonical = confine::existing(&self.includes.root, &rel).map_err(|e| {
            let help = match e.why {
                Why::Unresolvable(_) => "check the path: it is relative to the file that includes it",
                _ => "an include may read only inside the book's repository (the folder with `.git`, else the site root)",
            };
            fail(format!("cannot include `{path}`: `{rel}` {}", e.why), help)
        })?;
        if self.stack.contains(&canonical) {
            return Err(fail(
                format!("`{path}` is already being included here: the includes form a cycle"),
                "remove the include that leads back to a file including it",
            ));
        }
        if depth + 1 >= MAX_DEPTH {
            return Err(fail(
                format!("includes nest more than {MAX_DEPTH} deep at `{path}`"),
                "include fewer levels deep",
            ));
        }
        let text = crate::text_file::read(&canonical).map_err(|e| {
            let at = e
                .position()
                .map(|(line, column)| format!(" (line {line}, column {column} of `{path}`)"))
                .unwrap_or_default();
            fail(
                format!("cannot include `{path}`: {e}{at}"),
                "included files must be readable UTF-8 text",
            )
        })?;
        let taken = match taken {
            Take::Whole => text,
            Take::Lines(range, hide) => take_lines(&text, range, hide),
            Take::Anchor(anchor, hide) => take_anchor(&text, &anchor, hide).ok_or_else(|| {
                fail(
                    format!("`{path}` has no `ANCHOR: {anchor}` line"),
                    "mark the part with `ANCHOR: name` and `ANCHOR_END: name` lines (in comments)",
                )
            })?,
        };
        let shown_rel = relative_to_root(&self.includes.root, &canonical).unwrap_or(rel);
        let content_rel = self.includes.content_relative(&shown_rel);
        if !self.files.contains(&content_rel) {
            self.files.push(content_rel.clone());
        }
        self.stack.push(canonical);
        let inner = self.expand(&taken, &parent_of(&shown_rel), depth + 1, None);
        self.stack.pop();
        let inner = inner.map_err(|f| Failure {
            message: format!("in `{content_rel}` line {}: {}", f.at.0, f.message),
            ..f
        })?;
        Ok(match &directive.kind {
            Kind::Playground { attrs, .. } => {
                let info = if attrs.is_empty() {
                    "rust".to_string()
                } else {
                    format!("rust,{}", attrs.join(","))
                };
                let newline = if inner.ends_with('\n') { "" } else { "\n" };
                format!("```{info}\n{inner}{newline}```\n")
            }
            _ => inner,
        })
    }
}

/// The path of `path` (written in a file of folder `dir`) relative to the repository root,
/// refused when it is absolute, has a drive letter or leaves the root.
fn resolve(dir: &str, path: &str) -> Result<String, confine::Escape> {
    // `..` is fine on its own (it climbs from the including file's folder); everything
    // else `relative` refuses is refused whatever the folder.
    match confine::relative(path) {
        Err(e) if !matches!(e.why, Why::ParentEscape) => return Err(e),
        _ => {}
    }
    let joined = if dir.is_empty() {
        path.to_string()
    } else {
        format!("{dir}/{path}")
    };
    confine::relative(&joined).map_err(|e| confine::Escape {
        path: path.to_string(),
        why: e.why,
    })
}

fn relative_to_root(root: &Path, canonical: &Path) -> Option<String> {
    let rel = canonical.strip_prefix(root).ok()?;
    Some(rel.to_string_lossy().replace('\\', "/"))
}

fn parent_of(rel: &str) -> String {
    rel.rsplit_once('/').map_or("", |(dir, _)| dir).to_string()
}

/// Which lines of an included file to take.
enum Take {
    Whole,
    /// 0-based start, exclusive end; hide the others as `# ` lines instead of dropping them.
    Lines((usize, Option<usize>), bool),
    Anchor(String, bool),
}

fn read_range(range: &Range, hide: bool) -> Take {
    match range {
        Range::Lines(start, end) => Take::Lines((*start, *end), hide),
        Range::Anchor(anchor) => Take::Anchor(anchor.clone(), hide),
    }
}

/// Lines `start..end` (0-based) of `text`; with `hide`, every line, the others behind `# `.
fn take_lines(text: &str, (start, end): (usize, Option<usize>), hide: bool) -> String {
    let inside = |i: usize| i >= start && end.is_none_or(|end| i < end);
    let lines = text.lines().enumerate();
    if hide {
        lines
            .map(|(i, l)| {
                if inside(i) {
                    l.to_string()
                } else {
                    format!("# {l}")
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    } else {
        lines
            .filter(|(i, _)| inside(*i))
            .map(|(_, l)| l)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// The lines between `ANCHOR: anchor` and `ANCHOR_END: anchor`, other markers left out;
/// with `hide`, the lines outside behind `# ` too. `None` when the anchor is not there.
fn take_anchor(text: &str, anchor: &str, hide: bool) -> Option<String> {
    let mut out = Vec::new();
    let mut inside = false;
    let mut found = false;
    for line in text.lines() {
        if let Some(name) = marker(line, "ANCHOR_END:") {
            if inside && name == anchor {
                inside = false;
                if !hide {
                    break;
                }
            }
        } else if let Some(name) = marker(line, "ANCHOR:") {
            if !inside && name == anchor {
                inside = true;
                found = true;
            }
        } else if inside {
            out.push(line.to_string());
        } else if hide {
            out.push(format!("# {line}"));
        }
    }
    found.then(|| out.join("\n"))
}

/// The name after `tag` (and optional spaces) on `line`: `[\w_-]+`, as mdBook reads it.
fn marker<'l>(line: &'l str, tag: &str) -> Option<&'l str> {
    let at = line.find(tag)?;
    let rest = line[at + tag.len()..].trim_start();
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

#[cfg(test)]
#[path = "includes_tests.rs"]
mod tests;
