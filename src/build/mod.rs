//! Building a site: the passes ([`passes`]), the one orchestration that runs them once or
//! again and again ([`session`]), what a change means ([`changes`]) and what an output
//! file was made from ([`outputs`]), where files go ([`output`]), and the search index
//! ([`search`]).
//!
//! `build/` orchestrates only: loading is `content/`, Markdown and link validation are
//! `markdown/`, templates and output files are `render/`.

pub mod changes;
pub mod output;
pub mod outputs;
pub mod passes;
pub mod search;
pub mod session;
pub mod timings;

pub use passes::BuildOptions;
