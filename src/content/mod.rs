//! The site as data: pages loaded from the content folder, in reading order, grouped into
//! areas, with the table of contents the sidebar shows.

mod assemble;
mod directive;
pub(crate) mod front_matter;
pub(crate) mod heading;
pub(crate) mod includes;
pub(crate) mod load;
pub(crate) mod page;
pub(crate) mod summary;
pub(crate) mod tags;
pub(crate) mod toc;

pub(crate) use load::{Loader, Site};
pub(crate) use page::{Page, PageKind};
