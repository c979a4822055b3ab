//! kb: a static site generator for knowledge bases, with offline full-text search.
//!
//! The library holds everything and exposes only what `main.rs` calls: [`Cli`] and [`run`].
//! Every module is private, so the compiler reports code nothing uses.
//! A build is a sequence of passes over plain data: [`content`] loads pages, [`markdown`]
//! renders them, [`render`] applies the theme's templates, and [`build`] writes the site.

mod agents;
mod build;
mod check;
mod cli;
mod commands;
mod config;
mod confine;
mod content;
mod diagnostic;
mod diagnostics;
mod failure;
mod limits;
mod markdown;
mod mcp;
mod position;
mod preprocess;
#[cfg(test)]
mod proptests;
mod render;
mod safe_url;
mod serve;
mod slug;
mod text_file;
mod trust;

pub use cli::Cli;
pub use commands::main as run;
