//! The command line of `cargo run --release -p ch10-cnn`.
//!
//! The runner and the flags every chapter shares are
//! `shared::runner`'s; this module holds chapter 10's own.

use std::path::{Path, PathBuf};

use ch08_mnist::model::ModelError;
use ch08_mnist::photo::{read_image, to_mnist};
use ch08_mnist::runs::model_path;
use ch08_mnist::{Mnist, best_epoch};
use clap::{Subcommand, ValueEnum};
use shared::data::DataSet;
use shared::runner::{ChapterCli, HyperArgs};

use crate::Error;
use crate::run::{Scale, narrated, print_epoch};
use crate::train::{Settings, predict_all, train};

/// What `--help` says the program does.
pub const ABOUT: &str = "Chapter 10: convolutional networks. Without a \
    command, the narrated run: convolution and pooling by hand, the \
    gradient checks, the network trained on MNIST (epoch chosen on \
    validation, tested once), the comparison with the fully connected \
    network, the figures and the model. --quick: 5,000 images, 2 epochs.";

/// The command line: the narrated run, `train` or `predict`.
pub type Cli = ChapterCli<Command>;

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Train the network with the settings below (each defaults to the
    /// chapter's run), choose its epoch on validation, test it once and
    /// save it.
    Train(TrainArgs),
    /// Read a digit from an image file (PNG or JPEG) with a saved CNN.
    Predict {
        /// The image.
        image: PathBuf,
        /// The model file (default: the chapter's, data/models/ch10.safetensors).
        #[arg(long)]
        model: Option<PathBuf>,
    },
}

/// The hyperparameters, each checked as it is read.
#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// Filters in the two convolution layers, e.g. 20,40.
    #[arg(long, value_parser = channels, value_name = "C1,C2")]
    pub channels: Option<[usize; 2]>,
    /// Neurons in the fully connected hidden layer.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub hidden: Option<u32>,
    /// Shift each image by up to 2 pixels each epoch (chapter 9), or not.
    #[arg(long, value_enum)]
    pub augment: Option<Shift>,
    /// Train on the first N of the 50,000 training images.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=50_000))]
    pub train_images: Option<u32>,
    /// η (cosine decay), μ, λ, batch size (at most 5,000), epochs, seed,
    /// --save-as (default: ch10-custom).
    #[command(flatten)]
    pub hyper: HyperArgs,
}

/// `--augment`: shifted copies each epoch, or the images as they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Shift {
    /// Each image moved by up to 2 pixels, afresh every epoch.
    Shift,
    /// No distortion.
    None,
}

/// The largest minibatch: the convolution's buffers grow with it.
pub const MAX_BATCH: usize = 5_000;

/// Refuses, in one line with the number, settings whose training buffers
/// would take more than chapter 8's [`ch08_mnist::MAX_MEMORY`]: per image
/// in a minibatch, each layer's im2col matrix and maps (forward and
/// backward), and the weights four times over.
fn check_memory(arch: crate::Architecture, batch: usize) -> Result<(), Error> {
    let (conv1, _) = arch.sides(0);
    let (conv2, _) = arch.sides(1);
    let [c1, c2] = arch.channels;
    let k2 = (arch.k * arch.k) as f64;
    let per_image = 2.0 * k2 * (conv1 * conv1) as f64
        + 3.0 * (c1 * conv1 * conv1) as f64
        + 2.0 * c1 as f64 * k2 * (conv2 * conv2) as f64
        + 3.0 * (c2 * conv2 * conv2) as f64
        + 3.0 * (arch.features() + arch.hidden + arch.classes) as f64;
    let bytes =
        4.0 * (batch as f64 * per_image + 4.0 * arch.parameters() as f64);
    match bytes <= ch08_mnist::MAX_MEMORY {
        true => Ok(()),
        false => Err(Error::Usage(format!(
            "these settings need about {:.0} GB for the network and its \
             buffers, more than the {:.0} GB a run may take: fewer \
             channels, or a smaller --batch-size",
            bytes / 1e9,
            ch08_mnist::MAX_MEMORY / 1e9
        ))),
    }
}

/// Two channel counts, e.g. "20,40", each 1–512.
pub fn channels(text: &str) -> Result<[usize; 2], String> {
    let parts: Vec<&str> = text.split(',').collect();
    let parse = |s: &str| match s.trim().parse::<usize>() {
        Ok(n) if (1..=512).contains(&n) => Ok(n),
        _ => Err(format!("'{s}' is not a channel count from 1 to 512")),
    };
    match parts[..] {
        [a, b] => Ok([parse(a)?, parse(b)?]),
        _ => Err(format!("'{text}' is not two channel counts like 20,40")),
    }
}

impl TrainArgs {
    /// The chapter's settings with these changes; settings that cannot
    /// make a network are refused in one line.
    pub fn settings(&self) -> Result<Settings, Error> {
        let (mut s, h) = (Settings::default_run(), &self.hyper);
        if let Some(c) = self.channels {
            s.arch.channels = c;
        }
        if let Some(hidden) = self.hidden {
            s.arch.hidden = hidden as usize;
        }
        if let Some(shift) = self.augment {
            s.augment.shift = shift == Shift::Shift;
        }
        s.eta = h.learning_rate.unwrap_or(s.eta);
        s.momentum = h.momentum.unwrap_or(s.momentum);
        s.weight_decay = h.weight_decay.unwrap_or(s.weight_decay);
        s.batch_size = h.batch_size.map_or(s.batch_size, |b| b as usize);
        s.epochs = h.epochs.map_or(s.epochs, |e| e as usize);
        s.seed = h.seed.unwrap_or(s.seed);
        if s.batch_size > MAX_BATCH {
            return Err(Error::Usage(format!(
                "--batch-size {} is more than {MAX_BATCH}, the most this \
                 chapter's buffers take",
                s.batch_size
            )));
        }
        s.arch.check().map_err(Error::Usage)?;
        check_memory(s.arch, s.batch_size)?;
        Ok(s)
    }
}

/// Runs the command line.
pub fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Some(Command::Train(args)) => run_train(&args),
        Some(Command::Predict { image, model }) => {
            run_predict(&image, &model.unwrap_or_else(|| model_path("ch10")))
        }
        None => {
            let scale = match cli.run.quick {
                true => Scale::QUICK,
                false => Scale::FULL,
            };
            let figures = cli.run.figures_dir("ch10")?;
            let model = cli.run.saves_model().then(|| model_path("ch10"));
            narrated(scale, figures.as_deref(), model.as_deref())
        }
    }
}

fn run_train(args: &TrainArgs) -> Result<(), Error> {
    let settings = args.settings()?;
    let mnist = Mnist::load(DataSet::Mnist)?;
    let n = args.train_images.map_or(mnist.x.ncols(), |n| n as usize);
    let data = mnist.first(n);
    shared::say!("Training {}", crate::run::describe(&settings, n));
    let mut metrics = args.hyper.metrics_file()?;
    let mut report = |r: &crate::train::Record| {
        if let Some(m) = metrics.as_mut() {
            m.line(&[
                ("epoch", r.epoch as f64),
                ("eta", r.eta),
                ("train_loss", r.train_loss),
                ("validation_loss", r.validation_loss),
                ("validation_accuracy", r.validation_accuracy),
                ("seconds", r.seconds),
            ]);
        }
        print_epoch(r);
    };
    let (net, history) = train(&settings, &data, &mut report);
    let accuracy: Vec<f64> = history
        .iter()
        .map(|r| 100.0 * r.validation_accuracy)
        .collect();
    shared::plot::show("validation accuracy (%) by epoch", &accuracy);
    let best = best_epoch(&history).expect("at least one epoch");
    let seconds: f64 = history.iter().map(|r| r.seconds).sum();
    shared::say!(
        "Trained in {seconds:.1} s. Best epoch on validation: {} ({:.2} %).",
        best.epoch,
        100.0 * best.validation_accuracy
    );
    let test = predict_all(&net, mnist.x_test.view());
    shared::say!(
        "Test accuracy of that epoch's network: {:.2} %.",
        100.0 * ch08_mnist::accuracy(&test, &mnist.labels_test)
    );
    let name = args.hyper.save_as.as_deref().unwrap_or("ch10-custom");
    let path = model_path(name);
    crate::model::save(&net, &path)?;
    shared::say!(
        "Saved the model to {} (ch10-cnn predict --model reads it)",
        shared::figures::display_path(&path)
    );
    // A metrics file that could not be written is said last: the model
    // is saved first.
    metrics.map_or(Ok(()), |m| m.finish())?;
    Ok(())
}

fn run_predict(image: &Path, model_path: &Path) -> Result<(), Error> {
    let net = match crate::model::load(model_path) {
        Err(ModelError::Io { source, .. })
            if source.kind() == std::io::ErrorKind::NotFound =>
        {
            return Err(Error::NoModel(model_path.to_path_buf()));
        }
        other => other?,
    };
    if net.arch.side != 28 || net.arch.classes != 10 {
        return Err(Error::NotDigits {
            path: model_path.to_path_buf(),
            side: net.arch.side,
            classes: net.arch.classes,
        });
    }
    let photo = read_image(image)?;
    let stages = to_mnist(photo.view(), image)?;
    let x = stages
        .mnist
        .to_shape((1, 28, 28))
        .expect("28×28")
        .to_owned();
    let p = net.forward(x.view()).a4;
    let digit = ch08_mnist::argmax(p.iter().copied());
    shared::say!(
        "{}: {}×{} pixels → 28×28. The CNN reads a {digit} ({:.1} % sure).",
        image.display(),
        photo.ncols(),
        photo.nrows(),
        100.0 * p[digit]
    );
    let mut ranked: Vec<(usize, f32)> = p.iter().copied().enumerate().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    let top: Vec<String> = ranked[..3]
        .iter()
        .map(|(d, q)| format!("{d}: {:.1} %", 100.0 * q))
        .collect();
    shared::say!("  most likely: {}", top.join(", "));
    Ok(())
}
