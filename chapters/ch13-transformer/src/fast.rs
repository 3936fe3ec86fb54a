//! The GPT's fast path: the lesson's forward and backward passes with the
//! large products through `fastpath::gemm` (every thread, the widest SIMD)
//! and everything independent spread across threads. The tests hold it to
//! the lesson's loss and gradient, and to the same numbers for any thread
//! count.
//!
//! What changes from the lesson, and why it is faster:
//! - the linear layers (W_qkv, W_o, the MLP's two, and the output layer)
//!   are each one product over every token of the batch, through
//!   `fastpath::gemm` instead of ndarray's single-threaded product, and so
//!   are their gradients ∂C/∂W = δxᵀ and ∂C/∂x = Wᵀδ;
//! - attention's heads and windows are independent: each (window, head)
//!   pair runs the lesson's `attention` and `attention_backward` on a
//!   thread of its own;
//! - LayerNorm and GELU run on chunks of columns side by side, each chunk
//!   through the lesson's own functions;
//! - the output layer computes zᵀ (tokens × vocabulary), so that each
//!   token's logits are contiguous for the softmax (chapter 12's
//!   `softmax_loss_in_place`).
//!
//! Every sum over tokens (a bias's gradient, a gain's) is taken over
//! chunks of a fixed size, in a fixed order: the numbers are the same for
//! any thread count.

use ch07_minibatches::fast::Float;
use ch12_sequences::fast::softmax_loss_in_place;
use ch12_sequences::language::{Language, stream_nll_with};
use ch12_sequences::lookup::{lookup, lookup_gradient};
use ch12_sequences::train::Engine;
use fastpath::gemm;
use ndarray::{Array2, ArrayView2, Axis, concatenate, s};
use rayon::prelude::*;

use crate::gpt::{Block, Gpt, Piece, pieces};
use crate::ops::{
    Normalized, attention, attention_backward, layer_norm, layer_norm_backward,
};

/// Columns per chunk for LayerNorm, GELU and the sums over tokens: a fixed
/// size, so the sums are the same whatever the threads.
const CHUNK: usize = 64;

/// The column ranges of the chunks of an (·, n) matrix.
fn chunks(n: usize) -> Vec<std::ops::Range<usize>> {
    (0..n)
        .step_by(CHUNK)
        .map(|a| a..(a + CHUNK).min(n))
        .collect()
}

/// Applies `f` to chunks of columns of `x` side by side, and joins the
/// results along the columns.
fn by_chunks<T: Float, R: Send>(
    x: ArrayView2<T>,
    f: impl Fn(ArrayView2<T>) -> R + Sync,
) -> Vec<R> {
    chunks(x.ncols())
        .into_par_iter()
        .map(|r| f(x.slice(s![.., r])))
        .collect()
}

fn join<T: Float>(parts: &[Array2<T>]) -> Array2<T> {
    let views: Vec<ArrayView2<T>> = parts.iter().map(|p| p.view()).collect();
    concatenate(Axis(1), &views).expect("same rows")
}

/// Σ δ over the tokens, chunk by chunk in a fixed order.
fn column_sum<T: Float>(delta: ArrayView2<T>) -> Array2<T> {
    let parts = by_chunks(delta, |c| c.sum_axis(Axis(1)));
    let mut total = ndarray::Array1::zeros(delta.nrows());
    for p in parts {
        total += &p;
    }
    total.insert_axis(Axis(1))
}

/// y = W x + b through `gemm`.
fn linear<T: Float>(
    w: &Array2<T>,
    b: &Array2<T>,
    x: ArrayView2<T>,
) -> Array2<T> {
    let mut y = b
        .broadcast((w.nrows(), x.ncols()))
        .expect("a column")
        .to_owned();
    gemm(T::one(), &w.view(), &x, T::one(), &mut y.view_mut());
    y
}

/// (∂C/∂x, ∂C/∂W, ∂C/∂b) through `gemm`.
fn linear_backward<T: Float>(
    w: &Array2<T>,
    x: ArrayView2<T>,
    delta: ArrayView2<T>,
) -> (Array2<T>, Array2<T>, Array2<T>) {
    let mut dx = Array2::zeros((w.ncols(), x.ncols()));
    gemm(T::one(), &w.t(), &delta, T::zero(), &mut dx.view_mut());
    let mut dw = Array2::zeros(w.raw_dim());
    gemm(T::one(), &delta, &x.t(), T::zero(), &mut dw.view_mut());
    (dx, dw, column_sum(delta))
}

fn norm<T: Float>(
    gain: &Array2<T>,
    bias: &Array2<T>,
    x: ArrayView2<T>,
) -> (Array2<T>, Normalized<T>) {
    let parts = by_chunks(x, |c| layer_norm(gain, bias, c));
    let ys: Vec<Array2<T>> = parts.iter().map(|(y, _)| y.clone()).collect();
    let x_hats: Vec<Array2<T>> =
        parts.iter().map(|(_, n)| n.x_hat.clone()).collect();
    let sigmas: Vec<Array2<T>> =
        parts.iter().map(|(_, n)| n.inv_sigma.clone()).collect();
    let cache = Normalized {
        x_hat: join(&x_hats),
        inv_sigma: join(&sigmas),
    };
    (join(&ys), cache)
}

fn norm_backward<T: Float>(
    gain: &Array2<T>,
    cache: &Normalized<T>,
    delta: ArrayView2<T>,
) -> (Array2<T>, Array2<T>, Array2<T>) {
    let parts: Vec<_> = chunks(delta.ncols())
        .into_par_iter()
        .map(|r| {
            let piece = Normalized {
                x_hat: cache.x_hat.slice(s![.., r.clone()]).to_owned(),
                inv_sigma: cache.inv_sigma.slice(s![.., r.clone()]).to_owned(),
            };
            layer_norm_backward(gain, &piece, delta.slice(s![.., r]))
        })
        .collect();
    let dxs: Vec<Array2<T>> =
        parts.iter().map(|(dx, _, _)| dx.clone()).collect();
    let (mut d_gain, mut d_bias) =
        (Array2::zeros(gain.raw_dim()), Array2::zeros(gain.raw_dim()));
    for (_, g, b) in &parts {
        d_gain += g;
        d_bias += b;
    }
    (join(&dxs), d_gain, d_bias)
}

fn map_columns<T: Float>(x: ArrayView2<T>, f: fn(T) -> T) -> Array2<T> {
    join(&by_chunks(x, |c| c.mapv(f)))
}

/// √(2/π) and GELU's cubic coefficient.
const C: f64 = 0.797_884_560_802_865_4;
const K: f64 = 0.044_715;

/// tanh(√(2/π)(x + 0.044715x³)), the tanh inside GELU, as
/// 1 − 2/(e^{2y} + 1): one exponential, where the C library's `tanh`
/// takes several times as long. Kept from the forward pass for the
/// backward one, which the lesson computes again.
fn gelu_tanh<T: Float>(x: T) -> T {
    let y = T::from_f64(C) * (x + T::from_f64(K) * x * x * x);
    let two = T::from_f64(2.0);
    T::one() - two / ((two * y).exp() + T::one())
}

/// GELU(x) = ½x(1 + t), from its tanh t.
fn gelu_from<T: Float>(x: T, t: T) -> T {
    T::from_f64(0.5) * x * (T::one() + t)
}

/// GELU′(x) = ½(1 + t) + ½x(1 − t²)√(2/π)(1 + 3·0.044715x²), from t.
fn gelu_derivative_from<T: Float>(x: T, t: T) -> T {
    let half = T::from_f64(0.5);
    let inner = T::from_f64(C) * (T::one() + T::from_f64(3.0 * K) * x * x);
    half * (T::one() + t) + half * x * (T::one() - t * t) * inner
}

/// The rows of head h's part m (0 q, 1 k, 2 v).
fn rows(m: usize, h: usize, d: usize, heads: usize) -> std::ops::Range<usize> {
    let d_h = d / heads;
    m * d + h * d_h..m * d + (h + 1) * d_h
}

/// Every (window, head) pair's attention on a thread of its own.
fn multi_head<T: Float>(
    qkv: ArrayView2<T>,
    heads: usize,
    t: usize,
) -> (Array2<T>, Vec<Array2<T>>) {
    let d = qkv.nrows() / 3;
    let windows = qkv.ncols() / t;
    let pairs: Vec<(Array2<T>, Array2<T>)> = (0..windows * heads)
        .into_par_iter()
        .map(|i| {
            let (b, h) = (i / heads, i % heads);
            let cols = b * t..(b + 1) * t;
            let part = |m| qkv.slice(s![rows(m, h, d, heads), cols.clone()]);
            attention(part(0), part(1), part(2))
        })
        .collect();
    let mut o = Array2::zeros((d, qkv.ncols()));
    let mut weights = Vec::with_capacity(pairs.len());
    for (i, (o_h, p)) in pairs.into_iter().enumerate() {
        let (b, h) = (i / heads, i % heads);
        o.slice_mut(s![rows(0, h, d, heads), b * t..(b + 1) * t])
            .assign(&o_h);
        weights.push(p);
    }
    (o, weights)
}

fn multi_head_backward<T: Float>(
    qkv: ArrayView2<T>,
    weights: &[Array2<T>],
    d_o: ArrayView2<T>,
    heads: usize,
    t: usize,
) -> Array2<T> {
    let d = qkv.nrows() / 3;
    let parts: Vec<_> = (0..weights.len())
        .into_par_iter()
        .map(|i| {
            let (b, h) = (i / heads, i % heads);
            let cols = b * t..(b + 1) * t;
            let part = |m| qkv.slice(s![rows(m, h, d, heads), cols.clone()]);
            let delta = d_o.slice(s![rows(0, h, d, heads), cols.clone()]);
            let qkv_h = (part(0), part(1), part(2));
            attention_backward(qkv_h, weights[i].view(), delta)
        })
        .collect();
    let mut d_qkv = Array2::zeros(qkv.raw_dim());
    for (i, (dq, dk, dv)) in parts.into_iter().enumerate() {
        let (b, h) = (i / heads, i % heads);
        for (m, dm) in [dq, dk, dv].iter().enumerate() {
            d_qkv
                .slice_mut(s![rows(m, h, d, heads), b * t..(b + 1) * t])
                .assign(dm);
        }
    }
    d_qkv
}

struct BlockValues<T> {
    a: Array2<T>,
    norm1: Normalized<T>,
    qkv: Array2<T>,
    weights: Vec<Array2<T>>,
    o: Array2<T>,
    c: Array2<T>,
    norm2: Normalized<T>,
    u: Array2<T>,
    tanh: Array2<T>,
    g: Array2<T>,
}

fn block_forward<T: Float>(
    block: &Block<T>,
    x: Array2<T>,
    heads: usize,
    t: usize,
) -> (Array2<T>, BlockValues<T>) {
    let (a, norm1) = norm(&block.ln1_gain, &block.ln1_bias, x.view());
    let qkv = linear(&block.w_qkv, &block.b_qkv, a.view());
    let (o, weights) = multi_head(qkv.view(), heads, t);
    let x1 = x + linear(&block.w_o, &block.b_o, o.view());
    let (c, norm2) = norm(&block.ln2_gain, &block.ln2_bias, x1.view());
    let u = linear(&block.w_fc, &block.b_fc, c.view());
    let tanh = map_columns(u.view(), gelu_tanh);
    let mut g = u.clone();
    ndarray::Zip::from(&mut g)
        .and(&tanh)
        .par_for_each(|g, &t| *g = gelu_from(*g, t));
    let x2 = x1 + linear(&block.w_proj, &block.b_proj, g.view());
    let values = BlockValues {
        a,
        norm1,
        qkv,
        weights,
        o,
        c,
        norm2,
        u,
        tanh,
        g,
    };
    (x2, values)
}

fn block_backward<T: Float>(
    block: &Block<T>,
    v: &BlockValues<T>,
    delta: Array2<T>,
    heads: usize,
    t: usize,
) -> (Array2<T>, Block<T>) {
    let (dg, d_w_proj, d_b_proj) =
        linear_backward(&block.w_proj, v.g.view(), delta.view());
    let mut du = dg;
    ndarray::Zip::from(&mut du)
        .and(&v.u)
        .and(&v.tanh)
        .par_for_each(|d, &u, &t| *d *= gelu_derivative_from(u, t));
    let (dc, d_w_fc, d_b_fc) =
        linear_backward(&block.w_fc, v.c.view(), du.view());
    let (dx1, d_ln2_gain, d_ln2_bias) =
        norm_backward(&block.ln2_gain, &v.norm2, dc.view());
    let dx1 = delta + dx1;
    let (d_o, d_w_o, d_b_o) =
        linear_backward(&block.w_o, v.o.view(), dx1.view());
    let d_qkv =
        multi_head_backward(v.qkv.view(), &v.weights, d_o.view(), heads, t);
    let (da, d_w_qkv, d_b_qkv) =
        linear_backward(&block.w_qkv, v.a.view(), d_qkv.view());
    let (dx, d_ln1_gain, d_ln1_bias) =
        norm_backward(&block.ln1_gain, &v.norm1, da.view());
    let gradient = Block {
        ln1_gain: d_ln1_gain,
        ln1_bias: d_ln1_bias,
        w_qkv: d_w_qkv,
        b_qkv: d_b_qkv,
        w_o: d_w_o,
        b_o: d_b_o,
        ln2_gain: d_ln2_gain,
        ln2_bias: d_ln2_bias,
        w_fc: d_w_fc,
        b_fc: d_b_fc,
        w_proj: d_w_proj,
        b_proj: d_b_proj,
    };
    (dx1 + dx, gradient)
}

/// The mean loss of a piece and, if `gradient`, the model's gradient.
fn piece<T: Float>(
    gpt: &Gpt<T>,
    piece: &Piece,
    gradient: bool,
) -> (f64, Option<Gpt<T>>) {
    let rows = piece.rows;
    let x = rows.slice(s![..-1, ..]);
    let t = x.nrows();
    let tokens: Vec<usize> = x.t().iter().copied().collect();
    let positions: Vec<usize> = (0..tokens.len()).map(|j| j % t).collect();
    let mut h =
        lookup(gpt.wte.view(), &tokens) + lookup(gpt.wpe.view(), &positions);
    let mut values = Vec::with_capacity(gpt.blocks.len());
    for block in &gpt.blocks {
        let (out, v) = block_forward(block, h, gpt.heads, t);
        h = out;
        values.push(v);
    }
    let (hf, norm_f) = norm(&gpt.lnf_gain, &gpt.lnf_bias, h.view());
    // zᵀ = h_fᵀ W_te: one row of logits per token.
    let n = hf.ncols();
    let vocab = gpt.wte.ncols();
    let scored: Vec<usize> = (0..n).filter(|j| j % t >= piece.first).collect();
    let next = scored.iter().map(|&j| rows[[j % t + 1, j / t]]);
    let mut z_t = Array2::zeros((n, vocab));
    gemm(
        T::one(),
        &hf.t(),
        &gpt.wte.view(),
        T::zero(),
        &mut z_t.view_mut(),
    );
    let all = scored.len() == n;
    let mut dz_t = match all {
        true => z_t,
        false => z_t.select(Axis(0), &scored),
    };
    let loss = softmax_loss_in_place(dz_t.view_mut(), next);
    if !gradient {
        return (loss, None);
    }
    if !all {
        let mut full = Array2::zeros((n, vocab));
        for (i, &j) in scored.iter().enumerate() {
            full.row_mut(j).assign(&dz_t.row(i));
        }
        dz_t = full;
    }
    let mut g = gpt.zeros_like();
    gemm(
        T::one(),
        &hf.view(),
        &dz_t.view(),
        T::zero(),
        &mut g.wte.view_mut(),
    );
    let mut dh = Array2::zeros(hf.raw_dim());
    gemm(
        T::one(),
        &gpt.wte.view(),
        &dz_t.t(),
        T::zero(),
        &mut dh.view_mut(),
    );
    let (mut dx, d_gain, d_bias) =
        norm_backward(&gpt.lnf_gain, &norm_f, dh.view());
    (g.lnf_gain, g.lnf_bias) = (d_gain, d_bias);
    for (l, block) in gpt.blocks.iter().enumerate().rev() {
        let (before, d_block) =
            block_backward(block, &values[l], dx, gpt.heads, t);
        (dx, g.blocks[l]) = (before, d_block);
    }
    g.wte += &lookup_gradient(dx.view(), &tokens, vocab);
    for (j, column) in dx.columns().into_iter().enumerate() {
        let mut position = g.wpe.column_mut(j % t);
        position += &column;
    }
    (loss, Some(g))
}

/// The mean loss over `windows` (in pieces when longer than the model's
/// context) and, if `gradient`, its gradient.
pub fn loss_and_gradient<T: Float>(
    gpt: &Gpt<T>,
    windows: ArrayView2<usize>,
    gradient: bool,
) -> (f64, Option<Gpt<T>>) {
    let total = (windows.nrows() - 1) as f64;
    let mut loss = 0.0;
    let mut g = gradient.then(|| gpt.zeros_like());
    for p in pieces(windows, gpt.wpe.ncols()) {
        let share = (p.rows.nrows() - 1 - p.first) as f64 / total;
        let (c, gp) = piece(gpt, &p, gradient);
        loss += c * share;
        if let (Some(sum), Some(gp)) = (g.as_mut(), gp) {
            let share = T::from_f64(share);
            for (s, part) in
                sum.parameters_mut().into_iter().zip(gp.parameters())
            {
                s.scaled_add(share, part);
            }
        }
    }
    (loss, g)
}

/// The fast path as chapter 12's training [`Engine`].
#[derive(Clone, Copy, Debug, Default)]
pub struct Fast;

impl<T: Float> Engine<Gpt<T>> for Fast {
    fn gradient(
        &mut self,
        model: &Gpt<T>,
        windows: ArrayView2<usize>,
        g: &mut Gpt<T>,
    ) -> f64 {
        let (loss, gradient) =
            fastpath::install(|| loss_and_gradient(model, windows, true));
        *g = gradient.expect("asked for");
        loss
    }

    fn stream_nll(&mut self, model: &Gpt<T>, stream: &[usize]) -> f64 {
        fastpath::install(|| {
            stream_nll_with(stream, 1, |w| loss_and_gradient(model, w, false).0)
        })
    }
}
