//! The command line of `cargo run --release -p ch08-mnist`.

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};
use shared::data::{DataSet, load};

use crate::model::{self, ModelError};
use crate::photo::{encode_png, read_image, to_mnist};
use crate::runs::{history_path, model_path, write_history};
use crate::{
    EpochRecord, Error, Preset, TRAIN_SIZE, TrainingPath, accuracy,
    images_to_matrix, labels_to_matrix, predict_all, train,
};
use ndarray::s;

/// Train a neural network on MNIST from scratch, and use it.
#[derive(Debug, Parser)]
#[command(name = "ch08-mnist", version)]
pub struct Cli {
    /// What to do; training is the default.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Training options (for the default command).
    #[command(flatten)]
    pub train: TrainArgs,
    /// Threads for training and evaluation (default: every core).
    #[arg(long, global = true, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,
}

/// The `main` of a chapter's program: parses the command line `C` (help
/// and version print and succeed; a mistake is one line naming it, exit
/// status 2), sizes the thread pool, runs, and reports an error in one
/// line (exit status 1).
pub fn main_of<C: Parser>(
    name: &str,
    threads: impl FnOnce(&C) -> Option<u16>,
    run: impl FnOnce(C) -> Result<(), Error>,
) -> std::process::ExitCode {
    use clap::error::ErrorKind;
    let cli = match C::try_parse() {
        Ok(cli) => cli,
        Err(e)
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
            ) =>
        {
            let _ = e.print();
            return std::process::ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("{name}: error: {} (try --help)", one_line(&e));
            return std::process::ExitCode::from(2);
        }
    };
    match use_threads(threads(&cli)).and_then(|()| run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{name}: error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// A command-line mistake in one line: clap explains at length; its first
/// paragraph, on one line, names what was wrong (the missing argument, the
/// valid values).
pub fn one_line(e: &clap::Error) -> String {
    let text = e.to_string();
    let first: Vec<&str> = text
        .lines()
        .take_while(|line| !line.trim().is_empty())
        .map(str::trim)
        .collect();
    let first = first.join(" ");
    first.strip_prefix("error: ").unwrap_or(&first).to_string()
}

/// Sizes the thread pool: `threads` threads (default: all cores). Call it
/// before any training.
pub fn use_threads(threads: Option<u16>) -> Result<(), Error> {
    fastpath::set_threads(threads.map_or(0, usize::from)).map_err(Error::Other)
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Train a network (the default; the training options go before or
    /// after `train`).
    Train,
    /// Read a handwritten digit from a photo or a drawing.
    Predict {
        /// The image: PNG or JPEG, any size up to 12,000 pixels a side,
        /// dark ink on light or light on dark.
        image: PathBuf,
        /// Also save the 28×28 image the network sees, as a PNG.
        #[arg(long, value_name = "PNG")]
        show: Option<PathBuf>,
        /// The model file to use.
        #[arg(long, default_value_os_t = model_path("default"))]
        model: PathBuf,
    },
    /// Redraw the chapter's figures from saved runs (train first).
    Figures,
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
    #[arg(long, global = true, value_enum, default_value_t = Preset::Default)]
    pub preset: Preset,
    /// A short run (one epoch) that proves the pipeline: same as --preset quick.
    #[arg(long, global = true, conflicts_with = "preset")]
    pub quick: bool,
    /// The data set.
    #[arg(long, global = true, default_value = "mnist", value_parser = ["mnist", "fashion"])]
    pub dataset: String,
    /// Override the preset's number of epochs.
    #[arg(long, global = true, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub epochs: Option<u32>,
    /// Override the preset's seed.
    #[arg(long, global = true)]
    pub seed: Option<u64>,
    /// Which code trains: the fast path, or the lesson code the book shows
    /// (the same numbers to rounding, slower).
    #[arg(long, global = true, value_enum, default_value_t = TrainingPath::Fast)]
    pub path: TrainingPath,
    /// Fail (exit status 1), without saving the model, if the chosen
    /// epoch's validation accuracy, in percent, is lower.
    #[arg(long, global = true, value_parser = percent)]
    pub min_accuracy: Option<f64>,
    /// Hidden layer widths, e.g. 512,512 (the input, 784, and the output,
    /// 10, are added).
    #[arg(long, global = true, value_parser = hidden_widths, value_name = "N,N,…")]
    pub hidden: Option<Widths>,
    /// The hidden layers' activation.
    #[arg(long, global = true, value_parser = ["relu", "sigmoid", "tanh"])]
    pub activation: Option<String>,
    /// The learning rate η (at the start, if the schedule decays it).
    #[arg(long, global = true, value_parser = positive, value_name = "η", allow_hyphen_values = true)]
    pub learning_rate: Option<f64>,
    /// How η changes over the epochs.
    #[arg(long, global = true, value_parser = ["cosine", "constant"])]
    pub schedule: Option<String>,
    /// Samples per minibatch.
    #[arg(long, global = true, value_parser = clap::value_parser!(u32).range(1..=60_000))]
    pub batch_size: Option<u32>,
    /// Momentum μ, from 0 (plain SGD) up to, not including, 1.
    #[arg(long, global = true, value_parser = momentum, value_name = "μ", allow_hyphen_values = true)]
    pub momentum: Option<f64>,
    /// How the weights move: momentum (the default), or plain SGD (the
    /// same as --momentum 0). Chapter 9's `train` also has Adam.
    #[arg(long, global = true, value_parser = ["sgd", "momentum"])]
    pub optimizer: Option<String>,
    /// Dropout rate p of the hidden layers, from 0 up to, not including, 1
    /// (fast path only; chapter 9 explains it).
    #[arg(long, global = true, value_parser = dropout, value_name = "p", allow_hyphen_values = true)]
    pub dropout: Option<f64>,
    /// Weight decay λ (L2 regularisation), 0 or more.
    #[arg(long, global = true, value_parser = non_negative, value_name = "λ", allow_hyphen_values = true)]
    pub weight_decay: Option<f64>,
    /// Save the model and history as data/models/NAME.safetensors (default:
    /// the preset's name, or "custom" when a setting above was changed).
    #[arg(long, global = true, value_parser = run_name, value_name = "NAME")]
    pub save_as: Option<String>,
}

/// Hidden layer widths, from `--hidden 512,512`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Widths(pub Vec<usize>);

/// Hidden layer widths: positive whole numbers separated by commas.
pub fn hidden_widths(text: &str) -> Result<Widths, String> {
    text.split(',')
        .map(|w| match w.trim().parse::<usize>() {
            Ok(0) => Err(format!("a hidden layer of width 0 in '{text}'")),
            Ok(n) if n > 100_000 => Err(format!(
                "a hidden layer of {n} in '{text}': at most 100000"
            )),
            Ok(n) => Ok(n),
            Err(_) => Err(format!(
                "'{w}' in '{text}' is not a layer width (e.g. 512,512)"
            )),
        })
        .collect::<Result<_, _>>()
        .map(Widths)
}

/// A finite number above 0.
pub fn positive(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(format!("{text} is not a number above 0")),
    }
}

/// A finite number, 0 or more.
pub fn non_negative(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!("{text} is not a number, 0 or more")),
    }
}

/// Momentum: from 0 up to, not including, 1 (at 1 the steps never shrink).
pub fn momentum(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if (0.0..1.0).contains(&v) => Ok(v),
        _ => Err(format!("{text} is not a momentum from 0 up to 1 (not 1)")),
    }
}

/// A dropout rate: from 0 up to, not including, 1 (at 1 every neuron is
/// dropped and nothing is learned).
pub fn dropout(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(p) if (0.0..1.0).contains(&p) => Ok(p),
        _ => Err(format!(
            "{text} is not a dropout rate from 0 up to 1 (not 1)"
        )),
    }
}

/// A run's name: letters, digits, '-' and '_' (it names files).
pub fn run_name(text: &str) -> Result<String, String> {
    let ok = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if !text.is_empty() && text.len() <= 64 && text.chars().all(ok) {
        Ok(text.to_string())
    } else {
        Err(format!(
            "'{text}' is not a run name (letters, digits, - and _)"
        ))
    }
}

impl TrainArgs {
    /// The preset's settings with this command line's changes, and whether
    /// any hyperparameter was changed.
    pub fn config(&self) -> (crate::Config, bool) {
        let preset = if self.quick {
            Preset::Quick
        } else {
            self.preset
        };
        let mut config = preset.config();
        config.path = self.path;
        if let Some(epochs) = self.epochs {
            config.epochs = epochs as usize;
        }
        if let Some(seed) = self.seed {
            config.seed = seed;
        }
        let before = config.clone();
        if let Some(Widths(hidden)) = &self.hidden {
            let output = config.sizes[config.sizes.len() - 1];
            config.sizes = [&[784][..], hidden, &[output]].concat();
        }
        if let Some(name) = &self.activation {
            config.hidden = match name.as_str() {
                "sigmoid" => crate::Activation::Sigmoid,
                "tanh" => crate::Activation::Tanh,
                _ => crate::Activation::Relu,
            };
        }
        if let Some(eta) = self.learning_rate {
            config.eta = eta;
        }
        if let Some(schedule) = &self.schedule {
            config.cosine = schedule == "cosine";
        }
        if let Some(batch) = self.batch_size {
            config.batch_size = batch as usize;
        }
        if let Some(mu) = self.momentum {
            config.momentum = mu;
        }
        if let Some(lambda) = self.weight_decay {
            config.weight_decay = lambda;
        }
        if self.optimizer.as_deref() == Some("sgd") {
            config.momentum = 0.0;
        }
        if let Some(p) = self.dropout {
            config.dropout = p;
        }
        let changed = config != before;
        (config, changed)
    }
}

/// A percentage: a finite number from 0 to 100.
pub fn percent(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!("{text} is not a percentage from 0 to 100")),
    }
}

/// Runs the command line.
pub fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        None => run_train(&cli.train),
        Some(Command::Train) => run_train(&cli.train),
        Some(Command::Predict { image, show, model }) => {
            run_predict(&image, &model, show.as_deref())
        }
        Some(Command::Figures) => crate::figures::write_all(),
        Some(Command::ExportWeb { model, out }) => {
            crate::web::export(&model, &out)
        }
        Some(Command::WebReference {
            model,
            images,
            count,
            write_photos,
        }) => {
            let (_, test_set) =
                load(DataSet::Mnist, &mut |line| eprintln!("{line}"))?;
            let x_test = images_to_matrix::<f32>(&test_set.images);
            if write_photos {
                crate::web::write_photos(&images, &x_test)
            } else {
                let json = crate::web::reference(
                    &model,
                    &x_test,
                    &test_set.labels,
                    count,
                    &images,
                )?;
                println!("{json}");
                Ok(())
            }
        }
    }
}

fn run_train(args: &TrainArgs) -> Result<(), Error> {
    let (config, changed) = args.config();
    if args.optimizer.as_deref() == Some("sgd")
        && args.momentum.is_some_and(|mu| mu > 0.0)
    {
        return Err(Error::Other(
            "--optimizer sgd has no momentum: drop --momentum, or use \
             --optimizer momentum"
                .to_string(),
        ));
    }
    if config.dropout > 0.0 && config.path == TrainingPath::Lesson {
        return Err(Error::Other(
            "--dropout trains on the fast path only (chapter 9's \
             backprop_with_dropout is its lesson code): drop --path lesson"
                .to_string(),
        ));
    }
    let dataset = if args.dataset == "fashion" {
        DataSet::Fashion
    } else {
        DataSet::Mnist
    };
    let (train_set, test_set) = load(dataset, &mut |line| eprintln!("{line}"))?;
    // 50,000 images to learn from, 10,000 to choose the epoch with.
    let x_all = images_to_matrix::<f32>(&train_set.images); // (784, 60000)
    let y_all = labels_to_matrix::<f32>(&train_set.labels); // (10, 60000)
    let (learn, choose) = (s![.., ..TRAIN_SIZE], s![.., TRAIN_SIZE..]);
    let (x, y) = (x_all.slice(learn), y_all.slice(learn));
    let (x_val, labels_val) =
        (x_all.slice(choose), &train_set.labels[TRAIN_SIZE..]);
    let x_test = images_to_matrix::<f32>(&test_set.images);
    let sizes: Vec<String> =
        config.sizes.iter().map(|s| s.to_string()).collect();
    println!(
        "Training {} ({} hidden, {} output, {} cost, {:?} init) on {} {} \
         images ({} more for validation), f32",
        sizes.join("-"),
        config.hidden.name(),
        config.output.name(),
        config.cost.name(),
        config.init,
        x.ncols(),
        dataset.name(),
        x_val.ncols()
    );
    let threads = fastpath::threads();
    println!(
        "  η = {}{}, batch {}, momentum {}, weight decay {}, {} epoch{}, seed {}, \
         {} path, {threads} thread{}, {}",
        config.eta,
        if config.cosine { " (cosine decay)" } else { "" },
        config.batch_size,
        config.momentum,
        config.weight_decay,
        config.epochs,
        if config.epochs == 1 { "" } else { "s" },
        config.seed,
        match config.path {
            TrainingPath::Fast => "fast",
            TrainingPath::Lesson => "lesson",
        },
        if threads == 1 { "" } else { "s" },
        fastpath::instruction_set()
    );
    if config.dropout > 0.0 {
        println!("  dropout {} on the hidden layers", config.dropout);
    }
    let batches = x.ncols().div_ceil(config.batch_size) as u64;
    let bar = indicatif::ProgressBar::new(batches);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "  epoch {msg} {wide_bar} {pos}/{len} batches",
        )
        .expect("valid template"),
    );
    bar.set_message(format!("1/{}", config.epochs));
    let epochs = config.epochs;
    let (net, history) = train(
        &config,
        x,
        y,
        x_val,
        labels_val,
        |r: &EpochRecord| {
            bar.suspend(|| {
                println!(
                    "  epoch {:2}/{epochs}  loss {:.4}  validation accuracy {:.2} %  {:.1} s",
                    r.epoch,
                    r.train_loss,
                    100.0 * r.validation_accuracy,
                    r.seconds
                )
            });
            bar.reset();
            bar.set_message(format!("{}/{epochs}", r.epoch + 1));
        },
        || bar.inc(1),
    );
    bar.finish_and_clear();
    let (last, best) = (
        history.last().expect("at least one epoch"),
        crate::best_epoch(&history).expect("at least one epoch"),
    );
    // The test set, once, for the network chosen on validation.
    let test_accuracy =
        100.0 * accuracy(&predict_all(&net, x_test.view()), &test_set.labels);
    println!(
        "Trained in {:.1} s (training only). Best epoch on validation: {} \
         ({:.2} %).",
        last.seconds,
        best.epoch,
        100.0 * best.validation_accuracy
    );
    println!("Test accuracy of that epoch's network: {test_accuracy:.2} %.");
    if let Some((published, source)) = config.preset.published() {
        println!(
            "  published: {published:.2} % ({source}); ours: {test_accuracy:.2} %"
        );
    }
    // Saved as e.g. `default`, `default-fashion`, `default-lesson`: a run
    // on the lesson path does not replace the fast path's model.
    let mut name = match changed {
        true => "custom".to_string(),
        false => config.preset.name().to_string(),
    };
    if dataset == DataSet::Fashion {
        name.push_str("-fashion");
    }
    if config.path == TrainingPath::Lesson {
        name.push_str("-lesson");
    }
    if let Some(chosen) = &args.save_as {
        name.clone_from(chosen);
    }
    let saved = model_path(&name);
    keep_run(
        &net,
        config.cost,
        &history,
        args.min_accuracy,
        &saved,
        &history_path(&name),
    )?;
    println!(
        "Saved the model to {}",
        shared::figures::display_path(&saved)
    );
    Ok(())
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
        return Err(Error::Other(format!(
            "validation accuracy {accuracy:.2} % is below the required \
             {min} %; the model was not saved"
        )));
    }
    model::save(net, cost, model_file)?;
    write_history(history_file, history)?;
    Ok(())
}

// ANCHOR: predict
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
    let photo = read_image(image)?;
    let stages = to_mnist(photo.view(), image)?;
    if let Some(out) = show {
        let png = encode_png(stages.mnist.mapv(|v| 1.0 - v).view());
        shared::files::write_atomically(out, &png)
            .map_err(|e| Error::Other(format!("{}: {e}", out.display())))?;
    }
    let x = ndarray::Array1::from_iter(stages.mnist.iter().copied());
    let p = net.feedforward(x.view());
    let total: f32 = p.sum();
    println!(
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
        println!("  {d} {bar:<40} {:5.1} %{mark}", 100.0 * share);
    }
    let confidence = p[best] / total;
    match crate::photo::doubts(stages.mnist.view(), confidence) {
        None => println!("It looks like a {best}."),
        Some(why) => println!(
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
// ANCHOR_END: predict
