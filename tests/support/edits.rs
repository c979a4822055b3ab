//! A seeded, deterministic sequence of edits to a copy of the `basic` fixture: pages
//! created, edited, retitled, reordered, drafted, renamed, deleted, broken and fixed;
//! assets; templates; the stylesheet; the configuration. Shared by the convergence tests
//! over HTTP (`kb serve` as a process) and in process (the build session itself), which
//! include this file, so both walk the same sequences.

// Each includer uses part of it (the HTTP test lets the watcher find the touched paths).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// A small deterministic generator (xorshift64*), so the sequence needs no crate.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const WORDS: &[&str] = &[
    "latency", "pool", "cache", "queue", "shard", "replica", "index", "budget", "timeout", "retry",
];
const TAGS: &[&str] = &["go", "databases", "ops", "fresh"];

/// A page the sequence created and may change, rename or delete.
#[derive(Clone)]
struct Made {
    rel: String,
    title: String,
    weight: i64,
    draft: bool,
    tags: Vec<String>,
    body: String,
    broken: bool,
}

impl Made {
    fn text(&self) -> String {
        let mut fm = format!(
            "---\ntitle: \"{}\"\ndescription: A page made by the test.\nweight: {}\n",
            self.title, self.weight
        );
        if !self.tags.is_empty() {
            fm.push_str(&format!("tags: [{}]\n", self.tags.join(", ")));
        }
        if self.draft {
            fm.push_str("draft: true\n");
        }
        if self.broken {
            fm.push_str("weight: [unclosed\n");
        }
        format!("{fm}---\n{}\n", self.body)
    }
}

/// One edit: what it did, and every path it touched (as a file watcher reports them).
pub struct Edit {
    pub description: String,
    pub touched: Vec<PathBuf>,
}

/// The edit sequence over a site folder.
pub struct Edits {
    pub rng: Rng,
    root: PathBuf,
    theme: PathBuf,
    base_config: String,
    default_page: String,
    made: Vec<Made>,
    counter: usize,
    /// URLs of every page the sequence ever created (some are gone).
    pub urls_seen: Vec<String>,
}

impl Edits {
    /// Prepares `root` (a copy of the `basic` fixture): a theme folder of its own, so
    /// templates and the stylesheet can change too.
    pub fn new(root: &Path, seed: u64) -> Edits {
        let config = root.join("book.toml");
        let base_config = std::fs::read_to_string(&config).expect("book.toml");
        std::fs::write(&config, format!("{base_config}\n[kb]\ntheme = \"mine\"\n")).expect("write");
        let theme = root.join("themes/mine");
        std::fs::create_dir_all(theme.join("templates")).expect("mkdir");
        std::fs::create_dir_all(theme.join("static")).expect("mkdir");
        let default_page = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/page.html"),
        )
        .expect("default page template");
        std::fs::write(theme.join("templates/page.html"), &default_page).expect("write");
        std::fs::write(theme.join("static/style.css"), "body { margin: 0; }\n").expect("write");
        Edits {
            rng: Rng(seed | 1),
            root: root.to_path_buf(),
            theme,
            base_config,
            default_page,
            made: Vec::new(),
            counter: 0,
            urls_seen: Vec::new(),
        }
    }

    /// Whether a page's front matter is broken right now (the site does not build).
    pub fn broken(&self) -> bool {
        self.made.iter().any(|m| m.broken)
    }

    /// Fixes every broken page; the paths touched.
    pub fn fix_all(&mut self) -> Vec<PathBuf> {
        let mut touched = Vec::new();
        for i in 0..self.made.len() {
            if self.made[i].broken {
                self.made[i].broken = false;
                touched.extend(self.rewrite(i));
            }
        }
        touched
    }

    fn content(&self, rel: &str) -> PathBuf {
        self.root.join("content").join(rel)
    }

    fn rewrite(&self, i: usize) -> Vec<PathBuf> {
        atomic_write(&self.content(&self.made[i].rel), &self.made[i].text())
    }

    /// Makes the next edit.
    pub fn next(&mut self) -> Edit {
        self.counter += 1;
        let counter = self.counter;
        // Full rebuilds (theme, configuration) are rare so that the incremental paths have
        // long runs to go wrong in before a full rebuild would hide it.
        let action = match self.rng.below(20) {
            0..=3 => 0,
            4..=7 => 2,
            8 | 17 => 4,
            9 | 19 => 5,
            10 => 6,
            11 => 7,
            12 => 8,
            13 => 9,
            14 => 10,
            15 => 11,
            16 => 12,
            _ => 13,
        };
        let word = *self.rng.pick(WORDS);
        let any = !self.made.is_empty();
        let pick = if any {
            self.rng.below(self.made.len())
        } else {
            0
        };
        let (description, touched) = match action {
            0 => {
                // Create a page in an existing area (sometimes a new area).
                let area = *self.rng.pick(&["alpha", "beta", "gamma"]);
                let mut touched = Vec::new();
                let area_index = self.content("gamma/_index.md");
                if area == "gamma" && !area_index.exists() {
                    touched.push(self.content("gamma"));
                    touched.extend(atomic_write(&area_index, "---\ntitle: Gamma Area\ndescription: Made by the test.\nweight: 3\n---\nGamma.\n"));
                }
                let page = Made {
                    rel: format!("{area}/p{counter}.md"),
                    title: format!("Page {counter} {word}"),
                    weight: self.rng.below(5) as i64,
                    draft: false,
                    tags: vec![self.rng.pick(TAGS).to_string()],
                    body: format!("## About {word}\n\nText {counter}."),
                    broken: false,
                };
                touched.extend(atomic_write(&self.content(&page.rel), &page.text()));
                self.urls_seen
                    .push(format!("/{}/", page.rel.trim_end_matches(".md")));
                self.made.push(page);
                ("create page".to_string(), touched)
            }
            2 => {
                // Edit a fixture page's body.
                let rel =
                    *self
                        .rng
                        .pick(&["alpha/one.md", "beta/two.md", "index.md", "alpha/_index.md"]);
                let path = self.content(rel);
                let text = std::fs::read_to_string(&path).expect("read page");
                let touched =
                    atomic_write(&path, &format!("{text}\nMore about {word} ({counter}).\n"));
                (format!("edit body of {rel}"), touched)
            }
            4 if any => {
                self.made[pick].title = format!("Retitled {counter} {word}");
                (
                    format!("retitle {}", self.made[pick].rel),
                    self.rewrite(pick),
                )
            }
            5 if any => {
                self.made[pick].weight = self.rng.below(9) as i64 - 4;
                (
                    format!("reweight {}", self.made[pick].rel),
                    self.rewrite(pick),
                )
            }
            6 if any => {
                self.made[pick].draft = !self.made[pick].draft;
                (
                    format!("toggle draft {}", self.made[pick].rel),
                    self.rewrite(pick),
                )
            }
            7 if any => {
                let old = self.made[pick].rel.clone();
                let area = old.split('/').next().unwrap_or("alpha").to_string();
                self.made[pick].rel = format!("{area}/r{counter}.md");
                let (from, to) = (self.content(&old), self.content(&self.made[pick].rel));
                std::fs::rename(&from, &to).expect("rename");
                self.urls_seen
                    .push(format!("/{}/", self.made[pick].rel.trim_end_matches(".md")));
                (
                    format!("rename {old} to {}", self.made[pick].rel),
                    vec![from, to],
                )
            }
            8 if any => {
                let page = self.made.remove(pick);
                let path = self.content(&page.rel);
                std::fs::remove_file(&path).expect("delete");
                (format!("delete {}", page.rel), vec![path])
            }
            9 if any => {
                // Break a page's front matter (fixed before the end).
                self.made[pick].broken = !self.made[pick].broken;
                (
                    format!("break/fix {}", self.made[pick].rel),
                    self.rewrite(pick),
                )
            }
            10 => {
                let css = format!("body {{ margin: {}px; }}\n", self.rng.below(20));
                let touched = atomic_write(&self.theme.join("static/style.css"), &css);
                ("edit stylesheet".to_string(), touched)
            }
            11 => {
                let marked = self.default_page.replacen(
                    "{% block main %}",
                    &format!("{{% block main %}}<!-- step {counter} -->"),
                    1,
                );
                let touched = atomic_write(&self.theme.join("templates/page.html"), &marked);
                ("edit template".to_string(), touched)
            }
            12 => {
                let text = self
                    .base_config
                    .replace("Fixture Guide", &format!("Fixture Guide {counter}"));
                let touched = atomic_write(
                    &self.root.join("book.toml"),
                    &format!("{text}\n[kb]\ntheme = \"mine\"\n"),
                );
                ("edit book.toml".to_string(), touched)
            }
            _ => {
                // An asset appears or goes away; an editor's backup file comes and goes.
                let asset = self.content("alpha/notes.txt");
                if asset.exists() {
                    std::fs::remove_file(&asset).expect("remove asset");
                } else {
                    std::fs::write(&asset, format!("notes {counter}")).expect("write asset");
                }
                let backup = self.content("beta/two.md~");
                std::fs::write(&backup, "backup").expect("write backup");
                std::fs::remove_file(&backup).expect("remove backup");
                ("toggle asset".to_string(), vec![asset, backup])
            }
        };
        Edit {
            description,
            touched,
        }
    }
}

/// Writes `text` to `path` the way editors save: a temporary file renamed over it. Returns
/// both names, as a watcher sees them.
pub fn atomic_write(path: &Path, text: &str) -> Vec<PathBuf> {
    let tmp: PathBuf = path.with_file_name(format!(
        ".{}.tmp",
        path.file_name().expect("file name").to_string_lossy()
    ));
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(&tmp, text).expect("write temp");
    std::fs::rename(&tmp, path).expect("rename");
    vec![tmp, path.to_path_buf()]
}
