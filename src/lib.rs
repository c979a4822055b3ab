//! kb: a static site generator for knowledge bases, with offline full-text search.
//!
//! The library holds everything; `main.rs` only parses arguments and prints errors.
//! A build is a sequence of passes over plain data: [`content`] loads pages, [`markdown`]
//! renders them, [`render`] applies the theme's templates, and [`build`] writes the site.

pub mod build;
pub mod check;
pub mod cli;
pub mod commands;
pub mod config;
pub mod content;
pub mod diagnostic;
pub mod markdown;
mod position;
pub mod render;
pub mod serve;
