//! Test helpers for the chapters: proptest inputs for gradient checks, the
//! fixed-seed runner the exercise graders use, and the check that graders
//! reject wrong answers.
//!
//! Gradient checks need inputs where the gradient does not vanish (see
//! [`crate::gradcheck`]): these strategies keep values away from zero.

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// A value whose magnitude lies in `[low, high)`, either sign.
pub fn away_from_zero(low: f64, high: f64) -> impl Strategy<Value = f64> {
    (low..high, any::<bool>()).prop_map(
        |(m, negative)| {
            if negative { -m } else { m }
        },
    )
}

/// `n` values, each with magnitude in `[low, high)`.
pub fn vec_away_from_zero(
    n: usize,
    low: f64,
    high: f64,
) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(away_from_zero(low, high), n)
}

/// Runs a property on `cases` cases from proptest's fixed seed and panics
/// with the failing case, so a grade is the same on every run.
pub fn property<S: Strategy>(
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) {
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    if let Err(e) = TestRunner::new_with_rng(config, rng).run(&strategy, test) {
        panic!("{e}");
    }
}

/// Asserts that every check panics: used to prove that each exercise's
/// grader rejects plausible wrong answers, so a pass means something.
///
/// Each entry is (what the wrong answer does, grader applied to it). The
/// graders' own panic messages are kept out of the output.
pub fn assert_graders_reject(checks: &[(&str, fn())]) {
    std::panic::set_hook(Box::new(|_| {}));
    let passing: Vec<&str> = checks
        .iter()
        .filter(|(_, check)| std::panic::catch_unwind(check).is_ok())
        .map(|(name, _)| *name)
        .collect();
    let _ = std::panic::take_hook();
    assert!(
        passing.is_empty(),
        "graders accepted these wrong answers: {passing:?}"
    );
}

/// Whether two arrays have the same shape and agree entry by entry within
/// `tol`.
pub fn close<A: Copy + Into<f64>, D: ndarray::Dimension>(
    a: &ndarray::Array<A, D>,
    b: &ndarray::Array<A, D>,
    tol: f64,
) -> bool {
    a.shape() == b.shape()
        && a.iter()
            .zip(b)
            .all(|(&x, &y)| (x.into() - y.into()).abs() <= tol)
}

/// Runs a chapter's own binary `exe` (a test's `env!("CARGO_BIN_EXE_…")`,
/// already built by `cargo test`) as a reader would, and checks it:
/// `--help` prints usage; a mistyped option is one line naming it,
/// `NAME: error: … (try --help)`, with exit status 2; and, for a chapter
/// that runs without data (`walkthrough`), `--no-figures` prints its
/// narrated run.
pub fn check_chapter_binary(exe: &str, name: &str, walkthrough: bool) {
    let run = |args: &[&str]| {
        let out = std::process::Command::new(exe)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{exe} does not run: {e}"));
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    if walkthrough {
        let (status, stdout, stderr) = run(&["--no-figures"]);
        assert_eq!(status, Some(0), "{name}: {stderr}");
        assert!(stdout.starts_with("Chapter "), "{name}: {stdout}");
    }
    let (status, stdout, stderr) = run(&["--help"]);
    assert_eq!(status, Some(0), "{name} --help: {stderr}");
    assert!(stdout.contains("--"), "{name} --help prints usage");
    let (status, _, stderr) = run(&["--figurs"]);
    assert_eq!(status, Some(2), "{name}");
    assert_eq!(stderr.lines().count(), 1, "{name}: one line: {stderr}");
    assert!(
        stderr.starts_with(&format!("{name}: error: "))
            && stderr.contains("--figurs"),
        "{name}: {stderr}"
    );
    assert!(
        stderr.trim_end().ends_with("(try --help)"),
        "{name}: {stderr}"
    );
}

/// A safetensors file with `from` replaced by `to` in its JSON header, the
/// length prefix and the padding kept right: for tests of what a model
/// reader does with a hostile header.
///
/// # Panics
/// If the file is not safetensors or its header lacks `from`.
pub fn with_header(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    let n = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"));
    let n = usize::try_from(n).expect("a header length");
    let header = std::str::from_utf8(&bytes[8..8 + n]).expect("JSON");
    assert!(header.contains(from), "the header holds {from}");
    let mut header = header.trim_end().replace(from, to);
    while !header.len().is_multiple_of(8) {
        header.push(' ');
    }
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend(header.as_bytes());
    out.extend(&bytes[8 + n..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::ValueTree;

    #[test]
    fn away_from_zero_keeps_its_magnitude_and_takes_both_signs() {
        let mut signs = [false, false];
        property(500, away_from_zero(0.25, 2.0), |x| {
            prop_assert!((0.25..2.0).contains(&x.abs()), "{x}");
            Ok(())
        });
        let mut runner = TestRunner::deterministic();
        for _ in 0..100 {
            let x = away_from_zero(0.25, 2.0)
                .new_tree(&mut runner)
                .unwrap()
                .current();
            signs[usize::from(x > 0.0)] = true;
        }
        assert_eq!(signs, [true, true]);
    }

    #[test]
    #[should_panic(expected = "graders accepted these wrong answers")]
    fn an_accepted_wrong_answer_is_reported() {
        assert_graders_reject(&[
            ("fails", || panic!("todo")),
            ("passes", || {}),
        ]);
    }

    #[test]
    fn answers_that_all_fail_pass_the_check() {
        assert_graders_reject(&[
            ("a", || panic!("todo")),
            ("b", || panic!("todo")),
        ]);
    }

    #[test]
    #[should_panic(expected = "always fails")]
    fn property_panics_with_the_failure() {
        property(10, 0..10u8, |_| Err(TestCaseError::fail("always fails")));
    }
}
