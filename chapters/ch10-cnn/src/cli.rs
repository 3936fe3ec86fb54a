//! The command line of `cargo run --release -p ch10-cnn`.

use std::path::{Path, PathBuf};

use ch08_mnist::Error;
use ch08_mnist::cli::{momentum, non_negative, positive, run_name};
use ch08_mnist::model::ModelError;
use ch08_mnist::photo::{read_image, to_mnist};
use ch08_mnist::runs::model_path;
use clap::{Parser, Subcommand};

use crate::run::{Scale, narrated, print_epoch};
use crate::train::{Settings, best_epoch, predict_all, train};

/// Chapter 10: convolutional networks. Without a command, the narrated
/// run: convolution and pooling by hand, the gradient checks, the
/// network trained on MNIST (epoch chosen on validation, tested once),
/// the comparison with the fully connected network, the figures and the
/// model.
#[derive(Debug, Parser)]
#[command(name = "ch10-cnn", version)]
pub struct Cli {
    /// What to do; the narrated run is the default.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// A short run (5,000 images, 2 epochs; figures to target/ch10-quick/,
    /// no model saved).
    #[arg(long)]
    pub quick: bool,
    /// Write no figures and save no model.
    #[arg(long)]
    pub no_figures: bool,
    /// Threads for training (default: every core). Any number gives the
    /// same numbers.
    #[arg(long, global = true, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,
}

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
    /// The learning rate η at the start (cosine decay).
    #[arg(long, value_parser = positive, value_name = "η", allow_hyphen_values = true)]
    pub learning_rate: Option<f64>,
    /// Momentum μ, from 0 up to, not including, 1.
    #[arg(long, value_parser = momentum, value_name = "μ", allow_hyphen_values = true)]
    pub momentum: Option<f64>,
    /// Weight decay λ (0 for none).
    #[arg(long, value_parser = non_negative, value_name = "λ", allow_hyphen_values = true)]
    pub weight_decay: Option<f64>,
    /// Images per minibatch.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=5_000))]
    pub batch_size: Option<u32>,
    /// Passes over the training images.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub epochs: Option<u32>,
    /// Shift each image by up to 2 pixels each epoch (chapter 9), or not.
    #[arg(long, value_parser = ["shift", "none"])]
    pub augment: Option<String>,
    /// Train on the first N of the 50,000 training images.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=50_000))]
    pub train_images: Option<u32>,
    /// Seed of the initial weights, shuffles and shifts.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Save the model as data/models/NAME.safetensors.
    #[arg(long, value_parser = run_name, value_name = "NAME")]
    pub save_as: Option<String>,
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
    /// The chapter's settings with these changes.
    pub fn settings(&self) -> Settings {
        let mut s = Settings::default_run();
        if let Some(c) = self.channels {
            s.arch.channels = c;
        }
        if let Some(h) = self.hidden {
            s.arch.hidden = h as usize;
        }
        s.eta = self.learning_rate.unwrap_or(s.eta);
        s.momentum = self.momentum.unwrap_or(s.momentum);
        s.weight_decay = self.weight_decay.unwrap_or(s.weight_decay);
        s.batch_size = self.batch_size.map_or(s.batch_size, |b| b as usize);
        s.epochs = self.epochs.map_or(s.epochs, |e| e as usize);
        if let Some(a) = &self.augment {
            s.augment.shift = a == "shift";
        }
        s.seed = self.seed.unwrap_or(s.seed);
        s
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
            let (scale, figures, model) = if cli.quick {
                let dir = shared::figures::workspace_root()
                    .join("target")
                    .join("ch10-quick");
                std::fs::create_dir_all(&dir).map_err(|e| {
                    Error::Other(format!("{}: {e}", dir.display()))
                })?;
                (Scale::QUICK, Some(dir), None)
            } else {
                let book = shared::figures::book_figures_dir();
                (Scale::FULL, Some(book), Some(model_path("ch10")))
            };
            let (figures, model) = match cli.no_figures {
                true => (None, None),
                false => (figures, model),
            };
            narrated(scale, figures.as_deref(), model.as_deref())
        }
    }
}

fn run_train(args: &TrainArgs) -> Result<(), Error> {
    let settings = args.settings();
    settings.arch.check().map_err(Error::Other)?;
    let mnist = ch09_generalisation::run::Mnist::load()?;
    let n = args.train_images.map_or(mnist.x.ncols(), |n| n as usize);
    let data = mnist.data(n);
    println!("Training {}", crate::run::describe(&settings, n));
    let (net, history) = train(&settings, &data, &mut print_epoch);
    let best = best_epoch(&history).expect("at least one epoch");
    let seconds: f64 = history.iter().map(|r| r.seconds).sum();
    println!(
        "Trained in {seconds:.1} s. Best epoch on validation: {} ({:.2} %).",
        best.epoch,
        100.0 * best.validation_accuracy
    );
    let test = predict_all(&net, mnist.x_test.view());
    println!(
        "Test accuracy of that epoch's network: {:.2} %.",
        100.0 * ch08_mnist::accuracy(&test, &mnist.labels_test)
    );
    let name = args.save_as.clone().unwrap_or("ch10-custom".to_string());
    let path = model_path(&name);
    crate::model::save(&net, &path)?;
    println!(
        "Saved the model to {} (ch10-cnn predict --model reads it)",
        shared::figures::display_path(&path)
    );
    Ok(())
}

fn run_predict(image: &Path, model_path: &Path) -> Result<(), Error> {
    let net = match crate::model::load(model_path) {
        Err(ModelError::Io { source, .. })
            if source.kind() == std::io::ErrorKind::NotFound =>
        {
            return Err(Error::Other(format!(
                "no model at {}: train one first with `cargo run --release -p ch10-cnn`",
                model_path.display()
            )));
        }
        other => other?,
    };
    if net.arch.side != 28 || net.arch.classes != 10 {
        return Err(Error::Other(format!(
            "{}: the model reads {}×{} images into {} classes; digits need \
             28×28 into 10",
            model_path.display(),
            net.arch.side,
            net.arch.side,
            net.arch.classes
        )));
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
    println!(
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
    println!("  most likely: {}", top.join(", "));
    Ok(())
}
