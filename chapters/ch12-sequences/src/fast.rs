//! The fast path of the recurrent networks: the same forward and backward
//! passes as `rnn` and `gru`, for a whole batch of windows at once, with
//! every product through `fastpath::gemm` (all threads) and every buffer
//! allocated once. The tests hold it to the lesson's gradient.
//!
//! What changes from the lesson, and why it is faster:
//! - all the states of a batch live in one matrix, one row per window and
//!   step (L·B, H), so the output layer, its gradient and the recurrent
//!   weights' gradient are each one large product over all steps and
//!   windows (through `fastpath::gemm`, on every thread) instead of L
//!   small ones, and each prediction and each token's row of the input
//!   weights lie contiguous in memory (rows are samples here, where the
//!   lesson's columns are: the transposes of the same products);
//! - only what must be sequential is: W_h hₜ₋₁ going forward and W_hᵀ δ
//!   going back. Windows are independent there, so each thread takes a
//!   share of them through all L steps, with products on its own thread
//!   (`fastpath::gemm_serial`): no waiting for each other at every step;
//! - tanh as 2σ(2x) − 1, one exponential, and the gates' and tanh's
//!   exponentials by `fastpath::exp` in loops compiled for the CPU's
//!   widest vectors (`fastpath::simd!`), rather than the C library's, one
//!   number at a time;
//! - every buffer is allocated once, with the workspace (a step makes
//!   only the short list of the threads' shares: views into them).
//!
//! Every entry is computed in a fixed order whatever the threads' shares,
//! so the numbers are the same for any thread count.

use ch07_minibatches::fast::Float;
use fastpath::{gemm, gemm_serial};
use ndarray::{Array2, ArrayView2, ArrayViewMut2, Axis, Zip, s};
use rayon::prelude::*;

use crate::gru::Gru;
use crate::rnn::Rnn;

/// The softmax cross-entropy of every row of z (n, V) against its
/// target, written back into z as ∂C/∂z = (softmax − y)/n. Returns the
/// mean loss.
pub fn softmax_loss_in_place<T: Float>(
    mut z: ArrayViewMut2<T>,
    next: impl Iterator<Item = usize>,
) -> f64 {
    let n = z.nrows();
    let scale = T::from_f64(1.0 / n as f64);
    let mut total = 0.0;
    for (mut row, target) in z.rows_mut().into_iter().zip(next) {
        let row = row.as_slice_mut().expect("a contiguous row");
        let max = row.iter().fold(T::neg_infinity(), |m, &v| m.max(v));
        let mut sum = T::zero();
        for v in row.iter_mut() {
            *v = (*v - max).exp();
            sum += *v;
        }
        total -= (row[target] / sum).into_f64().max(f64::MIN_POSITIVE).ln();
        let factor = scale / sum;
        for v in row.iter_mut() {
            *v *= factor;
        }
        row[target] -= scale;
    }
    total / n as f64
}

/// σ(x) = 1/(1 + e⁻ˣ) with `fastpath::exp`, an exponential without
/// branches: inlined into its caller's `fastpath::simd!` block, a loop of
/// it runs as vectors (the C library's `exp` takes one number at a time).
#[inline(always)]
fn sigmoid<T: Float>(x: T) -> T {
    T::one() / (T::one() + fastpath::exp(-x))
}

/// tanh x = 2σ(2x) − 1: one exponential, like the gates' sigmoids,
/// where the C library's `tanh` takes several times as long. The two agree
/// to a few units of f32's last place in absolute terms (the tests hold
/// the whole gradient to the lesson's).
#[inline(always)]
fn tanh<T: Float>(x: T) -> T {
    let two = T::from_f64(2.0);
    two * sigmoid(two * x) - T::one()
}

/// Sets row j of `into` to row `tokens[j]` of `table` plus `bias`.
fn gather_rows<T: Float>(
    table: ArrayView2<T>,
    bias: ArrayView2<T>,
    tokens: &[usize],
    mut into: ArrayViewMut2<T>,
) {
    let bias = bias.column(0);
    for (mut row, &token) in into.rows_mut().into_iter().zip(tokens) {
        Zip::from(&mut row)
            .and(table.row(token))
            .and(bias)
            .for_each(|r, &w, &b| *r = w + b);
    }
}

/// Adds row j of `delta` into row `tokens[j]` of `into` (the scatter-add).
fn scatter_rows<T: Float>(
    delta: ArrayView2<T>,
    tokens: &[usize],
    mut into: ArrayViewMut2<T>,
) {
    for (row, &token) in delta.rows().into_iter().zip(tokens) {
        let mut target = into.row_mut(token);
        target += &row;
    }
}

/// The column sums of `m` (n, k), as a column (k, 1) of a gradient.
fn column_sums<T: Float>(m: ArrayView2<T>, mut into: ArrayViewMut2<T>) {
    into.column_mut(0).assign(&m.sum_axis(Axis(0)));
}

/// The tokens of a batch of windows (L + 1, B), inputs and targets,
/// sequence by sequence: sample b·L + t is step t of window b.
fn split_windows(
    windows: ArrayView2<usize>,
    x: &mut Vec<usize>,
    y: &mut Vec<usize>,
) {
    let len = windows.nrows() - 1;
    x.clear();
    y.clear();
    for column in windows.columns() {
        x.extend(column.iter().take(len));
        y.extend(column.iter().skip(1));
    }
}

/// A workspace serves one size of batch: windows of `len` + 1 tokens,
/// `batch` of them.
fn check_size(windows: ArrayView2<usize>, len: usize, batch: usize) {
    assert_eq!(
        windows.dim(),
        (len + 1, batch),
        "the workspace was sized for other windows"
    );
}

/// How many windows each thread's share holds: the batch split evenly
/// over the threads. (Any split gives the same numbers: windows are
/// independent until the weights' gradients, which are summed afterwards
/// over all of them in a fixed order.)
fn share(batch: usize) -> usize {
    batch.div_ceil(rayon::current_num_threads().max(1)).max(1)
}

/// Rows t, t + L, t + 2L, …: step t of every window of a share.
fn step(
    t: usize,
    len: usize,
) -> ndarray::SliceInfo<[ndarray::SliceInfoElem; 2], ndarray::Ix2, ndarray::Ix2>
{
    s![t..;len, ..]
}

/// The GRU's buffers for a batch of `batch` windows of `len` + 1 tokens.
/// Rows are samples, window by window: row b·L + t is step t of window b.
pub struct GruWorkspace<T> {
    batch: usize,
    len: usize,
    x: Vec<usize>,
    y: Vec<usize>,
    /// W_x transposed (V, 3H), so a token's row is contiguous.
    w_x_t: Array2<T>,
    /// hₜ₋₁ for every sample (L·B, H) (h₀ = 0).
    h_prev: Array2<T>,
    /// hₜ for every sample (L·B, H).
    h: Array2<T>,
    /// (W_x xₜ + b_x)ᵀ for every sample (L·B, 3H); then ∂C/∂ of it.
    gx: Array2<T>,
    /// (W_h hₜ₋₁ + b_h)ᵀ for every sample (L·B, 3H); then ∂C/∂ of it.
    gh: Array2<T>,
    /// The gates r, u and the candidate n (L·B, 3H).
    gates: Array2<T>,
    /// The logits (L·B, V), then ∂C/∂z.
    z: Array2<T>,
    /// ∂C/∂hₜ from the outputs (L·B, H).
    dh_out: Array2<T>,
    /// ∂C/∂hₜ flowing back, one row per window (B, H).
    dh: Array2<T>,
    /// ∂C/∂W_x transposed (V, 3H).
    dw_x_t: Array2<T>,
}

/// One thread's share of the GRU's buffers: `windows` whole windows.
struct GruShare<'a, T> {
    x: &'a [usize],
    h_prev: ArrayViewMut2<'a, T>,
    h: ArrayViewMut2<'a, T>,
    gx: ArrayViewMut2<'a, T>,
    gh: ArrayViewMut2<'a, T>,
    gates: ArrayViewMut2<'a, T>,
    dh_out: ArrayViewMut2<'a, T>,
    dh: ArrayViewMut2<'a, T>,
}

impl<T: Float> GruShare<'_, T> {
    /// Forward through every step of the share's windows.
    fn forward(&mut self, model: &Gru<T>, w_x_t: ArrayView2<T>, len: usize) {
        let (hs, one) = (model.hidden(), T::one());
        gather_rows(w_x_t, model.b_x.view(), self.x, self.gx.view_mut());
        self.h_prev.slice_mut(step(0, len)).fill(T::zero());
        let b_h = model.b_h.column(0);
        for t in 0..len {
            let mut gh = self.gh.slice_mut(step(t, len));
            for mut row in gh.rows_mut() {
                row.assign(&b_h);
            }
            let h_prev = self.h_prev.slice(step(t, len));
            gemm_serial(one, &h_prev, &model.w_h.t(), one, &mut gh);
            for j in 0..gh.nrows() {
                let at = j * len + t;
                let gx = self.gx.row(at);
                let (gx, gh) = (gx.as_slice().expect("row"), gh.row(j));
                let gh = gh.as_slice().expect("row");
                let mut gate = self.gates.row_mut(at);
                let gate = gate.as_slice_mut().expect("row");
                let (r, rest) = gate.split_at_mut(hs);
                let (u, n) = rest.split_at_mut(hs);
                let h_prev = self.h_prev.row(at);
                let h_prev = h_prev.as_slice().expect("row");
                let mut h = self.h.row_mut(at);
                let h = h.as_slice_mut().expect("row");
                // Each gate a loop of its own over slices of one length,
                // so that each runs as vectors.
                let (gx_r, gx_u, gx_n) =
                    (&gx[..hs], &gx[hs..2 * hs], &gx[2 * hs..3 * hs]);
                let (gh_r, gh_u, gh_n) =
                    (&gh[..hs], &gh[hs..2 * hs], &gh[2 * hs..3 * hs]);
                let (n, h_prev, h) =
                    (&mut n[..hs], &h_prev[..hs], &mut h[..hs]);
                fastpath::simd!({
                    for ((r, &x), &y) in r.iter_mut().zip(gx_r).zip(gh_r) {
                        *r = sigmoid(x + y);
                    }
                    for ((u, &x), &y) in u.iter_mut().zip(gx_u).zip(gh_u) {
                        *u = sigmoid(x + y);
                    }
                    let n_in = n.iter_mut().zip(gx_n).zip(gh_n).zip(&*r);
                    for (((n, &x), &y), &r) in n_in {
                        *n = tanh(x + r * y);
                    }
                    let h_in = h.iter_mut().zip(&*u).zip(&*n).zip(h_prev);
                    for (((h, &u), &n), &h_prev) in h_in {
                        *h = (one - u) * n + u * h_prev;
                    }
                });
                if t + 1 < len {
                    self.h_prev.row_mut(at + 1).assign(&self.h.row(at));
                }
            }
        }
    }

    /// Back through every step, from ∂C/∂hₜ of the outputs: leaves
    /// ∂C/∂(W_x x + b_x) in gx and ∂C/∂(W_h h + b_h) in gh.
    fn backward(&mut self, model: &Gru<T>, len: usize) {
        let (hs, one) = (model.hidden(), T::one());
        self.dh.fill(T::zero());
        for t in (0..len).rev() {
            for j in 0..self.dh.nrows() {
                let at = j * len + t;
                let gate = self.gates.row(at);
                let gate = gate.as_slice().expect("row");
                let (r, u, n) =
                    (&gate[..hs], &gate[hs..2 * hs], &gate[2 * hs..]);
                let mut dgx = self.gx.row_mut(at);
                let dgx = dgx.as_slice_mut().expect("row");
                let mut dgh = self.gh.row_mut(at);
                let dgh = dgh.as_slice_mut().expect("row");
                let (h_prev, dh_out) =
                    (self.h_prev.row(at), self.dh_out.row(at));
                let mut dh_row = self.dh.row_mut(j);
                for i in 0..hs {
                    let dh = dh_row[i] + dh_out[i];
                    // W_hn h + b_hn, still in gh from the forward pass.
                    let hn = dgh[2 * hs + i];
                    let dan = dh * (one - u[i]) * (one - n[i] * n[i]);
                    let dar = dan * hn * r[i] * (one - r[i]);
                    let dau = dh * (h_prev[i] - n[i]) * u[i] * (one - u[i]);
                    dgx[i] = dar;
                    dgx[hs + i] = dau;
                    dgx[2 * hs + i] = dan;
                    dgh[i] = dar;
                    dgh[hs + i] = dau;
                    dgh[2 * hs + i] = dan * r[i];
                    dh_row[i] = dh * u[i];
                }
            }
            let dgh = self.gh.slice(step(t, len));
            gemm_serial(one, &dgh, &model.w_h.view(), one, &mut self.dh);
        }
    }
}

impl<T: Float> GruWorkspace<T> {
    /// Buffers for `model`, windows of `len` + 1 tokens, `batch` of them.
    pub fn new(model: &Gru<T>, len: usize, batch: usize) -> Self {
        let (h, v, n) = (model.hidden(), model.w_hy.nrows(), len * batch);
        GruWorkspace {
            batch,
            len,
            x: Vec::with_capacity(n),
            y: Vec::with_capacity(n),
            w_x_t: Array2::zeros((v, 3 * h)),
            h_prev: Array2::zeros((n, h)),
            h: Array2::zeros((n, h)),
            gx: Array2::zeros((n, 3 * h)),
            gh: Array2::zeros((n, 3 * h)),
            gates: Array2::zeros((n, 3 * h)),
            z: Array2::zeros((n, v)),
            dh_out: Array2::zeros((n, h)),
            dh: Array2::zeros((batch, h)),
            dw_x_t: Array2::zeros((v, 3 * h)),
        }
    }

    /// Each thread's share of the buffers, whole windows each.
    fn shares(&mut self) -> Vec<GruShare<'_, T>> {
        let (windows, len) = (share(self.batch), self.len);
        let rows = windows * len;
        let x = self.x.chunks(rows);
        let h_prev = self.h_prev.axis_chunks_iter_mut(Axis(0), rows);
        let h = self.h.axis_chunks_iter_mut(Axis(0), rows);
        let gx = self.gx.axis_chunks_iter_mut(Axis(0), rows);
        let gh = self.gh.axis_chunks_iter_mut(Axis(0), rows);
        let gates = self.gates.axis_chunks_iter_mut(Axis(0), rows);
        let dh_out = self.dh_out.axis_chunks_iter_mut(Axis(0), rows);
        let dh = self.dh.axis_chunks_iter_mut(Axis(0), windows);
        x.zip(h_prev)
            .zip(h)
            .zip(gx)
            .zip(gh)
            .zip(gates)
            .zip(dh_out)
            .zip(dh)
            .map(|(((((((x, h_prev), h), gx), gh), gates), dh_out), dh)| {
                GruShare {
                    x,
                    h_prev,
                    h,
                    gx,
                    gh,
                    gates,
                    dh_out,
                    dh,
                }
            })
            .collect()
    }

    /// The forward pass: every thread its share of the windows through
    /// every step, then the logits of all at once.
    fn forward(&mut self, model: &Gru<T>) {
        self.w_x_t.assign(&model.w_x.t());
        // Lent out while the shares borrow the rest (no copy is made).
        let (len, w_x_t) = (self.len, std::mem::take(&mut self.w_x_t));
        self.shares()
            .into_par_iter()
            .for_each(|mut share| share.forward(model, w_x_t.view(), len));
        self.w_x_t = w_x_t;
        for mut row in self.z.rows_mut() {
            row.assign(&model.c.column(0));
        }
        let one = T::one();
        gemm(
            one,
            &self.h.view(),
            &model.w_hy.t(),
            one,
            &mut self.z.view_mut(),
        );
    }

    /// The mean loss on `windows` (L + 1, B) and its gradient, written into
    /// `g` (a model of the same shape).
    pub fn loss_and_gradient(
        &mut self,
        model: &Gru<T>,
        windows: ArrayView2<usize>,
        g: &mut Gru<T>,
    ) -> f64 {
        check_size(windows, self.len, self.batch);
        split_windows(windows, &mut self.x, &mut self.y);
        self.forward(model);
        let loss =
            softmax_loss_in_place(self.z.view_mut(), self.y.iter().copied());
        let (zero, one) = (T::zero(), T::one());
        gemm(
            one,
            &self.z.t(),
            &self.h.view(),
            zero,
            &mut g.w_hy.view_mut(),
        );
        column_sums(self.z.view(), g.c.view_mut());
        gemm(
            one,
            &self.z.view(),
            &model.w_hy.view(),
            zero,
            &mut self.dh_out.view_mut(),
        );
        let len = self.len;
        self.shares()
            .into_par_iter()
            .for_each(|mut share| share.backward(model, len));
        gemm(
            one,
            &self.gh.t(),
            &self.h_prev.view(),
            zero,
            &mut g.w_h.view_mut(),
        );
        column_sums(self.gh.view(), g.b_h.view_mut());
        self.dw_x_t.fill(zero);
        scatter_rows(self.gx.view(), &self.x, self.dw_x_t.view_mut());
        g.w_x.assign(&self.dw_x_t.t());
        column_sums(self.gx.view(), g.b_x.view_mut());
        loss
    }

    /// The mean loss on `windows` without the gradient.
    pub fn loss(&mut self, model: &Gru<T>, windows: ArrayView2<usize>) -> f64 {
        check_size(windows, self.len, self.batch);
        split_windows(windows, &mut self.x, &mut self.y);
        self.forward(model);
        softmax_loss_in_place(self.z.view_mut(), self.y.iter().copied())
    }
}

/// The plain RNN's buffers, as [`GruWorkspace`]'s.
pub struct RnnWorkspace<T> {
    batch: usize,
    len: usize,
    x: Vec<usize>,
    y: Vec<usize>,
    /// W_xh transposed (V, H).
    w_xh_t: Array2<T>,
    /// hₜ₋₁ for every sample (L·B, H) (h₀ = 0).
    h_prev: Array2<T>,
    /// hₜ for every sample (L·B, H).
    h: Array2<T>,
    /// ∂C/∂aₜ for every sample (L·B, H).
    da: Array2<T>,
    /// The logits (L·B, V), then ∂C/∂z.
    z: Array2<T>,
    /// ∂C/∂hₜ from the outputs (L·B, H).
    dh_out: Array2<T>,
    /// ∂C/∂hₜ flowing back, one row per window (B, H).
    dh: Array2<T>,
    /// ∂C/∂W_xh transposed (V, H).
    dw_xh_t: Array2<T>,
}

/// One thread's share of the RNN's buffers.
struct RnnShare<'a, T> {
    x: &'a [usize],
    h_prev: ArrayViewMut2<'a, T>,
    h: ArrayViewMut2<'a, T>,
    da: ArrayViewMut2<'a, T>,
    dh_out: ArrayViewMut2<'a, T>,
    dh: ArrayViewMut2<'a, T>,
}

impl<T: Float> RnnShare<'_, T> {
    fn forward(&mut self, model: &Rnn<T>, w_xh_t: ArrayView2<T>, len: usize) {
        let one = T::one();
        gather_rows(w_xh_t, model.b.view(), self.x, self.h.view_mut());
        self.h_prev.slice_mut(step(0, len)).fill(T::zero());
        for t in 0..len {
            let h_prev = self.h_prev.slice(step(t, len));
            let mut h = self.h.slice_mut(step(t, len));
            gemm_serial(one, &h_prev, &model.w_hh.t(), one, &mut h);
            for mut row in h.rows_mut() {
                let row = row.as_slice_mut().expect("a contiguous row");
                fastpath::simd!(row.iter_mut().for_each(|h| *h = tanh(*h)));
            }
            if t + 1 < len {
                self.h_prev.slice_mut(step(t + 1, len)).assign(&h);
            }
        }
    }

    fn backward(&mut self, model: &Rnn<T>, len: usize) {
        let (zero, one) = (T::zero(), T::one());
        self.dh.fill(zero);
        for t in (0..len).rev() {
            let mut da = self.da.slice_mut(step(t, len));
            Zip::from(&mut da)
                .and(&self.dh)
                .and(self.dh_out.slice(step(t, len)))
                .and(self.h.slice(step(t, len)))
                .for_each(|da, &dh, &out, &h| *da = (dh + out) * (one - h * h));
            gemm_serial(
                one,
                &da.view(),
                &model.w_hh.view(),
                zero,
                &mut self.dh,
            );
        }
    }
}

impl<T: Float> RnnWorkspace<T> {
    /// Buffers for `model`, windows of `len` + 1 tokens, `batch` of them.
    pub fn new(model: &Rnn<T>, len: usize, batch: usize) -> Self {
        let (h, v, n) = (model.hidden(), model.w_hy.nrows(), len * batch);
        RnnWorkspace {
            batch,
            len,
            x: Vec::with_capacity(n),
            y: Vec::with_capacity(n),
            w_xh_t: Array2::zeros((v, h)),
            h_prev: Array2::zeros((n, h)),
            h: Array2::zeros((n, h)),
            da: Array2::zeros((n, h)),
            z: Array2::zeros((n, v)),
            dh_out: Array2::zeros((n, h)),
            dh: Array2::zeros((batch, h)),
            dw_xh_t: Array2::zeros((v, h)),
        }
    }

    fn shares(&mut self) -> Vec<RnnShare<'_, T>> {
        let (windows, len) = (share(self.batch), self.len);
        let rows = windows * len;
        let x = self.x.chunks(rows);
        let h_prev = self.h_prev.axis_chunks_iter_mut(Axis(0), rows);
        let h = self.h.axis_chunks_iter_mut(Axis(0), rows);
        let da = self.da.axis_chunks_iter_mut(Axis(0), rows);
        let dh_out = self.dh_out.axis_chunks_iter_mut(Axis(0), rows);
        let dh = self.dh.axis_chunks_iter_mut(Axis(0), windows);
        x.zip(h_prev)
            .zip(h)
            .zip(da)
            .zip(dh_out)
            .zip(dh)
            .map(|(((((x, h_prev), h), da), dh_out), dh)| RnnShare {
                x,
                h_prev,
                h,
                da,
                dh_out,
                dh,
            })
            .collect()
    }

    fn forward(&mut self, model: &Rnn<T>) {
        self.w_xh_t.assign(&model.w_xh.t());
        let (len, w_xh_t) = (self.len, std::mem::take(&mut self.w_xh_t));
        self.shares()
            .into_par_iter()
            .for_each(|mut share| share.forward(model, w_xh_t.view(), len));
        self.w_xh_t = w_xh_t;
        for mut row in self.z.rows_mut() {
            row.assign(&model.c.column(0));
        }
        let one = T::one();
        gemm(
            one,
            &self.h.view(),
            &model.w_hy.t(),
            one,
            &mut self.z.view_mut(),
        );
    }

    /// The mean loss on `windows` (L + 1, B) and its gradient, written into
    /// `g`.
    pub fn loss_and_gradient(
        &mut self,
        model: &Rnn<T>,
        windows: ArrayView2<usize>,
        g: &mut Rnn<T>,
    ) -> f64 {
        check_size(windows, self.len, self.batch);
        split_windows(windows, &mut self.x, &mut self.y);
        self.forward(model);
        let loss =
            softmax_loss_in_place(self.z.view_mut(), self.y.iter().copied());
        let (zero, one) = (T::zero(), T::one());
        gemm(
            one,
            &self.z.t(),
            &self.h.view(),
            zero,
            &mut g.w_hy.view_mut(),
        );
        column_sums(self.z.view(), g.c.view_mut());
        gemm(
            one,
            &self.z.view(),
            &model.w_hy.view(),
            zero,
            &mut self.dh_out.view_mut(),
        );
        let len = self.len;
        self.shares()
            .into_par_iter()
            .for_each(|mut share| share.backward(model, len));
        gemm(
            one,
            &self.da.t(),
            &self.h_prev.view(),
            zero,
            &mut g.w_hh.view_mut(),
        );
        column_sums(self.da.view(), g.b.view_mut());
        self.dw_xh_t.fill(zero);
        scatter_rows(self.da.view(), &self.x, self.dw_xh_t.view_mut());
        g.w_xh.assign(&self.dw_xh_t.t());
        loss
    }

    /// The mean loss on `windows` without the gradient.
    pub fn loss(&mut self, model: &Rnn<T>, windows: ArrayView2<usize>) -> f64 {
        check_size(windows, self.len, self.batch);
        split_windows(windows, &mut self.x, &mut self.y);
        self.forward(model);
        softmax_loss_in_place(self.z.view_mut(), self.y.iter().copied())
    }
}

/// A recurrent network's buffers for one size of batch.
pub trait Workspace<M>: Sized {
    /// Buffers for `model`, windows of `len` + 1 tokens, `batch` of them.
    fn sized(model: &M, len: usize, batch: usize) -> Self;
    /// The (len, batch) it was sized for.
    fn size(&self) -> (usize, usize);
    /// The mean loss and its gradient, written into `g`.
    fn gradient(
        &mut self,
        model: &M,
        windows: ArrayView2<usize>,
        g: &mut M,
    ) -> f64;
    /// The mean loss only.
    fn loss_only(&mut self, model: &M, windows: ArrayView2<usize>) -> f64;
}

impl<T: Float> Workspace<Gru<T>> for GruWorkspace<T> {
    fn sized(model: &Gru<T>, len: usize, batch: usize) -> Self {
        Self::new(model, len, batch)
    }
    fn size(&self) -> (usize, usize) {
        (self.len, self.batch)
    }
    fn gradient(
        &mut self,
        model: &Gru<T>,
        w: ArrayView2<usize>,
        g: &mut Gru<T>,
    ) -> f64 {
        self.loss_and_gradient(model, w, g)
    }
    fn loss_only(&mut self, model: &Gru<T>, w: ArrayView2<usize>) -> f64 {
        self.loss(model, w)
    }
}

impl<T: Float> Workspace<Rnn<T>> for RnnWorkspace<T> {
    fn sized(model: &Rnn<T>, len: usize, batch: usize) -> Self {
        Self::new(model, len, batch)
    }
    fn size(&self) -> (usize, usize) {
        (self.len, self.batch)
    }
    fn gradient(
        &mut self,
        model: &Rnn<T>,
        w: ArrayView2<usize>,
        g: &mut Rnn<T>,
    ) -> f64 {
        self.loss_and_gradient(model, w, g)
    }
    fn loss_only(&mut self, model: &Rnn<T>, w: ArrayView2<usize>) -> f64 {
        self.loss(model, w)
    }
}

/// The fast path as a training [`Engine`](crate::train::Engine): one
/// workspace per size of batch it has met (the training windows, the
/// measuring stretches), each allocated once.
pub struct Fast<W> {
    spaces: Vec<W>,
}

impl<W> Default for Fast<W> {
    fn default() -> Self {
        Fast { spaces: Vec::new() }
    }
}

impl<W> Fast<W> {
    fn space<M>(&mut self, model: &M, windows: ArrayView2<usize>) -> &mut W
    where
        W: Workspace<M>,
    {
        let size = (windows.nrows() - 1, windows.ncols());
        match self.spaces.iter().position(|w| w.size() == size) {
            Some(i) => &mut self.spaces[i],
            None => {
                self.spaces.push(W::sized(model, size.0, size.1));
                self.spaces.last_mut().expect("just pushed")
            }
        }
    }
}

/// Each call runs on a pool thread with the pool's other threads kept
/// awake until it returns (`fastpath::install`): a step hands work to
/// them a few times (the large products, the windows' shares), and a
/// thread left to sleep in between costs a wake-up at each.
impl<M: Send + Sync, W: Workspace<M> + Send> crate::train::Engine<M>
    for Fast<W>
{
    fn gradient(
        &mut self,
        model: &M,
        windows: ArrayView2<usize>,
        g: &mut M,
    ) -> f64 {
        let space = self.space(model, windows);
        fastpath::install(|| space.gradient(model, windows, g))
    }

    fn stream_nll(&mut self, model: &M, stream: &[usize]) -> f64 {
        fastpath::install(|| {
            crate::language::stream_nll_with(stream, 1, |w| {
                self.space(model, w).loss_only(model, w)
            })
        })
    }
}
