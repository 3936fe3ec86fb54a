//! The `// ANCHOR: name` … `// ANCHOR_END: name` regions that the book
//! includes. Each exercise is one region, named after its function, in both
//! `src/exercises.rs` and `solutions/exercises.rs`; maintainers' `solve`
//! copies a solution's region over the stub's.

/// The lines strictly between `ANCHOR: name` and `ANCHOR_END: name`, as a
/// byte range of `source`.
pub fn find(source: &str, name: &str) -> Option<std::ops::Range<usize>> {
    let start_marker = format!("// ANCHOR: {name}\n");
    let end_marker = format!("// ANCHOR_END: {name}\n");
    let start = source.find(&start_marker)? + start_marker.len();
    let end = start + source[start..].find(&end_marker)?;
    Some(start..end)
}

/// `target` with its region `name` replaced by the same region of `from`.
pub fn replace(target: &str, from: &str, name: &str) -> Option<String> {
    let there = find(target, name)?;
    let here = find(from, name)?;
    Some(format!(
        "{}{}{}",
        &target[..there.start],
        &from[here],
        &target[there.end..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_only_the_named_region() {
        let stubs = "a\n// ANCHOR: f\nstub f\n// ANCHOR_END: f\n\
                     // ANCHOR: g\nstub g\n// ANCHOR_END: g\n";
        let solutions = "// ANCHOR: f\nsolved f\n// ANCHOR_END: f\n";
        let out = replace(stubs, solutions, "f").unwrap();
        assert!(out.contains("solved f") && out.contains("stub g"), "{out}");
        assert!(!out.contains("stub f"));
        assert_eq!(replace(stubs, solutions, "g"), None);
    }
}
