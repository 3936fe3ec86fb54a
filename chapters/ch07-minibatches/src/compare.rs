//! The three update frequencies on the same data, the same network
//! and the same number of epochs: online (one sample per update),
//! minibatch, and full batch (the whole data set per update).

use ch06_backprop::one_hot;
use ch06_backprop::xor::{fresh_network, xor_data};
use ndarray::Array2;
use shared::rng::{DEFAULT_SEED, seeded};

use crate::{Cost, Sgd, average_cost, sgd_epoch};

/// Epochs every setting trains for.
pub const EPOCHS: usize = 60;
/// The learning rate every setting uses.
pub const ETA: f64 = 0.3;
/// Points in the data set.
pub const N: usize = 200;

/// One setting's training history.
#[derive(Clone, Debug)]
pub struct Curve {
    /// Samples per update.
    pub batch_size: usize,
    /// Average cost before training and after each epoch.
    pub losses: Vec<f64>,
    /// Updates made by the end of each epoch (0 before training).
    pub updates: Vec<usize>,
}

/// Trains chapter 6's 2-8-8-2 on 200 XOR points with batch sizes 1 (online),
/// 10 (minibatch) and 200 (full batch).
pub fn update_frequencies() -> Vec<Curve> {
    let (x, _, labels) = xor_data(&mut seeded(DEFAULT_SEED), N);
    let mut y = Array2::zeros((2, N)); // (2, samples)
    for (k, &label) in labels.iter().enumerate() {
        y.column_mut(k)
            .assign(&one_hot::<f64>(label, 2).expect("0 or 1"));
    }
    [1, 10, N]
        .into_iter()
        .map(|batch_size| {
            let mut net = fresh_network();
            let mut rng = seeded(DEFAULT_SEED);
            let cost = Cost::CrossEntropy;
            let sgd = Sgd {
                eta: ETA,
                batch_size,
            };
            let mut losses = vec![average_cost(&net, x.view(), y.view(), cost)];
            let mut updates = vec![0];
            for _ in 0..EPOCHS {
                let made = sgd_epoch(
                    &mut net,
                    x.view(),
                    y.view(),
                    cost,
                    sgd,
                    &mut rng,
                );
                updates.push(updates[updates.len() - 1] + made);
                losses.push(average_cost(&net, x.view(), y.view(), cost));
            }
            Curve {
                batch_size,
                losses,
                updates,
            }
        })
        .collect()
}
