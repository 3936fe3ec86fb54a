//! The graders of chapter 7's exercises.

use std::ops::Range;

use ch06_backprop::outer;
use ndarray::{Array2, ArrayView2};
use proptest::prelude::*;
use shared::rng::{Rng, normal_array, seeded};
use shared::testing::property;

/// Exercise 7.1.
pub fn minibatches(f: fn(usize, usize) -> Vec<Range<usize>>) {
    assert_eq!(f(7, 3), vec![0..3, 3..6, 6..7], "n = 7, size 3");
    assert_eq!(f(6, 3), vec![0..3, 3..6], "n = 6, size 3");
    assert_eq!(f(0, 4), vec![], "no samples, no batches");
    property(200, (0..500usize, 1..64usize), |(n, size)| {
        let batches = f(n, size);
        let flat: Vec<usize> = batches.iter().flat_map(|r| r.clone()).collect();
        prop_assert_eq!(
            flat,
            (0..n).collect::<Vec<_>>(),
            "every sample once, in order"
        );
        prop_assert!(batches.iter().all(|r| !r.is_empty() && r.len() <= size));
        prop_assert_eq!(batches.len(), n.div_ceil(size));
        Ok(())
    });
}

/// Exercise 7.2.
pub fn shuffle(f: fn(&mut [usize], &mut Rng)) {
    let run = |seed: u64, n: usize| {
        let mut items: Vec<usize> = (0..n).collect();
        f(&mut items, &mut seeded(seed));
        items
    };
    assert_eq!(run(1, 50), run(1, 50), "the same seed gives the same order");
    let mut sorted = run(1, 50);
    sorted.sort_unstable();
    assert_eq!(sorted, (0..50).collect::<Vec<_>>(), "a permutation");
    assert_ne!(run(1, 50), (0..50).collect::<Vec<_>>(), "actually shuffled");
    // Uniform: over 12,000 shuffles of 3 items each of the 6 orders should
    // appear about 2,000 times. Pearson's χ² statistic, Σ (seen − expected)²
    // / expected, has 5 degrees of freedom; a fair shuffle exceeds 20.5 once
    // in a thousand seeds. The classic bug — swapping with any position,
    // `random_range(0..n)`, at every step — makes 3 orders 5/27 likely and 3
    // orders 4/27, which puts χ² near 150.
    let mut rng = seeded(7);
    let mut counts = std::collections::HashMap::new();
    let trials = 12_000;
    for _ in 0..trials {
        let mut items = vec![0, 1, 2];
        f(&mut items, &mut rng);
        *counts.entry(items).or_insert(0usize) += 1;
    }
    assert_eq!(counts.len(), 6, "all orders occur: {counts:?}");
    let expected = trials as f64 / 6.0;
    let chi2: f64 = counts
        .values()
        .map(|&c| (c as f64 - expected).powi(2) / expected)
        .sum();
    assert!(chi2 < 20.5, "uneven: χ² = {chi2:.1}, counts {counts:?}");
}

/// Exercise 7.3.
pub fn batch_weight_gradient(
    f: fn(ArrayView2<f64>, ArrayView2<f64>) -> Array2<f64>,
) {
    property(
        200,
        (1..8usize, 1..8usize, 1..10usize, any::<u64>()),
        |(n_out, n_in, m, seed)| {
            let mut rng = seeded(seed);
            let delta = normal_array(&mut rng, (n_out, m), 1.0);
            let a_in = normal_array(&mut rng, (n_in, m), 1.0);
            let mut want = Array2::zeros((n_out, n_in));
            for (d, a) in delta.columns().into_iter().zip(a_in.columns()) {
                want += &(outer(&d.to_owned(), &a.to_owned()) / m as f64);
            }
            let got = f(delta.view(), a_in.view());
            prop_assert_eq!(got.dim(), (n_out, n_in), "shape (n_out, n_in)");
            for (g, w) in got.iter().zip(&want) {
                prop_assert!((g - w).abs() < 1e-12, "got {got}, want {want}");
            }
            Ok(())
        },
    );
}

type TrainEpoch = fn(
    &mut ch07_minibatches::Network<f64>,
    ArrayView2<f64>,
    ArrayView2<f64>,
    usize,
    f64,
    &mut Rng,
);

/// 256 points in [−1, 1]², labelled 1 inside the circle x² + y² < ½.
fn disc_problem() -> (Array2<f64>, Array2<f64>) {
    let mut rng = seeded(11);
    let x = Array2::from_shape_simple_fn((2, 256), || {
        shared::rng::uniform(&mut rng, -1.0, 1.0)
    });
    let y = x
        .columns()
        .into_iter()
        .map(|p| f64::from(u8::from(p[0] * p[0] + p[1] * p[1] < 0.5)))
        .collect::<Vec<f64>>();
    (x, Array2::from_shape_vec((1, 256), y).unwrap())
}

fn sigmoid_network(
    sizes: &[usize],
    seed: u64,
) -> ch07_minibatches::Network<f64> {
    use ch07_minibatches::{Activation, Init, Network};
    let sigmoid = Activation::Sigmoid;
    Network::new(sizes, sigmoid, sigmoid, Init::Scaled, &mut seeded(seed))
        .unwrap()
}

/// Exercise 7.4, graded by what training does:
/// - with the whole set as one minibatch, an epoch is exactly one step of
///   full-batch gradient descent;
/// - the order comes from `rng`: two seeds, two different networks; one
///   seed, the same network;
/// - from three different starts, 300 epochs in minibatches of 16 classify
///   at least 95 % of the disc problem's points and cut the cost by 80 %.
pub fn train_epoch(f: TrainEpoch) {
    use ch07_minibatches::{
        Cost, apply_gradients, average_cost, backprop_batch,
    };
    let (x, y) = disc_problem();
    let n = x.ncols();

    let mut full = sigmoid_network(&[2, 5, 1], 1);
    let mut want = full.clone();
    f(&mut full, x.view(), y.view(), n, 0.5, &mut seeded(2));
    let grads = backprop_batch(&want, x.view(), y.view(), Cost::Quadratic);
    apply_gradients(&mut want, &grads, 0.5);
    let d = ch07_minibatches::fast::network_difference(&full, &want);
    assert!(
        d < 1e-12,
        "one minibatch of all {n} samples should be one gradient step with \
         η = 0.5; the weights differ by up to {d:e}"
    );

    let run = |seed: u64| {
        let mut net = sigmoid_network(&[2, 5, 1], 1);
        f(&mut net, x.view(), y.view(), 16, 0.5, &mut seeded(seed));
        net
    };
    assert_eq!(run(3), run(3), "the same seed must give the same epoch");
    assert_ne!(
        run(3),
        run(4),
        "two seeds gave the same network: is the order drawn from `rng`?"
    );

    for start in [5, 6, 7] {
        let mut net = sigmoid_network(&[2, 8, 1], start);
        let before = average_cost(&net, x.view(), y.view(), Cost::Quadratic);
        let mut rng = seeded(start);
        for _ in 0..300 {
            f(&mut net, x.view(), y.view(), 16, 3.0, &mut rng);
        }
        let after = average_cost(&net, x.view(), y.view(), Cost::Quadratic);
        let a = net.feedforward_batch(x.view());
        let right = a
            .iter()
            .zip(y.iter())
            .filter(|(a, y)| (**a > 0.5) == (**y > 0.5))
            .count();
        let accuracy = right as f64 / n as f64;
        assert!(
            after < 0.2 * before && accuracy >= 0.95,
            "start {start}: after 300 epochs the cost went from {before:.4} \
             to {after:.4} (want below {:.4}) and {:.1} % of points are \
             right (want 95 %)",
            0.2 * before,
            100.0 * accuracy
        );
    }
}

/// Each grader above shown to reject a plausible wrong answer.
#[cfg(not(feature = "my-answers"))]
mod bite;
