//! The fast path of the recurrent networks: the same forward and backward
//! passes as `rnn` and `gru`, for a whole batch of windows at once, with
//! every product through `fastpath::gemm` (all threads) and every buffer
//! allocated once. The tests hold it to the lesson's gradient.
//!
//! What changes from the lesson, and why it is faster:
//! - the states of every step live side by side in one matrix (H, L·B),
//!   step t in columns t·B … (t + 1)·B, so the output layer, its gradient
//!   and the recurrent weights' gradient are each one large product over
//!   all steps instead of L small ones;
//! - only what must be sequential is: W_h hₜ₋₁ going forward and W_hᵀ δ
//!   going back, one (3H, H) × (H, B) product per step;
//! - nothing is allocated after the first step.
//!
//! Every entry is computed in a fixed order, so the numbers are the same
//! for any thread count.

use ch02_activations::sigmoid;
use ch07_minibatches::fast::Float;
use fastpath::gemm;
use ndarray::{Array2, ArrayView2, ArrayViewMut2, Axis, s};

use crate::gru::Gru;
use crate::rnn::Rnn;

/// The softmax cross-entropy of every column of z (V, n) against its
/// target, written back into z as ∂C/∂z = (softmax − y)/n. Returns the
/// mean loss.
pub fn softmax_loss_in_place<T: Float>(
    mut z: ArrayViewMut2<T>,
    next: impl Iterator<Item = usize>,
) -> f64 {
    let n = z.ncols();
    let scale = T::from_f64(1.0 / n as f64);
    let mut total = 0.0;
    for (mut column, target) in z.columns_mut().into_iter().zip(next) {
        let max = column.fold(T::neg_infinity(), |m, &v| m.max(v));
        column.mapv_inplace(|v| (v - max).exp());
        let sum = column.sum();
        total -= (column[target] / sum).into_f64().max(f64::MIN_POSITIVE).ln();
        column.mapv_inplace(|v| v / sum * scale);
        column[target] -= scale;
    }
    total / n as f64
}

/// Adds each row's sum of `m` into the column `into` (H, 1).
fn add_row_sums<T: Float>(m: ArrayView2<T>, mut into: ArrayViewMut2<T>) {
    for (i, row) in m.rows().into_iter().enumerate() {
        into[[i, 0]] += row.sum();
    }
}

/// Adds column j of `delta` into column `tokens[j]` of `into`.
fn scatter_add<T: Float>(
    delta: ArrayView2<T>,
    tokens: &[usize],
    mut into: ArrayViewMut2<T>,
) {
    for (j, &token) in tokens.iter().enumerate() {
        let mut column = into.column_mut(token);
        column += &delta.column(j);
    }
}

/// The tokens of a batch of windows (L + 1, B), inputs and targets in
/// step order: input j = (t, b) is row t, column b.
fn split_windows(windows: ArrayView2<usize>, x: &mut Vec<usize>, y: &mut Vec<usize>) {
    let len = windows.nrows() - 1;
    x.clear();
    y.clear();
    x.extend(windows.slice(s![..len, ..]).iter());
    y.extend(windows.slice(s![1.., ..]).iter());
}

/// The GRU's buffers for windows of up to `len` + 1 tokens, `batch` wide.
pub struct GruWorkspace<T> {
    batch: usize,
    len: usize,
    x: Vec<usize>,
    y: Vec<usize>,
    /// States h₀ … h_L side by side (H, (L + 1)·B).
    h: Array2<T>,
    /// W_x xₜ + b_x for every step (3H, L·B); then ∂C/∂ of it.
    gx: Array2<T>,
    /// W_h hₜ₋₁ + b_h for every step (3H, L·B); then ∂C/∂ of it.
    gh: Array2<T>,
    /// The gates r, u and the candidate n (3H, L·B).
    gates: Array2<T>,
    /// The logits (V, L·B), then ∂C/∂z.
    z: Array2<T>,
    /// ∂C/∂hₜ from the outputs (H, L·B).
    dh_out: Array2<T>,
    /// ∂C/∂hₜ flowing back (H, B).
    dh: Array2<T>,
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
            h: Array2::zeros((h, n + batch)),
            gx: Array2::zeros((3 * h, n)),
            gh: Array2::zeros((3 * h, n)),
            gates: Array2::zeros((3 * h, n)),
            z: Array2::zeros((v, n)),
            dh_out: Array2::zeros((h, n)),
            dh: Array2::zeros((h, batch)),
        }
    }

    /// The forward pass: fills the states, gates and logits.
    fn forward(&mut self, model: &Gru<T>) {
        let (hs, b) = (model.hidden(), self.batch);
        for (j, &token) in self.x.iter().enumerate() {
            let mut column = self.gx.column_mut(j);
            column.assign(&model.w_x.column(token));
            column += &model.b_x.column(0);
        }
        self.h.slice_mut(s![.., ..b]).fill(T::zero());
        for t in 0..self.len {
            let cols = t * b..(t + 1) * b;
            let h_prev = self.h.slice(s![.., cols.clone()]);
            let mut gh = self.gh.slice_mut(s![.., cols.clone()]);
            gh.assign(&model.b_h.broadcast((3 * hs, b)).expect("a column"));
            gemm(T::one(), &model.w_h.view(), &h_prev, T::one(), &mut gh);
            let (gx, gh) = (self.gx.slice(s![.., cols.clone()]), gh.view());
            let mut gates = self.gates.slice_mut(s![.., cols.clone()]);
            let (mut h_new, h_prev) = {
                let (before, after) = self.h.view_mut().split_at(Axis(1), (t + 1) * b);
                (after.slice_move(s![.., ..b]), before.slice_move(s![.., t * b..]))
            };
            for i in 0..hs {
                for j in 0..b {
                    let r = sigmoid(gx[[i, j]] + gh[[i, j]]);
                    let u = sigmoid(gx[[hs + i, j]] + gh[[hs + i, j]]);
                    let n = (gx[[2 * hs + i, j]] + r * gh[[2 * hs + i, j]]).tanh();
                    gates[[i, j]] = r;
                    gates[[hs + i, j]] = u;
                    gates[[2 * hs + i, j]] = n;
                    h_new[[i, j]] = (T::one() - u) * n + u * h_prev[[i, j]];
                }
            }
        }
        let states = self.h.slice(s![.., b..]);
        let dim = self.z.raw_dim();
        self.z.assign(&model.c.broadcast(dim).expect("a column"));
        gemm(T::one(), &model.w_hy.view(), &states, T::one(), &mut self.z.view_mut());
    }

    /// The mean loss on `windows` (L + 1, B) and its gradient, written into
    /// `g` (a model of the same shape).
    pub fn loss_and_gradient(
        &mut self,
        model: &Gru<T>,
        windows: ArrayView2<usize>,
        g: &mut Gru<T>,
    ) -> f64 {
        self.check(windows);
        split_windows(windows, &mut self.x, &mut self.y);
        self.forward(model);
        let loss = softmax_loss_in_place(self.z.view_mut(), self.y.iter().copied());
        let (hs, b, zero, one) = (model.hidden(), self.batch, T::zero(), T::one());
        let states = self.h.slice(s![.., b..]);
        gemm(one, &self.z.view(), &states.t(), zero, &mut g.w_hy.view_mut());
        g.c.fill(zero);
        add_row_sums(self.z.view(), g.c.view_mut());
        gemm(one, &model.w_hy.t(), &self.z.view(), zero, &mut self.dh_out.view_mut());
        self.dh.fill(zero);
        for t in (0..self.len).rev() {
            let cols = t * b..(t + 1) * b;
            let h_prev = self.h.slice(s![.., cols.clone()]);
            let gates = self.gates.slice(s![.., cols.clone()]);
            let dh_out = self.dh_out.slice(s![.., cols.clone()]);
            let mut dgx = self.gx.slice_mut(s![.., cols.clone()]);
            let mut dgh = self.gh.slice_mut(s![.., cols.clone()]);
            for i in 0..hs {
                for j in 0..b {
                    let dh = self.dh[[i, j]] + dh_out[[i, j]];
                    let (r, u, n) = (gates[[i, j]], gates[[hs + i, j]], gates[[2 * hs + i, j]]);
                    // W_hn h + b_hn, recovered from the candidate's input.
                    let hn = dgh[[2 * hs + i, j]];
                    let dan = dh * (one - u) * (one - n * n);
                    let dar = dan * hn * r * (one - r);
                    let dau = dh * (h_prev[[i, j]] - n) * u * (one - u);
                    dgx[[i, j]] = dar;
                    dgx[[hs + i, j]] = dau;
                    dgx[[2 * hs + i, j]] = dan;
                    dgh[[i, j]] = dar;
                    dgh[[hs + i, j]] = dau;
                    dgh[[2 * hs + i, j]] = dan * r;
                    self.dh[[i, j]] = dh * u;
                }
            }
            gemm(one, &model.w_h.t(), &dgh.view(), one, &mut self.dh.view_mut());
        }
        let before = self.h.slice(s![.., ..self.len * b]);
        gemm(one, &self.gh.view(), &before.t(), zero, &mut g.w_h.view_mut());
        g.b_h.fill(zero);
        add_row_sums(self.gh.view(), g.b_h.view_mut());
        g.w_x.fill(zero);
        scatter_add(self.gx.view(), &self.x, g.w_x.view_mut());
        g.b_x.fill(zero);
        add_row_sums(self.gx.view(), g.b_x.view_mut());
        loss
    }

    /// The mean loss on `windows` without the gradient.
    pub fn loss(&mut self, model: &Gru<T>, windows: ArrayView2<usize>) -> f64 {
        self.check(windows);
        split_windows(windows, &mut self.x, &mut self.y);
        self.forward(model);
        softmax_loss_in_place(self.z.view_mut(), self.y.iter().copied())
    }

    fn check(&self, windows: ArrayView2<usize>) {
        assert_eq!(
            windows.dim(),
            (self.len + 1, self.batch),
            "the workspace was sized for other windows"
        );
    }
}

/// The plain RNN's buffers, as [`GruWorkspace`]'s.
pub struct RnnWorkspace<T> {
    batch: usize,
    len: usize,
    x: Vec<usize>,
    y: Vec<usize>,
    /// States h₀ … h_L side by side (H, (L + 1)·B).
    h: Array2<T>,
    /// ∂C/∂aₜ for every step (H, L·B).
    da: Array2<T>,
    /// The logits (V, L·B), then ∂C/∂z.
    z: Array2<T>,
    /// ∂C/∂hₜ from the outputs (H, L·B).
    dh_out: Array2<T>,
    /// ∂C/∂hₜ flowing back (H, B).
    dh: Array2<T>,
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
            h: Array2::zeros((h, n + batch)),
            da: Array2::zeros((h, n)),
            z: Array2::zeros((v, n)),
            dh_out: Array2::zeros((h, n)),
            dh: Array2::zeros((h, batch)),
        }
    }

    fn forward(&mut self, model: &Rnn<T>) {
        let b = self.batch;
        self.h.slice_mut(s![.., ..b]).fill(T::zero());
        for t in 0..self.len {
            let (before, after) = self.h.view_mut().split_at(Axis(1), (t + 1) * b);
            let h_prev = before.slice_move(s![.., t * b..]);
            let mut h_new = after.slice_move(s![.., ..b]);
            for (j, &token) in self.x[t * b..(t + 1) * b].iter().enumerate() {
                let mut column = h_new.column_mut(j);
                column.assign(&model.w_xh.column(token));
                column += &model.b.column(0);
            }
            gemm(T::one(), &model.w_hh.view(), &h_prev.view(), T::one(), &mut h_new);
            h_new.mapv_inplace(T::tanh);
        }
        let states = self.h.slice(s![.., b..]);
        let dim = self.z.raw_dim();
        self.z.assign(&model.c.broadcast(dim).expect("a column"));
        gemm(T::one(), &model.w_hy.view(), &states, T::one(), &mut self.z.view_mut());
    }

    /// The mean loss on `windows` (L + 1, B) and its gradient, written into
    /// `g`.
    pub fn loss_and_gradient(
        &mut self,
        model: &Rnn<T>,
        windows: ArrayView2<usize>,
        g: &mut Rnn<T>,
    ) -> f64 {
        self.check(windows);
        split_windows(windows, &mut self.x, &mut self.y);
        self.forward(model);
        let loss = softmax_loss_in_place(self.z.view_mut(), self.y.iter().copied());
        let (b, zero, one) = (self.batch, T::zero(), T::one());
        let states = self.h.slice(s![.., b..]);
        gemm(one, &self.z.view(), &states.t(), zero, &mut g.w_hy.view_mut());
        g.c.fill(zero);
        add_row_sums(self.z.view(), g.c.view_mut());
        gemm(one, &model.w_hy.t(), &self.z.view(), zero, &mut self.dh_out.view_mut());
        self.dh.fill(zero);
        for t in (0..self.len).rev() {
            let cols = t * b..(t + 1) * b;
            let h = self.h.slice(s![.., (t + 1) * b..(t + 2) * b]);
            let dh_out = self.dh_out.slice(s![.., cols.clone()]);
            let mut da = self.da.slice_mut(s![.., cols]);
            ndarray::Zip::from(&mut da)
                .and(&self.dh)
                .and(&dh_out)
                .and(&h)
                .for_each(|da, &dh, &out, &h| *da = (dh + out) * (one - h * h));
            gemm(one, &model.w_hh.t(), &da.view(), zero, &mut self.dh.view_mut());
        }
        let before = self.h.slice(s![.., ..self.len * b]);
        gemm(one, &self.da.view(), &before.t(), zero, &mut g.w_hh.view_mut());
        g.b.fill(zero);
        add_row_sums(self.da.view(), g.b.view_mut());
        g.w_xh.fill(zero);
        scatter_add(self.da.view(), &self.x, g.w_xh.view_mut());
        loss
    }

    /// The mean loss on `windows` without the gradient.
    pub fn loss(&mut self, model: &Rnn<T>, windows: ArrayView2<usize>) -> f64 {
        self.check(windows);
        split_windows(windows, &mut self.x, &mut self.y);
        self.forward(model);
        softmax_loss_in_place(self.z.view_mut(), self.y.iter().copied())
    }

    fn check(&self, windows: ArrayView2<usize>) {
        assert_eq!(
            windows.dim(),
            (self.len + 1, self.batch),
            "the workspace was sized for other windows"
        );
    }
}
