//! `kb init [DIR]`: writes a small site that builds as it is, like `mdbook init`, and says
//! what to run next. It never overwrites: the folder must be new or empty.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context as _};

use crate::cli::InitArgs;
use crate::failure::Failure;

/// The files of a new site, by path relative to its folder. `{title}` is replaced.
const FILES: &[(&str, &str)] = &[
    (
        "book.toml",
        "[book]\ntitle = \"{title}\"\nsrc = \"content\"\n\n[build]\nbuild-dir = \"book\"\n\n\
         # kb's own keys; this table also marks the folder as a kb site (not an mdBook book).\n\
         [kb]\n# Front matter fields every page must have, e.g. [\"title\", \"description\"].\n\
         required-fields = []\n",
    ),
    (
        "content/index.md",
        "# {title}\n\nWelcome. Every Markdown file under `content/` is a page; front matter is \
         optional.\n\nStart with [the first guide page](guide/first-page.md).\n",
    ),
    (
        "content/guide/README.md",
        "# Guide\n\nA folder's `README.md` (or `index.md`) is its index page; each top-level \
         folder is an area of the site.\n",
    ),
    (
        "content/guide/first-page.md",
        "---\ntitle: First page\ndescription: What a page with front matter looks like.\n---\n\n\
         Write Markdown here. Code blocks are highlighted at build time:\n\n```go\n\
         package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"hello\")\n}\n```\n\n\
         ## Next steps\n\nRun `kb serve` and edit this file: the page reloads as you save.\n",
    ),
];

pub(crate) fn run(args: &InitArgs) -> Result<ExitCode, Failure> {
    init(&args.dir, &args.title)?;
    let shown = args.dir.display();
    eprintln!("Created a new site in {shown}. Next:");
    if args.dir != Path::new(".") {
        eprintln!("  cd {shown}");
    }
    eprintln!("  kb serve     # preview at http://127.0.0.1:3000, reloading on every save");
    eprintln!("  kb build     # write the site to book/");
    Ok(ExitCode::SUCCESS)
}

/// Writes the new site's files into `dir`.
fn init(dir: &Path, title: &str) -> anyhow::Result<()> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                bail!(
                    "{} is not empty; kb init writes only into a new or empty folder (try `kb init my-site`)",
                    dir.display()
                );
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", dir.display())),
    }
    // A title is written into TOML and Markdown: keep it to one plain line.
    let title: String = title
        .chars()
        .filter(|c| !c.is_control() && *c != '"' && *c != '\\')
        .collect();
    for (rel, text) in FILES {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, text.replace("{title}", &title))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_a_folder_with_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.md"), "mine").unwrap();
        let err = init(dir.path(), "X").unwrap_err().to_string();
        assert!(err.contains("is not empty"), "{err}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("notes.md")).unwrap(),
            "mine"
        );
    }

    #[test]
    fn a_title_cannot_break_the_toml() {
        let dir = tempfile::tempdir().unwrap();
        init(&dir.path().join("new"), "A \"quoted\"\ntitle").unwrap();
        let toml = std::fs::read_to_string(dir.path().join("new/book.toml")).unwrap();
        assert!(toml.contains("title = \"A quotedtitle\""), "{toml}");
    }
}
