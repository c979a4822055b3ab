//! Markdown to HTML: one pass per page that renders the body and collects what later passes
//! need (headings, links, code samples, searchable sections).

pub mod highlight;
pub mod info_string;
pub mod links;
pub mod render;
pub mod validate;

pub use render::{render, RenderedPage, Section};
