//! The recurrent network: a state h carried from character to character,
//! hₜ = tanh(W_xh xₜ + W_hh hₜ₋₁ + b), the prediction read from hₜ.

use ndarray::{Array1, Array2, ArrayView2, Axis};
use shared::Real;
use shared::rng::{Rng, normal_array};

use crate::language::Language;
use crate::lookup::{lookup, lookup_gradient, next_token_loss};

/// The recurrent network's parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Rnn<T> {
    /// Input weights (H, V): W_xh xₜ is column xₜ.
    pub w_xh: Array2<T>,
    /// Recurrent weights (H, H).
    pub w_hh: Array2<T>,
    /// Hidden biases (H, 1).
    pub b: Array2<T>,
    /// Output weights (V, H).
    pub w_hy: Array2<T>,
    /// Output biases (V, 1).
    pub c: Array2<T>,
}

impl<T: Real> Rnn<T> {
    /// Random weights: W_xh N(0, 1/4) (one input of the V is 1), W_hh and
    /// W_hy N(0, 1/H), biases 0.
    pub fn new(vocab: usize, hidden: usize, rng: &mut Rng) -> Self {
        let normal = |rng: &mut Rng, shape: (usize, usize), std: f64| {
            normal_array(rng, shape, std).mapv(T::from_f64)
        };
        let std = (1.0 / hidden as f64).sqrt();
        Rnn {
            w_xh: normal(rng, (hidden, vocab), 0.5),
            w_hh: normal(rng, (hidden, hidden), std),
            b: Array2::zeros((hidden, 1)),
            w_hy: normal(rng, (vocab, hidden), std),
            c: Array2::zeros((vocab, 1)),
        }
    }

    /// All zeros, the shape of this one (a gradient to add into).
    pub fn zeros_like(&self) -> Self {
        let z = |a: &Array2<T>| Array2::zeros(a.raw_dim());
        Rnn {
            w_xh: z(&self.w_xh),
            w_hh: z(&self.w_hh),
            b: z(&self.b),
            w_hy: z(&self.w_hy),
            c: z(&self.c),
        }
    }

    /// The hidden size H.
    pub fn hidden(&self) -> usize {
        self.w_hh.nrows()
    }

    // ANCHOR: step
    /// One step for a batch: hₜ = tanh(W_xh xₜ + W_hh hₜ₋₁ + b), one column
    /// per sequence, and the logits zₜ = W_hy hₜ + c.
    pub fn step(
        &self,
        x: &[usize],
        h: ArrayView2<T>,
    ) -> (Array2<T>, Array2<T>) {
        let a = lookup(self.w_xh.view(), x) + self.w_hh.dot(&h) + &self.b;
        let h = a.mapv(T::tanh);
        let z = self.w_hy.dot(&h) + &self.c;
        (h, z)
    }
    // ANCHOR_END: step

    // ANCHOR: forward
    /// Reads the inputs x (L, B) row by row from h₀ = 0. Returns h₀ … h_L
    /// and the logits z₁ … z_L (zₜ predicts the token after xₜ).
    pub fn forward(
        &self,
        x: ArrayView2<usize>,
    ) -> (Vec<Array2<T>>, Vec<Array2<T>>) {
        let mut h = vec![Array2::zeros((self.hidden(), x.ncols()))];
        let mut z = Vec::with_capacity(x.nrows());
        for xt in x.rows() {
            let (ht, zt) = self.step(&xt.to_vec(), h[h.len() - 1].view());
            h.push(ht);
            z.push(zt);
        }
        (h, z)
    }
    // ANCHOR_END: forward

    // ANCHOR: bptt
    /// Backpropagation through time. Given the inputs, the forward pass's
    /// states h₀ … h_L and each step's ∂C/∂zₜ, returns the gradient and
    /// ∂C/∂hₜ for t = 1 … L. Walking back, ∂C/∂hₜ has two parts: through
    /// this step's output, and through hₜ₊₁ (the next step's input).
    pub fn backward(
        &self,
        x: ArrayView2<usize>,
        h: &[Array2<T>],
        dz: &[Array2<T>],
    ) -> (Rnn<T>, Vec<Array2<T>>) {
        let (mut g, vocab) = (self.zeros_like(), self.w_xh.ncols());
        let mut dh_next = Array2::zeros(h[0].raw_dim()); // from step t + 1
        let mut dh_all = vec![Array2::zeros(h[0].raw_dim()); dz.len()];
        for t in (0..dz.len()).rev() {
            let dh = self.w_hy.t().dot(&dz[t]) + &dh_next;
            let da = &dh * &h[t + 1].mapv(|h| T::one() - h * h);
            g.w_hy += &dz[t].dot(&h[t + 1].t());
            g.c += &dz[t].sum_axis(Axis(1)).insert_axis(Axis(1));
            g.w_xh += &lookup_gradient(da.view(), &x.row(t).to_vec(), vocab);
            g.w_hh += &da.dot(&h[t].t());
            g.b += &da.sum_axis(Axis(1)).insert_axis(Axis(1));
            dh_next = self.w_hh.t().dot(&da);
            dh_all[t] = dh;
        }
        (g, dh_all)
    }
    // ANCHOR_END: bptt
}

/// The logits of every step in one matrix (V, L·B), and the targets in
/// the same order: row t of the windows predicts row t + 1.
pub fn predictions<T: Real>(
    windows: ArrayView2<usize>,
    z: &[Array2<T>],
) -> (Array2<T>, Vec<usize>) {
    let views: Vec<_> = z.iter().map(|z| z.view()).collect();
    let all = ndarray::concatenate(Axis(1), &views).expect("equal rows");
    let next = windows
        .slice(ndarray::s![1.., ..])
        .iter()
        .copied()
        .collect();
    (all, next)
}

/// Splits ∂C/∂z (V, L·B) back into one matrix per step.
pub fn per_step<T: Real>(dz: ArrayView2<T>, steps: usize) -> Vec<Array2<T>> {
    let b = dz.ncols() / steps;
    (0..steps)
        .map(|t| dz.slice(ndarray::s![.., t * b..(t + 1) * b]).to_owned())
        .collect()
}

impl<T: Real> Language<T> for Rnn<T> {
    fn context(&self) -> usize {
        1
    }

    fn loss_and_gradient(&self, windows: ArrayView2<usize>) -> (T, Self) {
        let x = windows.slice(ndarray::s![..-1, ..]);
        let (h, z) = self.forward(x);
        let (all, next) = predictions(windows, &z);
        let (cost, dz) = next_token_loss(all.view(), &next);
        let (g, _) = self.backward(x, &h, &per_step(dz.view(), z.len()));
        (cost, g)
    }

    fn next_logits(&self, prefix: &[usize]) -> Array1<T> {
        let x = Array2::from_shape_vec((prefix.len(), 1), prefix.to_vec())
            .expect("a column");
        let (_, z) = self.forward(x.view());
        z[z.len() - 1].column(0).to_owned()
    }

    fn parameters(&self) -> Vec<&Array2<T>> {
        vec![&self.w_xh, &self.w_hh, &self.b, &self.w_hy, &self.c]
    }

    fn parameters_mut(&mut self) -> Vec<&mut Array2<T>> {
        let Rnn {
            w_xh,
            w_hh,
            b,
            w_hy,
            c,
        } = self;
        vec![w_xh, w_hh, b, w_hy, c]
    }
}
