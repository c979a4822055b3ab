//! `kb check`: the checkers that verify content beyond what a build needs, namely code
//! samples (Go, and YAML/JSON/TOML/Protocol Buffers data blocks) and external links.

pub mod data_blocks;
pub mod external;
pub mod go;
pub mod sample;
pub mod site;
