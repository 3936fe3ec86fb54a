//! A backward rule with a bug in it, for exercise 11.3: the gradient
//! check catches it (the narrated run and `tests/graders_bite.rs` show
//! it); the exercise is to find the bug and write the rule right.

use ndarray::Array2;

use ch02_activations::sigmoid;

use crate::tensor::Op;

// ANCHOR: silu
/// Y = X ⊙ σ(X), elementwise: SiLU (or "swish"), a smooth cousin of ReLU.
/// The forward rule is right. The backward rule is not.
pub struct Silu;

impl Op<f64> for Silu {
    fn name(&self) -> &'static str {
        "SiLU"
    }
    fn forward(&self, x: &[&Array2<f64>]) -> Array2<f64> {
        x[0].mapv(|x| x * sigmoid(x))
    }
    fn backward(
        &self,
        _: usize,
        x: &[&Array2<f64>],
        y: &Array2<f64>,
        g: &Array2<f64>,
    ) -> Array2<f64> {
        let s = x[0].mapv(sigmoid); // σ(X)
        g * &(&s + &(y * &y.mapv(|y| 1.0 - y)))
    }
}
// ANCHOR_END: silu
