//! Each grader rejects a plausible wrong answer, so a pass means something.
//! Compiled into the graders' own test binary (`--test exercises`), except
//! when grading your answers.
//! (That every shipped stub fails is checked by `cargo exercises verify`,
//! in `.ci/run`: here it would fail as soon as a learner solved one.)

use crate::grade;

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, s};
use shared::testing::assert_graders_reject;

/// A softmax down each column over `rows(i)` of it.
fn softmax_over(
    s: ArrayView2<f64>,
    rows: impl Fn(usize, usize) -> std::ops::Range<usize>,
    shift: bool,
) -> Array2<f64> {
    let mut p = Array2::zeros(s.raw_dim());
    for i in 0..s.ncols() {
        let r = rows(i, s.nrows());
        let seen = s.slice(s![r.clone(), i]);
        let max = match shift {
            true => seen.fold(f64::NEG_INFINITY, |m, &v| m.max(v)),
            false => 0.0,
        };
        let e = seen.mapv(|v| (v - max).exp());
        p.slice_mut(s![r, i]).assign(&(&e / e.sum()));
    }
    p
}

fn unmasked(s: ArrayView2<f64>) -> Array2<f64> {
    softmax_over(s, |_, t| 0..t, true)
}

fn masked_row_by_row(s: ArrayView2<f64>) -> Array2<f64> {
    // Rows as queries: the transposed mask.
    softmax_over(s.t(), |i, _| 0..i + 1, true).reversed_axes()
}

fn without_the_shift(s: ArrayView2<f64>) -> Array2<f64> {
    softmax_over(s, |i, _| 0..i + 1, false)
}

/// One head's backward pass with a choice of mistakes: ∂C/∂q with ∂C/∂S
/// transposed, the softmax's Σ term forgotten, or no 1/√d_h.
fn attention_with(
    q: ArrayView2<f64>,
    k: ArrayView2<f64>,
    v: ArrayView2<f64>,
    p: ArrayView2<f64>,
    delta: ArrayView2<f64>,
    mistake: u8,
) -> (Array2<f64>, Array2<f64>, Array2<f64>) {
    let scale = match mistake {
        3 => 1.0,
        _ => 1.0 / (q.nrows() as f64).sqrt(),
    };
    let dv = delta.dot(&p.t());
    let dp = v.t().dot(&delta);
    let weighted = match mistake {
        2 => Array1::zeros(p.ncols()),
        _ => (&p * &dp).sum_axis(Axis(0)),
    };
    let ds = &p * &(&dp - &weighted) * scale;
    let dq = match mistake {
        1 => k.dot(&ds.t()),
        _ => k.dot(&ds),
    };
    (dq, q.dot(&ds.t()), dv)
}

/// LayerNorm's backward pass without its mean term (1) or without its
/// variance term (2).
fn layer_norm_with(
    x_hat: ArrayView2<f64>,
    s: ArrayView2<f64>,
    gamma: ArrayView2<f64>,
    delta: ArrayView2<f64>,
    mistake: u8,
) -> (Array2<f64>, Array2<f64>, Array2<f64>) {
    let d = x_hat.nrows() as f64;
    let g = &delta * &gamma;
    let mut dx = g.clone();
    if mistake != 1 {
        dx -= &(g.sum_axis(Axis(0)) / d);
    }
    if mistake != 2 {
        dx -= &(&x_hat * &((&g * &x_hat).sum_axis(Axis(0)) / d));
    }
    let d_gamma = (&delta * &x_hat).sum_axis(Axis(1)).insert_axis(Axis(1));
    let d_beta = delta.sum_axis(Axis(1)).insert_axis(Axis(1));
    (dx * s, d_gamma, d_beta)
}

/// Top-k keeping the entries above the k-th only (ties dropped), or the
/// k smallest.
fn top_k_with(z: ArrayView1<f64>, k: usize, mistake: u8) -> Array1<f64> {
    let mut sorted = z.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let cut = sorted[k.min(sorted.len()) - 1];
    let low = sorted[sorted.len() - k.min(sorted.len())];
    z.mapv(|v| {
        let kept = match mistake {
            1 => v > cut,
            _ => v <= low,
        };
        if kept { v } else { f64::NEG_INFINITY }
    })
}

/// The merge loop counting overlapping pairs in "a a a" as two (1), taking
/// the least frequent pair (2), or merging right to left (3).
fn merges_with(
    stream: &[usize],
    symbols: usize,
    merges: usize,
    mistake: u8,
) -> Vec<(usize, usize)> {
    let mut tokens = stream.to_vec();
    let mut rules = Vec::new();
    for new in symbols..symbols + merges {
        let mut counts = std::collections::BTreeMap::new();
        for w in tokens.windows(2) {
            *counts.entry((w[0], w[1])).or_insert(0) += 1;
        }
        let pick = match mistake {
            2 => counts.iter().min_by_key(|(_, n)| **n),
            _ => counts.iter().max_by_key(|(_, n)| **n),
        };
        let Some((&pair, &n)) = pick else { break };
        if n < 2 && mistake != 2 {
            break;
        }
        let mut out = Vec::new();
        let mut i = 0;
        if mistake == 3 {
            tokens.reverse();
        }
        let flipped = match mistake {
            3 => (pair.1, pair.0),
            _ => pair,
        };
        while i < tokens.len() {
            if i + 1 < tokens.len() && (tokens[i], tokens[i + 1]) == flipped {
                out.push(new);
                i += if mistake == 1 { 1 } else { 2 };
            } else {
                out.push(tokens[i]);
                i += 1;
            }
        }
        if mistake == 3 {
            out.reverse();
        }
        tokens = out;
        rules.push(pair);
    }
    rules
}

#[test]
fn the_graders_reject_plausible_wrong_answers() {
    assert_graders_reject(&[
        ("13.1 no mask", || grade::causal_softmax(unmasked)),
        ("13.1 the mask transposed", || {
            grade::causal_softmax(masked_row_by_row)
        }),
        ("13.1 no shift by the largest score", || {
            grade::causal_softmax(without_the_shift)
        }),
        ("13.2 ∂C/∂S transposed into ∂C/∂q", || {
            grade::attention_backward(|q, k, v, p, d| {
                attention_with(q, k, v, p, d, 1)
            })
        }),
        ("13.2 the softmax's Σ term forgotten", || {
            grade::attention_backward(|q, k, v, p, d| {
                attention_with(q, k, v, p, d, 2)
            })
        }),
        ("13.2 no 1/√d", || {
            grade::attention_backward(|q, k, v, p, d| {
                attention_with(q, k, v, p, d, 3)
            })
        }),
        ("13.3 no mean term", || {
            grade::layer_norm_backward(|x, s, g, d| {
                layer_norm_with(x, s, g, d, 1)
            })
        }),
        ("13.3 no variance term", || {
            grade::layer_norm_backward(|x, s, g, d| {
                layer_norm_with(x, s, g, d, 2)
            })
        }),
        ("13.4 ties dropped", || {
            grade::top_k(|z, k| top_k_with(z, k, 1))
        }),
        ("13.4 the k smallest", || {
            grade::top_k(|z, k| top_k_with(z, k, 2))
        }),
        ("13.5 overlapping matches", || {
            grade::learn_merges(|s, v, m| merges_with(s, v, m, 1))
        }),
        ("13.5 the least frequent pair", || {
            grade::learn_merges(|s, v, m| merges_with(s, v, m, 2))
        }),
        ("13.5 merging right to left", || {
            grade::learn_merges(|s, v, m| merges_with(s, v, m, 3))
        }),
    ]);
}
