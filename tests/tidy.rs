//! Tidy checks: the workspace's rules, as tests.
//!
//! - Our own code has no `unsafe` (the lint is "deny", not "forbid", only
//!   so that ndarray's `s![]` macro compiles).
//! - The lesson path stays the lesson: no region the book includes from
//!   chapters 5–12 contains the fast path's threads, buffers or products.
//! - The fast path's primitives (`shared/fastpath`) know nothing of the
//!   book: the crate depends on no workspace crate.
//! - The book and the code stay in step: no line a listing shows is wider
//!   than 80 characters, every `ANCHOR:` in the chapters (code, solutions,
//!   hints, chapter 14 included) and the shared library is included by some
//!   page, and every chapter function a listing calls is shown in a listing
//!   on that page or an earlier one, or named on the page. Each check's own
//!   test feeds it a made-up page that breaks it.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use nn_from_scratch::{
    anchor_lines, anchor_names, anchor_region, book_pages, includes, root,
};

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("readable") {
        let path = entry.expect("entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() && name != "target" && !name.starts_with('.') {
            rust_files(&path, out);
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

/// Lines of `source` that use the `unsafe` keyword (outside comments and
/// string literals on that line, roughly: a line comment is cut off first).
fn unsafe_lines(source: &str) -> Vec<usize> {
    source
        .lines()
        .enumerate()
        .filter(|(_, line)| {
            let code = line.split("//").next().unwrap_or("");
            let code = code.split('"').step_by(2).collect::<String>();
            code.split(|c: char| !c.is_alphanumeric() && c != '_')
                .any(|word| word == "unsafe")
        })
        .map(|(i, _)| i + 1)
        .collect()
}

#[test]
fn our_code_has_no_unsafe() {
    let mut files = Vec::new();
    for dir in ["shared", "chapters", "tests", "benches", "src"] {
        rust_files(&root().join(dir), &mut files);
    }
    assert!(files.len() > 50, "found only {} files", files.len());
    let this_file = root().join("tests").join("tidy.rs");
    // The one exception: a test that counts allocations installs its own
    // global allocator, and Rust's hook for one is an unsafe trait (five
    // lines: the `impl`, two methods, and their calls to `System`).
    let counting = root().join("chapters/ch08-mnist/tests/no_allocation.rs");
    for file in files.iter().filter(|f| **f != this_file) {
        let text = fs::read_to_string(file).expect("readable");
        let lines = unsafe_lines(&text);
        let allowed = if *file == counting { 5 } else { 0 };
        assert!(
            lines.len() == allowed,
            "{}: unsafe on {lines:?}",
            file.display()
        );
    }
}

#[test]
fn the_unsafe_check_sees_unsafe_code() {
    assert_eq!(unsafe_lines("fn f() {\n    unsafe { g() }\n}"), [2]);
    assert_eq!(unsafe_lines("unsafe fn f() {}"), [1]);
    assert!(
        unsafe_lines("// unsafe in a comment\nlet s = \"unsafe\";").is_empty()
    );
    assert!(unsafe_lines("let unsafe_code = 1;").is_empty());
}

/// What the lesson path never shows: threads, the fast path, scratch
/// buffers, index arithmetic on buffers.
const PLUMBING: &[&str] = &[
    "rayon",
    "fastpath",
    "fast::",
    "par_",
    "install(",
    "thread",
    "split_at_mut",
    "Workspace",
    "Trainer",
    "gemm",
    "Slice::from",
    "unsafe",
];

/// The plumbing words in one region.
fn plumbing_in(region: &[String]) -> Vec<&'static str> {
    PLUMBING
        .iter()
        .copied()
        .filter(|word| region.iter().any(|line| line.contains(word)))
        .collect()
}

#[test]
fn lesson_listings_of_chapters_5_to_13_have_no_plumbing() {
    let mut checked = 0;
    for page in book_pages() {
        let name = page.file_name().unwrap().to_str().unwrap().to_string();
        let chapter = [
            "ch05", "ch06", "ch07", "ch08", "ch09", "ch10", "ch11", "ch12",
            "ch13",
        ];
        if !chapter.iter().any(|c| name.starts_with(c)) {
            continue;
        }
        let text = fs::read_to_string(&page).unwrap();
        for (path, anchor) in includes(&text) {
            let source = page.parent().unwrap().join(&path);
            let source = fs::read_to_string(&source).unwrap();
            let region = match &anchor {
                Some(anchor) => anchor_region(&source, anchor).unwrap(),
                None => source.lines().map(String::from).collect(),
            };
            let found = plumbing_in(&region);
            assert!(
                found.is_empty(),
                "{name} includes {path}:{anchor:?}, which shows {found:?}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} listings checked");
}

#[test]
fn the_plumbing_check_sees_plumbing() {
    let region = vec![
        "let mut trainer = Trainer::new(&net, n, batch);".to_string(),
        "fastpath::gemm(1.0, &a, &b, 0.0, &mut c);".to_string(),
    ];
    assert_eq!(plumbing_in(&region), ["fastpath", "Trainer", "gemm"]);
    assert!(plumbing_in(&["let z = w.dot(&a) + &b;".to_string()]).is_empty());
}

#[test]
fn the_fast_path_crate_depends_on_no_workspace_crate() {
    let manifest =
        fs::read_to_string(root().join("shared/fastpath/Cargo.toml")).unwrap();
    let deps = manifest
        .split("[dependencies]")
        .nth(1)
        .expect("a [dependencies] table");
    let deps = deps.split("\n[").next().unwrap();
    for line in deps.lines().filter(|l| !l.trim().is_empty()) {
        let name = line.split(['.', ' ', '=']).next().unwrap();
        assert!(
            !name.starts_with("ch") && name != "shared",
            "fastpath depends on {name}"
        );
    }
    assert!(deps.contains("ndarray"), "the check reads the table");
}

// ---------------------------------------------------------------------------
// The book and the code in step: what the listings show.

/// The widest line a listing may have, in characters: what the book's code
/// blocks show without scrolling sideways (rustfmt's `max_width`, too).
const MAX_WIDTH: usize = 80;

/// One `{{#include}}` of a page: the region of a source file it shows.
struct Listing {
    /// The file, relative to the workspace root (`chapters/…/src/lib.rs`).
    file: String,
    /// The anchor, or `None` for a whole file.
    anchor: Option<String>,
    /// Whether the include sits in a fenced code block (a listing), rather
    /// than in prose (the hints, which are markdown).
    code: bool,
    /// The lines the book shows, each with its line number in `file`.
    lines: Vec<(usize, String)>,
}

impl Listing {
    /// The lines the book shows, as one text.
    fn text(&self) -> String {
        let lines: Vec<&str> = self.lines.iter().map(|(_, l)| &**l).collect();
        lines.join("\n")
    }

    /// `file:anchor`, as a page writes it.
    fn name(&self) -> String {
        match &self.anchor {
            Some(anchor) => format!("{}:{anchor}", self.file),
            None => self.file.clone(),
        }
    }
}

/// One page of the book: its file name, its markdown and what it includes.
struct Page {
    name: String,
    text: String,
    listings: Vec<Listing>,
}

/// `path` with its `..` and `.` components resolved, without touching the
/// file system.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// A path relative to the workspace root, with `/` between its parts.
fn relative(path: &Path) -> String {
    let path = normalise(path);
    let path = path.strip_prefix(root()).unwrap_or(&path);
    let parts: Vec<_> = path.iter().map(|p| p.to_string_lossy()).collect();
    parts.join("/")
}

/// The includes of a page with whether each sits in a fenced code block.
fn includes_with_fences(page: &str) -> Vec<(String, Option<String>, bool)> {
    let mut in_fence = false;
    let mut found = Vec::new();
    for line in page.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        }
        for (path, anchor) in includes(line) {
            found.push((path, anchor, in_fence));
        }
    }
    found
}

/// A page named `name` with markdown `text`, in the book directory `dir`:
/// its includes resolved against `dir` and read with `source_of` (given
/// the file's path relative to the workspace root).
fn build_page(
    name: &str,
    text: String,
    dir: &Path,
    source_of: impl Fn(&str) -> String,
) -> Page {
    let listings = includes_with_fences(&text)
        .into_iter()
        .map(|(file, anchor, code)| {
            let file = relative(&dir.join(file));
            let source = source_of(&file);
            let lines = match &anchor {
                Some(anchor) => {
                    anchor_lines(&source, anchor).unwrap_or_else(|| {
                        panic!("{name}: no anchor {anchor} in {file}")
                    })
                }
                None => source
                    .lines()
                    .enumerate()
                    .map(|(i, line)| (i + 1, line.to_string()))
                    .collect(),
            };
            Listing {
                file,
                anchor,
                code,
                lines,
            }
        })
        .collect();
    Page {
        name: name.to_string(),
        text,
        listings,
    }
}

/// Reads a page and the regions it includes.
fn read_page(path: &Path) -> Page {
    let text = fs::read_to_string(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    build_page(&name, text, path.parent().unwrap(), |file| {
        fs::read_to_string(root().join(file))
            .unwrap_or_else(|e| panic!("{}: {file}: {e}", path.display()))
    })
}

/// The book's pages in reading order: as `SUMMARY.md` lists them, then any
/// page it does not list.
fn pages_in_order() -> Vec<Page> {
    let src = root().join("book/src");
    let summary = fs::read_to_string(src.join("SUMMARY.md")).unwrap();
    let mut order: Vec<PathBuf> = summary
        .match_indices("](")
        .filter_map(|(at, _)| {
            let rest = &summary[at + 2..];
            let link = &rest[..rest.find(')')?];
            link.ends_with(".md").then(|| normalise(&src.join(link)))
        })
        .collect();
    for page in book_pages() {
        if !order.contains(&page) {
            order.push(page);
        }
    }
    order.iter().map(|page| read_page(page)).collect()
}

/// Lines of a listing wider than [`MAX_WIDTH`] characters: (line number in
/// the source file, width).
fn long_lines(lines: &[(usize, String)]) -> Vec<(usize, usize)> {
    lines
        .iter()
        .map(|(n, line)| (*n, line.chars().count()))
        .filter(|&(_, width)| width > MAX_WIDTH)
        .collect()
}

/// Every line too wide in the code listings of `pages`, one message each,
/// naming the page, the file, the anchor, the line and its width. Hints
/// (markdown outside code blocks) wrap like the prose around them and are
/// not checked.
fn long_listing_lines(pages: &[Page]) -> Vec<String> {
    let mut found = Vec::new();
    for page in pages {
        for listing in page.listings.iter().filter(|l| l.code) {
            for (n, width) in long_lines(&listing.lines) {
                found.push(format!(
                    "{}: {} line {n} is {width} characters wide",
                    page.name,
                    listing.name(),
                ));
            }
        }
    }
    found
}

#[test]
fn no_line_the_book_shows_is_over_80_columns() {
    let pages = pages_in_order();
    let checked: usize = pages.iter().map(|p| p.listings.len()).sum();
    assert!(checked > 200, "only {checked} listings found");
    let found = long_listing_lines(&pages);
    assert!(
        found.is_empty(),
        "{} listing lines are over {MAX_WIDTH} characters (rewrap them; \
         split long comments and strings by hand):\n{}",
        found.len(),
        found.join("\n")
    );
}

/// `(file, anchor)` pairs that `files` (`(path, text)`) open with
/// `ANCHOR: name` but no listing of `pages` includes.
fn unused_anchors(
    files: &[(String, String)],
    pages: &[Page],
) -> Vec<(String, String)> {
    let included: BTreeSet<(&str, &str)> = pages
        .iter()
        .flat_map(|page| &page.listings)
        .filter_map(|l| Some((l.file.as_str(), l.anchor.as_deref()?)))
        .collect();
    files
        .iter()
        .flat_map(|(file, text)| {
            anchor_names(text)
                .into_iter()
                .map(move |a| (file.clone(), a))
        })
        .filter(|(file, a)| !included.contains(&(file.as_str(), a.as_str())))
        .collect()
}

/// Every file of `dir` (recursively) whose name ends with `suffix`.
fn files_ending(dir: &Path, suffix: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.expect("entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() && name != "target" && !name.starts_with('.') {
            files_ending(&path, suffix, out);
        } else if name.ends_with(suffix) {
            out.push(path);
        }
    }
}

/// The files whose anchors are there for the book: each chapter's code
/// (`src/`, chapter 14's separate workspace included), its reference
/// solutions and its hints, and the shared library the pages include from.
fn anchored_files() -> Vec<(String, String)> {
    let mut paths = Vec::new();
    for chapter in fs::read_dir(root().join("chapters")).unwrap() {
        let chapter = chapter.unwrap().path();
        files_ending(&chapter.join("src"), ".rs", &mut paths);
        files_ending(&chapter.join("solutions"), ".rs", &mut paths);
        paths.push(chapter.join("hints.md"));
    }
    files_ending(&root().join("shared/src"), ".rs", &mut paths);
    paths.sort();
    paths
        .iter()
        .filter(|p| p.is_file())
        .map(|p| (relative(p), fs::read_to_string(p).unwrap()))
        .collect()
}

#[test]
fn every_anchor_is_included_by_some_page() {
    let files = anchored_files();
    let anchors: usize = files.iter().map(|(_, t)| anchor_names(t).len()).sum();
    assert!(anchors > 200, "only {anchors} anchors found");
    let unused = unused_anchors(&files, &pages_in_order());
    let list: Vec<String> = unused
        .iter()
        .map(|(f, a)| format!("{f}: ANCHOR: {a}"))
        .collect();
    assert!(
        unused.is_empty(),
        "anchors no page includes (show the region on its page, or drop \
         the anchor):\n{}",
        list.join("\n")
    );
}

/// `code` without its comments and attributes, and with the contents of its
/// string and character literals blanked out (the quotes stay), so that
/// words in them are not read as code. Raw strings (`r#"…"#`) and
/// lifetimes (`'a`) are known.
fn code_only(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    let mut out = String::with_capacity(code.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '#' && matches!(next, Some('[' | '!')) {
            // An attribute, `#[…]` or `#![…]`: `cfg(any(…))` calls nothing.
            let mut depth = 0;
            while i < chars.len() {
                match chars[i] {
                    '[' => depth += 1,
                    ']' if depth == 1 => break,
                    ']' => depth -= 1,
                    _ => {}
                }
                i += 1;
            }
            i += 1;
        } else if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i < chars.len()
                && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/'))
            {
                i += 1;
            }
            i += 2;
        } else if c == 'r'
            && matches!(next, Some('"' | '#'))
            && !chars[..i]
                .last()
                .is_some_and(|p| p.is_alphanumeric() || *p == '_')
        {
            // A raw string: r"…", r#"…"#, …
            let mut j = i + 1;
            while chars.get(j) == Some(&'#') {
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            let hashes = j - i - 1;
            j += 1;
            while j < chars.len()
                && !(chars[j] == '"'
                    && (1..=hashes).all(|k| chars.get(j + k) == Some(&'#')))
            {
                j += 1;
            }
            out.push_str("\"\"");
            i = j + 1 + hashes;
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            out.push_str("\"\"");
            i += 1;
        } else if c == '\'' {
            // A character literal ('x', '\n', '\u{..}') or a lifetime ('a).
            let end = if next == Some('\\') {
                (i + 3..chars.len()).find(|&j| chars[j] == '\'')
            } else {
                (chars.get(i + 2) == Some(&'\'')).then_some(i + 2)
            };
            match end {
                Some(end) => {
                    out.push_str("' '");
                    i = end + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Whether `c` may be part of an identifier.
fn ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The identifiers of `code` (comments and literals blanked), each with the
/// text before it and the character after it.
fn identifiers(code: &str) -> Vec<(&str, &str, Option<char>)> {
    let mut found = Vec::new();
    let mut start = None;
    for (at, c) in code.char_indices().chain([(code.len(), ' ')]) {
        match (start, ident_char(c)) {
            (None, true) => start = Some(at),
            (Some(s), false) => {
                let word = &code[s..at];
                if !word.starts_with(|c: char| c.is_ascii_digit()) {
                    found.push((word, &code[..s], code[at..].chars().next()));
                }
                start = None;
            }
            _ => {}
        }
    }
    found
}

/// The identifier that `before` ends with, after any white space: "" if
/// it ends with something else.
fn word_before(before: &str) -> &str {
    let before = before.trim_end();
    let start = before
        .rfind(|c: char| !ident_char(c))
        .map_or(0, |at| at + before[at..].chars().next().unwrap().len_utf8());
    &before[start..]
}

/// The functions `code` defines (the names after `fn`); with `public`, only
/// those declared plain `pub`: `pub(crate)` and `pub(super)` mark helpers
/// shared between modules, not what a chapter offers.
fn fn_definitions(code: &str, public: bool) -> BTreeSet<String> {
    identifiers(&code_only(code))
        .into_iter()
        .filter(|(_, before, _)| {
            let line = &before[before.rfind('\n').map_or(0, |at| at + 1)..];
            word_before(before) == "fn"
                && (!public || line.trim_start().starts_with("pub "))
        })
        .map(|(word, _, _)| word.to_string())
        .collect()
}

/// Names `code` binds itself (`let x`, `let mut x`, `for x in`, a
/// closure's `|x|`, a parameter or field `x: T`): calling one of those
/// calls a value, not a function defined elsewhere.
fn local_bindings(code: &str) -> BTreeSet<String> {
    let code = code_only(code);
    let mut bound = BTreeSet::new();
    for (word, before, after) in identifiers(&code) {
        let previous = word_before(before);
        let rest = &code[before.len() + word.len()..];
        let binds = matches!(previous, "let" | "for")
            || (previous == "mut"
                && word_before(before.trim_end().strip_suffix("mut").unwrap())
                    == "let")
            || before.trim_end().ends_with('|')
            || before.trim_end().ends_with("|mut")
            || (after == Some(':') && !rest.starts_with("::"));
        if binds {
            bound.insert(word.to_string());
        }
    }
    bound
}

/// Primitive types and the standard library: a path through one of them
/// (`f64::max(`, `std::mem::swap(`) never calls a chapter's function.
const NOT_OURS: &[&str] = &[
    "std", "core", "alloc", "f32", "f64", "i8", "i16", "i32", "i64", "i128",
    "isize", "u8", "u16", "u32", "u64", "u128", "usize", "bool", "char", "str",
    "Self", "self",
];

/// The free functions `code` calls: identifiers followed by `(`, leaving
/// out capitalised ones (`Some(`, `Fn(`: variants, tuple structs, traits;
/// functions are snake_case), methods (`.name(`), definitions (`fn name(`),
/// associated functions (`Type::name(`: a path whose last part before the
/// name starts with a capital or is a primitive type), macros (`name!(` is
/// not followed by `(` directly) and names the code binds itself (closures,
/// parameters). Module paths (`gradcheck::check(`) count: they call a free
/// function.
fn free_calls(code: &str) -> BTreeSet<String> {
    let bound = local_bindings(code);
    let code = code_only(code);
    identifiers(&code)
        .into_iter()
        .filter(|(word, before, after)| {
            let capital = word.starts_with(|c: char| c.is_uppercase());
            if *after != Some('(') || capital || bound.contains(*word) {
                return false;
            }
            let before = before.trim_end();
            if before.ends_with('.') {
                return false;
            }
            if let Some(path) = before.strip_suffix("::") {
                let owner =
                    path.rsplit(|c: char| !ident_char(c)).next().unwrap_or("");
                let first = owner.chars().next();
                return first.is_some_and(|c| c.is_lowercase())
                    && !NOT_OURS.contains(&owner);
            }
            word_before(before) != "fn"
        })
        .map(|(word, _, _)| word.to_string())
        .collect()
}

/// The identifiers in the inline code (`` `…` ``) of markdown prose,
/// outside fenced blocks: the names the text gives the reader.
fn named_in_prose(markdown: &str) -> BTreeSet<String> {
    let mut in_fence = false;
    let mut names = BTreeSet::new();
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        for span in line.split('`').skip(1).step_by(2) {
            for (word, _, _) in identifiers(span) {
                names.insert(word.to_string());
            }
        }
    }
    names
}

/// The comments of `code` (what follows `//` on each line), where a
/// listing names things in inline code as prose does.
fn comments(code: &str) -> String {
    let parts = code
        .lines()
        .filter_map(|line| Some(&line[line.find("//")?..]));
    parts.collect::<Vec<_>>().join("\n")
}

/// The functions each crate defines (outside its test modules), and
/// whether each is public: `crate dir → name → pub`, the crate being named
/// by its directory (`chapters/ch06-backprop`).
type Functions = BTreeMap<String, BTreeMap<String, bool>>;

/// The crate directory of a workspace file: `chapters/ch06-backprop` for
/// `chapters/ch06-backprop/src/lib.rs`, `shared` for `shared/src/rng.rs`.
fn crate_of(file: &str) -> String {
    let parts: Vec<&str> = file.split('/').collect();
    let take = if parts[0] == "chapters" { 2 } else { 1 };
    parts[..take.min(parts.len())].join("/")
}

/// Whether a call to `name` in a listing of `krate` calls a function of
/// ours: the crate's own function by that name if it has one (public or a
/// helper: the reader meets both), else a public one of any crate
/// (imported).
fn is_ours(functions: &Functions, krate: &str, name: &str) -> bool {
    match functions.get(krate).and_then(|fns| fns.get(name)) {
        Some(_) => true,
        None => functions.values().any(|fns| fns.get(name) == Some(&true)),
    }
}

/// Calls in the code listings of `pages` (in reading order) to a public
/// function of ours (see [`is_ours`]) that the reader cannot look up: no
/// listing on that page or an earlier one defines it, and the page does
/// not name it in inline code (in its prose, the hints it includes or the
/// comments of its listings) nor define it in code written on the page
/// itself. One message each: the page, the listing, the call.
fn undefined_calls(pages: &[Page], functions: &Functions) -> Vec<String> {
    let mut shown = BTreeSet::new();
    let mut found = Vec::new();
    for page in pages {
        let mut known = named_in_prose(&page.text);
        known.extend(fn_definitions(&page.text, false));
        for listing in &page.listings {
            let text = listing.text();
            if listing.code {
                shown.extend(fn_definitions(&text, false));
                known.extend(named_in_prose(&comments(&text)));
            } else {
                known.extend(named_in_prose(&text));
            }
        }
        for listing in page.listings.iter().filter(|l| l.code) {
            let krate = crate_of(&listing.file);
            for call in free_calls(&listing.text()) {
                if is_ours(functions, &krate, &call)
                    && !shown.contains(&call)
                    && !known.contains(&call)
                {
                    found.push(format!(
                        "{}: {} calls `{call}`",
                        page.name,
                        listing.name()
                    ));
                }
            }
        }
    }
    found
}

/// The functions of the chapters' code (`chapters/*/src`), by crate.
fn our_functions() -> Functions {
    let mut files = Vec::new();
    for chapter in fs::read_dir(root().join("chapters")).unwrap() {
        files_ending(&chapter.unwrap().path().join("src"), ".rs", &mut files);
    }
    let mut functions = Functions::new();
    for file in files {
        let text = fs::read_to_string(&file).unwrap();
        let text = text.split("#[cfg(test)]").next().unwrap();
        let fns = functions.entry(crate_of(&relative(&file))).or_default();
        let public = fn_definitions(text, true);
        for name in fn_definitions(text, false) {
            let is_pub = public.contains(&name);
            *fns.entry(name).or_default() |= is_pub;
        }
    }
    functions
}

/// A listing may only call a chapter's function the reader can see: shown
/// in a listing of this page or an earlier one (in `SUMMARY.md`'s order),
/// or named on the page.
///
/// The heuristic, a pragmatic one: a call is a snake_case identifier
/// followed directly by `(` in a listing's code (comments, attributes and
/// literals left out), and only calls to a function of ours are checked:
/// one the listing's own crate defines (public or a helper), or a `pub fn`
/// of another crate in `chapters/*/src` (outside the test module that
/// starts at a file's first `#[cfg(test)]`) — so the standard library,
/// ndarray, Burn and the shared library never count. A listing's own crate
/// comes first: if it defines the name, that function is what it calls,
/// whatever other crates export. Method calls (`.name(`), associated functions
/// (`Type::name(`, `f64::max(`), macros (`name!(`) and names the listing
/// binds itself (`let`, closures' and functions' parameters) are left out;
/// module paths (`ch08_mnist::cosine_eta(`) are calls. "Shown" compares
/// names without their crate: a `flatten` shown in chapter 1 counts for
/// every later `flatten`. "Named" means in inline code (`` `name` ``) in
/// the page's prose, in the hints it includes or in a listing's comments.
#[test]
fn every_function_a_listing_calls_is_shown_or_named() {
    let functions = our_functions();
    let public = functions.values().flat_map(|f| f.values()).filter(|p| **p);
    assert!(public.count() > 100, "too few public functions found");
    let pages = pages_in_order();
    let checked: usize = pages
        .iter()
        .flat_map(|page| page.listings.iter().filter(|l| l.code))
        .map(|l| {
            let krate = crate_of(&l.file);
            let calls = free_calls(&l.text());
            calls
                .iter()
                .filter(|c| is_ours(&functions, &krate, c))
                .count()
        })
        .sum();
    assert!(checked > 100, "only {checked} calls checked");
    let found = undefined_calls(&pages, &functions);
    assert!(
        found.is_empty(),
        "listings call functions the book neither shows nor names (include \
         the function's region on this page or an earlier one, or name it \
         in the prose, `like_this`):\n{}",
        found.join("\n")
    );
}

/// A made-up book for the checks' own tests: pages in `book/src` whose
/// includes read the made-up `files` (`path → source`).
fn made_up_book(pages: &[(&str, &str)], files: &[(&str, &str)]) -> Vec<Page> {
    let dir = root().join("book/src");
    let source_of = |file: &str| {
        let found = files.iter().find(|(path, _)| *path == file);
        found
            .unwrap_or_else(|| panic!("no made-up {file}"))
            .1
            .to_string()
    };
    pages
        .iter()
        .map(|(name, text)| build_page(name, text.to_string(), &dir, source_of))
        .collect()
}

#[test]
fn the_width_check_sees_a_long_line_in_a_listing() {
    let wide = format!("    let x = {};", "y".repeat(68)); // 81 characters
    let greek = format!("    // {}", "σ".repeat(73)); // 80, 146 bytes
    let source = format!(
        "// ANCHOR: f\nfn f() {{\n{wide}\n{greek}\n}}\n// ANCHOR_END: f\n\
         <!-- ANCHOR: hint -->\n{}\n<!-- ANCHOR_END: hint -->\n",
        "word ".repeat(30)
    );
    let files = [("chapters/ch99-x/src/lib.rs", source.as_str())];
    let page = "```rust,ignore\n\
                {{#include ../../chapters/ch99-x/src/lib.rs:f}}\n```\n\n\
                {{#include ../../chapters/ch99-x/src/lib.rs:hint}}\n";
    let book = made_up_book(&[("ch99-x.md", page)], &files);
    assert_eq!(
        long_listing_lines(&book),
        [
            "ch99-x.md: chapters/ch99-x/src/lib.rs:f line 3 is 81 characters \
          wide"
        ],
        "the 81-character line, not the 80 wide one of 146 bytes, nor the \
         hint's prose"
    );
    let narrow = source.replace(&wide, "    let x = y;");
    let files = [("chapters/ch99-x/src/lib.rs", narrow.as_str())];
    let book = made_up_book(&[("ch99-x.md", page)], &files);
    assert!(long_listing_lines(&book).is_empty());
}

#[test]
fn the_anchor_check_sees_an_anchor_no_page_includes() {
    let lib = "// ANCHOR: shown\nfn a() {}\n// ANCHOR_END: shown\n\
               // ANCHOR: forgotten\nfn b() {}\n// ANCHOR_END: forgotten\n";
    let hints = "<!-- ANCHOR: e99_1 -->\nA hint.\n<!-- ANCHOR_END: e99_1 -->\n";
    let files = [
        ("chapters/ch99-x/src/lib.rs".to_string(), lib.to_string()),
        ("chapters/ch99-x/hints.md".to_string(), hints.to_string()),
    ];
    let made_up: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, s)| (p.as_str(), s.as_str()))
        .collect();
    let shows_one = "```rust,ignore\n\
                     {{#include ../../chapters/ch99-x/src/lib.rs:shown}}\n```\n";
    let book = made_up_book(&[("ch99-x.md", shows_one)], &made_up);
    let unused = unused_anchors(&files, &book);
    let unused: Vec<(&str, &str)> = unused
        .iter()
        .map(|(f, a)| (f.as_str(), a.as_str()))
        .collect();
    assert_eq!(
        unused,
        [
            ("chapters/ch99-x/src/lib.rs", "forgotten"),
            ("chapters/ch99-x/hints.md", "e99_1")
        ]
    );
    let shows_all = format!(
        "{shows_one}```rust,ignore\n\
         {{{{#include ../../chapters/ch99-x/src/lib.rs:forgotten}}}}\n```\n\
         {{{{#include ../../chapters/ch99-x/hints.md:e99_1}}}}\n"
    );
    let book = made_up_book(&[("ch99-x.md", &shows_all)], &made_up);
    assert!(unused_anchors(&files, &book).is_empty());
}

#[test]
fn the_call_heuristic_finds_free_calls_only() {
    let code = r#"
/// Calls `documented(x)` in a comment; no call.
pub fn shown(x: f64, f: impl Fn(f64) -> f64) -> f64 {
    let g = |y| y + 1.0; // hidden(y) in a comment
    let s = "hidden(x) in a string";
    let c = '(';
    #[cfg(any(feature = "x"))]
    let v = vec![helper(x), f(x), g(x), x.method(1), Type::assoc(2)];
    f64::max(x, 1.0) + module::free(x) + crate::deep::path(x) + s.len()
}"#;
    let calls: Vec<String> = free_calls(code).into_iter().collect();
    assert_eq!(calls, ["free", "helper", "path"]);
    let defined: Vec<String> = fn_definitions(code, true).into_iter().collect();
    assert_eq!(defined, ["shown"]);
    let helpers = "fn a() {}\npub(crate) fn b() {}\npub(super) fn c() {}";
    assert!(fn_definitions(helpers, true).is_empty());
    assert_eq!(fn_definitions(helpers, false).len(), 3);
    assert_eq!(
        code_only("r#\"a \"(b)\" c\"# + x('\\'') // d(e)"),
        "\"\" + x(' ') "
    );
}

#[test]
fn the_call_check_sees_a_call_the_book_does_not_show() {
    let lib = "\
// ANCHOR: first
pub fn first() -> u8 { 1 }
// ANCHOR_END: first
// ANCHOR: second
pub fn second() -> u8 { first() + helper() + private() + named() }
// ANCHOR_END: second
pub fn helper() -> u8 { 2 }
pub fn named() -> u8 { 3 }
fn private() -> u8 { 4 }
";
    let other = "pub fn private() -> u8 { 5 }\n";
    let mut functions = Functions::new();
    for (krate, source) in
        [("chapters/ch99-x", lib), ("chapters/ch98-y", other)]
    {
        let public = fn_definitions(source, true);
        let fns = functions.entry(krate.to_string()).or_default();
        for name in fn_definitions(source, false) {
            fns.insert(name.clone(), public.contains(&name));
        }
    }
    let files = [("chapters/ch99-x/src/lib.rs", lib)];
    let include = |anchor: &str| {
        format!(
            "```rust,ignore\n\
             {{{{#include ../../chapters/ch99-x/src/lib.rs:{anchor}}}}}\n```\n"
        )
    };
    let (first, second) = (include("first"), include("second"));
    // `first` is shown a page earlier and `named` is named in the prose;
    // `helper` is neither, and `private`, the crate's own private helper
    // (not another crate's public `private`), is not named either.
    let second_named = format!("`named` counts.\n{second}");
    let pages = [("ch01.md", first.as_str()), ("ch02.md", &second_named)];
    let book = made_up_book(&pages, &files);
    assert_eq!(
        undefined_calls(&book, &functions),
        [
            "ch02.md: chapters/ch99-x/src/lib.rs:second calls `helper`",
            "ch02.md: chapters/ch99-x/src/lib.rs:second calls `private`"
        ]
    );
    // Shown in the wrong order, `first` is not yet shown either.
    let pages = [("ch01.md", second_named.as_str()), ("ch02.md", &first)];
    let book = made_up_book(&pages, &files);
    assert_eq!(undefined_calls(&book, &functions).len(), 3);
    // Named, `helper` and `private` are fine.
    let clean = format!("`helper`, `private` and `named` help.\n{second}");
    let pages = [("ch01.md", first.as_str()), ("ch02.md", &clean)];
    let book = made_up_book(&pages, &files);
    assert!(undefined_calls(&book, &functions).is_empty());
}
