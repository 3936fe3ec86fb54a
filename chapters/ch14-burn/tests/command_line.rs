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

/// `train-gpt` with `args`: its exit code and its one line of error.
fn train_gpt_refuses(args: &[&str]) -> (Option<i32>, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ch14-burn"))
        .arg("train-gpt")
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!out.status.success(), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    (out.status.code(), stderr)
}

#[test]
fn train_gpt_refuses_bad_settings_in_one_line_before_any_data() {
    // Chapter 13's own checks, through chapter 13's parser.
    let (_, e) = train_gpt_refuses(&["--devices", "0"]);
    assert!(e.contains("--devices"), "{e}");
    let (_, e) = train_gpt_refuses(&["--heads", "3", "--width", "128"]);
    assert!(e.contains("head"), "{e}");
    let (_, e) = train_gpt_refuses(&["--dropout", "1"]);
    assert!(e.contains("--dropout"), "{e}");
    let (_, e) = train_gpt_refuses(&["--warmup", "10", "--steps", "10"]);
    assert!(e.contains("--warmup"), "{e}");
    // Byte pairs are chapter 13's alone.
    let (_, e) = train_gpt_refuses(&["--tokenizer", "bpe"]);
    assert!(e.contains("bpe"), "{e}");
    let (_, e) =
        train_gpt_refuses(&["--batch-size", "4096", "--context", "512"]);
    assert!(e.contains("GB"), "{e}");
}
