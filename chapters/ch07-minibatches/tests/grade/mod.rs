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
