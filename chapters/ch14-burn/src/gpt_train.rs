//! Chapter 13's GPT trained by Burn with chapter 13's recipe: the same
//! initial weights (chapter 13's, moved into Burn), the same windows drawn
//! in the same order, AdamW with the weight decay on the weight matrices
//! only, the learning rate warmed up then on a cosine, the whole gradient
//! clipped to a norm — so what differs from chapter 13's own training is
//! who computes the gradient and the update. On one device or several:
//! with several, each takes a share of the windows (data parallelism) and
//! their gradients are summed on the first before the step.

use std::thread;

use burn::module::{ModuleVisitor, Param};
use burn::optim::{
    AdamW, AdamWConfig, AdamWState, GradientsParams, ModuleOptimizer, Optimizer,
};
use burn::prelude::*;
use ch08_mnist::{Epoch, fit, warmup_cosine_eta};
use ch12_sequences::language::draw_windows;
use ch12_sequences::train::{Recipe, Record};
use ndarray::{ArrayView2, s};
use shared::rng::{Rng, seeded};

use crate::gpt::{Gpt, burn_loss, from_ours, scalar, to_ours};
use crate::parallel::shares;

// ANCHOR: adamw
/// Chapter 13's AdamW in Burn: Burn's own `AdamW` (β₁ = 0.9, β₂ = 0.999,
/// ε = 10⁻⁸, chapter 9's values), with the decay λ on the weight matrices
/// and embeddings (rank 2) and none on the gains and biases (rank 1), the
/// rule chapter 12's `Adam::step` follows.
#[derive(Clone)]
pub struct ChapterAdamW {
    /// AdamW with λ, for matrices.
    pub decayed: AdamW,
    /// AdamW with λ = 0, for vectors.
    pub plain: AdamW,
}

impl Optimizer for ChapterAdamW {
    type State<const D: usize> = AdamWState<D>;

    fn step<const D: usize>(
        &self,
        eta: f64,
        w: Tensor<D>,
        g: Tensor<D>,
        state: Option<AdamWState<D>>,
    ) -> (Tensor<D>, Option<AdamWState<D>>) {
        match D {
            1 => self.plain.step(eta, w, g, state),
            _ => self.decayed.step(eta, w, g, state),
        }
    }

    fn to_device<const D: usize>(
        state: AdamWState<D>,
        device: &Device,
    ) -> AdamWState<D> {
        AdamW::to_device(state, device)
    }
}
// ANCHOR_END: adamw

/// [`ChapterAdamW`] with weight decay λ, as a Burn `ModuleOptimizer`.
pub fn adamw(lambda: f64) -> ModuleOptimizer {
    let config = |lambda: f64| {
        AdamWConfig::new()
            .with_beta_1(0.9)
            .with_beta_2(0.999)
            .with_epsilon(1e-8)
            .with_weight_decay(lambda as f32)
            .build()
    };
    ModuleOptimizer::from(ChapterAdamW {
        decayed: config(lambda),
        plain: config(0.0),
    })
}

// ANCHOR: clip
/// Chapter 12's clipping on Burn's gradients: ‖g‖ over *every* parameter
/// of `gpt`, and when it is above `c`, every gradient scaled by c/‖g‖.
/// Returns ‖g‖ before. (Burn's own `GradientClipping::Norm` clips each
/// tensor by its own norm, a different rule.)
pub fn clip(grads: &mut GradientsParams, gpt: &Gpt, c: Option<f64>) -> f64 {
    let mut squares = Squares { grads, sum: 0.0 };
    gpt.visit(&mut squares);
    let norm = squares.sum.sqrt();
    if let Some(c) = c.filter(|&c| norm > c) {
        gpt.visit(&mut Scale {
            grads,
            by: c / norm,
        });
    }
    norm
}
// ANCHOR_END: clip

/// Σ g² over every parameter's gradient.
struct Squares<'a> {
    grads: &'a GradientsParams,
    sum: f64,
}

impl ModuleVisitor for Squares<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if let Some(g) = self.grads.get::<D>(param.id) {
            let flat = g.reshape([-1]);
            self.sum += f64::from(scalar(flat.clone().mul(flat).sum()));
        }
    }
}

/// Every parameter's gradient times `by`.
struct Scale<'a> {
    grads: &'a mut GradientsParams,
    by: f64,
}

impl ModuleVisitor for Scale<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if let Some(g) = self.grads.remove::<D>(param.id) {
            self.grads.register(param.id, g * self.by);
        }
    }
}

/// The devices' gradients summed, parameter by parameter, on `device` (in
/// the devices' order, so the sum is the same every run): the all-reduce.
struct SumOn<'a> {
    parts: &'a mut [GradientsParams],
    total: GradientsParams,
    device: &'a Device,
}

impl ModuleVisitor for SumOn<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let sum = self
            .parts
            .iter_mut()
            .filter_map(|g| g.remove::<D>(param.id))
            .map(|g| g.to_device(self.device))
            .reduce(|a, b| a + b);
        if let Some(sum) = sum {
            self.total.register(param.id, sum);
        }
    }
}

// ANCHOR: step
/// One training step of chapter 13's recipe in Burn, on one device or
/// several. The windows (columns, T + 1 tokens each) are cut into one
/// share per device; each device's copy of the model (`fork`) computes the
/// gradient of its share's loss weighted by mₖ/m, so the shares'
/// gradients **sum** to the whole batch's; they are summed on the first
/// device, clipped, and the optimizer steps once. Returns the model, the
/// batch's mean loss and ‖g‖ before clipping.
pub fn gpt_step(
    gpt: Gpt,
    optimizer: &mut ModuleOptimizer,
    eta: f64,
    c: Option<f64>,
    windows: ArrayView2<usize>,
    devices: &[Device], // autodiff devices
) -> (Gpt, f64, f64) {
    let m = windows.ncols();
    let parts: Vec<(f64, GradientsParams)> = thread::scope(|scope| {
        let handles: Vec<_> = shares(m, devices.len())
            .into_iter()
            .zip(devices)
            .filter(|(share, _)| !share.is_empty())
            .map(|(share, device)| {
                let replica = gpt.clone().fork(device);
                let w_k = windows.slice(s![.., share.clone()]);
                let weight = share.len() as f64 / m as f64; // mₖ/m
                scope.spawn(move || {
                    let cost = burn_loss(&replica, w_k, device) * weight;
                    let value = f64::from(scalar(cost.clone()));
                    let grads =
                        GradientsParams::from_grads(cost.backward(), &replica);
                    (value, grads)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a device"))
            .collect()
    });
    let loss = parts.iter().map(|(value, _)| value).sum();
    let mut grads: Vec<GradientsParams> =
        parts.into_iter().map(|(_, g)| g).collect();
    let mut sum = SumOn {
        parts: &mut grads,
        total: GradientsParams::new(),
        device: &devices[0],
    };
    gpt.visit(&mut sum);
    let (gpt, norm) = clipped_step(gpt, optimizer, eta, c, sum.total);
    (gpt, loss, norm)
}
// ANCHOR_END: step

/// The update of a step: the whole batch's gradient `grads` clipped to
/// `c`, then the optimizer's step. Returns the model and ‖g‖ before.
pub fn clipped_step(
    gpt: Gpt,
    optimizer: &mut ModuleOptimizer,
    eta: f64,
    c: Option<f64>,
    mut grads: GradientsParams,
) -> (Gpt, f64) {
    let norm = clip(&mut grads, &gpt, c);
    (optimizer.step(eta, gpt, grads), norm)
}

// ANCHOR: train
/// Chapter 13's `train`, with Burn doing the work, in chapter 8's `fit`:
/// chapter 13's initial weights for `config` (seeded with `seed`),
/// windows drawn as chapter 12's `train` draws them, [`gpt_step`] on
/// `devices`, the learning rate on chapter 8's warm-up and cosine. After
/// each round the validation loss is measured by chapter 13's code on the
/// weights Burn trained (the logits are the same: section 6). Returns the
/// model of the best round and every round's numbers.
pub fn train_gpt_burn(
    config: ch13_transformer::gpt::Config,
    (seed, dropout): (u64, f64),
    recipe: &Recipe,
    (train, validation): (&[usize], &[usize]),
    devices: &[Device], // autodiff devices
    report: impl FnMut(&Record),
) -> (Gpt, Vec<Record>) {
    let ours =
        ch13_transformer::gpt::Gpt::<f32>::new(config, &mut seeded(seed));
    let gpt = from_ours(&ours, dropout, &devices[0]);
    // Dropout's masks from Burn's generator, seeded.
    for device in devices {
        device.seed(recipe.seed.wrapping_add(1));
    }
    let mut optimizer = adamw(recipe.weight_decay);
    let mut rng: Rng = seeded(recipe.seed);
    let per_round = recipe.steps.div_ceil(recipe.rounds);
    let mut done = 0;
    let round = |gpt: &mut Gpt, _| {
        let (mut losses, mut largest) = (0.0, 0.0f64);
        let steps = per_round.min(recipe.steps - done);
        for _ in 0..steps {
            let windows =
                draw_windows(train, recipe.window, recipe.batch, &mut rng);
            let eta = warmup_cosine_eta(
                recipe.eta,
                done,
                recipe.warmup,
                recipe.steps,
            );
            let (stepped, loss, norm) = gpt_step(
                gpt.clone(),
                &mut optimizer,
                eta,
                recipe.clip,
                windows.view(),
                devices,
            );
            *gpt = stepped;
            (losses, largest, done) =
                (losses + loss, largest.max(norm), done + 1);
        }
        (losses / steps as f64, largest, done)
    };
    let measure = |gpt: &Gpt, e: Epoch<(f64, f64, usize)>| {
        let (train_loss, largest_norm, steps) = e.trained;
        Record {
            steps,
            train_loss,
            validation_loss: ch13_transformer::run::loss_on(
                &to_ours(gpt),
                validation,
            ),
            largest_norm,
            seconds: e.total_seconds,
        }
    };
    fit(gpt, recipe.rounds, round, measure, report)
}
// ANCHOR_END: train
