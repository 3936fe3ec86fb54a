//! The graders of chapter 13's exercises. The gradients are graded by
//! finite differences, with no answer key.

use ch13_transformer::ops::layer_norm;
use ch13_transformer::ops::{attention, causal_softmax as lesson_softmax};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use proptest::prelude::*;
use shared::gradcheck::{SMOOTH_TOLERANCE, check_measurable};
use shared::rng::{Rng, normal_array, seeded};
use shared::testing::property;

/// Exercise 13.1: against the chapter's causal softmax, with scores up to
/// 10⁴ (no overflow); the future exactly 0, every column a distribution.
pub fn causal_softmax(f: fn(ArrayView2<f64>) -> Array2<f64>) {
    property(
        60,
        (1..8usize, 0.1..1e4f64, any::<u64>()),
        |(t, size, seed)| {
            let s = normal_array(&mut seeded(seed), (t, t), size);
            let got = f(s.view());
            prop_assert_eq!(got.dim(), (t, t), "shape");
            let want = lesson_softmax(s.view());
            for i in 0..t {
                let total: f64 = got.column(i).sum();
                prop_assert!(
                    (total - 1.0).abs() < 1e-12,
                    "column {} sums to {}",
                    i,
                    total
                );
                for j in i + 1..t {
                    prop_assert!(
                        got[[j, i]] == 0.0,
                        "P[{}, {}] = {} (the future)",
                        j,
                        i,
                        got[[j, i]]
                    );
                }
            }
            for (a, b) in got.iter().zip(&want) {
                prop_assert!((a - b).abs() < 1e-12, "{} (want {})", a, b);
            }
            Ok(())
        },
    );
}

fn join(parts: &[&Array2<f64>]) -> Vec<f64> {
    parts.iter().flat_map(|p| p.iter().copied()).collect()
}

fn split(v: &[f64], shapes: &[(usize, usize)]) -> Vec<Array2<f64>> {
    let mut rest = v;
    shapes
        .iter()
        .map(|&shape| {
            let (here, after) = rest.split_at(shape.0 * shape.1);
            rest = after;
            Array2::from_shape_vec(shape, here.to_vec()).expect("sized")
        })
        .collect()
}

type Backward3 = fn(
    ArrayView2<f64>,
    ArrayView2<f64>,
    ArrayView2<f64>,
    ArrayView2<f64>,
    ArrayView2<f64>,
) -> (Array2<f64>, Array2<f64>, Array2<f64>);

/// Exercise 13.2: against central differences of C = Σ R ⊙ o for a
/// random R, on random shapes.
pub fn attention_backward(f: Backward3) {
    property(
        40,
        (1..5usize, 1..7usize, any::<u64>()),
        |(d_h, t, seed)| {
            let mut rng: Rng = seeded(seed);
            let shape = (d_h, t);
            let q = normal_array(&mut rng, shape, 1.0);
            let k = normal_array(&mut rng, shape, 1.0);
            let v = normal_array(&mut rng, shape, 1.0);
            let r = normal_array(&mut rng, shape, 1.0);
            let (_, p) = attention(q.view(), k.view(), v.view());
            let (dq, dk, dv) =
                f(q.view(), k.view(), v.view(), p.view(), r.view());
            for (name, g) in [("∂C/∂q", &dq), ("∂C/∂k", &dk), ("∂C/∂v", &dv)]
            {
                prop_assert_eq!(g.dim(), shape, "{} has the wrong shape", name);
            }
            let cost = |x: &[f64]| {
                let m = split(x, &[shape, shape, shape]);
                (attention(m[0].view(), m[1].view(), m[2].view()).0 * &r).sum()
            };
            let report = check_measurable(
                cost,
                &join(&[&q, &k, &v]),
                &join(&[&dq, &dk, &dv]),
            );
            prop_assert!(report.passes(SMOOTH_TOLERANCE), "{}", report);
            Ok(())
        },
    );
}

/// Exercise 13.3: against central differences of C = Σ R ⊙ y for a
/// random R, with respect to x, γ and β.
pub fn layer_norm_backward(f: Backward3Norm) {
    property(40, (2..7usize, 1..5usize, any::<u64>()), |(d, n, seed)| {
        let mut rng: Rng = seeded(seed);
        let x = normal_array(&mut rng, (d, n), 2.0);
        let gamma = normal_array(&mut rng, (d, 1), 1.0);
        let beta = normal_array(&mut rng, (d, 1), 1.0);
        let r = normal_array(&mut rng, (d, n), 1.0);
        let (_, cache) = layer_norm(&gamma, &beta, x.view());
        let (dx, dg, db) = f(
            cache.x_hat.view(),
            cache.inv_sigma.view(),
            gamma.view(),
            r.view(),
        );
        prop_assert_eq!(dx.dim(), (d, n), "∂C/∂x has the wrong shape");
        prop_assert_eq!(dg.dim(), (d, 1), "∂C/∂γ has the wrong shape");
        prop_assert_eq!(db.dim(), (d, 1), "∂C/∂β has the wrong shape");
        let shapes = [(d, n), (d, 1), (d, 1)];
        let cost = |v: &[f64]| {
            let m = split(v, &shapes);
            (layer_norm(&m[1], &m[2], m[0].view()).0 * &r).sum()
        };
        let at = join(&[&x, &gamma, &beta]);
        let report = check_measurable(cost, &at, &join(&[&dx, &dg, &db]));
        prop_assert!(report.passes(SMOOTH_TOLERANCE), "{}", report);
        Ok(())
    });
}

/// What exercise 13.3's answer is.
pub type Backward3Norm = fn(
    ArrayView2<f64>,
    ArrayView2<f64>,
    ArrayView2<f64>,
    ArrayView2<f64>,
) -> (Array2<f64>, Array2<f64>, Array2<f64>);

/// Exercise 13.4: on logits with ties, every k from 1 to past the
/// length: what is kept is exactly the entries at least the k-th largest.
pub fn top_k(f: fn(ArrayView1<f64>, usize) -> Array1<f64>) {
    property(60, (1..10usize, any::<u64>()), |(len, seed)| {
        // Whole numbers from a small range, so ties are common.
        let z = normal_array(&mut seeded(seed), len, 2.0).mapv(f64::round);
        for k in 1..=len + 1 {
            let got = f(z.view(), k);
            prop_assert_eq!(got.len(), len, "length");
            let mut sorted = z.to_vec();
            sorted.sort_by(|a, b| b.total_cmp(a));
            let cut = sorted[k.min(len) - 1];
            for (g, v) in got.iter().zip(&z) {
                let want = if *v >= cut { *v } else { f64::NEG_INFINITY };
                prop_assert!(
                    *g == want,
                    "k = {}: {} became {} (want {})",
                    k,
                    v,
                    g,
                    want
                );
            }
        }
        Ok(())
    });
}

/// What exercise 13.5's answer is.
pub type LearnMerges = fn(&[usize], usize, usize) -> Vec<(usize, usize)>;

/// Exercise 13.5: on random texts over a few symbols (so pairs repeat):
/// at each merge, replaying it on the text so far, the pair chosen is one
/// of the most frequent and occurs at least twice; the loop stops only
/// when asked or when no pair occurs twice; and the merges decode back.
pub fn learn_merges(f: LearnMerges) {
    use ch13_transformer::bpe::{decode, encode, merge};
    property(
        40,
        (2..5usize, 2..200usize, 0..12usize, any::<u64>()),
        |c| {
            let (symbols, len, merges, seed) = c;
            let mut rng: Rng = seeded(seed);
            let stream: Vec<usize> = (0..len)
                .map(|_| rand::Rng::random_range(&mut rng, 0..symbols))
                .collect();
            let rules = f(&stream, symbols, merges);
            prop_assert!(
                rules.len() <= merges,
                "{} merges, asked for {}",
                rules.len(),
                merges
            );
            let mut tokens = stream.clone();
            for (i, &pair) in rules.iter().enumerate() {
                let new = symbols + i;
                prop_assert!(
                    pair.0 < new && pair.1 < new,
                    "merge {} uses a token not made yet: {:?}",
                    i,
                    pair
                );
                let count = |p: (usize, usize)| {
                    tokens.windows(2).filter(|w| (w[0], w[1]) == p).count()
                };
                let most = tokens
                    .windows(2)
                    .map(|w| count((w[0], w[1])))
                    .max()
                    .unwrap_or(0);
                prop_assert!(
                    count(pair) == most && most >= 2,
                    "merge {} is {:?}, seen {} times; the most frequent pair is seen {}",
                    i,
                    pair,
                    count(pair),
                    most
                );
                tokens = merge(&tokens, pair, new);
            }
            if rules.len() < merges {
                let left = tokens.windows(2).map(|w| (w[0], w[1]));
                let repeated = left
                    .clone()
                    .any(|p| left.clone().filter(|q| *q == p).count() >= 2);
                prop_assert!(
                    !repeated,
                    "stopped after {} merges with a pair still repeated",
                    rules.len()
                );
            }
            prop_assert_eq!(
                &encode(&stream, symbols, &rules),
                &tokens,
                "encoding replays the merges"
            );
            prop_assert_eq!(
                decode(&tokens, symbols, &rules),
                stream,
                "decoding gives the text back"
            );
            Ok(())
        },
    );
}

/// Each grader above shown to reject a plausible wrong answer.
#[cfg(not(feature = "my-answers"))]
mod bite;
