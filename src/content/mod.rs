//! The knowledge base as data: pages loaded from `content/`, grouped into areas.

pub(crate) mod front_matter;
pub(crate) mod load;
pub(crate) mod page;
pub(crate) mod summary;
pub(crate) mod tags;

pub(crate) use load::{load_site, Site};
pub(crate) use page::{Page, PageKind};
