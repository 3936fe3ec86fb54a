//! Reference solutions to chapter 11's exercises, mirroring
//! `src/exercises.rs` region for region. Try each exercise first.

use ch11_autodiff::tensor::Op;
use ndarray::Array2;

// ANCHOR: exp
/// Exercise 11.1: Y = exp(X).
pub struct Exp;

impl Op<f64> for Exp {
    fn name(&self) -> &'static str {
        "exp"
    }
    fn forward(&self, x: &[&Array2<f64>]) -> Array2<f64> {
        x[0].mapv(f64::exp)
    }
    fn backward(
        &self,
        _i: usize,
        _x: &[&Array2<f64>],
        y: &Array2<f64>,
        g: &Array2<f64>,
    ) -> Array2<f64> {
        g * y // exp' = exp, which the forward pass already computed: y
    }
}

/// The operation, as the grader takes it.
pub fn exp() -> Exp {
    Exp
}
// ANCHOR_END: exp

// ANCHOR: maximum
/// Exercise 11.2: Y = max(A, B).
pub struct Maximum;

impl Op<f64> for Maximum {
    fn name(&self) -> &'static str {
        "max"
    }
    fn forward(&self, x: &[&Array2<f64>]) -> Array2<f64> {
        ndarray::Zip::from(x[0])
            .and(x[1])
            .map_collect(|&a, &b| a.max(b))
    }
    fn backward(
        &self,
        i: usize,
        x: &[&Array2<f64>],
        _y: &Array2<f64>,
        g: &Array2<f64>,
    ) -> Array2<f64> {
        // the gradient goes to whichever input won; the other moved nothing
        ndarray::Zip::from(g)
            .and(x[0])
            .and(x[1])
            .map_collect(|&g, &a, &b| {
                let a_won = a >= b;
                if a_won == (i == 0) { g } else { 0.0 }
            })
    }
}

/// The operation, as the grader takes it.
pub fn maximum() -> Maximum {
    Maximum
}
// ANCHOR_END: maximum

// ANCHOR: silu
/// Exercise 11.3: SiLU, Y = X ⊙ σ(X), its backward rule fixed.
pub struct Silu;

impl Op<f64> for Silu {
    fn name(&self) -> &'static str {
        "SiLU"
    }
    fn forward(&self, x: &[&Array2<f64>]) -> Array2<f64> {
        x[0].mapv(|x| x * ch02_activations::sigmoid(x))
    }
    fn backward(
        &self,
        _i: usize,
        x: &[&Array2<f64>],
        y: &Array2<f64>,
        g: &Array2<f64>,
    ) -> Array2<f64> {
        // product rule: (x σ)' = σ + x σ(1 − σ) = σ + y(1 − σ); broken::Silu
        // wrote y(1 − y), sigmoid's rule, but y here is not σ(x)
        let s = x[0].mapv(ch02_activations::sigmoid); // σ(X)
        g * &(&s + &(y * &s.mapv(|s| 1.0 - s)))
    }
}

/// The operation, as the grader takes it.
pub fn silu() -> Silu {
    Silu
}
// ANCHOR_END: silu
