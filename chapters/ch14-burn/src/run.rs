//! The narrated run: `cargo run --release` in `chapters/ch14-burn`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use burn::prelude::*;
use ch07_minibatches::{Cost, Gradients, Network, backprop_batch};
use ch08_mnist::{
    Config, EpochRecord, Mnist, Preset, TrainingPath, accuracy, best_epoch,
    labels_to_matrix, predict_all,
};
use ch12_sequences::corpus::{Corpus, Text};
use ch12_sequences::language::{Language, draw_windows, parameter_count};
use ch12_sequences::run::print_round;
use ch12_sequences::train::Record;
use ndarray::{Array2, ArrayView2, Axis, s};
use rand::seq::SliceRandom;
use shared::data::DataSet;
use shared::figures::display_path;
use shared::rng::seeded;

use crate::compare::{
    agreement, burn_gradients, burn_logits, exact_logits, gradient_difference,
    max_difference, our_gradients, our_logits, worse,
};
use crate::gpt_train::train_gpt_burn;
use crate::model::{from_network, load, to_network};
use crate::multinode;
use crate::parallel::{
    data_parallel_gpt_gradient, data_parallel_gradients, data_parallel_step,
    devices, gpt_steps, shares,
};
use crate::train::{burn_step, initial_network, optimizer, train_burn};
use crate::{BURN_VERSION, Error};

/// How much of the data and training the run uses.
#[derive(Clone, Copy, Debug)]
pub struct Scale {
    /// Training images (of the 50,000).
    pub images: usize,
    /// Epochs (None: chapter 8's setting).
    pub epochs: Option<usize>,
    /// The saved chapter 8 model to load.
    pub preset: Preset,
}

impl Scale {
    /// The chapter's run: chapter 8's default network and recipe.
    pub const FULL: Scale = Scale {
        images: 50_000,
        epochs: None,
        preset: Preset::Default,
    };
    /// A short run for CI: 5,000 images, 1 epoch, chapter 8's quick model.
    pub const QUICK: Scale = Scale {
        images: 5_000,
        epochs: Some(1),
        preset: Preset::Quick,
    };
}

/// The whole narrated run; figures go to `figures` unless it is `None`.
pub fn narrated(
    scale: Scale,
    workers: usize,
    figures: Option<&Path>,
) -> Result<(), Error> {
    shared::say!(
        "Chapter 14: chapter 8's network on Burn {BURN_VERSION}, on its \
         pure-Rust CPU backend (flex)"
    );
    let data = Mnist::load(DataSet::Mnist)?;
    same_answers(scale, &data)?;
    same_gradients(&data);
    let histories = side_by_side(scale, &data);
    data_parallel(scale, &data, workers);
    two_processes(&data)?;
    chapter_13_gpt(scale)?;
    let gpt_runs = gpt_side_by_side(scale)?;
    gpt_past_one_worker()?;
    if let Some(dir) = figures {
        let runs = [("chapter 13", &gpt_runs.0[..]), ("Burn", &gpt_runs.1[..])];
        let path = crate::figures::write_gpt_side_by_side(dir, &runs)?;
        shared::say!("\nFigure written: {}", display_path(&path));
        let runs: Vec<(&str, &[EpochRecord])> = histories
            .iter()
            .map(|(name, history)| (*name, &history[..]))
            .collect();
        let path = crate::figures::write_side_by_side(dir, &runs)?;
        shared::say!("\nFigure written: {}", display_path(&path));
    }
    Ok(())
}

/// Chapter 8's saved model for `preset`; trained by chapter 8's code
/// first if it is not there yet.
fn chapter_8_model(preset: Preset, data: &Mnist) -> Result<PathBuf, Error> {
    let path = ch08_mnist::runs::model_path(preset.name());
    if !path.is_file() {
        shared::say!(
            "  {} is not there yet: training it with chapter 8's code \
             (as `cargo run --release -p ch08-mnist -- train --preset {}` \
             would)",
            display_path(&path),
            preset.name()
        );
        let config = preset.config();
        let y = labels_to_matrix::<f32>(&data.labels);
        let (net, _) = ch08_mnist::train(
            &config,
            data.x.view(),
            y.view(),
            data.x_val.view(),
            &data.labels_val,
            |_| {},
            || {},
        );
        ch08_mnist::model::save(&net, config.cost, &path)?;
    }
    Ok(path)
}

/// Section 1: Burn loads chapter 8's model and gives the same answers.
fn same_answers(scale: Scale, data: &Mnist) -> Result<(), Error> {
    shared::say!("\n1. Same weights, same answers");
    let path = chapter_8_model(scale.preset, data)?;
    let ours = ch08_mnist::model::load(&path)?;
    let device = Device::flex();
    let mlp = load(&path, &device)?;
    shared::say!(
        "  {} ({}), read by Burn's SafetensorsStore",
        display_path(&path),
        sizes(&ours)
    );
    let x = data.x_test.view();
    let (z_ours, z_burn) =
        (our_logits(&ours, x), burn_logits(&mlp, x, &device));
    let a = agreement(&z_ours, &z_burn);
    shared::say!(
        "  {} test images: the same digit for {} of {}",
        a.images,
        a.same_prediction,
        a.images
    );
    shared::say!(
        "  largest |z_ours − z_burn| over all {} logits: {:.1e} (largest \
         |z| {:.1})",
        z_ours.len(),
        a.max_difference,
        a.max_logit
    );
    let exact = exact_logits(&ours, x);
    shared::say!(
        "  against the same weights in f64: ours off by at most {:.1e}, \
         Burn's by {:.1e}",
        max_difference(&z_ours, &exact),
        max_difference(&z_burn, &exact)
    );
    let within = z_ours
        .iter()
        .zip(&z_burn)
        .filter(|&(a, b)| (a - b).abs() <= 1e-5 * a.abs().max(1.0))
        .count();
    shared::say!(
        "  logits within 1e-5 × max(1, |z|) of ours: {within} of {}",
        z_ours.len()
    );
    let test = |z| accuracy(&crate::compare::predictions(z), &data.labels_test);
    shared::say!(
        "  test accuracy: ours {:.2} %, Burn's {:.2} %",
        100.0 * test(&z_ours),
        100.0 * test(&z_burn)
    );
    Ok(())
}

fn sizes(net: &Network<f32>) -> String {
    let sizes: Vec<String> =
        net.sizes().iter().map(|n| n.to_string()).collect();
    sizes.join("-")
}

/// Section 2: Burn's autodiff against chapter 7's backprop.
fn same_gradients(data: &Mnist) {
    shared::say!("\n2. Same gradients: one minibatch of 64 training images");
    let config = Config::default_run();
    let mut rng = seeded(config.seed);
    let net = initial_network(&config, &mut rng);
    let mut order: Vec<usize> = (0..data.x.ncols()).collect();
    order.shuffle(&mut rng);
    let batch = &order[..64];
    let x = data.x.select(Axis(1), batch);
    let labels: Vec<u8> = batch.iter().map(|&k| data.labels[k]).collect();
    let device = Device::flex().autodiff();
    let ours = our_gradients(&net, x.view(), &labels);
    let burns = burn_gradients(
        &from_network(&net, &device),
        x.view(),
        &labels,
        &device,
    );
    let (worst, largest) = gradient_difference(&ours, &burns);
    shared::say!(
        "  chapter 8's initial weights: largest |∂C/∂θ ours − Burn's| = \
         {worst:.1e} (largest gradient {largest:.3})"
    );
    for (l, (w, b)) in burns.nabla_w.iter().zip(&burns.nabla_b).enumerate() {
        shared::say!(
            "    layer {}: ∂C/∂W {:?}, ∂C/∂b {:?}, largest difference {:.1e}",
            l + 1,
            w.dim(),
            b.len(),
            max_difference(w, &ours.nabla_w[l])
                .max(max_difference(b, &ours.nabla_b[l]))
        );
    }
}

/// Section 3: chapter 8's recipe run by chapter 8's code and by Burn.
fn side_by_side(
    scale: Scale,
    data: &Mnist,
) -> Vec<(&'static str, Vec<EpochRecord>)> {
    shared::say!("\n3. Trained by Burn, beside chapter 8");
    let n = scale.images.min(data.x.ncols());
    let (x, labels) = (data.x.slice(s![.., ..n]), &data.labels[..n]);
    let y = labels_to_matrix::<f32>(labels);
    let mut config = Config {
        path: TrainingPath::Lesson,
        ..Config::default_run()
    };
    config.epochs = scale.epochs.unwrap_or(config.epochs);
    shared::say!(
        "  {config}\n  on {n} images, f32; the same initial weights and \
         minibatches for all"
    );
    let val = (data.x_val.view(), &data.labels_val[..]);
    let mut runs = vec![];
    for path in [TrainingPath::Lesson, TrainingPath::Fast] {
        let config = Config {
            path,
            ..config.clone()
        };
        let name = match path {
            TrainingPath::Lesson => "chapter 8, lesson path",
            TrainingPath::Fast => "chapter 8, fast path",
        };
        shared::say!("  {name}:");
        let (net, history) = ch08_mnist::train(
            &config,
            x,
            y.view(),
            val.0,
            val.1,
            print_epoch,
            || {},
        );
        runs.push((name, net, history));
    }
    shared::say!("  Burn (flex backend, autodiff, chapter 8's update rule):");
    let device = Device::flex().autodiff();
    let (net, history) =
        train_burn(&config, x, labels, val.0, val.1, &device, print_epoch);
    runs.push(("Burn", net, history));
    shared::say!(
        "\n  {:<24} {:>10} {:>11} {:>11} {:>8}",
        "trained by",
        "s / epoch",
        "best epoch",
        "validation",
        "test"
    );
    for (name, net, history) in &runs {
        let best = best_epoch(history).expect("an epoch");
        let per_epoch =
            history.last().expect("an epoch").seconds / history.len() as f64;
        let test =
            accuracy(&predict_all(net, data.x_test.view()), &data.labels_test);
        shared::say!(
            "  {:<24} {:>10.2} {:>11} {:>10.2} % {:>6.2} %",
            name,
            per_epoch,
            best.epoch,
            100.0 * best.validation_accuracy,
            100.0 * test
        );
    }
    let apart = |a: &Network<f32>, b: &Network<f32>| {
        a.layers
            .iter()
            .zip(&b.layers)
            .map(|(p, q)| max_difference(&p.w, &q.w))
            .fold(0.0f32, worse)
    };
    let (lesson, fast, burn) = (&runs[0].1, &runs[1].1, &runs[2].1);
    shared::say!(
        "  largest weight difference after training: lesson path vs Burn \
         {:.1e}, lesson path vs fast path {:.1e}",
        apart(lesson, burn),
        apart(lesson, fast)
    );
    runs.into_iter()
        .map(|(name, _, history)| (name, history))
        .collect()
}

fn print_epoch(r: &EpochRecord) {
    shared::say!("    {r}");
}

/// Section 4: data parallelism, by hand and by Burn.
fn data_parallel(scale: Scale, data: &Mnist, workers: usize) {
    shared::say!("\n4. Past one processor: data parallelism");
    let config = Config::default_run();
    let (net, x, y) = split_example(data);
    let x = x.view();
    let whole = backprop_batch(&net, x, y.view(), Cost::CrossEntropy);
    shared::say!(
        "  by hand: a minibatch of 64 split across k threads, all-reduced"
    );
    for k in [1, 2, 3, 4, 8] {
        let split =
            data_parallel_gradients(&net, x, y.view(), Cost::CrossEntropy, k);
        let (worst, _) = gradient_difference(&whole, &split);
        shared::say!("    k = {k}: largest |∇C − Σ (mₖ/m) ∇Cₖ| = {worst:.1e}");
    }
    shared::say!(
        "  by Burn: one step on k devices against one step on one device"
    );
    let labels = &data.labels[..64];
    let one = devices(1);
    let reference = {
        let mut opt = optimizer(&config);
        let mlp = from_network(&net, &one[0]);
        to_network(&burn_step(mlp, &mut opt, config.eta, x, labels, &one[0]))
    };
    for k in [2, 4] {
        let devices = devices(k);
        let mut opt = optimizer(&config);
        let mlp = from_network(&net, &devices[0]);
        let after = to_network(&data_parallel_step(
            mlp, &mut opt, config.eta, x, labels, &devices,
        ));
        let worst = reference
            .layers
            .iter()
            .zip(&after.layers)
            .map(|(a, b)| max_difference(&a.w, &b.w))
            .fold(0.0f32, worse);
        shared::say!(
            "    k = {k}: largest weight difference after the step {worst:.1e}"
        );
    }
    let n = scale.images.min(data.x.ncols());
    shared::say!(
        "  one epoch of {n} images, batch 64, on {workers} worker(s) against 1:"
    );
    let counts = if workers == 1 {
        vec![1]
    } else {
        vec![1, workers]
    };
    for k in counts {
        let devices = devices(k);
        let mut opt = optimizer(&config);
        let mut mlp = from_network(&net, &devices[0]);
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(&mut seeded(config.seed));
        let start = Instant::now();
        for batch in order.chunks(config.batch_size) {
            let x_batch = data.x.select(Axis(1), batch);
            let l: Vec<u8> = batch.iter().map(|&i| data.labels[i]).collect();
            mlp = match k {
                1 => burn_step(
                    mlp,
                    &mut opt,
                    config.eta,
                    x_batch.view(),
                    &l,
                    &devices[0],
                ),
                _ => data_parallel_step(
                    mlp,
                    &mut opt,
                    config.eta,
                    x_batch.view(),
                    &l,
                    &devices,
                ),
            };
        }
        let seconds = start.elapsed().as_secs_f64();
        let net = to_network(&mlp);
        let val =
            accuracy(&predict_all(&net, data.x_val.view()), &data.labels_val);
        shared::say!(
            "    {k} worker(s): {seconds:.2} s, validation {:.2} %",
            100.0 * val
        );
    }
}

/// The minibatch sections 4 and 5 split: the first 64 training images,
/// and chapter 8's initial network.
fn split_example(data: &Mnist) -> (Network<f32>, Array2<f32>, Array2<f32>) {
    let config = Config::default_run();
    let net = initial_network(&config, &mut seeded(config.seed));
    let x = data.x.slice(s![.., ..64]).to_owned();
    let y = labels_to_matrix::<f32>(&data.labels[..64]);
    (net, x, y)
}

/// Rank `rank`'s half of the example minibatch: its gradient and size.
fn half_gradient(data: &Mnist, rank: usize) -> (Gradients<f32>, usize) {
    let (net, x, y) = split_example(data);
    let share = shares(x.ncols(), 2)[rank].clone();
    let (x_k, y_k) = (
        x.slice(s![.., share.clone()]),
        y.slice(s![.., share.clone()]),
    );
    (
        backprop_batch(&net, x_k, y_k, Cost::CrossEntropy),
        share.len(),
    )
}

/// How far `total` is from the whole example minibatch's gradient.
fn off_whole(data: &Mnist, total: &Gradients<f32>) -> f32 {
    let (net, x, y) = split_example(data);
    let whole = backprop_batch(&net, x.view(), y.view(), Cost::CrossEntropy);
    gradient_difference(&whole, total).0
}

/// Runs `rank_0` in this process as rank 0 while this program runs again
/// as rank 1 (`--worker-of ADDRESS`, and `args`); returns rank 0's result
/// and what rank 1 printed. A failure on either side is said in one line,
/// the second process's own message first.
fn with_second_process<T>(
    args: &[&str],
    rank_0: impl FnOnce(&TcpListener, &multinode::Link) -> Result<T, Error>,
) -> Result<(T, String), Error> {
    let io = |e: std::io::Error| Error::Link(e.to_string());
    let listener = TcpListener::bind("127.0.0.1:0").map_err(io)?;
    let address = listener.local_addr().map_err(io)?.to_string();
    // The second process is this program again, as rank 1; the run's
    // secret goes to it in its environment, never on its command line.
    let link = multinode::Link::fresh();
    let worker = Command::new(std::env::current_exe().map_err(io)?)
        .args(["--worker-of", &address])
        .args(args)
        .env(multinode::SECRET_VARIABLE, link.secret_hex())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(io)?;
    let result = rank_0(&listener, &link);
    let output = worker.wait_with_output().map_err(io)?;
    let failed = || {
        let why = String::from_utf8_lossy(&output.stderr);
        Error::Link(format!(
            "the second process failed: {}",
            why.lines().next().unwrap_or("no message")
        ))
    };
    // The worker's own error says more than "it never connected".
    let result = match result {
        Err(_) if !output.status.success() => return Err(failed()),
        other => other?,
    };
    if !output.status.success() {
        return Err(failed());
    }
    let theirs = String::from_utf8_lossy(&output.stdout);
    Ok((result, theirs.trim_end_matches('\n').to_string()))
}

fn link_error(e: multinode::LinkError) -> Error {
    Error::Link(e.to_string())
}

/// Section 5: two processes all-reduce over TCP.
fn two_processes(data: &Mnist) -> Result<(), Error> {
    shared::say!("\n5. Past one process: the all-reduce over TCP");
    let own = half_gradient(data, 0);
    let sent = multinode::encode(&own.0, own.1).len();
    let (total, theirs) = with_second_process(&[], |listener, link| {
        multinode::all_reduce_as_root(listener, 2, own, link)
            .map(|(total, _)| total)
            .map_err(link_error)
    })?;
    shared::say!(
        "  rank 0 (this process) and rank 1 (a second process, started \
         from the same program), 32 images each; each message {sent} bytes"
    );
    shared::say!(
        "  rank 0: the all-reduced gradient is the whole minibatch's to \
         {:.1e}",
        off_whole(data, &total)
    );
    shared::say!("{theirs}");
    Ok(())
}

/// Section 6: chapter 13's Shakespeare GPT, read by Burn from chapter
/// 13's file: the same logits on the validation text, and Burn's autodiff
/// gradient on one batch against chapter 13's hand-written backward pass.
fn chapter_13_gpt(scale: Scale) -> Result<(), Error> {
    shared::say!("\n6. Chapter 13's GPT on Burn");
    let path = ch08_mnist::runs::model_path("ch13-shakespeare");
    if !path.is_file() {
        shared::say!(
            "  {} is not there yet: `cargo run --release -p \
             ch13-transformer` trains and saves it; skipped",
            display_path(&path)
        );
        return Ok(());
    }
    let device = Device::default();
    let (gpt, saved) = crate::gpt::load(&path, &device)?;
    let c = saved.gpt.config();
    shared::say!(
        "  {} ({} blocks of {} heads, width {}, context {}), read by \
         Burn's SafetensorsStore",
        display_path(&path),
        c.layers,
        c.heads,
        c.width,
        c.block
    );
    let text = saved.corpus.load(&mut |line| shared::say!("  {line}"))?;
    if text.vocab != saved.vocab {
        let why = "its characters are not those of the corpus here".into();
        return Err(Error::Unsupported { path, why });
    }
    // Consecutive windows of the validation text, one per column.
    let windows = if scale.images < Scale::FULL.images {
        4
    } else {
        32
    };
    let t = c.block;
    let x = Array2::from_shape_fn((t, windows), |(i, w)| {
        text.validation[w * t + i]
    });
    let (z, _) = saved.gpt.forward(x.view());
    let theirs = crate::gpt::burn_logits(&gpt, x.view(), &device);
    let same = predictions_agree(&z, &theirs);
    let largest = z.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    shared::say!(
        "  {} validation characters ({windows} windows of {t}): the same \
         most likely next character for {same} of {}",
        windows * t,
        windows * t
    );
    shared::say!(
        "  largest |z_ours − z_burn| over all {} logits: {:.1e} (largest \
         |z| {largest:.1})",
        z.len(),
        max_difference(&z, &theirs)
    );
    let device = device.autodiff();
    let (gpt, _) = crate::gpt::load(&path, &device)?;
    let batch = draw_windows(&text.train, t + 1, 12, &mut seeded(1));
    let (loss, ours) = saved.gpt.loss_and_gradient(batch.view());
    let (burn_loss, burns) =
        crate::gpt::burn_gradient(&gpt, batch.view(), &device);
    let (mut worst, mut relative, mut largest) = (0.0f32, 0.0f32, 0.0f32);
    for (a, b) in ours.parameters().into_iter().zip(burns.parameters()) {
        let off = max_difference(a, b);
        let top = a.iter().fold(0.0f32, |m, g| m.max(g.abs()));
        worst = worse(worst, off);
        relative = worse(relative, off / top);
        largest = largest.max(top);
    }
    shared::say!(
        "  one batch of 12 training windows: loss ours {loss:.6}, Burn's \
         {burn_loss:.6}"
    );
    shared::say!(
        "  largest |∂C/∂θ ours − Burn's| = {worst:.1e} (largest gradient \
         {largest:.3}); per tensor, at most {relative:.1e} of its largest"
    );
    Ok(())
}

/// How many columns of two sets of logits pick the same token.
fn predictions_agree(a: &Array2<f32>, b: &Array2<f32>) -> usize {
    let pick = |z: &Array2<f32>| -> Vec<usize> {
        z.columns()
            .into_iter()
            .map(|c| ch08_mnist::argmax(c.iter().copied()))
            .collect()
    };
    pick(a)
        .iter()
        .zip(pick(b))
        .filter(|(x, y)| **x == *y)
        .count()
}

/// The second process of sections 5 and 8 (`--worker-of ADDRESS`):
/// rank 1, for chapter 8's network or (`gpt`) chapter 13's GPT.
pub fn worker(address: &str, gpt: bool) -> Result<(), Error> {
    let link = multinode::Link::from_environment().map_err(link_error)?;
    if gpt {
        return gpt_worker(address, &link);
    }
    let data = Mnist::load(DataSet::Mnist)?;
    let own = half_gradient(&data, 1);
    let (total, _) = multinode::all_reduce_as_worker(address, own, &link)
        .map_err(link_error)?;
    shared::say!(
        "  rank 1: its copy of the all-reduced gradient is the whole \
         minibatch's to {:.1e}",
        off_whole(&data, &total)
    );
    Ok(())
}

/// Steps the data-parallel GPT runs of section 8 take.
const GPT_STEPS: usize = 3;

/// Section 8's GPT, its text and its recipe: chapter 13's Shakespeare
/// setting.
fn gpt_example() -> Result<(ch13_transformer::run::Setting, Text), Error> {
    let corpus = Corpus::Shakespeare;
    let text = corpus.load(&mut |_| {})?;
    let scale = ch12_sequences::run::Scale::Full;
    Ok((ch13_transformer::run::Setting::chapter(corpus, scale), text))
}

/// Section 8's GPT trained `GPT_STEPS` steps by one worker on the whole
/// batch.
fn gpt_one_worker(
    setting: &ch13_transformer::run::Setting,
    text: &Text,
) -> ch13_transformer::gpt::Gpt<f32> {
    let whole = |gpt: &ch13_transformer::gpt::Gpt<f32>,
                 w: ArrayView2<usize>| {
        Ok::<_, Error>(gpt.loss_and_gradient(w).1)
    };
    let vocab = text.vocab.len();
    gpt_steps(setting, vocab, &text.train, GPT_STEPS, whole)
        .expect("one worker cannot fail")
}

/// Rank `rank` of 2's share of a batch of windows, and its gradient.
fn gpt_share(
    gpt: &ch13_transformer::gpt::Gpt<f32>,
    windows: ArrayView2<usize>,
    rank: usize,
) -> (ch13_transformer::gpt::Gpt<f32>, usize) {
    let share = shares(windows.ncols(), 2)[rank].clone();
    let w_k = windows.slice(s![.., share.clone()]);
    (gpt.loss_and_gradient(w_k).1, share.len())
}

/// The largest difference between two GPTs' weights.
fn gpt_apart(
    a: &ch13_transformer::gpt::Gpt<f32>,
    b: &ch13_transformer::gpt::Gpt<f32>,
) -> f32 {
    let pairs = a.parameters().into_iter().zip(b.parameters());
    pairs.map(|(p, q)| max_difference(p, q)).fold(0.0, worse)
}

/// Section 8, rank 1: its half of every batch, all-reduced with rank 0.
fn gpt_worker(address: &str, link: &multinode::Link) -> Result<(), Error> {
    let (setting, text) = gpt_example()?;
    let mut traffic = multinode::Traffic::default();
    let vocab = text.vocab.len();
    let after = gpt_steps(&setting, vocab, &text.train, GPT_STEPS, |gpt, w| {
        let own = gpt_share(gpt, w, 1);
        let (total, moved) =
            multinode::all_reduce_as_worker(address, own, link)?;
        traffic.sent += moved.sent;
        traffic.received += moved.received;
        Ok::<_, multinode::LinkError>(total)
    })
    .map_err(link_error)?;
    let whole = gpt_one_worker(&setting, &text);
    shared::say!(
        "  rank 1: its weights after {GPT_STEPS} steps are one worker's to \
         {:.1e}; it sent {} and received {} bytes a step",
        gpt_apart(&after, &whole),
        traffic.sent / GPT_STEPS as u64,
        traffic.received / GPT_STEPS as u64
    );
    Ok(())
}

/// Section 8: chapter 13's GPT past one worker — by hand on threads, by
/// hand between two processes, and by Burn on several devices — each
/// against one worker on the whole batch.
fn gpt_past_one_worker() -> Result<(), Error> {
    shared::say!("\n8. Chapter 13's GPT past one worker");
    let (setting, text) = gpt_example()?;
    let (vocab, r) = (text.vocab.len(), &setting.recipe);
    let whole = gpt_one_worker(&setting, &text);
    let parameters = parameter_count(&whole);
    shared::say!(
        "  {GPT_STEPS} steps of chapter 13's Shakespeare recipe ({parameters} \
         parameters, batches of {} windows), against one worker on the \
         whole batch:",
        r.batch
    );
    shared::say!("  by hand, k threads:");
    for k in [2, 3, 4] {
        let split = |gpt: &ch13_transformer::gpt::Gpt<f32>,
                     w: ArrayView2<usize>| {
            Ok::<_, Error>(data_parallel_gpt_gradient(gpt, w, k).1)
        };
        let after = gpt_steps(&setting, vocab, &text.train, GPT_STEPS, split)?;
        shared::say!(
            "    k = {k}: largest weight difference {:.1e}",
            gpt_apart(&after, &whole)
        );
    }
    let mut traffic = multinode::Traffic::default();
    let (after, theirs) =
        with_second_process(&["--worker-gpt"], |listener, link| {
            let reduce = |gpt: &ch13_transformer::gpt::Gpt<f32>,
                          w: ArrayView2<usize>| {
                let own = gpt_share(gpt, w, 0);
                let (total, moved) =
                    multinode::all_reduce_as_root(listener, 2, own, link)?;
                traffic.sent += moved.sent;
                traffic.received += moved.received;
                Ok::<_, multinode::LinkError>(total)
            };
            gpt_steps(&setting, vocab, &text.train, GPT_STEPS, reduce)
                .map_err(link_error)
        })?;
    shared::say!(
        "  by hand, two processes over TCP, {} windows each:",
        r.batch / 2
    );
    shared::say!(
        "  rank 0: its weights after {GPT_STEPS} steps are one worker's to \
         {:.1e}; it received {} and sent {} bytes a step",
        gpt_apart(&after, &whole),
        traffic.received / GPT_STEPS as u64,
        traffic.sent / GPT_STEPS as u64
    );
    shared::say!("{theirs}");
    shared::say!(
        "  computed: a message of 8 + 4 × {parameters} = {} bytes, after \
         its 8-byte length, each way a step, and the run's secret (8 + 32 \
         bytes) on each connection; the ring all-reduce of K ranks would \
         move 2(K − 1)/K × 4 × {parameters} bytes per rank",
        multinode::encode(&whole, 1).len()
    );
    shared::say!("  by Burn, one step on k devices against one device:");
    let windows =
        draw_windows(&text.train, r.window, r.batch, &mut seeded(r.seed));
    let ours = ch13_transformer::gpt::Gpt::<f32>::new(
        setting.config(vocab),
        &mut seeded(setting.seed),
    );
    let eta = r.eta / r.warmup.max(1) as f64;
    let step = |k: usize| {
        let devices = devices(k);
        let gpt = crate::gpt::from_ours(&ours, 0.0, &devices[0]);
        let mut optimizer = crate::gpt_train::adamw(r.weight_decay);
        let (gpt, loss, _) = crate::gpt_train::gpt_step(
            gpt,
            &mut optimizer,
            eta,
            r.clip,
            windows.view(),
            &devices,
        );
        (crate::gpt::to_ours(&gpt), loss)
    };
    let (one, loss) = step(1);
    for k in [2, 4] {
        let (after, loss_k) = step(k);
        shared::say!(
            "    k = {k}: loss {loss_k:.6} (one device {loss:.6}), largest \
             weight difference {:.1e}",
            gpt_apart(&after, &one)
        );
    }
    Ok(())
}

/// Section 7: chapter 13's Shakespeare GPT trained from the same first
/// weights by chapter 13's code and by Burn, with chapter 13's recipe.
/// Returns both runs' rounds.
fn gpt_side_by_side(scale: Scale) -> Result<(Vec<Record>, Vec<Record>), Error> {
    shared::say!("\n7. Chapter 13's recipe, trained by Burn");
    let corpus = Corpus::Shakespeare;
    let text = corpus.load(&mut |line| shared::say!("  {line}"))?;
    let quick = scale.images < Scale::FULL.images;
    let setting = ch13_transformer::run::Setting::chapter(
        corpus,
        match quick {
            true => ch12_sequences::run::Scale::Quick,
            false => ch12_sequences::run::Scale::Full,
        },
    );
    let r = &setting.recipe;
    shared::say!(
        "  {} on {}; the same first weights and windows for both",
        setting.describe(),
        text.corpus.title()
    );
    shared::say!("  chapter 13 (its fast path):");
    let ours =
        ch13_transformer::run::train_gpt(&setting, &text, &mut print_round);
    shared::say!(
        "  Burn (flex backend, autodiff, AdamW, the whole gradient clipped):"
    );
    let (_, burns) = train_gpt_burn(
        setting.config(text.vocab.len()),
        (setting.seed, setting.dropout),
        r,
        (&text.train, &text.validation),
        &devices(1),
        print_round,
    );
    shared::say!(
        "\n  {:>6} {:>12} {:>12} {:>11}",
        "steps",
        "chapter 13",
        "Burn",
        "difference"
    );
    for (a, b) in ours.history.iter().zip(&burns) {
        shared::say!(
            "  {:>6} {:>12.4} {:>12.4} {:>+11.1e}",
            a.steps,
            a.validation_loss,
            b.validation_loss,
            b.validation_loss - a.validation_loss
        );
    }
    let tokens = (r.steps * r.batch * (r.window - 1)) as f64;
    for (name, history) in [("chapter 13", &ours.history), ("Burn", &burns)] {
        let seconds = history.last().map_or(0.0, |h| h.seconds);
        shared::say!(
            "  {name:<11} trained in {seconds:.1} s: {:.1} ms a step, {:.0} \
             tokens/s",
            1000.0 * seconds / r.steps as f64,
            tokens / seconds
        );
    }
    Ok((ours.history, burns))
}

/// What the devices are, in words.
pub fn device_name() -> &'static str {
    if cfg!(feature = "cuda") {
        "CUDA GPUs"
    } else if cfg!(feature = "wgpu") {
        "GPUs through wgpu"
    } else {
        "the CPU (Burn's flex backend)"
    }
}

/// `train-gpt`: chapter 13's GPT trained by Burn on `count` devices, its
/// speed, its validation loss, saved in chapter 13's format.
pub fn train_gpt(
    args: &ch13_transformer::cli::TrainArgs,
    count: usize,
) -> Result<(), Error> {
    let setting = args.setting()?;
    if setting.merges > 0 {
        return Err(Error::Usage(
            "--tokenizer bpe: chapter 14 trains on characters only (chapter \
             13's `train` learns byte pairs)"
                .to_string(),
        ));
    }
    let mut metrics =
        ch12_sequences::run::metrics_file(args.metrics.as_deref())?;
    let text = setting.corpus.load(&mut |line| shared::say!("{line}"))?;
    shared::say!(
        "Training {} on {} with Burn, on {}",
        setting.describe(),
        text.corpus.title(),
        match count {
            1 => format!("one device: {}", device_name()),
            k => format!("{k} devices, data-parallel: {}", device_name()),
        }
    );
    let r = &setting.recipe;
    let (gpt, history) = train_gpt_burn(
        setting.config(text.vocab.len()),
        (setting.seed, setting.dropout),
        r,
        (&text.train, &text.validation),
        &devices(count),
        ch12_sequences::run::rounds_to(&mut metrics),
    );
    let seconds = history.last().map_or(0.0, |h| h.seconds);
    let best = history
        .iter()
        .map(|h| h.validation_loss)
        .fold(f64::INFINITY, f64::min);
    let tokens = (r.steps * r.batch * (r.window - 1)) as f64;
    shared::say!(
        "  Trained in {seconds:.1} s: {:.1} ms a step, {:.0} tokens/s. \
         Validation loss of the round kept: {best:.4} nats.",
        1000.0 * seconds / r.steps as f64,
        tokens / seconds
    );
    let saved = ch13_transformer::model::Saved {
        corpus: setting.corpus,
        vocab: text.vocab.clone(),
        merges: Vec::new(),
        gpt: crate::gpt::to_ours(&gpt),
    };
    let name = args.save_as.as_deref().unwrap_or("ch14-gpt");
    let path = ch08_mnist::runs::model_path(name);
    ch13_transformer::model::save(&saved, &path)?;
    shared::say!(
        "Saved the model to {} (ch13-transformer sample --model reads it)",
        display_path(&path)
    );
    Ok(metrics.map_or(Ok(()), |m| m.finish())?)
}
