//! The graders of chapter 8's exercises.

use ndarray::{Array2, ArrayView2};
use proptest::prelude::*;
use shared::gradcheck::check_gradient;
use shared::rng::{normal_array, seeded, uniform};
use shared::testing::property;

/// Exercise 8.1.
pub fn accuracy(f: fn(ArrayView2<f32>, &[u8]) -> f64) {
    let outputs = ndarray::array![[0.9f32, 0.1, 0.2], [0.1, 0.8, 0.7]];
    assert_eq!(
        f(outputs.view(), &[0, 1, 0]),
        2.0 / 3.0,
        "columns say 0, 1, 1"
    );
    property(100, (1..50usize, any::<u64>()), |(n, seed)| {
        let mut rng = seeded(seed);
        let outputs = normal_array(&mut rng, (10, n), 1.0).mapv(|v| v as f32);
        let labels: Vec<u8> =
            (0..n).map(|_| uniform(&mut rng, 0.0, 10.0) as u8).collect();
        let predictions: Vec<u8> = outputs
            .columns()
            .into_iter()
            .map(|c| ch08_mnist::argmax(c.iter().copied()) as u8)
            .collect();
        let want = ch08_mnist::accuracy(&predictions, &labels);
        prop_assert!((f(outputs.view(), &labels) - want).abs() < 1e-12);
        Ok(())
    });
}

type MomentumStep = fn(&mut [f64], &mut [f64], &[f64], f64, f64, f64);

/// Exercise 8.2: with μ = 0, the step divided by −η must be the gradient of
/// C(w) = g·w + λ/2‖w‖², checked by finite differences; with momentum,
/// against the formula.
pub fn momentum_step(f: MomentumStep) {
    property(
        200,
        (1..8usize, any::<u64>(), 0.01..0.5f64, 0.0..0.1f64),
        |(n, seed, eta, lambda)| {
            let mut rng = seeded(seed);
            let w0: Vec<f64> = normal_array(&mut rng, n, 1.0).to_vec();
            let g: Vec<f64> = normal_array(&mut rng, n, 1.0).to_vec();
            let (mut w, mut v) = (w0.clone(), vec![0.0; n]);
            f(&mut w, &mut v, &g, eta, 0.0, lambda);
            let step: Vec<f64> =
                w.iter().zip(&w0).map(|(a, b)| (b - a) / eta).collect();
            let cost = |x: &[f64]| {
                x.iter()
                    .zip(&g)
                    .map(|(xi, gi)| gi * xi + 0.5 * lambda * xi * xi)
                    .sum::<f64>()
            };
            prop_assume!(step.iter().all(|s| s.abs() > 1e-3));
            let report = check_gradient(cost, &w0, &step);
            prop_assert!(report.passes(1e-6), "{report}");
            // A second step with momentum 0.9 adds 0.9 of the first.
            let (mut w2, mut v2) = (w0.clone(), vec![0.0; n]);
            f(&mut w2, &mut v2, &g, eta, 0.9, 0.0);
            f(&mut w2, &mut v2, &g, eta, 0.9, 0.0);
            for i in 0..n {
                let want = w0[i] - eta * g[i] - eta * g[i] * 1.9;
                prop_assert!(
                    (w2[i] - want).abs() < 1e-9,
                    "{} vs {want}",
                    w2[i]
                );
            }
            Ok(())
        },
    );
}

/// Exercise 8.3.
pub fn center_of_mass(f: fn(ArrayView2<f32>) -> (f32, f32)) {
    let mut dot = Array2::zeros((28, 28));
    dot[(3, 20)] = 1.0f32;
    assert_eq!(f(dot.view()), (3.0, 20.0), "a single bright pixel");
    property(100, any::<u64>(), |seed| {
        let image = normal_array(&mut seeded(seed), (28, 28), 1.0)
            .mapv(|v| v.abs() as f32);
        let (r, c) = f(image.view());
        let (wr, wc) = ch08_mnist::photo::center_of_mass(image.view());
        prop_assert!(
            (r - wr).abs() < 1e-3 && (c - wc).abs() < 1e-3,
            "({r}, {c}) vs ({wr}, {wc})"
        );
        Ok(())
    });
}

/// Exercise 8.4: within the budget (checked against the exercise's own
/// constant, which must not have grown), at most 5 epochs, and at least
/// 95 % on the validation images after training.
pub fn small_network(f: fn() -> ch08_mnist::Config, budget: usize) {
    use ch08_mnist::{images_to_matrix, labels_to_matrix, train};
    use ndarray::s;
    assert_eq!(budget, 15_000, "the budget is 15,000 parameters");
    let config = f();
    let sizes = &config.sizes;
    assert_eq!(sizes.first(), Some(&784), "the input is 784 pixels");
    assert_eq!(sizes.last(), Some(&10), "the output is 10 digits");
    let count = ch03_forward::ParameterCount::of(sizes)
        .unwrap_or_else(|e| panic!("sizes {sizes:?}: {e}"))
        .total();
    assert!(
        count <= budget,
        "{sizes:?} has {count} parameters, over the budget of {budget}"
    );
    assert!(
        (1..=5).contains(&config.epochs),
        "{} epochs: at most 5",
        config.epochs
    );
    let (train_set, _test_set) =
        shared::data::load(shared::data::DataSet::Mnist, &mut |line| {
            eprintln!("{line}")
        })
        .unwrap_or_else(|e| panic!("cannot load MNIST: {e}"));
    let x = images_to_matrix::<f32>(&train_set.images); // (784, 60000)
    let y = labels_to_matrix::<f32>(&train_set.labels); // (10, 60000)
    let (fit, check) = (s![.., ..50_000], s![.., 50_000..]);
    let labels_check = &train_set.labels[50_000..];
    let (_net, history) = train(
        &config,
        x.slice(fit),
        y.slice(fit),
        x.slice(check),
        labels_check,
        |_| {},
        || {},
    );
    let accuracy = history
        .last()
        .expect("one epoch or more")
        .validation_accuracy;
    eprintln!(
        "{sizes:?}, {count} parameters, {} epochs: {:.2} % on validation",
        config.epochs,
        100.0 * accuracy
    );
    assert!(
        accuracy >= 0.95,
        "{sizes:?} ({count} parameters) reaches {:.2} % on the validation \
         images after {} epochs; the target is 95 %",
        100.0 * accuracy,
        config.epochs
    );
}

/// Each grader above shown to reject a plausible wrong answer.
#[cfg(not(feature = "my-answers"))]
mod bite;
