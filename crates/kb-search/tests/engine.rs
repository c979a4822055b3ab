//! The engine end to end on the fixture corpus shared with the node and browser tests:
//! deterministic blobs, the query language, ranking settings and the live index.

use kb_search::{build_index, LiveIndex, QueryOptions, SearchIndex, SearchSettings, SectionDoc};

#[path = "../examples/support/mod.rs"]
mod support;

fn corpus() -> Vec<SectionDoc> {
    let json = include_str!("../../../tests/search/fixtures/corpus.json");
    serde_json::from_str(json).expect("fixture corpus parses")
}

fn index_with(settings: &SearchSettings) -> SearchIndex {
    SearchIndex::from_blob(&build_index(&corpus(), settings).unwrap()).unwrap()
}

fn urls(index: &SearchIndex, q: &str) -> Vec<String> {
    index
        .search(q, &QueryOptions::default())
        .hits
        .into_iter()
        .map(|h| h.url)
        .collect()
}

fn first(index: &SearchIndex, q: &str) -> String {
    urls(index, q).into_iter().next().unwrap_or_default()
}

#[test]
fn same_sections_give_the_same_bytes() {
    let a = build_index(&corpus(), &SearchSettings::default()).unwrap();
    let b = build_index(&corpus(), &SearchSettings::default()).unwrap();
    assert_eq!(a, b);
}

#[test]
fn empty_site_builds_and_searches() {
    let blob = build_index(&[], &SearchSettings::default()).unwrap();
    let index = SearchIndex::from_blob(&blob).unwrap();
    assert_eq!(index.search("anything", &QueryOptions::default()).total, 0);
}

#[test]
fn corrupt_blobs_are_errors_not_panics() {
    let blob = build_index(&corpus(), &SearchSettings::default()).unwrap();
    assert!(SearchIndex::from_blob(&blob[..blob.len() / 2]).is_err());
    assert!(SearchIndex::from_blob(b"not an index").is_err());
    let mut flipped = blob.clone();
    flipped[8] = 99; // format version
    let err = SearchIndex::from_blob(&flipped)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("rebuild the site"), "{err}");
}

#[test]
fn code_identifiers_are_found_whole_and_by_parts() {
    let index = index_with(&SearchSettings::default());
    let pool = "databases/connection-pools/#go-database-sql-settings";
    assert_eq!(first(&index, "SetMaxOpenConns"), pool);
    assert_eq!(first(&index, "max open conns"), pool);
    assert_eq!(first(&index, "setmaxopenconns"), pool);
    assert_eq!(
        first(&index, "context.WithTimeout"),
        "databases/connection-pools/#timeouts"
    );
    assert_eq!(
        first(&index, "max_connections"),
        "databases/connection-pools/#postgres-max-connections"
    );
    assert_eq!(first(&index, "GOGC"), "go/gc-tuning/#gogc");
    assert_eq!(first(&index, "x/sync/errgroup"), "go/concurrency/#errgroup");
    assert_eq!(
        first(&index, "cache-aside"),
        "caching/patterns/#cache-aside"
    );
    assert_eq!(first(&index, "lock_timeout"), "databases/migrations/#locks");
}

#[test]
fn query_language() {
    let index = index_with(&SearchSettings::default());
    // Phrase: adjacent and in order.
    assert!(urls(&index, "\"open connections\"")
        .contains(&"databases/connection-pools/#go-database-sql-settings".into()));
    assert!(urls(&index, "\"connections open\"").is_empty());
    // Exclusion.
    assert!(urls(&index, "cache -redis")
        .iter()
        .all(|u| u != "caching/patterns/#ttl-and-eviction"));
    // Filters.
    assert!(urls(&index, "title:indexes")
        .iter()
        .all(|u| u.starts_with("databases/indexes/")));
    assert!(urls(&index, "tag:concurrency context")
        .iter()
        .all(|u| u.starts_with("go/concurrency/") || u.starts_with("caching/stampedes/")));
    assert!(urls(&index, "area:go").iter().all(|u| u.starts_with("go/")));
    // Prefix on the last word only while typing.
    assert!(!urls(&index, "stamp").is_empty());
    assert!(urls(&index, "stamp ").is_empty());
    // Typo tolerance only for long words.
    let r = index.search("garbage colector ", &QueryOptions::default());
    assert!(r.fuzzy && r.hits[0].url.starts_with("go/gc-tuning/"));
    // Function words do not have to match.
    assert_eq!(
        first(&index, "how to size the pool "),
        "databases/connection-pools/"
    );
}

#[test]
fn area_option_filters_hits_but_not_counts() {
    let index = index_with(&SearchSettings::default());
    let opts = QueryOptions {
        limit: 0,
        area: Some("go".into()),
    };
    let r = index.search("context", &opts);
    assert!(r.hits.iter().all(|h| h.area == "go"));
    // Counts are pages; a page shows up to three sections.
    let mut pages: Vec<&str> = r.hits.iter().map(|h| h.page_url.as_str()).collect();
    pages.dedup();
    assert_eq!(r.total, pages.len());
    let databases = r
        .areas
        .iter()
        .find(|a| a.area == "databases")
        .map(|a| a.count);
    assert!(databases > Some(0));
}

#[test]
fn no_results_come_with_suggestions() {
    let index = index_with(&SearchSettings::default());
    let r = index.search("zzzzqqq ", &QueryOptions::default());
    assert_eq!((r.total, r.hits.len()), (0, 0));
    // Two edits away: not searched, but offered.
    let r = index.search("singlflihgt ", &QueryOptions::default());
    assert_eq!(r.total, 0);
    assert_eq!(r.suggestions, ["singleflight"]);
    let r = index.search("histogramm ", &QueryOptions::default());
    assert!(r.total > 0 && r.fuzzy, "one edit away is found directly");
    // Filters are never left out: the query without the filter is offered instead.
    let r = index.search("singleflight area:databases ", &QueryOptions::default());
    assert_eq!((r.total, r.dropped.len()), (0, 0));
    assert_eq!(r.suggestions, ["singleflight"]);
}

#[test]
fn a_page_matches_when_its_sections_together_have_the_words() {
    let index = index_with(&SearchSettings::default());
    // `singleflight` and `redis` are in two different sections of one page.
    let r = index.search("singleflight redis ", &QueryOptions::default());
    assert!(r.dropped.is_empty());
    assert_eq!(r.hits[0].page_url, "caching/stampedes/");
    // Its sections are ranked inside it: the best two, each with one of the words.
    let sections: Vec<&str> = r
        .hits
        .iter()
        .filter(|h| h.page_url == "caching/stampedes/")
        .map(|h| h.url.as_str())
        .collect();
    assert!(
        sections.contains(&"caching/stampedes/#singleflight"),
        "{sections:?}"
    );
    assert!(
        sections.contains(&"caching/stampedes/#locking"),
        "{sections:?}"
    );
    // An exclusion excludes the page that has the word anywhere.
    let r = index.search("singleflight -redis ", &QueryOptions::default());
    assert_eq!(r.total, 0);
}

#[test]
fn words_no_page_has_are_left_out_and_reported() {
    let index = index_with(&SearchSettings::default());
    let r = index.search("singleflight zzzzqqq ", &QueryOptions::default());
    assert_eq!(r.dropped, ["zzzzqqq"]);
    assert_eq!(r.hits[0].url, "caching/stampedes/#singleflight");
    assert!(r.to_json().contains(r#""dropped":["zzzzqqq"]"#));
    // A phrase is left out whole; the page with most of the words decides what is kept.
    let r = index.search(
        r#"singleflight "zzz qqq" golang "#,
        &QueryOptions::default(),
    );
    assert_eq!(r.dropped, [r#""zzz qqq""#]);
    // Words that are each on some page but never together: the best page keeps its own.
    let r = index.search("singleflight histogram ", &QueryOptions::default());
    assert_eq!(r.dropped.len(), 1);
    assert!(r.total > 0);
}

#[test]
fn synonyms_built_in_and_from_settings() {
    let index = index_with(&SearchSettings::default());
    // `pg` is `postgresql` or `postgres`.
    assert_eq!(
        index
            .search("pg max_connections ", &QueryOptions::default())
            .hits[0]
            .page_url,
        "databases/connection-pools/"
    );
    let own = index_with(&SearchSettings {
        synonyms: [
            ("throttling".to_owned(), vec!["token bucket".to_owned()]),
            ("perf".to_owned(), vec![]),
        ]
        .into_iter()
        .collect(),
        ..Default::default()
    });
    // A site's synonym, several words as a phrase.
    assert_eq!(
        first(&own, "throttling "),
        "http/rate-limiting/#token-bucket"
    );
    assert!(first(&index, "throttling ").is_empty());
    // An empty list turns a built-in one off.
    assert!(!urls(&index, "perf ").is_empty(), "perf finds performance");
    assert!(urls(&own, "perf ").is_empty());
}

#[test]
fn the_description_is_searched_with_its_own_boost() {
    let mut docs = corpus();
    for d in docs
        .iter_mut()
        .filter(|d| d.page_url == "caching/patterns/")
    {
        d.description = "Lazy loading, read-through and write-back explained.".into();
    }
    let blob = build_index(&docs, &SearchSettings::default()).unwrap();
    let index = SearchIndex::from_blob(&blob).unwrap();
    // Only the description has `lazy`: the page is found, shown by its first section.
    let r = index.search("lazy loading ", &QueryOptions::default());
    assert_eq!(r.hits[0].url, "caching/patterns/");
    assert_eq!(r.total, 1);
}

#[test]
fn overview_pages_rank_below_the_pages_they_introduce() {
    let mut docs = corpus();
    // An overview that names singleflight once more than the article does.
    docs.push(SectionDoc {
        url: "caching/".into(),
        page_url: "caching/".into(),
        page_title: "Caching".into(),
        body: "Singleflight, singleflight: see the stampedes page for singleflight.".into(),
        area: "caching".into(),
        overview: true,
        ..SectionDoc::default()
    });
    let blob = build_index(&docs, &SearchSettings::default()).unwrap();
    let index = SearchIndex::from_blob(&blob).unwrap();
    let r = index.search("singleflight ", &QueryOptions::default());
    assert_eq!(r.hits[0].page_url, "caching/stampedes/");
    assert!(r.hits.iter().any(|h| h.page_url == "caching/"));
}

#[test]
fn boosts_and_boolean_mode_come_from_settings() {
    let default = index_with(&SearchSettings::default());
    assert_eq!(
        first(&default, "singleflight"),
        "caching/stampedes/#singleflight"
    );
    let or = index_with(&SearchSettings {
        use_boolean_and: false,
        ..Default::default()
    });
    assert!(!urls(&or, "singleflight zzzzqqq ").is_empty());
    // Prose wins over code by default; a code-heavy site can flip that.
    let prose = first(&default, "maxmemory ");
    assert_eq!(prose, "caching/patterns/#ttl-and-eviction");
    let code_first = SearchSettings {
        boost_code: 50.0,
        boost_title: 0.1,
        boost_heading: 0.1,
        ..Default::default()
    };
    let r = index_with(&code_first).search("errgroup ", &QueryOptions::default());
    assert_eq!(r.hits[0].url, "go/concurrency/#errgroup");
    assert!(r.hits[0].score > default.search("errgroup ", &QueryOptions::default()).hits[0].score);
}

#[test]
fn limit_and_hostile_queries() {
    let index = index_with(&SearchSettings::default());
    let r = index.search(
        "go",
        &QueryOptions {
            limit: 2,
            area: None,
        },
    );
    assert_eq!(r.hits.len(), 2);
    assert!(r.total > 2);
    let huge = "pool ".repeat(2_000);
    let r = index.search(&huge, &QueryOptions::default());
    assert!(r.truncated);
    for q in [
        "\"",
        "-",
        "title:",
        "((",
        "\0",
        "🙂 -\"x",
        "AND OR NOT",
        "-a -b",
    ] {
        let _ = index.search(q, &QueryOptions::default());
    }
}

#[test]
fn live_index_follows_page_edits_and_matches_a_build() {
    let docs = corpus();
    let settings = SearchSettings::default();
    let mut live = LiveIndex::new(&docs, &settings).unwrap();
    let fresh = index_with(&settings);
    for q in [
        "singleflight",
        "max open conns",
        "cache",
        "garbage colector",
        "go",
    ] {
        assert_eq!(
            live.search_json(&format!("q={q}")),
            fresh.search_json(&format!("q={q}")),
            "{q}"
        );
    }

    let page = "caching/stampedes/";
    let mut edited = sections_of(&docs, page);
    edited.retain(|d| d.heading != "singleflight");
    edited[0].body.push_str(" Request coalescing helps.");
    live.replace_page(page, &edited).unwrap();
    assert_eq!(
        live.search("singleflight ", &QueryOptions::default()).total,
        0
    );
    assert_eq!(
        live.search("coalescing", &QueryOptions::default()).hits[0].url,
        page
    );

    live.remove_page(page).unwrap();
    assert_eq!(live.search("coalescing", &QueryOptions::default()).total, 0);

    let expected: Vec<SectionDoc> = docs
        .iter()
        .filter(|d| d.page_url != page)
        .cloned()
        .collect();
    // The same sections match (deleted documents still weigh in the live index's scores
    // until a merge drops them, so the ranking may differ).
    let built = SearchIndex::from_blob(&build_index(&expected, &settings).unwrap()).unwrap();
    let matches = |results: kb_search::SearchResults| {
        let mut urls: Vec<String> = results.hits.into_iter().map(|h| h.url).collect();
        urls.sort();
        (results.total, urls)
    };
    let all = QueryOptions {
        limit: kb_search::MAX_LIMIT,
        ..QueryOptions::default()
    };
    for q in ["singleflight", "coalescing", "cache", "pool", "go"] {
        assert_eq!(
            matches(live.search(q, &all)),
            matches(built.search(q, &all)),
            "{q}"
        );
    }
}

/// The sections of `page` in `docs`.
fn sections_of(docs: &[SectionDoc], page: &str) -> Vec<SectionDoc> {
    docs.iter()
        .filter(|d| d.page_url == page)
        .cloned()
        .collect()
}

#[test]
fn live_index_lives_in_a_temporary_folder_removed_when_dropped() {
    let docs = corpus();
    let settings = SearchSettings::default();
    let mut live = LiveIndex::new(&docs, &settings).unwrap();
    let folder = live.folder().to_path_buf();
    assert!(folder.starts_with(std::env::temp_dir()), "{folder:?}");
    let files = || std::fs::read_dir(&folder).unwrap().count();
    assert!(files() > 1, "the index is written in its folder");
    let page = "caching/stampedes/";
    let mut edited = sections_of(&docs, page);
    edited[0].body.push_str(" Zanzibar.");
    live.replace_page(page, &edited).unwrap();
    let snapshot = live.snapshot();
    assert_eq!(
        snapshot.search("zanzibar", &QueryOptions::default()).hits[0].url,
        page
    );
    live.remove_page(page).unwrap();
    assert_eq!(live.search("zanzibar", &QueryOptions::default()).total, 0);
    drop(live);
    assert!(!folder.exists(), "{folder:?} is removed with the index");
    // A snapshot taken before still answers from the files it opened.
    assert_eq!(
        snapshot.search("zanzibar", &QueryOptions::default()).hits[0].url,
        page
    );
}

/// The page a page script (`__kbSearchPage(N,"<bytes>");`) hands over: its number and bytes.
fn page_of_script(script: &[u8]) -> (u32, Vec<u8>) {
    kb_search::page_of_script(script).expect("a page script")
}

/// Answers `request` from a head, loading the pages it names from the site files, as
/// the browser does. Returns the JSON, how many pages were loaded, and in how many rounds.
fn answer_paged(
    index: &SearchIndex,
    files: &std::collections::HashMap<String, Vec<u8>>,
    request: &str,
) -> (String, usize, usize) {
    let mut loaded = 0;
    for round in 0..16 {
        match index.answer(request) {
            kb_search::Answer::Json(json) => return (json, loaded, round),
            kb_search::Answer::NeedPages(pages) => {
                assert!(!pages.is_empty());
                for n in pages {
                    let script = &files[&kb_search::page_script(&index.pages_id(), n)];
                    let (number, page) = page_of_script(script);
                    assert_eq!(number, n);
                    index.add_page(n, &page).unwrap();
                    loaded += 1;
                }
            }
        }
    }
    panic!("{request}: no answer after 16 rounds of pages");
}

#[test]
fn paged_index_answers_exactly_like_the_whole_blob() {
    let blob = build_index(&support::copies(&corpus(), 60), &SearchSettings::default()).unwrap();
    let whole = SearchIndex::from_blob(&blob).unwrap();
    let files = kb_search::site_files(&blob, b"\0asm").unwrap();
    let page_files = files
        .iter()
        .filter(|(n, _)| n.starts_with(kb_search::PAGES_DIR) && n.ends_with(".js"))
        .count();
    assert!(page_files > 10, "{page_files} page files");
    assert!(
        !files
            .iter()
            .any(|(n, _)| n.ends_with(".bin") && n != kb_search::INDEX_FILE),
        "pages are scripts only"
    );
    let files: std::collections::HashMap<String, Vec<u8>> = files.into_iter().collect();
    let head = &files[kb_search::INDEX_FILE];
    assert!(
        head.len() * 3 < blob.len(),
        "head {} of blob {}",
        head.len(),
        blob.len()
    );
    let paged = SearchIndex::from_head(head).unwrap();
    let mut total_loaded = 0;
    for q in [
        "q=SetMaxOpenConns",
        "q=connection%20pool",
        "q=%22max%20open%22",
        "q=conn",
        "q=timeout%20-retry",
        "q=title%3Apool",
        "q=tag%3Apostgres",
        "q=cache&area=caching",
        "q=contxt",
        "q=copy37",
        "q=zzzz%20nothing",
        "q=x%2Fsync%2Ferrgroup",
        "q=the",
    ] {
        let (json, loaded, _) = answer_paged(&paged, &files, q);
        assert_eq!(json, whole.search_json(q), "{q}");
        total_loaded += loaded;
    }
    assert!(total_loaded > 0, "no query needed a page: paging untested");
    assert!(total_loaded < paged.page_count(), "every page was loaded");
}

#[test]
fn a_typo_walk_loads_its_dictionary_pages_in_one_round() {
    // A prose dictionary of 40,000 words that all start like `contxt`, a typo of
    // `context`: a typo walk cannot rule out their blocks, and reads every one.
    let mut docs = corpus();
    let words: Vec<String> = (0..40_000u32)
        .map(|n| {
            let letters = |mut k: u32| {
                let mut w = String::new();
                for _ in 0..4 {
                    w.push(char::from(b'a' + (k % 26) as u8));
                    k /= 26;
                }
                w
            };
            format!("con{}", letters(n))
        })
        .collect();
    for (n, chunk) in words.chunks(400).enumerate() {
        let mut doc = docs[n % docs.len()].clone();
        doc.url = format!("lexicon/{n}/");
        doc.page_url = doc.url.clone();
        doc.body = chunk.join(" ");
        docs.push(doc);
    }
    let blob = build_index(&docs, &SearchSettings::default()).unwrap();
    let whole = SearchIndex::from_blob(&blob).unwrap();
    let files: std::collections::HashMap<String, Vec<u8>> = kb_search::site_files(&blob, b"\0asm")
        .unwrap()
        .into_iter()
        .collect();
    // Four rounds: the words as typed; their postings, with the typo walk (all its blocks
    // at once, as soon as the lookups show the index does not know the word); the postings
    // of what it found; the stored sections. One block at a time, it took more than
    // sixteen; with the walk in a round of its own, five. With a second word, one stored
    // section is found a round late.
    for (q, most) in [("q=contxt", 4), ("q=contxt%20pool", 5)] {
        let paged = SearchIndex::from_head(&files[kb_search::INDEX_FILE]).unwrap();
        let (json, loaded, rounds) = answer_paged(&paged, &files, q);
        assert_eq!(json, whole.search_json(q), "{q}");
        assert!(loaded > 20, "{q}: {loaded} pages: the walk was not long");
        assert!(rounds <= most, "{q}: {loaded} pages in {rounds} rounds");
    }
    // A word the index knows is not taken for a typo, even when it is on one page only:
    // no walk (the three rounds of any query: lookups, postings, stored sections), and
    // none of its neighbours one edit away among the results.
    let paged = SearchIndex::from_head(&files[kb_search::INDEX_FILE]).unwrap();
    let (json, loaded, rounds) = answer_paged(&paged, &files, "q=conbaab");
    assert_eq!(json, whole.search_json("q=conbaab"));
    assert!(rounds <= 3, "{loaded} pages in {rounds} rounds");
    let known = whole.search("conbaab", &QueryOptions::default());
    assert!(!known.fuzzy && known.total == 1, "{known:?}");
}

#[test]
fn word_pairs_of_common_words_are_scored_in_the_sections_text() {
    // Words so common that their positions in every section weigh more than the stored
    // sections of a page: sections then score the pair in their own text (`near.rs`).
    let base = corpus();
    let mut docs = base.clone();
    let section = |url: &str, page: &str, title: &str, heading: &str, body: &str| {
        let mut doc = base[0].clone();
        doc.url = url.to_owned();
        doc.page_url = page.to_owned();
        doc.page_title = title.to_owned();
        doc.description = String::new();
        doc.heading = heading.to_owned();
        doc.body = body.to_owned();
        doc.code = String::new();
        doc.tags = Vec::new();
        doc.overview = false;
        doc
    };
    for n in 0..1_500 {
        let page = format!("filler/{n}/");
        for s in 0..2 {
            docs.push(section(
                &format!("{page}#s{s}"),
                &page,
                &format!("Filler {n}"),
                "Notes",
                &"connection reuse and pool limits: a connection per request, a pool per \
                  host, connection timeouts, pool sizes, connection errors, pool metrics. "
                    .repeat(5),
            ));
        }
    }
    let target = "pools/sizing/";
    // Both words twice, never next to each other, against each once and side by side.
    docs.push(section(
        &format!("{target}#apart"),
        target,
        "Sizing the connection pool",
        "Limits",
        "Each connection waits when the pool is empty; close a connection to refill the pool.",
    ));
    docs.push(section(
        &format!("{target}#together"),
        target,
        "Sizing the connection pool",
        "Limits",
        "Size the connection pool to the database's limit.",
    ));
    let blob = build_index(&docs, &SearchSettings::default()).unwrap();
    let whole = SearchIndex::from_blob(&blob).unwrap();
    let hits = whole
        .search("connection pool", &QueryOptions::default())
        .hits;
    let shown: Vec<&str> = hits
        .iter()
        .filter(|h| h.page_url == target)
        .map(|h| h.url.as_str())
        .collect();
    assert_eq!(
        shown,
        [
            format!("{target}#together").as_str(),
            format!("{target}#apart").as_str()
        ],
        "the words side by side rank first"
    );
    // Read page by page, as the browser does, the answer is the same.
    let files: std::collections::HashMap<String, Vec<u8>> = kb_search::site_files(&blob, b"\0asm")
        .unwrap()
        .into_iter()
        .collect();
    let paged = SearchIndex::from_head(&files[kb_search::INDEX_FILE]).unwrap();
    for q in [
        "q=connection%20pool",
        "q=connection%20pool&limit=30",
        "q=pool%20connection",
    ] {
        let (json, _, rounds) = answer_paged(&paged, &files, q);
        assert_eq!(json, whole.search_json(q), "{q}");
        assert!(rounds <= 3, "{q}: {rounds} rounds");
    }
}
