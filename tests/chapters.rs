//! Every chapter runs, prints the same numbers every time, and redraws
//! exactly the figures the book has; every chapter's exercises are wired
//! the same way.

mod common;

use std::collections::BTreeSet;
use std::fs;

use nn_from_scratch::{chapter_dirs, root};

#[test]
fn the_chapter_list_matches_the_chapters_directory() {
    let mut listed: Vec<&str> =
        common::chapters().iter().map(|c| c.name).collect();
    listed.extend(common::DATA_CHAPTERS);
    let on_disk: Vec<String> = chapter_dirs()
        .iter()
        .map(|d| d.file_name().unwrap().to_str().unwrap().to_string())
        .collect();
    assert_eq!(listed, on_disk, "update tests/common/mod.rs");
}

/// Each chapter on a thread of its own: the chapters are independent, and
/// this test is the longest of the workspace's.
#[test]
fn every_chapter_runs_the_same_way_twice_and_redraws_the_book_figures() {
    std::thread::scope(|scope| {
        for chapter in common::chapters() {
            scope.spawn(move || runs_twice_and_redraws(&chapter));
        }
    });
}

/// Runs `chapter` twice: the same output both times, and the book's
/// figures redrawn to the byte.
fn runs_twice_and_redraws(chapter: &shared::chapter::Chapter) {
    let dir = std::env::temp_dir().join(format!(
        "nn-figures-{}-{}",
        chapter.name,
        std::process::id()
    ));
    let args = || ["--figures-dir".to_string(), dir.display().to_string()];
    let mut first = Vec::new();
    shared::chapter::run(chapter, args(), &mut first)
        .unwrap_or_else(|e| panic!("{}: {e}", chapter.name));
    let mut second = Vec::new();
    shared::chapter::run(chapter, args(), &mut second).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&first),
        String::from_utf8_lossy(&second),
        "{} prints different numbers on a second run",
        chapter.name
    );
    let figures = (chapter.figures)();
    assert!(!figures.is_empty(), "{} has no figures", chapter.name);
    for figure in figures {
        assert!(
            figure.name.starts_with(&chapter.name[..5]),
            "figure {} should be named {}-…",
            figure.name,
            &chapter.name[..4]
        );
        let file = format!("{}.svg", figure.name);
        let fresh = fs::read_to_string(dir.join(&file)).unwrap();
        let committed = root().join("book/src/figures").join(&file);
        let committed = fs::read_to_string(&committed).unwrap_or_default();
        assert!(
            fresh == committed,
            "book/src/figures/{file} is stale or missing: \
             run `cargo run -p {} -- --figures-dir book/src/figures`",
            chapter.name
        );
    }
    fs::remove_dir_all(&dir).unwrap();
}

/// `pub fn` names declared in a source file.
fn pub_fns(path: &std::path::Path) -> BTreeSet<String> {
    let source = fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    exercises::catalog::pub_fns(&source)
}

#[test]
fn every_chapter_has_exercises_mirrored_by_solutions_graded_and_bitten() {
    for dir in chapter_dirs() {
        let name = dir.file_name().unwrap().to_str().unwrap();
        let stubs = pub_fns(&dir.join("src/exercises.rs"));
        let solutions = pub_fns(&dir.join("solutions/exercises.rs"));
        assert!(
            solutions.len() >= 3,
            "{name} has fewer than three exercises"
        );
        // A learner may add helpers; every exercise must still be there.
        // (`cargo exercises verify`, in .ci/run, checks the shipped stubs
        // match the solutions exactly and have one TODO each.)
        assert!(
            solutions.is_subset(&stubs),
            "{name}: src/exercises.rs lacks {:?}",
            solutions.difference(&stubs).collect::<Vec<_>>()
        );
        assert!(
            !dir.join("src/solutions.rs").exists(),
            "{name}: solutions belong outside the crate, in solutions/"
        );
        let manifest = fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        assert!(
            manifest.contains("my-answers = []"),
            "{name}: no `my-answers` feature"
        );
        let graded =
            fs::read_to_string(dir.join("tests/exercises.rs")).unwrap();
        let bitten =
            fs::read_to_string(dir.join("tests/grade/bite.rs")).unwrap();
        for exercise in &solutions {
            assert!(
                graded.contains(&format!("answers::{exercise}")),
                "{name}: exercise {exercise} is not graded"
            );
            assert!(
                bitten.contains(&format!("grade::{exercise}(")),
                "{name}: no test shows that {exercise}'s grader rejects a \
                 wrong answer"
            );
        }
    }
}

/// Every chapter runs its own program from its own tests (the binary
/// `cargo test` builds for it, in the same build): see
/// `shared::testing::check_chapter_binary`. Running them with `cargo run`
/// from here would build the whole workspace a second time.
#[test]
fn every_chapter_checks_its_program_from_its_own_tests() {
    for dir in chapter_dirs() {
        let name = dir.file_name().unwrap().to_str().unwrap();
        let test = fs::read_to_string(dir.join("tests/command_line.rs"))
            .unwrap_or_default();
        assert!(
            test.contains("check_chapter_binary(")
                && test.contains(&format!("env!(\"CARGO_BIN_EXE_{name}\")")),
            "{name}/tests/command_line.rs should run \
             shared::testing::check_chapter_binary on its binary"
        );
    }
}
