//! Training any of the chapter's models: windows drawn from the training
//! stream, Adam (chapter 9), the gradient clipped, the learning rate on
//! chapter 8's cosine schedule, the validation loss measured a few times
//! along the way and the best model kept (chapter 8's `fit`).

use ch08_mnist::{Epoch, Validated, fit, warmup_cosine_eta};
use ch09_generalisation::optim::adamw_rule;
use ndarray::{Array2, ArrayView2, Zip};
use shared::Real;
use shared::rng::{Rng, seeded};

use crate::language::{Language, draw_windows, stream_nll};

/// How a model is trained.
#[derive(Clone, Debug, PartialEq)]
pub struct Recipe {
    /// Tokens per training window (the first `context` are read, the rest
    /// predicted; for the recurrent networks, how far back BPTT reaches).
    pub window: usize,
    /// Windows per step.
    pub batch: usize,
    /// Training steps.
    pub steps: usize,
    /// How many times the validation loss is measured (evenly spaced).
    pub rounds: usize,
    /// Adam's largest learning rate (after the warm-up; cosine decay to
    /// 0).
    pub eta: f64,
    /// Steps of linear warm-up (0: none).
    pub warmup: usize,
    /// AdamW's decoupled weight decay λ, applied to weight matrices (not
    /// to biases or gains: parameters with one column).
    pub weight_decay: f64,
    /// The largest gradient norm a step may use, if any.
    pub clip: Option<f64>,
    /// The seed of the windows drawn.
    pub seed: u64,
}

/// The numbers after a round of steps.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Record {
    /// Steps taken so far.
    pub steps: usize,
    /// The mean training loss over this round's batches (nats).
    pub train_loss: f64,
    /// The loss on the whole validation stream (nats).
    pub validation_loss: f64,
    /// The largest gradient norm this round (before clipping).
    pub largest_norm: f64,
    /// Seconds of training so far.
    pub seconds: f64,
}

impl Validated for Record {
    fn validation_score(&self) -> f64 {
        -self.validation_loss
    }
}

impl std::fmt::Display for Record {
    /// "step   400  train 2.1012  validation 2.1320  ‖g‖ ≤ 1.93   3.1 s".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "step {:5}  train {:.4}  validation {:.4}  ‖g‖ ≤ {:<6.2} {:6.1} s",
            self.steps,
            self.train_loss,
            self.validation_loss,
            self.largest_norm,
            self.seconds
        )
    }
}

// ANCHOR: clip
/// The gradient's length ‖g‖ over every parameter.
pub fn gradient_norm<T: Real>(g: &impl Language<T>) -> f64 {
    let square = |p: &&Array2<T>| -> f64 {
        p.iter().map(|v| v.into_f64() * v.into_f64()).sum()
    };
    g.parameters().iter().map(square).sum::<f64>().sqrt()
}

/// Gradient clipping: g ← g · c/‖g‖ when ‖g‖ > c, so one steep step
/// keeps its direction but not its size. Returns ‖g‖ before.
pub fn clip<T: Real>(g: &mut impl Language<T>, c: f64) -> f64 {
    let norm = gradient_norm(g);
    if norm > c {
        let scale = T::from_f64(c / norm);
        for p in g.parameters_mut() {
            p.mapv_inplace(|v| v * scale);
        }
    }
    norm
}
// ANCHOR_END: clip

/// Adam's running means, one pair per parameter matrix.
pub struct Adam<T> {
    m: Vec<Array2<T>>,
    v: Vec<Array2<T>>,
    t: i32,
}

impl<T: Real> Adam<T> {
    /// Zero means for `model`'s parameters.
    pub fn new(model: &impl Language<T>) -> Self {
        let zeros = || -> Vec<Array2<T>> {
            model
                .parameters()
                .iter()
                .map(|p| Array2::zeros(p.raw_dim()))
                .collect()
        };
        Adam {
            m: zeros(),
            v: zeros(),
            t: 0,
        }
    }

    /// One step with learning rate η along the gradient g, decaying the
    /// weight matrices by λ (AdamW; λ = 0 is Adam).
    pub fn step<M: Language<T>>(
        &mut self,
        model: &mut M,
        g: &M,
        eta: f64,
        lambda: f64,
    ) {
        self.t += 1;
        let eta = T::from_f64(eta);
        let decayed = adamw_rule(eta, self.t, T::from_f64(lambda));
        let plain = adamw_rule(eta, self.t, T::zero());
        let parts = model.parameters_mut().into_iter().zip(g.parameters());
        for ((w, g), (m, v)) in parts.zip(self.m.iter_mut().zip(&mut self.v)) {
            match w.ncols() > 1 {
                true => each_entry(&decayed, (w, m, v), g),
                false => Zip::from(w).and(m).and(v).and(g).for_each(&plain),
            }
        }
    }
}

/// Entries per piece of [`each_entry`]'s work.
const PIECE: usize = 4096;

/// `rule(w, m, v, g)` on every entry of a weight matrix and its running
/// means: pieces of the arrays on every thread, each a loop in the CPU's
/// widest vector instructions. Each entry is updated on its own, so the
/// numbers are those of an entry-by-entry loop, for any thread count.
fn each_entry<T: Real>(
    rule: &(impl Fn(&mut T, &mut T, &mut T, &T) + Sync),
    (w, m, v): (&mut Array2<T>, &mut Array2<T>, &mut Array2<T>),
    g: &Array2<T>,
) {
    use rayon::prelude::*;
    let same = [m.strides(), v.strides(), g.strides()] == [w.strides(); 3];
    let slices = (w.as_slice_mut(), m.as_slice_mut(), v.as_slice_mut());
    let (Some(w), Some(m), Some(v), Some(g), true) =
        (slices.0, slices.1, slices.2, g.as_slice(), same)
    else {
        Zip::from(w).and(m).and(v).and(g).par_for_each(rule);
        return;
    };
    w.par_chunks_mut(PIECE)
        .zip(m.par_chunks_mut(PIECE))
        .zip(v.par_chunks_mut(PIECE))
        .zip(g.par_chunks(PIECE))
        .for_each(|(((w, m), v), g)| {
            fastpath::simd!({
                for (((w, m), v), g) in w.iter_mut().zip(m).zip(v).zip(g) {
                    rule(w, m, v, g);
                }
            })
        });
}

/// What computes a step's gradient and a stream's loss: the lesson's
/// code ([`Lesson`]) or a fast path (`fast::Fast`).
pub trait Engine<M> {
    /// The mean loss on a batch of windows; its gradient written into `g`.
    fn gradient(
        &mut self,
        model: &M,
        windows: ArrayView2<usize>,
        g: &mut M,
    ) -> f64;
    /// The mean loss over a whole stream ([`stream_nll`]).
    fn stream_nll(&mut self, model: &M, stream: &[usize]) -> f64;
}

/// The lesson's own code, as an [`Engine`].
pub struct Lesson<T>(std::marker::PhantomData<T>);

impl<T> Default for Lesson<T> {
    fn default() -> Self {
        Lesson(std::marker::PhantomData)
    }
}

impl<T: Real, M: Language<T>> Engine<M> for Lesson<T> {
    fn gradient(
        &mut self,
        model: &M,
        windows: ArrayView2<usize>,
        g: &mut M,
    ) -> f64 {
        let (loss, gradient) = model.loss_and_gradient(windows);
        *g = gradient;
        loss.into_f64()
    }

    fn stream_nll(&mut self, model: &M, stream: &[usize]) -> f64 {
        stream_nll(model, stream)
    }
}

// ANCHOR: train
/// Trains `model` on the `train` stream by `recipe`, measuring the loss
/// on `validation` after each round (and on nothing else); `report` sees
/// each round's numbers. Returns the model of the best round and every
/// round's numbers.
pub fn train<T: Real, M: Language<T>>(
    model: M,
    recipe: &Recipe,
    (train, validation): (&[usize], &[usize]),
    engine: &mut impl Engine<M>,
    report: impl FnMut(&Record),
) -> (M, Vec<Record>) {
    let mut rng: Rng = seeded(recipe.seed);
    let (mut adam, mut g) = (Adam::new(&model), model.clone());
    let engine = std::cell::RefCell::new(engine);
    let per_round = recipe.steps.div_ceil(recipe.rounds);
    let mut done = 0;
    let round = |model: &mut M, _| {
        let (mut losses, mut largest) = (0.0, 0.0f64);
        let steps = per_round.min(recipe.steps - done);
        for _ in 0..steps {
            let windows =
                draw_windows(train, recipe.window, recipe.batch, &mut rng);
            let loss =
                engine.borrow_mut().gradient(model, windows.view(), &mut g);
            let norm = match recipe.clip {
                Some(c) => clip(&mut g, c),
                None => gradient_norm(&g),
            };
            let eta = warmup_cosine_eta(
                recipe.eta,
                done,
                recipe.warmup,
                recipe.steps,
            );
            adam.step(model, &g, eta, recipe.weight_decay);
            (losses, largest, done) =
                (losses + loss, largest.max(norm), done + 1);
        }
        (losses / steps as f64, largest, done)
    };
    let measure = |model: &M, e: Epoch<(f64, f64, usize)>| {
        let (train_loss, largest_norm, steps) = e.trained;
        Record {
            steps,
            train_loss,
            validation_loss: engine.borrow_mut().stream_nll(model, validation),
            largest_norm,
            seconds: e.total_seconds,
        }
    };
    fit(model, recipe.rounds, round, measure, report)
}
// ANCHOR_END: train
