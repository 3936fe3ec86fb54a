//! The command line of `cargo run --release -p ch13-transformer`.

use std::io::Write as _;
use std::path::PathBuf;

use ch08_mnist::runs::model_path;
use ch12_sequences::corpus::{BOUNDARY, Corpus};
use ch12_sequences::read_model;
use ch12_sequences::run::Scale;
use clap::Subcommand;
use shared::rng::seeded;
use shared::runner::{ChapterCli, positive, run_name};

use crate::Error;
use crate::model::{
    MAX_BLOCK, MAX_HEADS, MAX_LAYERS, MAX_MERGES, MAX_WIDTH, load,
};
use crate::run::{Setting, narrated, show_bpe, train_one};
use crate::sample::{Drawing, generate};

/// What `--help` says the program does.
pub const ABOUT: &str = "Chapter 13: attention and the Transformer. \
    Without a command, the narrated run: why attention divides by √d, a \
    small GPT on first names against chapter 12's GRU, a GPT on \
    Shakespeare in nanoGPT's CPU setting (each tested once), samples, \
    byte-pair tokens against characters, the key-value cache's speed, the \
    figures and the models. --quick: a small run in seconds.";

/// The command line: the narrated run, `train` or `sample`.
pub type Cli = ChapterCli<Command>;

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Train one GPT with the settings below (each defaults to the
    /// chapter's run for that corpus), keep its best round on
    /// validation, test it once and save it.
    Train(TrainArgs),
    /// Write text with a saved GPT.
    Sample(SampleArgs),
    /// Learn byte-pair merges on a corpus's training text, show them and
    /// the encoding of a text.
    Bpe(BpeArgs),
    /// Write the models the book's write-with-the-model page runs
    /// (book/src/write/NAME.safetensors): the chapter's three, or the one
    /// given.
    ExportWeb(ExportArgs),
    /// The Rust side of the write-with-the-model page's browser test
    /// (JSON on stdout).
    #[command(hide = true)]
    WebReference(ReferenceArgs),
}

/// `export-web`'s settings.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// A model file to export (default: the chapter's names, byte-pair
    /// names and Shakespeare models from data/models).
    #[arg(long, requires = "name")]
    pub model: Option<PathBuf>,
    /// The name the page shows it by (with --model).
    #[arg(long, value_parser = run_name, value_name = "NAME")]
    pub name: Option<String>,
    /// The folder to write into.
    #[arg(long, default_value_os_t = crate::web::page_dir())]
    pub out: PathBuf,
}

/// `web-reference`'s settings.
#[derive(Debug, clap::Args)]
pub struct ReferenceArgs {
    /// The model file the page runs.
    #[arg(long)]
    pub model: PathBuf,
    /// A text whose logits to give (repeatable).
    #[arg(long)]
    pub prompt: Vec<String>,
    /// The seed whose first draws to give.
    #[arg(long, default_value = "1")]
    pub seed: u64,
    /// How many draws.
    #[arg(long, default_value = "0", value_parser = clap::value_parser!(u32).range(0..=1_000_000))]
    pub draws: u32,
}

/// `bpe`'s settings.
#[derive(Debug, clap::Args)]
pub struct BpeArgs {
    /// The text to learn the merges on (its training split).
    #[arg(long, value_enum, default_value = "names")]
    pub corpus: Corpus,
    /// How many merges to learn.
    #[arg(long, default_value = "64", value_parser = clap::value_parser!(u32).range(0..=4096))]
    pub merges: u32,
    /// A text to encode with them (in the corpus's vocabulary).
    #[arg(long, default_value = "")]
    pub text: String,
}

/// `train`'s settings, each checked as it is read.
#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// The text to learn.
    #[arg(long, value_enum, default_value = "names")]
    pub corpus: Corpus,
    /// Transformer blocks.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=MAX_LAYERS as i64))]
    pub layers: Option<u32>,
    /// Attention heads per block (they divide the width).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=MAX_HEADS as i64))]
    pub heads: Option<u32>,
    /// Numbers per token.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=MAX_WIDTH as i64))]
    pub width: Option<u32>,
    /// The longest context the model reads (its block size).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=MAX_BLOCK as i64))]
    pub context: Option<u32>,
    /// Windows per step.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub batch_size: Option<u32>,
    /// Training steps.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub steps: Option<u32>,
    /// AdamW's largest learning rate η (after the warm-up; cosine decay).
    #[arg(long, value_parser = positive, value_name = "η", allow_hyphen_values = true)]
    pub learning_rate: Option<f64>,
    /// Steps of linear warm-up.
    #[arg(long)]
    pub warmup: Option<u32>,
    /// AdamW's weight decay λ (0: plain Adam).
    #[arg(long, value_parser = non_negative, value_name = "λ", allow_hyphen_values = true)]
    pub weight_decay: Option<f64>,
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
    /// How the text is cut into tokens: characters, or byte-pair tokens
    /// (merges learned on the training text).
    #[arg(long, value_enum, default_value = "characters")]
    pub tokenizer: Tokenizer,
    /// How many byte-pair merges to learn (with --tokenizer bpe).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=MAX_MERGES as i64))]
    pub merges: Option<u32>,
    /// Dropout's rate during training, from 0 (none) up to but not
    /// including 1.
    #[arg(long, value_parser = rate, value_name = "P", allow_hyphen_values = true)]
    pub dropout: Option<f64>,
    /// The seed of the first weights and of the windows drawn.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Save the model as data/models/NAME.safetensors (default:
    /// ch13-custom).
    #[arg(long, value_parser = run_name, value_name = "NAME")]
    pub save_as: Option<String>,
    /// Also write each round's numbers to FILE, one JSON object per line,
    /// as the round ends (to plot your own curves).
    #[arg(long, value_name = "FILE")]
    pub metrics: Option<PathBuf>,
}

/// A number at least 0 (and finite).
fn non_negative(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!("'{text}' is not a number at least 0")),
    }
}

/// How `train` cuts text into tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Tokenizer {
    /// One token per character.
    Characters,
    /// Byte-pair encoding (64 merges unless --merges says otherwise).
    Bpe,
}

/// A rate p with 0 ≤ p < 1.
fn rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if (0.0..1.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "'{text}' is not a rate from 0 up to (not including) 1"
        )),
    }
}

/// `sample`'s settings.
#[derive(Debug, clap::Args)]
pub struct SampleArgs {
    /// The model file (default: the chapter's Shakespeare model,
    /// data/models/ch13-shakespeare.safetensors).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Above 0: 1 samples the model as it is, lower is bolder about its
    /// favourites, higher is wilder.
    #[arg(
        long,
        value_parser = positive,
        default_value = "0.8",
        allow_hyphen_values = true
    )]
    pub temperature: f64,
    /// Draw only among the k most likely tokens.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub top_k: Option<u32>,
    /// Text to continue (in the model's vocabulary).
    #[arg(long, default_value = "")]
    pub prompt: String,
    /// The seed of the draws.
    #[arg(long, default_value = "1")]
    pub seed: u64,
    /// How many names (names models) or characters (Shakespeare) to write.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub count: Option<u32>,
    /// Print each character as it is written.
    #[arg(long)]
    pub stream: bool,
}

impl TrainArgs {
    /// The chapter's setting for this corpus, with these changes.
    pub fn setting(&self) -> Result<Setting, Error> {
        let mut s = Setting::chapter(self.corpus, Scale::Full);
        let given =
            |v: Option<u32>, default: usize| v.map_or(default, |v| v as usize);
        s.layers = given(self.layers, s.layers);
        s.heads = given(self.heads, s.heads);
        s.width = given(self.width, s.width);
        s.block = given(self.context, s.block);
        s.recipe.window = s.block + 1;
        s.recipe.batch = given(self.batch_size, s.recipe.batch);
        s.recipe.steps = given(self.steps, s.recipe.steps);
        s.recipe.rounds = s.recipe.rounds.min(s.recipe.steps);
        // The chapter's warm-up: a twentieth of the steps, however many.
        s.recipe.warmup = given(self.warmup, s.recipe.steps / 20);
        if s.recipe.warmup >= s.recipe.steps {
            return Err(Error::Usage(format!(
                "--warmup {} leaves no steps after the warm-up (--steps {})",
                s.recipe.warmup, s.recipe.steps
            )));
        }
        s.recipe.eta = self.learning_rate.unwrap_or(s.recipe.eta);
        s.recipe.weight_decay =
            self.weight_decay.unwrap_or(s.recipe.weight_decay);
        if self.no_clip {
            s.recipe.clip = None;
        } else if let Some(c) = self.clip {
            s.recipe.clip = Some(c);
        }
        s.dropout = self.dropout.unwrap_or(s.dropout);
        s.merges = match (self.tokenizer, self.merges) {
            (Tokenizer::Characters, None) => 0,
            (Tokenizer::Characters, Some(_)) => {
                return Err(Error::Usage(
                    "--merges needs --tokenizer bpe".to_string(),
                ));
            }
            (Tokenizer::Bpe, m) => m.map_or(crate::run::MERGES, |m| m as usize),
        };
        if let Some(seed) = self.seed {
            s.seed = seed;
            s.recipe.seed = seed;
        }
        s.check()?;
        Ok(s)
    }
}

/// Runs the command line.
pub fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Some(Command::Train(args)) => {
            let setting = args.setting()?;
            let name = args.save_as.as_deref().unwrap_or("ch13-custom");
            train_one(&setting, &model_path(name), args.metrics.as_deref())
        }
        Some(Command::Sample(args)) => run_sample(&args),
        Some(Command::Bpe(args)) => {
            show_bpe(args.corpus, args.merges as usize, &args.text)
        }
        Some(Command::ExportWeb(args)) => match (&args.model, &args.name) {
            (Some(model), Some(name)) => {
                crate::web::export(model, name, &args.out)
            }
            _ => crate::web::PAGE_MODELS.iter().try_for_each(|name| {
                crate::web::export(&model_path(name), name, &args.out)
            }),
        },
        Some(Command::WebReference(args)) => {
            let json = crate::web::reference(
                &args.model,
                &args.prompt,
                args.seed,
                args.draws as usize,
            )?;
            shared::say!("{json}");
            Ok(())
        }
        None => {
            let scale = match cli.run.quick {
                true => Scale::Quick,
                false => Scale::Full,
            };
            let figures = cli.run.figures_dir("ch13")?;
            let models = cli.run.saves_model();
            narrated(scale, figures.as_deref(), models)
        }
    }
}

fn run_sample(args: &SampleArgs) -> Result<(), Error> {
    let path = args
        .model
        .clone()
        .unwrap_or_else(|| model_path("ch13-shakespeare"));
    let saved = read_model(&path, "ch13-transformer", load)?;
    let names = saved.corpus == Corpus::Names;
    // The text starts after a boundary (names) or a line break.
    let start = if names { BOUNDARY } else { '\n' };
    // Characters outside the vocabulary are named, counted in the prompt.
    saved
        .encode(&args.prompt)
        .map_err(|e| Error::Usage(format!("--prompt: {e}")))?;
    let begin = match saved.vocab.token(start) {
        Some(_) => format!("{start}{}", args.prompt),
        None => args.prompt.clone(),
    };
    let mut context = saved.encode(&begin).map_err(Error::Usage)?;
    if context.is_empty() {
        context.push(0);
    }
    let how = Drawing {
        temperature: args.temperature,
        top_k: args.top_k.map(|k| k as usize),
    };
    let mut rng = seeded(args.seed);
    let gpt = &saved.gpt;
    // A name ends at its boundary, which is not printed. On characters
    // the boundary is a token, where writing stops; byte-pair tokens may
    // carry it inside, so the text is cut there.
    let stop = match saved.merges.is_empty() && names {
        true => saved.vocab.token(BOUNDARY),
        false => None,
    };
    let cut = |text: &str| match names {
        true => text.split(BOUNDARY).next().unwrap_or("").to_string(),
        false => text.to_string(),
    };
    let count = match names {
        true => 40,
        false => args.count.unwrap_or(400) as usize,
    };
    let runs = match names {
        true => args.count.unwrap_or(10),
        false => 1,
    };
    for _ in 0..runs {
        let mut written = String::new();
        let mut echo = |token: usize| {
            if !args.stream || (names && written.contains(BOUNDARY)) {
                return;
            }
            let before = cut(&written).len();
            written += &saved.spell(&[token]);
            let mut out = std::io::stdout().lock();
            let _ = write!(out, "{}", &cut(&written)[before..]);
            let _ = out.flush();
        };
        if args.stream {
            echo_text(&args.prompt);
        }
        let tail =
            generate(gpt, &context, count, how, stop, &mut rng, &mut echo);
        match args.stream {
            true => echo_text("\n"),
            false => {
                shared::say!("{}{}", args.prompt, cut(&saved.spell(&tail)))
            }
        }
    }
    Ok(())
}

fn echo_text(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = write!(out, "{text}");
    let _ = out.flush();
}
