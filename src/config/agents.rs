//! `[kb.agents]`: the files kb writes for coding agents (`llms.txt`, `llms-full.txt` and a
//! Markdown twin of every page), as written and as validated.

use serde::Deserialize;

/// `[kb.agents]` as written. Everything is on by default.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawAgents {
    /// Write `llms.txt` and `llms-full.txt` at the site root.
    pub llms_txt: Option<bool>,
    /// Write a Markdown twin beside every page's HTML.
    pub markdown_twins: Option<bool>,
    /// Pages left out of `llms.txt` and `llms-full.txt`: content-relative path prefixes
    /// (`internal/`, `drafts/old.md`). Their twins are still written.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// `llms-full.txt` stops before the page that would take it past this many bytes.
    pub llms_full_max_bytes: Option<usize>,
}

/// Below this, `llms-full.txt` holds a whole 10,000-page site of typical pages; above,
/// an agent's context could not take it in anyway.
const DEFAULT_LLMS_FULL_MAX_BYTES: usize = 16 * 1024 * 1024;

/// What the site writes for agents.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AgentsConfig {
    pub llms_txt: bool,
    pub markdown_twins: bool,
    /// Content-relative path prefixes left out of the llms files.
    pub exclude: Vec<String>,
    pub llms_full_max_bytes: usize,
}

impl Default for AgentsConfig {
    fn default() -> Self {
        RawAgents::default().validated()
    }
}

impl RawAgents {
    /// The validated options (every value is valid as written).
    pub(crate) fn validated(self) -> AgentsConfig {
        AgentsConfig {
            llms_txt: self.llms_txt.unwrap_or(true),
            markdown_twins: self.markdown_twins.unwrap_or(true),
            exclude: self
                .exclude
                .into_iter()
                .map(|p| p.trim_start_matches('/').to_string())
                .collect(),
            llms_full_max_bytes: self
                .llms_full_max_bytes
                .unwrap_or(DEFAULT_LLMS_FULL_MAX_BYTES),
        }
    }
}

impl AgentsConfig {
    /// Whether the page at content-relative path `rel` is listed in the llms files.
    pub(crate) fn lists(&self, rel: &str) -> bool {
        !self.exclude.iter().any(|prefix| rel.starts_with(prefix))
    }
}
