//! Chapter 8's training recipe, run by Burn: the same initial weights, the
//! same minibatches in the same order, the same update rule — so the only
//! difference from chapter 8 is who computes the gradients and the update.

use burn::optim::{
    GradientsParams, ModuleOptimizer, Optimizer, RecordState, StateSink,
    StateSource,
};
use burn::prelude::*;
use ch07_minibatches::Network;
use ch08_mnist::{Config, Epoch, EpochRecord, Measure, fit, labels_to_matrix};
use ndarray::{ArrayView2, Axis};
use rand::seq::SliceRandom;
use shared::rng::{Rng, seeded};

use crate::compare::cross_entropy;
use crate::model::{Mlp, from_network, tensor, to_network};

// ANCHOR: optimizer
/// Chapter 8's update as a Burn optimizer. Burn calls `step` for one
/// parameter tensor at a time, with its gradient and its state (here the
/// velocity v): v ← μv − η(g + λw), then w ← w + v.
#[derive(Clone, Debug)]
pub struct MomentumSgd {
    /// μ, the momentum.
    pub mu: f64,
    /// λ, the weight decay (weights only, as in chapter 8).
    pub lambda: f64,
}

impl Optimizer for MomentumSgd {
    type State<const D: usize> = Velocity<D>;

    fn step<const D: usize>(
        &self,
        eta: f64,
        w: Tensor<D>,
        g: Tensor<D>,
        state: Option<Velocity<D>>,
    ) -> (Tensor<D>, Option<Velocity<D>>) {
        // Weights are matrices (rank 2) and decay; biases (rank 1) do not.
        let lambda = if D == 1 { 0.0 } else { self.lambda };
        let v = match state {
            Some(state) => state.v,
            None => w.zeros_like(),
        };
        let v = v * self.mu - (g + w.clone() * lambda) * eta;
        (w + v.clone(), Some(Velocity { v }))
    }

    fn to_device<const D: usize>(
        state: Velocity<D>,
        device: &Device,
    ) -> Velocity<D> {
        Velocity {
            v: state.v.to_device(device),
        }
    }
}
// ANCHOR_END: optimizer

/// One parameter's velocity: [`MomentumSgd`]'s state.
#[derive(Clone, Debug)]
pub struct Velocity<const D: usize> {
    /// v, shaped like the parameter.
    pub v: Tensor<D>,
}

/// So Burn can save and restore the optimizer with the model.
impl<const D: usize> RecordState for Velocity<D> {
    fn state_flatten(&self, prefix: &str, out: &mut StateSink) {
        out.push_tensor(prefix, "velocity", self.v.to_data());
    }

    fn state_unflatten(
        prefix: &str,
        source: &mut StateSource,
        device: &Device,
    ) -> Option<Self> {
        let data = source.take_tensor(prefix, "velocity")?;
        Some(Velocity {
            v: Tensor::from_data(data, device),
        })
    }
}

// ANCHOR: step
/// One minibatch step in Burn: forward, cost, `backward` (the engine's
/// backprop), then the optimizer's update of every parameter.
pub fn burn_step(
    mlp: Mlp,
    optimizer: &mut ModuleOptimizer,
    eta: f64,
    x: ArrayView2<f32>, // (784, m)
    labels: &[u8],
    device: &Device,
) -> Mlp {
    let y = labels_to_matrix::<f32>(labels); // (10, m)
    let z = mlp.forward(tensor(x.t(), device)); // (m, 10)
    let cost = cross_entropy(z, tensor(y.t(), device));
    let grads = GradientsParams::from_grads(cost.backward(), &mlp);
    optimizer.step(eta, mlp, grads)
}
// ANCHOR_END: step

/// Chapter 8's initial weights: the first thing chapter 8's `train` draws
/// from its generator, seeded with `config.seed`.
pub fn initial_network(config: &Config, rng: &mut Rng) -> Network<f32> {
    config.network(rng)
}

/// The optimizer `config` asks for, as a Burn `ModuleOptimizer`.
pub fn optimizer(config: &Config) -> ModuleOptimizer {
    ModuleOptimizer::from(MomentumSgd {
        mu: config.momentum,
        lambda: config.weight_decay,
    })
}

// ANCHOR: train
/// Chapter 8's `train`, with Burn doing the work, in chapter 8's `fit`:
/// the network starts from chapter 8's initial weights (the same seed),
/// every epoch shuffles with the same generator, and each minibatch is
/// one [`burn_step`]. Measured after each epoch as chapter 8 measures;
/// returns the network of the best epoch on validation, and every
/// epoch's numbers.
pub fn train_burn(
    config: &Config,
    x: ArrayView2<f32>, // (784, n)
    labels: &[u8],
    x_val: ArrayView2<f32>,
    labels_val: &[u8],
    device: &Device, // an autodiff device
    report: impl FnMut(&EpochRecord),
) -> (Network<f32>, Vec<EpochRecord>) {
    let mut rng = seeded(config.seed);
    let mlp = from_network(&initial_network(config, &mut rng), device);
    let mut optimizer = optimizer(config);
    let train_epoch = |mlp: &mut Mlp, epoch| {
        let eta = config.eta_at(epoch);
        let mut order: Vec<usize> = (0..x.ncols()).collect();
        order.shuffle(&mut rng); // chapter 7's epoch_using, call for call
        for batch in order.chunks(config.batch_size) {
            let x_batch = x.select(Axis(1), batch);
            let labels_batch: Vec<u8> =
                batch.iter().map(|&k| labels[k]).collect();
            let (x_batch, l) = (x_batch.view(), &labels_batch[..]);
            let stepped =
                burn_step(mlp.clone(), &mut optimizer, eta, x_batch, l, device);
            *mlp = stepped;
        }
    };
    let y = labels_to_matrix::<f32>(labels); // (10, n)
    let measure = Measure::new(config.cost, x, y.view(), x_val, labels_val);
    let record =
        |mlp: &Mlp, epoch: Epoch<()>| measure.record(&to_network(mlp), epoch);
    let (best, history) = fit(mlp, config.epochs, train_epoch, record, report);
    (to_network(&best), history)
}
// ANCHOR_END: train
