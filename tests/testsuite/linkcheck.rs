//! A link check over a built site: every `href` and `src` of every HTML file resolves to a
//! file of the output, and every `#fragment` to an `id` in the target page.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The attribute values named `attr` in `html` (`href="..."`), as written.
fn attribute_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&needle) {
        rest = &rest[i + needle.len()..];
        if let Some(end) = rest.find('"') {
            out.push(&rest[..end]);
            rest = &rest[end..];
        }
    }
    out
}

/// Every broken link of the site in `out`, as `file: link (why)`.
pub(crate) fn broken_links(out: &Path) -> Vec<String> {
    let mut pages: BTreeMap<String, String> = BTreeMap::new();
    let mut files: BTreeSet<String> = BTreeSet::new();
    for entry in walkdir::WalkDir::new(out) {
        let entry = entry.expect("walk the output");
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(out)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel.ends_with(".html") {
            pages.insert(rel.clone(), std::fs::read_to_string(entry.path()).unwrap());
        }
        files.insert(rel);
    }
    let ids: BTreeMap<&str, BTreeSet<&str>> = pages
        .iter()
        .map(|(rel, html)| {
            (
                rel.as_str(),
                attribute_values(html, "id").into_iter().collect(),
            )
        })
        .collect();
    let mut broken = Vec::new();
    for (rel, html) in &pages {
        // The 404 page resolves its links against <base href>, not its own place.
        if rel == "404.html" {
            continue;
        }
        let folder = rel.rsplit_once('/').map_or("", |(dir, _)| dir);
        for link in attribute_values(html, "href")
            .into_iter()
            .chain(attribute_values(html, "src"))
        {
            let link = link.replace("&amp;", "&");
            if link.contains(':') || link.starts_with("//") || link.is_empty() {
                continue;
            }
            let (path, fragment) = link
                .split_once('#')
                .map_or((link.as_str(), None), |(p, f)| (p, Some(f)));
            let path = path.split('?').next().unwrap_or("");
            let target = if path.is_empty() {
                Some(rel.clone())
            } else {
                resolve(folder, path).map(|t| {
                    if t.is_empty()
                        || t.ends_with('/')
                        || files.contains(&format!("{t}/index.html"))
                    {
                        format!(
                            "{}index.html",
                            if t.is_empty() || t.ends_with('/') {
                                t
                            } else {
                                format!("{t}/")
                            }
                        )
                    } else {
                        t
                    }
                })
            };
            let Some(target) = target else {
                broken.push(format!("{rel}: {link} (climbs out of the site)"));
                continue;
            };
            if !files.contains(&target) {
                broken.push(format!("{rel}: {link} (no file {target})"));
                continue;
            }
            if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
                let fragment = percent_decode(fragment);
                if !ids
                    .get(target.as_str())
                    .is_some_and(|ids| ids.contains(fragment.as_str()))
                {
                    broken.push(format!("{rel}: {link} (no id {fragment} in {target})"));
                }
            }
        }
    }
    broken
}

fn resolve(folder: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = if path.starts_with('/') {
        Vec::new()
    } else {
        folder.split('/').filter(|p| !p.is_empty()).collect()
    };
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    let mut joined = parts.join("/");
    if path.ends_with('/') && !joined.is_empty() {
        joined.push('/');
    }
    Some(joined)
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(
                std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"),
                16,
            ) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
