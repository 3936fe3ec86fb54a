//! The command line, run as a reader runs it: every mistake is one line
//! naming what was wrong.

use std::process::Command;

use ch10_cnn::Settings;
use ch10_cnn::cli::{Cli, Command as Sub};
use clap::Parser;

fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ch10-cnn"))
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
        env!("CARGO_BIN_EXE_ch10-cnn"),
        "ch10-cnn",
        false,
    );
}

#[test]
fn bad_settings_are_one_line_naming_the_problem() {
    for (args, says) in [
        (
            &["train", "--channels", "20"][..],
            "'20' is not two channel counts",
        ),
        (
            &["train", "--channels", "20,0"][..],
            "'0' is not a channel count",
        ),
        (
            &["train", "--learning-rate", "0"][..],
            "0 is not a number above 0",
        ),
        (&["train", "--momentum", "1"][..], "1 is not a momentum"),
        (&["train", "--weight-decay", "-1"][..], "-1"),
        (
            &["train", "--augment", "flip"][..],
            "possible values: shift, none",
        ),
        (&["train", "--epochs", "0"][..], "0 is not in 1..=1000"),
    ] {
        let (code, err) = run(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(says), "{args:?} should say '{says}': {err}");
    }
}

#[test]
fn settings_that_cannot_train_stop_before_any_data_is_read() {
    let (code, err) = run(&["train", "--batch-size", "6000"]);
    assert_eq!(code, 2, "a command-line mistake: {err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("--batch-size 6000 is more than 5000"), "{err}");
    let args = ["train", "--channels", "512,512", "--batch-size", "5000"];
    let (code, err) = run(&args);
    assert_eq!(code, 2, "a command-line mistake: {err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("GB for the network and its buffers"), "{err}");
}

#[test]
fn a_missing_image_or_model_is_one_line() {
    let (code, err) = run(&[
        "predict",
        "no-such-digit.png",
        "--model",
        "no-such.safetensors",
    ]);
    assert_eq!(code, 1);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("no model at no-such.safetensors"), "{err}");
    let dir =
        std::env::temp_dir().join(format!("ch10-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("m.safetensors");
    std::fs::write(&model, b"garbage").unwrap();
    let (code, err) = run(&[
        "predict",
        "no-such-digit.png",
        "--model",
        model.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("not a model file"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn flags_set_the_settings() {
    let cli = Cli::try_parse_from([
        "ch10-cnn",
        "train",
        "--channels",
        "8,16",
        "--hidden",
        "50",
        "--learning-rate",
        "0.1",
        "--momentum",
        "0.5",
        "--weight-decay",
        "0",
        "--batch-size",
        "32",
        "--epochs",
        "3",
        "--augment",
        "none",
        "--seed",
        "7",
    ])
    .unwrap();
    let Some(Sub::Train(args)) = cli.command else {
        panic!("train")
    };
    let s = args.settings().unwrap();
    let want = Settings::default_run();
    assert_eq!(s.arch.channels, [8, 16]);
    assert_eq!(s.arch.hidden, 50);
    assert_eq!((s.eta, s.momentum, s.weight_decay), (0.1, 0.5, 0.0));
    assert_eq!((s.batch_size, s.epochs, s.seed), (32, 3, 7));
    assert!(!s.augment.any() && want.augment.shift);
}

#[test]
fn predict_reads_a_digit_with_a_saved_cnn() {
    use ch10_cnn::{Architecture, Cnn};
    let dir = std::env::temp_dir()
        .join(format!("ch10-predict-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("cnn.safetensors");
    let net = Cnn::<f32>::new(Architecture::MNIST, &mut shared::rng::seeded(4));
    ch10_cnn::model::save(&net, &model).unwrap();
    // a dark vertical stroke on white paper, as a photo of a 1 would be
    let paper = ndarray::Array2::from_shape_fn((60, 60), |(r, c)| {
        if (10..50).contains(&r) && (27..33).contains(&c) {
            0.0f32
        } else {
            1.0
        }
    });
    let image = dir.join("one.png");
    std::fs::write(&image, ch08_mnist::photo::encode_png(paper.view()))
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ch10-cnn"))
        .args([
            "predict",
            image.to_str().unwrap(),
            "--model",
            model.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("The CNN reads a"), "{text}");
    assert!(text.contains("most likely:"), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn narrated_run_flags_are_refused_with_a_subcommand() {
    let (code, err) = run(&["--no-figures", "predict", "x.png"]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("--no-figures only changes the narrated"),
        "{err}"
    );
}
