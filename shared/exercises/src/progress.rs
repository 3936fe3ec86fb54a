//! Where a learner stands, graded only as far as needed: chapters in
//! order up to the first one not finished, never a chapter with a
//! workspace of its own (chapter 14 builds Burn) unless asked by number.
//! And the two things a learner may want back: the shipped stub of an
//! exercise (from the repository's history) and, after a pass, the
//! reference solution.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use crate::catalog::{Chapter, Exercise};
use crate::grading::{self, Outcome};
use crate::regions;

/// Each graded exercise's outcome by test name, and which chapters were
/// graded.
#[derive(Clone, Debug, Default)]
pub struct Progress {
    /// Outcomes by test name.
    pub outcomes: BTreeMap<String, Outcome>,
    /// The numbers of the chapters graded.
    pub graded: BTreeSet<u32>,
}

impl Progress {
    /// The exercise's outcome, or None if its chapter was not graded.
    pub fn of(
        &self,
        chapter: &Chapter,
        exercise: &Exercise,
    ) -> Option<&Outcome> {
        match self.graded.contains(&chapter.number) {
            true => Some(
                self.outcomes
                    .get(&exercise.test_name())
                    .unwrap_or(&Outcome::NotStarted),
            ),
            false => None,
        }
    }

    /// Records a chapter's fresh grades.
    pub fn record(
        &mut self,
        chapter: &Chapter,
        outcomes: BTreeMap<String, Outcome>,
    ) {
        self.graded.insert(chapter.number);
        self.outcomes.extend(outcomes);
    }

    /// Whether every exercise of the chapter passes (false if not graded).
    pub fn finished(&self, chapter: &Chapter) -> bool {
        chapter
            .exercises
            .iter()
            .all(|e| self.of(chapter, e) == Some(&Outcome::Passed))
    }

    /// (exercises passing, exercises in all the chapters given).
    pub fn counts(&self, chapters: &[Chapter]) -> (usize, usize) {
        let all = chapters
            .iter()
            .flat_map(|c| c.exercises.iter().map(move |e| (c, e)));
        all.fold((0, 0), |(done, total), (c, e)| {
            let passed = self.of(c, e) == Some(&Outcome::Passed);
            (done + usize::from(passed), total + 1)
        })
    }

    /// The first exercise, in order, not known to pass.
    pub fn next<'a>(
        &self,
        chapters: &'a [Chapter],
    ) -> Option<(&'a Chapter, &'a Exercise)> {
        chapters
            .iter()
            .flat_map(|c| c.exercises.iter().map(move |e| (c, e)))
            .find(|(c, e)| self.of(c, e) != Some(&Outcome::Passed))
    }
}

/// Whether `cargo exercises list` grades this chapter without being asked:
/// not one with a workspace of its own.
pub fn graded_by_default(chapter: &Chapter) -> bool {
    !chapter.has_own_workspace()
}

/// Grades chapters in order, each with `grade`, up to and including the
/// first not finished (every chapter with `all`), skipping chapters with a
/// workspace of their own; `on_chapter` hears each before it is graded.
pub fn frontier(
    chapters: &[Chapter],
    all: bool,
    mut grade: impl FnMut(&Chapter) -> BTreeMap<String, Outcome>,
    mut on_chapter: impl FnMut(&Chapter),
) -> Progress {
    let mut progress = Progress::default();
    for chapter in chapters.iter().filter(|c| graded_by_default(c)) {
        on_chapter(chapter);
        progress.record(chapter, grade(chapter));
        if !all && !progress.finished(chapter) {
            break;
        }
    }
    progress
}

/// Grades with the real graders (see [`grading::grade`]).
pub fn grade_chapter(
    root: &Path,
    chapter: &Chapter,
) -> BTreeMap<String, Outcome> {
    grading::grade(root, chapter, None)
}

/// The line (from 1) of `pub fn function` in a source file, if there.
pub fn line_of(source: &str, function: &str) -> Option<usize> {
    let needle = format!("pub fn {function}");
    source
        .lines()
        .position(|l| l.trim_start().starts_with(&needle))
        .map(|i| i + 1)
}

/// Whether a region is a shipped stub: it still holds the exercise's
/// `todo!()`.
fn is_stub(region: &str, exercise: &Exercise) -> bool {
    region.contains(&format!("todo!(\"exercise {}", exercise.label()))
}

/// The exercise's region as shipped: from the newest commit of the
/// repository in which the learner's file held it as a stub (so answers
/// committed since are passed over).
pub fn shipped_stub(
    root: &Path,
    chapter: &Chapter,
    exercise: &Exercise,
) -> Result<String, String> {
    let file = chapter.exercises_file();
    let relative = file.strip_prefix(root).unwrap_or(&file);
    let relative = relative.to_string_lossy().replace('\\', "/");
    let git = |args: &[&str]| {
        Command::new("git")
            .current_dir(root)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
    };
    let commits = git(&["log", "--format=%H", "--", &relative]).ok_or_else(|| {
        format!(
            "reset reads the shipped stub from the repository's history, and \
             `git log -- {relative}` found none (is this a git clone?)"
        )
    })?;
    for commit in commits.lines().take(200) {
        let Some(old) = git(&["show", &format!("{commit}:{relative}")]) else {
            continue;
        };
        if let Some(range) = regions::find(&old, &exercise.function) {
            let region = &old[range];
            if is_stub(region, exercise) {
                return Ok(region.to_string());
            }
        }
    }
    Err(format!(
        "no commit of {relative} holds exercise {} as a stub",
        exercise.label()
    ))
}

/// The learner's file with the exercise's region put back to `stub`, or
/// None if the file has no such region.
pub fn with_stub(current: &str, stub: &str, function: &str) -> Option<String> {
    let range = regions::find(current, function)?;
    Some(format!(
        "{}{}{}",
        &current[..range.start],
        stub,
        &current[range.end..]
    ))
}

/// The reference solution's region of an exercise.
pub fn solution(
    chapter: &Chapter,
    exercise: &Exercise,
) -> Result<String, String> {
    let path = chapter.solutions_file();
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    regions::find(&text, &exercise.function)
        .map(|range| text[range].to_string())
        .ok_or_else(|| {
            format!("no region {} in {}", exercise.function, path.display())
        })
}

/// A bar of `width` cells, `done` of `total` filled: `[####······] 4/10`.
pub fn bar(done: usize, total: usize, width: usize) -> String {
    let filled = (done * width).checked_div(total).unwrap_or(0).min(width);
    format!(
        "[{}{}] {done}/{total}",
        "#".repeat(filled),
        "·".repeat(width - filled)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn exercise(c: u32, n: u32, function: &str) -> Exercise {
        Exercise {
            id: (c, n),
            function: function.into(),
            title: format!("{function} title"),
            hints: vec!["a hint".into()],
        }
    }

    fn chapter(number: u32, functions: &[&str]) -> Chapter {
        Chapter {
            number,
            package: format!("ch{number:02}-test"),
            dir: PathBuf::from(format!("/nowhere/ch{number:02}")),
            exercises: functions
                .iter()
                .enumerate()
                .map(|(i, f)| exercise(number, i as u32 + 1, f))
                .collect(),
        }
    }

    /// Every exercise of the chapter passes, but those named.
    fn grades(
        chapter: &Chapter,
        failing: &[&str],
    ) -> BTreeMap<String, Outcome> {
        chapter
            .exercises
            .iter()
            .map(|e| {
                let outcome = match failing.contains(&e.function.as_str()) {
                    true => Outcome::NotStarted,
                    false => Outcome::Passed,
                };
                (e.test_name(), outcome)
            })
            .collect()
    }

    #[test]
    fn grading_stops_at_the_first_chapter_not_finished() {
        let chapters = [
            chapter(1, &["a", "b"]),
            chapter(2, &["c"]),
            chapter(3, &["d"]),
        ];
        let mut asked = Vec::new();
        let progress = frontier(
            &chapters,
            false,
            |c| grades(c, &["c"]),
            |c| asked.push(c.number),
        );
        assert_eq!(asked, [1, 2], "chapter 3 is not graded");
        assert_eq!(progress.counts(&chapters), (2, 4));
        let (c, e) = progress.next(&chapters).unwrap();
        assert_eq!((c.number, e.label()), (2, "2.1".to_string()));
        assert_eq!(progress.of(&chapters[2], &chapters[2].exercises[0]), None);
        let all = frontier(&chapters, true, |c| grades(c, &["c"]), |_| {});
        assert_eq!(all.counts(&chapters), (3, 4));
    }

    #[test]
    fn a_stub_is_put_back_in_its_region_only() {
        let e = exercise(1, 1, "f");
        let stub = "pub fn f() {\n    todo!(\"exercise 1.1: f\")\n}\n";
        assert!(is_stub(stub, &e));
        assert!(!is_stub("pub fn f() { 42 }\n", &e));
        let current = "// ANCHOR: f\npub fn f() { 42 }\n// ANCHOR_END: f\n\
                       // ANCHOR: g\npub fn g() { 7 }\n// ANCHOR_END: g\n";
        let reset = with_stub(current, stub, "f").unwrap();
        assert!(reset.contains("todo!(\"exercise 1.1: f\")"));
        assert!(reset.contains("pub fn g() { 7 }") && !reset.contains("42"));
        assert_eq!(with_stub(current, stub, "h"), None);
        assert_eq!(line_of(&reset, "g"), Some(7));
    }

    #[test]
    fn the_bar_fills_in_proportion() {
        assert_eq!(bar(0, 4, 8), "[········] 0/4");
        assert_eq!(bar(2, 4, 8), "[####····] 2/4");
        assert_eq!(bar(4, 4, 8), "[########] 4/4");
        assert_eq!(bar(0, 0, 4), "[····] 0/0");
    }
}
