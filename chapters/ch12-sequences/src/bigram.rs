//! The counting model as a network: a table of logits, one column per
//! previous token, trained by gradient descent.

use ndarray::{Array1, Array2, ArrayView2};
use shared::Real;

use crate::language::Language;
use crate::lookup::{lookup, lookup_gradient, next_token_loss};

// ANCHOR: bigram
/// z = W xₜ: the logits of the next token are column xₜ of W (V, V), and
/// softmax(z) the prediction.
#[derive(Clone, Debug, PartialEq)]
pub struct NeuralBigram<T> {
    /// The logits table: column a holds the logits after token a.
    pub w: Array2<T>,
}

impl<T: Real> NeuralBigram<T> {
    /// All logits 0: every token equally likely, a loss of ln V.
    pub fn new(vocab: usize) -> Self {
        NeuralBigram {
            w: Array2::zeros((vocab, vocab)),
        }
    }
}

impl<T: Real> Language<T> for NeuralBigram<T> {
    fn context(&self) -> usize {
        1
    }

    fn loss_and_gradient(&self, windows: ArrayView2<usize>) -> (T, Self) {
        let len = windows.nrows();
        let x: Vec<usize> = windows
            .slice(ndarray::s![..len - 1, ..])
            .iter()
            .copied()
            .collect();
        let y: Vec<usize> = windows
            .slice(ndarray::s![1.., ..])
            .iter()
            .copied()
            .collect();
        let z = lookup(self.w.view(), &x);
        let (cost, dz) = next_token_loss(z.view(), &y);
        let dw = lookup_gradient(dz.view(), &x, self.w.ncols());
        (cost, NeuralBigram { w: dw })
    }

    fn next_logits(&self, prefix: &[usize]) -> Array1<T> {
        self.w.column(prefix[prefix.len() - 1]).to_owned()
    }

    fn parameters(&self) -> Vec<&Array2<T>> {
        vec![&self.w]
    }

    fn parameters_mut(&mut self) -> Vec<&mut Array2<T>> {
        vec![&mut self.w]
    }
}
// ANCHOR_END: bigram
