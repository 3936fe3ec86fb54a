//! The command line, run as a reader runs it: every mistake is one line
//! naming what was wrong, and a model file from elsewhere is refused.

use std::path::PathBuf;
use std::process::Command;

use ch12_sequences::corpus::{Corpus, Vocab};
use ch12_sequences::model::{Kind, Net, Saved, decode, encode};
use ch12_sequences::rnn::Rnn;
use shared::rng::seeded;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ch12-sequences"))
        .args(args)
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join(format!("nnfs-ch12-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    dir.join(name)
}

/// A small saved RNN over the vocabulary ".ab".
fn small_model() -> Saved {
    Saved {
        kind: Kind::Rnn,
        corpus: Corpus::Names,
        vocab: Vocab::new(vec!['.', 'a', 'b']).expect("three symbols"),
        net: Net::Rnn(Rnn::new(3, 4, &mut seeded(1))),
    }
}

#[test]
fn the_program_has_help_and_rejects_a_bad_argument_in_one_line() {
    // The narrated run fetches the texts: CI's smoke run does it.
    shared::testing::check_chapter_binary(
        env!("CARGO_BIN_EXE_ch12-sequences"),
        "ch12-sequences",
        false,
    );
}

#[test]
fn bad_settings_are_one_line_naming_the_problem() {
    for (args, says) in [
        (&["train", "--model", "lstm"][..], "possible values: bigram"),
        (
            &["train", "--corpus", "poems"][..],
            "possible values: names",
        ),
        (&["train", "--hidden", "0"][..], "0 is not in 1..=4096"),
        (
            &["train", "--learning-rate", "-1"][..],
            "-1 is not a number",
        ),
        (&["train", "--clip", "1", "--no-clip"][..], "cannot be used"),
        (
            &["train", "--model", "rnn", "--context", "3"][..],
            "--context and --embedding are the MLP's",
        ),
        (
            &["train", "--model", "bigram", "--hidden", "8"][..],
            "has no hidden layer",
        ),
        (
            &["train", "--model", "mlp", "--context", "8", "--window", "8"][..],
            "leaves nothing to predict",
        ),
        (
            &["train", "--hidden", "4096", "--window", "1024"][..],
            "GB for their buffers",
        ),
        (
            &["sample", "--temperature", "0"][..],
            "0 is not a number above 0",
        ),
        (&["sample", "--count", "0"][..], "0 is not in 1..=10000"),
        (
            &["--quick", "train"][..],
            "--quick only changes the narrated run",
        ),
    ] {
        let (code, _, err) = run(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(says), "{args:?} should say '{says}': {err}");
    }
}

#[test]
fn sample_refuses_missing_foreign_and_damaged_models_in_one_line() {
    let missing = temp("missing.safetensors");
    let path = missing.to_str().expect("a UTF-8 path");
    let (code, _, err) = run(&["sample", "--model", path]);
    assert_eq!((code, err.lines().count()), (1, 1), "{err}");
    assert!(err.contains("no model at"), "{err}");

    // A pipe would block a reader for ever: named and refused at once.
    #[cfg(unix)]
    {
        let pipe = temp("pipe.safetensors");
        let made = Command::new("mkfifo").arg(&pipe).status();
        if made.is_ok_and(|s| s.success()) {
            let path = pipe.to_str().expect("a UTF-8 path");
            let (code, _, err) = run(&["sample", "--model", path]);
            assert_eq!((code, err.lines().count()), (1, 1), "{err}");
            assert!(err.contains("not a regular file"), "{err}");
        }
    }

    // Chapter 8's model format is not a language model.
    let foreign = temp("foreign.safetensors");
    let mut rng = seeded(2);
    let net = ch08_mnist::Config::default_run().network::<f32>(&mut rng);
    let cost = ch04_loss::Cost::CrossEntropy;
    ch08_mnist::model::save(&net, cost, &foreign).expect("saved");
    let path = foreign.to_str().expect("a UTF-8 path");
    let (code, _, err) = run(&["sample", "--model", path]);
    assert_eq!((code, err.lines().count()), (1, 1), "{err}");
    assert!(err.contains("its format is 'nnfs-model'"), "{err}");

    // Truncated, and with a hostile size in the header.
    let damaged = temp("damaged.safetensors");
    let bytes = encode(&small_model(), &damaged).expect("encoded");
    std::fs::write(&damaged, &bytes[..bytes.len() - 3]).expect("written");
    let path = damaged.to_str().expect("a UTF-8 path");
    let (code, _, err) = run(&["sample", "--model", path]);
    assert_eq!((code, err.lines().count()), (1, 1), "{err}");
    assert!(err.contains("not a model file"), "{err}");
    let huge = shared::testing::with_header(
        &bytes,
        "\"hidden\":\"4\"",
        "\"hidden\":\"1e11\"",
    );
    let err = decode(&huge, &damaged).unwrap_err().to_string();
    assert!(err.contains("not a number from 1 to 4096"), "{err}");
}

#[test]
fn a_prompt_outside_the_vocabulary_is_named_and_a_good_one_writes() {
    let model = temp("small.safetensors");
    ch12_sequences::model::save(&small_model(), &model).expect("saved");
    let path = model.to_str().expect("a UTF-8 path");
    let (code, _, err) = run(&["sample", "--model", path, "--prompt", "abz"]);
    assert_eq!((code, err.lines().count()), (2, 1), "{err}");
    assert!(err.contains("'z' (character 3)"), "{err}");
    let args = ["sample", "--model", path, "--prompt", "ab", "--count", "3"];
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 3, "three names: {out}");
    assert!(out.lines().all(|l| l.starts_with("ab")), "{out}");
    assert_eq!(run(&args).1, out, "the same seed writes the same names");
}

#[test]
fn a_model_file_round_trips_and_a_diverged_one_is_not_written() {
    let saved = small_model();
    let path = temp("round.safetensors");
    let bytes = encode(&saved, &path).expect("encoded");
    assert_eq!(decode(&bytes, &path).expect("decoded"), saved);
    let mut bad = saved.clone();
    if let Net::Rnn(m) = &mut bad.net {
        m.w_hh[[0, 0]] = f32::NAN;
    }
    let err = encode(&bad, &path).unwrap_err().to_string();
    assert!(err.contains("not saved"), "{err}");
}
