//! The graders of chapter 9's exercises.

use ch09_generalisation::Settings;
use ch09_generalisation::augment::shift;
use ch09_generalisation::optim::adam_rule;
use ndarray::{Array2, ArrayView2};
use proptest::prelude::*;
use rand::Rng as _;
use shared::rng::{normal_array, seeded};
use shared::testing::{close, property};

/// Exercise 9.1: against A ⊙ M on random activations and masks; and the
/// mean of a large layer's activations is kept (the point of 1/(1 − p)).
pub fn inverted_dropout(
    f: fn(ArrayView2<f64>, ArrayView2<bool>, f64) -> Array2<f64>,
) {
    property(
        100,
        (1..20usize, 1..20usize, 0.0..0.9f64, any::<u64>()),
        |(n, m, p, seed)| {
            let mut rng = seeded(seed);
            let a = normal_array(&mut rng, (n, m), 1.0);
            let keep = Array2::from_shape_simple_fn((n, m), || {
                rng.random::<f64>() >= p
            });
            let got = f(a.view(), keep.view(), p);
            prop_assert_eq!(got.dim(), (n, m));
            for ((j, k), &v) in got.indexed_iter() {
                let want = if keep[(j, k)] {
                    a[(j, k)] / (1.0 - p)
                } else {
                    0.0
                };
                prop_assert!(
                    (v - want).abs() < 1e-12,
                    "entry ({}, {}): {} (want {})",
                    j,
                    k,
                    v,
                    want
                );
            }
            Ok(())
        },
    );
    let mut rng = seeded(1);
    let a = Array2::from_elem((200, 200), 1.0);
    let keep =
        Array2::from_shape_simple_fn((200, 200), || rng.random::<f64>() >= 0.5);
    let mean = f(a.view(), keep.view(), 0.5).mean().unwrap();
    assert!((mean - 1.0).abs() < 0.02, "mean activation {mean}, not ≈ 1");
}

/// Exercise 9.2: against the chapter's `shift` (bilinear sampling at whole
/// pixels) on random images and shifts.
pub fn shift_image(f: fn(ArrayView2<f32>, i32, i32) -> Array2<f32>) {
    property(
        100,
        (-4..=4i32, -4..=4i32, any::<u64>()),
        |(dx, dy, seed)| {
            let mut rng = seeded(seed);
            let image =
                normal_array(&mut rng, (28, 28), 1.0).mapv(|v| v.abs() as f32);
            let got = f(image.view(), dx, dy);
            let want = shift(image.view(), dx, dy);
            prop_assert_eq!(got.dim(), (28, 28));
            prop_assert!(
                close(&got, &want, 1e-6),
                "shift by ({}, {}) differs",
                dx,
                dy
            );
            Ok(())
        },
    );
}

type AdamStep = fn(&mut [f64], &mut [f64], &mut [f64], &[f64], i32, f64);

/// Exercise 9.3: five steps against the chapter's Adam rule, from zero
/// and from running means already under way.
pub fn adam_step(f: AdamStep) {
    property(
        100,
        (1..8usize, any::<u64>(), 0.0001..0.1f64),
        |(n, seed, eta)| {
            let mut rng = seeded(seed);
            let mut w: Vec<f64> = normal_array(&mut rng, n, 1.0).to_vec();
            let (mut m, mut v) = (vec![0.0; n], vec![0.0; n]);
            let (mut w2, mut m2, mut v2) = (w.clone(), m.clone(), v.clone());
            for t in 1..=5 {
                let g: Vec<f64> = normal_array(&mut rng, n, 1.0).to_vec();
                f(&mut w, &mut m, &mut v, &g, t, eta);
                let rule = adam_rule(eta, t, 0.0);
                for i in 0..n {
                    rule(&mut w2[i], &mut m2[i], &mut v2[i], &g[i]);
                }
                for i in 0..n {
                    prop_assert!(
                        (w[i] - w2[i]).abs() < 1e-12
                            && (m[i] - m2[i]).abs() < 1e-12
                            && (v[i] - v2[i]).abs() < 1e-12,
                        "step {}, parameter {}: w {} m {} v {}, want w {} m {} v {}",
                        t,
                        i,
                        w[i],
                        m[i],
                        v[i],
                        w2[i],
                        m2[i],
                        v2[i]
                    );
                }
            }
            Ok(())
        },
    );
}

/// Exercise 9.4: only the regularisation of the 1,000-image run may
/// change; the best epoch must reach `tamed` % on validation.
pub fn tame_overfitting(f: fn() -> Settings, tamed: f64) {
    use ch08_mnist::Mnist;
    use ch09_generalisation::run::small_baseline;
    let settings = f();
    assert!(
        (1..=100).contains(&settings.epochs),
        "{} epochs: at most 100",
        settings.epochs
    );
    let same = Settings {
        weight_decay: 0.0,
        dropout: 0.0,
        augment: ch09_generalisation::augment::Augment::NONE,
        epochs: 100,
        ..settings.clone()
    };
    assert_eq!(
        same,
        small_baseline(100),
        "change only weight_decay, dropout, augment and epochs"
    );
    let mnist = Mnist::load(shared::data::DataSet::Mnist)
        .unwrap_or_else(|e| panic!("MNIST: {e}"));
    let (_, history) =
        ch09_generalisation::train(&settings, &mnist.first(1000), |_| ());
    let best = ch08_mnist::best_epoch(&history).expect("epochs");
    let accuracy = 100.0 * best.validation_accuracy;
    assert!(
        accuracy >= tamed,
        "validation accuracy {accuracy:.2} % (epoch {}), below {tamed} %",
        best.epoch
    );
    eprintln!(
        "validation accuracy {accuracy:.2} % at epoch {}",
        best.epoch
    );
}

/// Each grader above shown to reject a plausible wrong answer.
#[cfg(not(feature = "my-answers"))]
mod bite;
