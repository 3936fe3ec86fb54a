//! Bengio et al. (2003): embed each of the last k characters, join the
//! embeddings, one tanh hidden layer, softmax over the next character.

use ndarray::{Array1, Array2, ArrayView2, Axis, concatenate, s};
use shared::Real;
use shared::rng::{Rng, normal_array};

use crate::language::Language;
use crate::lookup::{lookup, lookup_gradient, next_token_loss};

/// The MLP's parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Mlp<T> {
    /// The embedding table C (d, V): column a is token a's d numbers.
    pub c: Array2<T>,
    /// Hidden weights (H, k·d) and biases (H, 1).
    pub w1: Array2<T>,
    /// Hidden biases.
    pub b1: Array2<T>,
    /// Output weights (V, H).
    pub w2: Array2<T>,
    /// Output biases (V, 1).
    pub b2: Array2<T>,
    /// The context: how many characters it reads.
    pub k: usize,
}

impl<T: Real> Mlp<T> {
    /// Random weights: embeddings N(0, 1), each layer's weights N(0, 1/n)
    /// for n inputs (chapter 9's initialisation for tanh), biases 0.
    pub fn new(
        vocab: usize,
        k: usize,
        d: usize,
        hidden: usize,
        rng: &mut Rng,
    ) -> Self {
        let normal = |rng: &mut Rng, shape: (usize, usize), std: f64| {
            normal_array(rng, shape, std).mapv(T::from_f64)
        };
        Mlp {
            c: normal(rng, (d, vocab), 1.0),
            w1: normal(rng, (hidden, k * d), (1.0 / (k * d) as f64).sqrt()),
            b1: Array2::zeros((hidden, 1)),
            w2: normal(rng, (vocab, hidden), (1.0 / hidden as f64).sqrt()),
            b2: Array2::zeros((vocab, 1)),
            k,
        }
    }
}

/// What the forward pass keeps: the contexts, the joined embeddings, the
/// hidden activations and the logits.
pub struct MlpPass<T> {
    /// The joined embeddings e (k·d, n).
    pub e: Array2<T>,
    /// The hidden layer a = tanh(W₁e + b₁) (H, n).
    pub a: Array2<T>,
    /// The logits z = W₂a + b₂ (V, n).
    pub z: Array2<T>,
}

impl<T: Real> Mlp<T> {
    // ANCHOR: forward
    /// The forward pass for n contexts, one per column of `contexts`
    /// (k, n): row i holds the i-th character of each context.
    pub fn forward(&self, contexts: ArrayView2<usize>) -> MlpPass<T> {
        let rows: Vec<Array2<T>> = contexts
            .rows()
            .into_iter()
            .map(|row| lookup(self.c.view(), &row.to_vec()))
            .collect();
        let views: Vec<_> = rows.iter().map(|e| e.view()).collect();
        let e = concatenate(Axis(0), &views).expect("equal columns");
        let a = (self.w1.dot(&e) + &self.b1).mapv(T::tanh);
        let z = self.w2.dot(&a) + &self.b2;
        MlpPass { e, a, z }
    }
    // ANCHOR_END: forward

    // ANCHOR: backward
    /// The gradient of the loss from ∂C/∂z: chapter 6's rules for the two
    /// layers, then the embedding's scatter-add, once per context slot.
    pub fn backward(
        &self,
        contexts: ArrayView2<usize>,
        pass: &MlpPass<T>,
        dz: ArrayView2<T>,
    ) -> Mlp<T> {
        let d = self.c.nrows();
        let da = self.w2.t().dot(&dz) * pass.a.mapv(|a| T::one() - a * a);
        let de = self.w1.t().dot(&da);
        let mut dc = Array2::zeros(self.c.raw_dim());
        for (i, row) in contexts.rows().into_iter().enumerate() {
            let slot = de.slice(s![i * d..(i + 1) * d, ..]);
            dc += &lookup_gradient(slot, &row.to_vec(), self.c.ncols());
        }
        Mlp {
            c: dc,
            w1: da.dot(&pass.e.t()),
            b1: da.sum_axis(Axis(1)).insert_axis(Axis(1)),
            w2: dz.dot(&pass.a.t()),
            b2: dz.sum_axis(Axis(1)).insert_axis(Axis(1)),
            k: self.k,
        }
    }
    // ANCHOR_END: backward

    /// The contexts and targets of a batch of windows: every position t
    /// from k on, predicted from rows t − k … t − 1 of its column.
    pub fn examples(
        &self,
        windows: ArrayView2<usize>,
    ) -> (Array2<usize>, Vec<usize>) {
        let (len, batch) = windows.dim();
        let n = (len - self.k) * batch;
        let mut contexts = Array2::zeros((self.k, n));
        let mut next = Vec::with_capacity(n);
        for t in self.k..len {
            for b in 0..batch {
                let j = next.len();
                for i in 0..self.k {
                    contexts[[i, j]] = windows[[t - self.k + i, b]];
                }
                next.push(windows[[t, b]]);
            }
        }
        (contexts, next)
    }
}

impl<T: Real> Language<T> for Mlp<T> {
    fn context(&self) -> usize {
        self.k
    }

    fn loss_and_gradient(&self, windows: ArrayView2<usize>) -> (T, Self) {
        let (contexts, next) = self.examples(windows);
        let pass = self.forward(contexts.view());
        let (cost, dz) = next_token_loss(pass.z.view(), &next);
        (cost, self.backward(contexts.view(), &pass, dz.view()))
    }

    fn loss(&self, windows: ArrayView2<usize>) -> T {
        let (contexts, next) = self.examples(windows);
        next_token_loss(self.forward(contexts.view()).z.view(), &next).0
    }

    fn next_logits(&self, prefix: &[usize]) -> Array1<T> {
        // Too short a prefix is padded on the left with its first token.
        let context: Vec<usize> = (0..self.k)
            .map(|i| {
                let back = self.k - i;
                prefix[prefix.len().saturating_sub(back)]
            })
            .collect();
        let contexts =
            Array2::from_shape_vec((self.k, 1), context).expect("k tokens");
        self.forward(contexts.view()).z.column(0).to_owned()
    }

    fn parameters(&self) -> Vec<&Array2<T>> {
        vec![&self.c, &self.w1, &self.b1, &self.w2, &self.b2]
    }

    fn parameters_mut(&mut self) -> Vec<&mut Array2<T>> {
        vec![
            &mut self.c,
            &mut self.w1,
            &mut self.b1,
            &mut self.w2,
            &mut self.b2,
        ]
    }
}
