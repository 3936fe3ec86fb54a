//! The narrated run and `train`: the chapter's settings for each model and
//! corpus, training any of them, and the run the page pastes.

use std::path::Path;

use ndarray::{Array2, Axis};
use shared::rng::seeded;

use crate::Error;
use crate::bigram::NeuralBigram;
use crate::corpus::{BOUNDARY, Corpus, Text, Vocab};
use crate::count::{
    bigram_nll, bigram_probabilities, bits, count_bigrams, perplexity,
};
use crate::fast::{Fast, GruWorkspace, RnnWorkspace};
use crate::gru::Gru;
use crate::language::{parameter_count, stream_nll};
use crate::mlp::Mlp;
use crate::model::{Kind, Net, Saved, save};
use crate::rnn::Rnn;
use crate::sample::sample;
use crate::train::{Lesson, Recipe, Record, train};
use crate::with_net;

/// How big a run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// The chapter's run (a few minutes).
    Full,
    /// Everything small, for CI (seconds).
    Quick,
}

/// Everything that defines one model's training run.
#[derive(Clone, Debug, PartialEq)]
pub struct Setting {
    /// The kind of model.
    pub kind: Kind,
    /// The corpus.
    pub corpus: Corpus,
    /// The MLP's context k (1 for the others).
    pub context: usize,
    /// The MLP's embedding size d.
    pub embedding: usize,
    /// Hidden units.
    pub hidden: usize,
    /// The seed of the first weights.
    pub seed: u64,
    /// How it is trained.
    pub recipe: Recipe,
}

/// The bigram's smoothing α, chosen on validation among these.
pub const ALPHAS: [f64; 4] = [0.01, 0.1, 0.3, 1.0];

/// The most memory a run's buffers may take (bytes): chapter 8's limit.
pub const MAX_MEMORY: f64 = ch08_mnist::MAX_MEMORY;

impl Setting {
    /// The chapter's setting for `kind` on `corpus`.
    pub fn chapter(kind: Kind, corpus: Corpus, scale: Scale) -> Setting {
        let names = corpus == Corpus::Names;
        let (window, steps, eta) = match (kind, names) {
            (Kind::Bigram | Kind::NeuralBigram, true) => (17, 2000, 0.1),
            (Kind::Bigram | Kind::NeuralBigram, false) => (65, 1000, 0.1),
            (Kind::Mlp, true) => (19, 4000, 0.01),
            (Kind::Mlp, false) => (40, 3000, 0.01),
            (_, true) => (17, 3000, 0.01),
            (_, false) => (65, 2000, 0.01),
        };
        let steps = match scale {
            Scale::Full => steps,
            Scale::Quick => steps / 10,
        };
        Setting {
            kind,
            corpus,
            context: if kind == Kind::Mlp {
                if names { 3 } else { 8 }
            } else {
                1
            },
            embedding: if names { 10 } else { 16 },
            hidden: if names { 64 } else { 128 },
            seed: 1,
            recipe: Recipe {
                window,
                batch: 32,
                steps,
                rounds: 5,
                eta,
                warmup: 0,
                weight_decay: 0.0,
                clip: Some(1.0),
                seed: 2,
            },
        }
    }

    /// Refuses settings whose buffers would not fit, in one line with the
    /// number, before anything is allocated.
    pub fn check_memory(&self) -> Result<(), Error> {
        let samples = (self.recipe.window * self.recipe.batch) as f64;
        let (h, v) = (self.hidden as f64, 256.0);
        let per_sample = match self.kind {
            Kind::Bigram | Kind::NeuralBigram => 3.0 * v,
            Kind::Mlp => {
                4.0 * h + 3.0 * v + (self.context * self.embedding) as f64 * 2.0
            }
            Kind::Rnn => 6.0 * h + 3.0 * v,
            Kind::Gru => 14.0 * h + 3.0 * v,
        };
        let weights = match self.kind {
            Kind::Mlp => h * (self.context * self.embedding) as f64 + h * v,
            _ => 3.0 * h * h + 3.0 * h * v,
        };
        let bytes = 8.0 * (samples * per_sample + 6.0 * weights);
        match bytes <= MAX_MEMORY {
            true => Ok(()),
            false => Err(Error::Usage(format!(
                "these settings need about {:.1} GB for their buffers, more \
                 than the {:.0} GB this chapter allows: lower --hidden, \
                 --window or --batch-size",
                bytes / 1e9,
                MAX_MEMORY / 1e9
            ))),
        }
    }

    /// One line: "GRU, H = 128, windows of 65, batch 32, 2000 steps, …".
    pub fn describe(&self) -> String {
        let r = &self.recipe;
        let shape = match self.kind {
            Kind::Bigram => "smoothing α chosen on validation".to_string(),
            Kind::NeuralBigram => "a V × V table".to_string(),
            Kind::Mlp => format!(
                "k = {}, d = {}, H = {}",
                self.context, self.embedding, self.hidden
            ),
            Kind::Rnn | Kind::Gru => format!("H = {}", self.hidden),
        };
        if self.kind == Kind::Bigram {
            return format!("{}: {shape}", self.kind.title());
        }
        let clip = r
            .clip
            .map_or("no clipping".to_string(), |c| format!("clip {c}"));
        format!(
            "{}: {shape}; windows of {}, batch {}, {} steps, Adam η = {} \
             (cosine), {clip}, seed {}",
            self.kind.title(),
            r.window,
            r.batch,
            r.steps,
            r.eta,
            self.seed
        )
    }
}

/// A trained model and how it went.
pub struct Trained {
    /// The model (the best round's).
    pub net: Net,
    /// Every round's numbers (none for counting).
    pub history: Vec<Record>,
    /// The validation loss of the model kept.
    pub validation: f64,
    /// Seconds of training.
    pub seconds: f64,
}

fn best(history: &[Record]) -> f64 {
    history
        .iter()
        .map(|r| r.validation_loss)
        .fold(f64::INFINITY, f64::min)
}

/// The counted bigram: α chosen on validation, saved as the table ln P.
pub fn counted(
    text: &Text,
    report: &mut dyn FnMut(f64, f64),
) -> (NeuralBigram<f32>, f64, f64) {
    let v = text.vocab.len();
    let counts = count_bigrams(&text.train, v);
    let (mut chosen, mut best_loss) = (ALPHAS[0], f64::INFINITY);
    for alpha in ALPHAS {
        let p = bigram_probabilities(counts.view(), alpha);
        let loss = bigram_nll(p.view(), &text.validation);
        report(alpha, loss);
        if loss < best_loss {
            (chosen, best_loss) = (alpha, loss);
        }
    }
    let p = bigram_probabilities(counts.view(), chosen);
    let w = p.mapv(|p| p.ln() as f32);
    (NeuralBigram { w }, chosen, best_loss)
}

/// Trains the model `setting` describes on `text`; `report` sees each
/// round.
pub fn train_net(
    setting: &Setting,
    text: &Text,
    report: &mut dyn FnMut(&Record),
) -> Trained {
    let v = text.vocab.len();
    let mut rng = seeded(setting.seed);
    let data = (&text.train[..], &text.validation[..]);
    let r = &setting.recipe;
    let start = std::time::Instant::now();
    let (net, history) = match setting.kind {
        Kind::Bigram => {
            let (net, _, _) = counted(text, &mut |_, _| {});
            (Net::Bigram(net), Vec::new())
        }
        Kind::NeuralBigram => {
            let (m, h) = train(
                NeuralBigram::<f32>::new(v),
                r,
                data,
                &mut Lesson::default(),
                report,
            );
            (Net::Bigram(m), h)
        }
        Kind::Mlp => {
            let model = Mlp::<f32>::new(
                v,
                setting.context,
                setting.embedding,
                setting.hidden,
                &mut rng,
            );
            let (m, h) = train(model, r, data, &mut Lesson::default(), report);
            (Net::Mlp(m), h)
        }
        Kind::Rnn => {
            let model = Rnn::<f32>::new(v, setting.hidden, &mut rng);
            let mut fast = Fast::<RnnWorkspace<f32>>::default();
            let (m, h) = train(model, r, data, &mut fast, report);
            (Net::Rnn(m), h)
        }
        Kind::Gru => {
            let model = Gru::<f32>::new(v, setting.hidden, &mut rng);
            let mut fast = Fast::<GruWorkspace<f32>>::default();
            let (m, h) = train(model, r, data, &mut fast, report);
            (Net::Gru(m), h)
        }
    };
    let seconds = match history.last() {
        Some(last) => last.seconds,
        None => start.elapsed().as_secs_f64(),
    };
    let validation = match history.is_empty() {
        true => with_net!(&net, |m| stream_nll(m, &text.validation)),
        false => best(&history),
    };
    Trained {
        net,
        history,
        validation,
        seconds,
    }
}

/// The loss of a model on a stream (the fast path for the recurrent ones).
pub fn loss_on(net: &Net, stream: &[usize]) -> f64 {
    use crate::train::Engine;
    match net {
        Net::Rnn(m) => {
            Fast::<RnnWorkspace<f32>>::default().stream_nll(m, stream)
        }
        Net::Gru(m) => {
            Fast::<GruWorkspace<f32>>::default().stream_nll(m, stream)
        }
        other => with_net!(other, |m| stream_nll(m, stream)),
    }
}

/// Prints a round of training.
pub fn print_round(r: &Record) {
    shared::say!("    {r}");
}

/// Prints each round and, given a `--metrics` file, writes it there as
/// one JSON line.
pub fn rounds_to(
    metrics: &mut Option<shared::metrics::Metrics>,
) -> impl FnMut(&Record) + '_ {
    move |r| {
        print_round(r);
        if let Some(m) = metrics.as_mut() {
            m.line(&[
                ("step", r.steps as f64),
                ("train_loss", r.train_loss),
                ("validation_loss", r.validation_loss),
                ("largest_norm", r.largest_norm),
                ("seconds", r.seconds),
            ]);
        }
    }
}

/// The `--metrics` file, created, if one was asked for.
pub fn metrics_file(
    path: Option<&Path>,
) -> Result<Option<shared::metrics::Metrics>, Error> {
    Ok(path.map(shared::metrics::Metrics::create).transpose()?)
}

/// `train`: one model, its rounds, its test loss once, saved; each round
/// also written to `metrics` if given.
pub fn train_one(
    setting: &Setting,
    path: &Path,
    metrics: Option<&Path>,
) -> Result<(), Error> {
    let mut metrics = metrics_file(metrics)?;
    let text = setting.corpus.load(&mut |line| shared::say!("{line}"))?;
    shared::say!(
        "Training {} on {}",
        setting.describe(),
        setting.corpus.title()
    );
    let trained = train_net(setting, &text, &mut rounds_to(&mut metrics));
    let params = with_net!(&trained.net, |m| parameter_count(m));
    shared::say!(
        "Trained in {:.1} s ({params} parameters). Validation loss of the \
         round kept: {:.4} nats.",
        trained.seconds,
        trained.validation
    );
    if let Some(last) = trained.history.last() {
        shared::say!(
            "Validation loss after the last step: {:.4} nats.",
            last.validation_loss
        );
    }
    let test = loss_on(&trained.net, &text.test);
    shared::say!(
        "Test loss of that model: {test:.4} nats ({:.3} bits, perplexity {:.2}).",
        bits(test),
        perplexity(test)
    );
    let saved = Saved {
        kind: setting.kind,
        corpus: setting.corpus,
        vocab: text.vocab.clone(),
        net: trained.net,
    };
    save(&saved, path)?;
    shared::say!(
        "Saved the model to {} (ch12-sequences sample --model reads it)",
        shared::figures::display_path(path)
    );
    // A metrics file that could not be written is said last: the model
    // is saved first.
    Ok(metrics.map_or(Ok(()), |m| m.finish())?)
}

/// ‖∂C/∂hₜ‖ for C the loss of the last prediction of each window, at
/// each distance d = L − 1 − t back from it (mean over the windows).
pub fn gradient_through_time(
    net: &Net,
    windows: ndarray::ArrayView2<usize>,
) -> Vec<f64> {
    use crate::lookup::next_token_loss;
    let x = windows.slice(ndarray::s![..-1, ..]);
    let last = windows.row(windows.nrows() - 1).to_vec();
    let dz_for = |z: &[Array2<f32>]| {
        let mut dz: Vec<Array2<f32>> =
            z.iter().map(|z| Array2::zeros(z.raw_dim())).collect();
        let (_, d) = next_token_loss(z[z.len() - 1].view(), &last);
        *dz.last_mut().expect("a step") = d;
        dz
    };
    let dh = match net {
        Net::Rnn(m) => {
            let (h, z) = m.forward(x);
            m.backward(x, &h, &dz_for(&z)).1
        }
        Net::Gru(m) => {
            let (steps, z) = m.forward(x);
            m.backward(x, &steps, &dz_for(&z)).1
        }
        _ => return Vec::new(),
    };
    dh.iter()
        .rev()
        .map(|d| {
            let norms = d.map_axis(Axis(0), |c| {
                c.mapv(|v| f64::from(v).powi(2)).sum().sqrt()
            });
            norms.mean().unwrap_or(0.0)
        })
        .collect()
}

/// The fraction of an MLP's hidden units past |a| > 0.97 (saturated:
/// tanh′ < 0.06) on a batch, with its weights as they are.
pub fn saturation(
    model: &Mlp<f32>,
    windows: ndarray::ArrayView2<usize>,
) -> f64 {
    let (contexts, _) = model.examples(windows);
    let a = model.forward(contexts.view()).a;
    a.iter().filter(|a| a.abs() > 0.97).count() as f64 / a.len() as f64
}

/// What the narrated run keeps for the table, the figures and the page.
pub struct Row {
    /// The model's setting.
    pub setting: Setting,
    /// Its training.
    pub trained: Trained,
    /// Its parameters.
    pub parameters: usize,
}

fn log(line: &str) {
    shared::say!("  {line}");
}

fn run_setting(setting: &Setting, text: &Text) -> Row {
    shared::say!("  {}", setting.describe());
    let trained = train_net(setting, text, &mut print_round);
    let parameters = with_net!(&trained.net, |m| parameter_count(m));
    shared::say!(
        "    → {} parameters, {:.1} s, validation loss {:.4} nats",
        parameters,
        trained.seconds,
        trained.validation
    );
    Row {
        setting: setting.clone(),
        trained,
        parameters,
    }
}

/// The candidate settings with the lowest validation loss.
fn choose(rows: Vec<Row>) -> Row {
    let mut rows = rows;
    rows.sort_by(|a, b| a.trained.validation.total_cmp(&b.trained.validation));
    rows.swap_remove(0)
}

fn samples(
    row: &Row,
    vocab: &Vocab,
    names: bool,
    temperature: f64,
    seed: u64,
) -> String {
    let mut rng = seeded(seed);
    let net = &row.trained.net;
    match names {
        true => {
            let dot = vocab.token(BOUNDARY);
            let written: Vec<String> = (0..8)
                .map(|_| {
                    let start = [dot.unwrap_or(0)];
                    let tail = with_net!(net, |m| sample(
                        m,
                        &start,
                        30,
                        temperature,
                        dot,
                        &mut rng
                    ));
                    vocab.decode(&tail).trim_end_matches(BOUNDARY).to_string()
                })
                .collect();
            written.join(", ")
        }
        false => {
            let start = vocab.encode("\n").unwrap_or_default();
            let tail = with_net!(net, |m| sample(
                m,
                &start,
                240,
                temperature,
                None,
                &mut rng
            ));
            vocab.decode(&tail)
        }
    }
}

/// The narrated run.
pub fn narrated(
    scale: Scale,
    figures: Option<&Path>,
    save_models: bool,
) -> Result<(), Error> {
    let quick = scale == Scale::Quick;
    shared::say!("Chapter 12: sequences: predict the next character.");
    shared::say!("");
    let names = Corpus::Names.load(&mut log)?;
    let mut shakespeare = Corpus::Shakespeare.load(&mut log)?;
    if quick {
        shakespeare.train.truncate(300_000);
        shakespeare.validation.truncate(50_000);
    }
    for text in [&names, &shakespeare] {
        shared::say!(
            "{}: {} symbols; {} tokens to train on, {} to validate, {} to test.",
            text.corpus.title(),
            text.vocab.len(),
            text.train.len(),
            text.validation.len(),
            text.test.len()
        );
    }
    let saved = crate::figures::Drawn::default();
    let mut drawn = saved;

    // 1. Counting.
    shared::say!("");
    shared::say!("1. Counting. The bigram model of names, smoothed by α:");
    let (bigram, alpha, loss) = counted(&names, &mut |alpha, loss| {
        shared::say!("  α = {alpha:<5} validation loss {loss:.4} nats");
    });
    shared::say!(
        "  Chosen on validation: α = {alpha}: {loss:.4} nats per character, \
         {:.3} bits, perplexity {:.2} (of {} symbols).",
        bits(loss),
        perplexity(loss),
        names.vocab.len()
    );
    let word = ".emma.";
    if let Ok(tokens) = names.vocab.encode(word) {
        let steps: Vec<String> = tokens
            .windows(2)
            .map(|w| {
                let p = f64::from(bigram.w[[w[1], w[0]]]).exp();
                format!(
                    "P({}|{}) = {p:.3}",
                    names.vocab.symbol(w[1]),
                    names.vocab.symbol(w[0])
                )
            })
            .collect();
        let log_p: f64 = tokens
            .windows(2)
            .map(|w| f64::from(bigram.w[[w[1], w[0]]]))
            .sum();
        shared::say!(
            "  P(\"emma\") = {} = {:.2e}",
            steps.join(" · "),
            log_p.exp()
        );
        shared::say!(
            "  (−ln of it over its {} predictions: {:.3} nats each)",
            tokens.len() - 1,
            -log_p / (tokens.len() - 1) as f64
        );
    }
    let counted_row = Row {
        setting: Setting::chapter(Kind::Bigram, Corpus::Names, scale),
        parameters: bigram.w.len(),
        trained: Trained {
            validation: loss,
            net: Net::Bigram(bigram.clone()),
            history: Vec::new(),
            seconds: 0.0,
        },
    };
    shared::say!(
        "  Names it writes (τ = 1): {}",
        samples(&counted_row, &names.vocab, true, 1.0, 1)
    );
    drawn.counts = Some(count_bigrams(&names.train, names.vocab.len()));

    // 2. The same model, learned.
    shared::say!("");
    shared::say!("2. The same table, learned by gradient descent (Adam):");
    let learned = run_setting(
        &Setting::chapter(Kind::NeuralBigram, Corpus::Names, scale),
        &names,
    );
    let exact = bigram_probabilities(
        drawn.counts.as_ref().expect("counted").view(),
        0.0,
    );
    let floor = bigram_nll(exact.view(), &names.train);
    let reached =
        with_net!(&learned.trained.net, |m| stream_nll(m, &names.train));
    shared::say!(
        "  Training loss {reached:.4} nats; counting's (α = 0) is {floor:.4}, \
         the least any table can have: a gap of {:.4}.",
        reached - floor
    );

    // 3. The MLP.
    shared::say!("");
    shared::say!("3. An MLP over the last k characters (Bengio et al. 2003):");
    let mlp_setting = Setting::chapter(Kind::Mlp, Corpus::Names, scale);
    {
        let mut rng = seeded(mlp_setting.seed);
        let model = Mlp::<f32>::new(names.vocab.len(), 3, 10, 64, &mut rng);
        let windows =
            crate::language::draw_windows(&names.train, 19, 32, &mut rng);
        let mut hot = model.clone();
        let scale_up = ((3 * 10) as f32).sqrt();
        hot.w1.mapv_inplace(|w| w * scale_up);
        shared::say!(
            "  Saturated hidden units (|a| > 0.97) at the first weights: {:.1} % \
             with W₁ ~ N(0, 1/n), {:.1} % with N(0, 1).",
            100.0 * saturation(&model, windows.view()),
            100.0 * saturation(&hot, windows.view())
        );
    }
    let contexts: &[usize] = if quick { &[3] } else { &[3, 5] };
    let candidates = contexts
        .iter()
        .map(|&k| {
            let mut s = mlp_setting.clone();
            s.context = k;
            s.recipe.window = k + 16;
            run_setting(&s, &names)
        })
        .collect();
    let mlp = choose(candidates);
    shared::say!("  Chosen on validation: k = {}.", mlp.setting.context);
    if let Net::Mlp(m) = &mlp.trained.net {
        drawn.embeddings = Some((m.c.mapv(f64::from), names.vocab.clone()));
    }

    // 4 and 5. The recurrent networks.
    shared::say!("");
    shared::say!(
        "4. A recurrent network, and 5. a GRU (hidden size chosen on validation):"
    );
    let sizes: &[usize] = if quick { &[64] } else { &[64, 128] };
    let mut recurrent = Vec::new();
    for kind in [Kind::Rnn, Kind::Gru] {
        let candidates = sizes
            .iter()
            .map(|&h| {
                let mut s = Setting::chapter(kind, Corpus::Names, scale);
                s.hidden = h;
                run_setting(&s, &names)
            })
            .collect();
        let row = choose(candidates);
        shared::say!("  Chosen on validation: H = {}.", row.setting.hidden);
        recurrent.push(row);
    }
    let gru_names = recurrent.pop().expect("GRU");
    let rnn_names = recurrent.pop().expect("RNN");
    let names_rows = vec![counted_row, learned, mlp, rnn_names, gru_names];

    // Shakespeare.
    shared::say!("");
    shared::say!("The same five on Shakespeare:");
    let (bigram_s, alpha_s, loss_s) = counted(&shakespeare, &mut |_, _| {});
    shared::say!(
        "  {}: α = {alpha_s} chosen on validation, validation loss {loss_s:.4} nats",
        Kind::Bigram.title()
    );
    let mut shakespeare_rows = vec![Row {
        setting: Setting::chapter(Kind::Bigram, Corpus::Shakespeare, scale),
        parameters: bigram_s.w.len(),
        trained: Trained {
            validation: loss_s,
            net: Net::Bigram(bigram_s),
            history: Vec::new(),
            seconds: 0.0,
        },
    }];
    for kind in [Kind::NeuralBigram, Kind::Mlp, Kind::Rnn, Kind::Gru] {
        let row = run_setting(
            &Setting::chapter(kind, Corpus::Shakespeare, scale),
            &shakespeare,
        );
        shakespeare_rows.push(row);
    }

    // The gradient through time.
    shared::say!("");
    shared::say!(
        "Vanishing gradients: ‖∂C/∂hₜ‖ for the loss of the last of 64 steps:"
    );
    let mut rng = seeded(3);
    let windows = crate::language::draw_windows(
        &shakespeare.validation,
        65,
        32,
        &mut rng,
    );
    let rnn_s = &shakespeare_rows[3].trained.net;
    let gru_s = &shakespeare_rows[4].trained.net;
    let first_rnn = Net::Rnn(Rnn::<f32>::new(
        shakespeare.vocab.len(),
        128,
        &mut seeded(1),
    ));
    let curves = vec![
        (
            "RNN, first weights",
            gradient_through_time(&first_rnn, windows.view()),
        ),
        ("RNN, trained", gradient_through_time(rnn_s, windows.view())),
        ("GRU, trained", gradient_through_time(gru_s, windows.view())),
    ];
    for (name, curve) in &curves {
        let at = |d: usize| curve.get(d).copied().unwrap_or(f64::NAN);
        shared::say!(
            "  {name:<19} d = 0: {:.2e}  d = 8: {:.2e}  d = 32: {:.2e}  d = 63: {:.2e}",
            at(0),
            at(8),
            at(32),
            at(63)
        );
    }
    drawn.through_time = curves
        .into_iter()
        .map(|(n, c)| (n.to_string(), c))
        .collect();
    drawn.histories = shakespeare_rows
        .iter()
        .filter(|r| !r.trained.history.is_empty())
        .map(|r| {
            (
                r.setting.kind.title().to_string(),
                r.trained.history.clone(),
            )
        })
        .collect();

    // Samples.
    shared::say!("");
    shared::say!("6. Samples (seed 1):");
    for row in &names_rows {
        for t in [0.5, 1.0] {
            shared::say!(
                "  {:<17} τ = {t}: {}",
                row.setting.kind.title(),
                samples(row, &names.vocab, true, t, 1)
            );
        }
    }
    for row in &shakespeare_rows {
        shared::say!("  {} (τ = 0.8):", row.setting.kind.title());
        for line in samples(row, &shakespeare.vocab, false, 0.8, 1)
            .lines()
            .take(8)
        {
            shared::say!("    | {line}");
        }
    }

    // The table, and the test set once.
    shared::say!("");
    shared::say!(
        "7. Results (validation chose every setting; the test set is used once, here):"
    );
    for (text, rows) in
        [(&names, &names_rows), (&shakespeare, &shakespeare_rows)]
    {
        shared::say!("  {}:", text.corpus.title());
        shared::say!(
            "    {:<17} {:>10} {:>9} {:>11} {:>9}",
            "model",
            "parameters",
            "seconds",
            "validation",
            "test"
        );
        for row in rows.iter() {
            let test = loss_on(&row.trained.net, &text.test);
            shared::say!(
                "    {:<17} {:>10} {:>9.1} {:>11.4} {:>9.4}",
                row.setting.kind.title(),
                row.parameters,
                row.trained.seconds,
                row.trained.validation,
                test
            );
        }
    }

    if let Some(dir) = figures {
        for path in crate::figures::write_all(dir, &drawn)? {
            shared::say!("Wrote {}", shared::figures::display_path(&path));
        }
    }
    if save_models {
        for (text, rows, name) in [
            (&names, &names_rows, "ch12-names"),
            (&shakespeare, &shakespeare_rows, "ch12-shakespeare"),
        ] {
            let gru = rows.last().expect("the GRU");
            let path = ch08_mnist::runs::model_path(name);
            save(
                &Saved {
                    kind: gru.setting.kind,
                    corpus: text.corpus,
                    vocab: text.vocab.clone(),
                    net: gru.trained.net.clone(),
                },
                &path,
            )?;
            shared::say!(
                "Saved {} (the GRU)",
                shared::figures::display_path(&path)
            );
        }
    }
    Ok(())
}
