//! Docs that coding agents can read: a Markdown twin of every page and its script twin
//! ([`twin`]), `llms.txt` and `llms-full.txt` ([`llms`]). They are files of the site like the sitemap:
//! made from the assembled site, written through the build's sink, and recorded by an
//! incremental session like any other output (so they change and disappear with pages).

pub(crate) mod llms;
pub(crate) mod twin;

use std::collections::HashMap;

use rayon::prelude::*;

use crate::build::progress::{Progress, ProgressStyle};
use crate::config::Settings;
use crate::content::Site;
use crate::diagnostic::Diagnostic;
use crate::diagnostics::Diagnostics;

/// Makes page `i`'s Markdown twin text (see [`twin::twin`]): from the Markdown the page
/// keeps, or read again from its file when it was left on disk, which can fail.
pub(crate) type TwinOf<'a> = dyn Fn(usize) -> Result<String, Diagnostic> + Sync + 'a;

/// Pages whose twins are made at once by [`files`]: enough to keep every core busy, few
/// enough that only their twins are alive at a time.
const CHUNK: usize = 1024;

/// The agents' files of `site`, as `[kb.agents]` asks: the twins and their scripts, then
/// `llms.txt` and `llms-full.txt`, each page's twin made by `twin_of`. Each file goes to
/// `put` as soon as it is made and only what `put` returns is kept, with the twins
/// `llms-full.txt` may need ([`FullTextKeeper`]): at 100,000 pages the twins and their
/// scripts are gigabytes, more than anything `kb serve` keeps.
pub(crate) fn files<T: Send>(
    settings: &Settings,
    site: &Site,
    twin_of: &TwinOf<'_>,
    put: &(dyn Fn(String, Vec<u8>) -> T + Sync),
    progress: ProgressStyle,
) -> Result<Vec<T>, Diagnostics> {
    let agents = &settings.agents;
    if !agents.markdown_twins && !agents.llms_txt {
        return Ok(Vec::new());
    }
    let mut keeper = FullTextKeeper::new(settings, site);
    let mut files = Vec::new();
    let pages: Vec<usize> = (0..site.pages.len()).collect();
    let progress = Progress::new(progress, pages.len(), "twins");
    let bar = progress.bar();
    for chunk in pages.chunks(CHUNK) {
        let wanted = |i: usize| keeper.as_ref().is_some_and(|kept| kept.wants(i));
        let made = made(chunk.par_iter().map(|&i| {
            let mut out = Vec::new();
            bar.inc(1);
            progress.report();
            if !agents.markdown_twins && !wanted(i) {
                return Ok((out, None));
            }
            let text = twin_of(i)?;
            let kept = wanted(i).then(|| text.clone());
            if agents.markdown_twins {
                let url = &site.pages[i].url;
                let script = twin::twin_script(&text).into_bytes();
                out.push(put(twin::twin_script_file(url), script));
                out.push(put(twin::twin_file(url), text.into_bytes()));
            }
            Ok((out, kept))
        }))?;
        for (&i, (mut out, kept)) in chunk.iter().zip(made) {
            files.append(&mut out);
            if let (Some(keeper), Some(text)) = (keeper.as_mut(), kept) {
                keeper.offer(i, text);
            }
        }
    }
    progress.finish();
    if let Some(keeper) = keeper {
        let llms = keeper.files(settings, site).into_iter();
        files.extend(llms.map(|(path, bytes)| put(path, bytes)));
    }
    Ok(files)
}

/// Every twin of `twins`, in order, or every error making them.
fn made<T: Send>(
    twins: impl IndexedParallelIterator<Item = Result<T, Diagnostic>>,
) -> Result<Vec<T>, Diagnostics> {
    let results: Vec<Result<T, Diagnostic>> = twins.collect();
    let mut errors = Vec::new();
    let mut made = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Ok(twin) => made.push(twin),
            Err(e) => errors.push(e),
        }
    }
    match errors.is_empty() {
        true => Ok(made),
        false => Err(errors.into()),
    }
}

/// The agents' files a body edit of pages `edited` (front matter unchanged) may change:
/// their twins and scripts, and `llms-full.txt`. `llms.txt` is written again as well; it
/// holds titles and descriptions only, so its bytes do not change. Unlike [`files`], this
/// does not make every page's twin again (at 100,000 pages that was most of an edit's
/// time): `kept` holds, by page, the twins `llms-full.txt` was last made from; only the
/// edited pages' twins, and those of pages `llms-full.txt` newly reaches, are made (by
/// `twin_of`). `kept` must be emptied whenever anything but a body edit changes the site.
pub(crate) fn files_after_body_edit(
    settings: &Settings,
    site: &Site,
    edited: &[usize],
    kept: &mut HashMap<usize, String>,
    twin_of: &TwinOf<'_>,
) -> Result<Vec<(String, Vec<u8>)>, Diagnostics> {
    let agents = &settings.agents;
    let twins = made(edited.par_iter().map(|&i| twin_of(i)))?;
    let mut made_now: HashMap<usize, String> = edited.iter().copied().zip(twins).collect();
    let mut files = Vec::new();
    if agents.llms_txt {
        for &i in edited {
            kept.insert(i, made_now[&i].clone());
        }
        // The pages `llms-full.txt` holds, the way it decides: in reading order, up to the
        // first twin that would take it to the cap.
        let listed = llms::listed_pages(settings, site);
        let cap = agents.llms_full_max_bytes;
        let mut bytes = llms::header(settings).len();
        // The place of the first page left out (the last one it reads).
        let mut cut = listed.len();
        'listed: for (c, chunk) in listed.chunks(64).enumerate() {
            let missing: Vec<usize> = chunk
                .iter()
                .copied()
                .filter(|i| !kept.contains_key(i))
                .collect();
            let twins = made(missing.par_iter().map(|&i| twin_of(i)))?;
            kept.extend(missing.into_iter().zip(twins));
            for (k, i) in chunk.iter().enumerate() {
                let length = kept[i].len();
                if bytes + length >= cap {
                    cut = c * 64 + k;
                    break 'listed;
                }
                bytes += length + 1;
            }
        }
        // Pages after the cut never reach llms-full.txt, and the cut is decided by the
        // pages before it: an edit there changes neither file (llms.txt holds titles and
        // descriptions). Making the files again would cost the cap's worth of text.
        let reaches = listed
            .iter()
            .take(cut.saturating_add(1))
            .any(|i| made_now.contains_key(i));
        if reaches {
            files = llms_files(settings, site, &|i| kept.get(&i).map(String::as_str));
        }
    }
    if agents.markdown_twins {
        for &i in edited {
            let text = made_now.remove(&i).unwrap_or_default();
            let url = &site.pages[i].url;
            files.push((
                twin::twin_script_file(url),
                twin::twin_script(&text).into_bytes(),
            ));
            files.push((twin::twin_file(url), text.into_bytes()));
        }
    }
    Ok(files)
}

/// `llms.txt` and `llms-full.txt` when `[kb.agents]` asks for them, with each page's twin
/// from `twin` (see [`llms::llms_full_txt`]).
fn llms_files<'t>(
    settings: &Settings,
    site: &Site,
    twin: &dyn Fn(usize) -> Option<&'t str>,
) -> Vec<(String, Vec<u8>)> {
    let agents = &settings.agents;
    if !agents.llms_txt {
        return Vec::new();
    }
    let link = |i: usize| match agents.markdown_twins {
        true => twin::twin_file(&site.pages[i].url),
        false if site.pages[i].url.is_empty() => "./".to_string(),
        false => site.pages[i].url.clone(),
    };
    vec![
        (
            "llms.txt".to_string(),
            llms::llms_txt(settings, site, &link).into_bytes(),
        ),
        (
            "llms-full.txt".to_string(),
            llms::llms_full_txt(settings, site, twin).into_bytes(),
        ),
    ]
}

/// The twins `llms-full.txt` needs, kept while a streamed build writes the pages and drops
/// their Markdown: `llms-full.txt` holds the listed twins in reading order up to a size cap,
/// so once the twins before a page are known to fill the cap, that page's twin is dropped.
/// What is kept stays within twice the cap, whatever order the pages come in.
pub(crate) struct FullTextKeeper {
    /// Each page's place among the listed pages in reading order, if it is listed.
    place: Vec<Option<usize>>,
    /// By place: the twin's length once known, and its text while it may be needed.
    lengths: Vec<Option<usize>>,
    texts: Vec<Option<String>>,
    /// The first place known not to fit: no twin from there on is needed.
    cut: usize,
    kept_bytes: usize,
    cap: usize,
    /// The bytes before the first twin (the header).
    start: usize,
}

impl FullTextKeeper {
    /// A keeper for `site`, or `None` when no `llms-full.txt` is written.
    pub(crate) fn new(settings: &Settings, site: &Site) -> Option<FullTextKeeper> {
        if !settings.agents.llms_txt {
            return None;
        }
        let listed = llms::listed_pages(settings, site);
        let mut place = vec![None; site.pages.len()];
        for (k, &i) in listed.iter().enumerate() {
            place[i] = Some(k);
        }
        Some(FullTextKeeper {
            place,
            lengths: vec![None; listed.len()],
            texts: vec![None; listed.len()],
            cut: listed.len(),
            kept_bytes: 0,
            cap: settings.agents.llms_full_max_bytes,
            start: llms::header(settings).len(),
        })
    }

    /// Whether page `i`'s twin may still be needed.
    pub(crate) fn wants(&self, i: usize) -> bool {
        self.place[i].is_some_and(|k| k < self.cut)
    }

    /// Page `i`'s twin, made.
    pub(crate) fn offer(&mut self, i: usize, text: String) {
        let Some(k) = self.place[i] else { return };
        self.lengths[k] = Some(text.len());
        if k < self.cut {
            self.kept_bytes += text.len();
            self.texts[k] = Some(text);
        }
        if self.kept_bytes > 2 * self.cap {
            self.prune();
        }
    }

    /// Finds the first place whose twin cannot fit even if every unknown twin before it
    /// were empty, and drops the twins from there on.
    fn prune(&mut self) {
        let mut bytes = self.start;
        for (k, length) in self.lengths.iter().enumerate().take(self.cut) {
            let Some(length) = length else { continue };
            if bytes + length >= self.cap {
                self.cut = k;
                break;
            }
            bytes += length + 1;
        }
        for text in &mut self.texts[self.cut..] {
            if let Some(text) = text.take() {
                self.kept_bytes -= text.len();
            }
        }
    }

    /// `llms.txt` and `llms-full.txt` of `site`, from the twins kept.
    pub(crate) fn files(self, settings: &Settings, site: &Site) -> Vec<(String, Vec<u8>)> {
        let twin = |i: usize| self.place[i].and_then(|k| self.texts[k].as_deref());
        llms_files(settings, site, &twin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::session::fixture::copy_fixture;
    use crate::content::Loader;
    use crate::markdown::RenderedPage;

    /// The `basic` fixture with twins and llms files on: its folder (kept alive), settings,
    /// site and every page's rendering.
    fn basic_site() -> (tempfile::TempDir, Settings, Site, Vec<RenderedPage>) {
        let (dir, root) = copy_fixture("basic");
        let mut settings = Settings::load(&root).expect("fixture loads");
        settings.agents.markdown_twins = true;
        settings.agents.llms_txt = true;
        let (site, _) = Loader::new(&settings, false).load_site();
        let rendered = site
            .pages
            .iter()
            .map(|page| render(&settings, page))
            .collect();
        (dir, settings, site, rendered)
    }

    /// Every file of [`files`], each twin made from the Markdown the page keeps.
    fn all_files(
        settings: &Settings,
        site: &Site,
        rendered: &[RenderedPage],
    ) -> Vec<(String, Vec<u8>)> {
        let twin_of = kept_twin(settings, site, rendered);
        files(
            settings,
            site,
            &twin_of,
            &|path, bytes| (path, bytes),
            ProgressStyle::Off,
        )
        .expect("twins are made")
    }

    /// The files after a body edit of `edited`, twins made from the Markdown pages keep.
    fn edit_files(
        settings: &Settings,
        site: &Site,
        rendered: &[RenderedPage],
        edited: &[usize],
        kept: &mut HashMap<usize, String>,
    ) -> Vec<(String, Vec<u8>)> {
        let twin_of = kept_twin(settings, site, rendered);
        files_after_body_edit(settings, site, edited, kept, &twin_of).expect("twins are made")
    }

    fn kept_twin<'a>(
        settings: &'a Settings,
        site: &'a Site,
        rendered: &'a [RenderedPage],
    ) -> impl Fn(usize) -> Result<String, Diagnostic> + Sync + 'a {
        |i| Ok(twin::twin(settings, site, &site.pages[i], &rendered[i].source_links).text)
    }

    fn render(settings: &Settings, page: &crate::content::Page) -> RenderedPage {
        let options = crate::markdown::RenderOptions::of(settings, crate::trust::Trust::default());
        crate::markdown::render_with(page, &options)
    }

    /// A body edit writes only the edited pages' twins and the llms files: each must be
    /// byte for byte what making every file again gives, whatever the size cap.
    #[test]
    fn the_files_after_a_body_edit_are_those_of_a_full_remake() {
        let (_dir, mut settings, site, rendered) = basic_site();
        let edited = [0, site.pages.len() - 1];
        // Kept across caps as across edits: what was kept for one cap is still each
        // page's twin.
        let mut kept = HashMap::new();
        for cap in [0, 200, 2_000, 10_000_000, 500] {
            settings.agents.llms_full_max_bytes = cap;
            let all: std::collections::BTreeMap<String, Vec<u8>> =
                all_files(&settings, &site, &rendered).into_iter().collect();
            let some = edit_files(&settings, &site, &rendered, &edited, &mut kept);
            assert_eq!(some.len(), 2 + 2 * edited.len(), "cap {cap}");
            for (path, bytes) in some {
                assert_eq!(
                    String::from_utf8_lossy(&bytes),
                    String::from_utf8_lossy(&all[&path]),
                    "{path}, cap {cap}"
                );
            }
        }
    }

    /// An edit of a page past llms-full.txt's cut writes only that page's twins: the llms
    /// files would come out the same.
    #[test]
    fn an_edit_past_the_cut_leaves_the_llms_files_alone() {
        let (_dir, mut settings, mut site, mut rendered) = basic_site();
        settings.agents.llms_full_max_bytes = 500;
        let full = |site: &Site, rendered: &[RenderedPage]| {
            all_files(&settings, site, rendered)
                .into_iter()
                .find(|(path, _)| path == "llms-full.txt")
                .map(|(_, bytes)| bytes)
        };
        let before = full(&site, &rendered);
        let last = site.pages.len() - 1;
        site.pages[last]
            .body
            .push_str("\nA sentence added by the edit.\n");
        rendered[last] = render(&settings, &site.pages[last]);
        let mut kept = HashMap::new();
        let some = edit_files(&settings, &site, &rendered, &[last], &mut kept);
        let paths: Vec<&str> = some.iter().map(|(path, _)| path.as_str()).collect();
        assert_eq!(paths.len(), 2, "{paths:?}");
        assert!(paths
            .iter()
            .all(|p| p.ends_with(".md") || p.ends_with(".md.js")));
        assert_eq!(full(&site, &rendered), before, "llms-full.txt is the same");
        // The first page is always inside the cut.
        let some = edit_files(&settings, &site, &rendered, &[0], &mut kept);
        assert_eq!(some.len(), 4);
    }

    #[test]
    fn kept_twins_give_the_full_text_of_all_twins_in_any_order() {
        let (_dir, root) = copy_fixture("basic");
        let mut settings = Settings::load(&root).expect("fixture loads");
        let (site, _) = Loader::new(&settings, false).load_site();
        let twins: Vec<String> = site
            .pages
            .iter()
            // Links left as written: only the texts' lengths and order matter here.
            .map(|page| twin::twin(&settings, &site, page, &[]).text)
            .collect();
        let total: usize = twins.iter().map(String::len).sum();
        let forward: Vec<usize> = (0..site.pages.len()).collect();
        let backward: Vec<usize> = forward.iter().rev().copied().collect();
        let mut cut_short = 0;
        for cap in [0, 60, total / 4, total / 2, total + 1_000] {
            settings.agents.llms_full_max_bytes = cap;
            let all = |i: usize| Some(twins[i].as_str());
            let expected = llms::llms_full_txt(&settings, &site, &all);
            cut_short += usize::from(expected.contains("stops here"));
            for order in [&forward, &backward] {
                let mut kept = FullTextKeeper::new(&settings, &site).expect("llms.txt is on");
                for &i in order {
                    if kept.wants(i) {
                        kept.offer(i, twins[i].clone());
                    }
                    assert!(kept.kept_bytes <= 2 * cap, "{} kept", kept.kept_bytes);
                }
                let files = kept.files(&settings, &site);
                let full = &files
                    .iter()
                    .find(|(p, _)| p == "llms-full.txt")
                    .expect("written")
                    .1;
                assert_eq!(String::from_utf8_lossy(full), expected, "cap {cap}");
            }
        }
        assert!(cut_short >= 3, "the caps must cut the text short");
    }
}
