//! The chapter's runs: one GPT's training (`train`), and the narrated run
//! with its numbers, samples, figures and models.

use std::path::Path;
use std::time::Instant;

use ch12_sequences::corpus::{BOUNDARY, Corpus, Text};
use ch12_sequences::count::{bits, perplexity};
use ch12_sequences::language::{parameter_count, stream_nll_with};
use ch12_sequences::model::Kind;
use ch12_sequences::run::{
    Scale, metrics_file, print_round, rounds_to, train_net,
};
use ch12_sequences::train::{Recipe, Record, train};
use ndarray::Array2;
use shared::rng::{Rng, seeded};

use crate::Error;
use crate::bpe;
use crate::fast::Fast;
use crate::gpt::{Block, Config, Gpt};
use crate::model::{Saved, check_config, parameters_of, save};
use crate::sample::{Drawing, generate};

/// Everything that defines one GPT's training run.
#[derive(Clone, Debug, PartialEq)]
pub struct Setting {
    /// The corpus.
    pub corpus: Corpus,
    /// Transformer blocks.
    pub layers: usize,
    /// Heads per block.
    pub heads: usize,
    /// Numbers per token.
    pub width: usize,
    /// The longest context (block size).
    pub block: usize,
    /// The seed of the first weights.
    pub seed: u64,
    /// How it is trained (windows of block + 1 tokens).
    pub recipe: Recipe,
    /// Dropout's rate during training (0: none), at GPT-2's four places.
    pub dropout: f64,
    /// Byte-pair merges learned on the training text (0: characters).
    pub merges: usize,
}

/// The most memory a run's buffers may take (bytes): chapter 8's limit.
pub const MAX_MEMORY: f64 = ch08_mnist::MAX_MEMORY;

impl Setting {
    /// The chapter's setting for `corpus`: on Shakespeare, nanoGPT's CPU
    /// setting (4 layers, 4 heads, width 128, context 64, batch 12, 2,000
    /// steps, η = 10⁻³, no dropout).
    pub fn chapter(corpus: Corpus, scale: Scale) -> Setting {
        let names = corpus == Corpus::Names;
        let (layers, width, block, batch) = match names {
            true => (2, 64, 16, 32),
            false => (4, 128, 64, 12),
        };
        let (steps, eta) = match names {
            true => (3000, 2e-3),
            false => (2000, 1e-3),
        };
        let steps = match scale {
            Scale::Full => steps,
            Scale::Quick => steps / 30,
        };
        Setting {
            corpus,
            layers,
            heads: 4,
            width,
            block,
            seed: 1,
            recipe: Recipe {
                window: block + 1,
                batch,
                steps,
                rounds: 5,
                eta,
                warmup: steps / 20,
                weight_decay: 0.1,
                clip: Some(1.0),
                seed: 2,
            },
            dropout: 0.0,
            merges: 0,
        }
    }

    /// The model's sizes for a vocabulary of `vocab` tokens.
    pub fn config(&self, vocab: usize) -> Config {
        Config {
            vocab,
            block: self.block,
            layers: self.layers,
            heads: self.heads,
            width: self.width,
        }
    }

    /// Refuses, in one line, sizes that cannot make a GPT and settings
    /// whose buffers would not fit, before anything is allocated.
    pub fn check(&self) -> Result<(), Error> {
        let config = self.config(256);
        check_config(config).map_err(Error::Usage)?;
        let r = &self.recipe;
        let tokens = (self.block * r.batch) as f64;
        let (d, t) = (self.width as f64, self.block as f64);
        // Each block keeps about 20 numbers per token and width, and one
        // T × T matrix per head and window; weights, gradient and Adam's
        // two means four times over.
        let per_layer = tokens * (20.0 * d + self.heads as f64 * t);
        let values = self.layers as f64 * per_layer + tokens * 3.0 * 256.0;
        let bytes = 4.0 * (values + 4.0 * parameters_of(config) as f64);
        match bytes <= MAX_MEMORY {
            true => Ok(()),
            false => Err(Error::Usage(format!(
                "these settings need about {:.1} GB for their buffers, more \
                 than the {:.0} GB this chapter allows: lower --width, \
                 --layers, --context or --batch-size",
                bytes / 1e9,
                MAX_MEMORY / 1e9
            ))),
        }
    }

    /// One line: "4 layers, 4 heads, width 128, context 64, batch 12, …".
    pub fn describe(&self) -> String {
        let r = &self.recipe;
        let clip = match r.clip {
            Some(c) => format!("clipped at {c}"),
            None => "not clipped".to_string(),
        };
        let mut dropout = match self.dropout > 0.0 {
            true => format!(", dropout {}", self.dropout),
            false => String::new(),
        };
        if self.merges > 0 {
            dropout += &format!(", {} byte-pair merges", self.merges);
        }
        format!(
            "a GPT of {} layers, {} heads, width {}, context {}; batch {}, \
             {} steps, AdamW η = {} (warm-up {}, cosine), λ = {}, \
             {clip}{dropout}, seed {}",
            self.layers,
            self.heads,
            self.width,
            self.block,
            r.batch,
            r.steps,
            r.eta,
            r.warmup,
            r.weight_decay,
            self.seed
        )
    }
}

/// A trained GPT and how it went.
pub struct Trained {
    /// The model (the best round's).
    pub gpt: Gpt<f32>,
    /// Every round's numbers.
    pub history: Vec<Record>,
    /// The validation loss of the model kept.
    pub validation: f64,
}

/// Trains the GPT `setting` describes on `text`; `report` sees each round.
pub fn train_gpt(
    setting: &Setting,
    text: &Text,
    report: &mut dyn FnMut(&Record),
) -> Trained {
    let data = (&text.train[..], &text.validation[..]);
    train_gpt_on(setting, text.vocab.len(), data, report)
}

/// Trains the GPT `setting` describes on token streams over a vocabulary
/// of `vocab` tokens.
pub fn train_gpt_on(
    setting: &Setting,
    vocab: usize,
    data: (&[usize], &[usize]),
    report: &mut dyn FnMut(&Record),
) -> Trained {
    let config = setting.config(vocab);
    let gpt = Gpt::<f32>::new(config, &mut seeded(setting.seed));
    // Dropout's masks from their own generator, seeded from the windows'.
    let dropout_seed = setting.recipe.seed.wrapping_add(1);
    let mut engine = Fast::with_dropout(setting.dropout, dropout_seed);
    let (gpt, history) = train(gpt, &setting.recipe, data, &mut engine, report);
    let validation = history
        .iter()
        .map(|r| r.validation_loss)
        .fold(f64::INFINITY, f64::min);
    Trained {
        gpt,
        history,
        validation,
    }
}

/// The token a text starts after: the boundary for names, a line break
/// for Shakespeare.
fn start_token(text: &Text) -> usize {
    let start = match text.corpus {
        Corpus::Names => BOUNDARY,
        Corpus::Shakespeare => '\n',
    };
    text.vocab.token(start).unwrap_or(0)
}

/// `count` names written by `gpt`, as "anna, bob, …".
pub fn write_names(
    gpt: &Gpt<f32>,
    text: &Text,
    how: Drawing,
    seed: u64,
) -> String {
    let mut rng: Rng = seeded(seed);
    let start = start_token(text);
    let written: Vec<String> = (0..8)
        .map(|_| {
            let tail =
                generate(gpt, &[start], 40, how, Some(start), &mut rng, |_| {});
            let name = text.vocab.decode(&tail);
            name.trim_end_matches(BOUNDARY).to_string()
        })
        .collect();
    written.join(", ")
}

/// `train`: one GPT, its rounds, its test loss once, saved.
pub fn train_one(
    setting: &Setting,
    path: &Path,
    metrics: Option<&Path>,
) -> Result<(), Error> {
    let mut metrics = metrics_file(metrics)?;
    let text = setting.corpus.load(&mut |line| shared::say!("{line}"))?;
    shared::say!("Training {} on {}", setting.describe(), text.corpus.title());
    let (gpt, merges) = match setting.merges {
        0 => {
            let trained =
                train_gpt(setting, &text, &mut rounds_to(&mut metrics));
            report_trained(&trained, &text);
            (trained.gpt, Vec::new())
        }
        merges => {
            let bpe =
                train_bpe(setting, &text, merges, &mut rounds_to(&mut metrics));
            report_bpe(&bpe, &text);
            (bpe.trained.gpt, bpe.tokens.rules)
        }
    };
    let saved = Saved {
        corpus: setting.corpus,
        vocab: text.vocab.clone(),
        merges,
        gpt,
    };
    save(&saved, path)?;
    shared::say!(
        "Saved the model to {} (ch13-transformer sample --model reads it)",
        shared::figures::display_path(path)
    );
    // A metrics file that could not be written is said last: the model
    // is saved first.
    Ok(metrics.map_or(Ok(()), |m| m.finish())?)
}

fn report_trained(trained: &Trained, text: &Text) {
    let losses: Vec<f64> =
        trained.history.iter().map(|r| r.validation_loss).collect();
    shared::plot::show("validation loss (nats) by round", &losses);
    let seconds = trained.history.last().map_or(0.0, |r| r.seconds);
    shared::say!(
        "  Trained in {seconds:.1} s ({} parameters). Validation loss of the \
         round kept: {:.4} nats.",
        parameter_count(&trained.gpt),
        trained.validation
    );
    let test = loss_on(&trained.gpt, &text.test);
    shared::say!(
        "  Test loss of that model: {test:.4} nats ({:.3} bits, perplexity \
         {:.2}).",
        bits(test),
        perplexity(test)
    );
}

/// The mean loss of `gpt` over a whole stream (the fast path).
pub fn loss_on(gpt: &Gpt<f32>, stream: &[usize]) -> f64 {
    fastpath::install(|| {
        stream_nll_with(stream, 1, |w| {
            crate::fast::loss_and_gradient(gpt, w, false).0
        })
    })
}

/// A text's streams in byte-pair tokens, with the merges learned on its
/// training stream.
pub struct Tokens {
    /// The merges, in the order learned.
    pub rules: Vec<(usize, usize)>,
    /// The training stream, encoded.
    pub train: Vec<usize>,
    /// The validation stream, encoded.
    pub validation: Vec<usize>,
    /// The test stream, encoded.
    pub test: Vec<usize>,
}

impl Tokens {
    /// Learns `merges` merges on `text`'s training stream (and nothing
    /// else), and encodes all three streams with them.
    pub fn learn(text: &Text, merges: usize) -> Tokens {
        let symbols = text.vocab.len();
        let rules = bpe::learn(&text.train, symbols, merges);
        let encode = |s: &[usize]| bpe::encode(s, symbols, &rules);
        Tokens {
            train: encode(&text.train),
            validation: encode(&text.validation),
            test: encode(&text.test),
            rules,
        }
    }

    /// The tokens' characters, with `·` between tokens.
    pub fn show(&self, text: &Text, tokens: &[usize]) -> String {
        let symbols = text.vocab.len();
        let spell = |t: usize| {
            text.vocab.decode(&bpe::decode(&[t], symbols, &self.rules))
        };
        let parts: Vec<String> = tokens.iter().map(|&t| spell(t)).collect();
        parts.join("·")
    }
}

// ANCHOR: per_character
/// A loss in nats per token as nats per character: the stream's total
/// over its predicted characters (all but the first token's).
pub fn per_character(
    per_token: f64,
    tokens: usize,
    characters: usize,
    first_token_characters: usize,
) -> f64 {
    per_token * (tokens - 1) as f64
        / (characters - first_token_characters) as f64
}
// ANCHOR_END: per_character

// ANCHOR: scale
/// The variance of q·k over `samples` pairs of random vectors of d
/// numbers each N(0, 1): about d, so scores grow with the width and the
/// softmax saturates, unless divided by √d.
pub fn dot_variance(d: usize, samples: usize, rng: &mut Rng) -> f64 {
    let dots: Vec<f64> = (0..samples)
        .map(|_| {
            let q = shared::rng::normal_array(rng, d, 1.0);
            let k = shared::rng::normal_array(rng, d, 1.0);
            q.dot(&k)
        })
        .collect();
    let mean = dots.iter().sum::<f64>() / samples as f64;
    dots.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / samples as f64
}
// ANCHOR_END: scale

/// Tokens per second writing `count` tokens after the start token: with
/// the key-value cache, and with a full forward pass for every token.
pub fn generation_speed(
    gpt: &Gpt<f32>,
    start: usize,
    count: usize,
) -> (f64, f64) {
    let how = Drawing {
        temperature: 1.0,
        top_k: None,
    };
    let begin = Instant::now();
    generate(gpt, &[start], count, how, None, &mut seeded(1), |_| {});
    let cached = count as f64 / begin.elapsed().as_secs_f64();
    let begin = Instant::now();
    let mut rng = seeded(1);
    ch12_sequences::sample::sample(gpt, &[start], count, 1.0, None, &mut rng);
    let full = count as f64 / begin.elapsed().as_secs_f64();
    (cached, full)
}

/// `bpe`: learns merges on a corpus's training text and shows them.
pub fn show_bpe(
    corpus: Corpus,
    merges: usize,
    sample: &str,
) -> Result<(), Error> {
    let text = corpus.load(&mut |line| shared::say!("{line}"))?;
    let encoded = text
        .vocab
        .encode(sample)
        .map_err(|e| Error::Usage(format!("--text: {e}")))?;
    let tokens = Tokens::learn(&text, merges);
    let symbols = text.vocab.len();
    shared::say!(
        "{} merges learned on the training text of {} ({} symbols, so {} \
         tokens):",
        tokens.rules.len(),
        corpus.title(),
        symbols,
        symbols + tokens.rules.len()
    );
    for (i, pair) in tokens.rules.iter().enumerate().take(40) {
        shared::say!(
            "  {:>5}: \"{}\" + \"{}\"",
            symbols + i,
            tokens.show(&text, &[pair.0]),
            tokens.show(&text, &[pair.1])
        );
    }
    for (name, chars, coded) in [
        ("training", &text.train, &tokens.train),
        ("validation", &text.validation, &tokens.validation),
    ] {
        shared::say!(
            "The {name} text: {} characters, {} tokens ({:.2} characters \
             per token).",
            chars.len(),
            coded.len(),
            chars.len() as f64 / coded.len() as f64
        );
    }
    if !encoded.is_empty() {
        let coded = bpe::encode(&encoded, symbols, &tokens.rules);
        shared::say!("{sample:?} → {}", tokens.show(&text, &coded));
        shared::say!("  as numbers: {coded:?}");
    }
    Ok(())
}

/// The number of merges byte-pair encoding learns on the names.
pub const MERGES: usize = 64;

/// Section 3: the names in byte-pair tokens, and the same GPT trained on
/// them, compared per character.
fn tokens_section(names: &Text, setting: &Setting) -> TrainedBpe {
    shared::say!("");
    shared::say!(
        "3. Tokens: byte-pair encoding, {MERGES} merges learned on the \
         training names."
    );
    let tokens = Tokens::learn(names, MERGES);
    let symbols = names.vocab.len();
    let first: Vec<String> = (0..10)
        .map(|i| format!("\"{}\"", tokens.show(names, &[symbols + i])))
        .collect();
    shared::say!("  The first ten: {}", first.join(" "));
    let v = &names.validation;
    shared::say!(
        "  The validation names: {} characters, {} tokens ({:.2} \
         characters per token).",
        v.len(),
        tokens.validation.len(),
        v.len() as f64 / tokens.validation.len() as f64
    );
    let some = &tokens.validation[..tokens.validation.len().min(24)];
    shared::say!("  They begin: {}", tokens.show(names, some));
    shared::say!("  The same GPT on {} tokens:", symbols + tokens.rules.len());
    let bpe = train_bpe_on(setting, names, tokens, &mut print_round);
    report_bpe(&bpe, names);
    bpe
}

/// A GPT trained on byte-pair tokens, and its losses in nats per
/// character.
pub struct TrainedBpe {
    /// The merges and the streams they encode.
    pub tokens: Tokens,
    /// The model and its rounds (losses per token).
    pub trained: Trained,
    /// The validation loss of the model kept, per character.
    pub validation: f64,
    /// Its test loss, per character.
    pub test: f64,
}

/// Learns `merges` merges on `text`'s training stream and trains the GPT
/// `setting` describes on the tokens.
pub fn train_bpe(
    setting: &Setting,
    text: &Text,
    merges: usize,
    report: &mut dyn FnMut(&Record),
) -> TrainedBpe {
    train_bpe_on(setting, text, Tokens::learn(text, merges), report)
}

fn train_bpe_on(
    setting: &Setting,
    text: &Text,
    tokens: Tokens,
    report: &mut dyn FnMut(&Record),
) -> TrainedBpe {
    let symbols = text.vocab.len();
    let vocab = symbols + tokens.rules.len();
    let data = (&tokens.train[..], &tokens.validation[..]);
    let trained = train_gpt_on(setting, vocab, data, report);
    let first_of = |stream: &[usize]| {
        bpe::decode(&stream[..1], symbols, &tokens.rules).len()
    };
    let on = |stream: &[usize], chars: &[usize], per_token: f64| {
        per_character(per_token, stream.len(), chars.len(), first_of(stream))
    };
    let validation =
        on(&tokens.validation, &text.validation, trained.validation);
    let test_per_token = loss_on(&trained.gpt, &tokens.test);
    let test = on(&tokens.test, &text.test, test_per_token);
    TrainedBpe {
        tokens,
        trained,
        validation,
        test,
    }
}

fn report_bpe(bpe: &TrainedBpe, text: &Text) {
    let seconds = bpe.trained.history.last().map_or(0.0, |r| r.seconds);
    shared::say!(
        "  Trained in {seconds:.1} s ({} parameters, {} tokens: {} \
         characters and {} merges).",
        parameter_count(&bpe.trained.gpt),
        text.vocab.len() + bpe.tokens.rules.len(),
        text.vocab.len(),
        bpe.tokens.rules.len()
    );
    shared::say!(
        "  Validation loss: {:.4} nats per token, {:.4} per character.",
        bpe.trained.validation,
        bpe.validation
    );
    shared::say!(
        "  Test loss of that model: {:.4} nats per character.",
        bpe.test
    );
}

// ANCHOR: highway
/// How a gradient travels down a stack of blocks: from δ of norm 1
/// (drawn from `rng`) arriving at the top, at the input of every block,
/// top to bottom, ‖∂C/∂x⁽ˡ⁾‖ and its cosine with δ (1: the same
/// direction, 0: none of it left). With the residual connections, or
/// with both of each block's identity paths taken out (x₁ = attend(x),
/// x₂ = mlp(x₁)), as a plain deep network stacks its layers.
pub fn gradient_by_depth(
    blocks: &[Block<f64>],
    x: Array2<f64>,
    (heads, t): (usize, usize),
    residual: bool,
    rng: &mut Rng,
) -> Vec<(f64, f64)> {
    let mut caches = Vec::new();
    let mut h = x;
    for block in blocks {
        let (r1, attend) = block.attend(h.view(), heads, t);
        let x1 = if residual { h + r1 } else { r1 };
        let (r2, mlp) = block.mlp(x1.view());
        h = if residual { x1 + r2 } else { r2 };
        caches.push((attend, mlp));
    }
    let top = shared::rng::normal_array(rng, h.dim(), 1.0);
    let top = &top / size(&top);
    let mut delta = top.clone();
    let mut seen = vec![(1.0, 1.0)];
    let mut g = blocks[0].zeros_like(); // the parameters' share, unused
    for (block, (attend, mlp)) in blocks.iter().zip(&caches).rev() {
        let back = block.mlp_backward(mlp, delta.view(), &mut g);
        let dx1 = if residual { delta + back } else { back };
        let back =
            block.attend_backward(attend, dx1.view(), (heads, t), &mut g);
        delta = if residual { dx1 + back } else { back };
        let norm = size(&delta);
        seen.push((norm, (&delta * &top).sum() / norm));
    }
    seen
}
// ANCHOR_END: highway

/// The Frobenius norm ‖m‖.
fn size(m: &Array2<f64>) -> f64 {
    m.iter().map(|v| v * v).sum::<f64>().sqrt()
}

/// Each column's (mean, standard deviation): a token's d numbers.
fn column_spread(m: &Array2<f64>) -> Vec<(f64, f64)> {
    m.columns()
        .into_iter()
        .map(|c| {
            let mean = c.mean().unwrap_or(0.0);
            let var = c.iter().map(|v| (v - mean).powi(2)).sum::<f64>()
                / c.len() as f64;
            (mean, var.sqrt())
        })
        .collect()
}

/// The smallest and largest of some numbers.
fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    })
}

/// Curves by name: the gradient's cosine with the top's, block by block.
type Curves = Vec<(String, Vec<f64>)>;

/// Section 5: the residual stream — the gradient's highway through a
/// deep stack, and what LayerNorm does to the tokens' spread. Returns
/// the figures' numbers: the two gradient curves, and each token's
/// (mean, spread) before and after the last block's first LayerNorm.
fn stream_section(
    gpt: &Gpt<f32>,
    text: &Text,
    quick: bool,
) -> (Curves, [Vec<(f64, f64)>; 2]) {
    shared::say!("");
    let layers = if quick { 6 } else { 24 };
    shared::say!(
        "5. The residual stream. A gradient of norm 1 at the top of a stack \
         of {layers} blocks (width 64, first weights), on its way down:"
    );
    let config = Config {
        vocab: text.vocab.len(),
        block: 64,
        layers,
        heads: 4,
        width: 64,
    };
    let deep = Gpt::<f64>::new(config, &mut seeded(15));
    let mut rng = seeded(16);
    let windows = ch12_sequences::language::draw_windows(
        &text.validation,
        64,
        8,
        &mut rng,
    );
    let x = deep.embed(windows.view());
    let mut curves = Vec::new();
    for (name, residual) in [("with", true), ("without", false)] {
        let norms = gradient_by_depth(
            &deep.blocks,
            x.clone(),
            (4, 64),
            residual,
            &mut seeded(17),
        );
        shared::say!("  {name} residual connections:");
        let mut depths = vec![1, layers / 4, layers / 2, layers];
        depths.dedup();
        for l in depths {
            let (norm, cosine) = norms[l];
            shared::say!(
                "    {l:2} down: ‖∂C/∂x‖ = {norm:.3}, cosine with the top's \
                 {cosine:6.3}"
            );
        }
        let cosines = norms.iter().map(|p| p.1).collect();
        curves.push((format!("{name} residual connections"), cosines));
    }

    let last = gpt.config().layers - 1;
    let windows = ch12_sequences::language::draw_windows(
        &text.validation,
        gpt.config().block,
        4,
        &mut rng,
    );
    let mut h = gpt.embed(windows.view());
    for block in &gpt.blocks[..last] {
        h = block.forward(h, gpt.heads, gpt.config().block).0;
    }
    let (a, _) = crate::ops::layer_norm(
        &gpt.blocks[last].ln1_gain,
        &gpt.blocks[last].ln1_bias,
        h.view(),
    );
    let before = column_spread(&h.mapv(f64::from));
    let after = column_spread(&a.mapv(f64::from));
    shared::say!(
        "  LayerNorm in block {} of the Shakespeare model, {} tokens:",
        last + 1,
        before.len()
    );
    for (name, spread) in [("entering", &before), ("after LN₁", &after)] {
        let (m0, m1) = range(spread.iter().map(|p| p.0));
        let (s0, s1) = range(spread.iter().map(|p| p.1));
        shared::say!(
            "    {name:9}  token means {m0:6.2} to {m1:5.2}, spreads \
             {s0:5.2} to {s1:5.2}"
        );
    }
    (curves, [before, after])
}

/// A line of the validation text for the attention figure: `len`
/// characters from the first line break after its start.
fn attention_line(text: &Text, len: usize) -> Vec<usize> {
    let newline = text.vocab.token('\n');
    let v = &text.validation;
    let start = v.iter().position(|&t| Some(t) == newline).unwrap_or(0) + 1;
    v[start.min(v.len() - len)..][..len].to_vec()
}

/// The narrated run.
pub fn narrated(
    scale: Scale,
    figures: Option<&Path>,
    save_models: bool,
) -> Result<(), Error> {
    let quick = scale == Scale::Quick;
    let mut log = |line: &str| shared::say!("{line}");
    shared::say!("Chapter 13: attention and the Transformer.");
    shared::say!("");
    let names = Corpus::Names.load(&mut log)?;
    let mut shakespeare = Corpus::Shakespeare.load(&mut log)?;
    if quick {
        shakespeare.train.truncate(300_000);
        shakespeare.validation.truncate(10_000);
        shakespeare.test.truncate(10_000);
    }

    shared::say!("1. Why divide the scores by √d. Var(q·k) for random q, k:");
    let mut rng = seeded(13);
    for d in [4, 16, 64, 256] {
        let v = dot_variance(d, 20_000, &mut rng);
        shared::say!(
            "  d = {d:<4} Var(q·k) = {v:7.1}   Var(q·k/√d) = {:.2}",
            v / d as f64
        );
    }

    shared::say!("");
    shared::say!("2. Names: chapter 12's GRU, then a GPT.");
    let gru_setting =
        ch12_sequences::run::Setting::chapter(Kind::Gru, Corpus::Names, scale);
    shared::say!("  The GRU ({}):", gru_setting.describe());
    let gru = train_net(&gru_setting, &names, &mut print_round);
    let gru_test = ch12_sequences::run::loss_on(&gru.net, &names.test);
    shared::say!(
        "  GRU validation loss: {:.4} nats; test loss of that model: \
         {gru_test:.4}.",
        gru.validation
    );
    let setting = Setting::chapter(Corpus::Names, scale);
    shared::say!("  The GPT: {}", setting.describe());
    let gpt_names = train_gpt(&setting, &names, &mut print_round);
    report_trained(&gpt_names, &names);
    shared::say!(
        "  GPT against GRU on validation: {:.4} against {:.4} nats.",
        gpt_names.validation,
        gru.validation
    );
    for (temperature, top_k) in [(1.0, None), (0.8, Some(5))] {
        let how = Drawing { temperature, top_k };
        let k = top_k.map_or("all".to_string(), |k| k.to_string());
        shared::say!(
            "  Names it writes (τ = {temperature}, top-k {k}): {}",
            write_names(&gpt_names.gpt, &names, how, 1)
        );
    }

    let names_bpe =
        tokens_section(&names, &Setting::chapter(Corpus::Names, scale));

    shared::say!("");
    let setting = Setting::chapter(Corpus::Shakespeare, scale);
    shared::say!("4. Shakespeare: {}", setting.describe());
    let gpt_shakespeare = train_gpt(&setting, &shakespeare, &mut print_round);
    report_trained(&gpt_shakespeare, &shakespeare);
    let start = start_token(&shakespeare);
    let how = Drawing {
        temperature: 0.8,
        top_k: None,
    };
    let count = if quick { 100 } else { 500 };
    let mut rng = seeded(1);
    let tail = generate(
        &gpt_shakespeare.gpt,
        &[start],
        count,
        how,
        None,
        &mut rng,
        |_| {},
    );
    shared::say!("  What it writes (τ = 0.8, seed 1):");
    for line in shakespeare.vocab.decode(&tail).lines() {
        shared::say!("    | {line}");
    }
    let (cached, full) = generation_speed(&gpt_shakespeare.gpt, start, count);
    shared::say!(
        "  Writing {count} characters: {cached:.0} per second with the \
         key-value cache, {full:.0} per second with a full pass per \
         character ({:.1}×).",
        cached / full
    );

    let (highway, spread) =
        stream_section(&gpt_shakespeare.gpt, &shakespeare, quick);

    if let Some(dir) = figures {
        let mut drawn = crate::figures::Drawn {
            highway,
            spread: Some(spread),
            ..Default::default()
        };
        let gpt = &gpt_shakespeare.gpt;
        let line = attention_line(&shakespeare, gpt.config().block.min(32));
        let x = ndarray::Array2::from_shape_vec((line.len(), 1), line.clone())
            .expect("a column");
        let (_, cache) = gpt.forward(x.view());
        let last = gpt.config().layers - 1;
        let heads = crate::gpt::attention_weights(&cache, last)
            .iter()
            .map(|p| p.mapv(f64::from))
            .collect();
        let chars = line.iter().map(|&t| shakespeare.vocab.symbol(t)).collect();
        drawn.attention = Some((last, heads, chars));
        drawn.positions = Some(gpt.wpe.mapv(f64::from));
        drawn.histories = vec![
            (
                "Names".to_string(),
                vec![
                    ("GRU (chapter 12)".to_string(), gru.history.clone()),
                    ("GPT".to_string(), gpt_names.history.clone()),
                ],
            ),
            (
                "Shakespeare".to_string(),
                vec![("GPT".to_string(), gpt_shakespeare.history.clone())],
            ),
        ];
        for path in crate::figures::write_all(dir, &drawn)? {
            shared::say!("Wrote {}", shared::figures::display_path(&path));
        }
    }
    if save_models {
        for (name, gpt, text, merges) in [
            ("ch13-names", &gpt_names.gpt, &names, &[][..]),
            (
                "ch13-names-bpe",
                &names_bpe.trained.gpt,
                &names,
                &names_bpe.tokens.rules[..],
            ),
            (
                "ch13-shakespeare",
                &gpt_shakespeare.gpt,
                &shakespeare,
                &[][..],
            ),
        ] {
            let path = ch08_mnist::runs::model_path(name);
            let saved = Saved {
                corpus: text.corpus,
                vocab: text.vocab.clone(),
                merges: merges.to_vec(),
                gpt: gpt.clone(),
            };
            save(&saved, &path)?;
            shared::say!("Saved {}", shared::figures::display_path(&path));
        }
    }
    Ok(())
}
