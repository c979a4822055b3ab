//! Markdown to HTML: one pass per page that renders the body and collects what later passes
//! need (headings, links, code samples, searchable sections).

pub(crate) mod body_html;
mod hidden_lines;
pub(crate) mod highlight;
pub(crate) mod info_string;
pub(crate) mod links;
mod math;
pub(crate) mod raw_html;
pub(crate) mod render;
pub(crate) mod source_links;
pub(crate) mod validate;

pub(crate) use render::{
    render_source, render_with, PackedSections, RenderOptions, RenderedPage, Section,
};
