//! Proves that every untouched exercise stub fails its grader, and that
//! each grader rejects a plausible wrong answer.

mod grade;

use std::ops::Range;

use ch07_minibatches::exercises;
use ndarray::{Array2, ArrayView2};
use rand::Rng as _;
use shared::rng::Rng;

#[test]
fn untouched_stubs_fail_their_graders() {
    shared::testing::assert_stubs_fail(&[
        ("7.1 minibatches", || {
            grade::minibatches(exercises::minibatches)
        }),
        ("7.2 shuffle", || grade::shuffle(exercises::shuffle)),
        ("7.3 batch_weight_gradient", || {
            grade::batch_weight_gradient(exercises::batch_weight_gradient)
        }),
    ]);
}

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

#[test]
fn graders_reject_plausible_wrong_answers() {
    shared::testing::assert_stubs_fail(&[
        ("7.1 without the last batch", || {
            grade::minibatches(minibatches_without_the_last)
        }),
        ("7.2 biased shuffle", || grade::shuffle(biased_shuffle)),
        ("7.3 summed, not averaged", || {
            grade::batch_weight_gradient(summed_weight_gradient)
        }),
    ]);
}
