//! The fast path of the recurrent networks: the same forward and backward
//! passes as `rnn` and `gru`, for a whole batch of windows at once, with
//! every product through `fastpath::gemm` (all threads) and every buffer
//! allocated once. The tests hold it to the lesson's gradient.
//!
//! What changes from the lesson, and why it is faster:
//! - the states of every step live in one matrix, one row per sequence
//!   and step (L·B, H): step t is rows t·B … (t + 1)·B, so the output
//!   layer, its gradient and the recurrent weights' gradient are each one
//!   large product over all steps instead of L small ones, and each
//!   step's block, each prediction and each token's row of the input
//!   weights lie contiguous in memory (rows are samples here, where the
//!   lesson's columns are: the transposes of the same products);
//! - only what must be sequential is: W_h hₜ₋₁ going forward and W_hᵀ δ
//!   going back, one (3H, H) × (H, B) product per step;
//! - nothing is allocated after the first step.
//!
//! Every entry is computed in a fixed order, so the numbers are the same
//! for any thread count.

use ch02_activations::sigmoid;
use ch07_minibatches::fast::Float;
use fastpath::gemm;
use ndarray::{Array2, ArrayView2, ArrayViewMut2, Axis, Zip, s};

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

/// tanh x = 2σ(2x) − 1: one exponential, like the gates' sigmoids,
/// where the C library's `tanh` takes several times as long. The two agree
/// to a few units of f32's last place in absolute terms (the tests hold
/// the whole gradient to the lesson's).
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

/// The tokens of a batch of windows (L + 1, B), inputs and targets in
/// step order: sample j = t·B + b is row t, column b.
fn split_windows(
    windows: ArrayView2<usize>,
    x: &mut Vec<usize>,
    y: &mut Vec<usize>,
) {
    let len = windows.nrows() - 1;
    x.clear();
    y.clear();
    x.extend(windows.slice(s![..len, ..]).iter());
    y.extend(windows.slice(s![1.., ..]).iter());
}

/// The GRU's buffers for windows of up to `len` + 1 tokens, `batch` wide.
/// Rows are samples: step t's rows are t·B … (t + 1)·B.
pub struct GruWorkspace<T> {
    batch: usize,
    len: usize,
    x: Vec<usize>,
    y: Vec<usize>,
    /// W_x transposed (V, 3H), so a token's row is contiguous.
    w_x_t: Array2<T>,
    /// States h₀ … h_L, one row per sequence and step ((L + 1)·B, H).
    h: Array2<T>,
    /// (W_x xₜ + b_x)ᵀ for every step (L·B, 3H); then ∂C/∂ of it.
    gx: Array2<T>,
    /// (W_h hₜ₋₁ + b_h)ᵀ for every step (L·B, 3H); then ∂C/∂ of it.
    gh: Array2<T>,
    /// The gates r, u and the candidate n (L·B, 3H).
    gates: Array2<T>,
    /// The logits (L·B, V), then ∂C/∂z.
    z: Array2<T>,
    /// ∂C/∂hₜ from the outputs (L·B, H).
    dh_out: Array2<T>,
    /// ∂C/∂hₜ flowing back (B, H).
    dh: Array2<T>,
    /// ∂C/∂W_x transposed (V, 3H).
    dw_x_t: Array2<T>,
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
            h: Array2::zeros((n + batch, h)),
            gx: Array2::zeros((n, 3 * h)),
            gh: Array2::zeros((n, 3 * h)),
            gates: Array2::zeros((n, 3 * h)),
            z: Array2::zeros((n, v)),
            dh_out: Array2::zeros((n, h)),
            dh: Array2::zeros((batch, h)),
            dw_x_t: Array2::zeros((v, 3 * h)),
        }
    }

    /// The forward pass: fills the states, gates and logits.
    fn forward(&mut self, model: &Gru<T>) {
        let (hs, b, one) = (model.hidden(), self.batch, T::one());
        self.w_x_t.assign(&model.w_x.t());
        gather_rows(
            self.w_x_t.view(),
            model.b_x.view(),
            &self.x,
            self.gx.view_mut(),
        );
        self.h.slice_mut(s![..b, ..]).fill(T::zero());
        let b_h = model.b_h.column(0);
        for t in 0..self.len {
            let rows = t * b..(t + 1) * b;
            let mut gh = self.gh.slice_mut(s![rows.clone(), ..]);
            for mut row in gh.rows_mut() {
                row.assign(&b_h);
            }
            let (before, after) =
                self.h.view_mut().split_at(Axis(0), (t + 1) * b);
            let h_prev = before.slice_move(s![t * b.., ..]);
            gemm(one, &h_prev.view(), &model.w_h.t(), one, &mut gh);
            let mut h_new = after.slice_move(s![..b, ..]);
            let gx = self.gx.slice(s![rows.clone(), ..]);
            let mut gates = self.gates.slice_mut(s![rows, ..]);
            for j in 0..b {
                let (gx, gh) = (gx.row(j), gh.row(j));
                let (gx, gh) =
                    (gx.as_slice().expect("row"), gh.as_slice().expect("row"));
                let mut gate_row = gates.row_mut(j);
                let gate = gate_row.as_slice_mut().expect("row");
                let (r, rest) = gate.split_at_mut(hs);
                let (u, n) = rest.split_at_mut(hs);
                let h_prev = h_prev.row(j);
                let mut h_row = h_new.row_mut(j);
                for i in 0..hs {
                    r[i] = sigmoid(gx[i] + gh[i]);
                    u[i] = sigmoid(gx[hs + i] + gh[hs + i]);
                    n[i] = tanh(gx[2 * hs + i] + r[i] * gh[2 * hs + i]);
                    h_row[i] = (one - u[i]) * n[i] + u[i] * h_prev[i];
                }
            }
        }
        let states = self.h.slice(s![b.., ..]);
        for mut row in self.z.rows_mut() {
            row.assign(&model.c.column(0));
        }
        gemm(one, &states, &model.w_hy.t(), one, &mut self.z.view_mut());
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
        let loss =
            softmax_loss_in_place(self.z.view_mut(), self.y.iter().copied());
        let (hs, b, zero, one) =
            (model.hidden(), self.batch, T::zero(), T::one());
        let states = self.h.slice(s![b.., ..]);
        gemm(one, &self.z.t(), &states, zero, &mut g.w_hy.view_mut());
        column_sums(self.z.view(), g.c.view_mut());
        gemm(
            one,
            &self.z.view(),
            &model.w_hy.view(),
            zero,
            &mut self.dh_out.view_mut(),
        );
        self.dh.fill(zero);
        for t in (0..self.len).rev() {
            let rows = t * b..(t + 1) * b;
            let h_prev = self.h.slice(s![rows.clone(), ..]);
            let gates = self.gates.slice(s![rows.clone(), ..]);
            let dh_out = self.dh_out.slice(s![rows.clone(), ..]);
            let mut dgx = self.gx.slice_mut(s![rows.clone(), ..]);
            let mut dgh = self.gh.slice_mut(s![rows, ..]);
            for j in 0..b {
                let gate = gates.row(j);
                let gate = gate.as_slice().expect("row");
                let (r, u, n) =
                    (&gate[..hs], &gate[hs..2 * hs], &gate[2 * hs..]);
                let (mut dgx_row, mut dgh_row) =
                    (dgx.row_mut(j), dgh.row_mut(j));
                let dgx_row = dgx_row.as_slice_mut().expect("row");
                let dgh_row = dgh_row.as_slice_mut().expect("row");
                let (h_prev, dh_out) = (h_prev.row(j), dh_out.row(j));
                let mut dh_row = self.dh.row_mut(j);
                for i in 0..hs {
                    let dh = dh_row[i] + dh_out[i];
                    // W_hn h + b_hn, still in gh from the forward pass.
                    let hn = dgh_row[2 * hs + i];
                    let dan = dh * (one - u[i]) * (one - n[i] * n[i]);
                    let dar = dan * hn * r[i] * (one - r[i]);
                    let dau = dh * (h_prev[i] - n[i]) * u[i] * (one - u[i]);
                    dgx_row[i] = dar;
                    dgx_row[hs + i] = dau;
                    dgx_row[2 * hs + i] = dan;
                    dgh_row[i] = dar;
                    dgh_row[hs + i] = dau;
                    dgh_row[2 * hs + i] = dan * r[i];
                    dh_row[i] = dh * u[i];
                }
            }
            gemm(
                one,
                &dgh.view(),
                &model.w_h.view(),
                one,
                &mut self.dh.view_mut(),
            );
        }
        let before = self.h.slice(s![..self.len * b, ..]);
        gemm(one, &self.gh.t(), &before, zero, &mut g.w_h.view_mut());
        column_sums(self.gh.view(), g.b_h.view_mut());
        self.dw_x_t.fill(zero);
        scatter_rows(self.gx.view(), &self.x, self.dw_x_t.view_mut());
        g.w_x.assign(&self.dw_x_t.t());
        column_sums(self.gx.view(), g.b_x.view_mut());
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
    /// W_xh transposed (V, H).
    w_xh_t: Array2<T>,
    /// States h₀ … h_L ((L + 1)·B, H).
    h: Array2<T>,
    /// ∂C/∂aₜ for every step (L·B, H).
    da: Array2<T>,
    /// The logits (L·B, V), then ∂C/∂z.
    z: Array2<T>,
    /// ∂C/∂hₜ from the outputs (L·B, H).
    dh_out: Array2<T>,
    /// ∂C/∂hₜ flowing back (B, H).
    dh: Array2<T>,
    /// ∂C/∂W_xh transposed (V, H).
    dw_xh_t: Array2<T>,
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
            h: Array2::zeros((n + batch, h)),
            da: Array2::zeros((n, h)),
            z: Array2::zeros((n, v)),
            dh_out: Array2::zeros((n, h)),
            dh: Array2::zeros((batch, h)),
            dw_xh_t: Array2::zeros((v, h)),
        }
    }

    fn forward(&mut self, model: &Rnn<T>) {
        let (b, one) = (self.batch, T::one());
        self.w_xh_t.assign(&model.w_xh.t());
        self.h.slice_mut(s![..b, ..]).fill(T::zero());
        for t in 0..self.len {
            let (before, after) =
                self.h.view_mut().split_at(Axis(0), (t + 1) * b);
            let h_prev = before.slice_move(s![t * b.., ..]);
            let mut h_new = after.slice_move(s![..b, ..]);
            let tokens = &self.x[t * b..(t + 1) * b];
            gather_rows(
                self.w_xh_t.view(),
                model.b.view(),
                tokens,
                h_new.view_mut(),
            );
            gemm(one, &h_prev.view(), &model.w_hh.t(), one, &mut h_new);
            h_new.mapv_inplace(tanh);
        }
        let states = self.h.slice(s![b.., ..]);
        for mut row in self.z.rows_mut() {
            row.assign(&model.c.column(0));
        }
        gemm(one, &states, &model.w_hy.t(), one, &mut self.z.view_mut());
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
        let loss =
            softmax_loss_in_place(self.z.view_mut(), self.y.iter().copied());
        let (b, zero, one) = (self.batch, T::zero(), T::one());
        let states = self.h.slice(s![b.., ..]);
        gemm(one, &self.z.t(), &states, zero, &mut g.w_hy.view_mut());
        column_sums(self.z.view(), g.c.view_mut());
        gemm(
            one,
            &self.z.view(),
            &model.w_hy.view(),
            zero,
            &mut self.dh_out.view_mut(),
        );
        self.dh.fill(zero);
        for t in (0..self.len).rev() {
            let rows = t * b..(t + 1) * b;
            let h = self.h.slice(s![(t + 1) * b..(t + 2) * b, ..]);
            let dh_out = self.dh_out.slice(s![rows.clone(), ..]);
            let mut da = self.da.slice_mut(s![rows, ..]);
            Zip::from(&mut da)
                .and(&self.dh)
                .and(&dh_out)
                .and(&h)
                .for_each(|da, &dh, &out, &h| *da = (dh + out) * (one - h * h));
            gemm(
                one,
                &da.view(),
                &model.w_hh.view(),
                zero,
                &mut self.dh.view_mut(),
            );
        }
        let before = self.h.slice(s![..self.len * b, ..]);
        gemm(one, &self.da.t(), &before, zero, &mut g.w_hh.view_mut());
        column_sums(self.da.view(), g.b.view_mut());
        self.dw_xh_t.fill(zero);
        scatter_rows(self.da.view(), &self.x, self.dw_xh_t.view_mut());
        g.w_xh.assign(&self.dw_xh_t.t());
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

impl<M, W: Workspace<M>> crate::train::Engine<M> for Fast<W> {
    fn gradient(
        &mut self,
        model: &M,
        windows: ArrayView2<usize>,
        g: &mut M,
    ) -> f64 {
        self.space(model, windows).gradient(model, windows, g)
    }

    fn stream_nll(&mut self, model: &M, stream: &[usize]) -> f64 {
        crate::language::stream_nll_with(stream, 1, |w| {
            self.space(model, w).loss_only(model, w)
        })
    }
}
