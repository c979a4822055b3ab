//! Pairing samples into packages: a page's program block and its test block form one Go
//! package, so the test can call the code the page shows.
//!
//! The rule: on one page, every whole-file block whose package clause names the package
//! of a test block (a block titled `..._test.go`) joins that test block's package; `x`
//! and `x_test` (an external test package) are the same package, as in a Go directory.
//! A test titled with a directory (`server/main_test.go`) takes only blocks titled in
//! that directory (`server/main.go`), since a page may show two programs of `package
//! main`.
//! Every other block is a package of its own, as before pairing existed. A package is
//! written to one directory of the temporary module, so the blocks in it need distinct
//! file names: a test block keeps its title's file name, the others are `sample.go`,
//! `sample2.go`, and so on.

use std::collections::HashMap;
use std::path::Path;

/// What pairing needs to know about one sample.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Block<'a> {
    pub(crate) page: &'a Path,
    /// The package clause's name; `None` for fragments, which never pair.
    pub(crate) package: Option<&'a str>,
    /// The directory part of the block's title (`server` for `server/main.go`), empty if
    /// the title has none or there is no title.
    pub(crate) dir: &'a str,
    /// The file name the block's title gives it, if that is a `_test.go` file.
    pub(crate) test_file: Option<&'a str>,
}

impl Block<'_> {
    /// Whether this block belongs in the package of the test block `test`: same page,
    /// same package (`x_test` is `x`) and, if the test's title names a directory, the
    /// same directory, so `server/main_test.go` does not pull in another page's
    /// `main.go` of a different program.
    fn pairs_with(&self, test: &Block) -> bool {
        fn base<'a>(block: &Block<'a>) -> Option<&'a str> {
            block.package.map(|n| n.strip_suffix("_test").unwrap_or(n))
        }
        self.page == test.page
            && base(self).is_some()
            && base(self) == base(test)
            && (test.dir.is_empty() || test.dir == self.dir)
    }
}

/// Where each sample goes: the package (named by the id of its first block) and the file
/// name in the package's directory. `blocks[i]` is sample `i`.
pub(crate) fn place(blocks: &[Block]) -> Vec<(usize, String)> {
    // Each block joins the first test block it pairs with (a test block pairs with
    // itself); the package is named by its first member, which may precede the test.
    let joined: Vec<Option<usize>> = blocks
        .iter()
        .map(|block| {
            blocks
                .iter()
                .position(|test| test.test_file.is_some() && block.pairs_with(test))
        })
        .collect();
    let mut first: HashMap<usize, usize> = HashMap::new();
    for (id, test) in joined.iter().enumerate() {
        if let Some(test) = test {
            first.entry(*test).or_insert(id);
        }
    }
    let mut taken: HashMap<usize, Vec<String>> = HashMap::new();
    blocks
        .iter()
        .zip(&joined)
        .enumerate()
        .map(|(id, (block, test))| {
            let package = test.and_then(|t| first.get(&t).copied()).unwrap_or(id);
            let names = taken.entry(package).or_default();
            let name = unique_name(block.test_file.unwrap_or("sample.go"), names);
            names.push(name.clone());
            (package, name)
        })
        .collect()
}

/// `wanted`, or `wanted` with a number before its `.go` or `_test.go` ending if a block
/// of the same package already has that name.
fn unique_name(wanted: &str, taken: &[String]) -> String {
    let (stem, suffix) = match wanted.strip_suffix("_test.go") {
        Some(stem) => (stem, "_test.go"),
        None => (wanted.strip_suffix(".go").unwrap_or(wanted), ".go"),
    };
    (1..)
        .map(|n| match n {
            1 => wanted.to_string(),
            n => format!("{stem}{n}{suffix}"),
        })
        .find(|name| !taken.contains(name))
        .unwrap_or_else(|| wanted.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block<'a>(page: &'a str, package: Option<&'a str>, test: Option<&'a str>) -> Block<'a> {
        Block {
            page: Path::new(page),
            package,
            dir: "",
            test_file: test,
        }
    }

    #[test]
    fn a_program_and_its_test_on_one_page_are_one_package() {
        let blocks = [
            block("a.md", Some("main"), None),
            block("a.md", None, None),
            block("a.md", Some("main"), Some("main_test.go")),
            block("a.md", Some("other"), None),
            block("b.md", Some("main"), None),
            block("b.md", Some("shop"), None),
            block("b.md", Some("shop_test"), Some("shop_test.go")),
            block("b.md", Some("shop"), Some("shop_test.go")),
        ];
        let placed = place(&blocks);
        let expected: Vec<(usize, String)> = vec![
            (0, "sample.go".into()),
            (1, "sample.go".into()),
            (0, "main_test.go".into()),
            (3, "sample.go".into()),
            (4, "sample.go".into()),
            (5, "sample.go".into()),
            (5, "shop_test.go".into()),
            (5, "shop2_test.go".into()),
        ];
        assert_eq!(placed, expected);
    }

    #[test]
    fn a_test_titled_in_a_directory_pairs_only_with_blocks_there() {
        let in_dir = |dir, test| Block {
            dir,
            ..block("a.md", Some("main"), test)
        };
        let blocks = [
            in_dir("", None),
            in_dir("server", None),
            in_dir("server", Some("main_test.go")),
        ];
        assert_eq!(
            place(&blocks),
            vec![
                (0, "sample.go".to_string()),
                (1, "sample.go".to_string()),
                (1, "main_test.go".to_string())
            ]
        );
    }

    #[test]
    fn blocks_without_a_test_stay_apart() {
        let blocks = [
            block("a.md", Some("main"), None),
            block("a.md", Some("main"), None),
        ];
        assert_eq!(
            place(&blocks),
            vec![(0, "sample.go".to_string()), (1, "sample.go".to_string())]
        );
    }
}
