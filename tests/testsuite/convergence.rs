//! The guarantee of `kb serve`, end to end over HTTP: after any sequence of edits, what it
//! serves is byte for byte what `kb build` writes from the final files (the injected
//! reload script aside).
//!
//! A seeded, deterministic sequence of edits (pages created, edited, retitled, reordered,
//! drafted, renamed, deleted, broken and fixed; assets; templates; the stylesheet; the
//! configuration) is applied to a copy of the fixture while the server runs, sometimes one
//! at a time, sometimes in bursts. At checkpoints and at the end every built file is
//! fetched and compared. `KB_SERVE_SEED=<n>` replays another sequence.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::server::{atomic_write, differences, Server, PATIENCE};
use crate::site::{built_files, TestSite};

/// A small deterministic generator (xorshift64*), so the sequence needs no crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const WORDS: &[&str] = &[
    "latency", "pool", "cache", "queue", "shard", "replica", "index", "budget", "timeout", "retry",
];
const TAGS: &[&str] = &["go", "databases", "ops", "fresh"];

/// A page the test created and may change, rename or delete.
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

#[test]
fn served_site_converges_to_the_built_site() {
    let seed: u64 = std::env::var("KB_SERVE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x6b62_7365_7276_6531);
    let steps: usize = std::env::var("KB_SERVE_STEPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let mut rng = Rng(seed | 1);
    let site = TestSite::fixture("basic");
    let root = site.root();
    // A theme folder, so templates and the stylesheet can change too.
    let config = root.join("book.toml");
    let base_config = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{base_config}\n[kb]\ntheme = \"mine\"\n")).unwrap();
    let theme = root.join("themes/mine");
    std::fs::create_dir_all(theme.join("templates")).unwrap();
    std::fs::create_dir_all(theme.join("static")).unwrap();
    let default_page = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/page.html"),
    )
    .unwrap();
    std::fs::write(theme.join("templates/page.html"), &default_page).unwrap();
    std::fs::write(theme.join("static/style.css"), "body { margin: 0; }\n").unwrap();

    let server = site.serve(&[]);
    let (mut socket, _) = server.livereload();
    let mut made: Vec<Made> = Vec::new();
    let mut urls_seen: Vec<String> = Vec::new();
    let mut counter = 0;
    let mut log = Vec::new();

    for step in 0..steps {
        counter += 1;
        // Full rebuilds (theme, configuration) are rare so that the incremental paths have
        // long runs to go wrong in before a full rebuild would hide it.
        let action = match rng.below(20) {
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
        let word = *rng.pick(WORDS);
        let description = match action {
            0 => {
                // Create a page in an existing area (sometimes a new area).
                let area = *rng.pick(&["alpha", "beta", "gamma"]);
                if area == "gamma" && !root.join("content/gamma/_index.md").exists() {
                    atomic_write(&root.join("content/gamma/_index.md"), "---\ntitle: Gamma Area\ndescription: Made by the test.\nweight: 3\n---\nGamma.\n");
                }
                let page = Made {
                    rel: format!("{area}/p{counter}.md"),
                    title: format!("Page {counter} {word}"),
                    weight: rng.below(5) as i64,
                    draft: false,
                    tags: vec![rng.pick(TAGS).to_string()],
                    body: format!("## About {word}\n\nText {counter}."),
                    broken: false,
                };
                atomic_write(&root.join("content").join(&page.rel), &page.text());
                urls_seen.push(format!("/{}/", page.rel.trim_end_matches(".md")));
                made.push(page);
                "create page".to_string()
            }
            2 => {
                // Edit a fixture page's body.
                let rel =
                    *rng.pick(&["alpha/one.md", "beta/two.md", "index.md", "alpha/_index.md"]);
                let path = root.join("content").join(rel);
                let text = std::fs::read_to_string(&path).unwrap();
                atomic_write(&path, &format!("{text}\nMore about {word} ({counter}).\n"));
                format!("edit body of {rel}")
            }
            4 if !made.is_empty() => {
                let i = rng.below(made.len());
                made[i].title = format!("Retitled {counter} {word}");
                atomic_write(&root.join("content").join(&made[i].rel), &made[i].text());
                format!("retitle {}", made[i].rel)
            }
            5 if !made.is_empty() => {
                let i = rng.below(made.len());
                made[i].weight = rng.below(9) as i64 - 4;
                atomic_write(&root.join("content").join(&made[i].rel), &made[i].text());
                format!("reweight {}", made[i].rel)
            }
            6 if !made.is_empty() => {
                let i = rng.below(made.len());
                made[i].draft = !made[i].draft;
                atomic_write(&root.join("content").join(&made[i].rel), &made[i].text());
                format!("toggle draft {}", made[i].rel)
            }
            7 if !made.is_empty() => {
                let i = rng.below(made.len());
                let old = made[i].rel.clone();
                let area = old.split('/').next().unwrap().to_string();
                made[i].rel = format!("{area}/r{counter}.md");
                std::fs::rename(
                    root.join("content").join(&old),
                    root.join("content").join(&made[i].rel),
                )
                .unwrap();
                urls_seen.push(format!("/{}/", made[i].rel.trim_end_matches(".md")));
                format!("rename {old} to {}", made[i].rel)
            }
            8 if !made.is_empty() => {
                let i = rng.below(made.len());
                let page = made.remove(i);
                std::fs::remove_file(root.join("content").join(&page.rel)).unwrap();
                format!("delete {}", page.rel)
            }
            9 if !made.is_empty() => {
                // Break a page's front matter (fixed before the end).
                let i = rng.below(made.len());
                made[i].broken = !made[i].broken;
                atomic_write(&root.join("content").join(&made[i].rel), &made[i].text());
                format!("break/fix {}", made[i].rel)
            }
            10 => {
                let css = format!("body {{ margin: {}px; }}\n", rng.below(20));
                atomic_write(&theme.join("static/style.css"), &css);
                "edit stylesheet".to_string()
            }
            11 => {
                let marked = default_page.replacen(
                    "{% block main %}",
                    &format!("{{% block main %}}<!-- step {counter} -->"),
                    1,
                );
                atomic_write(&theme.join("templates/page.html"), &marked);
                "edit template".to_string()
            }
            12 => {
                let text =
                    base_config.replace("Fixture Guide", &format!("Fixture Guide {counter}"));
                atomic_write(&config, &format!("{text}\n[kb]\ntheme = \"mine\"\n"));
                "edit book.toml".to_string()
            }
            _ => {
                // An asset appears or goes away; an editor's backup file comes and goes.
                let asset = root.join("content/alpha/notes.txt");
                if asset.exists() {
                    std::fs::remove_file(&asset).unwrap();
                } else {
                    std::fs::write(&asset, format!("notes {counter}")).unwrap();
                }
                let backup = root.join("content/beta/two.md~");
                std::fs::write(&backup, "backup").unwrap();
                std::fs::remove_file(&backup).unwrap();
                "toggle asset".to_string()
            }
        };
        log.push(format!("step {step}: {description}"));
        // Mostly wait for the rebuild; sometimes keep typing (bursts that share a batch).
        if rng.below(3) != 0 {
            socket.next(Duration::from_secs(5));
        }
        if step % 4 == 3 && !made.iter().any(|m| m.broken) {
            check(&server, root, &urls_seen, &log);
        }
    }
    // Fix whatever is still broken, then compare.
    for page in made.iter_mut().filter(|m| m.broken) {
        page.broken = false;
        atomic_write(&root.join("content").join(&page.rel), &page.text());
    }
    check(&server, root, &urls_seen, &log);
}

/// Waits (bounded) until the served site equals a fresh build, and pages that are gone 404.
fn check(server: &Server, root: &Path, urls_seen: &[String], log: &[String]) {
    let built = built_files(root)
        .unwrap_or_else(|e| panic!("the final files do not build:\n{e}\n{}", log.join("\n")));
    let deadline = Instant::now() + PATIENCE;
    loop {
        let mut diffs = differences(server, &built);
        for url in urls_seen {
            let file = format!("{}index.html", url.trim_start_matches('/'));
            if !built.contains_key(&file) && server.get(url).status != 404 {
                diffs.push(format!(
                    "{url}: still served, but the build has no such page"
                ));
            }
        }
        if diffs.is_empty() {
            return;
        }
        if Instant::now() > deadline {
            panic!(
                "served site differs from the build:\n{}\n\nedits:\n{}\n\nserver:\n{}",
                diffs.join("\n"),
                log.join("\n"),
                server.stderr()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
