//! Grades a chapter by running its graders on the learner's answers,
//! `cargo test -p CHAPTER --features my-answers --test exercises` (for a
//! chapter with a workspace of its own, `--manifest-path` and `--release`
//! in place of `-p`), and reading what the test harness printed.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::catalog::Chapter;

/// How one exercise stands.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The grader accepts the answer.
    Passed,
    /// The stub's `todo!()` is still there.
    NotStarted,
    /// The grader rejects the answer; its message says why.
    Failed(String),
    /// The chapter's exercises do not compile; the compiler's errors.
    DoesNotCompile(String),
}

impl Outcome {
    /// ✓ or ✗.
    pub fn mark(&self) -> &'static str {
        if *self == Outcome::Passed {
            "✓"
        } else {
            "✗"
        }
    }

    /// A few words for the list.
    pub fn summary(&self) -> String {
        match self {
            Outcome::Passed => "done".into(),
            Outcome::NotStarted => "to do".into(),
            Outcome::Failed(message) => {
                let first = message.lines().next().unwrap_or_default();
                format!("not yet: {}", shorten(first, 60))
            }
            Outcome::DoesNotCompile(_) => "does not compile".into(),
        }
    }
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

/// Runs the chapter's graders on the learner's answers (all of them, or
/// the one test named) and returns each test's outcome by test name.
pub fn grade(
    root: &Path,
    chapter: &Chapter,
    only: Option<&str>,
) -> BTreeMap<String, Outcome> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command.current_dir(root).arg("test");
    if chapter.has_own_workspace() {
        // Its own workspace (chapter 14 builds Burn), built in release
        // like its run and its tests, so Burn is compiled once.
        let manifest = chapter.dir.join("Cargo.toml");
        command
            .arg("--manifest-path")
            .arg(manifest)
            .arg("--release");
    } else {
        command.args(["-p", &chapter.package]);
    }
    command
        .args(["--features", "my-answers", "--test", "exercises"])
        .args(["--no-fail-fast", "--", "--include-ignored"])
        .args(["--color", "never"])
        .env("RUST_BACKTRACE", "0")
        .env("CARGO_TERM_COLOR", "never");
    if let Some(test) = only {
        command.args(["--exact", test]);
    }
    let output = match command.output() {
        Ok(output) => output,
        Err(e) => {
            let why = format!("cannot run cargo: {e}");
            return every(chapter, only, Outcome::DoesNotCompile(why));
        }
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let outcomes = parse_test_output(&stdout);
    if outcomes.is_empty() && !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let errors = compiler_errors(&stderr);
        return every(chapter, only, Outcome::DoesNotCompile(errors));
    }
    outcomes
}

fn every(
    chapter: &Chapter,
    only: Option<&str>,
    outcome: Outcome,
) -> BTreeMap<String, Outcome> {
    chapter
        .exercises
        .iter()
        .map(|e| e.test_name())
        .filter(|name| only.is_none_or(|o| o == name))
        .map(|name| (name, outcome.clone()))
        .collect()
}

/// The compiler's messages from cargo's stderr, without its progress lines.
pub fn compiler_errors(stderr: &str) -> String {
    let start = stderr
        .find("error")
        .or_else(|| stderr.find("warning"))
        .unwrap_or(0);
    stderr[start..].trim_end().to_string()
}

/// Each test's outcome from libtest's plain output: the `test NAME ... ok`
/// lines, and the `---- NAME stdout ----` sections that hold a failure's
/// panic message.
pub fn parse_test_output(stdout: &str) -> BTreeMap<String, Outcome> {
    let mut outcomes = BTreeMap::new();
    for line in stdout.lines() {
        let Some(rest) = line.strip_prefix("test ") else {
            continue;
        };
        let Some((name, result)) = rest.split_once(" ... ") else {
            continue;
        };
        let outcome = match result.trim() {
            "ok" => Outcome::Passed,
            "FAILED" => Outcome::Failed(String::new()),
            _ => continue,
        };
        outcomes.insert(name.to_string(), outcome);
    }
    for (name, outcome) in outcomes.iter_mut() {
        if *outcome == Outcome::Passed {
            continue;
        }
        let message = failure_message(stdout, name);
        *outcome = if message.contains("not yet implemented") {
            Outcome::NotStarted
        } else {
            Outcome::Failed(message)
        };
    }
    outcomes
}

/// The panic message in a failed test's section: the lines after
/// "panicked at FILE:LINE:COL:" up to the backtrace note.
fn failure_message(stdout: &str, test: &str) -> String {
    let header = format!("---- {test} stdout ----");
    let Some(start) = stdout.find(&header) else {
        return "the grader failed (no message)".into();
    };
    let section = &stdout[start + header.len()..];
    let end = section.find("\n---- ").unwrap_or(section.len());
    let end = section[..end].find("\nfailures:").unwrap_or(end);
    let lines: Vec<&str> = section[..end]
        .lines()
        .skip_while(|line| !line.contains(" panicked at "))
        .skip(1)
        .take_while(|line| !line.starts_with("note: run with"))
        .collect();
    let message = lines.join("\n").trim().to_string();
    if message.is_empty() {
        section[..end].trim().to_string()
    } else {
        message
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // As libtest prints it (Rust 1.85+), two exercises failing.
    const OUTPUT: &str = "
running 3 tests
test exercise_1_1_weighted_sum ... ok
test exercise_1_2_and_gate ... FAILED
test exercise_1_3_sigmoid_gradient ... FAILED

failures:

---- exercise_1_2_and_gate stdout ----

thread 'exercise_1_2_and_gate' panicked at chapters/ch01-neuron/tests/grade/mod.rs:20:9:
assertion `left == right` failed: AND(1, 0) should be 0
  left: 1
 right: 0
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace

---- exercise_1_3_sigmoid_gradient stdout ----

thread 'exercise_1_3_sigmoid_gradient' panicked at chapters/ch01-neuron/src/exercises.rs:45:5:
not yet implemented: exercise 1.3
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace


failures:
    exercise_1_2_and_gate
    exercise_1_3_sigmoid_gradient

test result: FAILED. 1 passed; 2 failed; 0 ignored; 0 measured
";

    #[test]
    fn parses_passes_failures_and_untouched_stubs() {
        let outcomes = parse_test_output(OUTPUT);
        assert_eq!(outcomes.len(), 3);
        assert_eq!(outcomes["exercise_1_1_weighted_sum"], Outcome::Passed);
        assert_eq!(
            outcomes["exercise_1_2_and_gate"],
            Outcome::Failed(
                "assertion `left == right` failed: AND(1, 0) should be 0\n  \
                 left: 1\n right: 0"
                    .into()
            )
        );
        assert_eq!(
            outcomes["exercise_1_3_sigmoid_gradient"],
            Outcome::NotStarted
        );
    }

    #[test]
    fn compiler_errors_skip_cargos_progress_lines() {
        let stderr = "   Compiling ch01-neuron v0.1.0\n\
                      error[E0308]: mismatched types\n --> src/exercises.rs:3:5\n";
        assert_eq!(
            compiler_errors(stderr),
            "error[E0308]: mismatched types\n --> src/exercises.rs:3:5"
        );
    }

    #[test]
    fn summaries_are_short() {
        assert_eq!(Outcome::NotStarted.summary(), "to do");
        let long = Outcome::Failed("x".repeat(100)).summary();
        assert_eq!(long.chars().count(), "not yet: ".len() + 60);
    }
}
