//! The command line of `cargo run --release -p ch12-sequences`.

use std::path::PathBuf;

use ch08_mnist::runs::model_path;
use clap::Subcommand;
use shared::rng::seeded;
use shared::runner::{ChapterCli, positive, run_name};

use crate::corpus::Corpus;
use crate::model::{Kind, MAX_CONTEXT, MAX_EMBEDDING, MAX_HIDDEN, load};
use crate::run::{Scale, Setting, narrated, train_one};
use crate::sample::sample;
use crate::with_net;
use crate::{Error, read_model};

/// What `--help` says the program does.
pub const ABOUT: &str = "Chapter 12: sequences. Without a command, the \
    narrated run: counting bigrams, the same model learned, an MLP over a \
    context, a recurrent network and a GRU, on first names and on \
    Shakespeare (each choice on validation, tested once), the gradient \
    through time, samples, the figures and the models. --quick: a small \
    run in seconds.";

/// The command line: the narrated run, `train` or `sample`.
pub type Cli = ChapterCli<Command>;

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Train one model with the settings below (each defaults to the
    /// chapter's run for that model and corpus), keep its best round on
    /// validation, test it once and save it.
    Train(TrainArgs),
    /// Write text with a saved model.
    Sample(SampleArgs),
}

/// `train`'s settings, each checked as it is read.
#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// The kind of model.
    #[arg(long, value_enum, default_value = "gru")]
    pub model: Kind,
    /// The text to learn.
    #[arg(long, value_enum, default_value = "names")]
    pub corpus: Corpus,
    /// Characters the MLP reads (its context k).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=MAX_CONTEXT as i64))]
    pub context: Option<u32>,
    /// Numbers per character in the MLP's embedding.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=MAX_EMBEDDING as i64))]
    pub embedding: Option<u32>,
    /// Hidden units (MLP, RNN, GRU).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=MAX_HIDDEN as i64))]
    pub hidden: Option<u32>,
    /// Tokens per training window (how far back BPTT reaches).
    #[arg(long, value_parser = clap::value_parser!(u32).range(2..=1024))]
    pub window: Option<u32>,
    /// Windows per step.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub batch_size: Option<u32>,
    /// Training steps.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub steps: Option<u32>,
    /// Adam's learning rate η at the start (cosine decay).
    #[arg(long, value_parser = positive, value_name = "η", allow_hyphen_values = true)]
    pub learning_rate: Option<f64>,
    /// The largest gradient norm a step may use.
    #[arg(
        long,
        value_parser = positive,
        conflicts_with = "no_clip",
        allow_hyphen_values = true
    )]
    pub clip: Option<f64>,
    /// Do not clip the gradient.
    #[arg(long)]
    pub no_clip: bool,
    /// The seed of the first weights and of the windows drawn.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Save the model as data/models/NAME.safetensors (default:
    /// ch12-custom).
    #[arg(long, value_parser = run_name, value_name = "NAME")]
    pub save_as: Option<String>,
    /// Also write each round's numbers to FILE, one JSON object per line,
    /// as the round ends (to plot your own curves).
    #[arg(long, value_name = "FILE")]
    pub metrics: Option<PathBuf>,
}

/// `sample`'s settings.
#[derive(Debug, clap::Args)]
pub struct SampleArgs {
    /// The model file (default: the chapter's names model,
    /// data/models/ch12-names.safetensors).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Above 0: 1 samples the model as it is, lower is bolder about its
    /// favourites, higher is wilder.
    #[arg(
        long,
        value_parser = positive,
        default_value = "1",
        allow_hyphen_values = true
    )]
    pub temperature: f64,
    /// Text to continue (in the model's vocabulary).
    #[arg(long, default_value = "")]
    pub prompt: String,
    /// The seed of the draws.
    #[arg(long, default_value = "1")]
    pub seed: u64,
    /// How many names (names models) or characters (Shakespeare) to write.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub count: Option<u32>,
}

impl TrainArgs {
    /// The chapter's setting for this model and corpus, with these
    /// changes.
    pub fn setting(&self) -> Result<Setting, Error> {
        let mut s = Setting::chapter(self.model, self.corpus, Scale::Full);
        let wants_context = matches!(self.model, Kind::Mlp);
        if !wants_context
            && (self.context.is_some() || self.embedding.is_some())
        {
            return Err(Error::Usage(format!(
                "--context and --embedding are the MLP's; a {} model has \
                 neither",
                self.model.name()
            )));
        }
        if matches!(self.model, Kind::Bigram | Kind::NeuralBigram)
            && self.hidden.is_some()
        {
            return Err(Error::Usage(format!(
                "--hidden: a {} model has no hidden layer",
                self.model.name()
            )));
        }
        let given =
            |v: Option<u32>, default: usize| v.map_or(default, |v| v as usize);
        s.context = given(self.context, s.context);
        s.embedding = given(self.embedding, s.embedding);
        s.hidden = given(self.hidden, s.hidden);
        s.recipe.window = given(self.window, s.recipe.window);
        s.recipe.batch = given(self.batch_size, s.recipe.batch);
        s.recipe.steps = given(self.steps, s.recipe.steps);
        s.recipe.rounds = s.recipe.rounds.min(s.recipe.steps);
        s.recipe.eta = self.learning_rate.unwrap_or(s.recipe.eta);
        if self.no_clip {
            s.recipe.clip = None;
        } else if let Some(c) = self.clip {
            s.recipe.clip = Some(c);
        }
        if let Some(seed) = self.seed {
            s.seed = seed;
            s.recipe.seed = seed;
        }
        if s.recipe.window <= s.context {
            return Err(Error::Usage(format!(
                "--window {} leaves nothing to predict after a context of {}",
                s.recipe.window, s.context
            )));
        }
        s.check_memory()?;
        Ok(s)
    }
}

/// Runs the command line.
pub fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Some(Command::Train(args)) => {
            let setting = args.setting()?;
            let name = args.save_as.as_deref().unwrap_or("ch12-custom");
            train_one(&setting, &model_path(name), args.metrics.as_deref())
        }
        Some(Command::Sample(args)) => run_sample(&args),
        None => {
            let scale = match cli.run.quick {
                true => Scale::Quick,
                false => Scale::Full,
            };
            let figures = cli.run.figures_dir("ch12")?;
            let models = cli.run.saves_model();
            narrated(scale, figures.as_deref(), models)
        }
    }
}

fn run_sample(args: &SampleArgs) -> Result<(), Error> {
    let path = args
        .model
        .clone()
        .unwrap_or_else(|| model_path("ch12-names"));
    let saved = read_model(&path, "ch12-sequences", load)?;
    let vocab = &saved.vocab;
    let prompt = vocab
        .encode(&args.prompt)
        .map_err(|e| Error::Usage(format!("--prompt: {e}")))?;
    let mut rng = seeded(args.seed);
    let names = saved.corpus == Corpus::Names;
    let start = match names {
        // A name starts after the boundary symbol.
        true => vocab.token(crate::corpus::BOUNDARY),
        false => vocab.token('\n'),
    };
    let mut context: Vec<usize> = start.into_iter().collect();
    context.extend(&prompt);
    if context.is_empty() {
        context.push(0);
    }
    let t = args.temperature;
    if names {
        let end = vocab.token(crate::corpus::BOUNDARY);
        for _ in 0..args.count.unwrap_or(10) {
            let tail = with_net!(&saved.net, |m| sample(
                m, &context, 40, t, end, &mut rng
            ));
            let text = vocab.decode(&tail);
            shared::say!(
                "{}{}",
                args.prompt,
                text.trim_end_matches(crate::corpus::BOUNDARY)
            );
        }
    } else {
        let count = args.count.unwrap_or(400) as usize;
        let tail = with_net!(&saved.net, |m| sample(
            m, &context, count, t, None, &mut rng
        ));
        shared::say!("{}{}", args.prompt, vocab.decode(&tail));
    }
    Ok(())
}
