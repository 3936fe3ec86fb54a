//! Each grader rejects a plausible wrong answer, so a pass means something.
//! Compiled into the graders' own test binary (`--test exercises`), except
//! when grading your answers.
//! (That every shipped stub fails is checked by `cargo exercises verify`,
//! in `.ci/run`: here it would fail as soon as a learner solved one.)

use crate::grade;

use ch12_sequences::rnn::Rnn;
use ndarray::{Array2, ArrayView2, Axis};
use shared::testing::assert_graders_reject;

/// Normalises each row (what came before b) instead of each column.
fn probabilities_by_row(counts: ArrayView2<f64>, alpha: f64) -> Array2<f64> {
    let smoothed = &counts + alpha;
    let totals = smoothed.sum_axis(Axis(1)).insert_axis(Axis(1));
    smoothed / &totals
}

/// Adds α above the line but not below it.
fn probabilities_alpha_on_top(
    counts: ArrayView2<f64>,
    alpha: f64,
) -> Array2<f64> {
    let totals = counts.sum_axis(Axis(0)).mapv(|t| t.max(1.0));
    (&counts + alpha) / &totals
}

/// Assigns each column instead of adding: a token read twice counts once.
fn lookup_assigning(
    delta: ArrayView2<f64>,
    tokens: &[usize],
    vocab: usize,
) -> Array2<f64> {
    let mut dw = Array2::zeros((delta.nrows(), vocab));
    for (j, &t) in tokens.iter().enumerate() {
        dw.column_mut(t).assign(&delta.column(j));
    }
    dw
}

/// BPTT with a choice of mistakes: the path through hₜ₋₁ dropped, tanh′
/// taken at hₜ₋₁, or the output layer's gradient left out.
fn bptt_with(
    model: &Rnn<f64>,
    x: ArrayView2<usize>,
    h: &[Array2<f64>],
    dz: &[Array2<f64>],
    mistake: u8,
) -> Rnn<f64> {
    let mut g = model.zeros_like();
    let mut dh_next = Array2::zeros(h[0].raw_dim());
    for t in (0..dz.len()).rev() {
        let dh = model.w_hy.t().dot(&dz[t]) + &dh_next;
        let at = if mistake == 1 { t } else { t + 1 };
        let delta = &dh * &h[at].mapv(|h| 1.0 - h * h);
        if mistake != 2 {
            g.w_hy += &dz[t].dot(&h[t + 1].t());
            g.c += &dz[t].sum_axis(Axis(1)).insert_axis(Axis(1));
        }
        for (j, &token) in x.row(t).iter().enumerate() {
            let mut column = g.w_xh.column_mut(token);
            column += &delta.column(j);
        }
        g.w_hh += &delta.dot(&h[t].t());
        g.b += &delta.sum_axis(Axis(1)).insert_axis(Axis(1));
        if mistake != 0 {
            dh_next = model.w_hh.t().dot(&delta);
        }
    }
    g
}

/// Exponentiates z / τ as it is: e^1000 overflows to ∞, and ∞ / ∞ is NaN.
fn softmax_without_max(z: &[f64], t: f64) -> Vec<f64> {
    let e: Vec<f64> = z.iter().map(|v| (v / t).exp()).collect();
    let s: f64 = e.iter().sum();
    e.iter().map(|v| v / s).collect()
}

/// Divides by τ after exponentiating: the softmax, whatever τ is.
fn softmax_ignoring_temperature(z: &[f64], t: f64) -> Vec<f64> {
    let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = z.iter().map(|v| (v - max).exp() / t).collect();
    let s: f64 = e.iter().sum();
    e.iter().map(|v| v / s).collect()
}

/// Multiplies by τ instead of dividing: sharper as τ grows.
fn softmax_times_temperature(z: &[f64], t: f64) -> Vec<f64> {
    let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = z.iter().map(|v| ((v - max) * t).exp()).collect();
    let s: f64 = e.iter().sum();
    e.iter().map(|v| v / s).collect()
}

/// Clips each entry to [−c, c]: the direction changes.
fn clip_each(g: &mut [f64], c: f64) -> f64 {
    let norm = g.iter().map(|v| v * v).sum::<f64>().sqrt();
    g.iter_mut().for_each(|v| *v = v.clamp(-c, c));
    norm
}

/// Rescales to length c even when the gradient is shorter.
fn clip_always(g: &mut [f64], c: f64) -> f64 {
    let norm = g.iter().map(|v| v * v).sum::<f64>().sqrt();
    g.iter_mut().for_each(|v| *v *= c / norm);
    norm
}

#[test]
fn graders_reject_plausible_wrong_answers() {
    assert_graders_reject(&[
        ("probabilities normalised by rows", || {
            grade::bigram_probabilities(probabilities_by_row)
        }),
        ("α added to the counts but not to their total", || {
            grade::bigram_probabilities(probabilities_alpha_on_top)
        }),
        ("a lookup gradient that assigns", || {
            grade::lookup_gradient(lookup_assigning)
        }),
        ("BPTT without the path through hₜ₋₁", || {
            grade::rnn_bptt(|m, x, h, dz| bptt_with(m, x, h, dz, 0))
        }),
        ("BPTT with tanh′ at hₜ₋₁", || {
            grade::rnn_bptt(|m, x, h, dz| bptt_with(m, x, h, dz, 1))
        }),
        ("BPTT without the output layer's gradient", || {
            grade::rnn_bptt(|m, x, h, dz| bptt_with(m, x, h, dz, 2))
        }),
        ("a softmax that overflows", || {
            grade::softmax_with_temperature(softmax_without_max)
        }),
        ("a temperature applied after exponentiating", || {
            grade::softmax_with_temperature(softmax_ignoring_temperature)
        }),
        ("a temperature that multiplies", || {
            grade::softmax_with_temperature(softmax_times_temperature)
        }),
        ("each entry clipped", || grade::clip_gradient(clip_each)),
        ("always rescaled", || grade::clip_gradient(clip_always)),
    ]);
}
