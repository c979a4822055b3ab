// Types of the default theme's browser code: the search answer (the JSON of kb-search's
// results.rs, from the wasm module and from `kb serve` alike), the wasm module's exports,
// and the globals the theme's scripts share. Read only by the type check
// (themes/tsconfig.json); never shipped.

/** A run of excerpt text, marked when it matched the query. Plain text, never HTML. */
interface ExcerptPart {
  text: string;
  mark: boolean;
}

/** One matching section. */
interface SearchHit {
  /** Site-relative URL of the section, with its `#anchor`. */
  url: string;
  /** Site-relative URL of its page; hits are grouped by it. */
  page_url: string;
  page_title: string;
  /** Empty for the top of the page. */
  heading: string;
  breadcrumb: string;
  area: string;
  area_title: string;
  score: number;
  excerpt: ExcerptPart[];
}

/** An area and how many sections of it match. */
interface AreaCount {
  area: string;
  title: string;
  count: number;
}

/** The answer to one query. */
interface SearchResults {
  query: string;
  hits: SearchHit[];
  /** Matching pages. */
  total: number;
  areas: AreaCount[];
  fuzzy: boolean;
  truncated: boolean;
  suggestions: string[];
  /** Words of the query no page has with the others, as typed: left out of the search. */
  dropped: string[];
  /** The query's positive words, lowercased. */
  words: string[];
}

/** The exports of kb-search-wasm (crates/kb-search-wasm/src/lib.rs). */
interface KbSearchExports {
  memory: WebAssembly.Memory;
  kb_alloc(len: number): number;
  kb_free(ptr: number, len: number): void;
  /** 0 loaded, 1 error (message in the output). */
  kb_load(ptr: number, len: number): number;
  /** 0 and the index id in the output, or an error. */
  kb_pages_id(): number;
  kb_add_page(n: number, ptr: number, len: number): number;
  /** 0 answer, 1 error, 2 the JSON list of index pages it needs first. */
  kb_search(ptr: number, len: number): number;
  kb_out_ptr(): number;
  kb_out_len(): number;
}

/** The module with an index loaded (search.js's createEngine). */
interface KbWasmEngine {
  /** The JSON text of the answer, byte for byte what kb serve would send. */
  /** `wanted` (default: always) is asked before each round of index pages; once it is
   * false the query gives up with an Error whose `superseded` is true. */
  raw(request: string, wanted?: () => boolean): Promise<string>;
  search(request: string, wanted?: () => boolean): Promise<SearchResults>;
  /** Index pages loaded so far (for benchmarks and tests). */
  pagesLoaded: number;
}

/** window.kbSearchEngine: search.js in a browser. */
interface KbSearchEngine {
  /** Resolves once the module and index (or kb serve's endpoint) can answer. */
  ready(): Promise<void>;
  /** The reader is typing `query` while the engine loads: fetch what it will likely read. */
  expect(query: string): void;
  /** A newer search makes an older one that still loads index pages give up (an Error
   * whose `superseded` is true). */
  search(query: string, area?: string, limit?: number): Promise<SearchResults>;
  /** The words to mark on the page of a hit (passed in the link's ?highlight=). */
  matchedWords(results: SearchResults, pageUrl: string): string[];
}

/** window.kbSearch: dialog.js. */
interface KbSearchDialog {
  /** Opens the dialog; `text` (typed while it loaded) becomes the query. */
  open(text?: string): void;
  close(): void;
}

interface Window {
  kbSearch?: KbSearchDialog;
  kbSearchEngine?: KbSearchEngine;
  /** Set by `kb serve`'s live-reload snippet: answers come from /__kb/search. */
  __KB_SERVE__?: boolean;
  /** Called by the index page scripts 'pages/<id>/<n>.js'. */
  __kbSearchPage?: (n: number, text: string) => void;
  /** Left by 'index.js' and 'kb-search-wasm.js' (file://). */
  __kbSearchIndexBytes?: string | undefined;
  __kbSearchWasmBytes?: string | undefined;
  /** Started by site.js when search loads over http(s), taken by search.js: responses by file name. */
  __kbSearchEarly?: Record<string, Promise<Response | null>>;
  /** Called by a page's script twin 'index.md.js' with the page's Markdown (file://). */
  __kbMarkdownTwin?: ((markdown: string) => void) | undefined;
}

/** CommonJS in node (tests and benchmarks load search.js with require). */
declare var module: { exports: unknown } | undefined;

/** search/prefetch.json (crates/kb-search/src/prefetch.rs). */
interface KbPrefetch {
  id: string;
  always: number[];
  dicts: KbPrefetchDict[];
  /** The dictionary of word pairs and the common terms whose pairs it holds, if any. */
  pairs?: KbPrefetchPairs;
}
/** The dictionary of word pairs (`first second tag` terms) and the common terms. */
interface KbPrefetchPairs extends KbPrefetchDict {
  common: string[];
}
/** One term dictionary: the first term of each of its pages, and the page (null: in the head). */
interface KbPrefetchDict {
  keys: string[];
  pages: (number | null)[];
}
