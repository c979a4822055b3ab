//! The protocol side of `kb mcp`, on the official Rust SDK (`rmcp`): the three tools and
//! the page resources, each answered from the live site ([`super::pages`]) or, for
//! searches, from `kb search`'s own index.

use std::sync::{Arc, Mutex};

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    JsonObject, ListResourceTemplatesResult, ListResourcesResult, ListToolsResult,
    PaginatedRequestParams, ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult,
    Resource, ResourceContents, ResourceTemplate, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt};
use serde::Deserialize;
use serde_json::json;

use super::pages::{SiteView, PAGE_URI};
use super::Shared;
use crate::commands::search::{fresh_index, query_options};
use crate::commands::Verbosity;
use crate::failure::Failure;

/// The search index last read, and the stamp of the content it was built from.
type IndexCache = Mutex<Option<(String, Arc<kb_search::SearchIndex>)>>;

/// The server: the live site and the search index.
#[derive(Clone)]
pub(crate) struct KbServer {
    shared: Arc<Shared>,
    index: Arc<IndexCache>,
    drafts: bool,
}

/// Serves on stdin and stdout until the client goes.
pub(crate) async fn serve(shared: Arc<Shared>, drafts: bool) -> anyhow::Result<()> {
    let server = KbServer {
        shared,
        index: Arc::default(),
        drafts,
    };
    let running = server.serve(rmcp::transport::stdio()).await?;
    running.waiting().await?;
    Ok(())
}

/// `search`'s arguments.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchArgs {
    query: String,
    area: Option<String>,
    tag: Option<String>,
    limit: Option<usize>,
}

/// `read_page`'s arguments.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReadPageArgs {
    page: String,
    section: Option<String>,
}

/// `list_pages`'s arguments.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListPagesArgs {
    area: Option<String>,
}

/// A JSON schema object.
fn schema(value: serde_json::Value) -> Arc<JsonObject> {
    match value {
        serde_json::Value::Object(map) => Arc::new(map),
        _ => Arc::default(),
    }
}

/// The tools, as `tools/list` describes them.
fn tools() -> Vec<Tool> {
    vec![
        Tool::new(
            "search",
            "Search the site with kb's query language: words (all must match), \"exact phrases\", -excluded, title:word, tag:name, area:name. Returns the same JSON as `kb search --json`: hits with page title, section heading, URL, area, excerpt and score, best first.",
            schema(json!({
                "type": "object",
                "properties": {
                    "query": {"type": "string", "description": "The query, in kb's query language."},
                    "area": {"type": "string", "description": "Only hits from this area (its slug, as list_pages gives it)."},
                    "tag": {"type": "string", "description": "Only pages with this tag (the same as adding tag:NAME to the query)."},
                    "limit": {"type": "integer", "minimum": 1, "description": "At most this many hits (default: the site's limit-results)."}
                },
                "required": ["query"]
            })),
        ),
        Tool::new(
            "read_page",
            "Read a page as Markdown (includes resolved, front matter reduced to title, description and URL, links pointing to other pages' Markdown), whole or one section by its heading id (the #fragment of its URL).",
            schema(json!({
                "type": "object",
                "properties": {
                    "page": {"type": "string", "description": "The page: its source path (caching/stampedes.md), its URL (caching/stampedes/), or its kb://page/ URI."},
                    "section": {"type": "string", "description": "A heading id, such as `in-go`: only that section, up to the next heading of the same level."}
                },
                "required": ["page"]
            })),
        ),
        Tool::new(
            "list_pages",
            "The table of contents as JSON: every page with its path, title, description, URL, Markdown twin, area, chapter number and depth, and the list of areas.",
            schema(json!({
                "type": "object",
                "properties": {
                    "area": {"type": "string", "description": "Only the pages of this area (its slug)."}
                }
            })),
        ),
    ]
}

/// Arguments of a tool call as `T`.
fn arguments<T: serde::de::DeserializeOwned>(args: Option<JsonObject>) -> Result<T, String> {
    let value = serde_json::Value::Object(args.unwrap_or_default());
    serde_json::from_value(value).map_err(|e| format!("invalid arguments: {e}"))
}

/// A failure as one line of text for the agent.
fn failure_text(failure: Failure) -> String {
    match failure {
        Failure::Diagnostics(d) => d.render(false),
        Failure::Other(e) => format!("{e:#}"),
    }
}

impl KbServer {
    /// Answers a tool call: its text, or the error the agent should read.
    fn call(&self, name: &str, args: Option<JsonObject>) -> Result<String, String> {
        match name {
            "search" => self.search(arguments(args)?),
            "read_page" => {
                let args: ReadPageArgs = arguments(args)?;
                self.view(|view| {
                    let i = view.find_page(&args.page)?;
                    view.read_page(i, args.section.as_deref())
                })
            }
            "list_pages" => {
                let args: ListPagesArgs = arguments(args)?;
                self.view(|view| view.list_pages(args.area.as_deref()))
            }
            other => Err(format!(
                "no tool `{other}`; the tools are search, read_page and list_pages"
            )),
        }
    }

    /// Runs `f` on the site as last built.
    fn view<T>(&self, f: impl FnOnce(&SiteView<'_>) -> Result<T, String>) -> Result<T, String> {
        self.shared.with(|live| {
            let Some((site, rendered)) = live.session.site() else {
                let why = live
                    .problem
                    .as_ref()
                    .map_or_else(String::new, |d| d.render(false));
                return Err(format!("the site could not be built:\n{why}"));
            };
            f(&SiteView {
                settings: live.session.settings(),
                site,
                rendered,
            })
        })
    }

    /// `search`: `kb search --json`'s answer, from the index it keeps (refreshed first
    /// when the content changed since it was built).
    fn search(&self, args: SearchArgs) -> Result<String, String> {
        let settings = self.shared.with(|live| live.session.settings().clone());
        let stamp = crate::build::search::input_stamp(&settings, self.drafts);
        let index = {
            let mut cache = self.index.lock().unwrap_or_else(|e| e.into_inner());
            match cache.as_ref() {
                Some((built_from, index)) if *built_from == stamp => index.clone(),
                _ => {
                    let blob = fresh_index(&settings, self.drafts, Verbosity::Quiet)
                        .map_err(failure_text)?;
                    let index = kb_search::SearchIndex::from_blob(&blob)
                        .map_err(|e| format!("the search index cannot be read: {e}"))?;
                    let index = Arc::new(index);
                    *cache = Some((stamp, index.clone()));
                    index
                }
            }
        };
        let query = match &args.tag {
            Some(tag) => format!("{} tag:{tag}", args.query),
            None => args.query,
        };
        let options = query_options(&settings, args.limit, args.area);
        Ok(index.search(&query, &options).to_json())
    }
}

impl ServerHandler for KbServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .build(),
        )
        .with_server_info(Implementation::new("kb", env!("CARGO_PKG_VERSION")))
        .with_instructions(
            "A documentation site built by kb. `search` finds sections (kb's query language), \
             `read_page` returns a page or one section as Markdown, `list_pages` gives the table \
             of contents. Each page is also a resource, kb://page/<source path>.",
        )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(tools()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let server = self.clone();
        let answer =
            tokio::task::spawn_blocking(move || server.call(&request.name, request.arguments))
                .await
                .map_err(|e| ErrorData::internal_error(format!("the tool stopped: {e}"), None))?;
        Ok(match answer {
            Ok(text) => CallToolResult::success(vec![ContentBlock::text(text)]),
            Err(why) => CallToolResult::error(vec![ContentBlock::text(why)]),
        }
        .into())
    }

    async fn list_resources(
        &self,
        request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let cursor = request.and_then(|r| r.cursor);
        let (list, next) = self
            .view(|view| view.resources(cursor.as_deref()))
            .map_err(|why| ErrorData::invalid_params(why, None))?;
        let resources = list
            .into_iter()
            .map(|r| {
                let mut resource = Resource::new(r.uri, r.name)
                    .with_title(r.title)
                    .with_mime_type("text/markdown");
                if !r.description.is_empty() {
                    resource = resource.with_description(r.description);
                }
                resource
            })
            .collect();
        let mut result = ListResourcesResult::with_all_items(resources);
        result.next_cursor = next;
        Ok(result)
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        Ok(ListResourceTemplatesResult::with_all_items(vec![
            ResourceTemplate::new(format!("{PAGE_URI}{{path}}"), "page")
                .with_description("A page as Markdown, by its source path")
                .with_mime_type("text/markdown"),
        ]))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let uri = request.uri;
        if !uri.starts_with(PAGE_URI) {
            return Err(ErrorData::resource_not_found(
                format!("no resource `{uri}`: page resources are {PAGE_URI}<source path>"),
                None,
            ));
        }
        let text = self
            .view(|view| {
                let i = view.find_page(&uri)?;
                view.read_page(i, None)
            })
            .map_err(|why| ErrorData::resource_not_found(why, None))?;
        Ok(ReadResourceResult::new(vec![
            ResourceContents::text(text, uri).with_mime_type("text/markdown")
        ])
        .into())
    }
}
