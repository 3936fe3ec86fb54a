//! Chapter 13 exercises: replace each `todo!()` with your answer.
//!
//! `cargo exercises` grades them (and every other chapter's);
//! `cargo exercises hint 13.1` gives a hint, one step at a time.
#![allow(
    unused_variables,
    reason = "a stub receives its arguments before you write the body"
)]

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

// ANCHOR: causal_softmax
/// Exercise 13.1: the causal softmax. S (T, T) holds key j's score for
/// query i at S[j, i]. Return P with, in each column i, the softmax of
/// S[0..=i, i] in rows 0 … i and exactly 0 below (the keys after token i,
/// which it may not see). Scores may be large: do not overflow.
pub fn causal_softmax(s: ArrayView2<f64>) -> Array2<f64> {
    // TODO: return P.
    todo!("exercise 13.1: causal_softmax")
}
// ANCHOR_END: causal_softmax

// ANCHOR: attention_backward
/// Exercise 13.2: back through one head of causal attention. Forward:
/// S = kᵀq/√d_h (d_h = q's rows), P = causal_softmax(S), o = v P, for q,
/// k, v (d_h, T). Given P and δ = ∂C/∂o (d_h, T), return (∂C/∂q, ∂C/∂k,
/// ∂C/∂v).
pub fn attention_backward(
    q: ArrayView2<f64>,
    k: ArrayView2<f64>,
    v: ArrayView2<f64>,
    p: ArrayView2<f64>,
    delta: ArrayView2<f64>,
) -> (Array2<f64>, Array2<f64>, Array2<f64>) {
    // TODO: return (∂C/∂q, ∂C/∂k, ∂C/∂v).
    todo!("exercise 13.2: attention_backward")
}
// ANCHOR_END: attention_backward

// ANCHOR: layer_norm_backward
/// Exercise 13.3: back through LayerNorm. Forward, for each column x of
/// the input (d, n): x̂ = (x − mean(x)) · s with s = 1/√(var(x) + ε), and
/// y = γ ⊙ x̂ + β. Given x̂ (d, n), s (1, n), γ (d, 1) and δ = ∂C/∂y
/// (d, n), return (∂C/∂x, ∂C/∂γ, ∂C/∂β), the last two (d, 1).
pub fn layer_norm_backward(
    x_hat: ArrayView2<f64>,
    s: ArrayView2<f64>,
    gamma: ArrayView2<f64>,
    delta: ArrayView2<f64>,
) -> (Array2<f64>, Array2<f64>, Array2<f64>) {
    // TODO: return (∂C/∂x, ∂C/∂γ, ∂C/∂β).
    todo!("exercise 13.3: layer_norm_backward")
}
// ANCHOR_END: layer_norm_backward

// ANCHOR: top_k
/// Exercise 13.4: top-k. Return z with every entry below the k-th
/// largest set to −∞ (f64::NEG_INFINITY); entries equal to the k-th
/// largest are kept. 1 ≤ k; a k above z's length keeps everything.
pub fn top_k(z: ArrayView1<f64>, k: usize) -> Array1<f64> {
    // TODO: return the filtered logits.
    todo!("exercise 13.4: top_k")
}
// ANCHOR_END: top_k

// ANCHOR: learn_merges
/// Exercise 13.5: byte-pair encoding's merge loop. The stream holds
/// symbols 0 … symbols − 1. Up to `merges` times: find the adjacent pair
/// of tokens that occurs most often in the text as merged so far (any of
/// the most frequent, if several tie), stop if none occurs twice,
/// otherwise replace its occurrences, left to right without overlaps, by
/// the next new token (symbols, symbols + 1, …) and record the pair.
/// Return the pairs in the order they were merged.
pub fn learn_merges(
    stream: &[usize],
    symbols: usize,
    merges: usize,
) -> Vec<(usize, usize)> {
    // TODO: return the merges.
    todo!("exercise 13.5: learn_merges")
}
// ANCHOR_END: learn_merges
