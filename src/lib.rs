//! Helpers for the workspace-wide checks in `tests/`: where things are.
//!
//! The root package holds no lesson; it is the home of the tests that tie
//! the book to the code. (The criterion benchmarks are a package of their
//! own, `benches/`.)

pub mod quiz;

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

/// The name an `ANCHOR:` (or `ANCHOR_END:`) marker on `line` opens, as
/// mdBook reads it: the word after the first `marker` in the line.
fn marked_name<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    let at = line.find(marker)?;
    let rest = line[at + marker.len()..].trim_start();
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// Whether `line` holds `marker` followed by the name `anchor`, as mdBook
/// reads it: anywhere in the line (`// ANCHOR: x`, `<!-- ANCHOR: x -->`),
/// the name being the word after the marker.
fn marks(line: &str, marker: &str, anchor: &str) -> bool {
    marked_name(line, marker) == Some(anchor)
}

/// The names of the anchors `source` opens (`ANCHOR: name`), in order.
pub fn anchor_names(source: &str) -> Vec<String> {
    source
        .lines()
        .filter_map(|line| marked_name(line, "ANCHOR:"))
        .map(String::from)
        .collect()
}

/// The lines between `ANCHOR: name` and `ANCHOR_END: name`, each with its
/// line number in `source` (from 1), without the lines that open or close
/// a nested anchor: what mdBook shows for `{{#include file:name}}`. `None`
/// if the anchor is missing or never closed.
pub fn anchor_lines(
    source: &str,
    anchor: &str,
) -> Option<Vec<(usize, String)>> {
    let mut lines = source.lines().enumerate();
    lines.find(|(_, line)| marks(line, "ANCHOR:", anchor))?;
    let mut region = Vec::new();
    for (i, line) in lines {
        if marks(line, "ANCHOR_END:", anchor) {
            return Some(region);
        }
        if marked_name(line, "ANCHOR:").is_none()
            && marked_name(line, "ANCHOR_END:").is_none()
        {
            region.push((i + 1, line.to_string()));
        }
    }
    None
}

/// The lines between `ANCHOR: name` and `ANCHOR_END: name`, without nested
/// anchor lines; `None` if the anchor is missing or never closed.
pub fn anchor_region(source: &str, anchor: &str) -> Option<Vec<String>> {
    let region = anchor_lines(source, anchor)?;
    Some(region.into_iter().map(|(_, line)| line).collect())
}

#[cfg(test)]
mod tests {
    use super::{anchor_lines, anchor_names, anchor_region};

    #[test]
    fn anchors_are_found_in_code_and_markdown_comments_by_whole_name() {
        let source = "<!-- ANCHOR: e1_10 -->\nten\n<!-- ANCHOR_END: e1_10 -->\n\
                      <!-- ANCHOR: e1_1 -->\none\n<!-- ANCHOR_END: e1_1 -->\n\
                      // ANCHOR: f\nfn f() {}\n// ANCHOR_END: f\n";
        assert_eq!(anchor_region(source, "e1_1").unwrap(), ["one"]);
        assert_eq!(anchor_region(source, "e1_10").unwrap(), ["ten"]);
        assert_eq!(anchor_region(source, "f").unwrap(), ["fn f() {}"]);
        assert_eq!(anchor_region(source, "e1"), None);
    }

    #[test]
    fn anchor_lines_are_numbered_and_anchor_names_listed() {
        let source = "// ANCHOR: outer\nfn f() {\n// ANCHOR: inner\n    g()\n\
                      // ANCHOR_END: inner\n}\n// ANCHOR_END: outer\n";
        assert_eq!(
            anchor_lines(source, "outer").unwrap(),
            [
                (2, "fn f() {".to_string()),
                (4, "    g()".into()),
                (6, "}".into())
            ]
        );
        assert_eq!(anchor_names(source), ["outer", "inner"]);
        assert!(anchor_names("// ANCHOR_END: x\n// ANCHOR:\n").is_empty());
    }
}
