//! Each grader rejects a plausible wrong answer, so a pass means something.
//! Compiled into the graders' own test binary (`--test exercises`), except
//! when grading your answers.
//! (That every shipped stub fails is checked by `cargo exercises verify`,
//! in `.ci/run`: here it would fail as soon as a learner solved one.)

use crate::grade;

use std::ops::Range;

use ch07_minibatches::{Cost, Network, backprop_batch};
use ndarray::{Array2, ArrayView2, Axis};
use rand::Rng as _;
use shared::rng::Rng;

/// Drops the last, short minibatch: an off-by-one.
fn minibatches_without_the_last(n: usize, size: usize) -> Vec<Range<usize>> {
    (0..n / size).map(|k| k * size..(k + 1) * size).collect()
}

/// Swaps with any position at every step: every order is reachable, but
/// not equally often.
fn biased_shuffle(items: &mut [usize], rng: &mut Rng) {
    let n = items.len();
    for i in 0..n {
        let j = rng.random_range(0..n);
        items.swap(i, j);
    }
}

/// Sums the outer products instead of averaging them.
fn summed_weight_gradient(
    delta: ArrayView2<f64>,
    a_in: ArrayView2<f64>,
) -> Array2<f64> {
    delta.dot(&a_in.t())
}

/// One epoch in the order given, or shuffled, stepping by `sign`·η.
fn epoch(
    net: &mut Network<f64>,
    x: ArrayView2<f64>,
    y: ArrayView2<f64>,
    batch_size: usize,
    step: f64,
    order: Vec<usize>,
) {
    for batch in order.chunks(batch_size) {
        let (xb, yb) = (x.select(Axis(1), batch), y.select(Axis(1), batch));
        let grads = backprop_batch(net, xb.view(), yb.view(), Cost::Quadratic);
        for (l, layer) in net.layers.iter_mut().enumerate() {
            layer.w.scaled_add(step, &grads.nabla_w[l]);
            layer.b.scaled_add(step, &grads.nabla_b[l]);
        }
    }
}

/// Steps *with* the gradient: the cost climbs.
fn train_epoch_uphill(
    net: &mut Network<f64>,
    x: ArrayView2<f64>,
    y: ArrayView2<f64>,
    batch_size: usize,
    eta: f64,
    rng: &mut Rng,
) {
    let mut order: Vec<usize> = (0..x.ncols()).collect();
    rand::seq::SliceRandom::shuffle(order.as_mut_slice(), rng);
    epoch(net, x, y, batch_size, eta, order);
}

/// Never shuffles: the same minibatches every epoch, whatever the seed.
fn train_epoch_in_order(
    net: &mut Network<f64>,
    x: ArrayView2<f64>,
    y: ArrayView2<f64>,
    batch_size: usize,
    eta: f64,
    _rng: &mut Rng,
) {
    epoch(net, x, y, batch_size, -eta, (0..x.ncols()).collect());
}

#[test]
fn graders_reject_plausible_wrong_answers() {
    shared::testing::assert_graders_reject(&[
        ("7.1 without the last batch", || {
            grade::minibatches(minibatches_without_the_last)
        }),
        ("7.2 biased shuffle", || grade::shuffle(biased_shuffle)),
        ("7.3 summed, not averaged", || {
            grade::batch_weight_gradient(summed_weight_gradient)
        }),
        ("7.4 uphill", || grade::train_epoch(train_epoch_uphill)),
        ("7.4 never shuffled", || {
            grade::train_epoch(train_epoch_in_order)
        }),
    ]);
}
