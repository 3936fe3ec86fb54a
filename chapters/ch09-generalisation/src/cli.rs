//! The command line of `cargo run --release -p ch09-generalisation`.

use std::path::PathBuf;

use ch08_mnist::cli::{
    Widths, dropout, hidden_widths, momentum, non_negative, positive, run_name,
};
use ch08_mnist::runs::model_path;
use clap::{Parser, Subcommand};

use crate::augment::Augment;
use crate::optim::Schedule;
use crate::run::{Mnist, Scale, narrated};
use crate::train::{Method, Record, Settings, best_epoch, train};
use crate::{Activation, Error, Init};

/// Chapter 9: generalisation. Without a command, the narrated run: every
/// experiment of the chapter, the ablation table, the figures and the
/// chapter's model.
#[derive(Debug, Parser)]
#[command(name = "ch09-generalisation", version)]
pub struct Cli {
    /// What to do; the narrated run is the default.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Every experiment small (a few minutes; figures to
    /// target/ch09-quick/, no model saved).
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
    /// Train one network with the settings below (each defaults to the
    /// chapter's baseline: 784-512-512-10, ReLU, He, momentum 0.9, η 0.1
    /// cosine, batch 64, 15 epochs, no regularisation), choose its epoch
    /// on validation, test it once and save it.
    Train(TrainArgs),
}

/// The hyperparameters, each checked as it is read.
#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// Hidden layer widths, e.g. 512,512 (784 inputs and 10 outputs are
    /// added).
    #[arg(long, value_parser = hidden_widths, value_name = "N,N,…")]
    pub hidden: Option<Widths>,
    /// The hidden layers' activation.
    #[arg(long, value_parser = ["relu", "sigmoid", "tanh"])]
    pub activation: Option<String>,
    /// How the first weights are drawn: N(0, 1), Xavier N(0, 1/n) or He
    /// N(0, 2/n).
    #[arg(long, value_parser = ["normal", "xavier", "he"])]
    pub init: Option<String>,
    /// How the weights move.
    #[arg(long, value_parser = ["sgd", "momentum", "adam"])]
    pub optimizer: Option<String>,
    /// Momentum μ, from 0 up to, not including, 1 (with --optimizer
    /// momentum).
    #[arg(long, value_parser = momentum, value_name = "μ", allow_hyphen_values = true)]
    pub momentum: Option<f64>,
    /// The learning rate η (at the start, if the schedule lowers it).
    #[arg(long, value_parser = positive, value_name = "η", allow_hyphen_values = true)]
    pub learning_rate: Option<f64>,
    /// How η changes over the epochs.
    #[arg(long, value_parser = ["constant", "step", "cosine"])]
    pub schedule: Option<String>,
    /// Samples per minibatch.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=50_000))]
    pub batch_size: Option<u32>,
    /// Passes over the training images.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub epochs: Option<u32>,
    /// L2 weight decay λ, 0 or more.
    #[arg(long, value_parser = non_negative, value_name = "λ", allow_hyphen_values = true)]
    pub weight_decay: Option<f64>,
    /// Dropout rate p of the hidden layers, from 0 up to, not including, 1.
    #[arg(long, value_parser = dropout, value_name = "p", allow_hyphen_values = true)]
    pub dropout: Option<f64>,
    /// Distortions of the training images, fresh each epoch: none, or
    /// any of shift, rotate, elastic joined by commas.
    #[arg(long, value_parser = augment, value_name = "KINDS")]
    pub augment: Option<Augment>,
    /// Train on only the first N of the 50,000 training images (try 1000
    /// to watch overfitting).
    #[arg(long, value_parser = clap::value_parser!(u32).range(100..=50_000), value_name = "N")]
    pub train_images: Option<u32>,
    /// The seed for the weights, shuffles, masks and distortions.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Save as data/models/NAME.safetensors (default: ch09-custom).
    #[arg(long, value_parser = run_name, value_name = "NAME")]
    pub save_as: Option<String>,
}

/// `none`, or distortions joined by commas: `shift,elastic`.
fn augment(text: &str) -> Result<Augment, String> {
    let mut kinds = Augment::NONE;
    if text == "none" {
        return Ok(kinds);
    }
    for word in text.split(',') {
        match word.trim() {
            "shift" => kinds.shift = true,
            "rotate" => kinds.rotate = true,
            "elastic" => kinds.elastic = true,
            other => {
                return Err(format!(
                    "'{other}' in '{text}' is not a distortion (none, or \
                     shift, rotate, elastic joined by commas)"
                ));
            }
        }
    }
    Ok(kinds)
}

impl TrainArgs {
    /// The baseline with this command line's changes.
    pub fn settings(&self) -> Settings {
        let mut s = Settings::baseline();
        if let Some(Widths(hidden)) = &self.hidden {
            s.hidden.clone_from(hidden);
        }
        if let Some(name) = &self.activation {
            s.activation = match name.as_str() {
                "sigmoid" => Activation::Sigmoid,
                "tanh" => Activation::Tanh,
                _ => Activation::Relu,
            };
        }
        if let Some(name) = &self.init {
            s.init = match name.as_str() {
                "normal" => Init::StandardNormal,
                "xavier" => Init::Scaled,
                _ => Init::He,
            };
        }
        if let Some(name) = &self.optimizer {
            s.method = match name.as_str() {
                "sgd" => Method::Sgd,
                "adam" => Method::Adam,
                _ => Method::Momentum,
            };
        }
        if let Some(mu) = self.momentum {
            s.momentum = mu;
        }
        if let Some(eta) = self.learning_rate {
            s.eta = eta;
        }
        if let Some(name) = &self.schedule {
            s.schedule = match name.as_str() {
                "constant" => Schedule::Constant,
                "step" => Schedule::Step,
                _ => Schedule::Cosine,
            };
        }
        if let Some(b) = self.batch_size {
            s.batch_size = b as usize;
        }
        if let Some(e) = self.epochs {
            s.epochs = e as usize;
        }
        if let Some(l) = self.weight_decay {
            s.weight_decay = l;
        }
        if let Some(p) = self.dropout {
            s.dropout = p;
        }
        if let Some(a) = self.augment {
            s.augment = a;
        }
        if let Some(seed) = self.seed {
            s.seed = seed;
        }
        s
    }
}

/// Every setting of a run, on two lines.
pub fn describe(s: &Settings, images: usize) -> String {
    let sizes: Vec<String> = [&[784][..], &s.hidden, &[10]]
        .concat()
        .iter()
        .map(ToString::to_string)
        .collect();
    let init = match s.init {
        Init::StandardNormal => "N(0, 1)",
        Init::Scaled => "Xavier",
        Init::He => "He",
    };
    let method = match s.method {
        Method::Momentum => format!("momentum μ = {}", s.momentum),
        other => other.name().to_string(),
    };
    format!(
        "{} ({}, {init} init), {images} training images, {} epochs, \
         batch {}\n  {method}, η = {} ({}), weight decay {}, dropout {}, \
         augmentation {}, seed {}",
        sizes.join("-"),
        s.activation.name(),
        s.epochs,
        s.batch_size,
        s.eta,
        s.schedule.name(),
        s.weight_decay,
        s.dropout,
        s.augment.name(),
        s.seed
    )
}

/// Runs the command line.
pub fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Some(Command::Train(args)) => run_train(&args),
        None => {
            let (scale, figures, model) = if cli.quick {
                let dir = shared::figures::workspace_root()
                    .join("target")
                    .join("ch09-quick");
                std::fs::create_dir_all(&dir).map_err(|e| {
                    Error::Other(format!("{}: {e}", dir.display()))
                })?;
                (Scale::QUICK, Some(dir), None)
            } else {
                let book = shared::figures::book_figures_dir();
                (Scale::FULL, Some(book), Some(model_path("ch09")))
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
    let mnist = Mnist::load()?;
    let n = args.train_images.map_or(mnist.x.ncols(), |n| n as usize);
    let data = mnist.data(n);
    println!("Training {}", describe(&settings, data.x.ncols()));
    println!(
        "  {} validation images choose the epoch; {} threads, {}",
        data.x_val.ncols(),
        fastpath::threads(),
        fastpath::instruction_set()
    );
    let (net, history) = train(&settings, &data, |r: &Record| {
        println!(
            "  epoch {:3}  train loss {:.4}  train {:6.2} %  validation {:6.2} %  \
             {:.1} s",
            r.epoch,
            r.train_loss,
            100.0 * r.train_accuracy,
            100.0 * r.validation_accuracy,
            r.seconds
        );
    });
    let best = best_epoch(&history).expect("at least one epoch");
    let seconds = history.last().expect("at least one epoch").seconds;
    println!(
        "Trained in {seconds:.1} s. Best epoch on validation: {} ({:.2} %).",
        best.epoch,
        100.0 * best.validation_accuracy
    );
    println!(
        "Test accuracy of that epoch's network: {:.2} %.",
        mnist.test(&net)
    );
    let name = args.save_as.clone().unwrap_or("ch09-custom".to_string());
    let path: PathBuf = model_path(&name);
    ch08_mnist::model::save(&net, crate::Cost::CrossEntropy, &path)?;
    println!(
        "Saved the model to {} (ch08-mnist predict --model reads it)",
        shared::figures::display_path(&path)
    );
    Ok(())
}
