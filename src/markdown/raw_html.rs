//! What happens to raw HTML written in Markdown: `[output.html] raw-html`.
//!
//! - `allow` (the default, as in mdBook, whose books need it): raw HTML is written as it is;
//!   only URLs that would run code (`javascript:` and the like) are neutralised, in every
//!   mode, by the body pass.
//! - `sanitize`: the rendered body goes through a well-kept sanitizer (ammonia, built on
//!   the html5ever parser browsers' HTML5 rules come from) with an allow-list fit for docs:
//!   the page's own ids, classes and anchors, kb's code highlighting, heading anchors,
//!   callouts, `<details>`/`<summary>`, tables and images stay; scripts, event handlers,
//!   iframes, forms, objects, styles that load anything and dangerous URLs go. It runs
//!   once over the whole body, so `<details>` with Markdown inside survives.
//! - `escape`: raw HTML is shown as text, like any other characters.
//!
//! In untrusted mode (`--untrusted`) `allow` becomes `sanitize`; `escape` stays.

use std::collections::HashSet;
use std::sync::LazyLock;

use crate::trust::Trust;

/// The `raw-html` setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum RawHtmlMode {
    #[default]
    Allow,
    Sanitize,
    Escape,
}

impl RawHtmlMode {
    /// The mode named in `book.toml`; `None` for an unknown name.
    pub(crate) fn parse(name: &str) -> Option<RawHtmlMode> {
        match name {
            "allow" => Some(RawHtmlMode::Allow),
            "sanitize" => Some(RawHtmlMode::Sanitize),
            "escape" => Some(RawHtmlMode::Escape),
            _ => None,
        }
    }

    /// The mode a build uses: content nobody vouched for never gets raw HTML through as is.
    pub(crate) fn under(self, trust: Trust) -> RawHtmlMode {
        match (self, trust) {
            (RawHtmlMode::Allow, Trust::Untrusted) => RawHtmlMode::Sanitize,
            (mode, _) => mode,
        }
    }
}

/// CSS properties a `style` attribute keeps when sanitizing: the ones pulldown-cmark
/// writes for aligned table cells and a few harmless ones authors use; none of them can
/// load a URL or move an element over the page.
const STYLE_PROPERTIES: &[&str] = &[
    "text-align",
    "vertical-align",
    "color",
    "background-color",
    "font-weight",
    "font-style",
    "text-decoration",
    "white-space",
];

/// The sanitizer, built once.
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        // Task lists (`- [x]`) are disabled checkboxes; an `<input>` outside a form sends
        // nothing anywhere.
        .add_tags(["input", "section"])
        .add_generic_attributes(["id", "class", "role", "tabindex", "style", "dir"])
        .generic_attribute_prefixes(HashSet::from(["aria-", "data-"]))
        .add_tag_attributes("a", ["name"])
        .add_tag_attributes("img", ["loading"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_tag_attributes("details", ["open"])
        // kb's own neutralised URL (`about:invalid#kb-unsafe-url`) stays as it is.
        .add_url_schemes(["about"])
        .filter_style_properties(HashSet::from_iter(STYLE_PROPERTIES.iter().copied()))
        // The page's links stay as written (ammonia would add `rel` to each).
        .link_rel(None);
    builder
});

/// `html` with everything outside the allow-list removed.
pub(crate) fn sanitize(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

/// kb's own code blocks, set aside while a body is sanitized. Highlighted code is most of
/// a docs page's markup (a `<span>` per token) and kb writes it escaped, so the sanitizer
/// gets a placeholder element in its place, which its allow-list keeps as it is, and the
/// block goes back after. A placeholder an author writes in raw HTML can only bring back
/// one of kb's own blocks, each at most once.
#[derive(Debug, Default)]
pub(crate) struct SetAside {
    blocks: Vec<Option<String>>,
}

/// How a placeholder starts; the block's number and [`PLACEHOLDER_END`] follow.
const PLACEHOLDER_START: &str = "<div data-kb-code=\"";
const PLACEHOLDER_END: &str = "\"></div>";

impl SetAside {
    /// Keeps `block` and gives the placeholder that stands for it.
    pub(crate) fn put(&mut self, block: String) -> String {
        self.blocks.push(Some(block));
        format!(
            "{PLACEHOLDER_START}{}{PLACEHOLDER_END}",
            self.blocks.len() - 1
        )
    }

    /// `html` with each placeholder replaced by its block.
    pub(crate) fn restore(mut self, html: &str) -> String {
        let size: usize = self.blocks.iter().flatten().map(String::len).sum();
        let mut out = String::with_capacity(html.len() + size);
        let mut rest = html;
        while let Some(at) = rest.find(PLACEHOLDER_START) {
            let after = &rest[at + PLACEHOLDER_START.len()..];
            let digits = after.bytes().take_while(u8::is_ascii_digit).count();
            let block = after[digits..]
                .starts_with(PLACEHOLDER_END)
                .then(|| after[..digits].parse::<usize>().ok())
                .flatten()
                .and_then(|n| self.blocks.get_mut(n)?.take());
            match block {
                Some(block) => {
                    out.push_str(&rest[..at]);
                    out.push_str(&block);
                    rest = &after[digits + PLACEHOLDER_END.len()..];
                }
                None => {
                    let keep = at + PLACEHOLDER_START.len();
                    out.push_str(&rest[..keep]);
                    rest = &rest[keep..];
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// Payloads in the style of OWASP's XSS filter evasion cheat sheet, one a line (shared
/// with the integration and browser tests).
#[cfg(test)]
pub(crate) fn hostile() -> impl Iterator<Item = &'static str> {
    include_str!("../../tests/fixtures/hostile_html/payloads.txt")
        .lines()
        .filter(|line| !line.is_empty())
}

/// What must not be left of [`hostile`] once sanitized (lower case), one a line.
#[cfg(test)]
pub(crate) fn runs_code() -> impl Iterator<Item = &'static str> {
    include_str!("../../tests/fixtures/hostile_html/runs_code.txt")
        .lines()
        .filter(|line| !line.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lower(html: &str) -> String {
        html.to_ascii_lowercase()
    }

    #[test]
    fn hostile_markup_loses_everything_that_runs() {
        for payload in hostile() {
            let out = lower(&sanitize(payload));
            for bad in runs_code() {
                assert!(!out.contains(bad), "{payload} gave {out}");
            }
        }
    }

    #[test]
    fn what_docs_and_the_theme_need_survives() {
        let html = concat!(
            r##"<h2 id="h"><a class="heading-link" href="#h">H</a></h2>"##,
            r#"<figure class="code-block"><pre class="code" tabindex="0" data-lang="go"><code><span class="line"><span class="k">func</span></span></code></pre></figure>"#,
            r#"<div class="callout callout-note" role="note"><p class="callout-title">Note</p></div>"#,
            r#"<details open=""><summary>More</summary><p>inside</p></details>"#,
            r#"<div class="table-wrap" tabindex="0" role="region" aria-label="Table 1"><table><thead><tr><th style="text-align:left">a</th></tr></thead></table></div>"#,
            r#"<ul><li><input disabled="" type="checkbox" checked=""> done</li></ul>"#,
            r#"<img src="img/a.png" alt="A" width="10"><a name="old"></a><span id="s">s</span>"#,
            r##"<a href="../b.html#x">b</a><sup class="footnote-reference"><a href="#1">1</a></sup>"##,
        );
        assert_eq!(sanitize(html), html);
    }

    #[test]
    fn code_set_aside_comes_back_once_where_its_placeholder_is() {
        let mut aside = SetAside::default();
        let code = r#"<figure class="code-block"><pre><code><span class="k">func</span></code></pre></figure>"#;
        let first = aside.put(code.to_string());
        let second = aside.put("<p>2</p>".to_string());
        let body = format!(
            r#"<p>a</p>{first}<div data-kb-code="0"></div><div data-kb-code="7"></div><div data-kb-code="1">x</div>{second}"#
        );
        // The sanitizer keeps a placeholder as it is.
        let sanitized = sanitize(&body);
        assert_eq!(sanitized, body);
        assert_eq!(
            aside.restore(&sanitized),
            format!(
                r#"<p>a</p>{code}<div data-kb-code="0"></div><div data-kb-code="7"></div><div data-kb-code="1">x</div><p>2</p>"#
            )
        );
    }

    #[test]
    fn harmless_styles_stay_and_loading_ones_go() {
        assert_eq!(
            sanitize(r#"<p style="color: red; background-image: url(x.png)">p</p>"#),
            r#"<p style="color:red">p</p>"#
        );
    }

    #[test]
    fn untrusted_mode_sanitizes_unless_escaping() {
        use RawHtmlMode::*;
        assert_eq!(Allow.under(Trust::Untrusted), Sanitize);
        assert_eq!(Escape.under(Trust::Untrusted), Escape);
        assert_eq!(Sanitize.under(Trust::Untrusted), Sanitize);
        assert_eq!(Allow.under(Trust::Trusted), Allow);
        assert_eq!(RawHtmlMode::parse("escape"), Some(Escape));
        assert_eq!(RawHtmlMode::parse("strip"), None);
    }
}
