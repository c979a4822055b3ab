//! Math, for books that turn it on (`[output.html] mathjax-support = true` or `[kb] math =
//! true`): MathJax's delimiters as mdBook books write them, rendered at build time to
//! MathML, which browsers show without a script.
//!
//! MathJax reads the rendered page, so books write `\\( x \\)` and `\\[ x \\]` in Markdown
//! (CommonMark turns `\\` into one `\`); `$$ x $$` needs no escape. pulldown-cmark's own
//! math events know `$` and `$$` only, and a single `$` is ordinary prose in most books, so
//! this pass finds the delimiters itself in the text of the event list: runs of text
//! events (never code, never raw HTML) are joined and scanned, and each formula becomes
//! MathML (math-core); line breaks inside a run belong to it. A formula that cannot be converted is a warning at its text's
//! position and is shown as written, as code. A formula must sit in one run of text:
//! emphasis inside it (`\\( a *b* \\)`) splits the run and it is left as written.

use std::ops::Range;

use math_core::{LatexToMathML, MathCoreConfig, MathDisplay};
use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use crate::diagnostic::{Diagnostic, Location};

/// Delimiters, opening and closing, and how the formula is shown.
const DELIMITERS: &[(&str, &str, MathDisplay)] = &[
    ("$$", "$$", MathDisplay::Block),
    ("\\[", "\\]", MathDisplay::Block),
    ("\\(", "\\)", MathDisplay::Inline),
];

/// The events with every formula in text turned into MathML (raw HTML events), and a
/// warning for each formula that could not be.
pub(crate) fn render_math<'a>(
    events: Vec<(Event<'a>, Range<usize>)>,
    locate: &dyn Fn(usize) -> Location,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<(Event<'a>, Range<usize>)> {
    let converter = LatexToMathML::new(MathCoreConfig::default()).ok();
    let Some(converter) = converter else {
        return events;
    };
    let mut out = Vec::with_capacity(events.len());
    let mut run: Option<(String, Range<usize>)> = None;
    let mut in_code = false;
    let flush = |run: &mut Option<(String, Range<usize>)>,
                 out: &mut Vec<(Event<'a>, Range<usize>)>,
                 diagnostics: &mut Vec<Diagnostic>| {
        if let Some((text, range)) = run.take() {
            out.extend(
                convert_text(&converter, &text, range.start, locate, diagnostics)
                    .into_iter()
                    .map(|event| (event, range.clone())),
            );
        }
    };
    for (event, range) in events {
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            // A formula may span lines (`$$` on lines of their own): a line break inside
            // a run of text is part of it.
            Event::SoftBreak if run.is_some() => {
                if let Some((joined, joined_range)) = run.as_mut() {
                    joined.push('\n');
                    joined_range.end = range.end;
                }
                continue;
            }
            Event::Text(ref text) if !in_code => {
                match run.as_mut() {
                    Some((joined, joined_range)) => {
                        joined.push_str(text);
                        joined_range.end = range.end;
                    }
                    None => run = Some((text.to_string(), range)),
                }
                continue;
            }
            _ => {}
        }
        flush(&mut run, &mut out, diagnostics);
        out.push((event, range));
    }
    flush(&mut run, &mut out, diagnostics);
    out
}

/// `text` (starting at source offset `at`) as text and MathML events.
fn convert_text(
    converter: &LatexToMathML,
    text: &str,
    at: usize,
    locate: &dyn Fn(usize) -> Location,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Event<'static>> {
    let mut events = Vec::new();
    let mut rest = text;
    while let Some((start, open, close, display)) = next_opening(rest) {
        let inner_start = start + open.len();
        let Some(length) = rest[inner_start..].find(close) else {
            break;
        };
        let latex = &rest[inner_start..inner_start + length];
        if start > 0 {
            events.push(Event::Text(CowStr::from(rest[..start].to_string())));
        }
        let written = &rest[start..inner_start + length + close.len()];
        match converter.convert_with_local_state(latex, display) {
            Ok(result) => events.push(Event::InlineHtml(CowStr::from(result.mathml))),
            Err(e) => {
                diagnostics.push(
                    Diagnostic::warning(
                        locate(at),
                        format!("this math cannot be shown as MathML: {e}: `{written}`"),
                    )
                    .with_help("fix the LaTeX; until then the formula is shown as written"),
                );
                events.push(Event::Code(CowStr::from(written.to_string())));
            }
        }
        rest = &rest[inner_start + length + close.len()..];
    }
    if !rest.is_empty() {
        events.push(Event::Text(CowStr::from(rest.to_string())));
    }
    events
}

/// The first opening delimiter in `text`: its offset, the delimiters and the display.
fn next_opening(text: &str) -> Option<(usize, &'static str, &'static str, MathDisplay)> {
    DELIMITERS
        .iter()
        .filter_map(|&(open, close, display)| text.find(open).map(|at| (at, open, close, display)))
        .min_by_key(|(at, ..)| *at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::Parser;

    /// `markdown` rendered with the math pass, and the warnings.
    fn html(markdown: &str) -> (String, Vec<String>) {
        let events: Vec<_> = Parser::new_ext(markdown, crate::markdown::render::options())
            .into_offset_iter()
            .collect();
        let mut diagnostics = Vec::new();
        let locate = |offset: usize| Location::new("p.md", 1, offset + 1);
        let events = render_math(events, &locate, &mut diagnostics);
        let mut out = String::new();
        pulldown_cmark::html::push_html(&mut out, events.into_iter().map(|(e, _)| e));
        (out, diagnostics.iter().map(|d| d.to_string()).collect())
    }

    #[test]
    fn mathjax_delimiters_and_double_dollars_become_mathml() {
        let (out, warnings) =
            html("Inline \\\\( x^2 \\\\) and \\\\[ \\frac{a}{b} \\\\] and $$\\sqrt{2}$$.\n");
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(out.matches("<math").count(), 3, "{out}");
        assert!(out.contains("<msup>"), "{out}");
        assert!(out.contains("<mfrac>"), "{out}");
        assert!(out.contains("<msqrt>"), "{out}");
        assert!(out.contains(r#"display="block""#), "{out}");
        assert!(out.starts_with("<p>Inline <math"), "{out}");
    }

    #[test]
    fn single_dollars_and_code_never_change() {
        let (out, _) = html("It costs $5 and $6.\n\n`\\\\( x \\\\)`\n\n```\n$$ y $$\n```\n");
        assert!(!out.contains("<math"), "{out}");
        assert!(out.contains("It costs $5 and $6."), "{out}");
        assert!(out.contains("$$ y $$"), "{out}");
    }

    #[test]
    fn math_that_cannot_be_converted_is_a_warning_and_shown_as_code() {
        let (out, warnings) = html("Broken \\\\( \\frac{a} \\\\) here.\n");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].starts_with("p.md:1:1: warning: this math cannot be shown as MathML"),
            "{warnings:?}"
        );
        assert!(out.contains("<code>\\( \\frac{a} \\)</code>"), "{out}");
    }

    #[test]
    fn double_dollars_on_lines_of_their_own() {
        let (out, warnings) = html("$$\ne^{i\\pi} + 1 = 0\n$$\n");
        assert!(warnings.is_empty(), "{warnings:?}");
        assert!(out.contains(r#"<math display="block">"#), "{out}");
        assert!(!out.contains("$$"), "{out}");
    }

    #[test]
    fn an_unclosed_delimiter_is_text() {
        let (out, warnings) = html("Open \\\\( x and nothing more.\n");
        assert!(warnings.is_empty());
        assert!(out.contains("Open \\( x and nothing more."), "{out}");
    }
}
