//! The graders of chapter 14's exercises, with no answer key: 14.1 against
//! chapter 7's backprop of the whole minibatch, 14.2 by Burn's gradients
//! against chapter 7's backprop of the same sigmoid network, 14.3 against
//! one Burn step on the whole minibatch.

use burn::optim::ModuleOptimizer;
use burn::prelude::*;
use ch07_minibatches::{Activation, Cost, Gradients, Init, Network};
use ch08_mnist::labels_to_matrix;
use ch14_burn::compare::{
    cross_entropy, gradient_difference, parameter_gradients,
};
use ch14_burn::model::{Mlp, from_network, tensor, to_network};
use ch14_burn::train::{MomentumSgd, burn_step};
use ndarray::{Array2, ArrayView2};
use rand::Rng as _;
use shared::rng::{normal_array, seeded};

/// A random minibatch of m samples with n_in features and digit labels.
fn minibatch<T: shared::Real>(
    rng: &mut shared::rng::Rng,
    n_in: usize,
    m: usize,
) -> (Array2<T>, Vec<u8>) {
    let x = normal_array(rng, (n_in, m), 1.0).mapv(T::from_f64);
    let labels = (0..m).map(|_| rng.random_range(0..10u8)).collect();
    (x, labels)
}

fn network<T: shared::Real>(
    rng: &mut shared::rng::Rng,
    sizes: &[usize],
    hidden: Activation,
) -> Network<T> {
    Network::new(sizes, hidden, Activation::Softmax, Init::He, rng)
        .expect("valid sizes")
}

/// Exercise 14.1's signature.
pub type SplitGradient = fn(
    &Network<f64>,
    ArrayView2<f64>,
    ArrayView2<f64>,
    Cost,
    &[usize],
) -> Gradients<f64>;

/// Exercise 14.3's signature.
pub type AccumulatedStep = fn(
    Mlp,
    &mut ModuleOptimizer,
    f64,
    ArrayView2<f32>,
    &[u8],
    usize,
    &Device,
) -> Mlp;

/// Exercise 14.1's grader.
pub fn split_gradient(answer: SplitGradient) {
    let cases: [(&[usize], &[usize]); 4] = [
        (&[5, 4, 10], &[3, 7]),
        (&[6, 8, 5, 10], &[1, 2, 3, 6]),
        (&[4, 10], &[10]),
        (&[3, 7, 10], &[9, 1, 1, 2]),
    ];
    for (seed, (sizes, shares)) in cases.into_iter().enumerate() {
        let mut rng = seeded(seed as u64);
        let net = network::<f64>(&mut rng, sizes, Activation::Sigmoid);
        let m = shares.iter().sum();
        let (x, labels) = minibatch::<f64>(&mut rng, sizes[0], m);
        let y = labels_to_matrix::<f64>(&labels);
        let cost = Cost::CrossEntropy;
        let whole =
            ch07_minibatches::backprop_batch(&net, x.view(), y.view(), cost);
        let split = answer(&net, x.view(), y.view(), cost, shares);
        let worst = difference(&whole, &split);
        assert!(
            worst <= 1e-12,
            "network {sizes:?}, shares {shares:?}: the pieces' gradient \
             differs from the whole minibatch's by {worst:.1e}"
        );
    }
}

fn difference(a: &Gradients<f64>, b: &Gradients<f64>) -> f64 {
    assert_eq!(a.nabla_w.len(), b.nabla_w.len(), "one gradient per layer");
    let mut worst = 0.0f64;
    for (p, q) in a.nabla_w.iter().zip(&b.nabla_w) {
        assert_eq!(p.dim(), q.dim(), "∂C/∂W shaped like W");
        worst = p
            .iter()
            .zip(q)
            .fold(worst, |m, (u, v)| m.max((u - v).abs()));
    }
    for (p, q) in a.nabla_b.iter().zip(&b.nabla_b) {
        assert_eq!(p.dim(), q.dim(), "∂C/∂b shaped like b");
        worst = p
            .iter()
            .zip(q)
            .fold(worst, |m, (u, v)| m.max((u - v).abs()));
    }
    worst
}

/// Exercise 14.2's grader.
pub fn sigmoid_forward(answer: fn(&Mlp, Tensor<2>) -> Tensor<2>) {
    let cases: [&[usize]; 3] = [&[6, 5, 10], &[8, 7, 6, 10], &[5, 4, 4, 4, 10]];
    let device = Device::flex().autodiff();
    for (seed, sizes) in cases.into_iter().enumerate() {
        let mut rng = seeded(100 + seed as u64);
        let net = network::<f32>(&mut rng, sizes, Activation::Sigmoid);
        let (x, labels) = minibatch::<f32>(&mut rng, sizes[0], 9);
        let y = labels_to_matrix::<f32>(&labels);
        let mlp = from_network(&net, &device);
        let z = answer(&mlp, tensor(x.t(), &device));
        assert_eq!(z.dims(), [9, 10], "logits are (m, n_out)");
        let burns =
            parameter_gradients(&mlp, cross_entropy(z, tensor(y.t(), &device)));
        let ours = ch07_minibatches::backprop_batch(
            &net,
            x.view(),
            y.view(),
            Cost::CrossEntropy,
        );
        let (worst, largest) = gradient_difference(&ours, &burns);
        assert!(
            worst <= 1e-5,
            "network {sizes:?} with sigmoid hidden layers: Burn's \
             gradients of your forward pass differ from chapter 7's \
             backprop by {worst:.1e} (largest gradient {largest:.2})"
        );
    }
}

/// Exercise 14.3's grader.
pub fn accumulated_step(answer: AccumulatedStep) {
    let device = Device::flex().autodiff();
    for (seed, (m, micro)) in [(24, 5), (16, 8), (12, 12), (10, 1)]
        .into_iter()
        .enumerate()
    {
        let mut rng = seeded(200 + seed as u64);
        let net = network::<f32>(&mut rng, &[12, 8, 10], Activation::Relu);
        let optimizer = || {
            ModuleOptimizer::from(MomentumSgd {
                mu: 0.9,
                lambda: 1e-3,
            })
        };
        let (mut theirs, mut ours) = (optimizer(), optimizer());
        let (mut a, mut b) =
            (from_network(&net, &device), from_network(&net, &device));
        // Two steps, so the optimizer's velocity carries the first.
        for _ in 0..2 {
            let (x, labels) = minibatch::<f32>(&mut rng, 12, m);
            a = answer(a, &mut theirs, 0.5, x.view(), &labels, micro, &device);
            b = burn_step(b, &mut ours, 0.5, x.view(), &labels, &device);
        }
        let (a, b) = (to_network(&a), to_network(&b));
        for (l, (p, q)) in a.layers.iter().zip(&b.layers).enumerate() {
            let worst =
                p.w.iter()
                    .zip(&q.w)
                    .fold(0.0f32, |m, (u, v)| m.max((u - v).abs()));
            assert!(
                worst <= 1e-5,
                "minibatch {m} in micro-batches of {micro}: after two \
                 steps, layer {} weights differ from one step on the \
                 whole minibatch by {worst:.1e}",
                l + 1
            );
        }
    }
}

/// Each grader above shown to reject a plausible wrong answer.
#[cfg(not(feature = "my-answers"))]
mod bite;
