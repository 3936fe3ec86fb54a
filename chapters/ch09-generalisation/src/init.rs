//! Better starts: why the initial weights' scale matters. A signal passing
//! through many layers is multiplied by each layer's weights; if each
//! layer multiplies its spread by a little more than 1 it explodes, a
//! little less and it dies away — and the gradients, which travel the
//! same layers backwards, do the same.

use ch07_minibatches::{Activation, Init, Network, forward_trace_batch};
use ndarray::ArrayView2;
use shared::rng::Rng;

// ANCHOR: spread
/// The standard deviation of every layer's activations when the images X
/// (784, m) pass through `depth` hidden layers of `width` neurons with
/// activation f, the weights drawn by `init`.
pub fn activation_spread(
    x: ArrayView2<f64>, // (784, m)
    init: Init,
    f: Activation,
    depth: usize,
    width: usize,
    rng: &mut Rng,
) -> Vec<f64> {
    let sizes = [vec![x.nrows()], vec![width; depth]].concat();
    let net = Network::new(&sizes, f, f, init, rng).expect("valid sizes");
    let trace = forward_trace_batch(&net, x);
    trace.activations[1..]
        .iter()
        .map(|a| {
            let mean = a.mean().unwrap_or(0.0);
            a.mapv(|v| (v - mean) * (v - mean))
                .mean()
                .unwrap_or(0.0)
                .sqrt()
        })
        .collect()
}
// ANCHOR_END: spread

/// The initialisations the figure compares, with their names.
pub const INITS: [(Init, &str); 3] = [
    (Init::StandardNormal, "N(0, 1)"),
    (Init::Scaled, "Xavier: N(0, 1/n)"),
    (Init::He, "He: N(0, 2/n)"),
];

/// The figure's network: 10 hidden layers of 256.
pub const DEEP: (usize, usize) = (10, 256);

#[cfg(test)]
mod tests {
    use super::*;
    use shared::rng::{normal_array, seeded};

    #[test]
    fn he_keeps_relu_signals_steady_and_n01_explodes_them() {
        let mut rng = seeded(1);
        let x = normal_array(&mut rng, (784, 200), 0.3).mapv(f64::abs);
        let (depth, width) = DEEP;
        let mut spread = |init| {
            activation_spread(
                x.view(),
                init,
                Activation::Relu,
                depth,
                width,
                &mut rng,
            )
        };
        let he = spread(Init::He);
        let ratio = he[9] / he[0];
        assert!((0.3..3.0).contains(&ratio), "He: {he:?}");
        let n01 = spread(Init::StandardNormal);
        assert!(n01[9] / n01[0] > 1e6, "N(0,1): {n01:?}");
        let xavier = spread(Init::Scaled);
        assert!(xavier[9] / xavier[0] < 0.1, "Xavier with ReLU: {xavier:?}");
    }
}
