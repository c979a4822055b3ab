//! Templates: Tera, fed with read-only views, turning rendered Markdown into whole pages.

pub(crate) mod assets;
pub(crate) mod extras;
pub(crate) mod nav;
pub(crate) mod pages;
pub(crate) mod print;
pub(crate) mod renderer;
pub(crate) mod theme;
pub(crate) mod view;

use tera::Tera;

use crate::diagnostic::Diagnostic;
use theme::Theme;
use view::Context;

/// Compiled templates of a theme.
pub(crate) struct Templates {
    tera: Tera,
}

impl Templates {
    /// Compiles every template of `theme`; errors name the template file.
    pub(crate) fn compile(
        theme: &Theme,
        theme_dir: Option<&std::path::Path>,
    ) -> Result<Templates, Vec<Diagnostic>> {
        let mut tera = Tera::default();
        // A theme is content too and may come from someone else: it must not publish the
        // builder's environment (`get_env(name="AWS_SECRET_ACCESS_KEY")`). Tera registers
        // `get_env` even without its `builtins` feature; the other built-ins (`range`,
        // `throw`) and every filter stay inside the template data.
        tera.register_function("get_env", refuse_get_env);
        tera.autoescape_on(vec![".html", ".xml"]);
        // Tera's default escaper also rewrites `/` as `&#x2F;`, which bloats every URL.
        tera.set_escape_fn(escape_html);
        let mut sources = Vec::new();
        let mut errors = Vec::new();
        for (name, bytes) in theme.templates() {
            match std::str::from_utf8(bytes) {
                Ok(text) => sources.push((name.to_string(), text.to_string())),
                Err(_) => errors.push(Diagnostic::file_error(
                    template_path(theme_dir, name),
                    "the template is not UTF-8",
                )),
            }
        }
        for (name, text) in &sources {
            let call = text
                .match_indices("get_env")
                .find(|(at, word)| text[at + word.len()..].trim_start().starts_with('('));
            if let Some((offset, _)) = call {
                let (line, column) = crate::position::line_col(text, offset);
                errors.push(
                    Diagnostic::error(
                        crate::diagnostic::Location::new(
                            template_path(theme_dir, name),
                            line,
                            column,
                        ),
                        "the template calls `get_env`, which kb turns off: templates must not read the environment",
                    )
                    .with_help("put the value in book.toml or the page's front matter instead"),
                );
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        tera.add_raw_templates(sources).map_err(|e| {
            vec![Diagnostic::file_error(
                template_path(theme_dir, &failing_template(&e)),
                format!("template error: {}", error_chain(&e)),
            )
            .with_help("fix the Tera syntax in the template")]
        })?;
        Ok(Templates { tera })
    }

    /// Renders template `name` (`page.html`) with `context`.
    pub(crate) fn render(&self, name: &str, context: &Context<'_>) -> Result<String, Diagnostic> {
        let ctx = tera::Context::from_serialize(context).map_err(|e| {
            Diagnostic::file_error(name, format!("cannot prepare the template data: {e}"))
        })?;
        self.tera.render(name, &ctx).map_err(|e| {
            Diagnostic::file_error(
                format!("templates/{name}"),
                format!("template error: {}", error_chain(&e)),
            )
            .with_help("check the variables and filters the template uses")
        })
    }
}

/// Stands in for Tera's `get_env`, should a call slip past the check in [`Templates::compile`].
fn refuse_get_env(_: &std::collections::HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    Err(tera::Error::msg(
        "`get_env` is turned off: templates must not read the environment",
    ))
}

/// Escapes text for HTML content and quoted attributes.
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn template_path(theme_dir: Option<&std::path::Path>, name: &str) -> std::path::PathBuf {
    match theme_dir {
        Some(dir) if dir.join("templates").join(name).exists() => dir.join("templates").join(name),
        _ => std::path::PathBuf::from(format!("themes/default/templates/{name}")),
    }
}

fn failing_template(error: &tera::Error) -> String {
    // Tera names the template in its message: "Failed to parse 'page.html'".
    let text = error.to_string();
    text.split('\'').nth(1).unwrap_or("").to_string()
}

fn error_chain(error: &tera::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_env_is_refused_even_past_the_source_check() {
        std::env::set_var("KB_RENDER_TEST_SECRET", "hunter2");
        let mut tera = Tera::default();
        let leak = r#"{{ get_env(name="KB_RENDER_TEST_SECRET") }}"#;
        assert_eq!(
            tera.render_str(leak, &tera::Context::new()).unwrap(),
            "hunter2",
            "Tera's own get_env reads the environment"
        );
        tera.register_function("get_env", refuse_get_env);
        let err = tera.render_str(leak, &tera::Context::new()).unwrap_err();
        assert!(
            error_chain(&err).contains("`get_env` is turned off"),
            "{err}"
        );
    }
}
