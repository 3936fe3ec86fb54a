//! The Transformer's operations, each forward rule beside its backward
//! rule. As everywhere in the book, columns are samples: here a matrix
//! x (d, n) holds the vectors of n tokens, one column each.

use ch02_activations::softmax;
use ndarray::{Array2, ArrayView2, Axis, s};
use shared::Real;

/// The mean of each column, as a row (1, n).
fn column_mean<T: Real>(m: ArrayView2<T>) -> Array2<T> {
    let d = T::from_f64(m.nrows() as f64);
    (m.sum_axis(Axis(0)) / d).insert_axis(Axis(0))
}

/// ∂C/∂b for a bias added to every column: the sum of δ over columns.
fn column_sum<T: Real>(delta: ArrayView2<T>) -> Array2<T> {
    delta.sum_axis(Axis(1)).insert_axis(Axis(1))
}

// ANCHOR: linear
/// y = W x + b, for every token at once.
pub fn linear<T: Real>(
    w: &Array2<T>,
    b: &Array2<T>,
    x: ArrayView2<T>,
) -> Array2<T> {
    w.dot(&x) + b
}

/// Back through y = W x + b, from δ = ∂C/∂y: returns ∂C/∂x = Wᵀδ,
/// ∂C/∂W = δxᵀ and ∂C/∂b = Σ δ over the tokens (chapter 6's rules).
pub fn linear_backward<T: Real>(
    w: &Array2<T>,
    x: ArrayView2<T>,
    delta: ArrayView2<T>,
) -> (Array2<T>, Array2<T>, Array2<T>) {
    (w.t().dot(&delta), delta.dot(&x.t()), column_sum(delta))
}
// ANCHOR_END: linear

/// LayerNorm's ε, added to the variance (as GPT-2 and PyTorch do).
pub const EPSILON: f64 = 1e-5;

/// What LayerNorm keeps for its backward pass.
#[derive(Clone, Debug)]
pub struct Normalized<T> {
    /// x̂ = (x − μ)/σ, each column with mean 0 and variance 1.
    pub x_hat: Array2<T>,
    /// 1/σ = 1/√(σ² + ε), one per column (1, n).
    pub inv_sigma: Array2<T>,
}

// ANCHOR: layer_norm
/// LayerNorm over each column (one token's d numbers): μ and σ² are its
/// mean and variance, x̂ = (x − μ)/√(σ² + ε) and y = γ ⊙ x̂ + β.
pub fn layer_norm<T: Real>(
    gamma: &Array2<T>,
    beta: &Array2<T>,
    x: ArrayView2<T>,
) -> (Array2<T>, Normalized<T>) {
    let centred = &x - &column_mean(x);
    let variance = column_mean(centred.mapv(|c| c * c).view());
    let eps = T::from_f64(EPSILON);
    let inv_sigma = variance.mapv(|v| T::one() / (v + eps).sqrt());
    let x_hat = centred * &inv_sigma;
    let y = &x_hat * gamma + beta;
    (y, Normalized { x_hat, inv_sigma })
}

/// Back through LayerNorm: with g = γ ⊙ δ,
/// ∂C/∂x = (g − mean(g) − x̂ ⊙ mean(g ⊙ x̂)) / σ, each mean over the
/// column (μ and σ depend on every entry: the two subtracted terms);
/// ∂C/∂γ = Σ δ ⊙ x̂ and ∂C/∂β = Σ δ over the tokens.
pub fn layer_norm_backward<T: Real>(
    gamma: &Array2<T>,
    cache: &Normalized<T>,
    delta: ArrayView2<T>,
) -> (Array2<T>, Array2<T>, Array2<T>) {
    let g = &delta * gamma;
    let g_mean = column_mean(g.view());
    let gx_mean = column_mean((&g * &cache.x_hat).view());
    let dx = (g - &g_mean - &cache.x_hat * &gx_mean) * &cache.inv_sigma;
    let d_gamma = column_sum((&delta * &cache.x_hat).view());
    (dx, d_gamma, column_sum(delta))
}
// ANCHOR_END: layer_norm

// ANCHOR: gelu
/// √(2/π), in GELU's tanh form.
const ROOT_2_OVER_PI: f64 = 0.797_884_560_802_865_4;

/// GELU(x) ≈ ½x(1 + tanh(√(2/π)(x + 0.044715x³))) (Hendrycks & Gimpel
/// 2016, in the tanh form GPT-2 used): x times roughly Φ(x), the chance
/// that a standard normal is below x — a ReLU with a smooth knee.
pub fn gelu<T: Real>(x: T) -> T {
    let (c, k) = (T::from_f64(ROOT_2_OVER_PI), T::from_f64(0.044_715));
    let half = T::from_f64(0.5);
    half * x * (T::one() + (c * (x + k * x * x * x)).tanh())
}

/// GELU′(x) = ½(1 + t) + ½x(1 − t²) √(2/π)(1 + 3·0.044715x²), where t is
/// the tanh above.
pub fn gelu_derivative<T: Real>(x: T) -> T {
    let (c, k) = (T::from_f64(ROOT_2_OVER_PI), T::from_f64(0.044_715));
    let (half, three) = (T::from_f64(0.5), T::from_f64(3.0));
    let t = (c * (x + k * x * x * x)).tanh();
    let dt = (T::one() - t * t) * c * (T::one() + three * k * x * x);
    half * (T::one() + t) + half * x * dt
}
// ANCHOR_END: gelu

// ANCHOR: causal_softmax
/// Softmax down each column i of S, over rows j ≤ i only: row j is a key,
/// column i a query, and a token may not look at keys after it (the
/// causal mask, S[j, i] = −∞ for j > i). Masked entries come out 0.
pub fn causal_softmax<T: Real>(s: ArrayView2<T>) -> Array2<T> {
    let mut p = Array2::zeros(s.raw_dim());
    for (i, mut column) in p.columns_mut().into_iter().enumerate() {
        let seen = s.column(i).slice_move(s![..=i]);
        column.slice_mut(s![..=i]).assign(&softmax(seen));
    }
    p
}

/// Back through each column's softmax: ∂C/∂S = P ⊙ (∂C/∂P − Σⱼ Pⱼ ∂C/∂Pⱼ)
/// (chapter 4's softmax Jacobian, applied to a vector). Where P is 0 (the
/// future) the gradient is 0: a masked score gets no gradient.
pub fn softmax_backward<T: Real>(
    p: ArrayView2<T>,
    dp: ArrayView2<T>,
) -> Array2<T> {
    let weighted = (&p * &dp).sum_axis(Axis(0)).insert_axis(Axis(0));
    &p * &(&dp - &weighted)
}
// ANCHOR_END: causal_softmax

// ANCHOR: attention
/// One head of causal self-attention over one sequence of T tokens:
/// queries, keys and values q, k, v (d_h, T). S = kᵀq/√d_h holds every
/// key's score for every query (T × T), P = causal_softmax(S) its
/// weights, and the output o = v P: column i is the mix of the values
/// of tokens 0 … i that token i asked for. Returns o and P.
pub fn attention<T: Real>(
    q: ArrayView2<T>,
    k: ArrayView2<T>,
    v: ArrayView2<T>,
) -> (Array2<T>, Array2<T>) {
    let scale = T::from_f64(1.0 / (q.nrows() as f64).sqrt());
    let s = k.t().dot(&q) * scale;
    let p = causal_softmax(s.view());
    (v.dot(&p), p)
}

/// Back through one head, from δ = ∂C/∂o: ∂C/∂v = δPᵀ, ∂C/∂P = vᵀδ,
/// ∂C/∂S by the softmax's rule, then ∂C/∂q = k ∂C/∂S/√d_h and
/// ∂C/∂k = q (∂C/∂S)ᵀ/√d_h. Returns (∂C/∂q, ∂C/∂k, ∂C/∂v).
pub fn attention_backward<T: Real>(
    (q, k, v): (ArrayView2<T>, ArrayView2<T>, ArrayView2<T>),
    p: ArrayView2<T>,
    delta: ArrayView2<T>,
) -> (Array2<T>, Array2<T>, Array2<T>) {
    let scale = T::from_f64(1.0 / (q.nrows() as f64).sqrt());
    let dv = delta.dot(&p.t());
    let dp = v.t().dot(&delta);
    let ds = softmax_backward(p, dp.view()) * scale;
    (k.dot(&ds), q.dot(&ds.t()), dv)
}
// ANCHOR_END: attention
