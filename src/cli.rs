//! The command line: raw arguments as clap parses them. Commands turn these into settings.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// kb: a static site generator for knowledge bases, with offline full-text search.
#[derive(Debug, Parser)]
#[command(name = "kb", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Print less: errors only.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more: each step and file.
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the output folder (default: ./book/).
    Build(BuildArgs),
}

/// Options shared by every command that reads a site.
#[derive(Debug, Args, Clone)]
pub struct SiteArgs {
    /// The site's root folder, where book.toml is.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Include pages marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Output folder (default: `build-dir` from book.toml, else ./book/).
    #[arg(long, short)]
    pub dest: Option<PathBuf>,
    /// Fail the build when there are warnings.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Print how long each step took.
    #[arg(long)]
    pub timings: bool,
}
