//! Syntax highlighting with syntect at build time.
//!
//! Code is marked up with CSS classes, not inline colours, so one page serves both the light
//! and the dark theme. Each token is highlighted with two real themes (Coldark Cold and
//! Coldark Dark, designed for WCAG contrast) and gets one class per theme naming its colour
//! in that theme's palette (`l3 d7`); neighbouring tokens with the same classes share one
//! span. The classes depend only on the two themes, never on the pages, so the stylesheet
//! is static and a page can be re-rendered alone (as `kb serve` does). Grammars come from
//! `two-face` (bat's collection), which covers languages syntect's defaults lack (TOML,
//! Dockerfile, HCL, GraphQL, protobuf, ...).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::OnceLock;

use syntect::highlighting::{
    Color, FontStyle, HighlightState, Highlighter as ThemeHighlighter, RangedHighlightIterator,
    Style, Theme,
};
use syntect::parsing::{ParseState, ScopeStack, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

/// Languages written without highlighting and without a warning.
const PLAIN: &[&str] = &[
    "",
    "text",
    "txt",
    "plain",
    "plaintext",
    "output",
    "console-output",
];

/// Names authors use that syntect knows under another token.
const ALIASES: &[(&str, &str)] = &[
    ("shell", "bash"),
    ("sh", "bash"),
    ("console", "bash"),
    ("zsh", "bash"),
    ("protobuf", "proto"),
    ("golang", "go"),
    ("dockerfile", "Dockerfile"),
    ("docker", "Dockerfile"),
    ("terraform", "tf"),
    ("hcl", "hcl"),
    ("makefile", "Makefile"),
    ("make", "Makefile"),
    ("yml", "yaml"),
    ("javascript", "js"),
    ("typescript", "ts"),
    ("python", "py"),
    ("rust", "rs"),
    ("gql", "graphql"),
    ("patch", "diff"),
];

/// The options of one code block that affect its markup.
#[derive(Debug, Clone)]
pub(crate) struct BlockOptions<'a> {
    pub lang: &'a str,
    pub hl_lines: &'a BTreeSet<usize>,
    /// 1-based lines the reader sees only on request (see `hidden_lines`).
    pub hidden: &'a BTreeSet<usize>,
}

/// One colour scheme: a theme and the palette its classes index.
struct Scheme {
    theme: &'static Theme,
    /// Built once: it pre-processes the theme's selectors, which is costly per block.
    highlighter: ThemeHighlighter<'static>,
    /// Foreground colours of the theme's rules, sorted; class `<prefix><index>`.
    palette: Vec<Color>,
    prefix: char,
}

impl Scheme {
    fn new(theme: &'static Theme, prefix: char) -> Scheme {
        let mut palette: Vec<Color> = theme
            .scopes
            .iter()
            .filter_map(|item| item.style.foreground)
            .collect();
        palette.sort_by_key(|c| (c.r, c.g, c.b, c.a));
        palette.dedup();
        Scheme {
            theme,
            highlighter: ThemeHighlighter::new(theme),
            palette,
            prefix,
        }
    }

    fn default_fg(&self) -> Color {
        self.theme.settings.foreground.unwrap_or(Color::BLACK)
    }

    /// The classes of a token in this scheme (empty for the default colour and style).
    fn classes(&self, style: &Style, out: &mut String) {
        if style.foreground != self.default_fg() {
            if let Ok(i) = self.palette.binary_search_by_key(
                &(
                    style.foreground.r,
                    style.foreground.g,
                    style.foreground.b,
                    style.foreground.a,
                ),
                |c| (c.r, c.g, c.b, c.a),
            ) {
                let _ = write!(out, " {}{i}", self.prefix);
            }
        }
        for (flag, name) in [
            (FontStyle::BOLD, 'b'),
            (FontStyle::ITALIC, 'i'),
            (FontStyle::UNDERLINE, 'u'),
        ] {
            if style.font_style.contains(flag) {
                let _ = write!(out, " {}{name}", self.prefix);
            }
        }
    }

    /// CSS rules of this scheme, each selector prefixed with `scope`.
    fn rules(&self, scope: &str) -> String {
        let mut css = format!("{scope}pre.code {{ color: {} }}\n", hex(self.default_fg()));
        for (i, color) in self.palette.iter().enumerate() {
            let _ = writeln!(
                css,
                "{scope}.{}{i} {{ color: {} }}",
                self.prefix,
                hex(*color)
            );
        }
        let p = self.prefix;
        let _ = writeln!(css, "{scope}.{p}b {{ font-weight: bold }}");
        let _ = writeln!(css, "{scope}.{p}i {{ font-style: italic }}");
        let _ = writeln!(css, "{scope}.{p}u {{ text-decoration: underline }}");
        css
    }
}

fn hex(c: Color) -> String {
    if c.a == 0xff {
        format!("#{:02x}{:02x}{:02x}", c.r, c.g, c.b)
    } else {
        format!(
            "rgba({}, {}, {}, {:.3})",
            c.r,
            c.g,
            c.b,
            f32::from(c.a) / 255.0
        )
    }
}

/// Loaded grammars and themes. Loading takes tens of milliseconds, so it happens once per
/// process.
pub(crate) struct Highlighter {
    syntaxes: SyntaxSet,
    light: Scheme,
    dark: Scheme,
}

/// Highlighted markup of one block, and whether its language was known.
pub(crate) struct Highlighted {
    pub html: String,
    pub known_language: bool,
}

impl Highlighter {
    /// The process-wide highlighter.
    pub(crate) fn shared() -> &'static Highlighter {
        static SHARED: OnceLock<Highlighter> = OnceLock::new();
        SHARED.get_or_init(|| {
            use two_face::theme::EmbeddedThemeName;
            let themes = two_face::theme::extra();
            // The highlighter lives as long as the process; so do its two themes.
            let light: &'static Theme =
                Box::leak(Box::new(themes.get(EmbeddedThemeName::ColdarkCold).clone()));
            let dark: &'static Theme =
                Box::leak(Box::new(themes.get(EmbeddedThemeName::ColdarkDark).clone()));
            Highlighter {
                syntaxes: two_face::syntax::extra_newlines(),
                light: Scheme::new(light, 'l'),
                dark: Scheme::new(dark, 'd'),
            }
        })
    }

    fn syntax_for(&self, lang: &str) -> Option<&SyntaxReference> {
        let token = ALIASES
            .iter()
            .find(|(alias, _)| *alias == lang)
            .map_or(lang, |(_, token)| token);
        self.syntaxes
            .find_syntax_by_token(token)
            .or_else(|| self.syntaxes.find_syntax_by_name(token))
    }

    /// Whether `lang` is highlighted (or deliberately plain).
    #[cfg(test)]
    pub fn knows(&self, lang: &str) -> bool {
        PLAIN.contains(&lang) || self.syntax_for(lang).is_some()
    }

    /// Marks up `code` as lines of `<span class="line">`, highlighted when the language is
    /// known. The result goes inside `<code>`.
    pub(crate) fn highlight(&self, code: &str, options: &BlockOptions<'_>) -> Highlighted {
        let syntax = if PLAIN.contains(&options.lang) {
            None
        } else {
            self.syntax_for(options.lang)
        };
        let known_language = syntax.is_some() || PLAIN.contains(&options.lang);
        let html = syntax
            .and_then(|syntax| self.highlight_lines(code, syntax, options))
            .unwrap_or_else(|| plain_lines(code, options));
        Highlighted {
            html,
            known_language,
        }
    }

    /// `None` if the grammar fails on this input; the block is then shown plain.
    fn highlight_lines(
        &self,
        code: &str,
        syntax: &SyntaxReference,
        options: &BlockOptions<'_>,
    ) -> Option<String> {
        let light = &self.light.highlighter;
        let dark = &self.dark.highlighter;
        let mut light_state = HighlightState::new(light, ScopeStack::new());
        let mut dark_state = HighlightState::new(dark, ScopeStack::new());
        let mut parse = ParseState::new(syntax);
        let mut html = String::with_capacity(code.len() * 2);
        for (n, line) in LinesWithEndings::from(code).enumerate() {
            let ops = parse.parse_line(line, &self.syntaxes).ok()?;
            let l: Vec<(Style, std::ops::Range<usize>)> =
                RangedHighlightIterator::new(&mut light_state, &ops, line, light)
                    .map(|(style, _, range)| (style, range))
                    .collect();
            let d: Vec<(Style, std::ops::Range<usize>)> =
                RangedHighlightIterator::new(&mut dark_state, &ops, line, dark)
                    .map(|(style, _, range)| (style, range))
                    .collect();
            open_line(&mut html, n + 1, options);
            self.push_tokens(&mut html, line, &l, &d);
            html.push_str("</span>");
        }
        Some(html)
    }

    /// Writes one line's tokens, splitting at every boundary of either theme and merging
    /// neighbours with equal classes.
    fn push_tokens(
        &self,
        html: &mut String,
        line: &str,
        light: &[(Style, std::ops::Range<usize>)],
        dark: &[(Style, std::ops::Range<usize>)],
    ) {
        let (mut i, mut j, mut pos) = (0, 0, 0);
        let mut current = String::new();
        let mut text = String::new();
        let flush = |html: &mut String, classes: &str, text: &str| {
            if text.is_empty() {
                return;
            }
            let escaped = html_escape::encode_text(text);
            if classes.is_empty() {
                html.push_str(&escaped);
            } else {
                let _ = write!(
                    html,
                    "<span class=\"{}\">{escaped}</span>",
                    classes.trim_start()
                );
            }
        };
        while i < light.len() && j < dark.len() {
            let end = light[i].1.end.min(dark[j].1.end);
            let mut classes = String::new();
            self.light.classes(&light[i].0, &mut classes);
            self.dark.classes(&dark[j].0, &mut classes);
            let piece = &line[pos..end];
            // Whitespace takes its neighbours' classes: fewer spans, same look.
            if classes != current && !piece.trim().is_empty() {
                flush(html, &current, &text);
                text.clear();
                current = classes;
            }
            text.push_str(piece);
            pos = end;
            if light[i].1.end == end {
                i += 1;
            }
            if dark[j].1.end == end {
                j += 1;
            }
        }
        if let Some(newline) = text.strip_suffix('\n') {
            flush(html, &current, newline);
            // The newline stays inside the line: a trailing newline in a block adds no
            // blank line, and copying the <pre> keeps line breaks.
            html.push('\n');
        } else {
            flush(html, &current, &text);
        }
    }

    /// The stylesheet for highlighted code in both colour schemes. Each scheme's rules apply
    /// only when that scheme is active: chosen by the reader's toggle (`data-theme`), or,
    /// without a choice, by the system setting.
    pub(crate) fn css() -> String {
        let h = Highlighter::shared();
        let mut css =
            String::from("/* Generated by kb from the Coldark Cold and Coldark Dark themes. */\n");
        css.push_str(&h.light.rules(":root[data-theme=\"light\"] "));
        css.push_str("@media not (prefers-color-scheme: dark) {\n");
        css.push_str(&h.light.rules(":root:not([data-theme]) "));
        css.push_str("}\n");
        css.push_str(&h.dark.rules(":root[data-theme=\"dark\"] "));
        css.push_str("@media (prefers-color-scheme: dark) {\n");
        css.push_str(&h.dark.rules(":root:not([data-theme]) "));
        css.push_str("}\n");
        css
    }

    /// The colours of each scheme (default first), for contrast checks.
    #[cfg(test)]
    pub fn palettes() -> [(char, Vec<Color>); 2] {
        let h = Highlighter::shared();
        let with_default = |s: &Scheme| {
            let mut colors = vec![s.default_fg()];
            colors.extend(&s.palette);
            (s.prefix, colors)
        };
        [with_default(&h.light), with_default(&h.dark)]
    }
}

fn open_line(html: &mut String, line_no: usize, options: &BlockOptions<'_>) {
    html.push_str("<span class=\"line");
    if options.hl_lines.contains(&line_no) {
        html.push_str(" hl");
    }
    if options.hidden.contains(&line_no) {
        html.push_str(" hidden");
    }
    html.push_str("\">");
}

/// Unhighlighted code, escaped, in the same line structure.
fn plain_lines(code: &str, options: &BlockOptions<'_>) -> String {
    let mut html = String::with_capacity(code.len() + code.len() / 4);
    for (n, line) in LinesWithEndings::from(code).enumerate() {
        open_line(&mut html, n + 1, options);
        html.push_str(&html_escape::encode_text(line));
        html.push_str("</span>");
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_the_knowledge_base_needs_is_known() {
        let h = Highlighter::shared();
        for lang in [
            "go",
            "sql",
            "yaml",
            "json",
            "bash",
            "shell",
            "protobuf",
            "dockerfile",
            "toml",
            "hcl",
            "graphql",
            "makefile",
            "http",
            "diff",
            "javascript",
            "python",
            "rust",
            "java",
            "text",
        ] {
            assert!(h.knows(lang), "no grammar for {lang}");
        }
        assert!(!h.knows("klingon"));
    }

    #[test]
    fn lines_are_self_contained_and_highlighted_in_both_schemes() {
        let h = Highlighter::shared();
        let hl = BTreeSet::from([2]);
        let out = h.highlight(
            "/* a\nb */\nx := 1\n",
            &BlockOptions {
                lang: "go",
                hl_lines: &hl,
                hidden: &BTreeSet::from([3]),
            },
        );
        assert!(out.known_language);
        assert_eq!(
            out.html.matches("<span class=\"line").count(),
            3,
            "{}",
            out.html
        );
        assert!(
            out.html.contains("<span class=\"line hl\">"),
            "{}",
            out.html
        );
        // Every line closes what it opens.
        for line in out.html.split("<span class=\"line").skip(1) {
            assert_eq!(
                line.matches("<span").count() + 1,
                line.matches("</span>").count(),
                "{line}"
            );
        }
        // The comment is coloured in both schemes.
        assert!(
            out.html.contains("class=\"l") && out.html.contains(" d"),
            "{}",
            out.html
        );
        assert!(
            out.html.contains("x</span>") || out.html.contains(">x "),
            "{}",
            out.html
        );
        assert!(
            out.html.ends_with("1</span>\n</span>") || out.html.ends_with("\n</span>"),
            "{}",
            out.html
        );
    }

    #[test]
    fn unknown_language_is_escaped() {
        let out = Highlighter::shared().highlight(
            "<b>&</b>",
            &BlockOptions {
                lang: "klingon",
                hl_lines: &BTreeSet::new(),
                hidden: &BTreeSet::new(),
            },
        );
        assert!(!out.known_language);
        assert_eq!(
            out.html,
            "<span class=\"line\">&lt;b&gt;&amp;&lt;/b&gt;</span>"
        );
    }

    #[test]
    fn css_scopes_each_scheme() {
        let css = Highlighter::css();
        assert!(css.contains(":root[data-theme=\"light\"] .l0 {"));
        assert!(css.contains(":root[data-theme=\"dark\"] .d0 {"));
        assert!(css.contains("@media (prefers-color-scheme: dark)"));
        assert!(!css.contains("background"));
    }

    /// WCAG relative luminance of an sRGB colour.
    fn luminance(r: u8, g: u8, b: u8) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    }

    fn contrast(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
        let (la, lb) = (luminance(a.0, a.1, a.2), luminance(b.0, b.1, b.2));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    /// Every token colour is readable (WCAG AA, 4.5:1) on the code background the default
    /// theme's stylesheet uses in that scheme (`--code-bg`).
    #[test]
    fn token_colours_meet_aa_contrast_on_the_code_background() {
        let css = include_str!("../../themes/default/static/style.css");
        let code_bg = |marker: &str| {
            let block = &css[css.find(marker).expect("scheme block")..];
            let value = block
                .split("--code-bg:")
                .nth(1)
                .expect("--code-bg")
                .trim_start();
            let hex = &value[1..7];
            let n = u32::from_str_radix(hex, 16).expect("hex colour");
            ((n >> 16) as u8, (n >> 8) as u8, n as u8)
        };
        let light_bg = code_bg(":root {");
        let dark_bg = code_bg(":root[data-theme=\"dark\"] {");
        for (scheme, colors) in Highlighter::palettes() {
            let bg = if scheme == 'l' { light_bg } else { dark_bg };
            for c in colors {
                let ratio = contrast((c.r, c.g, c.b), bg);
                assert!(
                    ratio >= 4.5,
                    "{scheme}: #{:02x}{:02x}{:02x} on {bg:?} is {ratio:.2}:1",
                    c.r,
                    c.g,
                    c.b
                );
            }
        }
    }
}
