//! Reading a run's curves, as CS231n teaches: the training loss step by
//! step at a learning rate too low, one about right and one too high, and
//! each layer's update-to-weight ratio ‖ΔW‖/‖W‖ along the way.

use ch07_minibatches::fast::Trainer;
use ch07_minibatches::{Activation, Cost, Init, Network};
use ch08_mnist::{Mnist, Optimizer, labels_to_matrix};
use ndarray::{Array2, ArrayView2};
use shared::rng::seeded;

use crate::train::loss_and_accuracy;

/// The network the curves are drawn for: section 1's, 784-100-10.
pub const SIZES: [usize; 3] = [784, 100, 10];
/// Momentum μ and minibatch size, chapter 8's.
pub const MOMENTUM: f64 = 0.9;
/// Samples per minibatch.
pub const BATCH: usize = 64;

// ANCHOR: ratio
/// ‖ΔW‖/‖W‖: how large a step was beside the weights it moved (Frobenius
/// norms). CS231n's rule of thumb: about 10⁻³; far below, learning
/// crawls; far above, it is unstable.
pub fn update_ratio(before: ArrayView2<f32>, after: ArrayView2<f32>) -> f64 {
    let delta_w = &after - &before;
    norm(delta_w.view()) / norm(before)
}

/// The Frobenius norm ‖M‖ = √(Σ m²), summed in f64.
fn norm(m: ArrayView2<f32>) -> f64 {
    m.iter()
        .map(|&v| f64::from(v) * f64::from(v))
        .sum::<f64>()
        .sqrt()
}
// ANCHOR_END: ratio

/// One run's curves.
#[derive(Clone, Debug)]
pub struct Curve {
    /// Its learning rate η.
    pub eta: f64,
    /// The minibatch's mean cost before each step.
    pub losses: Vec<f64>,
    /// Each layer's ‖ΔW‖/‖W‖ at each step: `ratios[l][step]`.
    pub ratios: Vec<Vec<f64>>,
    /// Validation accuracy after the epoch (NaN weights read nothing).
    pub validation: f64,
}

/// One epoch of momentum SGD on `data` at each learning rate, from the
/// same first weights and the same shuffle, recording every step.
pub fn curves(data: &Mnist, etas: &[f64]) -> Vec<Curve> {
    let y = labels_to_matrix::<f32>(&data.labels);
    etas.iter()
        .map(|&eta| {
            let mut rng = seeded(shared::rng::DEFAULT_SEED);
            let mut net = Network::new(
                &SIZES,
                Activation::Relu,
                Activation::Softmax,
                Init::He,
                &mut rng,
            )
            .expect("fixed sizes");
            let mut optimizer = Optimizer::new(&net, MOMENTUM, 0.0);
            let mut trainer = Trainer::new(&net, data.x.ncols(), BATCH);
            let mut ratios = vec![Vec::new(); SIZES.len() - 1];
            let before = |net: &Network<f32>| -> Vec<Array2<f32>> {
                net.layers.iter().map(|l| l.w.clone()).collect()
            };
            trainer.epoch_with(
                &mut net,
                data.x.view(),
                y.view(),
                Cost::CrossEntropy,
                BATCH,
                &mut rng,
                |net, g| {
                    let old = before(net);
                    optimizer.step_fast(net, g, eta as f32);
                    for (l, layer) in net.layers.iter().enumerate() {
                        let r = update_ratio(old[l].view(), layer.w.view());
                        ratios[l].push(r);
                    }
                },
            );
            let validation = match all_finite(&net) {
                true => {
                    loss_and_accuracy(&net, data.x_val.view(), &data.labels_val)
                        .1
                }
                false => f64::NAN,
            };
            Curve {
                eta,
                losses: trainer.step_costs.clone(),
                ratios,
                validation,
            }
        })
        .collect()
}

fn all_finite(net: &Network<f32>) -> bool {
    net.layers
        .iter()
        .all(|l| l.w.iter().chain(&l.b).all(|v| v.is_finite()))
}

/// The mean of the `window` values up to and including each one (fewer
/// at the start); non-finite values stay as they are.
pub fn smoothed(values: &[f64], window: usize) -> Vec<f64> {
    (0..values.len())
        .map(|i| {
            let part = &values[(i + 1).saturating_sub(window)..=i];
            part.iter().sum::<f64>() / part.len() as f64
        })
        .collect()
}

/// The median of the finite values (NaN if there are none).
pub fn median(values: &[f64]) -> f64 {
    let mut finite: Vec<f64> =
        values.iter().copied().filter(|v| v.is_finite()).collect();
    if finite.is_empty() {
        return f64::NAN;
    }
    finite.sort_by(f64::total_cmp);
    finite[finite.len() / 2]
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn the_ratio_is_the_step_over_the_weights() {
        let w = array![[3.0f32, 4.0]]; // ‖W‖ = 5
        let moved = array![[3.0f32, 4.5]]; // ‖ΔW‖ = 0.5
        assert!((update_ratio(w.view(), moved.view()) - 0.1).abs() < 1e-7);
        assert_eq!(update_ratio(w.view(), w.view()), 0.0);
    }

    #[test]
    fn smoothing_and_the_median_read_as_their_names_say() {
        assert_eq!(smoothed(&[1.0, 3.0, 5.0, 7.0], 2), [1.0, 2.0, 4.0, 6.0]);
        assert_eq!(median(&[5.0, f64::NAN, 1.0, 3.0]), 3.0);
        assert!(median(&[f64::INFINITY]).is_nan());
    }
}
