//! The graders of chapter 12's exercises. The gradients are graded by
//! finite differences, with no answer key.

use ch12_sequences::language::{draw_windows, flat, with_flat};
use ch12_sequences::lookup::{lookup, next_token_loss};
use ch12_sequences::rnn::{Rnn, per_step, predictions};
use ndarray::{Array2, ArrayView2, s};
use proptest::prelude::*;
use rand::Rng as _;
use shared::gradcheck::{SMOOTH_TOLERANCE, check_gradient, check_measurable};
use shared::rng::{normal_array, seeded};
use shared::testing::property;

/// Exercise 12.1: against the chapter's counting, random counts and α;
/// every column a distribution.
pub fn bigram_probabilities(f: fn(ArrayView2<f64>, f64) -> Array2<f64>) {
    property(
        60,
        (1..8usize, 0.01..3.0f64, any::<u64>()),
        |(v, alpha, seed)| {
            let counts = normal_array(&mut seeded(seed), (v, v), 4.0)
                .mapv(|x| (x.abs() * 3.0).floor());
            let got = f(counts.view(), alpha);
            let want = ch12_sequences::count::bigram_probabilities(
                counts.view(),
                alpha,
            );
            prop_assert_eq!(got.dim(), want.dim(), "shape");
            for column in got.columns() {
                let total: f64 = column.sum();
                prop_assert!(
                    (total - 1.0).abs() < 1e-12,
                    "a column sums to {}",
                    total
                );
            }
            for (a, b) in got.iter().zip(&want) {
                prop_assert!((a - b).abs() < 1e-12, "{} (want {})", a, b);
            }
            Ok(())
        },
    );
}

/// Exercise 12.2: against central differences of C = Σ δ ⊙ lookup(W),
/// with tokens read more than once.
pub fn lookup_gradient(f: fn(ArrayView2<f64>, &[usize], usize) -> Array2<f64>) {
    property(
        40,
        (1..4usize, 2..6usize, any::<u64>()),
        |(rows, vocab, seed)| {
            let mut rng = seeded(seed);
            let w = normal_array(&mut rng, (rows, vocab), 1.0);
            let tokens: Vec<usize> =
                (0..3 * vocab).map(|i| (i * 7 + 1) % vocab).collect();
            let delta = normal_array(&mut rng, (rows, tokens.len()), 1.0);
            let cost = |v: &[f64]| {
                let w =
                    ArrayView2::from_shape((rows, vocab), v).expect("shape");
                (&lookup(w, &tokens) * &delta).sum()
            };
            let got = f(delta.view(), &tokens, vocab);
            prop_assert_eq!(got.dim(), (rows, vocab), "shape");
            let flat: Vec<f64> = w.iter().copied().collect();
            let g: Vec<f64> = got.iter().copied().collect();
            let report = check_gradient(cost, &flat, &g);
            prop_assert!(report.passes(SMOOTH_TOLERANCE), "{}", report);
            Ok(())
        },
    );
}

type Bptt = fn(
    &Rnn<f64>,
    ArrayView2<usize>,
    &[Array2<f64>],
    &[Array2<f64>],
) -> Rnn<f64>;

/// The parameters of an RNN, with their names on the page.
fn parts(m: &Rnn<f64>) -> [(&'static str, &Array2<f64>); 5] {
    [
        ("W_xh", &m.w_xh),
        ("W_hh", &m.w_hh),
        ("b", &m.b),
        ("W_hy", &m.w_hy),
        ("c", &m.c),
    ]
}

/// The mean next-token loss of `model` on `windows`, and ∂C/∂zₜ per step.
fn loss(
    model: &Rnn<f64>,
    windows: ArrayView2<usize>,
) -> (f64, Vec<Array2<f64>>) {
    let x = windows.slice(s![..-1, ..]);
    let (_, z) = model.forward(x);
    let (all, next) = predictions(windows, &z);
    let (cost, dz) = next_token_loss(all.view(), &next);
    (cost, per_step(dz.view(), z.len()))
}

/// Exercise 12.3: against central differences of the loss, for random
/// networks (biases included) on random sequences of 5 to 9 steps.
pub fn rnn_bptt(f: Bptt) {
    property(
        24,
        (5..10usize, 1..4usize, 2..6usize, 2..5usize, any::<u64>()),
        |(len, batch, vocab, hidden, seed)| {
            let mut rng = seeded(seed);
            let mut model = Rnn::<f64>::new(vocab, hidden, &mut rng);
            model.b = normal_array(&mut rng, (hidden, 1), 0.5);
            model.c = normal_array(&mut rng, (vocab, 1), 0.5);
            let stream: Vec<usize> =
                (0..64).map(|_| rng.random_range(0..vocab)).collect();
            let windows = draw_windows(&stream, len + 1, batch, &mut rng);
            let x = windows.slice(s![..-1, ..]);
            let (h, _) = model.forward(x);
            prop_assert_eq!(h.len(), len + 1, "h₀ … h_L");
            let (_, dz) = loss(&model, windows.view());
            let got = f(&model, x, &h, &dz);
            for ((name, g), (_, p)) in parts(&got).iter().zip(parts(&model)) {
                prop_assert_eq!(g.dim(), p.dim(), "the shape of ∂C/∂{}", name);
            }
            let cost =
                |v: &[f64]| loss(&with_flat(&model, v), windows.view()).0;
            let at = flat(&model);
            let report = check_measurable(cost, &at, &flat(&got));
            prop_assert!(report.passes(SMOOTH_TOLERANCE), "{}", report);
            Ok(())
        },
    );
}

/// softmax(z / τ) computed straight from the definition (it overflows
/// for large z: the graders use it only on small ones).
fn softmax_by_definition(z: &[f64], temperature: f64) -> Vec<f64> {
    let e: Vec<f64> = z.iter().map(|v| (v / temperature).exp()).collect();
    let total: f64 = e.iter().sum();
    e.iter().map(|v| v / total).collect()
}

/// Exercise 12.4: a distribution; softmax(z / τ), the softmax itself at
/// τ = 1; unchanged by a constant added to every z; sharp for small τ,
/// flat for large; no overflow.
pub fn softmax_with_temperature(f: fn(&[f64], f64) -> Vec<f64>) {
    property(
        60,
        (
            prop::collection::vec(-5.0..5.0f64, 2..8),
            0.2..5.0f64,
            -600.0..600.0f64,
        ),
        |(z, t, shift)| {
            for t in [t, 1.0] {
                let p = f(&z, t);
                prop_assert_eq!(p.len(), z.len());
                let total = p.iter().sum::<f64>();
                prop_assert!(
                    (total - 1.0).abs() < 1e-12,
                    "sums to {} at τ = {}",
                    total,
                    t
                );
                let want = softmax_by_definition(&z, t);
                for (a, b) in p.iter().zip(&want) {
                    prop_assert!(
                        (a - b).abs() < 1e-12,
                        "{} (want {}) at τ = {}",
                        a,
                        b,
                        t
                    );
                }
                let shifted: Vec<f64> = z.iter().map(|v| v + shift).collect();
                for (a, b) in f(&shifted, t).iter().zip(&p) {
                    prop_assert!(
                        (a - b).abs() < 1e-9,
                        "{} after adding {} to every z (was {})",
                        a,
                        shift,
                        b
                    );
                }
            }
            Ok(())
        },
    );
    let z = [1.0, 3.0, 2.0];
    let sharp = f(&z, 0.01);
    assert!(
        sharp[1] >= 0.99,
        "τ = 0.01 all but picks the largest: {sharp:?}"
    );
    let flat = f(&z, 1000.0);
    assert!(
        flat.iter().all(|p| (p - 1.0 / 3.0).abs() < 1e-3),
        "τ = 1000 is nearly uniform: {flat:?}"
    );
    let big = f(&[1000.0, 999.0], 1.0);
    let want = softmax_by_definition(&[1.0, 0.0], 1.0);
    assert!(
        big.iter().zip(&want).all(|(a, b)| (a - b).abs() < 1e-12),
        "z = (1000, 999) gives {big:?}, not {want:?} (overflow?)"
    );
}

/// Exercise 12.5: the direction kept, the norm at most c, nothing changed
/// below c, the norm before returned.
pub fn clip_gradient(f: fn(&mut [f64], f64) -> f64) {
    property(
        60,
        (prop::collection::vec(-10.0..10.0f64, 1..10), 0.1..20.0f64),
        |(g, c)| {
            let norm = g.iter().map(|v| v * v).sum::<f64>().sqrt();
            let mut clipped = g.clone();
            let returned = f(&mut clipped, c);
            prop_assert!(
                (returned - norm).abs() < 1e-12,
                "returned {} for a norm of {}",
                returned,
                norm
            );
            let after = clipped.iter().map(|v| v * v).sum::<f64>().sqrt();
            if norm <= c {
                prop_assert_eq!(&clipped, &g, "below c nothing changes");
            } else {
                prop_assert!(
                    (after - c).abs() < 1e-9,
                    "norm {} after clipping to {}",
                    after,
                    c
                );
                for (a, b) in clipped.iter().zip(&g) {
                    prop_assert!(
                        (a - b * c / norm).abs() < 1e-9,
                        "direction changed"
                    );
                }
            }
            Ok(())
        },
    );
}

/// Each grader above shown to reject a plausible wrong answer.
#[cfg(not(feature = "my-answers"))]
mod bite;
