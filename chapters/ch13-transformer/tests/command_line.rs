//! The command line, run as a reader runs it: every mistake is one line
//! naming what was wrong, and a model file from elsewhere is refused.

use std::path::PathBuf;
use std::process::Command;

use ch12_sequences::corpus::{Corpus, Vocab};
use ch13_transformer::gpt::{Config, Gpt};
use ch13_transformer::model::{Saved, decode, encode};
use shared::rng::seeded;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ch13-transformer"))
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
        .join(format!("nnfs-ch13-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    dir.join(name)
}

/// A small saved GPT over the vocabulary ".ab".
fn small_model() -> Saved {
    let config = Config {
        vocab: 3,
        block: 8,
        layers: 2,
        heads: 2,
        width: 8,
    };
    Saved {
        corpus: Corpus::Names,
        vocab: Vocab::new(vec!['.', 'a', 'b']).expect("three symbols"),
        merges: Vec::new(),
        gpt: Gpt::new(config, &mut seeded(1)),
    }
}

/// The same in byte-pair tokens: "ab" (token 3) and ".ab" (token 4).
fn small_bpe_model() -> Saved {
    let mut saved = small_model();
    let config = Config {
        vocab: 5,
        ..saved.gpt.config()
    };
    saved.merges = vec![(1, 2), (0, 3)];
    saved.gpt = Gpt::new(config, &mut seeded(2));
    saved
}

#[test]
fn the_program_has_help_and_rejects_a_bad_argument_in_one_line() {
    // The narrated run fetches the texts: CI's smoke run does it.
    shared::testing::check_chapter_binary(
        env!("CARGO_BIN_EXE_ch13-transformer"),
        "ch13-transformer",
        false,
    );
}

#[test]
fn bad_settings_are_one_line_naming_the_problem() {
    for (args, says) in [
        (
            &["train", "--corpus", "poems"][..],
            "possible values: names",
        ),
        (&["train", "--width", "0"][..], "0 is not in 1..=2048"),
        (&["train", "--layers", "49"][..], "49 is not in 1..=48"),
        (
            &["train", "--width", "100", "--heads", "3"][..],
            "cannot be cut into 3 heads",
        ),
        (
            &["train", "--learning-rate", "-1"][..],
            "-1 is not a number",
        ),
        (
            &["train", "--weight-decay", "-0.1"][..],
            "is not a number at least 0",
        ),
        (
            &["train", "--steps", "10", "--warmup", "10"][..],
            "leaves no steps after the warm-up",
        ),
        (&["train", "--clip", "1", "--no-clip"][..], "cannot be used"),
        (
            &["train", "--width", "2048", "--layers", "48"][..],
            "parameters, more than",
        ),
        (
            &["train", "--context", "2048", "--batch-size", "4096"][..],
            "GB for their buffers",
        ),
        (
            &["sample", "--temperature", "0"][..],
            "0 is not a number above 0",
        ),
        (&["sample", "--top-k", "0"][..], "0 is not in 1..=100000"),
        (
            &["--quick", "train"][..],
            "--quick only changes the narrated run",
        ),
        (&["train", "--dropout", "1"][..], "not a rate from 0"),
        (
            &["train", "--merges", "8"][..],
            "--merges needs --tokenizer bpe",
        ),
        (
            &["train", "--tokenizer", "words"][..],
            "possible values: characters, bpe",
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

    // Chapter 12's models are not GPTs.
    let foreign = temp("foreign.safetensors");
    let rnn =
        ch12_sequences::model::Saved {
            kind: ch12_sequences::model::Kind::Rnn,
            corpus: Corpus::Names,
            vocab: Vocab::new(vec!['.', 'a']).expect("two symbols"),
            net: ch12_sequences::model::Net::Rnn(
                ch12_sequences::rnn::Rnn::new(2, 3, &mut seeded(2)),
            ),
        };
    ch12_sequences::model::save(&rnn, &foreign).expect("saved");
    let path = foreign.to_str().expect("a UTF-8 path");
    let (code, _, err) = run(&["sample", "--model", path]);
    assert_eq!((code, err.lines().count()), (1, 1), "{err}");
    assert!(err.contains("its format is 'nnfs-language-model'"), "{err}");

    // Truncated, and with hostile sizes in the header.
    let damaged = temp("damaged.safetensors");
    let bytes = encode(&small_model(), &damaged).expect("encoded");
    std::fs::write(&damaged, &bytes[..bytes.len() - 3]).expect("written");
    let path = damaged.to_str().expect("a UTF-8 path");
    let (code, _, err) = run(&["sample", "--model", path]);
    assert_eq!((code, err.lines().count()), (1, 1), "{err}");
    assert!(err.contains("not a model file"), "{err}");
    for (from, to, says) in [
        (
            "\"width\":\"8\"",
            "\"width\":\"1e11\"",
            "not a whole number",
        ),
        (
            "\"width\":\"8\"",
            "\"width\":\"4096\"",
            "not from 1 to 2048",
        ),
        ("\"heads\":\"2\"", "\"heads\":\"3\"", "cannot be cut into 3"),
        (
            "\"layers\":\"2\"",
            "\"layers\":\"3\"",
            "a GPT of 3 layers has",
        ),
        (
            "\"block\":\"8\"",
            "\"block\":\"9\"",
            "tensor 'transformer.wpe",
        ),
        (
            "\"tokenizer\":\"characters\"",
            "\"tokenizer\":\"words\"",
            "unknown tokenizer 'words'",
        ),
    ] {
        let hostile = shared::testing::with_header(&bytes, from, to);
        let err = decode(&hostile, &damaged).unwrap_err().to_string();
        assert!(err.contains(says), "{to}: {err}");
    }
    // Merges must pair tokens made before them.
    let bytes = encode(&small_bpe_model(), &damaged).expect("encoded");
    for (to, says) in [
        (
            "\"merges\":\"1 2,0 5\"",
            "merge 1 is '0 5', not two tokens below 4",
        ),
        ("\"merges\":\"1 2,0\"", "merge 1 is '0', not two tokens"),
        ("\"merges\":\"1 2\"", "tensor 'transformer.wte"),
    ] {
        let hostile =
            shared::testing::with_header(&bytes, "\"merges\":\"1 2,0 3\"", to);
        let err = decode(&hostile, &damaged).unwrap_err().to_string();
        assert!(err.contains(says), "{to}: {err}");
    }
}

#[test]
fn a_prompt_outside_the_vocabulary_is_named_and_a_good_one_writes() {
    let model = temp("small.safetensors");
    ch13_transformer::model::save(&small_model(), &model).expect("saved");
    let path = model.to_str().expect("a UTF-8 path");
    let (code, _, err) = run(&["sample", "--model", path, "--prompt", "abz"]);
    assert_eq!((code, err.lines().count()), (2, 1), "{err}");
    assert!(err.contains("'z' (character 3)"), "{err}");
    let args = [
        "sample", "--model", path, "--prompt", "ab", "--count", "3", "--top-k",
        "2",
    ];
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 3, "three names: {out}");
    assert!(out.lines().all(|l| l.starts_with("ab")), "{out}");
    assert_eq!(run(&args).1, out, "the same seed writes the same names");
    let mut streamed = args.to_vec();
    streamed.push("--stream");
    assert_eq!(run(&streamed).1, out, "--stream writes the same names");
}

#[test]
fn a_byte_pair_model_round_trips_and_writes_names() {
    let saved = small_bpe_model();
    let path = temp("bpe.safetensors");
    let bytes = encode(&saved, &path).expect("encoded");
    assert_eq!(decode(&bytes, &path).expect("decoded"), saved);
    assert_eq!(saved.encode(".ab.a").expect("in the vocabulary"), [4, 0, 1]);
    assert_eq!(saved.spell(&[4, 0, 1]), ".ab.a");
    ch13_transformer::model::save(&saved, &path).expect("saved");
    let path = path.to_str().expect("a UTF-8 path");
    let args = ["sample", "--model", path, "--prompt", "ab", "--count", "4"];
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 4, "four names: {out}");
    assert!(
        out.lines().all(|l| l.starts_with("ab") && !l.contains('.')),
        "each name cut at its boundary: {out}"
    );
    let mut streamed = args.to_vec();
    streamed.push("--stream");
    assert_eq!(run(&streamed).1, out, "--stream writes the same names");
}

#[test]
fn a_model_round_trips_in_pytorch_names_and_a_diverged_one_is_not_written() {
    let saved = small_model();
    let path = temp("round.safetensors");
    let bytes = encode(&saved, &path).expect("encoded");
    assert_eq!(decode(&bytes, &path).expect("decoded"), saved);
    let tensors = safetensors::SafeTensors::deserialize(&bytes).expect("read");
    let wte = tensors.tensor("transformer.wte.weight").expect("named");
    assert_eq!(wte.shape(), [3, 8], "one row per token, as PyTorch has it");
    let bias = tensors
        .tensor("transformer.h.1.mlp.c_fc.bias")
        .expect("named");
    assert_eq!(bias.shape(), [32]);
    let mut bad = saved.clone();
    bad.gpt.blocks[0].w_o[[0, 0]] = f32::NAN;
    let err = encode(&bad, &path).unwrap_err().to_string();
    assert!(err.contains("not saved"), "{err}");
}

#[test]
fn export_web_writes_a_checked_copy_and_refuses_what_it_cannot_read() {
    let model = temp("web-source.safetensors");
    let saved = small_bpe_model();
    let bytes = encode(&saved, &model).expect("finite weights");
    std::fs::write(&model, &bytes).expect("written");
    let out = temp("web-out");
    let source = model.to_str().expect("a UTF-8 path");
    let folder = out.to_str().expect("a UTF-8 path");
    let args = ["export-web", "--model", source, "--name", "tiny"];
    let (code, said, err) = run(&[&args[..], &["--out", folder]].concat());
    assert_eq!(code, 0, "{err}");
    assert!(said.contains("tiny.safetensors") && said.contains("5 tokens"));
    let written = std::fs::read(out.join("tiny.safetensors")).expect("a copy");
    let back = decode(&written, &model).expect("it reads back");
    assert_eq!(back, saved);
    // A damaged file is named, and nothing is written for it.
    let damaged = temp("web-damaged.safetensors");
    std::fs::write(&damaged, &bytes[..bytes.len() / 2]).expect("written");
    let (code, _, err) = run(&[
        "export-web",
        "--model",
        damaged.to_str().expect("UTF-8"),
        "--name",
        "broken",
        "--out",
        folder,
    ]);
    assert_eq!((code, err.lines().count()), (1, 1), "{err}");
    assert!(err.contains("web-damaged.safetensors"), "{err}");
    assert!(!out.join("broken.safetensors").exists());
    // --model needs --name; a name with a path in it is refused.
    let (code, _, err) = run(&["export-web", "--model", source]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--name"), "{err}");
    let (code, _, err) = run(&[&args[..4], &["../x"]].concat());
    assert_eq!(code, 2, "{err}");
}

#[test]
fn web_reference_gives_the_logits_of_every_token_and_the_draws() {
    let model = temp("web-reference.safetensors");
    let saved = small_model();
    std::fs::write(&model, encode(&saved, &model).expect("finite"))
        .expect("written");
    let path = model.to_str().expect("a UTF-8 path");
    let (code, said, err) = run(&[
        "web-reference",
        "--model",
        path,
        "--prompt",
        ".ab",
        "--draws",
        "2",
        "--seed",
        "7",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        said.starts_with("{\"prompts\":[{\"text\":\".ab\",\"tokens\":[0,1,2]")
    );
    // Three positions of three logits, in f64 and f32.
    let logits = said.split("\"logits\":[").nth(1).expect("logits");
    let logits = logits.split("]]").next().expect("the f64 logits");
    assert_eq!(logits.split("],[").count(), 3, "{said}");
    assert!(said.contains("\"seed\":7,\"random\":["), "{said}");
    for bad in ["", "abc!"] {
        let (code, _, err) =
            run(&["web-reference", "--model", path, "--prompt", bad]);
        assert_eq!((code, err.lines().count()), (2, 1), "{bad:?}: {err}");
        assert!(err.contains("--prompt"), "{err}");
    }
}
