//! Chapter 11 exercises: replace each `todo!()` with your answer.
//!
//! `cargo exercises` grades them (and every other chapter's);
//! `cargo exercises hint 11.1` gives a hint, one step at a time.
#![allow(
    unused_variables,
    reason = "a stub receives its arguments before you write the body"
)]

use ndarray::Array2;

use crate::tensor::Op;

// ANCHOR: exp
/// Exercise 11.1: Y = exp(X), elementwise, as an operation the tape can
/// record.
pub struct Exp;

impl Op<f64> for Exp {
    fn name(&self) -> &'static str {
        "exp"
    }
    fn forward(&self, x: &[&Array2<f64>]) -> Array2<f64> {
        // TODO: return exp(X); then write the backward rule below.
        todo!("exercise 11.1: Exp's forward rule")
    }
    fn backward(
        &self,
        i: usize,
        x: &[&Array2<f64>],
        y: &Array2<f64>,
        g: &Array2<f64>,
    ) -> Array2<f64> {
        todo!("exercise 11.1: Exp's backward rule")
    }
}

/// The operation, as the grader takes it.
pub fn exp() -> Exp {
    Exp
}
// ANCHOR_END: exp

// ANCHOR: maximum
/// Exercise 11.2: Y = max(A, B), elementwise, for two matrices of the
/// same shape: x[0] is A, x[1] is B.
pub struct Maximum;

impl Op<f64> for Maximum {
    fn name(&self) -> &'static str {
        "max"
    }
    fn forward(&self, x: &[&Array2<f64>]) -> Array2<f64> {
        // TODO: return max(A, B); then write the backward rule below.
        todo!("exercise 11.2: Maximum's forward rule")
    }
    fn backward(
        &self,
        i: usize,
        x: &[&Array2<f64>],
        y: &Array2<f64>,
        g: &Array2<f64>,
    ) -> Array2<f64> {
        todo!("exercise 11.2: Maximum's backward rule")
    }
}

/// The operation, as the grader takes it.
pub fn maximum() -> Maximum {
    Maximum
}
// ANCHOR_END: maximum

// ANCHOR: silu
/// Exercise 11.3: SiLU, Y = X ⊙ σ(X), with a backward rule that passes
/// its gradient check. (`broken::Silu` has one that does not: find its
/// bug, then write the rule right here.)
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
        i: usize,
        x: &[&Array2<f64>],
        y: &Array2<f64>,
        g: &Array2<f64>,
    ) -> Array2<f64> {
        // TODO: return ∂C/∂X, the rule of broken::Silu with its bug fixed.
        todo!("exercise 11.3: SiLU's backward rule")
    }
}

/// The operation, as the grader takes it.
pub fn silu() -> Silu {
    Silu
}
// ANCHOR_END: silu
