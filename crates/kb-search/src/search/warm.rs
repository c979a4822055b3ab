//! Reading all a plan reads, once a step of the search found pages missing: on an index
//! opened from its head, every read of a page that is not loaded yet names that page (see
//! `paged.rs`), so one pass over the plan's terms names every page of every posting list,
//! position list and field norm the plan needs, and the browser loads them in one round
//! trip.
//!
//! Without it, tantivy read them one scorer at a time and stopped at the first missing
//! page: a two-word query on the guide took 13 round trips of a slow link, and the
//! excerpts of results found with half the postings loaded pages no final result used.

use std::collections::BTreeSet;

use tantivy::postings::TermInfo;
use tantivy::query::Query;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{SegmentReader, Term};

use super::plan::Plan;
use super::Engine;
use crate::collector::Docs;
use crate::schema::{name, Fields};

impl Engine<'_> {
    /// On an index that may lack pages, after a step that ran `plan`: true when the step
    /// wanted pages that are not loaded, and then everything else `plan` reads has been
    /// read too ([`Self::warm`]), so those pages are named in the same round. A step that
    /// found every page it read costs nothing more: warm queries never read ahead.
    pub(super) fn missed(&self, plan: &Plan) -> bool {
        match self.pending {
            Some(pending) if pending() => {
                self.warm(plan);
                true
            }
            _ => false,
        }
    }

    /// Reads the term dictionary entries, postings (with positions where a phrase needs
    /// them) and field norms of every term of `plan`, and the document kinds pages are
    /// told apart by. Errors are ignored: a missing page is recorded by the read itself,
    /// and a search on a whole index never fails here.
    fn warm(&self, plan: &Plan) {
        // The terms page matching reads, and those section ranking reads: each only in
        // the segments that hold its kind of documents (see `collector.rs`).
        let mut page_terms: BTreeSet<(Term, bool)> = BTreeSet::new();
        let mut section_terms: BTreeSet<(Term, bool)> = BTreeSet::new();
        let add = |terms: &mut BTreeSet<(Term, bool)>, query: &dyn Query| {
            query.query_terms(&mut |term: &Term, positions: bool| {
                terms.insert((term.clone(), positions));
            });
        };
        for clause in &plan.clauses {
            add(&mut page_terms, clause.page.as_ref());
            if let Some(section) = &clause.section {
                add(&mut section_terms, section.as_ref());
            }
        }
        let pages = self.segments_with(Docs::Pages);
        let sections = self.segments_with(Docs::Sections);
        for (ord, segment) in self.searcher.segment_readers().iter().enumerate() {
            if pages[ord] {
                read_kinds(segment, self.fields.kind);
                warm_terms(segment, &page_terms, self.fields);
            }
            if sections[ord] {
                warm_terms(segment, &section_terms, self.fields);
            }
        }
    }
}

/// Reads what every query reads of the `kind` field in `segment`: its dictionary (whether
/// the segment holds pages, [`Docs::in_segment`]) and, where pages are, its norms and the
/// postings of both kinds (pages are told apart from sections, and overview pages count
/// less: `pages.rs`). The pages fetched ahead of every query (`prefetch.rs`) hold these.
pub(crate) fn read_kinds(segment: &SegmentReader, kind: Field) {
    if Docs::Pages.in_segment(segment, kind) {
        let terms = [name::PAGE_KIND, name::OVERVIEW_KIND]
            .map(|k| (Term::from_field_text(kind, k), false))
            .into();
        warm_terms(segment, &terms, None);
    }
}

/// Reads the field norms, dictionary entries and postings of `terms` in `segment`. A
/// tagged term or a pair term is scored with the norms of the text field it stands for
/// (`Fields::norms_of`): those are read instead of its own field's (it has none).
fn warm_terms<'a>(
    segment: &SegmentReader,
    terms: &BTreeSet<(Term, bool)>,
    fields: impl Into<Option<&'a Fields>>,
) {
    let schema = fields.into();
    let norms_of = |t: &Term| schema.and_then(|f| f.norms_of(t)).unwrap_or(t.field());
    let fields: BTreeSet<Field> = terms.iter().map(|(t, _)| norms_of(t)).collect();
    for &field in &fields {
        let _ = segment.get_fieldnorms_reader(field);
    }
    for (term, positions) in terms {
        let Ok(inverted) = segment.inverted_index(term.field()) else {
            continue;
        };
        let Ok(Some(info)) = inverted.get_term_info(term) else {
            continue;
        };
        if *positions {
            // Positions alone first: reading both stops at missing postings, and
            // the positions would wait for a round of their own.
            let positions_only = TermInfo {
                doc_freq: 0,
                postings_range: info.postings_range.start..info.postings_range.start,
                positions_range: info.positions_range.clone(),
            };
            let with = IndexRecordOption::WithFreqsAndPositions;
            let _ = inverted.read_postings_from_terminfo(&positions_only, with);
        }
        let _ = inverted.read_postings_from_terminfo(&info, IndexRecordOption::WithFreqs);
    }
}
