//! The embedding lookup and its gradient, and the loss of a next-token
//! prediction.

use ch04_loss::{
    one_hot, softmax_cross_entropy, softmax_cross_entropy_gradient,
};
use ndarray::{Array2, ArrayView2};
use shared::Real;

// ANCHOR: lookup
/// E = W · onehot(tokens): column j of E is column `tokens[j]` of W (a
/// matrix times a one-hot vector picks out one column).
pub fn lookup<T: Real>(w: ArrayView2<T>, tokens: &[usize]) -> Array2<T> {
    let mut e = Array2::zeros((w.nrows(), tokens.len()));
    for (j, &token) in tokens.iter().enumerate() {
        e.column_mut(j).assign(&w.column(token));
    }
    e
}

/// ∂C/∂W from δ = ∂C/∂E: δ · onehot(tokens)ᵀ, so column j of δ is added
/// into column `tokens[j]` (a scatter-add: a token read twice gets both).
pub fn lookup_gradient<T: Real>(
    delta: ArrayView2<T>,
    tokens: &[usize],
    vocab: usize,
) -> Array2<T> {
    let mut dw = Array2::zeros((delta.nrows(), vocab));
    for (j, &token) in tokens.iter().enumerate() {
        let mut column = dw.column_mut(token);
        column += &delta.column(j);
    }
    dw
}
// ANCHOR_END: lookup

// ANCHOR: next_token_loss
/// The mean cross-entropy of softmax(z) against the tokens that came next,
/// one column of logits z (V, n) per prediction — chapter 4's cost — and
/// its gradient ∂C/∂z = (softmax(z) − y) / n.
pub fn next_token_loss<T: Real>(
    z: ArrayView2<T>,
    next: &[usize],
) -> (T, Array2<T>) {
    let n = T::from_f64(next.len() as f64);
    let (mut cost, mut dz) = (T::zero(), Array2::zeros(z.raw_dim()));
    for (j, &token) in next.iter().enumerate() {
        let y = one_hot(token, z.nrows()).expect("a token of the vocabulary");
        cost += softmax_cross_entropy(z.column(j), y.view()) / n;
        let g = softmax_cross_entropy_gradient(z.column(j), y.view());
        dz.column_mut(j).assign(&(g / n));
    }
    (cost, dz)
}
// ANCHOR_END: next_token_loss
