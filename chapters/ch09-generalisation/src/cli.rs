//! The command line of `cargo run --release -p ch09-generalisation`.
//!
//! The runner and the flags every chapter shares are
//! `shared::runner`'s; this module holds chapter 9's own.

use std::path::PathBuf;

use ch08_mnist::cli::Hidden;
use ch08_mnist::runs::model_path;
use ch08_mnist::{Mnist, best_epoch};
use clap::{Subcommand, ValueEnum};
use shared::data::DataSet;
use shared::runner::{ChapterCli, HyperArgs, Widths, dropout, hidden_widths};

use crate::augment::Augment;
use crate::optim::Schedule;
use crate::run::{Scale, narrated};
use crate::train::{Method, Record, Settings, train};
use crate::{Error, Init};

/// What `--help` says the program does.
pub const ABOUT: &str = "Chapter 9: generalisation. Without a command, the \
    narrated run: every experiment of the chapter, the ablation table, the \
    figures and the chapter's model.";

/// The command line: the narrated run, or `train`.
pub type Cli = ChapterCli<Command>;

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
    #[arg(long, value_enum)]
    pub activation: Option<Hidden>,
    /// How the first weights are drawn.
    #[arg(long, value_enum)]
    pub init: Option<InitArg>,
    /// How the weights move.
    #[arg(long, value_enum)]
    pub optimizer: Option<Method>,
    /// How η changes over the epochs.
    #[arg(long, value_enum)]
    pub schedule: Option<Schedule>,
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
    /// η, μ, λ, batch size, epochs, seed, --save-as (default: ch09-custom).
    #[command(flatten)]
    pub hyper: HyperArgs,
}

/// How the first weights are drawn, as `--init` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InitArg {
    /// N(0, 1).
    Normal,
    /// Xavier: N(0, 1/n).
    Xavier,
    /// He: N(0, 2/n).
    He,
}

impl From<InitArg> for Init {
    fn from(init: InitArg) -> Init {
        match init {
            InitArg::Normal => Init::StandardNormal,
            InitArg::Xavier => Init::Scaled,
            InitArg::He => Init::He,
        }
    }
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
    /// The baseline with this command line's changes; a momentum above 0
    /// with another optimizer is refused in one line (as in chapter 8).
    pub fn settings(&self) -> Result<Settings, String> {
        let (mut s, h) = (Settings::baseline(), &self.hyper);
        if let Some(method) = self.optimizer {
            s.method = method;
        }
        if h.momentum.is_some_and(|mu| mu > 0.0) && s.method != Method::Momentum
        {
            return Err(format!(
                "--momentum is for --optimizer momentum, not {}",
                s.method.name()
            ));
        }
        if let Some(Widths(hidden)) = &self.hidden {
            s.hidden.clone_from(hidden);
        }
        s.activation = self.activation.map_or(s.activation, Into::into);
        s.init = self.init.map_or(s.init, Into::into);
        s.schedule = self.schedule.unwrap_or(s.schedule);
        s.dropout = self.dropout.unwrap_or(s.dropout);
        s.augment = self.augment.unwrap_or(s.augment);
        s.momentum = h.momentum.unwrap_or(s.momentum);
        s.eta = h.learning_rate.unwrap_or(s.eta);
        s.batch_size = h.batch_size.map_or(s.batch_size, |b| b as usize);
        s.epochs = h.epochs.map_or(s.epochs, |e| e as usize);
        s.weight_decay = h.weight_decay.unwrap_or(s.weight_decay);
        s.seed = h.seed.unwrap_or(s.seed);
        let sizes = [&[784][..], &s.hidden, &[10]].concat();
        ch08_mnist::check_memory(&sizes, s.batch_size)?;
        Ok(s)
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
            let scale = match cli.run.quick {
                true => Scale::QUICK,
                false => Scale::FULL,
            };
            let figures = cli.run.figures_dir("ch09")?;
            let model = cli.run.saves_model().then(|| model_path("ch09"));
            narrated(scale, figures.as_deref(), model.as_deref())
        }
    }
}

fn run_train(args: &TrainArgs) -> Result<(), Error> {
    let settings = args.settings().map_err(Error::Usage)?;
    let mnist = Mnist::load(DataSet::Mnist)?;
    let n = args.train_images.map_or(mnist.x.ncols(), |n| n as usize);
    let data = mnist.first(n);
    shared::say!("Training {}", describe(&settings, data.x.ncols()));
    shared::say!(
        "  {} validation images choose the epoch; {} threads, {}",
        data.x_val.ncols(),
        fastpath::threads(),
        fastpath::instruction_set()
    );
    let mut metrics = args.hyper.metrics_file()?;
    let (net, history) = train(&settings, &data, |r: &Record| {
        if let Some(m) = metrics.as_mut() {
            m.line(&[
                ("epoch", r.epoch as f64),
                ("train_loss", r.train_loss),
                ("train_accuracy", r.train_accuracy),
                ("validation_loss", r.validation_loss),
                ("validation_accuracy", r.validation_accuracy),
                ("seconds", r.seconds),
            ]);
        }
        shared::say!(
            "  epoch {:3}  train loss {:.4}  train {:6.2} %  validation \
             {:6.2} %  {:.1} s",
            r.epoch,
            r.train_loss,
            100.0 * r.train_accuracy,
            100.0 * r.validation_accuracy,
            r.seconds
        );
    });
    let accuracy: Vec<f64> = history
        .iter()
        .map(|r| 100.0 * r.validation_accuracy)
        .collect();
    shared::plot::show("validation accuracy (%) by epoch", &accuracy);
    let best = best_epoch(&history).expect("at least one epoch");
    let seconds = history.last().expect("at least one epoch").seconds;
    shared::say!(
        "Trained in {seconds:.1} s. Best epoch on validation: {} ({:.2} %).",
        best.epoch,
        100.0 * best.validation_accuracy
    );
    shared::say!(
        "Test accuracy of that epoch's network: {:.2} %.",
        data.test(&net)
    );
    let name = args.hyper.save_as.as_deref().unwrap_or("ch09-custom");
    let path: PathBuf = model_path(name);
    ch08_mnist::model::save(&net, crate::Cost::CrossEntropy, &path)?;
    shared::say!(
        "Saved the model to {} (ch08-mnist predict --model reads it)",
        shared::figures::display_path(&path)
    );
    // A metrics file that could not be written is said last: the model
    // is saved first.
    metrics.map_or(Ok(()), |m| m.finish())?;
    Ok(())
}
