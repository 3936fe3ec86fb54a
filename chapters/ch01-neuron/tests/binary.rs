//! The chapter binary itself: it runs and exits 0, and a bad argument is a
//! one-line error with exit status 2.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_ch01-neuron");

#[test]
fn runs_and_prints_the_umbrella_example() {
    let out = Command::new(BIN).arg("--no-figures").output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("-2.00   0.00   leave it"), "{stdout}");
}

#[test]
fn a_bad_argument_is_a_one_line_error() {
    let out = Command::new(BIN).arg("--figurs").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr,
        "ch01-neuron: error: unknown argument `--figurs` (try --help)\n"
    );
}
