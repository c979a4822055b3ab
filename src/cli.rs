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
    /// The content is not trusted (a pull request, a fork): run none of its code and reach
    /// no private address for it. Also set by the environment variable KB_UNTRUSTED=1.
    #[arg(long, global = true)]
    pub untrusted: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the output folder (default: ./book/).
    Build(BuildArgs),
    /// Write a small, working site (book.toml, a home page, a folder with a page) to start from.
    Init(InitArgs),
    /// Build the site in memory, serve it, and rebuild and reload open tabs on every change.
    Serve(ServeArgs),
    /// Search the site from the terminal (indexes first if the index is stale).
    Search(SearchArgs),
    /// Check links, anchors, front matter and code samples without writing the site.
    Check(CheckArgs),
    /// Serve the site to a coding agent over the Model Context Protocol (stdio): search,
    /// pages as Markdown, the table of contents; follows edits as they are saved.
    Mcp(McpArgs),
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

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Port to listen on; 0 picks a free one.
    #[arg(long, short, default_value_t = 3000)]
    pub port: u16,
    /// Address to listen on. Anything but a loopback address exposes the site to the network;
    /// 0.0.0.0 (every interface) answers requests that name the machine by IP address.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Also answer requests for this host name (repeatable), for port forwarding and
    /// proxies; a leading dot (`.app.github.dev`) allows the name and every name below it.
    #[arg(long = "allowed-host", value_name = "NAME")]
    pub allowed_hosts: Vec<String>,
    /// Open the site in the default browser.
    #[arg(long)]
    pub open: bool,
}

#[derive(Debug, Args)]
pub struct McpArgs {
    #[command(flatten)]
    pub site: SiteArgs,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query: words (all must match), "exact phrases", -exclude, title:, tag:, area:.
    pub query: String,
    #[command(flatten)]
    pub site: SiteArgs,
    /// Number of results (default: limit-results from book.toml).
    #[arg(long, short = 'n')]
    pub limit: Option<usize>,
    /// Only results from this area (its folder name, e.g. `databases`).
    #[arg(long)]
    pub area: Option<String>,
    /// Print the results as JSON (the same JSON the browser receives).
    #[arg(long)]
    pub json: bool,
}

/// Which external links `kb check --external` requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExternalScope {
    /// Every http(s) link, wherever it points.
    All,
    /// Only links to public addresses; loopback, private and link-local ones are refused.
    Public,
}

/// How `kb check` prints its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    /// `file:line:column: error: message`, for people, editors and CI logs.
    Human,
    /// A JSON array of diagnostics.
    Json,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    #[arg(long, value_enum, default_value = "human")]
    pub format: CheckFormat,
    /// Also request every external http(s) link; `--external=public` connects only to
    /// public addresses (the form untrusted mode allows).
    #[arg(
        long,
        value_enum,
        value_name = "SCOPE",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "all"
    )]
    pub external: Option<ExternalScope>,
    /// Seconds to wait for each external link.
    #[arg(long, default_value_t = 10)]
    pub timeout: u64,
    /// Fail on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
}

/// `kb init [DIR]`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder to create the site in; it must be empty or not exist yet.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Title of the new site.
    #[arg(long, default_value = "My knowledge base")]
    pub title: String,
}
