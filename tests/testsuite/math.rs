//! Math in a book that turns it on (`mathjax-support = true`): MathJax's delimiters and
//! `$$` become MathML at build time; what cannot be converted is a warning and shown as
//! written.

use crate::site::TestSite;

#[test]
fn a_book_with_mathjax_support_gets_mathml() {
    let site = TestSite::fixture("books/math");
    let run = site.build_ok(&[]);
    let warnings: Vec<String> = run
        .diagnostics()
        .into_iter()
        .filter(|d| d.contains("math"))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", run.stderr_text());
    assert!(
        warnings[0]
            .starts_with("src/formulas.md:11:1: warning: this math cannot be shown as MathML"),
        "{warnings:?}"
    );
    let main = site.part("book/formulas.html", "<main");
    assert_eq!(main.matches("<math").count(), 3, "{main}");
    assert_eq!(main.matches(r#"display="block""#).count(), 2, "{main}");
    assert!(main.contains("costs $3 or $4."), "{main}");
    assert!(main.contains(r"<code>\( \frac{1} \)</code>"), "{main}");
    assert!(main.contains(r"\\( not math in code \\)"), "{main}");
}

#[test]
fn without_it_formulas_stay_as_written() {
    let site = TestSite::fixture("books/math");
    site.write("book.toml", "[book]\ntitle = \"Math\"\n");
    site.build_ok(&[]);
    let main = site.part("book/formulas.html", "<main");
    assert!(!main.contains("<math"), "{main}");
    assert!(main.contains(r"\( \pi r^2 \)"), "{main}");
}
