//! The header of a Go file: a small lexer that reads the package clause and import
//! declarations (skipping comments), enough to tell a whole file from a fragment and
//! standard-library imports from others. Full parsing is gofmt's job.

/// The import paths of a Go file, or `None` if it has no package clause (a fragment).
///
/// A small scanner over the file's header (comments, `package`, `import` declarations) is
/// enough: full parsing is gofmt's job.
pub(crate) fn read_header(code: &str) -> Option<Vec<String>> {
    let mut tokens = Tokens { rest: code };
    if tokens.next()? != Token::Word("package") {
        return None;
    }
    let Some(Token::Word(_)) = tokens.next() else {
        return None;
    };
    let mut imports = Vec::new();
    let mut token = tokens.next();
    while token == Some(Token::Punct(';')) {
        token = tokens.next();
    }
    while token == Some(Token::Word("import")) {
        match tokens.next() {
            Some(Token::Punct('(')) => loop {
                match tokens.next() {
                    Some(Token::Str(path)) => imports.push(path.to_string()),
                    Some(Token::Punct(')')) | None => break,
                    _ => {}
                }
            },
            Some(Token::Str(path)) => imports.push(path.to_string()),
            // `import name "path"` or `import . "path"`
            Some(_) => {
                if let Some(Token::Str(path)) = tokens.next() {
                    imports.push(path.to_string());
                }
            }
            None => break,
        }
        token = tokens.next();
        while token == Some(Token::Punct(';')) {
            token = tokens.next();
        }
    }
    Some(imports)
}

/// The name in a Go file's package clause (`store_test` in `package store_test`), or
/// `None` for a fragment.
pub(crate) fn package_name(code: &str) -> Option<&str> {
    let mut tokens = Tokens { rest: code };
    if tokens.next()? != Token::Word("package") {
        return None;
    }
    match tokens.next() {
        Some(Token::Word(name)) => Some(name),
        _ => None,
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Token<'s> {
    Word(&'s str),
    /// The contents of a string literal (escapes are not interpreted: import paths have none).
    Str(&'s str),
    Punct(char),
}

struct Tokens<'s> {
    rest: &'s str,
}

impl<'s> Iterator for Tokens<'s> {
    type Item = Token<'s>;

    fn next(&mut self) -> Option<Token<'s>> {
        loop {
            self.rest = self.rest.trim_start();
            if let Some(after) = self.rest.strip_prefix("//") {
                self.rest = after.find('\n').map_or("", |i| &after[i..]);
            } else if let Some(after) = self.rest.strip_prefix("/*") {
                self.rest = after.find("*/").map_or("", |i| &after[i + 2..]);
            } else {
                break;
            }
        }
        let first = self.rest.chars().next()?;
        if first == '"' || first == '`' {
            let body = &self.rest[1..];
            let end = body.find(first)?;
            self.rest = &body[end + 1..];
            return Some(Token::Str(&body[..end]));
        }
        if first.is_alphanumeric() || first == '_' {
            let end = self
                .rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(self.rest.len());
            let word = &self.rest[..end];
            self.rest = &self.rest[end..];
            return Some(Token::Word(word));
        }
        self.rest = &self.rest[first.len_utf8()..];
        Some(Token::Punct(first))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_package_and_imports() {
        let code = "// Command x.\npackage main // trailing\n\nimport \"fmt\"\nimport (\n\tio \"io\"\n\t_ \"embed\"\n\t/* c */ \"github.com/a/b\"\n)\n\nfunc main() {}\n";
        assert_eq!(
            read_header(code),
            Some(vec![
                "fmt".to_string(),
                "io".into(),
                "embed".into(),
                "github.com/a/b".into()
            ])
        );
        assert_eq!(
            read_header("package p; import `os`"),
            Some(vec!["os".to_string()])
        );
        assert_eq!(read_header("x := 1\n"), None);
        assert_eq!(read_header("/* package main */\nfunc f() {}"), None);
        assert_eq!(
            package_name("// Doc.\npackage store_test\n"),
            Some("store_test")
        );
        assert_eq!(package_name("x := 1\n"), None);
    }
}
