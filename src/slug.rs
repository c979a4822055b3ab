//! Heading ids: stable, readable slugs, de-duplicated within a page.

use std::collections::HashSet;

/// GitHub-style slug: lowercase, letters, digits, `-` and `_` kept, spaces to `-`, the rest
/// dropped. "Scalability, performance and security" becomes
/// `scalability-performance-and-security`.
pub(crate) fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.trim().chars() {
        if c.is_alphanumeric() || c == '_' || c == '-' {
            slug.extend(c.to_lowercase());
        } else if c.is_whitespace() {
            slug.push('-');
        }
    }
    slug
}

/// Hands out unique ids: the second "Example" becomes `example-1`.
#[derive(Debug, Default)]
pub(crate) struct IdAllocator {
    taken: HashSet<String>,
}

impl IdAllocator {
    /// Reserves ids chosen by the author (`{#custom-id}`) before automatic ones are made.
    /// Returns false when the id was already reserved.
    pub(crate) fn reserve(&mut self, id: &str) -> bool {
        self.taken.insert(id.to_string())
    }

    /// A unique id derived from the heading text.
    pub(crate) fn allocate(&mut self, text: &str) -> String {
        let base = match slugify(text) {
            s if s.is_empty() => "section".to_string(),
            s => s,
        };
        if self.taken.insert(base.clone()) {
            return base;
        }
        for n in 1.. {
            let candidate = format!("{base}-{n}");
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
        }
        unreachable!("the counter is unbounded")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(
            slugify("Scalability, performance and security"),
            "scalability-performance-and-security"
        );
        assert_eq!(slugify("In Go"), "in-go");
        assert_eq!(slugify("What is `GOGC`?"), "what-is-gogc");
        assert_eq!(slugify("L4 vs. L7"), "l4-vs-l7");
    }

    #[test]
    fn duplicates_get_numbers_and_skip_reserved_ids() {
        let mut ids = IdAllocator::default();
        assert!(ids.reserve("example-1"));
        assert_eq!(ids.allocate("Example"), "example");
        assert_eq!(ids.allocate("Example"), "example-2");
        assert!(!ids.reserve("example"));
    }
}
