//! The Markdown pass: one page's body to HTML, plus everything later passes need from it.
//!
//! The page is parsed once into an event list. A first walk assigns heading ids (author ids
//! from `{#id}` first, then de-duplicated slugs); a second walk rewrites links, highlights
//! code, turns GFM alerts into callouts and collects searchable sections, then hands the
//! events to pulldown-cmark's HTML writer.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use pulldown_cmark::{BlockQuoteKind, CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};

use super::body_html;
use super::hidden_lines;
use super::highlight::{BlockOptions, Highlighter};
use super::info_string::{self, InfoString};
use super::links::{self, LinkTarget};
use super::raw_html::{self, RawHtmlMode};
use super::source_links::{self, SourceLink};
use crate::config::UrlStyle;
use crate::content::Page;
use crate::diagnostic::{Diagnostic, Location};
use crate::limits::Limits;
use crate::position::LineIndex;
use crate::safe_url::{dangerous_scheme, UrlUse, NEUTRALISED};
use crate::slug::IdAllocator;
use crate::trust::Trust;

/// A heading of the page, with its final id.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub(crate) struct Heading {
    pub level: u8,
    pub id: String,
    /// Plain text (inline markup removed).
    pub text: String,
    /// Line in the Markdown file.
    pub line: usize,
}

/// A link to another page or an anchor, to be checked once all pages are rendered.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LinkRef {
    pub target: LinkTarget,
    /// The destination as the author wrote it.
    pub written: String,
    pub location: Location,
}

/// A fenced code block, as `kb check` needs it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CodeBlock {
    /// Line of the opening fence in the Markdown file.
    pub fence_line: usize,
    pub info: InfoString,
    pub code: String,
}

/// The text of one part of a page, split at headings, for the search index.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Section {
    /// Anchor of the heading that opens the section; empty for the page's start.
    pub id: String,
    pub heading: String,
    pub body: String,
    pub code: String,
}

/// A page's sections as `kb serve` keeps them: each one's id, heading, body and code as
/// its length (4 bytes, little endian) and its UTF-8 bytes, LZ4-compressed with their
/// length in front. Packed on the thread that rendered the page, the sections of a large
/// site are never all held unpacked (at 100,000 pages their text took 0.9 GB).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PackedSections {
    count: usize,
    packed: Box<[u8]>,
}

impl PackedSections {
    pub(crate) fn pack(sections: &[Section]) -> PackedSections {
        let mut bytes = Vec::new();
        for section in sections {
            for text in [&section.id, &section.heading, &section.body, &section.code] {
                bytes.extend_from_slice(&(text.len() as u32).to_le_bytes());
                bytes.extend_from_slice(text.as_bytes());
            }
        }
        PackedSections {
            count: sections.len(),
            packed: lz4_flex::compress_prepend_size(&bytes).into_boxed_slice(),
        }
    }

    /// How many sections there are.
    pub(crate) fn len(&self) -> usize {
        self.count
    }

    /// The sections, unpacked.
    pub(crate) fn unpack(&self) -> Vec<Section> {
        if self.count == 0 {
            return Vec::new();
        }
        let bytes = lz4_flex::decompress_size_prepended(&self.packed)
            .expect("kb packed these sections itself");
        let mut rest = bytes.as_slice();
        let mut text = || {
            let (len, tail) = rest.split_at(4);
            let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize;
            let (text, tail) = tail.split_at(len);
            rest = tail;
            String::from_utf8_lossy(text).into_owned()
        };
        (0..self.count)
            .map(|_| Section {
                id: text(),
                heading: text(),
                body: text(),
                code: text(),
            })
            .collect()
    }
}

/// Everything the Markdown pass produces for one page.
#[derive(Debug, Clone, Default)]
pub(crate) struct RenderedPage {
    pub html: String,
    pub headings: Vec<Heading>,
    pub links: Vec<LinkRef>,
    pub external_links: Vec<(String, Location)>,
    /// Ids of the body's elements that headings do not already give: raw HTML
    /// (`<a id>`, `<a name>`, `<span id>`), footnotes. A link's `#fragment` may name them.
    pub anchors: Vec<String>,
    pub code_blocks: Vec<CodeBlock>,
    pub sections: Vec<Section>,
    /// The sections, once packed by [`RenderedPage::pack_sections`] (`sections` is then
    /// empty).
    pub packed_sections: Option<PackedSections>,
    pub diagnostics: Vec<Diagnostic>,
    pub word_count: usize,
    /// Where the Markdown writes its relative links to pages and assets, for the page's
    /// Markdown twin (recorded here so that the twin does not parse the page again).
    pub source_links: Vec<SourceLink>,
}

impl RenderedPage {
    /// Drops the code blocks, which only `kb check` reads: a site kept in memory (`kb
    /// serve`) would otherwise hold every block's code a second time (at 100,000 pages of
    /// the benchmark corpus, 150,000 Go blocks).
    pub(crate) fn forget_code_blocks(&mut self) {
        self.code_blocks = Vec::new();
    }

    /// Packs the sections (see [`PackedSections`]).
    pub(crate) fn pack_sections(&mut self) {
        if self.packed_sections.is_none() {
            self.packed_sections = Some(PackedSections::pack(&std::mem::take(&mut self.sections)));
        }
    }

    /// Takes the sections, packed.
    pub(crate) fn take_packed_sections(&mut self) -> PackedSections {
        self.pack_sections();
        self.packed_sections.take().unwrap_or_default()
    }
}

/// Markdown extensions kb enables: GFM plus footnotes, definition lists, smart punctuation
/// and `{#id}` heading attributes.
pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_DEFINITION_LIST
        | Options::ENABLE_GFM
}

/// What the Markdown pass needs of the site's settings.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RenderOptions<'s> {
    /// Sections for search are split at headings of this level or less.
    pub split_level: u8,
    /// Links to other pages are written in this style.
    pub url_style: UrlStyle,
    /// Line-hiding prefixes by code language (`[output.html.code.hidelines]`).
    pub hidelines: &'s BTreeMap<String, String>,
    /// What raw HTML in the Markdown becomes.
    pub raw_html: RawHtmlMode,
    /// Code block size and nesting limits.
    pub limits: Limits,
    /// Formulas become MathML (see [`super::math`]).
    pub math: bool,
}

impl RenderOptions<'_> {
    /// The options `settings` give, for content trusted as `trust` says.
    pub(crate) fn of(settings: &crate::config::Settings, trust: Trust) -> RenderOptions<'_> {
        RenderOptions {
            split_level: settings.search.heading_split_level,
            url_style: settings.url_style,
            hidelines: &settings.hidelines,
            raw_html: settings.raw_html.under(trust),
            limits: settings.limits,
            math: settings.math,
        }
    }
}

/// Renders `page` with no configured hidden-line prefixes.
#[cfg(test)]
pub(crate) fn render(page: &Page, split_level: u8, url_style: UrlStyle) -> RenderedPage {
    render_with(
        page,
        &RenderOptions {
            split_level,
            url_style,
            hidelines: &BTreeMap::new(),
            raw_html: RawHtmlMode::Allow,
            limits: Limits::default(),
            math: false,
        },
    )
}

/// Renders `page`.
pub(crate) fn render_with(page: &Page, settings: &RenderOptions<'_>) -> RenderedPage {
    render_source(page, &page.body, settings)
}

/// Renders `page` whose Markdown is `body` (a streamed build keeps it apart from the page,
/// to free it once rendered).
pub(crate) fn render_source(page: &Page, body: &str, settings: &RenderOptions<'_>) -> RenderedPage {
    let RenderOptions {
        split_level,
        url_style,
        hidelines,
        raw_html,
        limits,
        math,
    } = *settings;
    let parser = Parser::new_ext(body, options()).into_offset_iter();
    let definitions = source_links::definitions(parser.reference_definitions(), &page.rel);
    let events: Vec<(Event<'_>, Range<usize>)> = parser.collect();
    let lines = LineIndex::new(body);
    let locate = |offset: usize| {
        let (line, column) = lines.line_col(offset);
        let (line, column) = page.file_position(line, column);
        Location::new(&page.file, line, column)
    };
    let mut out = RenderedPage {
        source_links: definitions,
        ..RenderedPage::default()
    };
    let events = if math {
        super::math::render_math(body, events, &locate, &mut out.diagnostics)
    } else {
        events
    };
    out.headings = assign_heading_ids(&events, &locate, &mut out.diagnostics);

    let mut writer = Writer {
        page,
        locate: &locate,
        out: &mut out,
        split_level,
        url_style,
        hidelines,
        raw_html,
        has_raw_html: false,
        set_aside: (raw_html == RawHtmlMode::Sanitize).then(raw_html::SetAside::default),
        limits,
        depth: 0,
        html_events: Vec::with_capacity(events.len()),
        heading_index: 0,
        section: Section::default(),
        in_heading: false,
        code: None,
        callouts: Vec::new(),
        tables: 0,
    };
    for (event, range) in events {
        writer.event(event, range, body);
    }
    let Writer {
        html_events,
        section,
        has_raw_html,
        set_aside,
        ..
    } = writer;
    out.sections.push(section);
    out.sections
        .retain(|s| !(s.id.is_empty() && s.body.trim().is_empty() && s.code.is_empty()));
    out.word_count = out
        .sections
        .iter()
        .map(|s| s.body.split_whitespace().count())
        .sum();
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, html_events.into_iter());
    // Only raw HTML can bring what the sanitizer removes: kb's own markup is safe, so a
    // page without any is not parsed twice, and its code blocks are set aside meanwhile.
    // Sanitizing before the URL pass means the anchors and links it collects are the
    // ones the reader gets.
    if let Some(set_aside) = set_aside {
        if has_raw_html {
            html = raw_html::sanitize(&html);
        }
        html = set_aside.restore(&html);
    }
    let prefix = body_html::source_to_output_prefix(&page.rel, &page.url);
    let pass = body_html::rewrite_relative_urls(&html, &|url| {
        raw_page_link(page, url_style, url)
            .map(|href| body_html::prefixed(&prefix, &href))
            .or_else(|| (!prefix.is_empty()).then(|| body_html::prefixed(&prefix, url)))
    });
    out.html = pass.html;
    let heading_ids: std::collections::HashSet<&str> =
        out.headings.iter().map(|h| h.id.as_str()).collect();
    out.anchors = pass
        .anchors
        .into_iter()
        .filter(|id| !heading_ids.contains(id.as_str()))
        .collect();
    out
}

/// The href of a raw-HTML link to a page's Markdown file (`<a href="setup.md#x">`),
/// relative to the source folder like the Markdown links' hrefs; `None` for any other URL.
/// Markdown links never end in `.md` once rewritten, so only raw HTML ones get here.
fn raw_page_link(page: &Page, style: UrlStyle, url: &str) -> Option<String> {
    let path = url.split(['#', '?']).next().unwrap_or("");
    if !path.ends_with(".md") {
        return None;
    }
    let target = links::resolve(&page.rel, url);
    matches!(target, LinkTarget::Page { .. }).then(|| links::href(&page.rel, style, &target, url))
}

/// First walk: every heading's text and final id. Author ids are reserved before slugs are
/// made, so a slug never takes an id the author chose; two equal author ids are an error.
fn assign_heading_ids(
    events: &[(Event<'_>, Range<usize>)],
    locate: &dyn Fn(usize) -> Location,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Heading> {
    struct Raw {
        level: u8,
        custom: Option<String>,
        text: String,
        location: Location,
    }
    let mut raw = Vec::new();
    let mut current: Option<Raw> = None;
    for (event, range) in events {
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                current = Some(Raw {
                    level: *level as u8,
                    custom: id.as_ref().map(|id| id.to_string()),
                    text: String::new(),
                    location: locate(range.start),
                });
            }
            Event::Text(text) | Event::Code(text) => {
                if let Some(h) = current.as_mut() {
                    h.text.push_str(text);
                }
            }
            Event::End(TagEnd::Heading(_)) => raw.extend(current.take()),
            _ => {}
        }
    }
    let mut ids = IdAllocator::default();
    for h in &raw {
        if let Some(id) = &h.custom {
            if !ids.reserve(id) {
                diagnostics.push(
                    Diagnostic::error(h.location.clone(), format!("duplicate heading id `{id}`"))
                        .with_help("give each `{#id}` on a page a different name"),
                );
            }
        }
    }
    raw.into_iter()
        .map(|h| Heading {
            id: h.custom.unwrap_or_else(|| ids.allocate(&h.text)),
            level: h.level,
            text: h.text.trim().to_string(),
            line: h.location.line,
        })
        .collect()
}

/// A code block whose end has not been seen yet.
struct OpenCode {
    info: InfoString,
    /// Whether it opened with a fence (else it is indented).
    fenced: bool,
    /// The whole block in the body, fences and container markers (`> `) included.
    range: Range<usize>,
    text: String,
    /// Where the last piece of its text ends in the body.
    text_end: Option<usize>,
}

/// State of the second walk.
struct Writer<'p, 'o, 'e> {
    page: &'p Page,
    locate: &'p dyn Fn(usize) -> Location,
    out: &'o mut RenderedPage,
    split_level: u8,
    url_style: UrlStyle,
    hidelines: &'p BTreeMap<String, String>,
    raw_html: RawHtmlMode,
    /// Whether the page has raw HTML of its own.
    has_raw_html: bool,
    /// Code blocks kept out of the sanitizer's way (`raw-html = "sanitize"` only).
    set_aside: Option<raw_html::SetAside>,
    limits: Limits,
    /// How many elements are open; past `limits.max_nesting` the page is an error.
    depth: usize,
    html_events: Vec<Event<'e>>,
    heading_index: usize,
    section: Section,
    in_heading: bool,
    /// The code block being collected.
    code: Option<OpenCode>,
    /// Open block quotes: whether each is a GFM alert.
    callouts: Vec<bool>,
    /// Tables so far, to give each scrollable table region a unique name.
    tables: usize,
}

impl<'e> Writer<'_, '_, 'e> {
    fn event(&mut self, event: Event<'e>, range: Range<usize>, body: &str) {
        if let Some(code) = self.code.as_mut() {
            match event {
                Event::Text(t) => {
                    code.text.push_str(&t);
                    code.text_end = Some(range.end);
                    return;
                }
                Event::End(TagEnd::CodeBlock) => {
                    self.finish_code_block(body);
                    return;
                }
                _ => return,
            }
        }
        if let Some(link) = source_links::inline(&event, &range, &self.page.rel) {
            self.out.source_links.push(link);
        }
        match event {
            Event::Start(_) => {
                self.depth += 1;
                if self.depth == self.limits.max_nesting + 1 {
                    self.out.diagnostics.push(
                        Diagnostic::error(
                            (self.locate)(range.start),
                            format!(
                                "block quotes, lists or emphasis nest more than {} deep here",
                                self.limits.max_nesting
                            ),
                        )
                        .with_help(crate::limits::HELP),
                    );
                }
            }
            Event::End(_) => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
        self.collect_section_text(&event);
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                if let Some(heading) = self.out.headings.get(self.heading_index) {
                    self.html_events.push(Event::Html(CowStr::from(format!(
                        "<h{level} id=\"{id}\"><a class=\"heading-link\" href=\"#{id}\">",
                        level = level as u8,
                        id = html_escape::encode_double_quoted_attribute(&heading.id)
                    ))));
                }
            }
            Event::End(TagEnd::Heading(level)) => {
                // `collect_section_text` has moved on to the next heading.
                self.html_events.push(Event::Html(CowStr::from(format!(
                    "</a></h{}>\n",
                    level as u8
                ))));
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let (info, fenced) = match kind {
                    CodeBlockKind::Fenced(info) => (info_string::parse(&info), true),
                    CodeBlockKind::Indented => (InfoString::default(), false),
                };
                self.code = Some(OpenCode {
                    info,
                    fenced,
                    range,
                    text: String::new(),
                    text_end: None,
                });
            }
            Event::Start(Tag::BlockQuote(kind)) => {
                self.callouts.push(kind.is_some());
                match kind {
                    Some(kind) => {
                        let (class, title) = callout_name(kind);
                        self.html_events.push(Event::Html(CowStr::from(format!(
                            "<div class=\"callout callout-{class}\" role=\"note\">\
                             <p class=\"callout-title\">{title}</p>\n"
                        ))));
                    }
                    None => self.html_events.push(Event::Start(Tag::BlockQuote(None))),
                }
            }
            Event::End(TagEnd::BlockQuote(kind)) => {
                if self.callouts.pop().unwrap_or(false) {
                    self.html_events
                        .push(Event::Html(CowStr::Borrowed("</div>\n")));
                } else {
                    self.html_events.push(Event::End(TagEnd::BlockQuote(kind)));
                }
            }
            Event::Start(Tag::Table(alignments)) => {
                // Each scrollable region needs its own name (axe `landmark-unique`).
                self.tables += 1;
                self.html_events.push(Event::Html(CowStr::from(format!(
                    "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"Table {}\">",
                    self.tables
                ))));
                self.html_events.push(Event::Start(Tag::Table(alignments)));
            }
            Event::End(TagEnd::Table) => {
                self.html_events.push(Event::End(TagEnd::Table));
                self.html_events
                    .push(Event::Html(CowStr::Borrowed("</div>\n")));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = self.safe_rewrite(&dest_url, range.start, UrlUse::Link);
                self.html_events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url: CowStr::from(dest_url),
                    title,
                    id,
                }));
            }
            Event::End(TagEnd::Link) => {
                self.html_events.push(Event::End(TagEnd::Link));
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = self.safe_rewrite(&dest_url, range.start, UrlUse::Image);
                self.html_events.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url: CowStr::from(dest_url),
                    title,
                    id,
                }));
            }
            Event::Html(html) | Event::InlineHtml(html) if self.raw_html == RawHtmlMode::Escape => {
                self.has_raw_html = true;
                self.html_events.push(Event::Text(html));
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                self.has_raw_html = true;
                self.record_raw_links(&html, range, body);
                self.html_events.push(Event::Html(html));
            }
            other => self.html_events.push(other),
        }
    }

    /// The searchable side of an event (outside code blocks): headings at or above the
    /// split level open a new section, prose goes to the current one.
    fn collect_section_text(&mut self, event: &Event<'e>) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                let heading = self.out.headings.get(self.heading_index);
                if let Some(heading) = heading.filter(|_| *level as u8 <= self.split_level) {
                    let done = std::mem::take(&mut self.section);
                    self.out.sections.push(done);
                    self.section.id.clone_from(&heading.id);
                    self.section.heading.clone_from(&heading.text);
                    // Its text is the section's heading, not body.
                    self.in_heading = true;
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if !std::mem::take(&mut self.in_heading) {
                    // A heading below the split level stays in the body, on a line of its own.
                    self.section.body.push('\n');
                }
                self.heading_index += 1;
            }
            Event::Text(text) | Event::Code(text) if !self.in_heading => {
                self.section.body.push_str(text);
            }
            Event::SoftBreak | Event::HardBreak => self.section.body.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell) => {
                self.section.body.push('\n');
            }
            _ => {}
        }
    }

    /// Rewrites a link destination and records it for validation.
    /// [`Self::rewrite`], except that a URL that would run code (`javascript:`, and the
    /// like) becomes an inert one, with a warning at its place.
    fn safe_rewrite(&mut self, dest: &str, offset: usize, use_: UrlUse) -> String {
        let Some(scheme) = dangerous_scheme(dest, use_) else {
            return self.rewrite(dest, offset);
        };
        self.out.diagnostics.push(
            Diagnostic::warning(
                (self.locate)(offset),
                format!("a `{scheme}:` URL runs code when followed; kb replaced it with `{NEUTRALISED}`"),
            )
            .with_help("link to a page or an http(s) address instead"),
        );
        NEUTRALISED.to_string()
    }

    fn rewrite(&mut self, dest: &str, offset: usize) -> String {
        let target = self.record_link(dest, (self.locate)(offset));
        links::href(&self.page.rel, self.url_style, &target, dest)
    }

    /// The links of a fragment of raw HTML, recorded for the link check like Markdown's,
    /// each at the place its URL is written (the body pass rewrites them later).
    fn record_raw_links(&mut self, html: &str, range: Range<usize>, body: &str) {
        if !html.contains("href") && !html.contains("src") && !html.contains("poster") {
            return;
        }
        let written = body.get(range.clone()).unwrap_or("");
        let mut from = 0;
        for url in body_html::raw_link_urls(html) {
            if dangerous_scheme(&url, UrlUse::Link).is_some() {
                continue;
            }
            // The URL as written may be entity-encoded; then the tag's place will do.
            let at = written[from..].find(url.as_str()).map(|i| from + i);
            if let Some(at) = at {
                from = at + url.len();
            }
            let location = (self.locate)(range.start + at.unwrap_or(0));
            self.record_link(&url, location);
        }
    }

    /// Resolves a link destination and records it for validation (external ones for
    /// `--external`, links leaving the book as a warning).
    fn record_link(&mut self, dest: &str, location: Location) -> LinkTarget {
        let target = links::resolve(&self.page.rel, dest);
        match &target {
            LinkTarget::External => {
                if dest.starts_with("http://") || dest.starts_with("https://") {
                    self.out.external_links.push((dest.to_string(), location));
                }
            }
            LinkTarget::OutsideContent => self.out.diagnostics.push(
                Diagnostic::warning(
                    location,
                    format!("link `{dest}` leaves the book: kb cannot check it"),
                )
                .with_help("keep it if the site is published beside what it links (as a book beside the standard library's docs); otherwise link a page of the content folder"),
            ),
            _ => self.out.links.push(LinkRef {
                target: target.clone(),
                written: dest.to_string(),
                location,
            }),
        }
        target
    }

    /// CommonMark lets a fence run to the end of its container (the document, a block
    /// quote, a list item); for an author that is almost always a forgotten closing fence,
    /// which swallows the rest of the page. The parser knows where the block ends, not
    /// whether a fence closed it: a closing fence is what lies between the block's last
    /// text and its end. Container markers (`> `, list indentation) may stand before it,
    /// so the run of fence characters is looked for there, not a whole line of them.
    fn check_fence_closed(&mut self, body: &str, code: &OpenCode) {
        let block = &body[code.range.clone()];
        let first_line = block.split('\n').next().unwrap_or("");
        let Some(at) = first_line.find(['`', '~']) else {
            return;
        };
        let fence_char = if first_line[at..].starts_with('`') {
            '`'
        } else {
            '~'
        };
        let fence_len = first_line[at..]
            .chars()
            .take_while(|&c| c == fence_char)
            .count();
        let after_opening = code.range.start + (first_line.len() + 1).min(block.len());
        let tail_start = code
            .text_end
            .unwrap_or(after_opening)
            .clamp(code.range.start, code.range.end);
        let closed = body[tail_start..code.range.end]
            .split(|c| c != fence_char)
            .any(|run| run.len() >= fence_len);
        if !closed {
            self.out.diagnostics.push(
                Diagnostic::error(
                    (self.locate)(code.range.start + at),
                    "this code fence is never closed",
                )
                .with_help(format!(
                    "end the code with a line that holds only {}",
                    fence_char.to_string().repeat(fence_len)
                )),
            );
        }
    }

    fn finish_code_block(&mut self, body: &str) {
        let Some(open) = self.code.take() else {
            return;
        };
        if open.fenced {
            self.check_fence_closed(body, &open);
        }
        let location = (self.locate)(open.range.start);
        let (info, code) = (open.info, open.text);
        // Hidden lines are shown without their prefix and marked; search gets every line
        // as shown, `kb check` the block as written.
        let hidden = hidden_lines::hide(&code, &info.lang, &info.flags, self.hidelines);
        let no_lines = BTreeSet::new();
        let (shown, hidden_lines) = hidden
            .as_ref()
            .map_or((code.as_str(), &no_lines), |h| (h.code.as_str(), &h.lines));
        // Grammars slow down on huge or deeply nested blocks: those are shown plain.
        let max_bytes = self.limits.max_code_block_bytes;
        let plain = if shown.len() > max_bytes {
            Some(format!("this code block has {} bytes, more than max-code-block-bytes ({max_bytes}); it is shown without highlighting", shown.len()))
        } else {
            crate::limits::too_deep(shown, self.limits.max_nesting).map(|_| {
                format!("this code block nests brackets more than {} deep (max-nesting); it is shown without highlighting", self.limits.max_nesting)
            })
        };
        if let Some(message) = &plain {
            self.out.diagnostics.push(
                Diagnostic::warning(location.clone(), message.clone())
                    .with_help(crate::limits::HELP),
            );
        }
        let highlighter = Highlighter::shared();
        let highlighted = highlighter.highlight(
            shown,
            &BlockOptions {
                lang: if plain.is_some() { "" } else { &info.lang },
                hl_lines: &info.hl_lines,
                hidden: hidden_lines,
            },
        );
        if !highlighted.known_language {
            self.out.diagnostics.push(
                Diagnostic::warning(location.clone(), format!("unknown code language `{}`", info.lang))
                    .with_help("the block is shown without highlighting; use a known language such as go, sql, yaml, bash, or `text`"),
            );
        }
        for attribute in &info.unknown {
            self.out.diagnostics.push(
                Diagnostic::warning(
                    location.clone(),
                    format!("unknown code block attribute `{attribute}`"),
                )
                .with_help("kb understands title=\"...\", hl_lines=\"3-5 9\" and linenos"),
            );
        }
        let mut html = String::with_capacity(highlighted.html.len() + 200);
        html.push_str("<figure class=\"code-block\">");
        if let Some(title) = &info.title {
            html.push_str("<figcaption>");
            html.push_str(&html_escape::encode_text(title));
            html.push_str("</figcaption>");
        }
        html.push_str("<pre class=\"code");
        if info.linenos {
            html.push_str(" linenos");
        }
        html.push_str("\" tabindex=\"0\"");
        if !info.lang.is_empty() {
            html.push_str(" data-lang=\"");
            html.push_str(&html_escape::encode_double_quoted_attribute(&info.lang));
            html.push('"');
        }
        html.push_str("><code>");
        html.push_str(&highlighted.html);
        html.push_str("</code></pre></figure>\n");
        if let Some(set_aside) = self.set_aside.as_mut() {
            html = set_aside.put(html);
        }
        self.html_events.push(Event::Html(CowStr::from(html)));
        if !self.section.code.is_empty() {
            self.section.code.push('\n');
        }
        self.section.code.push_str(shown);
        self.out.code_blocks.push(CodeBlock {
            fence_line: location.line,
            info,
            code,
        });
    }
}

fn callout_name(kind: BlockQuoteKind) -> (&'static str, &'static str) {
    match kind {
        BlockQuoteKind::Note => ("note", "Note"),
        BlockQuoteKind::Tip => ("tip", "Tip"),
        BlockQuoteKind::Important => ("important", "Important"),
        BlockQuoteKind::Warning => ("warning", "Warning"),
        BlockQuoteKind::Caution => ("caution", "Caution"),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::content::front_matter::FrontMatter;
    use crate::content::PageKind;

    /// The Markdown pass of a pretty-URL site.
    fn render(page: &Page, split_level: u8) -> RenderedPage {
        super::render(page, split_level, UrlStyle::Pretty)
    }

    pub(crate) fn page(rel: &str, body: &str) -> Page {
        Page {
            source: std::path::PathBuf::from(rel),
            file: std::path::PathBuf::from(format!("content/{rel}")),
            rel: rel.to_string(),
            kind: PageKind::Article,
            area: Some("a".to_string()),
            url: crate::content::page::url_for(rel, UrlStyle::Pretty),
            title: "T".to_string(),
            description: "D".to_string(),
            title_in_body: false,
            meta: FrontMatter::default(),
            body: body.to_string(),
            body_on_disk: false,
            body_fingerprint: Page::body_fingerprint_of(body),
            body_line: 5,
            included: Default::default(),
        }
    }

    #[test]
    fn heading_ids_respect_author_ids_and_deduplicate() {
        let out = render(
            &page("a/b.md", "## Intro\n\n## Intro\n\n### Setup {#intro-1}\n"),
            3,
        );
        let ids: Vec<_> = out.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["intro", "intro-2", "intro-1"]);
        assert_eq!(out.headings[0].line, 5, "lines count from the file's start");
        assert!(out
            .html
            .contains(r##"<h2 id="intro"><a class="heading-link" href="#intro">Intro</a></h2>"##));
    }

    #[test]
    fn links_are_rewritten_and_recorded_with_positions() {
        let out = render(
            &page(
                "a/b.md",
                "See [c](../x/c.md#in-go) and [web](https://go.dev).\n",
            ),
            3,
        );
        assert!(
            out.html.contains(r##"<a href="../../x/c/#in-go">c</a>"##),
            "{}",
            out.html
        );
        assert_eq!(out.links.len(), 1);
        assert_eq!(out.links[0].location.line, 5);
        assert_eq!(out.links[0].location.column, 5);
        assert_eq!(out.external_links[0].0, "https://go.dev");
    }

    #[test]
    fn raw_html_urls_move_to_the_output_folder_and_md_links_become_page_urls() {
        let body = "<p><img src=\"img/p.png\"> <a href=\"../x/c.md#y\">c</a> <a href=\"#top\">t</a></p>\n\n\
            ```html\n<img src=\"img/p.png\">\n```\n";
        let out = render(&page("a/b.md", body), 3);
        assert!(
            out.html.contains(
                r##"<img src="../img/p.png"> <a href="../../x/c/#y">c</a> <a href="#top">t</a>"##
            ),
            "{}",
            out.html
        );
        assert_eq!(
            out.html.matches("../img/p.png").count(),
            1,
            "the URL in the code sample is left alone: {}",
            out.html
        );
        let index = render(&page("a/_index.md", body), 3);
        assert!(
            index.html.contains(r#"<img src="img/p.png">"#),
            "same folder, same URL: {}",
            index.html
        );
    }

    #[test]
    fn alerts_become_callouts() {
        let out = render(
            &page("a/b.md", "> [!TIP]\n> Use a pool.\n\n> plain quote\n"),
            3,
        );
        assert!(out.html.contains(
            r#"<div class="callout callout-tip" role="note"><p class="callout-title">Tip</p>"#
        ));
        assert!(out.html.contains("<blockquote>"));
    }

    #[test]
    fn script_urls_in_links_and_images_are_neutralised_with_a_warning() {
        let body = "[a](javascript:alert(1)) [b](&#x6A;avascript:alert(2)) [c](<java\tscript:x>)\n\n\
            [d](VBScript:msgbox) [e](data:text/html,<script>x</script>) <javascript:alert(3)>\n\n\
            ![f](data:image/png;base64,iVBORw0KGgo=) ![g](javascript:alert(4)) [h](data:image/png;base64,AA)\n\n\
            [fine](https://example.com/?q=javascript:x)\n";
        let out = render(&page("a/b.md", body), 3);
        // Every URL in an attribute is the inert one, the data image, or the safe link
        // (the autolink's text still reads `javascript:…`: text runs nothing).
        let mut urls: Vec<&str> = out
            .html
            .split(" href=\"")
            .skip(1)
            .chain(out.html.split(" src=\"").skip(1))
            .filter_map(|rest| rest.split('"').next())
            .filter(|url| *url != NEUTRALISED)
            .collect();
        urls.sort_unstable();
        assert_eq!(
            urls,
            [
                "data:image/png;base64,iVBORw0KGgo=",
                "https://example.com/?q=javascript:x"
            ],
            "{}",
            out.html
        );
        assert_eq!(out.html.matches(NEUTRALISED).count(), 8, "{}", out.html);
        let warnings: Vec<String> = out.diagnostics.iter().map(|d| d.to_string()).collect();
        assert_eq!(warnings.len(), 8, "{warnings:#?}");
        assert!(
            warnings[0].contains(": warning: a `javascript:` URL runs code when followed"),
            "{warnings:#?}"
        );
        assert!(
            warnings.iter().all(|w| w.contains("warning:")),
            "{warnings:#?}"
        );
    }

    #[test]
    fn sections_split_at_headings_and_keep_code_apart() {
        let body = "Intro text.\n\n## One\n\nProse `SetMaxOpenConns`.\n\n```go\nx := 1\n```\n\n#### Deep\n\nStill one.\n";
        let out = render(&page("a/b.md", body), 3);
        assert_eq!(out.sections.len(), 2);
        assert_eq!(out.sections[0].id, "");
        assert!(out.sections[0].body.contains("Intro text."));
        assert_eq!(out.sections[1].id, "one");
        assert!(out.sections[1].body.contains("SetMaxOpenConns"));
        assert!(
            out.sections[1].body.contains("Still one."),
            "h4 does not split"
        );
        assert_eq!(out.sections[1].code, "x := 1\n");
        assert!(!out.sections[1].body.contains("x := 1"));
    }

    #[test]
    fn sections_take_prose_and_code_from_every_construct() {
        let body = "Lead *with* **marks** and a [link](x.md).\n\n\
            ## `Code` in a [heading](y.md) {#h}\n\n\
            > [!NOTE]\n> An alert with `inline`.\n\n\
            - item **two**\n  ```go\n  x := 1\n  ```\n\n\
            #### Deep heading\n\n    indented code\n\n\
            ### Three\n\nsoft\nbreak\n\n| a | b |\n|---|---|\n| cell | [2](z.md) |\n";
        let p = page("a/b.md", body);
        let at_3 = render(&p, 3).sections;
        let ids: Vec<&str> = at_3.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["", "h", "three"]);
        assert_eq!(at_3[0].body.trim(), "Lead with marks and a link.");
        assert_eq!(at_3[1].heading, "Code in a heading");
        assert!(
            at_3[1].body.contains("An alert with inline."),
            "{:?}",
            at_3[1].body
        );
        assert!(at_3[1].body.contains("item two"));
        // Headings below the split level are searchable as body text.
        assert!(
            at_3[1].body.contains("\nDeep heading\n"),
            "{:?}",
            at_3[1].body
        );
        assert_eq!(at_3[1].code, "x := 1\n\nindented code\n");
        assert!(at_3[2].body.contains("soft break") && at_3[2].body.contains("cell"));
        // A lower split level folds `### Three` into the section before it.
        let at_2 = render(&p, 2).sections;
        assert_eq!(at_2.len(), 2);
        assert!(at_2[1].body.contains("\nThree\n") && at_2[1].body.contains("soft break"));
    }

    #[test]
    fn code_blocks_are_collected_for_checks() {
        let out = render(
            &page(
                "a/b.md",
                "Text\n\n```go,fragment title=\"x_test.go\"\nfmt.Println()\n```\n",
            ),
            3,
        );
        assert_eq!(out.code_blocks.len(), 1);
        let block = &out.code_blocks[0];
        assert_eq!(block.fence_line, 7);
        assert_eq!(block.info.lang, "go");
        assert_eq!(block.info.flags, ["fragment"]);
        assert_eq!(block.code, "fmt.Println()\n");
        assert!(out.diagnostics.is_empty());
    }

    #[test]
    fn an_unclosed_fence_is_an_error_but_a_closed_one_is_not() {
        let open = render(&page("a/b.md", "```go\nx := 1\n"), 3);
        assert_eq!(open.diagnostics.len(), 1);
        assert_eq!(
            open.diagnostics[0].message,
            "this code fence is never closed"
        );
        let closed = render(&page("a/b.md", "````go\nx := 1\n````\n"), 3);
        assert!(closed.diagnostics.is_empty());
        let nested = render(&page("a/b.md", "- item\n\n  ```sh\n  ls\n  ```\n"), 3);
        assert!(nested.diagnostics.is_empty(), "{:?}", nested.diagnostics);
    }

    /// The examples of a pulldown-cmark-style spec file: Markdown, `.`, expected lines.
    fn spec_examples(spec: &str) -> Vec<(String, String)> {
        const FENCE: &str = "````````````````````````````````";
        let mut examples = Vec::new();
        let mut rest = spec;
        while let Some(start) = rest.find(&format!("{FENCE} example\n")) {
            let body = &rest[start + FENCE.len() + " example\n".len()..];
            let end = body.find(&format!("\n{FENCE}")).expect("example is closed");
            let (input, expected) = body[..end + 1]
                .split_once("\n.\n")
                .expect("example has a `.` line");
            examples.push((format!("{input}\n"), expected.to_string()));
            rest = &body[end + 1 + FENCE.len()..];
        }
        examples
    }

    #[test]
    fn regression_fence_in_blockquote_or_list_follows_commonmark() {
        let examples = spec_examples(include_str!("../../tests/specs/fences.md"));
        assert!(examples.len() >= 15, "found {} examples", examples.len());
        for (input, expected) in examples {
            let mut p = page("a/b.md", &input);
            p.body_line = 1;
            let out = render(&p, 3);
            let mut found = String::new();
            for block in &out.code_blocks {
                let lang = match block.info.lang.as_str() {
                    "" => "\"\"",
                    lang => lang,
                };
                found.push_str(&format!("code {lang} {:?}\n", block.code));
            }
            for d in &out.diagnostics {
                let severity = if d.is_error() { "error" } else { "warning" };
                found.push_str(&format!(
                    "{severity} {}:{} {}\n",
                    d.line.unwrap_or(0),
                    d.column.unwrap_or(0),
                    d.message
                ));
            }
            assert_eq!(found.trim_end(), expected.trim_end(), "for:\n{input}");
        }
    }

    #[test]
    fn gfm_and_extensions_are_rendered() {
        let body = "Text[^1] ~~old~~ \"quoted\" -- dash\n\n- [x] done\n- [ ] todo\n\nTerm\n: Definition\n\n[^1]: The note.\n";
        let out = render(&page("a/b.md", body), 3);
        let html = &out.html;
        assert!(html.contains("<del>old</del>"), "strikethrough: {html}");
        assert!(html.contains("type=\"checkbox\""), "task list: {html}");
        assert!(
            html.contains("<dl>") && html.contains("<dd>"),
            "definition list: {html}"
        );
        assert!(
            html.contains("\u{201c}quoted\u{201d}") && html.contains("\u{2013}"),
            "smart punctuation: {html}"
        );
        assert!(html.contains("footnote-definition"), "footnotes: {html}");
    }

    #[test]
    fn html_in_text_is_escaped_but_raw_html_passes() {
        let out = render(
            &page("a/b.md", "a `<b>` c\n\n<div class=\"x\">raw</div>\n"),
            3,
        );
        assert!(out.html.contains("<code>&lt;b&gt;</code>"));
        assert!(out.html.contains("<div class=\"x\">raw</div>"));
    }

    /// A page of XSS payloads between the Markdown kb renders itself.
    fn hostile_page() -> Page {
        hostile_page_of(raw_html::hostile())
    }

    fn hostile_page_of<'a>(payloads: impl Iterator<Item = &'a str>) -> Page {
        let mut body = String::from("## Head\n\n```go\nfunc f() {}\n```\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n\n<details>\n<summary>More</summary>\n\n*inside*\n\n</details>\n\n");
        for payload in payloads {
            body.push_str(payload);
            body.push_str("\n\ntext ");
            body.push_str(payload);
            body.push_str(" inline\n\n");
        }
        page("a/b.md", &body)
    }

    fn render_mode(page: &Page, raw_html: RawHtmlMode) -> RenderedPage {
        render_with(
            page,
            &RenderOptions {
                split_level: 3,
                url_style: UrlStyle::Pretty,
                hidelines: &BTreeMap::new(),
                raw_html,
                limits: Limits::default(),
                math: false,
            },
        )
    }

    /// What every mode must keep: kb's own markup and the details with Markdown inside.
    fn assert_kb_markup_kept(html: &str) {
        for kept in [
            r##"<h2 id="head"><a class="heading-link" href="#head">Head</a></h2>"##,
            r#"<figure class="code-block"><pre class="code" tabindex="0" data-lang="go"><code><span class="line">"#,
            r#"<div class="table-wrap" tabindex="0" role="region" aria-label="Table 1">"#,
        ] {
            assert!(html.contains(kept), "{kept} missing from {html}");
        }
    }

    #[test]
    fn raw_html_allowed_passes_but_never_with_a_url_that_runs_code() {
        // Without the mutation-XSS payload: its `<style>` inside MathML is an element for a
        // browser but opens raw text for a streaming tokenizer, which then sees no tags up to
        // the next `</style>`. Allowed raw HTML runs scripts anyway; `sanitize` parses as
        // a browser does and is the mode for content nobody vouched for.
        let page = hostile_page_of(raw_html::hostile().filter(|p| !p.starts_with("<math>")));
        let html = render_mode(&page, RawHtmlMode::Allow).html;
        assert_kb_markup_kept(&html);
        assert!(
            html.contains(r#"<img src="../x" onerror=alert(1)>"#),
            "{html}"
        );
        assert!(
            html.contains("<p><em>inside</em></p>\n</details>"),
            "{html}"
        );
        let lower = html.to_ascii_lowercase();
        for bad in [
            "href=\"javascript",
            "href=\"&#106",
            "href=\"vbscript",
            "href=\"data:",
            "src=\"javascript",
            "action=\"javascript",
        ] {
            assert!(!lower.contains(bad), "{bad} in {html}");
        }
    }

    #[test]
    fn raw_html_sanitized_keeps_docs_markup_and_nothing_that_runs() {
        let html = render_mode(&hostile_page(), RawHtmlMode::Sanitize).html;
        assert_kb_markup_kept(&html);
        assert!(
            html.contains("<details>\n<summary>More</summary>\n<p><em>inside</em></p>\n</details>"),
            "{html}"
        );
        assert!(
            html.contains(r#"<th style="text-align:left">a</th>"#),
            "{html}"
        );
        let lower = html.to_ascii_lowercase();
        for bad in raw_html::runs_code() {
            assert!(!lower.contains(bad), "{bad} in {html}");
        }
    }

    #[test]
    fn sanitizing_leaves_a_page_without_raw_html_as_it_was() {
        let page = page("a/b.md", "## H\n\n```go\nfunc f() {}\n```\n\n| a |\n|:-:|\n| 1 |\n\n- [x] t\n\nx[^1]\n\n[^1]: n\n");
        assert_eq!(
            render_mode(&page, RawHtmlMode::Sanitize).html,
            render_mode(&page, RawHtmlMode::Allow).html
        );
    }

    #[test]
    fn raw_html_escaped_is_text() {
        let html = render_mode(&hostile_page(), RawHtmlMode::Escape).html;
        assert_kb_markup_kept(&html);
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(html.contains("&lt;details&gt;"), "{html}");
        let lower = html.to_ascii_lowercase();
        for bad in [
            "<script",
            "<img",
            "<iframe",
            "<a href=\"javascript",
            "<details",
            "<svg",
        ] {
            assert!(!lower.contains(bad), "{bad} in {html}");
        }
    }

    #[test]
    fn raw_html_links_are_recorded_at_their_place() {
        let out = render(
            &page(
                "a/b.md",
                "Text <a href=\"../x/c.md#in-go\">c</a>.\n\n<div>\n<img src=\"img/p.png\"> <a href=\"https://go.dev\">go</a> <a href=\"javascript:x\">j</a>\n</div>\n",
            ),
            3,
        );
        let found: Vec<_> = out
            .links
            .iter()
            .map(|l| (l.written.as_str(), l.location.line, l.location.column))
            .collect();
        assert_eq!(found, [("../x/c.md#in-go", 5, 15), ("img/p.png", 8, 11)]);
        assert_eq!(out.external_links.len(), 1);
        assert_eq!(out.external_links[0].1.line, 8);
    }

    #[test]
    fn packed_sections_unpack_to_the_sections_they_were_packed_from() {
        let sections = vec![
            Section {
                id: String::new(),
                heading: String::new(),
                body: "Intro, with «quotes» and 日本語.".into(),
                code: String::new(),
            },
            Section {
                id: "one".into(),
                heading: "One".into(),
                body: "SetMaxOpenConns".into(),
                code: "x := 1\n".into(),
            },
        ];
        let packed = PackedSections::pack(&sections);
        assert_eq!(packed.len(), 2);
        assert_eq!(packed.unpack(), sections);
        assert!(PackedSections::pack(&[]).unpack().is_empty());

        let mut rendered = RenderedPage {
            sections: sections.clone(),
            ..RenderedPage::default()
        };
        rendered.pack_sections();
        assert!(rendered.sections.is_empty());
        rendered.pack_sections(); // packing twice keeps the first packing
        assert_eq!(rendered.take_packed_sections().unpack(), sections);
        assert!(rendered.packed_sections.is_none());
    }
}
