//! Building a site: the passes ([`passes`]), streamed into the output by `kb build`
//! ([`stream`]), the one orchestration that runs them once or
//! again and again ([`session`]), what a change means ([`changes`]) and what an output
//! file was made from ([`outputs`]), where pages' rendered HTML is kept ([`bodies`]), where
//! files go ([`output`], [`staging`]), and the search index ([`search`]).
//!
//! `build/` orchestrates only: loading is `content/`, Markdown and link validation are
//! `markdown/`, templates and output files are `render/`.

pub(crate) mod bodies;
pub(crate) mod changes;
pub(crate) mod output;
pub(crate) mod outputs;
pub(crate) mod passes;
pub(crate) mod progress;
pub(crate) mod search;
pub(crate) mod session;
pub(crate) mod staging;
pub(crate) mod stream;
pub(crate) mod timings;

pub(crate) use passes::BuildOptions;
