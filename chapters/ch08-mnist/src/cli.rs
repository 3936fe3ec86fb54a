//! The command line of `cargo run --release -p ch08-mnist`.
//!
//! The runner (the `main` wrapper, threads, the shared flags and their
//! parsers) is `shared::runner`'s; this module holds chapter 8's own
//! flags and commands.

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};
use shared::data::DataSet;
use shared::runner::{HyperArgs, Widths, hidden_widths, percent};

use crate::model::{self, ModelError};
use crate::photo::{encode_png, read_image, to_mnist};
use crate::runs::{history_path, history_text, model_path};
use crate::{
    Activation, Config, EpochRecord, Error, Mnist, Preset, TrainingPath,
    labels_to_matrix, train,
};

/// Train a neural network on MNIST from scratch, and use it.
#[derive(Debug, Parser)]
#[command(name = "ch08-mnist", version)]
pub struct Cli {
    /// What to do; training is the default.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Training options (for the default command, or `train`'s).
    #[command(flatten)]
    pub train: TrainArgs,
    /// Threads for training and evaluation (default: every core).
    #[arg(long, global = true, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Train a network (the default; the training options go before or
    /// after `train`).
    Train(TrainArgs),
    /// Read a handwritten digit from a photo or a drawing.
    Predict {
        /// The image: PNG or JPEG, any size up to 12,000 pixels a side,
        /// dark ink on light or light on dark.
        image: PathBuf,
        /// Also save the 28×28 image the network sees, as a PNG enlarged
        /// 10× (light ink on dark, as the network sees it).
        #[arg(long, value_name = "PNG")]
        show: Option<PathBuf>,
        /// The model file to use.
        #[arg(long, default_value_os_t = model_path("default"))]
        model: PathBuf,
    },
    /// Redraw the chapter's figures from saved runs (train first).
    Figures {
        /// Write the figures into DIR instead of target/figures/
        /// (book/src/figures redraws the book's own).
        #[arg(long, value_name = "DIR",
              default_value_os_t = shared::figures::default_figures_dir())]
        figures_dir: PathBuf,
    },
    /// Write the model the book's draw-a-digit page runs
    /// (book/src/draw/model.safetensors) from a saved model.
    ExportWeb {
        /// The model file to export.
        #[arg(long, default_value_os_t = model_path("default"))]
        model: PathBuf,
        /// Where to write it.
        #[arg(long, default_value_os_t = crate::web::page_model_path())]
        out: PathBuf,
    },
    /// The Rust side of the draw-a-digit page's browser test (JSON on
    /// stdout); with --write-photos, writes its test photos instead.
    #[command(hide = true)]
    WebReference {
        /// The model file the page runs.
        #[arg(long)]
        model: PathBuf,
        /// A folder of PNGs to preprocess and classify.
        #[arg(long)]
        images: PathBuf,
        /// How many MNIST test images to classify.
        #[arg(long, default_value_t = 1000)]
        count: usize,
        /// Write the test photos into --images and stop.
        #[arg(long)]
        write_photos: bool,
    },
}

/// Options of a training run.
#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// The settings to start from.
    #[arg(long, value_enum, default_value_t = Preset::Default)]
    pub preset: Preset,
    /// A short run (one epoch) that proves the pipeline: same as --preset quick.
    #[arg(long, conflicts_with = "preset")]
    pub quick: bool,
    /// The data set.
    #[arg(long, value_enum, default_value_t = DataSet::Mnist)]
    pub dataset: DataSet,
    /// Which code trains: the fast path, or the lesson code the book shows
    /// (the same numbers to rounding, slower).
    #[arg(long, value_enum, default_value_t = TrainingPath::Fast)]
    pub path: TrainingPath,
    /// Fail (exit status 1), without saving the model, if the chosen
    /// epoch's validation accuracy, in percent, is lower.
    #[arg(long, value_parser = percent)]
    pub min_accuracy: Option<f64>,
    /// Hidden layer widths, e.g. 512,512 (the input, 784, and the output,
    /// 10, are added).
    #[arg(long, value_parser = hidden_widths, value_name = "N,N,…")]
    pub hidden: Option<Widths>,
    /// The hidden layers' activation.
    #[arg(long, value_enum)]
    pub activation: Option<Hidden>,
    /// How η changes over the epochs.
    #[arg(long, value_enum)]
    pub schedule: Option<Schedule>,
    /// How the weights move: momentum (the default), or plain SGD (the
    /// same as --momentum 0). Chapter 9's `train` also has Adam.
    #[arg(long, value_enum)]
    pub optimizer: Option<Method>,
    /// The flags every chapter's `train` shares: η, μ, λ, batch size,
    /// epochs, seed, --save-as.
    #[command(flatten)]
    pub hyper: HyperArgs,
}

/// A hidden layer's activation, as `--activation` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Hidden {
    /// max(0, z).
    Relu,
    /// σ(z).
    Sigmoid,
    /// tanh(z).
    Tanh,
}

impl From<Hidden> for Activation {
    fn from(hidden: Hidden) -> Activation {
        match hidden {
            Hidden::Relu => Activation::Relu,
            Hidden::Sigmoid => Activation::Sigmoid,
            Hidden::Tanh => Activation::Tanh,
        }
    }
}

/// How η changes over the epochs, as `--schedule` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Schedule {
    /// η₀ · ½(1 + cos(π e/E)): from η₀ down to near 0.
    Cosine,
    /// η₀ throughout.
    Constant,
}

/// How the weights move, as `--optimizer` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Method {
    /// w ← w − η∇C.
    Sgd,
    /// v ← μv − η∇C, w ← w + v.
    Momentum,
}

impl TrainArgs {
    /// The preset's settings with this command line's changes, and whether
    /// any hyperparameter was changed; settings that contradict each
    /// other are refused in one line.
    pub fn config(&self) -> Result<(Config, bool), Error> {
        let h = &self.hyper;
        if self.optimizer == Some(Method::Sgd)
            && h.momentum.is_some_and(|mu| mu > 0.0)
        {
            return Err(Error::Usage(
                "--optimizer sgd has no momentum: drop --momentum, or use \
                 --optimizer momentum"
                    .to_string(),
            ));
        }
        let preset = match self.quick {
            true => Preset::Quick,
            false => self.preset,
        };
        let mut config = preset.config();
        config.path = self.path;
        config.epochs = h.epochs.map_or(config.epochs, |e| e as usize);
        config.seed = h.seed.unwrap_or(config.seed);
        let before = config.clone();
        if let Some(Widths(hidden)) = &self.hidden {
            let output = config.sizes[config.sizes.len() - 1];
            config.sizes = [&[784][..], hidden, &[output]].concat();
        }
        if let Some(hidden) = self.activation {
            config.hidden = hidden.into();
        }
        if let Some(schedule) = self.schedule {
            config.cosine = schedule == Schedule::Cosine;
        }
        config.eta = h.learning_rate.unwrap_or(config.eta);
        config.batch_size =
            h.batch_size.map_or(config.batch_size, |b| b as usize);
        config.momentum = h.momentum.unwrap_or(config.momentum);
        config.weight_decay = h.weight_decay.unwrap_or(config.weight_decay);
        if self.optimizer == Some(Method::Sgd) {
            config.momentum = 0.0;
        }
        crate::check_memory(&config.sizes, config.batch_size)
            .map_err(Error::Usage)?;
        let changed = config != before;
        Ok((config, changed))
    }
}

impl TrainArgs {
    /// The training flags given on the command line (a preset, data set
    /// or path given as its default counts as not given).
    pub fn given(&self) -> Vec<&'static str> {
        let h = &self.hyper;
        [
            (self.preset != Preset::Default, "--preset"),
            (self.quick, "--quick"),
            (self.dataset != DataSet::Mnist, "--dataset"),
            (self.path != TrainingPath::Fast, "--path"),
            (self.min_accuracy.is_some(), "--min-accuracy"),
            (self.hidden.is_some(), "--hidden"),
            (self.activation.is_some(), "--activation"),
            (self.schedule.is_some(), "--schedule"),
            (self.optimizer.is_some(), "--optimizer"),
            (h.learning_rate.is_some(), "--learning-rate"),
            (h.momentum.is_some(), "--momentum"),
            (h.weight_decay.is_some(), "--weight-decay"),
            (h.batch_size.is_some(), "--batch-size"),
            (h.epochs.is_some(), "--epochs"),
            (h.seed.is_some(), "--seed"),
            (h.save_as.is_some(), "--save-as"),
            (h.metrics.is_some(), "--metrics"),
        ]
        .into_iter()
        .filter_map(|(given, flag)| given.then_some(flag))
        .collect()
    }
}

impl Cli {
    /// The training options that apply: those given before `train`, or
    /// after it (not both), or before nothing; `None` for a command that
    /// does not train, which refuses any training option given.
    pub fn training(&self) -> Result<Option<&TrainArgs>, Error> {
        let before = &self.train;
        match &self.command {
            None => Ok(Some(before)),
            Some(Command::Train(after)) => {
                match (before.given().is_empty(), after.given().is_empty()) {
                    (true, _) => Ok(Some(after)),
                    (false, true) => Ok(Some(before)),
                    (false, false) => Err(Error::Usage(
                        "give the training options before `train` or after \
                         it, not both"
                            .to_string(),
                    )),
                }
            }
            Some(_) => match before.given() {
                given if given.is_empty() => Ok(None),
                given => Err(Error::Usage(format!(
                    "{} only change{} training, not this command",
                    given.join(", "),
                    if given.len() == 1 { "s" } else { "" }
                ))),
            },
        }
    }
}

/// Runs the command line.
pub fn run(cli: Cli) -> Result<(), Error> {
    if let Some(train) = cli.training()? {
        return run_train(train);
    }
    match cli.command {
        None | Some(Command::Train(_)) => unreachable!("training ran above"),
        Some(Command::Predict { image, show, model }) => {
            run_predict(&image, &model, show.as_deref())
        }
        Some(Command::Figures { figures_dir }) => {
            crate::figures::write_all(&figures_dir)
        }
        Some(Command::ExportWeb { model, out }) => {
            crate::web::export(&model, &out)
        }
        Some(Command::WebReference {
            model,
            images,
            count,
            write_photos,
        }) => {
            let mnist = Mnist::load(DataSet::Mnist)?;
            let (x_test, labels_test) = (&mnist.x_test, &mnist.labels_test);
            if write_photos {
                crate::web::write_photos(&images, x_test)
            } else {
                let json = crate::web::reference(
                    &model,
                    x_test,
                    labels_test,
                    count,
                    &images,
                )?;
                shared::say!("{json}");
                Ok(())
            }
        }
    }
}

fn run_train(args: &TrainArgs) -> Result<(), Error> {
    let (config, changed) = args.config()?;
    let mnist = Mnist::load(args.dataset)?;
    let y = labels_to_matrix::<f32>(&mnist.labels); // (10, 50000)
    let threads = fastpath::threads();
    let path = match config.path {
        TrainingPath::Fast => "fast",
        TrainingPath::Lesson => "lesson",
    };
    shared::say!(
        "Training {config}, {path} path, {threads} thread{}, {}\n  on {} {} \
         images ({} more for validation), f32",
        if threads == 1 { "" } else { "s" },
        fastpath::instruction_set(),
        mnist.x.ncols(),
        args.dataset.name(),
        mnist.x_val.ncols(),
    );
    let mut metrics = args.hyper.metrics_file()?;
    let epochs = config.epochs;
    let bar = progress_bar(mnist.x.ncols().div_ceil(config.batch_size), epochs);
    bar.set_message(format!("1/{epochs}"));
    let report = |r: &EpochRecord| {
        if let Some(m) = metrics.as_mut() {
            m.line(&[
                ("epoch", r.epoch as f64),
                ("train_loss", r.train_loss),
                ("validation_accuracy", r.validation_accuracy),
                ("seconds", r.seconds),
            ]);
        }
        bar.suspend(|| {
            shared::say!(
                "  epoch {:2}/{epochs}  loss {:.4}  validation accuracy \
                 {:.2} %  {:.1} s",
                r.epoch,
                r.train_loss,
                100.0 * r.validation_accuracy,
                r.seconds
            )
        });
        bar.set_message(format!("{}/{epochs}", (r.epoch + 1).min(epochs)));
    };
    let (x, x_val) = (mnist.x.view(), mnist.x_val.view());
    let labels_val = &mnist.labels_val;
    let tick = || bar.inc(1);
    let (net, history) =
        train(&config, x, y.view(), x_val, labels_val, report, tick);
    bar.finish_and_clear();
    show_curve(&history);
    let (last, best) = (
        history.last().expect("at least one epoch"),
        crate::best_epoch(&history).expect("at least one epoch"),
    );
    // The test set, once, for the network chosen on validation.
    let test_accuracy = mnist.test(&net);
    shared::say!(
        "Trained in {:.1} s (training only). Best epoch on validation: {} \
         ({:.2} %).",
        last.seconds,
        best.epoch,
        100.0 * best.validation_accuracy
    );
    shared::say!(
        "Test accuracy of that epoch's network: {test_accuracy:.2} %."
    );
    if let Some((published, source)) = config.preset.published() {
        shared::say!(
            "  published: {published:.2} % ({source}); ours: \
             {test_accuracy:.2} %"
        );
    }
    let name = run_name_of(&config, changed, args);
    let saved = model_path(&name);
    keep_run(
        &net,
        config.cost,
        &history,
        args.min_accuracy,
        &saved,
        &history_path(&name),
    )?;
    shared::say!(
        "Saved the model to {} and its history to {}",
        shared::figures::display_path(&saved),
        shared::figures::display_path(&history_path(&name))
    );
    // A metrics file that could not be written is said last: the model
    // is saved first.
    metrics.map_or(Ok(()), |m| m.finish())?;
    Ok(())
}

/// A progress bar over every epoch's minibatches, with the time left
/// (drawn only at a terminal).
fn progress_bar(batches: usize, epochs: usize) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new((batches * epochs) as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "  epoch {msg} {wide_bar} about {eta} left",
        )
        .expect("valid template"),
    );
    bar
}

/// The validation curve, drawn at a terminal after a run.
pub fn show_curve(history: &[EpochRecord]) {
    let accuracy: Vec<f64> = history
        .iter()
        .map(|r| 100.0 * r.validation_accuracy)
        .collect();
    shared::plot::show("validation accuracy (%) by epoch", &accuracy);
}

/// The name a run is saved under: e.g. `default`, `default-fashion`,
/// `default-lesson` (a run on the lesson path does not replace the fast
/// path's model), `custom` when a hyperparameter was changed, or the
/// `--save-as` name.
fn run_name_of(config: &Config, changed: bool, args: &TrainArgs) -> String {
    if let Some(chosen) = &args.hyper.save_as {
        return chosen.clone();
    }
    let mut name = match changed {
        true => "custom".to_string(),
        false => config.preset.name().to_string(),
    };
    if args.dataset == DataSet::Fashion {
        name.push_str("-fashion");
    }
    if config.path == TrainingPath::Lesson {
        name.push_str("-lesson");
    }
    name
}

/// Checks a finished run against `--min-accuracy`, and only then saves
/// its model and history: a run that falls short replaces nothing.
pub fn keep_run(
    net: &crate::Network<f32>,
    cost: crate::Cost,
    history: &[EpochRecord],
    min_accuracy: Option<f64>,
    model_file: &Path,
    history_file: &Path,
) -> Result<(), Error> {
    let best = crate::best_epoch(history);
    let accuracy = 100.0 * best.map_or(0.0, |r| r.validation_accuracy);
    if let Some(min) = min_accuracy
        && accuracy < min
    {
        return Err(Error::BelowTarget { accuracy, min });
    }
    // The model and its history replace the old ones together, or not at
    // all; a network that diverged replaces nothing.
    let model = model::encode_finite(net, cost, model_file)?;
    let text = history_text(history);
    shared::files::write_all_atomically(&[
        (model_file, &model[..]),
        (history_file, text.as_bytes()),
    ])?;
    Ok(())
}

fn run_predict(
    image: &Path,
    model_path: &Path,
    show: Option<&Path>,
) -> Result<(), Error> {
    let net = match model::load(model_path) {
        Err(ModelError::Io { source, .. })
            if source.kind() == std::io::ErrorKind::NotFound =>
        {
            return Err(Error::Other(format!(
                "no model at {}: train one first with `cargo run --release -p ch08-mnist`",
                model_path.display()
            )));
        }
        other => other?,
    };
    let inputs = net.sizes()[0];
    if inputs != 784 || net.sizes()[net.sizes().len() - 1] != 10 {
        return Err(Error::Other(format!(
            "{}: the model has layer sizes {:?}; predicting digits needs 784 inputs \
             (28×28) and 10 outputs",
            model_path.display(),
            net.sizes()
        )));
    }
    let output = net.layers[net.layers.len() - 1].activation;
    if !matches!(output, Activation::Softmax | Activation::Sigmoid) {
        return Err(Error::Other(format!(
            "{}: the model's outputs ({} activation) are not probabilities; \
             predicting needs softmax or sigmoid outputs",
            model_path.display(),
            output.name()
        )));
    }
    let photo = read_image(image)?;
    let stages = to_mnist(photo.view(), image)?;
    if let Some(out) = show {
        // encode_png writes 1 as white: the network's 1 is ink.
        let seen = &stages.mnist;
        let big = ndarray::Array2::from_shape_fn((280, 280), |(r, c)| {
            seen[(r / 10, c / 10)]
        });
        shared::files::write_atomically(out, &encode_png(big.view()))?;
        shared::say!(
            "Saved the 28×28 image the network saw to {}, enlarged 10× and \
             light ink on dark, as the network sees it.",
            out.display()
        );
    }
    let x = ndarray::Array1::from_iter(stages.mnist.iter().copied());
    let p = net.feedforward(x.view());
    let total: f32 = p.sum();
    if !p.iter().all(|v| v.is_finite() && *v >= 0.0) || total <= 0.0 {
        return Err(Error::Other(format!(
            "{}: the model's outputs for this image are not probabilities \
             (a weight too large for f32?)",
            model_path.display()
        )));
    }
    shared::say!(
        "{}: {}×{} pixels, {} → 28×28",
        image.display(),
        photo.ncols(),
        photo.nrows(),
        if stages.dark_on_light {
            "dark ink on light (inverted)"
        } else {
            "light ink on dark"
        }
    );
    let best = crate::argmax(p.iter().copied());
    for (d, &v) in p.iter().enumerate() {
        let share = v / total;
        let bar = "█".repeat((share * 40.0).round() as usize);
        let mark = if d == best { "  ←" } else { "" };
        shared::say!("  {d} {bar:<40} {:5.1} %{mark}", 100.0 * share);
    }
    let confidence = p[best] / total;
    match crate::photo::doubts(stages.mnist.view(), confidence) {
        None => shared::say!("It looks like a {best}."),
        Some(why) => shared::say!(
            "It might be a {best}, but the network is unsure: {why}.{}",
            if show.is_none() {
                " (--show FILE saves the 28×28 image it saw.)"
            } else {
                ""
            }
        ),
    }
    Ok(())
}
