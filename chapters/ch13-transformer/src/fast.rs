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
//!   pair runs the lesson's `attention` and `attention_backward`, with
//!   its weights kept transposed, on a thread of its own;
//! - LayerNorm runs on chunks of columns side by side, each row's work a
//!   vector loop; GELU (its slope kept for the backward pass), the
//!   residual sums and dropout's products run in pieces on every thread,
//!   so that no thread idles through a pass the other runs alone;
//! - as chapter 12's training engine, the gradient is written into the
//!   arrays the training loop hands it, not into a fresh model each step;
//! - the sums along a row (a softmax's, the dot products of its
//!   backward rule, a bias's and a gain's gradient over a chunk of
//!   tokens) are kept in 16 lanes, so each is a vector loop;
//! - the embeddings' lookup and its gradient run row by row, each row of
//!   the tables in L1, instead of column by column;
//! - the output layer computes zᵀ (tokens × vocabulary), so that each
//!   token's logits are contiguous for the softmax (chapter 12's
//!   `softmax_loss_in_place`);
//! - the activation-sized arrays a step finishes with are kept by the
//!   thread and written over by its next step (`scratch`, `keep`), so a
//!   step neither clears them nor faults their memory in again.
//!
//! Every sum over tokens (a bias's gradient, a gain's) is taken over
//! chunks of a fixed size, in a fixed order: the numbers are the same for
//! any thread count.

use ch07_minibatches::fast::Float;
use ch09_generalisation::regularise::dropout_mask;
use ch12_sequences::fast::softmax_loss_in_place;
use ch12_sequences::language::{Language, stream_nll_with};
use ch12_sequences::train::Engine;
use fastpath::{LANES, across, dot_of, gemm, gemm_bias, gemm_serial, sum_of};
use ndarray::{Array1, Array2, ArrayView2, ArrayViewMut2, Axis, s};
use rayon::prelude::*;
use shared::rng::{Rng, seeded};
use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::AddAssign;

use crate::gpt::{Block, Gpt, Piece, pieces};
use crate::ops::{EPSILON, Normalized};

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

/// Arrays a step has finished with, by element type and length: each a
/// `Vec<T>` behind `dyn Any` (one store for f32 and f64).
type Kept = HashMap<(TypeId, usize), Vec<Box<dyn Any>>>;

thread_local! {
    /// This thread's [`Kept`] arrays, for the next step ([`keep`],
    /// [`scratch`]).
    static KEPT: RefCell<Kept> = RefCell::default();
}

/// An (r, c) array whose every entry the caller overwrites: one a step
/// has finished with ([`keep`]) if there is one of that size, else a new
/// one. A step makes some 60 MB of activations and gradients; freed in
/// bulk, that memory goes back to the system, and the next step would
/// fault every page of it in again (without this store, a fifth of
/// `train`'s time, its validation passes included, goes to the kernel's
/// page faults).
fn scratch<T: Float>((r, c): (usize, usize)) -> Array2<T> {
    let key = (TypeId::of::<T>(), r * c);
    let kept = KEPT.with_borrow_mut(|k| k.get_mut(&key).and_then(Vec::pop));
    let entries = match kept.map(|b| b.downcast::<Vec<T>>()) {
        Some(Ok(entries)) => *entries,
        _ => vec![T::zero(); r * c],
    };
    Array2::from_shape_vec((r, c), entries).expect("r × c entries")
}

/// Arrays kept of any one size, at most: more than a step holds at once
/// (each block's activations, 12 of the largest in nanoGPT's setting),
/// so the kept memory stays bounded even where a step keeps an array it
/// did not take (the embeddings' sum).
const KEEP_AT_MOST: usize = 64;

/// Keeps `arrays` for a later [`scratch`] of the same size.
fn keep<T: Float>(arrays: impl IntoIterator<Item = Array2<T>>) {
    KEPT.with_borrow_mut(|k| {
        for a in arrays {
            let (entries, _) = a.into_raw_vec_and_offset();
            let key = (TypeId::of::<T>(), entries.len());
            let same_size = k.entry(key).or_default();
            if same_size.len() < KEEP_AT_MOST {
                same_size.push(Box::new(entries));
            }
        }
    })
}

/// Σ δ over the tokens, chunk by chunk in a fixed order.
fn column_sum<T: Float>(delta: ArrayView2<T>) -> Array2<T> {
    let parts = by_chunks(delta, |c| {
        let mut sums = Array1::zeros(c.nrows());
        // A loop written out, not an iterator collected: `collect` calls
        // the iterator through a function of its own, compiled outside
        // the SIMD block for the plain instructions.
        fastpath::simd!({
            for (sum, row) in sums.iter_mut().zip(c.rows()) {
                *sum = sum_of(row.to_slice().expect("contiguous rows"));
            }
        });
        sums
    });
    let mut total = ndarray::Array1::zeros(delta.nrows());
    for p in parts {
        total += &p;
    }
    total.insert_axis(Axis(1))
}

/// y = W x + b through `gemm_bias` (b added as the product writes y).
fn linear<T: Float>(
    w: &Array2<T>,
    b: &Array2<T>,
    x: ArrayView2<T>,
) -> Array2<T> {
    let mut y = scratch((w.nrows(), x.ncols()));
    gemm_bias(T::one(), &w.view(), &x, &b.column(0), &mut y.view_mut());
    y
}

/// ∂C/∂x through `gemm`; ∂C/∂W and ∂C/∂b written into `dw` and `db`.
fn linear_backward<T: Float>(
    w: &Array2<T>,
    x: ArrayView2<T>,
    delta: ArrayView2<T>,
    (dw, db): (&mut Array2<T>, &mut Array2<T>),
) -> Array2<T> {
    let mut dx = scratch((w.ncols(), x.ncols()));
    gemm(T::one(), &w.t(), &delta, T::zero(), &mut dx.view_mut());
    gemm(T::one(), &delta, &x.t(), T::zero(), &mut dw.view_mut());
    db.assign(&column_sum(delta));
    dx
}

/// Splits `m` into consecutive blocks of `size` along `axis` (the last
/// may be shorter), each a view that lives as long as `m`.
fn split_views<T>(
    mut m: ArrayViewMut2<'_, T>,
    axis: Axis,
    size: usize,
) -> Vec<ArrayViewMut2<'_, T>> {
    let mut parts = Vec::new();
    while m.len_of(axis) > size {
        let (first, rest) = m.split_at(axis, size);
        parts.push(first);
        m = rest;
    }
    parts.push(m);
    parts
}

/// LayerNorm on a chunk of columns, written into y, x̂ and 1/σ: the
/// column means and variances are summed row by row, so each row's work
/// is a vector loop along contiguous memory.
fn norm_chunk<T: Float>(
    (gain, bias): (&Array2<T>, &Array2<T>),
    x: ArrayView2<T>,
    mut y: ArrayViewMut2<T>,
    mut x_hat: ArrayViewMut2<T>,
    mut inv_sigma: ArrayViewMut2<T>,
) {
    let (rows, c) = x.dim();
    let d = T::from_f64(rows as f64);
    let eps = T::from_f64(EPSILON);
    let (mut mean, mut variance) = (vec![T::zero(); c], vec![T::zero(); c]);
    let inv = inv_sigma.as_slice_mut().expect("one row");
    fastpath::simd!({
        for x in x.rows() {
            let x = x.to_slice().expect("contiguous rows");
            mean.iter_mut().zip(x).for_each(|(m, &x)| *m += x);
        }
        mean.iter_mut().for_each(|m| *m /= d);
        for (x, mut hat) in x.rows().into_iter().zip(x_hat.rows_mut()) {
            let x = x.to_slice().expect("contiguous rows");
            let hat = hat.as_slice_mut().expect("contiguous rows");
            for (((h, &x), &m), v) in
                hat.iter_mut().zip(x).zip(&mean).zip(&mut variance)
            {
                *h = x - m;
                *v += *h * *h;
            }
        }
        for (s, &v) in inv.iter_mut().zip(&variance) {
            *s = T::one() / (v / d + eps).sqrt();
        }
        for (r, (mut hat, mut y)) in
            x_hat.rows_mut().into_iter().zip(y.rows_mut()).enumerate()
        {
            let (g, b) = (gain[[r, 0]], bias[[r, 0]]);
            let hat = hat.as_slice_mut().expect("contiguous rows");
            let y = y.as_slice_mut().expect("contiguous rows");
            for ((h, y), &s) in hat.iter_mut().zip(y).zip(&*inv) {
                *h *= s;
                *y = g * *h + b;
            }
        }
    })
}

/// LayerNorm, chunks of columns side by side.
fn norm<T: Float>(
    gain: &Array2<T>,
    bias: &Array2<T>,
    x: ArrayView2<T>,
) -> (Array2<T>, Normalized<T>) {
    let (d, n) = x.dim();
    let mut y = scratch((d, n));
    let mut x_hat = scratch((d, n));
    let mut inv_sigma = Array2::zeros((1, n));
    let ys = split_views(y.view_mut(), Axis(1), CHUNK);
    let hats = split_views(x_hat.view_mut(), Axis(1), CHUNK);
    let sigmas = split_views(inv_sigma.view_mut(), Axis(1), CHUNK);
    ys.into_par_iter()
        .zip(hats)
        .zip(sigmas)
        .zip(x.axis_chunks_iter(Axis(1), CHUNK).into_par_iter())
        .for_each(|(((y, h), s), x)| norm_chunk((gain, bias), x, y, h, s));
    (y, Normalized { x_hat, inv_sigma })
}

/// Back through LayerNorm on a chunk of columns: ∂C/∂x written into
/// `dx`; returns the chunk's parts of ∂C/∂γ and ∂C/∂β. Each row's work is
/// a vector loop: the column means run along the row, and the row's own
/// sums for ∂C/∂γ and ∂C/∂β (Σ δ ⊙ x̂ and Σ δ over the chunk's tokens)
/// are taken in [`LANES`] lanes.
fn norm_backward_chunk<T: Float>(
    gain: &Array2<T>,
    (x_hat, inv_sigma): (ArrayView2<T>, ArrayView2<T>),
    delta: ArrayView2<T>,
    mut dx: ArrayViewMut2<T>,
) -> (Array1<T>, Array1<T>) {
    let (rows, c) = delta.dim();
    let d = T::from_f64(rows as f64);
    let (mut g_mean, mut gx_mean) = (vec![T::zero(); c], vec![T::zero(); c]);
    let (mut d_gain, mut d_bias) =
        (vec![T::zero(); rows], vec![T::zero(); rows]);
    let inv = inv_sigma.to_slice().expect("one row");
    fastpath::simd!({
        for (r, (dl, hat)) in
            delta.rows().into_iter().zip(x_hat.rows()).enumerate()
        {
            let g = gain[[r, 0]];
            let dl = dl.to_slice().expect("contiguous rows");
            let hat = hat.to_slice().expect("contiguous rows");
            for (((m, mx), &dl), &h) in
                g_mean.iter_mut().zip(&mut gx_mean).zip(dl).zip(hat)
            {
                *m += g * dl;
                *mx += g * dl * h;
            }
            d_gain[r] = dot_of(dl, hat);
            d_bias[r] = sum_of(dl);
        }
        g_mean.iter_mut().for_each(|m| *m /= d);
        gx_mean.iter_mut().for_each(|m| *m /= d);
        for (r, (mut out, (dl, hat))) in dx
            .rows_mut()
            .into_iter()
            .zip(delta.rows().into_iter().zip(x_hat.rows()))
            .enumerate()
        {
            let g = gain[[r, 0]];
            let out = out.as_slice_mut().expect("contiguous rows");
            let dl = dl.to_slice().expect("contiguous rows");
            let hat = hat.to_slice().expect("contiguous rows");
            for (((((o, &dl), &h), &m), &mx), &s) in out
                .iter_mut()
                .zip(dl)
                .zip(hat)
                .zip(&g_mean)
                .zip(&gx_mean)
                .zip(inv)
            {
                *o = (g * dl - m - h * mx) * s;
            }
        }
    });
    (Array1::from(d_gain), Array1::from(d_bias))
}

/// Back through LayerNorm, chunks of columns side by side; the gain's and
/// bias's gradients summed over the chunks in order.
fn norm_backward<T: Float>(
    gain: &Array2<T>,
    cache: &Normalized<T>,
    delta: ArrayView2<T>,
) -> (Array2<T>, Array2<T>, Array2<T>) {
    let mut dx = scratch(delta.dim());
    let parts: Vec<_> = split_views(dx.view_mut(), Axis(1), CHUNK)
        .into_par_iter()
        .zip(delta.axis_chunks_iter(Axis(1), CHUNK).into_par_iter())
        .zip(cache.x_hat.axis_chunks_iter(Axis(1), CHUNK).into_par_iter())
        .zip(
            cache
                .inv_sigma
                .axis_chunks_iter(Axis(1), CHUNK)
                .into_par_iter(),
        )
        .map(|(((dx, delta), hat), s)| {
            norm_backward_chunk(gain, (hat, s), delta, dx)
        })
        .collect();
    let (mut d_gain, mut d_bias) =
        (Array2::zeros(gain.raw_dim()), Array2::zeros(gain.raw_dim()));
    for (g, b) in &parts {
        d_gain.column_mut(0).add_assign(g);
        d_bias.column_mut(0).add_assign(b);
    }
    (dx, d_gain, d_bias)
}

/// Entries per piece of the elementwise passes (GELU, the residual
/// stream's sums, dropout's masks): a fixed size, a multiple of every
/// vector width.
const PIECE: usize = 4096;

/// a ← f(a, b) entry by entry: pieces of the arrays side by side on the
/// threads, each a vector loop. No entry depends on another, so the
/// numbers are those of the plain loop (`a + &b`, `a *= &b`), and no
/// thread waits on a pass that one thread could have done alone.
fn each_with<T: Float>(
    a: &mut Array2<T>,
    b: &Array2<T>,
    f: impl Fn(T, T) -> T + Sync,
) {
    assert_eq!(a.dim(), b.dim(), "the same shape");
    a.as_slice_mut()
        .expect("standard")
        .par_chunks_mut(PIECE)
        .zip(b.as_slice().expect("standard").par_chunks(PIECE))
        .for_each(|(a, b)| {
            fastpath::simd!({
                for (x, &y) in a.iter_mut().zip(b) {
                    *x = f(*x, y);
                }
            })
        });
}

/// a ⊙ b into an array of its own, the way [`each_with`] runs.
fn times<T: Float>(a: &Array2<T>, b: &Array2<T>) -> Array2<T> {
    assert_eq!(a.dim(), b.dim(), "the same shape");
    let mut out = scratch(a.dim());
    out.as_slice_mut()
        .expect("standard")
        .par_chunks_mut(PIECE)
        .zip(a.as_slice().expect("standard").par_chunks(PIECE))
        .zip(b.as_slice().expect("standard").par_chunks(PIECE))
        .for_each(|((out, a), b)| {
            fastpath::simd!({
                for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
                    *o = x * y;
                }
            })
        });
    out
}

/// √(2/π) and GELU's cubic coefficient.
const C: f64 = 0.797_884_560_802_865_4;
const K: f64 = 0.044_715;

/// GELU(u) = ½u(1 + tanh y), y = √(2/π)(u + 0.044715u³), and its slope
/// GELU′(u) kept for the backward pass. Since ½(1 + tanh y) = σ(2y) =
/// e^{2y}/(e^{2y} + 1), one vectorized exponential per entry gives both
/// (the C library's `tanh` is called one number at a time):
///
/// GELU(u) = u σ,  GELU′(u) = σ + u σ(1 − σ) · 2√(2/π)(1 + 3·0.044715u²),
///
/// the slope computed here while u is at hand, so the backward pass reads
/// one array instead of two.
fn gelu_forward<T: Float>(u: &Array2<T>) -> (Array2<T>, Array2<T>) {
    let mut slope = scratch(u.dim());
    let mut g = scratch(u.dim());
    // 2y = u (2c + 2ck u²) and 2 dy/du = 2c + 6ck u²
    let c2 = T::from_f64(2.0 * C);
    let (ck2, ck6) = (T::from_f64(2.0 * C * K), T::from_f64(6.0 * C * K));
    let one = T::one();
    slope
        .as_slice_mut()
        .expect("standard")
        .par_chunks_mut(PIECE)
        .zip(g.as_slice_mut().expect("standard").par_chunks_mut(PIECE))
        .zip(u.as_slice().expect("standard").par_chunks(PIECE))
        .for_each(|((ss, gs), us)| {
            fastpath::simd!({
                for ((s, g), &u) in ss.iter_mut().zip(gs).zip(us) {
                    let u2 = u * u;
                    let e = fastpath::exp(u * (c2 + ck2 * u2));
                    let sigma = e / (e + one);
                    *g = u * sigma;
                    *s = sigma + u * (sigma * (one - sigma)) * (c2 + ck6 * u2);
                }
            })
        });
    (g, slope)
}

/// ∂C/∂u = ∂C/∂g ⊙ GELU′(u), in place, from the slope the forward pass
/// kept.
fn gelu_backward<T: Float>(dg: &mut Array2<T>, slope: &Array2<T>) {
    each_with(dg, slope, |d, s| d * s);
}

/// The rows of head h's part m (0 q, 1 k, 2 v).
fn rows(m: usize, h: usize, d: usize, heads: usize) -> std::ops::Range<usize> {
    let d_h = d / heads;
    m * d + h * d_h..m * d + (h + 1) * d_h
}

/// The largest of `xs`, kept in [`LANES`] lanes so that the loop
/// vectorizes (a maximum is exact: any order gives the same answer).
/// Inlined into its caller's [`fastpath::simd!`] block, so compiled for
/// its instructions.
#[inline(always)]
fn max_of<T: Float>(xs: &[T]) -> T {
    let mut lanes = [T::neg_infinity(); LANES];
    let whole = xs.chunks_exact(LANES);
    let rest = whole.remainder().iter();
    for chunk in whole {
        for (m, &x) in lanes.iter_mut().zip(chunk) {
            *m = m.max(x);
        }
    }
    rest.fold(across(lanes, T::max), |m, &x| m.max(x))
}

/// Softmax along each row i of Sᵀ over its first i + 1 entries (the keys
/// a query may see), the rest set to 0: the lesson's `causal_softmax`,
/// transposed so that each softmax runs along contiguous memory, each of
/// its three passes (the largest, the exponentials and their sum, the
/// division) a vector loop.
fn causal_softmax_rows<T: Float>(st: &mut Array2<T>) {
    fastpath::simd!({
        for (i, mut row) in st.rows_mut().into_iter().enumerate() {
            let row = row.as_slice_mut().expect("standard");
            let (seen, future) = row.split_at_mut(i + 1);
            let max = max_of(seen);
            seen.iter_mut().for_each(|s| *s = fastpath::exp(*s - max));
            let inv = T::one() / sum_of(seen);
            seen.iter_mut().for_each(|s| *s *= inv);
            future.iter_mut().for_each(|s| *s = T::zero());
        }
    })
}

/// One head over one window, the lesson's `attention` with its weights
/// kept transposed (Pᵀ: one row per query): Sᵀ = qᵀk/√d_h, Pᵀ by rows,
/// o = v (Pᵀ)ᵀ written into `o` — with dropout's `mask` on the weights, if
/// any, o = v (Pᵀ ⊙ M)ᵀ. Returns Pᵀ (before dropout).
fn head_forward<T: Float>(
    (q, k, v): (ArrayView2<T>, ArrayView2<T>, ArrayView2<T>),
    mask: Option<&Array2<T>>,
    mut o: ArrayViewMut2<T>,
) -> Array2<T> {
    let t = q.ncols();
    let scale = T::from_f64(1.0 / (q.nrows() as f64).sqrt());
    let mut pt = Array2::zeros((t, t));
    gemm_serial(scale, &q.t(), &k, T::zero(), &mut pt.view_mut());
    causal_softmax_rows(&mut pt);
    match mask {
        None => gemm_serial(T::one(), &v, &pt.t(), T::zero(), &mut o),
        Some(m) => {
            let dropped = &pt * m;
            gemm_serial(T::one(), &v, &dropped.t(), T::zero(), &mut o)
        }
    }
    pt
}

/// Back through one head from δ = ∂C/∂o, with Pᵀ (and dropout's mask M,
/// if any): the lesson's `attention_backward` on the transposed weights,
/// written into (dq, dk, dv).
fn head_backward<T: Float>(
    (q, k, v): (ArrayView2<T>, ArrayView2<T>, ArrayView2<T>),
    (pt, mask): (&Array2<T>, Option<&Array2<T>>),
    delta: ArrayView2<T>,
    [mut dq, mut dk, mut dv]: [ArrayViewMut2<T>; 3],
) {
    let t = q.ncols();
    let scale = T::from_f64(1.0 / (q.nrows() as f64).sqrt());
    // The lesson's ∂C/∂v = δPᵀ, with P (keys × queries), is δ times our
    // Pᵀ (the weights used: after dropout).
    let dropped = mask.map(|m| pt * m);
    let used = dropped.as_ref().unwrap_or(pt);
    gemm_serial(T::one(), &delta, &used.view(), T::zero(), &mut dv);
    // ∂C/∂Pᵀ = δᵀ v (⊙ M), then ∂C/∂Sᵀ row by row (the softmax's rule).
    let mut ds = Array2::zeros((t, t));
    gemm_serial(T::one(), &delta.t(), &v, T::zero(), &mut ds.view_mut());
    if let Some(m) = mask {
        ds *= m;
    }
    // Row i: ∂C/∂Sᵀ = Pᵀ ⊙ (∂C/∂Pᵀ − Σ_j ∂C/∂Pᵀ · Pᵀ) / √d_h, over the
    // i + 1 keys it sees (Pᵀ is 0 beyond, and so is ∂C/∂Sᵀ).
    fastpath::simd!({
        for (i, (mut d_row, p_row)) in
            ds.rows_mut().into_iter().zip(pt.rows()).enumerate()
        {
            let d_row = d_row.as_slice_mut().expect("standard");
            let p_row = p_row.to_slice().expect("standard");
            let (seen, future) = d_row.split_at_mut(i + 1);
            let dot = dot_of(seen, &p_row[..=i]);
            for (d, &p) in seen.iter_mut().zip(p_row) {
                *d = p * (*d - dot) * scale;
            }
            future.iter_mut().for_each(|d| *d = T::zero());
        }
    });
    // ∂C/∂q = k ∂C/∂S = k (∂C/∂Sᵀ)ᵀ and ∂C/∂k = q (∂C/∂S)ᵀ = q ∂C/∂Sᵀ.
    gemm_serial(T::one(), &k, &ds.t(), T::zero(), &mut dq);
    gemm_serial(T::one(), &q, &ds.view(), T::zero(), &mut dk);
}

/// Every (window, head) pair's blocks of a matrix of `parts` × d rows
/// (q, k, v for qkv): pair i = window · heads + head holds the rows of
/// its head in each part, over its window's columns.
fn head_blocks<T>(
    m: ArrayViewMut2<'_, T>,
    d_h: usize,
    t: usize,
    parts: usize,
    heads: usize,
) -> Vec<Vec<ArrayViewMut2<'_, T>>> {
    let mut pairs = Vec::new();
    for window in split_views(m, Axis(1), t) {
        let mut blocks: Vec<Option<ArrayViewMut2<T>>> =
            split_views(window, Axis(0), d_h)
                .into_iter()
                .map(Some)
                .collect();
        for h in 0..heads {
            let take = |m: usize| blocks[m * heads + h].take().expect("once");
            pairs.push((0..parts).map(take).collect());
        }
    }
    pairs
}

/// Every (window, head) pair's attention on a thread of its own, each
/// writing its own block of o.
fn multi_head<T: Float>(
    qkv: ArrayView2<T>,
    masks: Option<&[Array2<T>]>,
    heads: usize,
    t: usize,
) -> (Array2<T>, Vec<Array2<T>>) {
    let d = qkv.nrows() / 3;
    let mut o = scratch((d, qkv.ncols()));
    let blocks = head_blocks(o.view_mut(), d / heads, t, 1, heads);
    let weights = blocks
        .into_par_iter()
        .enumerate()
        .map(|(i, mut o_h)| {
            let (b, h) = (i / heads, i % heads);
            let cols = b * t..(b + 1) * t;
            let part = |m| qkv.slice(s![rows(m, h, d, heads), cols.clone()]);
            let mask = masks.map(|m| &m[i]);
            head_forward(
                (part(0), part(1), part(2)),
                mask,
                o_h.pop().expect("o"),
            )
        })
        .collect();
    (o, weights)
}

fn multi_head_backward<T: Float>(
    qkv: ArrayView2<T>,
    (weights, masks): (&[Array2<T>], Option<&[Array2<T>]>),
    d_o: ArrayView2<T>,
    heads: usize,
    t: usize,
) -> Array2<T> {
    let d = qkv.nrows() / 3;
    let mut d_qkv = scratch(qkv.dim());
    let blocks = head_blocks(d_qkv.view_mut(), d / heads, t, 3, heads);
    blocks.into_par_iter().zip(weights).enumerate().for_each(
        |(i, (out, pt))| {
            let (b, h) = (i / heads, i % heads);
            let cols = b * t..(b + 1) * t;
            let part = |m| qkv.slice(s![rows(m, h, d, heads), cols.clone()]);
            let delta = d_o.slice(s![rows(0, h, d, heads), cols.clone()]);
            let out: [ArrayViewMut2<T>; 3] =
                out.try_into().expect("three parts");
            let mask = masks.map(|m| &m[i]);
            head_backward((part(0), part(1), part(2)), (pt, mask), delta, out);
        },
    );
    d_qkv
}

/// Dropout's masks for one piece: chapter 9's inverted dropout (each
/// entry 0 with probability p, else 1/(1 − p)) at the four places GPT-2
/// and nanoGPT drop — the embeddings' sum, the attention weights, and the
/// output of each block's two branches before it joins the residual
/// stream.
pub struct Masks<T> {
    /// On h⁰ = W_te[token] + W_pe[position], (d, n).
    pub embedding: Array2<T>,
    /// Each block's.
    pub blocks: Vec<BlockMasks<T>>,
}

/// One block's dropout masks.
pub struct BlockMasks<T> {
    /// On each (window, head) pair's weights Pᵀ, (T, T).
    pub weights: Vec<Array2<T>>,
    /// On the attention branch's output W_o o + b_o, (d, n).
    pub attention: Array2<T>,
    /// On the MLP branch's output, (d, n).
    pub mlp: Array2<T>,
}

impl<T: Float> Masks<T> {
    /// Masks for `windows` windows of `t` tokens, drawn from `rng` in a
    /// fixed order (so the same seed gives the same masks on any number
    /// of threads).
    pub fn draw(
        gpt: &Gpt<T>,
        (t, windows): (usize, usize),
        p: f64,
        rng: &mut Rng,
    ) -> Self {
        let (d, n) = (gpt.wte.nrows(), t * windows);
        let embedding = dropout_mask(d, n, p, rng);
        let blocks = (0..gpt.blocks.len())
            .map(|_| BlockMasks {
                weights: (0..windows * gpt.heads)
                    .map(|_| dropout_mask(t, t, p, rng))
                    .collect(),
                attention: dropout_mask(d, n, p, rng),
                mlp: dropout_mask(d, n, p, rng),
            })
            .collect();
        Masks { embedding, blocks }
    }
}

struct BlockValues<T> {
    a: Array2<T>,
    norm1: Normalized<T>,
    qkv: Array2<T>,
    weights: Vec<Array2<T>>,
    o: Array2<T>,
    c: Array2<T>,
    norm2: Normalized<T>,
    slope: Array2<T>,
    g: Array2<T>,
}

impl<T: Float> BlockValues<T> {
    /// Keeps the activation-sized arrays for the next step ([`keep`]).
    fn keep(self) {
        let BlockValues {
            a,
            norm1,
            qkv,
            o,
            c,
            norm2,
            slope,
            g,
            ..
        } = self;
        keep([a, norm1.x_hat, qkv, o, c, norm2.x_hat, slope, g]);
    }
}

/// A branch's output joining the residual stream: x + r (⊙ M).
fn join_branch<T: Float>(
    x: Array2<T>,
    mut r: Array2<T>,
    mask: Option<&Array2<T>>,
) -> Array2<T> {
    if let Some(m) = mask {
        each_with(&mut r, m, |r, m| r * m);
    }
    each_with(&mut r, &x, |r, x| r + x);
    keep([x]);
    r
}

fn block_forward<T: Float>(
    block: &Block<T>,
    x: Array2<T>,
    masks: Option<&BlockMasks<T>>,
    (heads, t): (usize, usize),
) -> (Array2<T>, BlockValues<T>) {
    let (a, norm1) = norm(&block.ln1_gain, &block.ln1_bias, x.view());
    let qkv = linear(&block.w_qkv, &block.b_qkv, a.view());
    let weight_masks = masks.map(|m| &m.weights[..]);
    let (o, weights) = multi_head(qkv.view(), weight_masks, heads, t);
    let r = linear(&block.w_o, &block.b_o, o.view());
    let x1 = join_branch(x, r, masks.map(|m| &m.attention));
    let (c, norm2) = norm(&block.ln2_gain, &block.ln2_bias, x1.view());
    let u = linear(&block.w_fc, &block.b_fc, c.view());
    let (g, slope) = gelu_forward(&u);
    keep([u]);
    let r = linear(&block.w_proj, &block.b_proj, g.view());
    let x2 = join_branch(x1, r, masks.map(|m| &m.mlp));
    let values = BlockValues {
        a,
        norm1,
        qkv,
        weights,
        o,
        c,
        norm2,
        slope,
        g,
    };
    (x2, values)
}

/// Back through a block: returns ∂C/∂x, the block's gradient written
/// into `g`.
fn block_backward<T: Float>(
    block: &Block<T>,
    (v, masks): (&BlockValues<T>, Option<&BlockMasks<T>>),
    delta: Array2<T>,
    (heads, t): (usize, usize),
    g: &mut Block<T>,
) -> Array2<T> {
    // Through dropout's mask on each branch, if any: δ ⊙ M.
    let dropped = masks.map(|m| times(&delta, &m.mlp));
    let into_mlp = dropped.as_ref().unwrap_or(&delta);
    let proj = (&mut g.w_proj, &mut g.b_proj);
    let mut du =
        linear_backward(&block.w_proj, v.g.view(), into_mlp.view(), proj);
    gelu_backward(&mut du, &v.slope);
    let fc = (&mut g.w_fc, &mut g.b_fc);
    let dc = linear_backward(&block.w_fc, v.c.view(), du.view(), fc);
    let (d_norm2, d_ln2_gain, d_ln2_bias) =
        norm_backward(&block.ln2_gain, &v.norm2, dc.view());
    (g.ln2_gain, g.ln2_bias) = (d_ln2_gain, d_ln2_bias);
    let mut dx1 = delta;
    each_with(&mut dx1, &d_norm2, |a, b| a + b);
    keep(dropped);
    let dropped = masks.map(|m| times(&dx1, &m.attention));
    let into_attention = dropped.as_ref().unwrap_or(&dx1);
    let o = (&mut g.w_o, &mut g.b_o);
    let d_o = linear_backward(&block.w_o, v.o.view(), into_attention.view(), o);
    let weights = (&v.weights[..], masks.map(|m| &m.weights[..]));
    let d_qkv =
        multi_head_backward(v.qkv.view(), weights, d_o.view(), heads, t);
    let qkv = (&mut g.w_qkv, &mut g.b_qkv);
    let da = linear_backward(&block.w_qkv, v.a.view(), d_qkv.view(), qkv);
    let (dx, d_ln1_gain, d_ln1_bias) =
        norm_backward(&block.ln1_gain, &v.norm1, da.view());
    (g.ln1_gain, g.ln1_bias) = (d_ln1_gain, d_ln1_bias);
    let mut before = dx1;
    each_with(&mut before, &dx, |a, b| a + b);
    keep(dropped);
    keep([du, dc, d_norm2, d_o, d_qkv, da, dx]);
    before
}

/// h⁰ = W_te[token] + W_pe[position] for token j at position j mod t:
/// chapter 12's `lookup` of each table, added, written row by row — each
/// row of h⁰ reads one row of each table, a few hundred bytes that stay
/// in L1, where a column-by-column copy writes one entry per cache line.
fn embed<T: Float>(gpt: &Gpt<T>, tokens: &[usize], t: usize) -> Array2<T> {
    let mut h = scratch((gpt.wte.nrows(), tokens.len()));
    // Tables stored some other way (a model read column by column) are
    // copied row by row first: they are small.
    let (wte, wpe) =
        (gpt.wte.as_standard_layout(), gpt.wpe.as_standard_layout());
    h.outer_iter_mut()
        .into_par_iter()
        .zip(wte.outer_iter().into_par_iter())
        .zip(wpe.outer_iter().into_par_iter())
        .for_each(|((mut h, te), pe)| {
            let (te, pe) =
                (te.to_slice().expect("rows"), pe.to_slice().expect("rows"));
            let h = h.as_slice_mut().expect("standard");
            for (j, (h, &token)) in h.iter_mut().zip(tokens).enumerate() {
                *h = te[token] + pe[j % t];
            }
        });
    h
}

/// Back through [`embed`]: ∂C/∂W_te gains chapter 12's
/// `lookup_gradient` (column j of δ added into column `tokens[j]`, summed
/// apart and then added, as the lesson adds it), and ∂C/∂W_pe is set to
/// the sum of δ's columns at each position; the same sums in the same
/// order, row by row.
fn embed_backward<T: Float>(
    delta: ArrayView2<T>,
    tokens: &[usize],
    t: usize,
    (d_wte, d_wpe): (&mut Array2<T>, &mut Array2<T>),
) {
    let vocab = d_wte.ncols();
    d_wte
        .outer_iter_mut()
        .into_par_iter()
        .zip(d_wpe.outer_iter_mut().into_par_iter())
        .zip(delta.outer_iter().into_par_iter())
        .for_each(|((mut te, mut pe), delta)| {
            let delta = delta.to_slice().expect("standard");
            let mut looked_up = vec![T::zero(); vocab];
            pe.fill(T::zero());
            for (j, (&d, &token)) in delta.iter().zip(tokens).enumerate() {
                looked_up[token] += d;
                pe[j % t] += d;
            }
            te += &Array1::from(looked_up);
        });
}

/// The mean loss of a piece; with `g`, the model's gradient written into
/// it (every entry: whatever `g` held is overwritten). With dropout's
/// `masks`, if any.
fn piece<T: Float>(
    gpt: &Gpt<T>,
    piece: &Piece,
    masks: Option<&Masks<T>>,
    g: Option<&mut Gpt<T>>,
) -> f64 {
    let rows = piece.rows;
    let x = rows.slice(s![..-1, ..]);
    let t = x.nrows();
    let tokens: Vec<usize> = x.t().iter().copied().collect();
    let mut h = embed(gpt, &tokens, t);
    if let Some(m) = masks {
        each_with(&mut h, &m.embedding, |h, m| h * m);
    }
    let block_masks = |l: usize| masks.map(|m| &m.blocks[l]);
    let mut values = Vec::with_capacity(gpt.blocks.len());
    for (l, block) in gpt.blocks.iter().enumerate() {
        let (out, v) = block_forward(block, h, block_masks(l), (gpt.heads, t));
        h = out;
        values.push(v);
    }
    let (hf, norm_f) = norm(&gpt.lnf_gain, &gpt.lnf_bias, h.view());
    // zᵀ = h_fᵀ W_te: one row of logits per token.
    let n = hf.ncols();
    let vocab = gpt.wte.ncols();
    let scored: Vec<usize> = (0..n).filter(|j| j % t >= piece.first).collect();
    let next = scored.iter().map(|&j| rows[[j % t + 1, j / t]]);
    let mut z_t = scratch((n, vocab));
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
    let Some(g) = g else {
        values.into_iter().for_each(BlockValues::keep);
        keep([h, hf, norm_f.x_hat, dz_t]);
        return loss;
    };
    if !all {
        let mut full = Array2::zeros((n, vocab));
        for (i, &j) in scored.iter().enumerate() {
            full.row_mut(j).assign(&dz_t.row(i));
        }
        dz_t = full;
    }
    gemm(
        T::one(),
        &hf.view(),
        &dz_t.view(),
        T::zero(),
        &mut g.wte.view_mut(),
    );
    let mut dh = scratch(hf.dim());
    gemm(
        T::one(),
        &gpt.wte.view(),
        &dz_t.t(),
        T::zero(),
        &mut dh.view_mut(),
    );
    let (mut dx, d_gain, d_bias) =
        norm_backward(&gpt.lnf_gain, &norm_f, dh.view());
    keep([h, hf, norm_f.x_hat, dz_t, dh]);
    (g.lnf_gain, g.lnf_bias) = (d_gain, d_bias);
    for (l, block) in gpt.blocks.iter().enumerate().rev() {
        let with = (&values[l], block_masks(l));
        let heads_t = (gpt.heads, t);
        dx = block_backward(block, with, dx, heads_t, &mut g.blocks[l]);
    }
    if let Some(m) = masks {
        each_with(&mut dx, &m.embedding, |d, m| d * m);
    }
    embed_backward(dx.view(), &tokens, t, (&mut g.wte, &mut g.wpe));
    values.into_iter().for_each(BlockValues::keep);
    keep([dx]);
    loss
}

/// The mean loss over `windows` (in pieces when longer than the model's
/// context) and, if `gradient`, its gradient.
pub fn loss_and_gradient<T: Float>(
    gpt: &Gpt<T>,
    windows: ArrayView2<usize>,
    gradient: bool,
) -> (f64, Option<Gpt<T>>) {
    let mut g = gradient.then(|| gpt.zeros_like());
    let loss = over_pieces(gpt, windows, g.as_mut(), &mut |_| None);
    (loss, g)
}

/// The mean loss over `windows` with dropout at rate `p` (fresh masks for
/// each piece, drawn from `rng`) and its gradient.
pub fn loss_and_gradient_dropped<T: Float>(
    gpt: &Gpt<T>,
    windows: ArrayView2<usize>,
    p: f64,
    rng: &mut Rng,
) -> (f64, Gpt<T>) {
    let mut g = gpt.zeros_like();
    let loss = dropped_into(gpt, windows, (p, rng), &mut g);
    (loss, g)
}

/// [`loss_and_gradient_dropped`] with the gradient written into `g`.
fn dropped_into<T: Float>(
    gpt: &Gpt<T>,
    windows: ArrayView2<usize>,
    (p, rng): (f64, &mut Rng),
    g: &mut Gpt<T>,
) -> f64 {
    let mut draw = |piece: &Piece| {
        let shape = (piece.rows.nrows() - 1, piece.rows.ncols());
        Some(Masks::draw(gpt, shape, p, rng))
    };
    over_pieces(gpt, windows, Some(g), &mut draw)
}

/// The mean loss over `windows`, piece by piece; with `g`, the gradient
/// written into it.
fn over_pieces<T: Float>(
    gpt: &Gpt<T>,
    windows: ArrayView2<usize>,
    g: Option<&mut Gpt<T>>,
    masks: &mut dyn FnMut(&Piece) -> Option<Masks<T>>,
) -> f64 {
    let total = (windows.nrows() - 1) as f64;
    let all = pieces(windows, gpt.wpe.ncols());
    if let [whole] = &all[..] {
        return piece(gpt, whole, masks(whole).as_ref(), g);
    }
    let mut loss = 0.0;
    let mut g = g;
    if let Some(sum) = g.as_mut() {
        sum.parameters_mut()
            .into_iter()
            .for_each(|p| p.fill(T::zero()));
    }
    let mut part = g.as_ref().map(|_| gpt.zeros_like());
    for p in all {
        let share = (p.rows.nrows() - 1 - p.first) as f64 / total;
        let drawn = masks(&p);
        loss += piece(gpt, &p, drawn.as_ref(), part.as_mut()) * share;
        if let (Some(sum), Some(gp)) = (g.as_mut(), part.as_ref()) {
            let share = T::from_f64(share);
            for (s, part) in
                sum.parameters_mut().into_iter().zip(gp.parameters())
            {
                s.scaled_add(share, part);
            }
        }
    }
    loss
}

/// The fast path as chapter 12's training [`Engine`]: with dropout
/// during training, if asked (never when measuring).
#[derive(Clone, Debug, Default)]
pub struct Fast {
    /// Dropout's rate and the generator its masks are drawn from.
    dropout: Option<(f64, Rng)>,
}

impl Fast {
    /// Training with dropout at rate `p` (none if 0), masks drawn from a
    /// generator seeded with `seed`.
    pub fn with_dropout(p: f64, seed: u64) -> Self {
        Fast {
            dropout: (p > 0.0).then(|| (p, seeded(seed))),
        }
    }
}

impl<T: Float> Engine<Gpt<T>> for Fast {
    fn gradient(
        &mut self,
        model: &Gpt<T>,
        windows: ArrayView2<usize>,
        g: &mut Gpt<T>,
    ) -> f64 {
        // The gradient is written into `g`'s own arrays, allocated once.
        let same = |(a, b): (&Array2<T>, &Array2<T>)| a.dim() == b.dim();
        let shaped = g.blocks.len() == model.blocks.len()
            && g.parameters().into_iter().zip(model.parameters()).all(same);
        if !shaped {
            *g = model.zeros_like();
        }
        fastpath::install(|| match &mut self.dropout {
            Some((p, rng)) => dropped_into(model, windows, (*p, rng), g),
            None => over_pieces(model, windows, Some(g), &mut |_| None),
        })
    }

    fn stream_nll(&mut self, model: &Gpt<T>, stream: &[usize]) -> f64 {
        fastpath::install(|| {
            stream_nll_with(stream, 1, |w| {
                over_pieces(model, w, None, &mut |_| None)
            })
        })
    }
}
