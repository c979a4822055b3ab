//! Where a page's Markdown writes its links to pages and assets: what its Markdown twin
//! rewrites (see `agents::twin`). The Markdown pass records them while it renders
//! (`RenderedPage::source_links`), from the same parse, so that no page is parsed a second
//! time for its twin.

use std::ops::Range;

use pulldown_cmark::{Event, LinkType, RefDefs, Tag};

use super::links::{self, LinkTarget};

/// How a link's destination is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LinkSyntax {
    /// `[text](dest)` or `![alt](dest)`.
    Inline,
    /// `[label]: dest`.
    Definition,
}

impl LinkSyntax {
    /// What is written just before the destination.
    pub(crate) fn marker(self) -> &'static str {
        match self {
            LinkSyntax::Inline => "](",
            LinkSyntax::Definition => "]:",
        }
    }
}

/// A relative link to a page or an asset, as written in a page's Markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SourceLink {
    /// The byte range of the whole link (or definition) in the Markdown.
    pub span: Range<usize>,
    /// The destination as the parser read it.
    pub dest: String,
    pub syntax: LinkSyntax,
}

/// Whether `dest`, written in the page at `from_rel`, is a link a twin rewrites: relative,
/// to a page or an asset.
fn wanted(from_rel: &str, dest: &str) -> bool {
    !dest.starts_with('/')
        && matches!(
            links::resolve(from_rel, dest),
            LinkTarget::Page { .. } | LinkTarget::Asset { .. }
        )
}

/// The wanted links of a parse's reference definitions.
pub(crate) fn definitions(defs: &RefDefs<'_>, from_rel: &str) -> Vec<SourceLink> {
    defs.iter()
        .filter(|(_, def)| wanted(from_rel, &def.dest))
        .map(|(_, def)| SourceLink {
            span: def.span.clone(),
            dest: def.dest.to_string(),
            syntax: LinkSyntax::Definition,
        })
        .collect()
}

/// The link `event` (at `range`) starts, when it is a wanted inline link or image.
pub(crate) fn inline(
    event: &Event<'_>,
    range: &Range<usize>,
    from_rel: &str,
) -> Option<SourceLink> {
    let (Event::Start(Tag::Link {
        link_type: LinkType::Inline,
        dest_url,
        ..
    })
    | Event::Start(Tag::Image {
        link_type: LinkType::Inline,
        dest_url,
        ..
    })) = event
    else {
        return None;
    };
    wanted(from_rel, dest_url).then(|| SourceLink {
        span: range.clone(),
        dest: dest_url.to_string(),
        syntax: LinkSyntax::Inline,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_markdown_pass_records_relative_links_to_pages_and_assets() {
        let body = "[a](b.md#x) [w](https://x.org) [s](#here) [r](/abs.md) ![i](img.png)\n\
                    [ref][d] [[not a link]] `[c](code.md)`\n\n[d]: ../up.md\n[e]: https://e.org\n";
        let page = crate::markdown::render::tests::page("dir/page.md", body);
        let found =
            crate::markdown::render::render(&page, 2, crate::config::UrlStyle::Pretty).source_links;
        let dests: Vec<(&str, LinkSyntax)> =
            found.iter().map(|l| (l.dest.as_str(), l.syntax)).collect();
        assert_eq!(
            dests,
            [
                ("../up.md", LinkSyntax::Definition),
                ("b.md#x", LinkSyntax::Inline),
                ("img.png", LinkSyntax::Inline),
            ]
        );
        assert_eq!(&body[found[0].span.clone()], "[d]: ../up.md");
        assert_eq!(&body[found[1].span.clone()], "[a](b.md#x)");
    }
}
