//! `kb check`: the checkers that verify content beyond what a build needs, namely code
//! samples (Go, and YAML/JSON/TOML/Protocol Buffers data blocks) and external links.

pub(crate) mod budget;
pub(crate) mod data_blocks;
pub(crate) mod external;
pub(crate) mod go;
pub(crate) mod public_only;
pub(crate) mod sample;
pub(crate) mod site;
