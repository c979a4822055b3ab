//! kb search in the browser: the read side of `kb-search` behind a raw C ABI, so the
//! module imports nothing and about forty lines of JavaScript (`search.js`) load it.
//!
//! Protocol (all strings UTF-8, all lengths in bytes):
//!
//! * `kb_alloc(len) -> ptr` / `kb_free(ptr, len)`: buffers the caller fills.
//! * `kb_load(ptr, len) -> 0 | 1`: opens the head of a paged index (`search/index.bin`;
//!   the buffer stays the caller's).
//! * `kb_search(ptr, len) -> 0 | 1 | 2`: answers a request string `q=...&area=...&limit=...`
//!   with the same JSON as `kb serve`'s `/__kb/search` (0), or returns 2 with a JSON array
//!   of the page numbers to load first (then ask again).
//! * `kb_add_page(n, ptr, len) -> 0 | 1`: loads page `n` (`search/pages/<id>/<n>.bin`).
//! * `kb_pages_id() -> 0 | 1`: the `<id>` of the loaded index in the output.
//! * `kb_out_ptr()`, `kb_out_len()`: the last answer, or the error message when a call
//!   returned 1, or the panic message after a trap (then re-instantiate the module).
//! * `kb_format_version()`: the blob format this module reads.

use std::cell::RefCell;

use kb_search::{Answer, SearchIndex, FORMAT_VERSION};

thread_local! {
    static INDEX: RefCell<Option<SearchIndex>> = const { RefCell::new(None) };
    static OUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

fn set_out(bytes: Vec<u8>) {
    OUT.with(|out| {
        if let Ok(mut out) = out.try_borrow_mut() {
            *out = bytes;
        }
    });
}

/// # Safety
/// `ptr..ptr+len` must be a live allocation of this module (from `kb_alloc`).
unsafe fn input<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if len == 0 || ptr.is_null() {
        return &[];
    }
    std::slice::from_raw_parts(ptr, len)
}

/// Allocates `len` bytes for the caller to fill.
#[no_mangle]
pub extern "C" fn kb_alloc(len: usize) -> *mut u8 {
    let mut buffer = Vec::<u8>::with_capacity(len.max(1));
    let ptr = buffer.as_mut_ptr();
    std::mem::forget(buffer);
    ptr
}

/// Frees a buffer from `kb_alloc`.
///
/// # Safety
/// `ptr` and `len` must come from one `kb_alloc` call, freed once.
#[no_mangle]
pub unsafe extern "C" fn kb_free(ptr: *mut u8, len: usize) {
    if !ptr.is_null() {
        drop(Vec::from_raw_parts(ptr, 0, len.max(1)));
    }
}

/// Opens the head of a paged index. Returns 0, or 1 with the error message in the output.
///
/// # Safety
/// `ptr..ptr+len` must be initialised memory from `kb_alloc`.
#[no_mangle]
pub unsafe extern "C" fn kb_load(ptr: *const u8, len: usize) -> i32 {
    std::panic::set_hook(Box::new(|info| {
        set_out(format!("kb-search panicked: {info}").into_bytes())
    }));
    match SearchIndex::from_head(input(ptr, len)) {
        Ok(index) => {
            INDEX.with(|slot| *slot.borrow_mut() = Some(index));
            set_out(Vec::new());
            0
        }
        Err(e) => {
            set_out(e.to_string().into_bytes());
            1
        }
    }
}

/// Answers a request string. Returns 0 with the JSON in the output, 2 with the JSON
/// array of pages to load first, or 1 when no index is loaded.
///
/// # Safety
/// `ptr..ptr+len` must be initialised memory from `kb_alloc`.
#[no_mangle]
pub unsafe extern "C" fn kb_search(ptr: *const u8, len: usize) -> i32 {
    let request = String::from_utf8_lossy(input(ptr, len)).into_owned();
    let answer = INDEX.with(|slot| slot.borrow().as_ref().map(|index| index.answer(&request)));
    match answer {
        Some(Answer::Json(json)) => {
            set_out(json.into_bytes());
            0
        }
        Some(Answer::NeedPages(pages)) => {
            let list: Vec<String> = pages.iter().map(u32::to_string).collect();
            set_out(format!("[{}]", list.join(",")).into_bytes());
            2
        }
        None => {
            set_out(b"no index loaded: call kb_load first".to_vec());
            1
        }
    }
}

/// Loads page `n` of the index. Returns 0, or 1 with the error message in the output.
///
/// # Safety
/// `ptr..ptr+len` must be initialised memory from `kb_alloc`.
#[no_mangle]
pub unsafe extern "C" fn kb_add_page(n: u32, ptr: *const u8, len: usize) -> i32 {
    let data = input(ptr, len);
    let result = INDEX.with(|slot| slot.borrow().as_ref().map(|index| index.add_page(n, data)));
    match result {
        Some(Ok(())) => {
            set_out(Vec::new());
            0
        }
        Some(Err(e)) => {
            set_out(e.to_string().into_bytes());
            1
        }
        None => {
            set_out(b"no index loaded: call kb_load first".to_vec());
            1
        }
    }
}

/// Puts the id that names the loaded index's pages folder in the output. Returns 0, or 1
/// when no index is loaded.
#[no_mangle]
pub extern "C" fn kb_pages_id() -> i32 {
    let id = INDEX.with(|slot| slot.borrow().as_ref().map(SearchIndex::pages_id));
    match id {
        Some(id) => {
            set_out(id.into_bytes());
            0
        }
        None => {
            set_out(b"no index loaded: call kb_load first".to_vec());
            1
        }
    }
}

/// Address of the last output.
#[no_mangle]
pub extern "C" fn kb_out_ptr() -> *const u8 {
    OUT.with(|out| {
        out.try_borrow()
            .map(|o| o.as_ptr())
            .unwrap_or(std::ptr::null())
    })
}

/// Length of the last output.
#[no_mangle]
pub extern "C" fn kb_out_len() -> usize {
    OUT.with(|out| out.try_borrow().map(|o| o.len()).unwrap_or(0))
}

/// The blob format version this module reads.
#[no_mangle]
pub extern "C" fn kb_format_version() -> u32 {
    FORMAT_VERSION
}
