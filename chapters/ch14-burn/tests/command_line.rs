//! The command line, run as a reader runs it: help, and a mistake in one
//! line naming what was wrong.

#[test]
fn the_program_has_help_and_rejects_a_bad_argument_in_one_line() {
    // The narrated run needs MNIST: CI's smoke run does it (`--quick`).
    shared::testing::check_chapter_binary(
        env!("CARGO_BIN_EXE_ch14-burn"),
        "ch14-burn",
        false,
    );
}

#[test]
fn a_worker_count_out_of_range_is_named_in_one_line() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ch14-burn"))
        .args(["--workers", "0"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("--workers"), "{stderr}");
}
