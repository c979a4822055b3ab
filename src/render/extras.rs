//! The site's extra files: `sitemap.xml`, `robots.txt`, redirect pages and the output
//! marker.

/// The file every site kb makes contains, so that a later `kb build` knows the folder is its
/// own to replace (and refuses a folder of the user's). Part of the site, not added by the
/// swap, so `kb serve` and `kb build` still produce the same files.
pub(crate) const OUTPUT_MARKER: &str = ".kb-output";

/// The text of [`OUTPUT_MARKER`].
pub(crate) const OUTPUT_MARKER_TEXT: &str =
    "This folder is a site built by kb; `kb build` replaces it whole.\n";

/// The most URLs one sitemap file may list (the sitemaps.org protocol's limit).
pub(crate) const SITEMAP_MAX_URLS: usize = 50_000;

/// The site's sitemap files, `(path, text)`: `sitemap.xml` listing `urls` (site-relative)
/// under `site_url`, with optional last-modified dates. Past [`SITEMAP_MAX_URLS`] the
/// protocol wants several files, so `sitemap.xml` becomes a sitemap index naming
/// `sitemap-1.xml`, `sitemap-2.xml`, … (robots.txt names `sitemap.xml` either way).
pub(crate) fn sitemaps(site_url: &str, urls: &[(String, Option<String>)]) -> Vec<(String, String)> {
    if urls.len() <= SITEMAP_MAX_URLS {
        return vec![("sitemap.xml".to_string(), sitemap(site_url, urls))];
    }
    let parts: Vec<(String, String)> = urls
        .chunks(SITEMAP_MAX_URLS)
        .enumerate()
        .map(|(n, urls)| (format!("sitemap-{}.xml", n + 1), sitemap(site_url, urls)))
        .collect();
    let mut index = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (path, _) in &parts {
        index.push_str("  <sitemap><loc>");
        index.push_str(&html_escape::encode_text(&format!("{site_url}{path}")));
        index.push_str("</loc></sitemap>\n");
    }
    index.push_str("</sitemapindex>\n");
    let mut files = vec![("sitemap.xml".to_string(), index)];
    files.extend(parts);
    files
}

/// One sitemap file listing `urls` (at most [`SITEMAP_MAX_URLS`]).
fn sitemap(site_url: &str, urls: &[(String, Option<String>)]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (url, lastmod) in urls {
        xml.push_str("  <url><loc>");
        xml.push_str(&html_escape::encode_text(&format!("{site_url}{url}")));
        xml.push_str("</loc>");
        if let Some(date) = lastmod {
            xml.push_str("<lastmod>");
            xml.push_str(date);
            xml.push_str("</lastmod>");
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

/// `robots.txt`: everything allowed, with the sitemap's address when known.
pub(crate) fn robots(site_url: Option<&str>) -> String {
    let mut text = String::from("User-agent: *\nAllow: /\n");
    if let Some(base) = site_url {
        text.push_str(&format!("Sitemap: {base}sitemap.xml\n"));
    }
    text
}

/// A page that sends the reader (and search engines) from an old URL to `target`.
pub(crate) fn redirect_page(target: &str, canonical: Option<&str>) -> String {
    let target_attr = html_escape::encode_double_quoted_attribute(target);
    let canonical = canonical
        .map(|c| {
            format!(
                "<link rel=\"canonical\" href=\"{}\">\n",
                html_escape::encode_double_quoted_attribute(c)
            )
        })
        .unwrap_or_default();
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Redirecting…</title>\n\
         <meta http-equiv=\"refresh\" content=\"0; url={target_attr}\">\n{canonical}<meta name=\"robots\" content=\"noindex\">\n\
         </head>\n<body>\n<p>This page has moved to <a href=\"{target_attr}\">{}</a>.</p>\n</body>\n</html>\n",
        html_escape::encode_text(target)
    )
}

/// Output file of an old URL: folders get an `index.html`.
pub(crate) fn redirect_file(old: &str) -> String {
    let old = old.trim_start_matches('/');
    if old.ends_with(".html") {
        old.to_string()
    } else if old.is_empty() || old.ends_with('/') {
        format!("{old}index.html")
    } else {
        format!("{old}/index.html")
    }
}

/// The relative path from the redirect file `file` to the site-relative `target_url`.
pub(crate) fn relative_target(file: &str, target_url: &str) -> String {
    let depth = file.matches('/').count();
    let root = crate::content::page::root_prefix(depth);
    if target_url.contains("://") {
        target_url.to_string()
    } else {
        format!("{root}{}", target_url.trim_start_matches('/'))
    }
}

/// The `href` a redirect file writes for `target`: absolute URLs and targets written
/// relative to the old URL (`./`, `../`) as they are, site-relative ones (page URLs, and
/// configured targets such as `databases/pooling/`) relative to the redirect file.
pub(crate) fn redirect_href(file: &str, target: &str) -> String {
    if target.starts_with("./") || target.starts_with("../") {
        target.to_string()
    } else {
        relative_target(file, target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_files_and_targets() {
        assert_eq!(redirect_file("/old/page.html"), "old/page.html");
        assert_eq!(redirect_file("old/folder"), "old/folder/index.html");
        assert_eq!(
            relative_target("old/folder/index.html", "caching/stampedes/"),
            "../../caching/stampedes/"
        );
        assert_eq!(relative_target("old.html", "x/"), "./x/");
        assert_eq!(
            redirect_href("old/a/index.html", "caching/stampedes/"),
            "../../caching/stampedes/"
        );
        assert_eq!(redirect_href("old/a/index.html", "../b/"), "../b/");
        assert_eq!(
            redirect_href("old.html", "https://e.org/x"),
            "https://e.org/x"
        );
    }

    #[test]
    fn sitemap_lists_urls() {
        let xml = sitemap(
            "https://e.org/kb/",
            &[
                ("".into(), None),
                ("a/b/".into(), Some("2026-01-02".into())),
            ],
        );
        assert!(xml.contains("<loc>https://e.org/kb/a/b/</loc><lastmod>2026-01-02</lastmod>"));
    }

    #[test]
    fn a_small_site_has_one_sitemap() {
        let urls: Vec<(String, Option<String>)> = (0..SITEMAP_MAX_URLS)
            .map(|i| (format!("p{i}/"), None))
            .collect();
        let files = sitemaps("https://e.org/", &urls);
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].0, "sitemap.xml");
        assert!(files[0].1.contains("<urlset"));
        assert_eq!(files[0].1.matches("<url>").count(), SITEMAP_MAX_URLS);
    }

    #[test]
    fn past_the_protocol_limit_the_sitemap_becomes_an_index() {
        let urls: Vec<(String, Option<String>)> = (0..2 * SITEMAP_MAX_URLS + 1)
            .map(|i| (format!("p{i}/"), None))
            .collect();
        let files = sitemaps("https://e.org/kb/", &urls);
        let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "sitemap.xml",
                "sitemap-1.xml",
                "sitemap-2.xml",
                "sitemap-3.xml"
            ]
        );
        let index = &files[0].1;
        assert!(index.contains("<sitemapindex") && !index.contains("<urlset"));
        assert!(index.contains("<sitemap><loc>https://e.org/kb/sitemap-3.xml</loc></sitemap>"));
        let counts: Vec<usize> = files[1..]
            .iter()
            .map(|(_, xml)| xml.matches("<url>").count())
            .collect();
        assert_eq!(counts, [SITEMAP_MAX_URLS, SITEMAP_MAX_URLS, 1]);
        // Every URL listed once, in order.
        assert!(files[3].1.contains(&format!("p{}/", 2 * SITEMAP_MAX_URLS)));
        assert!(files[1].1.contains("<loc>https://e.org/kb/p0/</loc>"));
    }
}
