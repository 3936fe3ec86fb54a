//! Tidy checks: the workspace's rules, as tests.
//!
//! - Our own code has no `unsafe` (the lint is "deny", not "forbid", only
//!   so that ndarray's `s![]` macro compiles).
//! - The lesson path stays the lesson: no region the book includes from
//!   chapters 5–8 contains the fast path's threads, buffers or products.
//! - The fast path's primitives (`shared/fastpath`) know nothing of the
//!   book: the crate depends on no workspace crate.

use std::fs;
use std::path::{Path, PathBuf};

use nn_from_scratch::{anchor_region, book_pages, includes, root};

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
    for file in files.iter().filter(|f| **f != this_file) {
        let text = fs::read_to_string(file).expect("readable");
        let lines = unsafe_lines(&text);
        assert!(lines.is_empty(), "{}: unsafe on {lines:?}", file.display());
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
fn lesson_listings_of_chapters_5_to_11_have_no_plumbing() {
    let mut checked = 0;
    for page in book_pages() {
        let name = page.file_name().unwrap().to_str().unwrap().to_string();
        let chapter = ["ch05", "ch06", "ch07", "ch08", "ch09", "ch10", "ch11"];
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
