//! Chapter 12 exercises: replace each `todo!()` with your answer.
//!
//! `cargo exercises` grades them (and every other chapter's);
//! `cargo exercises hint 12.1` gives a hint, one step at a time.
#![allow(
    unused_variables,
    reason = "a stub receives its arguments before you write the body"
)]

use ndarray::{Array2, ArrayView2};

use crate::rnn::Rnn;

// ANCHOR: bigram_probabilities
/// Exercise 12.1: smoothed bigram probabilities from counts N (V, V),
/// N[b, a] = how often b followed a:
/// P[b, a] = (N[b, a] + α) / Σ_b′ (N[b′, a] + α), each column summing to 1.
pub fn bigram_probabilities(
    counts: ArrayView2<f64>,
    alpha: f64,
) -> Array2<f64> {
    // TODO: return P.
    todo!("exercise 12.1: bigram_probabilities")
}
// ANCHOR_END: bigram_probabilities

// ANCHOR: lookup_gradient
/// Exercise 12.2: the gradient of a lookup E = W · onehot(tokens), whose
/// column j is W's column tokens[j]. Given δ = ∂C/∂E (rows, n), return
/// ∂C/∂W (rows, vocab): ∂C/∂W[:, k] = Σ over j with tokens[j] = k of
/// δ[:, j] (a scatter-add; zero for a token never read).
pub fn lookup_gradient(
    delta: ArrayView2<f64>,
    tokens: &[usize],
    vocab: usize,
) -> Array2<f64> {
    // TODO: return ∂C/∂W.
    todo!("exercise 12.2: lookup_gradient")
}
// ANCHOR_END: lookup_gradient

// ANCHOR: rnn_bptt
/// Exercise 12.3: backpropagation through time. The RNN read the inputs
/// x (L, B) from h₀ = 0: hₜ = tanh(W_xh xₜ + W_hh hₜ₋₁ + b) and
/// zₜ = W_hy hₜ + c; `h` holds h₀ … h_L, `dz` holds ∂C/∂zₜ for each step
/// (row t of x gave h[t + 1] and dz[t]). Return ∂C/∂ of every parameter,
/// as an `Rnn` (start from `model.zeros_like()`).
pub fn rnn_bptt(
    model: &Rnn<f64>,
    x: ArrayView2<usize>,
    h: &[Array2<f64>],
    dz: &[Array2<f64>],
) -> Rnn<f64> {
    // TODO: return the gradient.
    todo!("exercise 12.3: rnn_bptt")
}
// ANCHOR_END: rnn_bptt

// ANCHOR: softmax_with_temperature
/// Exercise 12.4: the distribution `draw` samples from, softmax(z / τ):
/// pᵢ = exp(zᵢ / τ) / Σⱼ exp(zⱼ / τ), computed without overflow for any
/// finite z (z = 1000 included).
pub fn softmax_with_temperature(z: &[f64], temperature: f64) -> Vec<f64> {
    // TODO: return the probabilities.
    todo!("exercise 12.4: softmax_with_temperature")
}
// ANCHOR_END: softmax_with_temperature

// ANCHOR: clip_gradient
/// Exercise 12.5: gradient clipping, with ‖g‖ = √(Σᵢ gᵢ²): when
/// ‖g‖ > c, g ← g · c / ‖g‖ in place (the direction kept, the length c);
/// otherwise g is left as it is. Return ‖g‖ as it was before.
pub fn clip_gradient(g: &mut [f64], c: f64) -> f64 {
    // TODO: clip g; return its norm before.
    todo!("exercise 12.5: clip_gradient")
}
// ANCHOR_END: clip_gradient
