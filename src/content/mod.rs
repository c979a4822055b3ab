//! The knowledge base as data: pages loaded from `content/`, grouped into areas.

pub mod front_matter;
pub mod load;
pub mod page;
pub mod summary;
pub mod tags;

pub use load::{load_site, Site};
pub use page::{Page, PageKind};
