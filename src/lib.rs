//! Helpers for the workspace-wide checks in `tests/`: where things are.
//!
//! The root package holds no lesson; it is the home of the tests that tie
//! the book to the code and of the criterion benchmarks.

use std::path::{Path, PathBuf};

/// The workspace root.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The chapter crates' directories (`chapters/chNN-name`), in order.
pub fn chapter_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("chapters"))
        .expect("chapters/ is readable")
        .map(|entry| entry.expect("chapters/ entry").path())
        .filter(|path| path.join("Cargo.toml").is_file())
        .collect();
    dirs.sort();
    dirs
}

/// The markdown pages of the book, `book/src/**/*.md`, sorted.
pub fn book_pages() -> Vec<PathBuf> {
    fn walk(dir: &Path, pages: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("book dir is readable") {
            let path = entry.expect("book dir entry").path();
            if path.is_dir() {
                walk(&path, pages);
            } else if path.extension().is_some_and(|e| e == "md") {
                pages.push(path);
            }
        }
    }
    let mut pages = Vec::new();
    walk(&root().join("book").join("src"), &mut pages);
    pages.sort();
    pages
}

/// `{{#include path}}` and `{{#include path:anchor}}` directives of a page.
pub fn includes(page: &str) -> Vec<(String, Option<String>)> {
    page.match_indices("{{#include ")
        .map(|(start, _)| {
            let rest = &page[start + "{{#include ".len()..];
            let end = rest.find("}}").expect("include directive is closed");
            let target = rest[..end].trim();
            match target.rsplit_once(':') {
                Some((path, anchor)) => {
                    (path.to_string(), Some(anchor.to_string()))
                }
                None => (target.to_string(), None),
            }
        })
        .collect()
}

/// The lines between `ANCHOR: name` and `ANCHOR_END: name`, without nested
/// anchor lines; `None` if the anchor is missing or never closed.
pub fn anchor_region(source: &str, anchor: &str) -> Option<Vec<String>> {
    let start = format!("ANCHOR: {anchor}");
    let end = format!("ANCHOR_END: {anchor}");
    let mut lines = source.lines();
    lines.find(|line| line.trim_end().ends_with(&start))?;
    let mut region = Vec::new();
    for line in lines {
        if line.trim_end().ends_with(&end) {
            return Some(region);
        }
        if !line.contains("ANCHOR") {
            region.push(line.to_string());
        }
    }
    None
}
