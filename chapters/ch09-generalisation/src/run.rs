//! The narrated run: `cargo run --release -p ch09-generalisation`. Every
//! experiment of the page, in its order, with the numbers it prints and
//! the figures it draws; `--quick` runs each one small (for CI).

use std::path::Path;
use std::time::Instant;

use ch08_mnist::{Mnist, best_epoch};
use ndarray::{Array1, Array2, ArrayView2, s};
use shared::data::DataSet;
use shared::rng::seeded;

use crate::augment::Augment;
use crate::figures::Results;
use crate::init::{DEEP, INITS, activation_spread};
use crate::inputs::{Pca, mean_and_spread, pca, standardise};
use crate::optim::Schedule;
use crate::train::{Method, Record, Settings, train};
use crate::tune::{
    Point, Trial, bayesian_search, best_so_far, evaluate, grid, random_points,
};
use crate::{Activation, Error};

/// How big each experiment is.
#[derive(Clone, Copy, Debug)]
pub struct Scale {
    /// Epochs on the 1,000 images.
    pub small_epochs: usize,
    /// Training images of the tuning runs and the optimiser comparison.
    pub tune_images: usize,
    /// Trials per search.
    pub trials: usize,
    /// Images PCA is fitted on.
    pub pca_images: usize,
    /// Principal components kept.
    pub components: usize,
    /// Training images and epochs of the ablation.
    pub ablation: (usize, usize),
    /// Training images of section 7's one-epoch runs.
    pub diagnostics_images: usize,
}

impl Scale {
    /// The page's run.
    pub const FULL: Scale = Scale {
        small_epochs: 100,
        tune_images: 10_000,
        trials: 16,
        pca_images: 50_000,
        components: 100,
        ablation: (50_000, 15),
        diagnostics_images: 50_000,
    };
    /// A few minutes' check of the same code (CI).
    pub const QUICK: Scale = Scale {
        small_epochs: 10,
        tune_images: 2_000,
        trials: 5,
        pca_images: 5_000,
        components: 20,
        ablation: (5_000, 1),
        diagnostics_images: 5_000,
    };
}

/// The 1,000 images' run: 784-100-10, momentum, η 0.05 on a cosine,
/// batches of 10, no regularisation — made to overfit.
pub fn small_baseline(epochs: usize) -> Settings {
    Settings {
        hidden: vec![100],
        eta: 0.05,
        batch_size: 10,
        epochs,
        ..Settings::baseline()
    }
}

/// The regularisers tried on the 1,000 images, each alone.
pub fn small_regularised(epochs: usize) -> Vec<(&'static str, Settings)> {
    let base = small_baseline(epochs);
    vec![
        ("no regularisation", base.clone()),
        (
            "L2, λ = 0.001",
            Settings {
                weight_decay: 1e-3,
                ..base.clone()
            },
        ),
        (
            "dropout, p = 0.2",
            Settings {
                dropout: 0.2,
                ..base.clone()
            },
        ),
        (
            "augmentation",
            Settings {
                augment: Augment {
                    shift: true,
                    rotate: true,
                    elastic: true,
                },
                ..base
            },
        ),
    ]
}

/// The ablation: the baseline, each refinement alone, and together.
pub fn ablation_rows(epochs: usize) -> Vec<(&'static str, Settings)> {
    let base = Settings {
        epochs,
        ..Settings::baseline()
    };
    let with = |f: &dyn Fn(&mut Settings)| {
        let mut s = base.clone();
        f(&mut s);
        s
    };
    let shift = Augment {
        shift: true,
        ..Augment::NONE
    };
    vec![
        ("baseline", base.clone()),
        ("+ weight decay 1e-4", with(&|s| s.weight_decay = 1e-4)),
        ("+ dropout 0.2", with(&|s| s.dropout = 0.2)),
        ("+ shifts ±2 px", with(&|s| s.augment = shift)),
        (
            "+ elastic (Simard)",
            with(&|s| {
                s.augment = Augment {
                    elastic: true,
                    ..Augment::NONE
                }
            }),
        ),
        (
            "+ weight decay + shifts",
            with(&|s| {
                s.weight_decay = 1e-4;
                s.augment = shift;
            }),
        ),
        (
            "+ weight decay + shifts + elastic",
            with(&|s| {
                s.weight_decay = 1e-4;
                s.augment = Augment {
                    shift: true,
                    rotate: false,
                    elastic: true,
                };
            }),
        ),
        (
            "all: decay, dropout, shift, elastic",
            with(&|s| {
                s.weight_decay = 1e-4;
                s.dropout = 0.2;
                s.augment = Augment {
                    shift: true,
                    rotate: false,
                    elastic: true,
                };
            }),
        ),
    ]
}

/// The tuning runs' settings at a point of the box: log₁₀ η from −3 to
/// 0 and dropout from 0 to 0.7, 784-128-10 for 3 epochs.
pub fn tuning_settings(point: Point) -> Settings {
    Settings {
        hidden: vec![128],
        eta: 10f64.powf(-3.0 + 3.0 * point[0]),
        dropout: 0.7 * point[1],
        epochs: 3,
        ..Settings::baseline()
    }
}

fn pct(x: f64) -> String {
    format!("{:.2} %", 100.0 * x)
}

/// One run, quietly; its best epoch's record and its network. At a
/// terminal a progress bar counts its epochs, and is gone when it ends (a
/// log sees nothing).
fn run_quietly(
    settings: &Settings,
    data: &Mnist,
) -> (crate::Network<f32>, Vec<Record>) {
    let bar = shared::runner::epoch_bar(settings.epochs);
    let trained = train(settings, data, |_| bar.inc(1));
    bar.finish_and_clear();
    trained
}

/// The whole narrated run, one call per section of the page; figures go
/// to `figures_dir` and the chosen model to `model_file`, each unless
/// `None`.
pub fn narrated(
    scale: Scale,
    figures_dir: Option<&Path>,
    model_file: Option<&Path>,
) -> Result<(), Error> {
    let mnist = Mnist::load(DataSet::Mnist)?;
    introduction(&mnist);
    let mut results = Results::default();
    overfitting(&mnist, scale, &mut results);
    better_inputs(&mnist, scale, &mut results);
    better_starts(&mnist, &mut results);
    let tune_data = mnist.first(scale.tune_images);
    better_steps(&tune_data);
    tuning(&mnist, scale, &tune_data, &mut results);
    let chosen = ablation(&mnist, scale, &mut results);
    the_chapters_model(&chosen, model_file)?;
    reading_the_curves(&mnist, scale, &mut results);
    if let Some(dir) = figures_dir {
        write_figures(&mnist, results, dir)?;
    }
    Ok(())
}

/// The heading: the split, and the threads and instructions in use.
fn introduction(mnist: &Mnist) {
    shared::say!("Chapter 9: generalisation");
    shared::say!(
        "MNIST split: {} training images, {} validation, {} test \
         (touched once, at the end).",
        mnist.x.ncols(),
        mnist.x_val.ncols(),
        mnist.x_test.ncols()
    );
    shared::say!(
        "{} threads, {}",
        fastpath::threads(),
        fastpath::instruction_set()
    );
}

/// Section 1, overfitting seen: 784-100-10 on 1,000 images, then each
/// regulariser alone on the same images.
fn overfitting(mnist: &Mnist, scale: Scale, results: &mut Results) {
    shared::say!("\n1. Overfitting: 784-100-10 on the first 1,000 images");
    let small = mnist.first(1000);
    let mut runs = Vec::new();
    for (name, settings) in small_regularised(scale.small_epochs) {
        let (_, history) = run_quietly(&settings, &small);
        if runs.is_empty() {
            the_gap(&history);
            shared::say!("  Each regulariser alone, same 1,000 images:");
        }
        let best = best_epoch(&history).expect("epochs");
        let last = history.last().expect("epochs");
        shared::say!(
            "    {:<20} train {:>8}  validation {:>8} (best, epoch {})",
            name,
            pct(last.train_accuracy),
            pct(best.validation_accuracy),
            best.epoch
        );
        runs.push((name.to_string(), history));
    }
    results.small_runs = runs;
}

/// The unregularised run's epochs, and the gap between the images it
/// learned from and new ones.
fn the_gap(history: &[Record]) {
    shared::say!("  epoch  train loss  train acc  val loss  val acc");
    let every = (history.len() / 10).max(1);
    for r in history.iter().filter(|r| r.epoch % every == 0) {
        shared::say!(
            "  {:5}  {:10.4}  {:>9}  {:8.4}  {:>7}",
            r.epoch,
            r.train_loss,
            pct(r.train_accuracy),
            r.validation_loss,
            pct(r.validation_accuracy)
        );
    }
    let last = history.last().expect("epochs");
    let lowest = history
        .iter()
        .min_by(|a, b| a.validation_loss.total_cmp(&b.validation_loss))
        .expect("epochs");
    shared::say!(
        "  The gap: {} on the images it learned from, {} on new \
         ones; validation loss was lowest at epoch {} ({:.4}) and \
         rose to {:.4}.",
        pct(last.train_accuracy),
        pct(last.validation_accuracy),
        lowest.epoch,
        lowest.validation_loss,
        last.validation_loss
    );
}

/// Section 2, better inputs: the mean image and the pixels' spread, PCA,
/// and the same network trained on raw, standardised, projected and
/// whitened inputs.
fn better_inputs(mnist: &Mnist, scale: Scale, results: &mut Results) {
    shared::say!("\n2. Better inputs");
    let n_pca = scale.pca_images.min(mnist.x.ncols());
    let x64 = mnist.x.slice(s![.., ..n_pca]).mapv(f64::from);
    let (mu, spread) = mean_and_spread(x64.view());
    shared::say!(
        "  Mean image subtracted; the pixels' spread is {spread:.4} \
         (pixels in [0, 1])."
    );
    let found = principal_components(x64.view(), scale.components);
    // Whitening, measured: the same network and steps on three inputs.
    let eps = 0.1;
    let transforms = Transforms {
        mu: &mu,
        spread,
        pca: &found,
        eps,
    };
    let whitening_runs = inputs_compared(mnist, scale.tune_images, &transforms);
    let sample = x64.slice(s![.., ..8]).to_owned();
    results.whitened = vec![
        sample.clone(),
        standardise(sample.view(), &mu, spread),
        found.zca(sample.view(), eps),
    ];
    results.whitening_runs = whitening_runs;
    results.mean_image = mu.to_vec();
    results.pca = Some(found);
}

/// The first `k` principal components of the images `x` (784, n), timed,
/// and the share of the variance the first few explain.
fn principal_components(x: ArrayView2<f64>, k: usize) -> Pca {
    let start = Instant::now();
    let mut rng = seeded(shared::rng::DEFAULT_SEED);
    let found = pca(x, k, &mut rng);
    let explained = found.explained();
    let components = explained.len();
    let mut line = format!(
        "  PCA of {} images ({:.1} s): variance explained by",
        x.ncols(),
        start.elapsed().as_secs_f64()
    );
    for k in [1, 10, 50, 100] {
        if k <= components {
            line += &format!(" {k}: {:.1} %,", 100.0 * explained[k - 1]);
        }
    }
    shared::say!("{line} of {:.2} in all.", found.total_variance);
    found
}

/// What the training images taught about the inputs: their mean image μ,
/// their pixels' spread, their principal components, and the ε whitening
/// adds to each component's variance.
struct Transforms<'a> {
    mu: &'a Array1<f64>,
    spread: f64,
    pca: &'a Pca,
    eps: f64,
}

/// Plain SGD on the first `n` images as raw pixels, standardised,
/// projected on the principal components, and whitened; each run's
/// epochs.
fn inputs_compared(
    mnist: &Mnist,
    n: usize,
    transforms: &Transforms,
) -> Vec<(String, Vec<Record>)> {
    let Transforms {
        mu,
        spread,
        pca: found,
        eps,
    } = *transforms;
    let to32 = |a: Array2<f64>| a.mapv(|v| v as f32);
    let raw = mnist.first(n);
    let x_tr = raw.x.mapv(f64::from);
    let x_va = raw.x_val.mapv(f64::from);
    let x_te = raw.x_test.mapv(f64::from);
    let standard = raw.with_inputs(
        to32(standardise(x_tr.view(), mu, spread)),
        to32(standardise(x_va.view(), mu, spread)),
        to32(standardise(x_te.view(), mu, spread)),
    );
    let white = raw.with_inputs(
        to32(found.whiten(x_tr.view(), eps)),
        to32(found.whiten(x_va.view(), eps)),
        to32(found.whiten(x_te.view(), eps)),
    );
    let settings = Settings {
        hidden: vec![256],
        method: Method::Sgd,
        eta: 0.05,
        schedule: Schedule::Constant,
        epochs: 3,
        ..Settings::baseline()
    };
    shared::say!(
        "  Plain SGD (η = 0.05, 784-256-10, {n} images), validation \
         accuracy after each epoch:"
    );
    let mut out = Vec::new();
    let projected = raw.with_inputs(
        to32(found.project(x_tr.view())),
        to32(found.project(x_va.view())),
        to32(found.project(x_te.view())),
    );
    for (name, data) in [
        ("raw pixels", raw),
        ("standardised", standard),
        ("PCA (100), not whitened", projected),
        ("PCA-whitened (100)", white),
    ] {
        let (_, history) = run_quietly(&settings, &data);
        let accs: Vec<String> =
            history.iter().map(|r| pct(r.validation_accuracy)).collect();
        shared::say!(
            "    {:<24} {}   {:.2} s",
            name,
            accs.join("  "),
            history.last().expect("epochs").seconds
        );
        out.push((name.to_string(), history));
    }
    out
}

/// Section 3, better starts: the spread of the activations through 10
/// layers of 256 for each activation and initialisation.
fn better_starts(mnist: &Mnist, results: &mut Results) {
    shared::say!(
        "\n3. Better starts: activation spread through 10 layers of 256"
    );
    let x_few = mnist.x.slice(s![.., ..500]).mapv(f64::from);
    let (depth, width) = DEEP;
    for f in [Activation::Relu, Activation::Tanh] {
        for (init, name) in INITS {
            let mut rng = seeded(shared::rng::DEFAULT_SEED);
            let spread = activation_spread(
                x_few.view(),
                init,
                f,
                depth,
                width,
                &mut rng,
            );
            shared::say!(
                "  {:<5} {:<18} layer 1: {:9.3e}  layer 5: {:9.3e}  \
                 layer 10: {:9.3e}",
                f.name(),
                name,
                spread[0],
                spread[4],
                spread[9]
            );
            results.spreads.push((f, init, spread));
        }
    }
}

/// Section 4, better steps: gradient descent, momentum and Adam on
/// chapter 5's valley, then each with each schedule on `tune_data`.
fn better_steps(tune_data: &Mnist) {
    shared::say!("\n4. Better steps: ½(x² + 10y²), 50 steps from (−9, 2.5)");
    let valley = crate::figures::valley_paths();
    for (name, path) in &valley {
        let end = path.last().expect("a path");
        shared::say!(
            "  {:<36} f = {:.2e}",
            name,
            ch05_gradient_descent::bowl(*end)
        );
    }
    shared::say!(
        "  On MNIST (784-128-10, {} images, 3 epochs), validation accuracy:",
        tune_data.x.ncols()
    );
    for (method, eta) in [
        (Method::Sgd, 0.1),
        (Method::Momentum, 0.1),
        (Method::Adam, 0.001),
    ] {
        let mut line = format!("    {:<8} η = {:<6}", method.name(), eta);
        for schedule in [Schedule::Constant, Schedule::Step, Schedule::Cosine] {
            let settings = Settings {
                hidden: vec![128],
                method,
                eta,
                schedule,
                epochs: 3,
                ..Settings::baseline()
            };
            let (_, history) = run_quietly(&settings, tune_data);
            let best = best_epoch(&history).expect("epochs");
            line.push_str(&format!(
                "  {} {}",
                schedule.name(),
                pct(best.validation_accuracy)
            ));
        }
        shared::say!("{line}");
    }
}

/// Section 5, tuning: grid, random and Bayesian search of η and dropout
/// on `tune_data`; the best point trained once and tested once.
fn tuning(
    mnist: &Mnist,
    scale: Scale,
    tune_data: &Mnist,
    results: &mut Results,
) {
    shared::say!(
        "\n5. Tuning log₁₀ η in [−3, 0] and dropout in [0, 0.7]: {} trials \
         each",
        scale.trials
    );
    let objective = |point: Point| {
        let (_, history) = run_quietly(&tuning_settings(point), tune_data);
        1.0 - best_epoch(&history).expect("epochs").validation_accuracy
    };
    let side = (scale.trials as f64).sqrt().round() as usize;
    let mut rng = seeded(shared::rng::DEFAULT_SEED);
    let searches: Vec<(&str, Vec<Trial>)> = vec![
        ("grid", evaluate(&grid(side), objective)),
        (
            "random",
            evaluate(&random_points(scale.trials, &mut rng), objective),
        ),
        (
            "Bayesian (GP + EI)",
            bayesian_search(
                scale.trials,
                4.min(scale.trials),
                &mut rng,
                objective,
            ),
        ),
    ];
    let mut chosen = (f64::INFINITY, [0.0; 2]);
    for (name, trials) in &searches {
        let best = trials
            .iter()
            .min_by(|a, b| a.error.total_cmp(&b.error))
            .expect("trials");
        let s = tuning_settings(best.point);
        shared::say!(
            "  {:<19} best validation error {} at η = {:.4}, dropout {:.2} \
             ({} trials)",
            name,
            pct(best.error),
            s.eta,
            s.dropout,
            trials.len()
        );
        if best.error < chosen.0 {
            chosen = (best.error, best.point);
        }
        let curve = best_so_far(trials);
        results
            .tuning
            .push((name.to_string(), trials.clone(), curve));
    }
    let settings = tuning_settings(chosen.1);
    let (net, _) = run_quietly(&settings, tune_data);
    shared::say!(
        "  Chosen on validation: η = {:.4}, dropout {:.2}; trained once, \
         tested once: {:.2} % test accuracy.",
        settings.eta,
        settings.dropout,
        mnist.test(&net)
    );
}

/// The ablation's row with the best validation accuracy: the chapter's
/// model.
struct Chosen {
    /// The row's name.
    name: String,
    /// Its network, at its best epoch.
    net: crate::Network<f32>,
    /// Its best validation accuracy, as a fraction.
    validation: f64,
    /// Its test accuracy, in percent.
    test: f64,
    /// Its training time.
    seconds: f64,
}

/// Section 6, the ablation: the baseline, each refinement alone, and
/// together, one run per row; the row best on validation.
fn ablation(mnist: &Mnist, scale: Scale, results: &mut Results) -> Chosen {
    let (n, epochs) = scale.ablation;
    shared::say!(
        "\n6. Ablation: 784-512-512-10, {n} images, {epochs} epochs, \
         each row one run"
    );
    shared::say!(
        "  {:<36} {:>10} {:>8} {:>8}",
        "",
        "validation",
        "test",
        "time"
    );
    let data = mnist.first(n);
    let mut best_row: Option<Chosen> = None;
    for (name, settings) in ablation_rows(epochs) {
        let (net, history) = run_quietly(&settings, &data);
        let best = best_epoch(&history).expect("epochs");
        let seconds = history.last().expect("epochs").seconds;
        let test = mnist.test(&net);
        shared::say!(
            "  {:<36} {:>10} {:>6.2} % {:>6.1} s",
            name,
            pct(best.validation_accuracy),
            test,
            seconds
        );
        results.ablation.push((name.to_string(), history.clone()));
        if best_row
            .as_ref()
            .is_none_or(|b| best.validation_accuracy > b.validation)
        {
            best_row = Some(Chosen {
                name: name.to_string(),
                net,
                validation: best.validation_accuracy,
                test,
                seconds,
            });
        }
    }
    best_row.expect("rows")
}

/// Section 6, continued: the chapter's model, chosen on validation,
/// saved to `model_file` unless `None`.
fn the_chapters_model(
    chosen: &Chosen,
    model_file: Option<&Path>,
) -> Result<(), Error> {
    shared::say!(
        "The chapter's model, chosen on validation: \"{}\" — {} validation, \
         {:.2} % test, trained in {:.1} s.",
        chosen.name.trim_start_matches("+ "),
        pct(chosen.validation),
        chosen.test,
        chosen.seconds
    );
    if let Some(model) = model_file {
        ch08_mnist::model::save(&chosen.net, crate::Cost::CrossEntropy, model)?;
        shared::say!("Saved it to {}", shared::figures::display_path(model));
    }
    Ok(())
}

/// The figures, drawn from the run's `results` (and a few training
/// images), written into `dir`.
/// Section 7, reading the curves: one epoch of section 1's network,
/// 784-100-10, at a learning rate too low, chapter 8's, and one too high; the loss
/// step by step and each layer's update-to-weight ratio.
fn reading_the_curves(mnist: &Mnist, scale: Scale, results: &mut Results) {
    use crate::diagnose::{Curve, curves, median, smoothed};
    shared::say!(
        "\n7. Reading the curves: 784-100-10, one epoch of momentum SGD on \
         {} images at three η",
        scale.diagnostics_images
    );
    let data = mnist.first(scale.diagnostics_images);
    let runs: Vec<Curve> = curves(&data, &DIAGNOSTIC_ETAS);
    shared::say!(
        "  η        loss after 10 / 100 / 300 / last steps   validation   \
         median ‖ΔW‖/‖W‖ (layer 1, 2)"
    );
    for c in &runs {
        let loss = smoothed(&c.losses, 50);
        let at = |step: usize| loss[step.min(loss.len()) - 1];
        let ratio = |l: usize| median(&c.ratios[l]);
        shared::say!(
            "  {:<6}   {:>5.2} / {:>5.2} / {:>5.2} / {:>5.2}          \
             {:>7}      {:.1e}, {:.1e}",
            c.eta,
            at(10),
            at(100),
            at(300),
            at(loss.len()),
            pct(c.validation),
            ratio(0),
            ratio(1)
        );
    }
    results.diagnostics = runs;
}

/// The learning rates of section 7: too low, chapter 8's, too high.
pub const DIAGNOSTIC_ETAS: [f64; 3] = [0.001, 0.1, 1.0];

fn write_figures(
    mnist: &Mnist,
    mut results: Results,
    dir: &Path,
) -> Result<(), Error> {
    results.examples = mnist.x.slice(s![.., ..12]).to_owned();
    for path in crate::figures::write_all(&results, dir)? {
        shared::say!("Wrote {}", shared::figures::display_path(&path));
    }
    Ok(())
}
