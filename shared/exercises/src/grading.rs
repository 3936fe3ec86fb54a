//! Grades a chapter by running its graders on the learner's answers,
//! `cargo test -p CHAPTER --features my-answers --test exercises` (for a
//! chapter with a workspace of its own, `--manifest-path` and `--release`
//! in place of `-p`), and reading what the test harness printed.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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
    /// ✓ passes, ○ to do (the stub's `todo!()`), ✗ tried and failing or
    /// not compiling.
    pub fn mark(&self) -> &'static str {
        match self {
            Outcome::Passed => "✓",
            Outcome::NotStarted => "○",
            Outcome::Failed(_) | Outcome::DoesNotCompile(_) => "✗",
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
    // Build first, with no time limit (a first build can take minutes);
    // then run the graders, which an answer that loops for ever must not
    // hold up for ever.
    let mut build = Command::new(command.get_program());
    let cargo_args = command.get_args().take_while(|a| *a != "--");
    build
        .current_dir(root)
        .args(cargo_args)
        .arg("--no-run")
        .envs(command.get_envs().filter_map(|(k, v)| Some((k, v?))));
    let built = match build.output() {
        Ok(output) => output,
        Err(e) => {
            let why = format!("cannot run cargo: {e}");
            return every(chapter, only, Outcome::DoesNotCompile(why));
        }
    };
    if !built.status.success() {
        let stderr = String::from_utf8_lossy(&built.stderr);
        let errors = compiler_errors(&stderr);
        return every(chapter, only, Outcome::DoesNotCompile(errors));
    }
    let limit = grading_limit();
    let (stdout, stderr, finished) = match run_for(&mut command, limit) {
        Ok(ran) => ran,
        Err(e) => {
            let why = format!("cannot run cargo: {e}");
            return every(chapter, only, Outcome::DoesNotCompile(why));
        }
    };
    let mut outcomes = parse_test_output(&stdout);
    if !finished {
        let why = format!(
            "still running after {} s, and stopped: does the answer loop \
             for ever?",
            limit.as_secs()
        );
        for (name, outcome) in every(chapter, only, Outcome::Failed(why)) {
            outcomes.entry(name).or_insert(outcome);
        }
        return outcomes;
    }
    if outcomes.is_empty() {
        return every(
            chapter,
            only,
            Outcome::DoesNotCompile(compiler_errors(&stderr)),
        );
    }
    outcomes
}

/// How long a chapter's graders may run, once built, before the runner
/// stops them: 900 s, or `$EXERCISES_TIME_LIMIT` seconds.
fn grading_limit() -> Duration {
    let seconds = std::env::var("EXERCISES_TIME_LIMIT")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(900);
    Duration::from_secs(seconds)
}

/// Runs `command` for at most `limit`: its standard output and error,
/// and whether it finished (it is killed if not).
fn run_for(
    command: &mut Command,
    limit: Duration,
) -> std::io::Result<(String, String, bool)> {
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    // Its own process group, so that stopping it stops the test binary
    // cargo runs too, not cargo alone.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(command, 0);
    let mut child = command.spawn()?;
    // Both pipes drained as the child writes, so it never blocks on them.
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut text);
            }
            String::from_utf8_lossy(&text).into_owned()
        })
    };
    let out = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let err = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let start = Instant::now();
    let finished = loop {
        if child.try_wait()?.is_some() {
            break true;
        }
        if start.elapsed() > limit {
            #[cfg(unix)]
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.kill();
            let _ = child.wait();
            break false;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    Ok((stdout, stderr, finished))
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
    // The status lines come before "failures:"; after it, libtest prints
    // what failed tests printed, where an answer's own output could look
    // like a status line. A test reported twice is not believed.
    let status = stdout.split("\nfailures:\n").next().unwrap_or(stdout);
    let mut seen = std::collections::BTreeSet::new();
    for line in status.lines() {
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
        if !seen.insert(name.to_string()) {
            let twice = "reported twice: the answer printed a status line";
            outcomes.insert(name.to_string(), Outcome::Failed(twice.into()));
            continue;
        }
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

    #[test]
    fn an_answer_printing_a_status_line_does_not_pass() {
        // A failing test whose captured output imitates a pass.
        let spoofed = "running 1 test\ntest exercise_1_1_x ... FAILED\n\n\
            failures:\n\n---- exercise_1_1_x stdout ----\n\
            test exercise_1_1_x ... ok\n\nthread 'exercise_1_1_x' \
            panicked at src/lib.rs:1:1:\nwrong\n\nfailures:\n    \
            exercise_1_1_x\n\ntest result: FAILED.\n";
        let outcomes = parse_test_output(spoofed);
        assert_eq!(outcomes["exercise_1_1_x"], Outcome::Failed("wrong".into()));
        // Printed while running (no capture): the name shows up twice.
        let twice = "test exercise_1_1_x ... ok\ntest exercise_1_1_x ... ok\n";
        let outcomes = parse_test_output(twice);
        assert!(matches!(outcomes["exercise_1_1_x"], Outcome::Failed(_)));
    }

    #[cfg(unix)]
    #[test]
    fn a_run_past_its_limit_is_stopped() {
        let start = std::time::Instant::now();
        let mut command = Command::new("sh");
        command.args(["-c", "echo started; sleep 30"]);
        let (stdout, _, finished) =
            run_for(&mut command, Duration::from_millis(500)).unwrap();
        assert!(!finished);
        assert_eq!(stdout.trim(), "started");
        assert!(start.elapsed() < Duration::from_secs(10));
        let mut command = Command::new("sh");
        command.args(["-c", "echo done"]);
        let (stdout, _, finished) =
            run_for(&mut command, Duration::from_secs(30)).unwrap();
        assert!(finished);
        assert_eq!(stdout.trim(), "done");
    }

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
