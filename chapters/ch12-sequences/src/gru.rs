//! The gated recurrent unit (Cho et al. 2014), in the form cuDNN and
//! PyTorch compute: a reset gate r, an update gate u and a candidate n.
//!
//! r = σ(W_xr x + b_xr + W_hr h + b_hr)
//! u = σ(W_xu x + b_xu + W_hu h + b_hu)
//! n = tanh(W_xn x + b_xn + r ⊙ (W_hn h + b_hn))
//! h′ = (1 − u) ⊙ n + u ⊙ h
//!
//! The three input weights are stacked in one matrix W_x (3H, V), the
//! three recurrent ones in W_h (3H, H), rows in the order r, u, n.

use ch02_activations::sigmoid;
use ndarray::{Array1, Array2, ArrayView2, Axis, concatenate, s};
use shared::Real;
use shared::rng::{Rng, normal_array};

use crate::language::Language;
use crate::lookup::{lookup, lookup_gradient, next_token_loss};
use crate::rnn::{per_step, predictions};

/// The GRU's parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Gru<T> {
    /// Input weights (3H, V), rows r, u, n.
    pub w_x: Array2<T>,
    /// Input biases (3H, 1).
    pub b_x: Array2<T>,
    /// Recurrent weights (3H, H).
    pub w_h: Array2<T>,
    /// Recurrent biases (3H, 1).
    pub b_h: Array2<T>,
    /// Output weights (V, H).
    pub w_hy: Array2<T>,
    /// Output biases (V, 1).
    pub c: Array2<T>,
}

/// One step's values, kept for the backward pass.
#[derive(Clone, Debug)]
pub struct GruStep<T> {
    /// The reset gate r.
    pub r: Array2<T>,
    /// The update gate u.
    pub u: Array2<T>,
    /// The candidate n.
    pub n: Array2<T>,
    /// W_hn h + b_hn, which r scales.
    pub hn: Array2<T>,
    /// The new state h′.
    pub h: Array2<T>,
}

impl<T: Real> Gru<T> {
    /// Random weights: W_x N(0, 1/4), W_h and W_hy N(0, 1/H), biases 0.
    pub fn new(vocab: usize, hidden: usize, rng: &mut Rng) -> Self {
        let normal = |rng: &mut Rng, shape: (usize, usize), std: f64| {
            normal_array(rng, shape, std).mapv(T::from_f64)
        };
        let std = (1.0 / hidden as f64).sqrt();
        Gru {
            w_x: normal(rng, (3 * hidden, vocab), 0.5),
            b_x: Array2::zeros((3 * hidden, 1)),
            w_h: normal(rng, (3 * hidden, hidden), std),
            b_h: Array2::zeros((3 * hidden, 1)),
            w_hy: normal(rng, (vocab, hidden), std),
            c: Array2::zeros((vocab, 1)),
        }
    }

    /// All zeros, the shape of this one.
    pub fn zeros_like(&self) -> Self {
        let z = |a: &Array2<T>| Array2::zeros(a.raw_dim());
        Gru {
            w_x: z(&self.w_x),
            b_x: z(&self.b_x),
            w_h: z(&self.w_h),
            b_h: z(&self.b_h),
            w_hy: z(&self.w_hy),
            c: z(&self.c),
        }
    }

    /// The hidden size H.
    pub fn hidden(&self) -> usize {
        self.w_h.ncols()
    }

    // ANCHOR: step
    /// One step for a batch of sequences (one column each).
    pub fn step(&self, x: &[usize], h: ArrayView2<T>) -> GruStep<T> {
        let n_h = self.hidden();
        let gx = lookup(self.w_x.view(), x) + &self.b_x;
        let gh = self.w_h.dot(&h) + &self.b_h;
        let rows = |m: &Array2<T>, i: usize| {
            m.slice(s![i * n_h..(i + 1) * n_h, ..]).to_owned()
        };
        let r = (rows(&gx, 0) + rows(&gh, 0)).mapv(sigmoid);
        let u = (rows(&gx, 1) + rows(&gh, 1)).mapv(sigmoid);
        let hn = rows(&gh, 2);
        let n = (rows(&gx, 2) + &r * &hn).mapv(T::tanh);
        let h = (u.mapv(|u| T::one() - u)) * &n + &u * &h;
        GruStep { r, u, n, hn, h }
    }
    // ANCHOR_END: step

    /// Reads x (L, B) from h₀ = 0: every step's values, and the logits
    /// z₁ … z_L.
    pub fn forward(
        &self,
        x: ArrayView2<usize>,
    ) -> (Vec<GruStep<T>>, Vec<Array2<T>>) {
        let mut h = Array2::zeros((self.hidden(), x.ncols()));
        let (mut steps, mut z) = (Vec::new(), Vec::new());
        for xt in x.rows() {
            let step = self.step(&xt.to_vec(), h.view());
            z.push(self.w_hy.dot(&step.h) + &self.c);
            h = step.h.clone();
            steps.push(step);
        }
        (steps, z)
    }

    // ANCHOR: step_backward
    /// Back through one step: from ∂C/∂h′ (dh) to the gradients of the
    /// gate inputs, stacked as the weights are: ∂C/∂(W_x x + b_x) and
    /// ∂C/∂(W_h h + b_h), each (3H, B), and the direct part of ∂C/∂h,
    /// through u ⊙ h.
    pub fn step_backward(
        step: &GruStep<T>,
        h_prev: ArrayView2<T>,
        dh: ArrayView2<T>,
    ) -> (Array2<T>, Array2<T>, Array2<T>) {
        let one = T::one();
        let dn = &dh * &step.u.mapv(|u| one - u);
        let du = &dh * &(&h_prev - &step.n);
        let dh_direct = &dh * &step.u;
        let dan = dn * step.n.mapv(|n| one - n * n);
        let dar = &dan * &step.hn * step.r.mapv(|r| r * (one - r));
        let dau = du * step.u.mapv(|u| u * (one - u));
        let dhn = &dan * &step.r;
        let dgx = concatenate(Axis(0), &[dar.view(), dau.view(), dan.view()]);
        let dgh = concatenate(Axis(0), &[dar.view(), dau.view(), dhn.view()]);
        (
            dgx.expect("same columns"),
            dgh.expect("same columns"),
            dh_direct,
        )
    }
    // ANCHOR_END: step_backward

    // ANCHOR: bptt
    /// Backpropagation through time, as for the plain RNN: ∂C/∂hₜ is this
    /// step's output's part plus what flows back from step t + 1.
    pub fn backward(
        &self,
        x: ArrayView2<usize>,
        steps: &[GruStep<T>],
        dz: &[Array2<T>],
    ) -> (Gru<T>, Vec<Array2<T>>) {
        let (mut g, vocab) = (self.zeros_like(), self.w_x.ncols());
        let h0 = Array2::zeros(steps[0].h.raw_dim());
        let mut dh_next = h0.clone();
        let mut dh_all = vec![h0.clone(); dz.len()];
        for t in (0..dz.len()).rev() {
            let h_prev = if t == 0 {
                h0.view()
            } else {
                steps[t - 1].h.view()
            };
            let dh = self.w_hy.t().dot(&dz[t]) + &dh_next;
            g.w_hy += &dz[t].dot(&steps[t].h.t());
            g.c += &dz[t].sum_axis(Axis(1)).insert_axis(Axis(1));
            let (dgx, dgh, direct) =
                Self::step_backward(&steps[t], h_prev, dh.view());
            g.w_x += &lookup_gradient(dgx.view(), &x.row(t).to_vec(), vocab);
            g.b_x += &dgx.sum_axis(Axis(1)).insert_axis(Axis(1));
            g.w_h += &dgh.dot(&h_prev.t());
            g.b_h += &dgh.sum_axis(Axis(1)).insert_axis(Axis(1));
            dh_next = self.w_h.t().dot(&dgh) + direct;
            dh_all[t] = dh;
        }
        (g, dh_all)
    }
    // ANCHOR_END: bptt
}

impl<T: Real> Language<T> for Gru<T> {
    fn context(&self) -> usize {
        1
    }

    fn loss_and_gradient(&self, windows: ArrayView2<usize>) -> (T, Self) {
        let x = windows.slice(s![..-1, ..]);
        let (steps, z) = self.forward(x);
        let (all, next) = predictions(windows, &z);
        let (cost, dz) = next_token_loss(all.view(), &next);
        let (g, _) = self.backward(x, &steps, &per_step(dz.view(), z.len()));
        (cost, g)
    }

    fn next_logits(&self, prefix: &[usize]) -> Array1<T> {
        let x = Array2::from_shape_vec((prefix.len(), 1), prefix.to_vec())
            .expect("a column");
        let (_, z) = self.forward(x.view());
        z[z.len() - 1].column(0).to_owned()
    }

    fn parameters(&self) -> Vec<&Array2<T>> {
        vec![
            &self.w_x, &self.b_x, &self.w_h, &self.b_h, &self.w_hy, &self.c,
        ]
    }

    fn parameters_mut(&mut self) -> Vec<&mut Array2<T>> {
        let Gru {
            w_x,
            b_x,
            w_h,
            b_h,
            w_hy,
            c,
        } = self;
        vec![w_x, b_x, w_h, b_h, w_hy, c]
    }
}
