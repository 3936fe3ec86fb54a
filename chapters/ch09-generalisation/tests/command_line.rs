//! The command line, run as a reader runs it: every mistake is one line
//! naming what was wrong.

use std::process::Command;

use ch09_generalisation::augment::Augment;
use ch09_generalisation::cli::{Cli, Command as Sub};
use ch09_generalisation::{Method, Settings};
use clap::Parser;

fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ch09-generalisation"))
        .args(args)
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_program_has_help_and_rejects_a_bad_argument_in_one_line() {
    // The narrated run needs MNIST: CI's smoke run does it (`--quick`).
    shared::testing::check_chapter_binary(
        env!("CARGO_BIN_EXE_ch09-generalisation"),
        "ch09-generalisation",
        false,
    );
}

#[test]
fn bad_hyperparameters_are_one_line_naming_the_problem() {
    for (args, says) in [
        (
            &["train", "--dropout", "1.0"][..],
            "1.0 is not a dropout rate",
        ),
        (
            &["train", "--dropout", "-0.1"][..],
            "-0.1 is not a dropout rate",
        ),
        (
            &["train", "--learning-rate", "-1"][..],
            "-1 is not a number above 0",
        ),
        (
            &["train", "--hidden", "512,0"][..],
            "a hidden layer of width 0",
        ),
        (
            &["train", "--augment", "flip"][..],
            "'flip' in 'flip' is not a",
        ),
        (
            &["train", "--optimizer", "rmsprop"][..],
            "possible values: sgd",
        ),
        (&["train", "--momentum", "1"][..], "1 is not a momentum"),
        (
            &["train", "--weight-decay", "-1e-4"][..],
            "-1e-4 is not a number",
        ),
        (
            &["train", "--train-images", "10"][..],
            "10 is not in 100..=50000",
        ),
        (&["train", "--epochs", "0"][..], "0 is not in 1..=1000"),
    ] {
        let (status, stderr) = run(args);
        assert_eq!(status, 2, "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(stderr.starts_with("ch09-generalisation: error: "));
    }
}

#[test]
fn flags_change_exactly_their_setting() {
    let cli = Cli::try_parse_from([
        "ch09-generalisation",
        "train",
        "--hidden",
        "800,800",
        "--optimizer",
        "adam",
        "--learning-rate",
        "0.001",
        "--dropout",
        "0.3",
        "--augment",
        "shift,elastic",
        "--weight-decay",
        "0.0001",
    ])
    .unwrap();
    let Some(Sub::Train(args)) = cli.command else {
        panic!("train expected")
    };
    let want = Settings {
        hidden: vec![800, 800],
        method: Method::Adam,
        eta: 0.001,
        dropout: 0.3,
        weight_decay: 1e-4,
        augment: Augment {
            shift: true,
            rotate: false,
            elastic: true,
        },
        ..Settings::baseline()
    };
    assert_eq!(args.settings(), Ok(want.clone()));
    let text = ch09_generalisation::cli::describe(&want, 50_000);
    for part in [
        "784-800-800-10",
        "adam, η = 0.001",
        "dropout 0.3",
        "augmentation shift+elastic",
        "weight decay 0.0001",
    ] {
        assert!(text.contains(part), "{part:?} not in {text}");
    }
}

#[test]
fn a_network_too_big_for_memory_is_refused_in_one_line() {
    let (status, stderr) = run(&["train", "--hidden", "100000,100000"]);
    assert_eq!(status, 2, "a command-line mistake: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("GB for the network"), "{stderr}");
}

#[test]
fn a_momentum_for_another_optimizer_is_refused_in_one_line() {
    let (status, stderr) =
        run(&["train", "--optimizer", "adam", "--momentum", "0.5"]);
    assert_eq!(status, 2, "a command-line mistake: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("--momentum is for --optimizer momentum, not adam"),
        "{stderr}"
    );
    // A momentum of 0 says nothing against plain SGD or Adam.
    let cli = Cli::try_parse_from([
        "ch09-generalisation",
        "train",
        "--optimizer",
        "sgd",
        "--momentum",
        "0",
    ])
    .unwrap();
    let Some(Sub::Train(args)) = cli.command else {
        panic!("train expected")
    };
    assert_eq!(args.settings().map(|s| s.method), Ok(Method::Sgd));
}

#[test]
fn narrated_run_flags_are_refused_with_train() {
    let (status, stderr) = run(&["--quick", "train"]);
    assert_eq!(status, 2, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("--quick only changes the narrated run"),
        "{stderr}"
    );
}
