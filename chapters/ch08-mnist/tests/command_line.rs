//! The command line, run as a reader runs it: every mistake is one line
//! naming what was wrong, and `predict` reads a photo with a model of the
//! right shape.

use std::path::PathBuf;
use std::process::Command;

use ch08_mnist::cli::Cli;
use ch08_mnist::{Activation, Init, Network};
use clap::Parser;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ch08-mnist"))
        .args(args)
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join(format!("ch08-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn mistakes_on_the_command_line_are_one_line_naming_the_problem() {
    for (args, says) in [
        (&["predict"][..], "<IMAGE>"),
        (&["--preset", "huge"][..], "possible values: default, 3b1b"),
        (
            &["--quick", "--preset", "nielsen"][..],
            "cannot be used with",
        ),
        (&["--min-accuracy", "101"][..], "101 is not a percentage"),
        (&["--min-accuracy", "NaN"][..], "NaN is not a percentage"),
        (&["--epochs", "0"][..], "0 is not in 1..=1000"),
        (&["--hidden", "512,0"][..], "a hidden layer of width 0"),
        (
            &["--hidden", "wide"][..],
            "'wide' in 'wide' is not a layer width",
        ),
        (
            &["--learning-rate", "-0.1"][..],
            "-0.1 is not a number above 0",
        ),
        (
            &["--momentum", "1"][..],
            "1 is not a momentum from 0 up to 1",
        ),
        (
            &["--weight-decay", "-1"][..],
            "-1 is not a number, 0 or more",
        ),
        (&["--batch-size", "0"][..], "0 is not in 1..=50000"),
        (
            &["--hidden", "100000,100000"][..],
            "need about 193 GB for the network",
        ),
        (
            &["--hidden", "100000", "--batch-size", "50000"][..],
            "GB for the network and its buffers",
        ),
        (
            &["--activation", "swish"][..],
            "possible values: relu, sigmoid",
        ),
        (&["--save-as", "../default"][..], "is not a run name"),
        // Dropout is chapter 9's, in its own `train`.
        (&["--dropout", "0.2"][..], "unexpected argument '--dropout'"),
        (
            &["--optimizer", "adam"][..],
            "possible values: sgd, momentum",
        ),
    ] {
        let (code, _, stderr) = run(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
}

#[test]
fn training_flags_on_another_command_are_refused() {
    // Before the command: named as training's.
    let (code, _, stderr) =
        run(&["--epochs", "3", "--seed", "1", "predict", "digit.png"]);
    assert_eq!(code, 2, "a command-line mistake: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("--epochs, --seed only change training"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["--quick", "figures"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--quick only changes training"), "{stderr}");
    // After it: not the command's, and its help does not list them.
    let (code, _, stderr) = run(&["predict", "digit.png", "--epochs", "3"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("unexpected argument '--epochs'"),
        "{stderr}"
    );
    let (code, help, _) = run(&["predict", "--help"]);
    assert_eq!(code, 0);
    assert!(
        help.contains("--model") && !help.contains("--epochs"),
        "{help}"
    );
    // Before and after `train`: one side only.
    let (code, _, stderr) = run(&["--epochs", "1", "train", "--seed", "2"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("not both"), "{stderr}");
}

#[test]
fn settings_that_contradict_each_other_stop_before_any_data_is_read() {
    let args = ["--optimizer", "sgd", "--momentum", "0.5"];
    let (code, _, stderr) = run(&args);
    assert_eq!(code, 2, "a command-line mistake: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
    assert!(
        stderr.contains("--optimizer sgd has no momentum"),
        "{stderr}"
    );
}

#[test]
fn training_options_work_before_and_after_train() {
    for args in [
        &["ch08-mnist", "--epochs", "1", "train"][..],
        &["ch08-mnist", "train", "--epochs", "1"][..],
    ] {
        let cli = Cli::try_parse_from(args).unwrap();
        let train = cli.training().unwrap().unwrap();
        assert_eq!(train.hyper.epochs, Some(1), "{args:?}");
    }
}

#[test]
fn hyperparameters_from_the_command_line_change_the_preset() {
    let parse = |args: &[&str]| {
        let all = [&["ch08-mnist"][..], args].concat();
        Cli::try_parse_from(all).unwrap().train.config().unwrap()
    };
    let (default, changed) = parse(&[]);
    assert!(!changed);
    assert_eq!(default, ch08_mnist::Config::default_run());
    let (config, changed) = parse(&[
        "--hidden",
        "512,64",
        "--activation",
        "tanh",
        "--learning-rate",
        "0.05",
        "--schedule",
        "constant",
        "--batch-size",
        "32",
        "--momentum",
        "0.5",
        "--weight-decay",
        "0",
    ]);
    assert!(changed);
    assert_eq!(config.sizes, [784, 512, 64, 10]);
    assert_eq!(config.hidden, Activation::Tanh);
    assert_eq!((config.eta, config.cosine), (0.05, false));
    assert_eq!(config.batch_size, 32);
    assert_eq!((config.momentum, config.weight_decay), (0.5, 0.0));
    let (config, changed) = parse(&["--optimizer", "sgd"]);
    assert!(changed);
    assert_eq!(config.momentum, 0.0);
    // Epochs and seed are run settings, not a different model.
    let (_, changed) = parse(&["--epochs", "3", "--seed", "9"]);
    assert!(!changed);
}

#[test]
fn predict_reads_a_photo_and_shows_what_the_network_saw() {
    let dir = scratch("predict");
    let net = Network::<f32>::new(
        &[784, 16, 10],
        Activation::Relu,
        Activation::Softmax,
        Init::He,
        &mut shared::rng::seeded(1),
    )
    .unwrap();
    let model = dir.join("tiny.model");
    ch08_mnist::model::save(&net, ch08_mnist::Cost::CrossEntropy, &model)
        .unwrap();
    // A dark bar on light paper, as a PNG.
    let mut photo = ndarray::Array2::from_elem((90, 60), 0.9f32);
    photo.slice_mut(ndarray::s![20..70, 25..33]).fill(0.1);
    let image = dir.join("bar.png");
    std::fs::write(&image, ch08_mnist::photo::encode_png(photo.view()))
        .unwrap();
    let seen = dir.join("seen.png");
    let (code, stdout, stderr) = run(&[
        "predict",
        image.to_str().unwrap(),
        "--model",
        model.to_str().unwrap(),
        "--show",
        seen.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("dark ink on light"), "{stdout}");
    // An untrained network is unsure, or at least names a digit.
    assert!(stdout.contains("It looks like") || stdout.contains("unsure"));
    let shown = ch08_mnist::photo::read_image(&seen).unwrap();
    assert_eq!(shown.dim(), (280, 280));
    assert!(stdout.contains("Saved the 28×28 image the network saw"));
    // Light ink on a dark ground, as the network sees it: the corner is
    // dark, the bar's middle light.
    assert!(shown[(0, 0)] < 0.1 && shown[(140, 140)] > 0.5, "{shown:?}");
    // Standard output full: the answer cannot be printed, which is said
    // in one line (status 1), not a panic.
    if let Ok(full) = std::fs::File::create("/dev/full") {
        let out = Command::new(env!("CARGO_BIN_EXE_ch08-mnist"))
            .args(["predict", image.to_str().unwrap(), "--model"])
            .arg(&model)
            .stdout(full)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains("<stdout>: No space left"), "{stderr}");
    }
    // Outputs that are not probabilities: refused in one line, naming the
    // model, for an identity output and for weights too large for f32.
    let mut odd = Network::<f32>::new(
        &[784, 10],
        Activation::Relu,
        Activation::Identity,
        Init::He,
        &mut shared::rng::seeded(1),
    )
    .unwrap();
    let path = dir.join("odd.model");
    for (output, scale, says) in [
        (Activation::Identity, 1.0, "(identity activation) are not"),
        (
            Activation::Softmax,
            1e38,
            "for this image are not probabilities",
        ),
    ] {
        let last = odd.layers.len() - 1;
        odd.layers[last].activation = output;
        odd.layers[last].w.fill(scale);
        ch08_mnist::model::save(&odd, ch08_mnist::Cost::Quadratic, &path)
            .unwrap();
        let args = ["predict", image.to_str().unwrap(), "--model"];
        let (code, _, stderr) =
            run(&[&args[..], &[path.to_str().unwrap()]].concat());
        assert_eq!(code, 1, "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains("odd.model: the model's outputs"),
            "{stderr}"
        );
        assert!(stderr.contains(says), "{stderr}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_run_below_min_accuracy_replaces_no_saved_model() {
    let dir = scratch("min-accuracy");
    let (model, history_file) = (dir.join("m.model"), dir.join("m.tsv"));
    std::fs::write(&model, b"the model saved before").unwrap();
    let net = Network::<f32>::new(
        &[784, 4, 10],
        Activation::Relu,
        Activation::Softmax,
        Init::He,
        &mut shared::rng::seeded(2),
    )
    .unwrap();
    let history = [ch08_mnist::EpochRecord {
        epoch: 1,
        train_loss: 2.0,
        validation_accuracy: 0.5,
        seconds: 1.0,
    }];
    let keep = |min| {
        ch08_mnist::cli::keep_run(
            &net,
            ch08_mnist::Cost::CrossEntropy,
            &history,
            min,
            &model,
            &history_file,
        )
    };
    let e = keep(Some(90.0)).unwrap_err().to_string();
    assert_eq!(
        e,
        "validation accuracy 50.00 % is below the required 90 %; the model \
         was not saved"
    );
    assert_eq!(std::fs::read(&model).unwrap(), b"the model saved before");
    assert!(!history_file.exists());
    keep(Some(40.0)).unwrap();
    assert_eq!(ch08_mnist::model::load(&model).unwrap(), net);
    assert!(history_file.exists());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_run_that_diverged_or_cannot_write_its_history_replaces_nothing() {
    let dir = scratch("diverged");
    let (model, history_file) = (dir.join("m.model"), dir.join("m.tsv"));
    std::fs::write(&model, b"the model saved before").unwrap();
    let mut net = Network::<f32>::new(
        &[784, 4, 10],
        Activation::Relu,
        Activation::Softmax,
        Init::He,
        &mut shared::rng::seeded(2),
    )
    .unwrap();
    let history = [ch08_mnist::EpochRecord {
        epoch: 1,
        train_loss: f64::NAN,
        validation_accuracy: 0.1,
        seconds: 1.0,
    }];
    let keep = |net: &Network<f32>, history_file: &std::path::Path| {
        ch08_mnist::cli::keep_run(
            net,
            ch08_mnist::Cost::CrossEntropy,
            &history,
            None,
            &model,
            history_file,
        )
    };
    net.layers[1].w[(3, 2)] = f32::NAN;
    let e = keep(&net, &history_file).unwrap_err().to_string();
    assert!(e.contains("m.model: not saved"), "{e}");
    assert!(e.contains("training diverged"), "{e}");
    assert_eq!(std::fs::read(&model).unwrap(), b"the model saved before");
    assert!(!history_file.exists());
    // A finite network whose history cannot be written (a folder is in
    // the way): the old model stays too.
    net.layers[1].w[(3, 2)] = 0.5;
    let blocked = dir.join("folder");
    std::fs::create_dir_all(blocked.join("inside")).unwrap();
    let e = keep(&net, &blocked).unwrap_err().to_string();
    assert!(e.contains("folder"), "{e}");
    assert_eq!(std::fs::read(&model).unwrap(), b"the model saved before");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn export_web_writes_the_model_or_names_what_is_wrong() {
    let dir = scratch("export");
    let net = |sizes: &[usize]| {
        Network::<f32>::new(
            sizes,
            Activation::Relu,
            Activation::Softmax,
            Init::He,
            &mut shared::rng::seeded(2),
        )
        .unwrap()
    };
    let cost = ch08_mnist::Cost::CrossEntropy;
    let good = dir.join("good.safetensors");
    ch08_mnist::model::save(&net(&[784, 12, 10]), cost, &good).unwrap();
    let out = dir.join("page.safetensors");
    let (code, stdout, stderr) = run(&[
        "export-web",
        "--model",
        good.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("784-12-10"), "{stdout}");
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&good).unwrap());
    // A model the page cannot run, and no model at all: one line each.
    let odd = dir.join("odd.safetensors");
    ch08_mnist::model::save(&net(&[6, 4, 3]), cost, &odd).unwrap();
    let missing = dir.join("missing.safetensors");
    for (model, says) in
        [(&odd, "the page needs 784 inputs"), (&missing, "missing")]
    {
        let (code, _, stderr) = run(&[
            "export-web",
            "--model",
            model.to_str().unwrap(),
            "--out",
            dir.join("x.safetensors").to_str().unwrap(),
        ]);
        assert_eq!(code, 1, "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
    }
    assert!(!dir.join("x.safetensors").exists(), "nothing written");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_program_has_help_and_rejects_a_bad_argument_in_one_line() {
    // Training needs MNIST, so no narrated run here (CI's smoke run).
    shared::testing::check_chapter_binary(
        env!("CARGO_BIN_EXE_ch08-mnist"),
        "ch08-mnist",
        false,
    );
}
